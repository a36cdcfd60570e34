"""Where the words of many lists start in a text, in one scan: ``word_index`` (built once per
set of lists) and ``word_starts`` (per text). A list can have a word only where its bit is set,
so a caller runs a list's own regex only there (``matches_at``; see ``metrics.words_in``,
``sources._cue_mask``, ``timeexpr.scan``). Case-insensitive words are looked for in ``fold(text)``.
"""
from __future__ import annotations

import re
from functools import reduce
from operator import or_

from .tables import trie_alternation


def word_index(word_lists: list) -> tuple[list[re.Pattern], dict[str, int]]:
    """For word lists (list k gives bit k): regexes of all their words, without word boundaries
    (words with and without ASCII letters apart: ``re`` scans each faster), and for each word
    the mask of the lists holding it or one of its prefixes (the words that match where it does)."""
    mask_of: dict[str, int] = {}
    for k, words in enumerate(word_lists):
        for w in words:
            mask_of[w] = mask_of.get(w, 0) | 1 << k
    masks = {w: reduce(or_, (mask_of.get(w[:n], 0) for n in range(1, len(w) + 1))) for w in mask_of}
    latin = {w for w in mask_of if re.search("[a-z]", w)}
    families = [sorted(latin), sorted(set(mask_of) - latin)]
    return [re.compile(trie_alternation(words)) for words in families if words], masks


def word_starts(index: tuple, text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """(position, mask) of every word of ``word_index`` starting in ``text[lo:hi]`` and ending by
    ``hi`` (overlapping ones too), in text order: a list can have a word only where its bit is set."""
    (patterns, mask_of), found = index, []
    for pattern in patterns:
        pos, search = lo, pattern.search
        while m := search(text, pos, hi):
            found.append((m.start(), mask_of[m.group()]))
            pos = m.start() + 1
    return sorted(found)


CASE_ODD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s"})


def fold(text: str) -> str:
    """``text`` lower-cased, same length: a word that ``re.I`` finds at ``i`` in ``text`` (an ASCII
    or uncased word) is at ``i`` in ``fold(text)``; İ ı ſ, which ``re.I`` matches with i and s, become them."""
    if "\u0130" in text or "\u0131" in text or "\u017f" in text:
        text = text.translate(CASE_ODD)
    return text.lower()


def matches_at(rx: re.Pattern, text: str, starts, lo: int = 0, hi: int | None = None):
    """What ``rx.finditer(text, lo, hi)`` yields when its matches are never empty and each starts at
    one of ``starts`` (sorted, inside [lo, hi)): ``rx.match`` is tried only there."""
    end, hi = lo, len(text) if hi is None else hi
    for i in starts:
        if i >= end and (m := rx.match(text, i, hi)):
            yield m
            end = m.end()
