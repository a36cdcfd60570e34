"""Where the words of many lists start in a text, in one scan: ``word_index`` (built once per
set of lists) and ``word_starts`` (per text). A list can have a word only where its bit is set,
so a caller runs a list's own regex only there (see ``metrics.words_in``, ``sources._cue_mask``).
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
