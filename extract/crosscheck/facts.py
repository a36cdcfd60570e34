"""Claims as the cross-check sees them: signed intervals with their fact key.

Every figure is an interval, not a point: the precision it is written with gives the rounding
interval (17.3 亿 → [17.25, 17.35) 亿, 九成 → [85, 95) %), its qualifier widens or shifts it
(约 → wider, 近/nearly → just below, 超过/over → above, 不到/under → below), and a range is
taken as given. Two figures agree when their intervals intersect.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
import re
from decimal import Decimal

import sqlite_utils

ABOUT_SLACK = 0.03    # "about" adds 3 % of the value on each side
NEARLY_SLACK = 0.05   # "nearly" reaches 5 % below the value
INF = float("inf")
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


@dataclass
class Fact:
    """One stored claim with what the checks need."""

    id: str                      # store id, doc#cNN
    doc: str
    start: int
    end: int
    text: str
    sentence: str
    value: float
    low: float | None
    high: float | None
    unit: str
    approx: str
    subject: str | None
    metric: str | None
    region: str | None
    period: tuple[dt.date, dt.date] | None
    source: str | None
    in_title: bool = False
    interval: tuple[float, float] = field(default=(0.0, 0.0))

    @property
    def key(self) -> tuple:
        """What makes two figures the same fact, period aside."""
        return (self.subject, self.metric, self.region, self.unit)

    @property
    def sign(self) -> int:
        return (self.value > 0) - (self.value < 0)


def rounding(value: float, text: str = "") -> float:
    """Half the place value of the last digit written: "17.3 亿" → 5e6, "430 亿" → 5e8,
    "63%" → 0.5, "九成" → 5, "百亿" → 5e9. Integers under 100 count to the unit."""
    m = NUMBER.search(text)
    if m and float(m.group().replace(",", "")) != 0:
        digits = m.group().replace(",", "")
        scale = abs(value) / float(digits) if value else 1.0
        if "." in digits:
            place = 10.0 ** -len(digits.split(".")[1])
        else:
            n = int(digits)
            zeros = len(digits) - len(digits.rstrip("0")) if n >= 100 else 0
            place = 10.0 ** zeros
        return place * scale / 2
    if value == 0:
        return 0.5
    exponent = Decimal(repr(abs(value))).normalize().as_tuple().exponent
    return float(Decimal(10) ** exponent) / 2


def magnitude_interval(value: float, approx: str, text: str = "") -> tuple[float, float]:
    """The interval of ``|value|`` implied by its precision and qualifier."""
    v, h = abs(value), rounding(value, text)
    if approx == "about":
        return (max(0.0, v - h - ABOUT_SLACK * v), v + h + ABOUT_SLACK * v)
    if approx == "nearly":
        return (max(0.0, v - h - NEARLY_SLACK * v), v)
    if approx == "over":
        return (v, INF)
    if approx == "under":
        return (0.0, v)
    return (max(0.0, v - h), v + h)


def interval_of(value: float, approx: str, low: float | None = None, high: float | None = None,
                text: str = "") -> tuple[float, float]:
    """Signed interval of a figure; a range runs from its rounded low end to its rounded high end."""
    if low is not None and high is not None:
        h = rounding(low, text) if low else rounding(high, text)
        lo, hi = min(low, high) - h, max(low, high) + h
        if approx == "about":
            pad = ABOUT_SLACK * max(abs(lo), abs(hi))
            lo, hi = lo - pad, hi + pad
        return (lo, hi)
    lo, hi = magnitude_interval(value, approx, text)
    return (lo, hi) if value >= 0 else (-hi, -lo)


def intersects(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def add(intervals: list[tuple[float, float]]) -> tuple[float, float]:
    """Interval sum."""
    return (sum(i[0] for i in intervals), sum(i[1] for i in intervals))


def divide(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float] | None:
    """Interval quotient of two intervals of one sign (None when ``b`` spans zero)."""
    if b[0] <= 0 <= b[1]:
        return None
    candidates = [x / y for x in a for y in b if abs(y) != INF]
    return (min(candidates), max(candidates)) if candidates else None


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def title_end(text: str) -> int:
    """End of the document's first line when it reads like a title (short, no full stop)."""
    first = text.lstrip().split("\n", 1)[0]
    offset = len(text) - len(text.lstrip())
    if 0 < len(first) <= 120 and not first.rstrip().endswith(("。", ".", "!", "！")):
        return offset + len(first)
    return 0


def load_facts(db: sqlite_utils.Database) -> tuple[list[Fact], dict[str, str]]:
    """Every stored claim as a :class:`Fact`, and every document's text by id."""
    texts = {row["id"]: row["text"] for row in db["documents"].rows}
    titles = {doc: title_end(text) for doc, text in texts.items()}
    facts = []
    for row in db["claims"].rows_where(order_by="document_id, start"):
        period = None
        if row["period_start"] and row["period_end"]:
            period = (_date(row["period_start"]), _date(row["period_end"]))
        fact = Fact(
            id=row["id"], doc=row["document_id"], start=row["start"], end=row["end"], text=row["text"],
            sentence=row["sentence"] or "", value=row["value"], low=row["low"], high=row["high"],
            unit=row["unit"] or "", approx=row["approx"] or "exact", subject=row["subject_id"],
            metric=row["metric"], region=row["region"], period=period, source=row["source_id"],
            in_title=row["start"] < titles.get(row["document_id"], 0),
        )
        fact.interval = interval_of(fact.value, fact.approx, fact.low, fact.high, fact.text)
        facts.append(fact)
    return facts, texts
