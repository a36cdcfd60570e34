"""Strings one of which every match of a regex must hold (``keys_of``), read from the regex's
parsed form: a cheap word search tells where a pattern cannot match, so it need not run there.

Uses ``re._parser`` and ``re._constants`` (CPython's own regex parser, present since 3.11);
tests/test_sources.py checks the keys of every cue pattern against its matches.
"""
from __future__ import annotations

import re
import re._constants as sre
import re._parser


def keys_of(pattern: re.Pattern) -> set[str] | None:
    """Strings, one of which every match of ``pattern`` holds (as ``wordindex.fold`` writes it), or None."""
    keys = needed(re._parser.parse(pattern.pattern, pattern.flags).data)
    ignore = bool(pattern.flags & re.I)
    if keys is None or not all(all(_foldable(c, ignore) for c in k) for k in keys):
        return None
    return {k.lower() for k in keys}


def _foldable(c: str, ignore: bool) -> bool:
    """Matching ``c`` case-sensitively in folded text finds what the pattern's matching finds:
    ``c`` is uncased, or an ASCII character of a case-insensitive pattern."""
    return c.lower() == c == c.upper() or ignore and c.isascii()


def needed(items: list) -> set[str] | None:
    """Of a parsed regex (``re._parser``): strings, one of which every match holds, or None."""
    best, run = None, {""}
    for op, av in items + [(None, None)]:
        fixed = _fixed(op, av)
        if fixed is not None and len(run) * len(fixed) <= 256:
            run = {a + b for a in run for b in fixed}
            continue
        best, run = _better(best, run - {""} and run), {""}
        if fixed is not None:
            run = fixed
        elif op is sre.SUBPATTERN and not av[1] and not av[2]:
            best = _better(best, needed(av[3].data))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and av[0] >= 1:
            best = _better(best, needed(av[2].data))
        elif op is sre.BRANCH:
            alts = [needed(a.data) for a in av[1]]
            best = _better(best, None if None in alts else set().union(*alts))
    return best


def _fixed(op, av) -> set[str] | None:
    """The strings a literal, a class of literals or a branch of such matches, else None."""
    if op is sre.LITERAL:
        return {chr(av)}
    if op is sre.IN and all(o is sre.LITERAL for o, _ in av):
        return {chr(c) for _, c in av}
    if op is sre.BRANCH:
        alts = [{""} for _ in av[1]]
        for i, alt in enumerate(av[1]):
            for o, a in alt.data:
                f = _fixed(o, a)
                if f is None or len(alts[i]) * len(f) > 256:
                    return None
                alts[i] = {x + y for x in alts[i] for y in f}
        return set().union(*alts)
    return None


def _better(a: set[str] | None, b: set[str] | None) -> set[str] | None:
    """The more selective key set: longer shortest key, then fewer keys."""
    if not a or not b or "" in a or "" in b:
        return (a if a and "" not in a else None) or (b if b and "" not in b else None)
    return min(a, b, key=lambda k: (-min(map(len, k)), len(k)))
