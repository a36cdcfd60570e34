"""The ``source`` field: who the text says a figure comes from.

    cited_source(ctx) -> 'coinshares' | 'factset' | ... | None

Contract
--------
* Input is a :class:`~extract.claimcontext.ClaimContext`; only ``norm``, ``sentence``,
  ``paragraph``, ``quantity``, ``quantities`` and ``mentions`` are read. Cue words are matched on
  ``norm`` (Chinese in Simplified, English case-insensitively), from ``data/sources.yaml``.
* A *citation* is a cue ("according to", 根据, X 数据显示, "X said", "a report by") with a
  source-like entity mention next to it (kinds in ``source_kinds``: data providers, institutions,
  issuers, companies, unlinked organisations). Assets, funds, indices are never sources. A person
  speaking for an organisation ("CoinShares analyst James Butterfill said") cites the organisation.
  A cue that names nobody ("数据显示", "analysts said") is an *unnamed* citation: it covers figures
  like any other but gives ``None``.
* Scope, tried in this order for the figure:
  1. its own sentence: the nearest citation before the figure; else the nearest one after it, if
     that one covers the whole sentence (``according to X`` anywhere, ``X said`` at the end);
  2. the next sentence of the paragraph, when it opens with a citation and holds no figure of its
     own ("... $1.7bn. According to CoinShares, this marks ...");
  3. carried over from earlier sentences of the paragraph: the latest citation there, if it framed
     its sentence (no figure of that sentence before it; a trailing "..., according to X." does
     not carry). A later citation, named or not, always ends the carry-over.
  4. across paragraphs only where the text marks the continuation: a paragraph opening with
     ``continues`` words (其中, 该指标, "Of that") inherits the source active at the end of the
     paragraph before it; short lines after a paragraph that ends with a colon are its list.
  Anything else: ``None``. Headings and bullets are paragraphs, so a citation never leaks into
  the next bullet or heading.
* ``refine`` maps an entity to the product meant (CME on rate-cut odds -> ``cme-fedwatch``).
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache, reduce
from operator import or_

from .claimcontext import ClaimContext, Mention
from .regexkeys import keys_of
from .tables import load_table
from .wordindex import fold, word_index, word_starts

CLAUSE_PUNCT = re.compile(r"[,，;；:：。!?！？\n]")
SENTENCE_END = re.compile(r"[。！？!?；;\n]|\.(?=\s)")
WORD = re.compile(r"[\u3400-\u9fff]|[A-Za-z0-9][\w&.'’-]*|\x00")
CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class Cue:
    """One entry of ``cues`` in sources.yaml (fields explained there)."""

    pattern: re.Pattern
    entity: str                   # 'after' or 'before'
    max_gap: int
    scope: str                    # 'sentence' or 'clause'
    commas: bool
    gap_re: re.Pattern | None
    then: re.Pattern | None


@dataclass(frozen=True)
class Citation:
    """A cue with the entity it names; ``source`` None for an unnamed source."""

    start: int                    # cue and entity together
    end: int
    source: str | None            # None: an unnamed source
    scope: str


@lru_cache(maxsize=1)
def _rules() -> dict:
    t = load_table("sources")
    opt = lambda c, key: re.compile(c[key], re.I) if c.get(key) else None
    return {
        "cues": [Cue(re.compile(c["re"], 0 if CJK.search(c["re"]) else re.I), c["entity"], int(c["max_gap"]),
                     c["scope"], bool(c.get("commas")), opt(c, "gap_re"), opt(c, "then")) for c in t["cues"]],
        "unnamed": [re.compile(p, re.I) for p in t["unnamed"]],
        "continues": re.compile(t["continues"], re.I),
        "source_kinds": frozenset(t["source_kinds"]),
        "gap_kinds": frozenset(t["gap_kinds"]),
        "list_item_max": int(t["list_item_max"]),
        "refine": [(r["source"], r["to"], re.compile(r["when"], re.I)) for r in t["refine"]],
    }


@lru_cache(maxsize=1)
def _keys() -> tuple[int, tuple]:
    """The prefilter of the cue patterns (``cues``, then ``unnamed``; bit k: pattern k): the mask
    of the patterns without key words, which always run, and the ``word_index`` of the key words."""
    need = [keys_of(p) for p in [c.pattern for c in _rules()["cues"]] + _rules()["unnamed"]]
    always = sum(1 << k for k, keys in enumerate(need) if keys is None)
    return always, word_index([keys or () for keys in need])


# ---------------------------------------------------------------- citations in a span

def _gap_ok(norm: str, start: int, end: int, cue: Cue, inside: list[Mention]) -> bool:
    """The words between a cue and its entity: few, no clause break, no other named thing."""
    rules = _rules()
    if any(m.kind not in rules["gap_kinds"] for m in inside):
        return False
    text = norm[start:end]
    for m in sorted(inside, key=lambda m: -m.start):
        text = text[:m.start - start] + "\x00" + text[m.end - start:]
    if cue.gap_re is not None and not cue.gap_re.fullmatch(text):
        return False
    breaks = r"[:：;；。!?！？\n]" if cue.commas else CLAUSE_PUNCT
    return not re.search(breaks, text) and len(WORD.findall(text)) <= cue.max_gap


def _resolve(norm: str, m: re.Match, cue: Cue, mentions: tuple[Mention, ...], lo: int, hi: int) -> Mention | None:
    """The source-like mention a cue match cites: the nearest one on its entity side."""
    rules = _rules()
    if cue.entity == "after":
        ordered = [x for x in mentions if m.end() <= x.start and x.end <= hi]
    else:
        ordered = [x for x in reversed(mentions) if lo <= x.start and x.end <= m.start()]
    passed: list[Mention] = []
    for x in ordered:
        if x.kind in rules["source_kinds"] or not x.linked:
            a, b = (m.end(), x.start) if cue.entity == "after" else (x.end, m.start())
            if not _gap_ok(norm, a, b, cue, passed):
                return None
            if cue.then is not None and not cue.then.search(CLAUSE_PUNCT.split(norm[x.end:min(hi, x.end + 40)])[0]):
                return None
            return x
        if x.kind not in rules["gap_kinds"]:
            return None
        passed.append(x)
    return None


@lru_cache(maxsize=4096)
def _citations_cached(norm: str, lo: int, hi: int, mentions: tuple[Mention, ...]) -> tuple[Citation, ...]:
    """The citations of ``citations``; a pattern runs only where one of its key words lies in
    the span (``_cue_mask``): it cannot match elsewhere, so the result is the same."""
    rules, found = _rules(), {}
    mask = _cue_mask(norm, lo, hi)
    for k, cue in enumerate(rules["cues"]):
        for m in cue.pattern.finditer(norm, lo, hi) if mask >> k & 1 else ():
            x = _resolve(norm, m, cue, mentions, lo, hi)
            if x is None:
                continue
            c = Citation(min(m.start(), x.start), max(m.end(), x.end), x.entity_id, cue.scope)
            old = found.get(x.start)
            if old is not None:  # one entity, several cue words ("报告披露"): join them, widest scope
                scope = "sentence" if "sentence" in (old.scope, c.scope) else "clause"
                c = Citation(min(c.start, old.start), max(c.end, old.end), c.source, scope)
            found[x.start] = c
    named = list(found.values())
    for k, pattern in enumerate(rules["unnamed"], len(rules["cues"])):
        for m in pattern.finditer(norm, lo, hi) if mask >> k & 1 else ():
            if not any(c.start < m.end() and m.start() < c.end + 2 for c in named):
                named.append(Citation(m.start(), m.end(), None, "clause"))
    return tuple(sorted(named, key=lambda c: (c.start, c.end)))


_FOLDED = threading.local()


def _cue_mask(norm: str, lo: int, hi: int) -> int:
    """Bit k set: pattern k of ``_keys`` may match in ``norm[lo:hi]`` (one of its key words lies
    there, or it has none). The folded text is kept for the document being processed (per thread)."""
    cache = getattr(_FOLDED, "cache", None)
    if cache is None or cache[0] is not norm:
        cache = _FOLDED.cache = (norm, fold(norm))
    always, index = _keys()
    return reduce(or_, (mask for _, mask in word_starts(index, cache[1], lo, hi)), always)


def citations(norm: str, lo: int, hi: int, mentions: list[Mention]) -> list[Citation]:
    """Every citation whose cue lies in ``norm[lo:hi]`` (one sentence), in text order."""
    inside = tuple([x for x in mentions if lo <= x.start and x.end <= hi])
    return list(_citations_cached(norm, lo, hi, inside))


# ---------------------------------------------------------------- sentences and paragraphs

def _sentences(norm: str, lo: int, hi: int) -> list[tuple[int, int]]:
    out, start = [], lo
    for m in SENTENCE_END.finditer(norm, lo, hi):
        if norm[start:m.end()].strip():
            out.append((start, m.end()))
        start = m.end()
    if norm[start:hi].strip():
        out.append((start, hi))
    return out


def _prev_paragraph(norm: str, start: int) -> tuple[int, int] | None:
    """The nearest non-blank line before the paragraph starting at ``start``."""
    end = norm.rfind("\n", 0, start)
    while end >= 0:
        s = norm.rfind("\n", 0, end) + 1
        if norm[s:end].strip():
            return s, end
        end = s - 1
    return None


def _figures(ctx: ClaimContext, lo: int, hi: int) -> list[tuple[int, int]]:
    return [(q.start, q.end) for q in ctx.quantities if lo <= q.start and q.end <= hi]


def _frames(ctx: ClaimContext, c: Citation, sent: tuple[int, int]) -> bool:
    """A citation frames what follows when no figure of its sentence comes before it."""
    return not any(e <= c.start for _, e in _figures(ctx, *sent))


# ---------------------------------------------------------------- the scope rules

def _in_sentence(ctx: ClaimContext, fig: tuple[int, int], sent: tuple[int, int]) -> Citation | None:
    cits = citations(ctx.norm, sent[0], sent[1], ctx.mentions)
    before = [c for c in cits if c.start < fig[0]]  # also one around the figure (X 披露的 17 亿美元数据)
    if before:
        return before[-1]
    later_figs = lambda c: any(s >= c.end for s, _ in _figures(ctx, *sent))
    for c in (c for c in cits if c.start >= fig[1]):
        if c.scope == "sentence" or not later_figs(c):
            return c
    return None


def _active_at_end(ctx: ClaimContext, para: tuple[int, int], upto: int, depth: int = 0) -> str | None:
    """The source carried to position ``upto`` of paragraph ``para`` (rules 3 and 4)."""
    for sent in reversed(_sentences(ctx.norm, para[0], upto)):
        cits = citations(ctx.norm, sent[0], sent[1], ctx.mentions)
        if cits:
            return cits[-1].source if _frames(ctx, cits[-1], sent) else None
    prev = _inherits_from(ctx, para) if depth < 20 else None
    return None if prev is None else _active_at_end(ctx, prev, prev[1], depth + 1)


def _inherits_from(ctx: ClaimContext, para: tuple[int, int]) -> tuple[int, int] | None:
    """The paragraph whose source ``para`` continues (marker word or list line), else None."""
    rules, norm = _rules(), ctx.norm
    prev = _prev_paragraph(norm, para[0])
    if prev is None:
        return None
    body = norm[para[0]:para[1]].lstrip(" \t•●·*-–")
    m = rules["continues"].search(CLAUSE_PUNCT.split(body[:32])[0])
    if m and m.start() <= 12:  # 其中 ETF 单周流入... / 今年多数时间这个指标...
        return prev
    if _list_line(body):
        text = norm[prev[0]:prev[1]].rstrip()
        if text.endswith((":", "：")):
            return prev
        if _list_line(text) and not citations(norm, prev[0], prev[1], ctx.mentions) \
                and _inherits_from(ctx, prev) is not None:
            return prev
    return None


def _list_line(text: str) -> bool:
    """A list line is short and is not a finished sentence ("QQQ +28 亿美元", "- IBIT: $210M")."""
    text = text.strip()
    return len(text) <= _rules()["list_item_max"] and not text.endswith(("。", ".", "!", "?", "！", "？"))


def _opens_with_citation(ctx: ClaimContext, sent: tuple[int, int]) -> Citation | None:
    cits = citations(ctx.norm, sent[0], sent[1], ctx.mentions)
    if cits and not _figures(ctx, *sent) and not ctx.norm[sent[0]:cits[0].start].strip(" \t•●·*-–\"“"):
        return cits[0]
    return None


def _refine(ctx: ClaimContext, source: str | None) -> str | None:
    for src, to, when in _rules()["refine"]:
        if source == src and when.search(ctx.norm, ctx.sentence[0], ctx.sentence[1]):
            return to
    return source


def cited_source(ctx: ClaimContext) -> str | None:
    """Id of the entity the text cites for this figure, or None (see the module docstring)."""
    fig = (ctx.quantity.start, ctx.quantity.end)
    sent = ctx.sentence
    own = _in_sentence(ctx, fig, sent)
    if own is not None:
        return _refine(ctx, own.source)
    para = ctx.paragraph
    after = _sentences(ctx.norm, sent[1], para[1])
    nxt = _opens_with_citation(ctx, after[0]) if after else None
    if nxt is not None:
        return _refine(ctx, nxt.source)
    return _refine(ctx, _active_at_end(ctx, para, sent[0]))
