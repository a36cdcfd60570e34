"""Part/whole relations between facts: from the catalog (ibit ⊂ btc-etfs ⊂ crypto-etfs), from
regions (US ⊂ global) and from how flows are reported (bitcoin products ⊂ digital asset products)."""
from __future__ import annotations

from functools import lru_cache

from ..catalog import load_catalog
from .facts import Fact

ALL_PRODUCTS = "digital-asset-products"


@lru_cache(maxsize=None)
def flow_ancestors(entity_id: str) -> frozenset[str]:
    """Wholes an entity's flows belong to: catalog ancestors, an ETF group's asset (btc-etfs ⊂
    btc products), and every asset's products inside all digital asset products."""
    catalog = load_catalog()
    entity = catalog.get(entity_id)
    if entity is None:
        return frozenset()
    found = set(catalog.ancestors(entity_id))
    for group in [entity_id, *found]:
        if group.endswith("-etfs") and group[:-5] in catalog and catalog.get(group[:-5]).kind == "asset":
            found.add(group[:-5])
    if entity.kind == "asset" or any(catalog.get(a) and catalog.get(a).kind == "asset" for a in found) \
            or entity_id.startswith("short-"):
        found.add(ALL_PRODUCTS)
    if "crypto-etfs" in found or entity_id == "crypto-etfs":
        found.add(ALL_PRODUCTS)
    found.discard("crypto-market")
    return frozenset(found)


@lru_cache(maxsize=None)
def region_within(part: str | None, whole: str | None) -> bool:
    """A region code inside another (CH ⊂ EUROPE); every region is inside the global None."""
    if part is None or part == whole:
        return False
    if whole is None:
        return True
    catalog = load_catalog()
    entity, outer = catalog.by_code(part), catalog.by_code(whole)
    return entity is not None and outer is not None and catalog.is_part_of(entity.id, outer.id)


def is_part(part: Fact, whole: Fact) -> bool:
    """``part`` is a strict part of ``whole``: same metric, unit and period, smaller scope."""
    if part.metric != whole.metric or part.unit != whole.unit or part.period != whole.period:
        return False
    if not part.subject or not whole.subject or "+" in part.subject or "+" in whole.subject:
        return False
    if part.subject == whole.subject:
        return region_within(part.region, whole.region)
    in_whole = whole.subject in flow_ancestors(part.subject)
    region = part.region or implied_region(part.subject)  # SPY is a US fund: part of US ETFs
    return in_whole and (region == whole.region or whole.region is None or region_within(region, whole.region))


@lru_cache(maxsize=None)
def implied_region(entity_id: str) -> str | None:
    """The country an entity is scoped to, its own or one of its wholes' (SPY → US via US ETFs)."""
    catalog = load_catalog()
    entity = catalog.get(entity_id)
    if entity is None:
        return None
    regions = {e.region for e in [entity, *map(catalog.get, catalog.ancestors(entity_id))] if e and e.region}
    return regions.pop() if len(regions) == 1 else None


def siblings(part: Fact, whole: Fact, facts: list[Fact]) -> list[Fact]:
    """Other parts of ``whole`` cut the same way as ``part`` (other regions of a region part,
    other products of a product part) over the same or an overlapping period."""
    by_region = part.subject == whole.subject
    out = []
    for f in facts:
        if f is part or f.metric != whole.metric or f.unit != whole.unit or not f.period or not whole.period:
            continue
        if f.period[1] < whole.period[0] or whole.period[1] < f.period[0]:
            continue
        if by_region and (f.subject != whole.subject or f.region == part.region):
            continue
        if not by_region and (f.region != part.region or f.subject == part.subject):
            continue
        probe = Fact(**{**f.__dict__, "period": whole.period})
        if is_part(probe, whole) and not is_part(probe, part):
            out.append(f)
    return out


def opposite_in_document(part: Fact, whole: Fact, facts: list[Fact]) -> list[Fact]:
    """Figures of the whole's subject and period that move the other way in the part's document:
    a report naming inflows "elsewhere" without a scope we could resolve."""
    return [f for f in facts if f.doc in (part.doc, whole.doc) and f.subject == whole.subject
            and f.metric == whole.metric and f.period == whole.period and f.sign and f.sign != part.sign]
