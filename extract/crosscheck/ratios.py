"""Checks that divide: a stated share against its parts and total, an amount divided by a
number of coins against a stated price, and a sub-period against the period that contains it."""
from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterator

from schemas import Finding

from .checks import ADDITIVE, finding
from .explain import amount, describe, percent, sentence, shown
from .facts import Fact, add, divide, intersects
from .relations import flow_ancestors

RESTATEMENT = ("价值", "价值约", "约合", "合计约", "worth", "valued at", "or about")
PRICE_WINDOW_DAYS = 14
MAX_OTHER_SOURCES = 5  # a share is also checked against this many other sources' distinct figures
SHARE_WINDOW = 400     # parts and total of a share are stated within this many characters before it
BASE_OF_ASSETS = re.compile(r"资产|資產|市值|持仓|持倉|assets|AUM|holdings|market (?:value|cap)", re.I)
IMPLAUSIBLE = 3.0      # an implied price 3× off the stated one is a unit or scale error
CONTAINED_LIMIT = 1.5  # a sub-period 1.5× its containing period cannot be explained by the rest


def check_shares(facts: list[Fact], lang: str) -> Iterator[Finding]:
    """A stated share (占 63%, 接近九成, 97 percent) against parts and a total stated before it:
    in its own document, and in every other document that gives the same parts and total."""
    by_doc: dict[str, list[Fact]] = defaultdict(list)
    by_doc_period: dict[tuple, list[Fact]] = defaultdict(list)
    docs_stating: dict[tuple, set[str]] = defaultdict(set)   # (subject, period) → documents
    for f in facts:
        by_doc[f.doc].append(f)
        by_doc_period[(f.doc, f.period)].append(f)
        docs_stating[(f.subject, f.period)].add(f.doc)
    for share in facts:
        if share.metric != "share" or share.unit != "%" or not share.subject:
            continue
        if BASE_OF_ASSETS.search(_base(share)):
            continue  # a share of assets, holdings or market value: its base is not a flow stated here
        names = share.subject.split("+")
        earlier = [f for f in by_doc[share.doc] if share.start - SHARE_WINDOW <= f.start < share.start]
        parts = _parts(names, share, earlier)
        if parts is None:
            continue
        total = _total(parts, share, earlier)
        if total is None:
            continue
        yield _share_finding(share, parts, total, lang)
        period = parts[0].period
        candidates = set.intersection(*(docs_stating[(name, period)] for name in names)) - {share.doc}
        seen: set[tuple] = set()
        for doc in sorted(candidates):
            others = by_doc_period[(doc, period)]
            alt_parts = _parts(names, parts[0], others)
            alt_total = _total(alt_parts, share, others) if alt_parts else None
            figures = (tuple(p.value for p in alt_parts or ()), alt_total.value if alt_total else None)
            if not alt_total or figures in seen:
                continue  # another document stating the same figures adds nothing
            seen.add(figures)
            yield _share_finding(share, alt_parts, alt_total, lang)
            if len(seen) >= MAX_OTHER_SOURCES:
                break


def _base(share: Fact) -> str:
    """Where a share names its base: between 占 and the figure in Chinese ("占总资产的 4%"),
    after the figure in English ("4 percent of total ETH ETP assets")."""
    at = share.sentence.find(share.text)
    if at < 0:
        return ""
    head = share.sentence[max(0, at - 30):at]
    verb = max(head.rfind("占"), head.rfind("佔"))
    if verb >= 0:
        return head[verb:]
    tail = share.sentence[at + len(share.text):at + len(share.text) + 40]
    return tail if tail.lstrip().lower().startswith("of") else ""


def _parts(names: list[str], like: Fact, pool: list[Fact]) -> list[Fact] | None:
    """The last fact of each named subject in the pool, all of one metric, unit and period."""
    out = []
    for name in names:
        same = [f for f in pool if f.subject == name and f.metric in ADDITIVE and f.region == like.region
                and (not out or (f.metric, f.unit, f.period) == (out[0].metric, out[0].unit, out[0].period))]
        if not same:
            return None
        out.append(same[-1])
    return out


def _total(parts: list[Fact], share: Fact, pool: list[Fact]) -> Fact | None:
    """The nearest earlier figure of a whole that contains every part (same metric, unit, period)."""
    first = parts[0]
    for f in reversed(pool):
        if f in parts or f.metric != first.metric or f.unit != first.unit or f.period != first.period:
            continue
        if f.region == first.region and f.subject and all(
                f.subject in flow_ancestors(p.subject) or f.subject == p.subject and p.region and not f.region
                for p in parts):
            return f
        if f.sentence == share.sentence and f.subject and "+" not in f.subject and f.subject not in \
                {p.subject for p in parts} and first.metric == "count":
            return f
    return None


