"""Part/whole relations between facts: from the catalog (ibit ⊂ btc-etfs ⊂ crypto-etfs), from
regions (US ⊂ global) and from how flows are reported (bitcoin products ⊂ digital asset products)."""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from datetime import timedelta
from collections.abc import Iterator
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


def is_part(part: Fact, whole: Fact, any_period: bool = False) -> bool:
    """``part`` is a strict part of ``whole``: same metric, unit and period (any period with
    ``any_period``), smaller scope."""
    if part.metric != whole.metric or part.unit != whole.unit or (part.period != whole.period and not any_period):
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


class FactIndex:
    """The facts keyed the ways the checks look them up, built once per run so that no check
    scans every fact for every finding. Look-ups by subject keep one fact per distinct figure
    (subject, region, period, value): a week reported by a thousand articles is a handful of
    figures, so the work per look-up is bounded by what was said, not by how often."""

    def __init__(self, facts: list[Fact]):
        self.by_subject: dict[tuple, list[Fact]] = defaultdict(list)       # (subject, metric, unit)
        self.by_doc_fact: dict[tuple, list[Fact]] = defaultdict(list)      # (doc, subject, metric, period)
        self.subjects_within: dict[str, set[str]] = defaultdict(set)       # whole → subjects inside it
        figures: set[tuple] = set()
        for f in sorted((f for f in facts if f.period), key=lambda f: f.period[0]):
            figure = (f.subject, f.metric, f.unit, f.region, f.period, f.value)
            if figure not in figures:
                figures.add(figure)
                self.by_subject[(f.subject, f.metric, f.unit)].append(f)
        for f in facts:
            self.by_doc_fact[(f.doc, f.subject, f.metric, f.period)].append(f)
            if f.subject and "+" not in f.subject:
                for whole in flow_ancestors(f.subject):
                    self.subjects_within[whole].add(f.subject)
        self.starts: dict[tuple, list] = {}
        self.longest: dict[tuple, int] = {}
        for key, bucket in self.by_subject.items():
            self.starts[key] = [f.period[0] for f in bucket]
            self.longest[key] = max((f.period[1] - f.period[0]).days for f in bucket)

    def overlapping(self, key: tuple, period: tuple) -> list[Fact]:
        """One fact per distinct figure of ``key`` (subject, metric, unit) whose period overlaps
        ``period``, in order of period start (bisect, not a scan)."""
        bucket = self.by_subject.get(key)
        if not bucket:
            return []
        lo = bisect_left(self.starts[key], period[0] - timedelta(days=self.longest[key]))
        hi = bisect_right(self.starts[key], period[1])
        return [f for f in bucket[lo:hi] if f.period[1] >= period[0]]


def siblings(part: Fact, whole: Fact, index: FactIndex) -> Iterator[Fact]:
    """Other parts of ``whole`` cut the same way as ``part`` (other regions of a region part,
    other products of a product part) over the same or an overlapping period, one per figure."""
    by_region = part.subject == whole.subject
    subjects = [whole.subject] if by_region else sorted(index.subjects_within.get(whole.subject, ()))
    if not whole.period:
        return
    for subject in subjects:
        if not by_region and subject == part.subject:
            continue
        for f in index.overlapping((subject, whole.metric, whole.unit), whole.period):
            if by_region and f.region == part.region:
                continue
            if not by_region and f.region != part.region:
                continue
            if is_part(f, whole, any_period=True) and not is_part(f, part, any_period=True):
                yield f


def opposite_in_document(part: Fact, whole: Fact, index: FactIndex) -> list[Fact]:
    """Figures of the whole's subject and period that move the other way in the part's document:
    a report naming inflows "elsewhere" without a scope we could resolve."""
    out = []
    for doc in dict.fromkeys((part.doc, whole.doc)):  # in order: set order changes run to run
        out += [f for f in index.by_doc_fact.get((doc, whole.subject, whole.metric, whole.period), ())
                if f.sign and f.sign != part.sign]
    return out
