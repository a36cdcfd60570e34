"""Find every figure in a text with its exact characters: ``find_quantities(text, lang)``.

>>> [q.text for q in find_quantities("比特币产品净流出约 10.9 亿美元,占 63%。", "zh-Hans")]
['10.9 亿美元', '63%']
>>> q = find_quantities("IBIT saw -$537M of outflows", "en")[0]
>>> q.text, q.value, q.unit
('-$537M', -537000000.0, 'USD')
"""
from __future__ import annotations

from .context import carry_currency, decimal_value, join_ranges, qualifier, share_list_units
from .exclusions import blocked_spans, rejection
from .grammar import Candidate, match_candidates
from .normalize import normalize
from schemas import Quantity

KIND_BY_UNIT_KIND = {
    "money": "money", "crypto": "crypto", "percent": "percent", "tenths": "percent",
    "discount": "percent", "bp": "bp", "multiple": "multiple", "count": "count", "measure": "unit",
}


def find_quantities(text: str, lang: str | None = None) -> list[Quantity]:
    """Quantities in ``text``, in order; spans are half-open offsets into ``text`` itself."""
    norm = normalize(text, simplify=(lang or "").startswith("zh") or lang is None)
    return [q for q, _ in explain_quantities(text, lang, norm)]


def explain_quantities(text: str, lang: str | None, norm: str | None = None) -> list[tuple[Quantity, Candidate]]:
    """Quantities with the grammar candidates they came from (for debugging and tests)."""
    if norm is None:
        norm = normalize(text, simplify=(lang or "").startswith("zh") or lang is None)
    cands = match_candidates(norm)
    cands = join_ranges(norm, cands)
    cands = share_list_units(norm, cands)
    blocked = blocked_spans(norm)
    kept = [c for c in cands if rejection(norm, c, lang or "", blocked) is None]
    kept = carry_currency(norm, kept)
    return [(to_quantity(text, norm, c), c) for c in kept]


def rejected_candidates(text: str, lang: str | None) -> list[tuple[str, str]]:
    """(text, reason) for every candidate that the exclusion rules refused."""
    norm = normalize(text, simplify=(lang or "").startswith("zh"))
    cands = share_list_units(norm, join_ranges(norm, match_candidates(norm)))
    blocked = blocked_spans(norm)
    out = []
    for c in cands:
        reason = rejection(norm, c, lang or "", blocked)
        if reason:
            out.append((text[c.start:c.end], reason))
    return out


def to_quantity(text: str, norm: str, c: Candidate) -> Quantity:
    start, end = c.start, c.end
    while end > start and text[end - 1].isspace():
        end -= 1
    unit = c.unit.unit if c.unit else None
    kind = KIND_BY_UNIT_KIND.get(c.unit.kind, "number") if c.unit else "number"
    if c.currency_prefix and unit is None:
        from .tables import quantity_tables

        unit, kind = quantity_tables()["currency_prefixes"][c.currency_prefix], "money"
    value = decimal_value(c)
    low = high = None
    if c.low is not None:
        factor = value / c.value if c.value else 1
        low, high = float(c.low * abs(factor)), float(c.high * abs(factor))
    return Quantity(
        start=start, end=end, text=text[start:end], value=float(value), low=low, high=high,
        unit=unit, kind=kind, approx=qualifier(norm, c), signed=c.sign != 0,
    )
