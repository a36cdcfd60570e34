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


METRIC_LABELS = {
    "en": {"fund_flow": "", "price": "price", "price_target": "target", "price_change": "", "aum": "AUM",
           "aum_change": "AUM", "market_cap": "market cap", "market_cap_change": "market cap",
           "holding": "holds", "share": "share", "probability": "probability", "rate": "rate",
           "rate_change": "rate", "index_level": "", "liquidation": "liquidations",
           "reserves_change": "reserves", "purchase": "buys", "count": "", "elasticity": "per rule",
           "other": ""},
    "zh": {"fund_flow": "资金流", "price": "价格", "price_target": "目标价", "price_change": "涨跌",
           "aum": "资产规模", "aum_change": "资产规模变化", "market_cap": "市值", "market_cap_change": "市值变化",
           "holding": "持有", "share": "占比", "probability": "概率", "rate": "利率", "rate_change": "利率变化",
           "index_level": "", "liquidation": "清算", "reserves_change": "储备变化", "purchase": "购买",
           "count": "", "elasticity": "弹性", "other": ""},
}
SIGNED_METRICS = {"fund_flow", "price_change", "market_cap_change", "aum_change", "rate_change",
                  "reserves_change", "elasticity"}


def subject_label(subject: str | None, lang: str = "en") -> str:
    """Short display name of a subject (``btc+eth`` → ``BTC+ETH``); unknown ids as they are."""
    if not subject:
        return ""
    from .catalog import load_catalog

    catalog = load_catalog()
    parts = []
    for part in subject.split("+"):
        entity = catalog.get(part)
        parts.append(entity.label(lang) if entity is not None else part)
    return "+".join(parts)


def display_claim(claim, lang: str = "en") -> str:
    """"Solana +$17.1M", "IBIT −$537M", "BTC price ≈ $90,000", "Fed rate 3.5–3.75%"."""
    key = "zh" if lang.startswith("zh") else "en"
    label = METRIC_LABELS[key].get(claim.metric or "other", "")
    amount = format_quantity(claim.value, claim.unit, claim.approx, claim.low, claim.high,
                             signed=claim.metric in SIGNED_METRICS)
    words = [subject_label(claim.subject, key), label, amount]
    if claim.region and key == "en":
        words.insert(1, f"({claim.region})")
    return " ".join(w for w in words if w)
