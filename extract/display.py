"""Display form of a figure for every report: "−$537M", "≈ $1.73B", "63%", "25 bp", "8,181 BTC"."""
from __future__ import annotations

CURRENCY_SIGNS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "¥", "HKD": "HK$", "TWD": "NT$"}
APPROX_SIGNS = {"exact": "", "about": "≈ ", "over": "> ", "under": "< ", "nearly": "≲ "}
SCALES = [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")]
MINUS = "\u2212"


def format_number(x: float) -> str:
    """``1730000000`` → ``1.73B``, ``96600000`` → ``96.6M``, ``8181`` → ``8,181``."""
    ax = abs(x)
    for size, letter in SCALES[:-1]:
        if ax >= size:
            return f"{_trim(ax / size)}{letter}"
    if ax >= 10000:
        return f"{ax:,.0f}"
    return f"{ax:,.4f}".rstrip("0").rstrip(".") if ax != int(ax) else f"{int(ax):,}"


def _trim(x: float) -> str:
    return f"{x:.3f}".rstrip("0").rstrip(".")


def format_value(value: float, unit: str | None, signed: bool = False) -> str:
    """One amount with its unit; ``signed`` writes + for positive values (flows, changes)."""
    sign = MINUS if value < 0 else ("+" if signed and value > 0 else "")
    number = format_number(value)
    if unit in CURRENCY_SIGNS:
        return f"{sign}{CURRENCY_SIGNS[unit]}{number}"
    if unit == "%":
        return f"{sign}{number}%"
    if unit in (None, "points"):
        return f"{sign}{number}" + (" pts" if unit == "points" else "")
    if unit == "x":
        return f"{sign}{number}×"
    if unit == "count":
        return f"{sign}{number}"
    return f"{sign}{number} {unit}"


def format_quantity(value: float, unit: str | None, approx: str = "exact", low: float | None = None,
                    high: float | None = None, signed: bool = False) -> str:
    """``≈ $1.73B``, ``3.5–3.75%``, ``−$537M``: qualifier, sign, currency and scale in one string."""
    if low is not None and high is not None:
        lo = format_value(low, unit, signed)
        hi = format_value(high, unit, signed)
        if unit == "%":
            lo = lo[:-1]
        body = f"{lo}–{hi}"
    else:
        body = format_value(value, unit, signed)
    return APPROX_SIGNS.get(approx, "") + body
