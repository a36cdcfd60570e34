"""The checks: each takes facts grouped by blocking keys (never all pairs) and yields findings.

Same fact = same subject, metric, region, unit and period. Levels of time-varying quantities
(prices, index levels, probabilities, rates) are compared only across documents on one same day.
"""
from __future__ import annotations

import hashlib
import math
import re
from collections import defaultdict
from collections.abc import Iterator

from schemas import Finding, FindingClaim

from .explain import amount, describe, sentence, shown
from .facts import INF, Fact, add, intersects
from .relations import FactIndex, is_part, opposite_in_document, siblings

LEVELS = {"price", "index_level", "probability", "rate", "aum", "market_cap", "holding", "price_target"}
ADDITIVE = {"fund_flow", "count", "liquidation", "purchase", "reserves_change", "market_cap_change"}
OFFSET_CUES = re.compile(r"其他(?:区域|地区|市场|国家|产品)[^。]{0,12}(?:净流入|流入)|其余[^。]{0,8}流入"
                         r"|(?:other|rest of the)\s+(?:regions?|markets?|countries|products)[^.]{0,30}inflows?", re.I)


def finding(kind: str, severity: str, claims: list[tuple[Fact, str]], explanation: str,
            numbers: dict[str, float] | None = None, lang: str = "en") -> Finding:
    """A finding with a stable id (kind + hash of its claim ids and roles)."""
    claims = list({f.id: (f, role) for f, role in reversed(claims)}.values())[::-1]  # first role wins
    ids = sorted(f"{f.id}:{role}" for f, role in claims)
    digest = hashlib.sha1("|".join([kind, *ids]).encode()).hexdigest()[:12]
    return Finding(
        id=f"{kind}-{digest}", kind=kind, severity=severity,
        verdict="consistent" if severity == "info" else "inconsistent",
        claims=[FindingClaim(claim_id=f.id, role=role) for f, role in claims],
        numbers={k: v for k, v in (numbers or {}).items() if v is not None and math.isfinite(v)},
        explanation=explanation, lang=lang,
    )


def same_fact_groups(facts: list[Fact]) -> dict[tuple, list[Fact]]:
    """Blocking: facts keyed by (subject, metric, region, unit, period)."""
    groups: dict[tuple, list[Fact]] = defaultdict(list)
    for f in facts:
        if f.subject and f.metric and f.period and f.metric != "other":
            groups[(*f.key, f.period)].append(f)
    return groups


def components(facts: list[Fact]) -> list[list[Fact]]:
    """Facts split into runs whose intervals overlap (a sweep over sorted intervals)."""
    ordered = sorted(facts, key=lambda f: f.interval[0])
    runs: list[list[Fact]] = []
    reach = -INF
    for f in ordered:
        if not runs or f.interval[0] > reach:
            runs.append([f])
            reach = f.interval[1]
        else:
            runs[-1].append(f)
            reach = max(reach, f.interval[1])
    return runs


def power_of_ten_apart(a: float, b: float) -> int | None:
    """k when |a| and |b| are about 10^k apart (k = 1..4), else None."""
    if not a or not b:
        return None
    ratio = max(abs(a), abs(b)) / min(abs(a), abs(b))
    k = round(math.log10(ratio))
    return k if 1 <= k <= 4 and abs(ratio / 10 ** k - 1) <= 0.15 else None


def check_same_facts(groups: dict, independent, lang: str) -> Iterator[Finding]:
    """conflict, headline, scale_suspect and agreement, within and across documents."""
    for group in groups.values():
        if len(group) < 2:
            continue
        metric = group[0].metric
        if metric in LEVELS:
            days = {f.period for f in group}
            if len(days) != 1 or next(iter(days))[0] != next(iter(days))[1] or len({f.doc for f in group}) < 2:
                continue
        runs = components(group)
        for left, right in zip(runs, runs[1:]):
            yield from _disagreement(left, right, lang)
        if len(runs) == 1:
            docs = {f.doc for f in group}
            n = independent(docs)
            if n >= 2:
                values = ", ".join(sorted({shown(f) for f in group}))
                yield finding("agreement", "info", [(f, "side") for f in group],
                              sentence("agreement", lang, fact=describe(group[0], lang), n=n, values=values),
                              {"sources": n}, lang)


