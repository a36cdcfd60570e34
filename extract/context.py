"""Decisions that need the words around a figure: ranges, lists sharing one unit, qualifiers.

All functions work on normalised text (same offsets as the original) and candidates from
:mod:`extract.grammar`.
"""
from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal
from functools import lru_cache

from .grammar import Candidate
from .tables import alternation, quantity_tables

LIST_SEPARATOR = re.compile(r"\s*(?:、|,|，|和|及|与|或|以及|(?:,\s*)?(?:and|or))\s*", re.I)
CARRY_WINDOW = 200
BETWEEN_BEFORE = re.compile(r"(?i:\bbetween\s+)$")
AND_GAP = re.compile(r"\s+and\s+")


@lru_cache(maxsize=1)
def _patterns() -> dict:
    t = quantity_tables()
    seps = t["range_separators"]
    a = t["approx"]
    return {
        "range_sep": re.compile(
            rf"\s*(?:{alternation(seps['symbols'])}|{alternation(seps['zh'])}|(?i:to))\s*"),
        "symbol_sep": re.compile(rf"\s*{alternation(seps['symbols'])}\s*"),
        "blockers": re.compile(
            rf"(?:{alternation(t['range_blockers']['zh'])}|(?i:\b{alternation(t['range_blockers']['en'])}\b))[^\d,.;，。；]{{0,10}}$"),
        "zh_prefix": a["zh_prefix"],
        "zh_prefix_lengths": sorted({len(w) for w in a["zh_prefix"]}, reverse=True),
        "zh_suffix": a["zh_suffix"],
        "zh_suffix_lengths": sorted({len(w) for w in a["zh_suffix"]}, reverse=True),
        "en_prefix": re.compile(rf"(?i:(?<![A-Za-z])({alternation(a['en_prefix'])}))\s*$"),
        "en_suffix": re.compile(rf"\s*(?i:({alternation(a['en_suffix'])}))(?![A-Za-z])"),
        "distant": re.compile(rf"({alternation(a['zh_distant_prefix'])})[\u4e00-\u9fff]{{1,8}}$"),
        "en_approx": {k.lower(): v for k, v in a["en_prefix"].items()},
        "en_suffix_map": {k.lower(): v for k, v in a["en_suffix"].items()},
    }


def join_ranges(text: str, cands: list[Candidate]) -> list[Candidate]:
    """Join ``24–26``, ``3.5% 至 3.75%``, ``between $1bn and $2bn`` into one range candidate.

    Two figures after 从/由/from are a movement (两个值), not a range.
    """
    p = _patterns()
    out: list[Candidate] = []
    i = 0
    while i < len(cands):
        c = cands[i]
        if i + 1 < len(cands):
            nxt = cands[i + 1]
            gap = text[c.end:nxt.start]
            between = BETWEEN_BEFORE.search(text[max(0, c.start - 10):c.start])
            is_sep = p["range_sep"].fullmatch(gap) or (between and AND_GAP.fullmatch(gap))
            worded = is_sep and not p["symbol_sep"].fullmatch(gap)
            blocked = worded and p["blockers"].search(text[max(0, c.start - 16):c.start])
            if is_sep and _compatible(c, nxt) and not blocked:
                out.append(_as_range(c, nxt))
                i += 2
                continue
        out.append(c)
        i += 1
    return out


def _compatible(a: Candidate, b: Candidate) -> bool:
    if a.low is not None or b.low is not None or a.fraction or b.fraction:
        return False
    if a.unit is None and not a.currency_prefix:
        return b.unit is not None or b.currency_prefix is not None or b.scale == a.scale or a.scale == 1
    unit_a = a.unit.unit if a.unit else None
    unit_b = b.unit.unit if b.unit else None
    cur_a = a.currency_prefix or unit_a
    cur_b = b.currency_prefix or unit_b
    return cur_a == cur_b or (unit_a is None and a.currency_prefix and b.currency_prefix)