def _share_finding(share: Fact, parts: list[Fact], total: Fact, lang: str) -> Finding:
    summed = add([p.interval for p in parts])
    ratio = divide(summed, total.interval)
    computed = 100 * sum(p.value for p in parts) / total.value
    ok = ratio is None or intersects((100 * ratio[0], 100 * ratio[1]), share.interval)
    text = sentence("share_ok" if ok else "share_bad", lang, computed=percent(computed), stated=shown(share),
                    parts=amount(sum(p.value for p in parts), total.unit), total=shown(total))
    claims = [(share, "share")] + [(p, "part") for p in parts] + [(total, "total")]
    return finding("share", "info" if ok else "error", claims, text,
                   {"stated": share.value, "computed": computed}, lang)


def check_implied_prices(facts: list[Fact], lang: str) -> Iterator[Finding]:
    """8,181 BTC "worth" $842M implies a price per coin; compare it with a stated price nearby in time."""
    prices: dict[str, list[Fact]] = defaultdict(list)
    for f in facts:
        if f.metric == "price" and f.unit == "USD" and f.period:
            prices[f.subject].append(f)
    for bucket in prices.values():
        bucket.sort(key=lambda f: f.period[1])
    ends = {subject: [f.period[1] for f in bucket] for subject, bucket in prices.items()}
    for i, coins in enumerate(facts[:-1]):
        money = facts[i + 1]
        if coins.unit in ("USD", "%", "points", "x", "count", "") or money.unit != "USD" or money.doc != coins.doc:
            continue
        if money.sentence != coins.sentence or not any(w in money.sentence for w in RESTATEMENT):
            continue
        asset = coins.unit.lower()
        when = coins.period[1] if coins.period else None
        price = _nearest_price(prices.get(asset, []), ends.get(asset, []), when)
        if price is None or not coins.value:
            continue
        implied = abs(money.value / coins.value)
        ratio = max(implied, abs(price.value)) / min(implied, abs(price.value))
        bad = ratio >= IMPLAUSIBLE
        text = sentence("implied_price_bad" if bad else "implied_price_ok", lang, amount=shown(money),
                        units=amount(abs(coins.value), coins.unit), implied=amount(implied, "USD"),
                        price=shown(price), ratio=f"{ratio:.1f}")
        yield finding("implied_price", "warning" if bad else "info",
                      [(money, "amount"), (coins, "units"), (price, "price")], text,
                      {"implied": implied, "price": price.value, "ratio": ratio}, lang)


def _nearest_price(bucket: list[Fact], ends: list, when) -> Fact | None:
    """The first stated price (bucket sorted by period end) closest in time to ``when``, within
    the window; the earlier one on a tie; the first one when the date is unknown."""
    if not bucket or when is None:
        return bucket[0] if bucket else None
    window = dt.timedelta(days=PRICE_WINDOW_DAYS)
    after = bisect_left(ends, when)
    candidates = []
    if after > 0 and when - ends[after - 1] <= window:
        candidates.append(bisect_left(ends, ends[after - 1]))  # first price of that day
    if after < len(ends) and ends[after] - when <= window:
        candidates.append(after)
    if not candidates:
        return None
    return bucket[min(candidates, key=lambda at: abs(ends[at] - when))]


def check_containment(groups_by_key: dict[tuple, list[Fact]], lang: str) -> Iterator[Finding]:
    """A week larger than the month that contains it (same subject, metric, region and sign)."""
    for facts in groups_by_key.values():
        if facts[0].metric not in ADDITIVE:
            continue
        periods: dict[tuple, list[Fact]] = defaultdict(list)
        for f in facts:
            periods[f.period].append(f)
        for sub_period, subs in periods.items():
            for period, wholes in periods.items():
                if period == sub_period or not (period[0] <= sub_period[0] and sub_period[1] <= period[1]):
                    continue
                wholes = [w for w in wholes if w.approx not in ("over", "under")]
                subs_closed = [f for f in subs if f.approx != "over"]
                if not wholes or not subs_closed:
                    continue
                sub, whole = subs_closed[0], wholes[0]
                if not sub.sign or sub.sign != whole.sign:
                    continue
                if min(map(abs, sub.interval)) <= max(map(abs, whole.interval)):
                    continue
                bad = abs(sub.value) > CONTAINED_LIMIT * abs(whole.value)
                text = sentence("containment_bad" if bad else "containment_ok", lang, fact=describe(whole, lang),
                                sub=shown(sub), whole=shown(whole), sub_period=f"{sub_period[0]}..{sub_period[1]}",
                                period=f"{period[0]}..{period[1]}")
                yield finding("containment", "warning" if bad else "info", [(sub, "part"), (whole, "whole")],
                              text, {"part": sub.value, "whole": whole.value}, lang)