def _disagreement(left: list[Fact], right: list[Fact], lang: str) -> Iterator[Finding]:
    for side, other in ((left, right), (right, left)):
        if all(f.in_title for f in side) and len({f.doc for f in side}) == 1:
            body = [f for f in other if f.doc == side[0].doc and not f.in_title]
            if body:
                yield _headline(side, body, lang)
                return
    a, b = left[-1], right[0]
    if a.doc == b.doc and (a.sentence == b.sentence or (a.sign and b.sign and a.sign != b.sign)):
        return  # one sentence with two values, or one story with two directions: two scopes, not one fact
    fact = describe(a, lang)
    claims = [(f, "side") for f in left[-6:]] + [(f, "against") for f in right[:6]]
    numbers = {"a": a.value, "b": b.value}
    k = power_of_ten_apart(a.value, b.value)
    if k:
        yield finding("scale_suspect", "warning", claims,
                      sentence("scale_suspect", lang, fact=fact, a=shown(a), b=shown(b), ratio=10 ** k,
                               a_doc=a.doc, b_doc=b.doc), {**numbers, "ratio": 10.0 ** k}, lang)
        return
    severity = "error" if a.approx == b.approx == "exact" else "warning"
    yield finding("conflict", severity, claims,
                  sentence("conflict", lang, fact=fact, a=shown(a), b=shown(b), a_doc=a.doc, b_doc=b.doc),
                  numbers, lang)


def _headline(head: list[Fact], body: list[Fact], lang: str) -> Finding:
    body = sorted(body, key=lambda f: (f.approx != "exact", f.region is not None, f.start))
    ratio = abs(head[0].value) / abs(body[0].value) if body[0].value else 0
    return finding("headline", "error", [(f, "headline") for f in head] + [(f, "body") for f in body[:8]],
                   sentence("headline", lang, fact=describe(body[0], lang), a=shown(head[0]), b=shown(body[0]),
                            ratio=f"{ratio:.1f}"), {"headline": head[0].value, "body": body[0].value, "ratio": ratio},
                   lang)


def distinct(facts: list[Fact]) -> dict[tuple, list[Fact]]:
    """Facts stating the same figure (same fact, period and value) collected under one key."""
    out: dict[tuple, list[Fact]] = defaultdict(list)
    for f in facts:
        out[(*f.key, f.period, f.value, f.approx)].append(f)
    return out


def check_joint_sums(facts: list[Fact], lang: str) -> Iterator[Finding]:
    """A figure for several subjects together (btc+eth 逾 17 亿, 两者合计 178 家) against its parts
    stated in the same document for the same period."""
    by_doc: dict[str, list[Fact]] = defaultdict(list)
    for f in facts:
        by_doc[f.doc].append(f)
    for doc_facts in by_doc.values():
        for total in doc_facts:
            if not total.subject or "+" not in total.subject or total.metric not in ADDITIVE:
                continue
            parts = []
            for name in total.subject.split("+"):
                same = [f for f in doc_facts if f.subject == name and f.metric == total.metric
                        and f.period == total.period and f.unit == total.unit and f.start < total.start]
                if not same:
                    break
                parts.append(same[-1])
            else:
                yield _sum_finding(parts, total, lang)


def check_period_sums(groups_by_key: dict[tuple, list[Fact]], lang: str) -> Iterator[Finding]:
    """Figures for consecutive periods (November, December) against one for the whole span."""
    for facts in groups_by_key.values():
        if facts[0].metric not in ADDITIVE:
            continue
        by_doc: dict[str, list[Fact]] = defaultdict(list)
        for f in facts:
            by_doc[f.doc].append(f)
        for doc_facts in by_doc.values():
            for same in distinct(doc_facts).values():
                tiles = _tiling(same[0], doc_facts)
                if tiles:
                    yield _sum_finding(tiles, same[0], lang, also=same[1:])


def _tiling(total: Fact, facts: list[Fact]) -> list[Fact] | None:
    inside = sorted({f.period: f for f in facts if f.period != total.period
                     and total.period[0] <= f.period[0] and f.period[1] <= total.period[1]}.values(),
                    key=lambda f: f.period)
    if len(inside) < 2 or inside[0].period[0] != total.period[0] or inside[-1].period[1] != total.period[1]:
        return None
    for a, b in zip(inside, inside[1:]):
        if (b.period[0] - a.period[1]).days != 1:
            return None
    return inside


