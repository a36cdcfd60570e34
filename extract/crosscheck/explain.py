"""One-sentence explanations of findings, from the templates in ``data/explanations.yaml``."""
from __future__ import annotations

from ..display import METRIC_LABELS, format_quantity, subject_label
from ..tables import load_table
from .facts import Fact


def sentence(template: str, lang: str, **values) -> str:
    """Fill the named template in ``lang`` (en or zh)."""
    return load_table("explanations")[lang][template].format(**values)


def shown(f: Fact) -> str:
    """A fact's figure as displayed: "≈ −$1.8B", "≲ 90%"."""
    return format_quantity(f.value, f.unit, f.approx, f.low, f.high, signed=f.metric == "fund_flow")


def amount(value: float, unit: str) -> str:
    return format_quantity(value, unit, signed=False)


def describe(f: Fact, lang: str) -> str:
    """"IBIT fund flow (US), 2026-01-19..2026-01-25"."""
    key = "zh" if lang == "zh" else "en"
    label = METRIC_LABELS[key].get(f.metric or "other", "") or (f.metric or "")
    name = subject_label(f.subject, key) or "?"
    region = f" ({f.region})" if f.region else ""
    period = ""
    if f.period:
        period = f", {f.period[0]}" if f.period[0] == f.period[1] else f", {f.period[0]}..{f.period[1]}"
    return f"{name}{region} {label.replace('_', ' ')}{period}".strip()


def percent(x: float) -> str:
    return f"{x:.1f}%"
