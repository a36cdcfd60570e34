"""The cross-check: figures that don't add up, across the whole store, each explained in one sentence.

``run_crosscheck(db, lang)`` reads every stored claim and returns findings; grouping is by
blocking keys (subject, metric, region, unit, period), never all pairs.
"""
from __future__ import annotations

from collections import defaultdict

import sqlite_utils

from schemas import Finding

from .checks import check_joint_sums, check_parts_within_totals, check_period_sums, check_same_facts, same_fact_groups
from .facts import Fact, load_facts
from .relations import FactIndex
from .ratios import check_containment, check_implied_prices, check_shares


def independence(texts: dict[str, str]):
    """A function counting independent sources among document ids (near-duplicates merged)."""
    try:
        from ..duplicates import independent_sources, near_duplicate_groups, representatives
    except ImportError:  # pragma: no cover - the module ships with the package
        return len
    representative = representatives(near_duplicate_groups(texts.items()))
    return lambda docs: independent_sources(docs, representative)


def crosscheck_facts(facts: list[Fact], texts: dict[str, str], lang: str = "en") -> list[Finding]:
    """Every finding about ``facts``, deduplicated by id, errors first."""
    groups = same_fact_groups(facts)
    by_key: dict[tuple, list[Fact]] = defaultdict(list)
    for f in facts:
        if f.subject and f.metric and f.period:
            by_key[f.key].append(f)
    found: dict[str, Finding] = {}
    for source in (
        check_same_facts(groups, independence(texts), lang),
        check_joint_sums(facts, lang),
        check_period_sums(by_key, lang),
        check_parts_within_totals(groups, FactIndex(facts), texts, lang),
        check_shares(facts, lang),
        check_implied_prices(facts, lang),
        check_containment(by_key, lang),
    ):
        for f in source:
            found.setdefault(f.id, f)
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(found.values(), key=lambda f: (order[f.severity], f.kind, f.id))


def run_crosscheck(db: sqlite_utils.Database, lang: str = "en") -> list[Finding]:
    """Findings for the whole store (recomputed from scratch; storing them is the caller's job)."""
    facts, texts = load_facts(db)
    return crosscheck_facts(facts, texts, lang)
