"""Length-preserving normalisation, so matches on the normal form point into the original text.

Full-width ASCII becomes half-width (``１．５％`` → ``1.5%``), the ideographic space a space, and
Traditional characters Simplified (OpenCC ``t2s``). OpenCC keeps the length on ordinary text; when
it does not, the conversion is redone character by character, which always keeps it.
"""
from __future__ import annotations

import re
from functools import lru_cache

import opencc

_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH.update({0x3000: 0x20, 0x00A0: 0x20, 0x2212: 0x2D, 0xFF0E: 0x2E})
_FOLDED = re.compile("[" + re.escape("".join(map(chr, _FULLWIDTH))) + "]")


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_halfwidth(text: str) -> str:
    """Fold full-width ASCII, the ideographic space and the minus sign (U+2212); same length."""
    if _FOLDED.search(text) is None:  # nothing to fold: skip translate's per-character lookups
        return text
    return text.translate(_FULLWIDTH)


def to_simplified(text: str) -> str:
    """Traditional → Simplified with OpenCC, guaranteed to keep ``len(text)``."""
    out = _t2s().convert(text)
    if len(out) == len(text):
        return out
    chars = []
    for ch in text:
        conv = _t2s().convert(ch)
        chars.append(conv if len(conv) == 1 else ch)
    return "".join(chars)


@lru_cache(maxsize=8)
def normalize(text: str, simplify: bool = True) -> str:
    """The text the grammar matches on; index ``i`` of the result is index ``i`` of ``text``.
    (Cached: the grammar and the claim builder normalise each document's text alike.)"""
    out = to_halfwidth(text)
    if simplify:
        out = to_simplified(out)
    assert len(out) == len(text)
    return out