def _as_range(a: Candidate, b: Candidate) -> Candidate:
    va = a.value
    if a.unit is None and not a.currency_prefix and a.scale == 1:
        va = a.value * b.scale
    va = -va if a.sign < 0 else va
    vb = -b.value if b.sign < 0 else b.value
    low, high = min(va, vb), max(va, vb)
    return replace(b, start=a.start, number_start=a.number_start, low=low, high=high,
                   value=(low + high) / 2, sign=0, first_number=a.number_text,
                   currency_prefix=a.currency_prefix or b.currency_prefix)


def share_list_units(text: str, cands: list[Candidate]) -> list[Candidate]:
    """``3、5 和 7%`` / ``10, 20 and 30 percent``: bare figures in a list take the last one's unit."""
    out = list(cands)
    for i in range(len(out) - 2, -1, -1):
        c, nxt = out[i], out[i + 1]
        if c.unit is not None or c.currency_prefix or nxt.unit is None or c.low is not None:
            continue
        if not LIST_SEPARATOR.fullmatch(text[c.end:nxt.start]):
            continue
        value = c.value * nxt.scale if c.scale == 1 else c.value
        out[i] = replace(c, unit=nxt.unit, value=value, scale=nxt.scale if c.scale == 1 else c.scale)
    return out


def carry_currency(text: str, cands: list[Candidate]) -> list[Candidate]:
    """A scaled figure with no unit that starts a new list item or line (``SMH +13 亿``) takes the
    currency of the money figure just before it in the same paragraph."""
    out = list(cands)
    last_money: Candidate | None = None
    for i, c in enumerate(out):
        if _currency(c):
            last_money = c
            continue
        if c.unit is None and c.scale >= 10**4 and last_money is not None:
            gap = text[last_money.end:c.start]
            new_item = "\n" in gap or gap.lstrip()[:1] in ("、", ",", ";", "；")
            if len(gap) <= CARRY_WINDOW and "\n\n" not in gap and new_item:
                out[i] = replace(c, currency_prefix=None, unit=_money_unit(last_money))
    return out


def _currency(c: Candidate) -> str | None:
    if c.unit is not None and c.unit.kind == "money":
        return c.unit.unit
    return c.currency_prefix


def _money_unit(c: Candidate):
    from .grammar import Unit

    if c.unit is not None and c.unit.kind == "money":
        return c.unit
    codes = quantity_tables()["currency_prefixes"]
    return Unit("money", codes.get(c.currency_prefix, "USD"))


def qualifier(text: str, c: Candidate) -> str:
    """The GUIDE ``approx`` class from the words around the figure: exact, about, over, under, nearly."""
    p = _patterns()
    head = text[max(0, c.start - 16):c.start].rstrip()
    # the longest table word that ends the head (a dict look-up per word length)
    for n in p["zh_prefix_lengths"]:
        word = head[-n:]
        cls = p["zh_prefix"].get(word) if len(word) == n else None
        if cls is None:
            continue
        before = head[:-n][-1:]
        if word == "近" and before in "最附临靠将接逼":
            continue
        return cls
    m = p["en_prefix"].search(head)
    if m:
        return p["en_approx"][m.group(1).lower()]
    tail = text[c.end:c.end + 8]
    stripped = tail.lstrip()
    for n in p["zh_suffix_lengths"]:
        word = stripped[:n]
        if len(word) == n and word in p["zh_suffix"]:
            return p["zh_suffix"][word]
    m = p["en_suffix"].match(tail)
    if m:
        return p["en_suffix_map"][m.group(1).lower()]
    if c.infix_approx:
        return "over"
    if p["distant"].search(text[max(0, c.start - 12):c.start].rstrip()):
        return "about"
    return "exact"


def decimal_value(c: Candidate) -> Decimal:
    """The normalised number: 成 → tenths in %, 折 → %, and the written sign applied."""
    value = c.value
    if c.unit is not None and c.unit.kind == "tenths":
        value *= 10
    elif c.unit is not None and c.unit.kind == "discount" and value < 10:
        value *= 10
    return -value if c.sign < 0 else value