def _sum_finding(parts: list[Fact], total: Fact, lang: str, also: list[Fact] = ()) -> Finding:
    summed = add([p.interval for p in parts])
    ok = intersects(summed, total.interval)
    mid = sum(p.value for p in parts)
    text = sentence("sum_ok" if ok else "sum_bad", lang, parts=amount(mid, total.unit), total=shown(total))
    totals = [(t, "total") for t in [total, *also][:6]]
    return finding("sum", "info" if ok else "error", [(p, "part") for p in parts] + totals,
                   text, {"parts": mid, "total": total.value}, lang)


def check_parts_within_totals(groups: dict, index: FactIndex, texts: dict[str, str], lang: str) -> Iterator[Finding]:
    """A part larger than its whole (a region above the global total, SPY above all US ETFs),
    explained when other parts moved the other way, an error when they all moved the same way."""
    by_period: dict[tuple, list[Fact]] = defaultdict(list)
    for (subject, metric, region, unit, period), group in groups.items():
        if metric in ADDITIVE:
            by_period[(metric, unit, period)].extend(group)
    for block in by_period.values():
        figures = list(distinct(block).values())
        by_subject: dict[str, list[int]] = defaultdict(list)   # subject → positions in figures
        for at, same in enumerate(figures):
            by_subject[same[0].subject].append(at)
        for wholes in figures:
            whole = wholes[0]
            if whole.approx in ("over", "under"):
                continue
            inside = {whole.subject, *index.subjects_within.get(whole.subject, ())}
            for at in sorted(at for subject in inside for at in by_subject.get(subject, ())):
                parts = figures[at]
                part = parts[0]
                if is_part(part, whole) and part.sign and part.sign == whole.sign \
                        and min(map(abs, part.interval)) > max(map(abs, whole.interval)):
                    yield _part_exceeds(parts, wholes, index, texts, lang)


def _part_exceeds(parts: list[Fact], wholes: list[Fact], index: FactIndex, texts: dict[str, str],
                  lang: str) -> Finding:
    part, whole = parts[0], wholes[0]
    excess = min(map(abs, part.interval)) - max(map(abs, whole.interval))
    offsets, same_way, offset_values = opposite_in_document(part, whole, index), [], {}
    for s in offsets:
        offset_values[(s.subject, s.region, s.value)] = s.value
    for s in siblings(part, whole, index):
        if s.sign and s.sign != part.sign:
            offsets.append(s)
            offset_values[(s.subject, s.region, s.value)] = s.value
            if sum(map(abs, offset_values.values())) >= excess:
                break  # enough moved the other way to explain the excess
        elif s.sign == part.sign:
            same_way.append(s)
    cue = any(OFFSET_CUES.search(texts.get(doc, "")) for doc in {part.doc, whole.doc})
    names = dict(part=shown(part), total=shown(whole), part_name=_scope(part, lang), whole_name=_scope(whole, lang))
    offset_total = sum(abs(v) for v in offset_values.values())
    numbers = {"part": part.value, "total": whole.value, "excess": part.value - whole.value, "offsets": offset_total}
    claims = [(p, "part") for p in parts[:6]] + [(w, "total") for w in wholes[:6]]
    if cue or offset_total >= excess:
        offset = ", ".join(shown(s) for s in offsets[:4]) or ("stated in the text" if lang == "en" else "见原文")
        return finding("subset_exceeds_total", "info", claims + [(s, "offset") for s in offsets[:6]],
                       sentence("subset_explained", lang, offset=offset, **names), numbers, lang)
    if same_way or offsets:
        return finding("subset_exceeds_total", "error",
                       claims + [(s, "part") for s in same_way[:6]] + [(s, "offset") for s in offsets[:6]],
                       sentence("subset_error", lang, **names), numbers, lang)
    return finding("subset_exceeds_total", "warning", claims, sentence("subset_warning", lang, **names), numbers, lang)


def _scope(f: Fact, lang: str) -> str:
    from ..display import subject_label

    return subject_label(f.subject, "zh" if lang == "zh" else "en") + (f" ({f.region})" if f.region else "")
