"""HTML for the Datasette pages: the claim marked in its sentence, and inline SVG charts.

Everything here is a pure function of plain values; the Datasette hooks live in
``plugins/claims_browse.py``. Source text is untrusted: every string that reaches the page goes
through ``markupsafe.escape`` first, and only our own tags are added around it.

>>> str(highlight("净流出约 17.3 亿美元,<b>", "17.3 亿美元"))
'净流出约 <mark>17.3 亿美元</mark>,&lt;b&gt;'
"""
from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Iterable, Mapping, Sequence

from markupsafe import Markup, escape

from ..display import format_quantity, format_value

PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
           "#9c755f", "#79706e", "#a0cbe8", "#ffbe7d", "#ff9d9a", "#86bcb6", "#8cd17d", "#f1ce63",
           "#d4a6c8", "#fabfd2", "#d7b5a6", "#bab0ac")
FONT = "font-family:system-ui,sans-serif;font-size:12px"


# --- the claim inside its sentence ------------------------------------------------------------

def locate(sentence: str | None, figure: str | None, doc_text: str | None = None,
           start: int | None = None, end: int | None = None) -> tuple[int, int] | None:
    """Where ``figure`` sits in ``sentence``, as ``(a, b)`` offsets, or None.

    With the document text and the claim's ``[start, end)`` offsets into it, the occurrence of the
    sentence that contains the claim decides (a figure can occur twice in one sentence); without
    them, the first occurrence of the figure is taken.

    >>> locate("17.3 亿美元 and again 17.3 亿美元", "17.3 亿美元", "x 17.3 亿美元 and again 17.3 亿美元", 20, 29)
    (18, 27)
    >>> locate("no figure here", "5%") is None
    True
    """
    if not sentence or not figure:
        return None
    if doc_text and start is not None and end is not None and 0 <= start < end <= len(doc_text):
        i = doc_text.find(sentence)
        while i != -1:
            if i <= start and end <= i + len(sentence):
                return start - i, end - i
            i = doc_text.find(sentence, i + 1)
    i = sentence.find(figure)
    return (i, i + len(figure)) if i != -1 else None


def highlight(sentence: str | None, figure: str | None, span: tuple[int, int] | None = None) -> Markup:
    """The escaped ``sentence`` with the claim (``span``, else the first ``figure``) in ``<mark>``."""
    sentence = sentence or ""
    span = span if span is not None else locate(sentence, figure)
    if span is None:
        return escape(sentence)
    a, b = span
    return escape(sentence[:a]) + Markup("<mark>") + escape(sentence[a:b]) + Markup("</mark>") + escape(sentence[b:])


def money_cell(value: float | int | None, unit: str = "USD") -> Markup | None:
    """A number shown as ``−$1.73B`` with the exact value as its tooltip (None for non-numbers)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return None
    return Markup('<span title="{}">{}</span>').format(repr(value), format_value(value, unit, signed=True))


# --- charts ------------------------------------------------------------------------------------

def _ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering [lo, hi]."""
    span = hi - lo
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.ceil(lo / step) * step
    ticks, t = [], first
    while t <= hi + step * 1e-9:
        ticks.append(0.0 if abs(t) < step * 1e-9 else t)
        t += step
    return ticks


def _domain(values: Iterable[float]) -> tuple[float, float]:
    """Value range including 0, a little wider than the data."""
    values = list(values)
    lo, hi = min([0.0, *values]), max([0.0, *values])
    if lo == hi:
        return -1.0, 1.0
    pad = (hi - lo) * 0.05
    return (lo - pad if lo < 0 else lo), (hi + pad if hi > 0 else hi)


def _scale(d0: float, d1: float, r0: float, r1: float):
    return lambda v: r0 + (v - d0) * (r1 - r0) / (d1 - d0)


def _number(v: object) -> float | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        return None
    return float(v)


def _date(v: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(v)[:10])
    except ValueError:
        return None


def _width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def _short(text: object, width: int) -> str:
    """``text`` on one line, cut with … to ``width`` columns (a Chinese character takes two)."""
    text = " ".join(str(text if text is not None else "").split())
    if sum(map(_width, text)) <= width:
        return text
    out, used = [], 1
    for ch in text:
        used += _width(ch)
        if used > width:
            break
        out.append(ch)
    return "".join(out) + "…"


def _first(row: Mapping, spec: str) -> object:
    """The first non-empty of the columns ``a|b|c`` in ``row``."""
    for column in spec.split("|"):
        if row.get(column) not in (None, ""):
            return row.get(column)
    return None


def _svg(width: int, height: int, title: str, body: list[str], css_class: str) -> Markup:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="claims-chart {css_class}" role="img" '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" style="{FONT};max-width:100%">'
            f"<title>{escape(title)}</title>")
    return Markup(f'<figure class="claims-chart">{head}{"".join(body)}</svg></figure>')


def _text(x: float, y: float, text: object, anchor: str = "start", extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>{escape(str(text))}</text>'


def timeseries_svg(rows: Sequence[Mapping], *, x: str, y: str, series: str, low: str | None = None,
                   high: str | None = None, unit: str = "USD", title: str = "") -> Markup:
    """A line per ``series`` over dates in column ``x``, values in ``y``; ``low``–``high`` as whiskers.

    Rows without a date or a number are left out; an empty chart says so.
    """
    points: dict[str, list[tuple[dt.date, float, float | None, float | None]]] = {}
    for row in rows:
        when, value = _date(row.get(x)), _number(row.get(y))
        if when is None or value is None:
            continue
        lo = _number(row.get(low)) if low else None
        hi = _number(row.get(high)) if high else None
        points.setdefault(str(row.get(series)), []).append((when, value, lo, hi))
    if not points:
        return Markup('<p class="claims-chart-empty">Nothing to chart.</p>')
    names = sorted(points, key=str.casefold)
    width, left, legend_w, top, bottom = 780, 76, 210, 34, 44
    height = max(320, top + bottom + 18 * len(names))
    plot_right = width - legend_w
    dates = sorted({p[0] for pts in points.values() for p in pts})
    d0, d1 = dates[0], dates[-1]
    if d0 == d1:
        d0, d1 = d0 - dt.timedelta(days=3), d1 + dt.timedelta(days=3)
    xs = _scale(d0.toordinal(), d1.toordinal(), left + 16, plot_right - 16)
    values = [v for pts in points.values() for p in pts for v in p[1:] if v is not None]
    v0, v1 = _domain(values)
    ys = _scale(v0, v1, height - bottom, top)
    body = [_text(left, 20, title, extra=' font-weight="bold" font-size="14"')]
    for t in _ticks(v0, v1):
        yy = ys(t)
        body.append(f'<line x1="{left}" x2="{plot_right}" y1="{yy:.1f}" y2="{yy:.1f}" '
                    f'stroke="{"#555" if t == 0 else "#ddd"}"/>')
        body.append(_text(left - 6, yy + 4, format_value(t, unit, signed=True), "end"))
    step = max(1, math.ceil(len(dates) / 7))
    for when in dates[::step]:
        xx = xs(when.toordinal())
        body.append(f'<line x1="{xx:.1f}" x2="{xx:.1f}" y1="{top}" y2="{height - bottom}" stroke="#f0f0f0"/>')
        body.append(_text(xx, height - bottom + 16, when.isoformat(), "middle"))
    for i, name in enumerate(names):
        color = PALETTE[i % len(PALETTE)]
        pts = sorted(points[name])
        if len(pts) > 1:
            path = " ".join(f"{xs(p[0].toordinal()):.1f},{ys(p[1]):.1f}" for p in pts)
            body.append(f'<polyline class="series" fill="none" stroke="{color}" stroke-width="2" points="{path}"/>')
        for when, value, lo, hi in pts:
            xx, yy = xs(when.toordinal()), ys(value)
            if lo is not None and hi is not None and lo != hi:
                body.append(f'<line x1="{xx:.1f}" x2="{xx:.1f}" y1="{ys(lo):.1f}" y2="{ys(hi):.1f}" '
                            f'stroke="{color}" stroke-width="1.5" opacity="0.6"/>')
            tip = f"{name}, week of {when.isoformat()}: {format_value(value, unit, signed=True)}"
            if lo is not None and hi is not None and lo != hi:
                tip += f" (figures range {format_value(lo, unit, signed=True)} to {format_value(hi, unit, signed=True)})"
            body.append(f'<circle class="point" cx="{xx:.1f}" cy="{yy:.1f}" r="4.5" fill="{color}">'
                        f"<title>{escape(tip)}</title></circle>")
        ly = top + 12 + 18 * i
        body.append(f'<rect x="{plot_right + 14}" y="{ly - 9}" width="10" height="10" fill="{color}"/>')
        body.append(_text(plot_right + 30, ly, _short(name, 26), extra=' class="legend"'))
    return _svg(width, height, title or "chart", body, "timeseries")


def figures_svg(rows: Sequence[Mapping], *, value: str, label: Sequence[str], group: str | None = None,
                low: str | None = None, high: str | None = None, unit_column: str | None = "unit",
                panel: Sequence[str] = ("metric", "unit"), title: str = "") -> Markup:
    """Competing figures for one fact: a bar per row (``label`` columns joined by " · ", where
    ``a|b`` means a, or b when a is empty), one panel
    per ``panel`` value (figures in different units are never drawn on one axis), bars coloured
    by ``group`` (the period), ``low``–``high`` as whiskers; amounts are written in the unit of
    column ``unit_column``."""
    panels: dict[tuple, list[Mapping]] = {}
    for row in rows:
        if _number(row.get(value)) is not None:
            panels.setdefault(tuple(row.get(c) for c in panel), []).append(row)
    if not panels:
        return Markup('<p class="claims-chart-empty">Nothing to chart.</p>')
    groups = list(dict.fromkeys(_group(row, group) for rs in panels.values() for row in rs)) if group else []
    colors = {g: PALETTE[i % len(PALETTE)] for i, g in enumerate(groups)}
    width, label_w, right, bar_h, row_h = 780, 250, 110, 16, 24
    x_left, x_right = label_w + 10, width - right
    body = [_text(8, 20, title, extra=' font-weight="bold" font-size="14"')]
    y = 34
    for key, panel_rows in panels.items():
        panel_unit = panel_rows[0].get(unit_column) if unit_column else None
        body.append(_text(8, y + 14, " · ".join(str(k) for k in key if k not in (None, "")),
                          extra=' font-weight="bold"'))
        y += 24
        numbers = []
        for row in panel_rows:
            numbers += [v for v in (_number(row.get(value)), _number(row.get(low)) if low else None,
                                    _number(row.get(high)) if high else None) if v is not None]
        v0, v1 = _domain(numbers)
        signed = v0 < 0  # "+" only where some figures are negative (flows, changes; not prices)
        xs = _scale(v0, v1, x_left, x_right)
        zero = xs(0.0)
        body.append(f'<line x1="{zero:.1f}" x2="{zero:.1f}" y1="{y - 4}" y2="{y + row_h * len(panel_rows)}" stroke="#555"/>')
        for row in panel_rows:
            v = _number(row.get(value))
            color = colors.get(_group(row, group), PALETTE[0]) if group else PALETTE[0]
            name = " · ".join(str(_first(row, c)) for c in label if _first(row, c) is not None)
            shown = format_value(v, panel_unit, signed=signed)
            x0, x1 = sorted((zero, xs(v)))
            tip = f"{name}: {shown}" + (f" ({_group(row, group)})" if group else "")
            body.append(_text(label_w, y + 12, _short(name, 34), "end"))
            body.append(f'<rect class="figure" x="{x0:.1f}" y="{y}" width="{max(x1 - x0, 1):.1f}" height="{bar_h}" '
                        f'fill="{color}"><title>{escape(tip)}</title></rect>')
            lo = _number(row.get(low)) if low else None
            hi = _number(row.get(high)) if high else None
            if lo is not None and hi is not None:
                mid = y + bar_h / 2
                body.append(f'<line x1="{xs(lo):.1f}" x2="{xs(hi):.1f}" y1="{mid:.1f}" y2="{mid:.1f}" stroke="#222"/>')
            tx, anchor = (x1 + 4, "start") if v >= 0 else (x0 - 4, "end")
            if v < 0 and x0 - 4 < x_left + 40:
                tx, anchor = x1 + 4, "start"
            body.append(_text(tx, y + 12, shown, anchor))
            y += row_h
        y += 14
    if groups:
        body.append(_text(8, y + 6, "Period:", extra=' font-weight="bold"'))
        x = 64
        for g in groups:
            body.append(f'<rect x="{x}" y="{y - 3}" width="10" height="10" fill="{colors[g]}"/>')
            body.append(_text(x + 14, y + 6, g, extra=' class="legend"'))
            x += 24 + 7 * len(g)
            if x > width - 160:
                x, y = 64, y + 18
        y += 18
    return _svg(width, y + 10, title or "chart", body, "figures")


def _group(row: Mapping, column: str) -> str:
    value = row.get(column)
    return "not stated" if value in (None, "") else str(value)


CHARTS = {"timeseries": timeseries_svg, "figures": figures_svg}


def chart(config: Mapping, columns: Sequence[str], rows: Iterable[Sequence]) -> Markup:
    """The chart ``config`` (``type`` plus that function's keyword arguments, from metadata.yaml)
    drawn over query results given as ``columns`` and value rows."""
    options = dict(config)
    draw = CHARTS[options.pop("type")]
    dict_rows = [dict(zip(columns, row)) for row in rows]
    return draw(dict_rows, **options)


# --- a claim's page ------------------------------------------------------------------------------

def claim_card(claim: Mapping, findings: Sequence[Mapping], hrefs: Mapping[str, str | None]) -> Markup:
    """The claim in words above its row: display form, quote with the figure marked, what it is
    about, where it comes from, and the findings that involve it.

    ``claim`` is a claims row plus ``document_title``, ``published``, ``publisher``, ``language``,
    ``doc_text``, ``subject_name`` and ``source_name``; ``findings`` rows have ``severity``,
    ``kind``, ``role``, ``explanation`` and ``href``; ``hrefs`` links ``document``, ``subject``,
    ``source`` and ``figures`` (every figure for the same subject and metric).
    """
    def link(href: str | None, text: object) -> Markup:
        return Markup('<a href="{}">{}</a>').format(href, text) if href else escape(text)

    span = locate(claim.get("sentence"), claim.get("text"), claim.get("doc_text"), claim.get("start"),
                  claim.get("end"))
    quote = highlight(claim.get("sentence") or claim.get("text"), claim.get("text"), span)
    value = claim.get("value")
    amount = format_quantity(value, claim.get("unit"), claim.get("approx") or "exact", claim.get("low"),
                             claim.get("high")) if isinstance(value, (int, float)) else ""
    period = (f"{claim.get('period_start')} … {claim.get('period_end')}"
              if claim.get("period_start") else "not stated")
    document = Markup(" · ").join(
        [link(hrefs.get("document"), claim.get("document_title") or claim.get("document_id"))]
        + [escape(claim[k]) for k in ("publisher", "published", "language") if claim.get(k)])
    facts = [
        ("About", link(hrefs.get("subject"), claim.get("subject_name") or claim.get("subject_id"))
         if claim.get("subject_id") else "not recognised"),
        ("Metric", claim.get("metric") or "—"),
        ("Figure", Markup("{} <small>(value {} {}; as written: “{}”)</small>").format(
            amount, f"{value:,.12g}" if isinstance(value, (int, float)) else "—", claim.get("unit") or "",
            claim.get("text"))),
        ("Period", period),
        ("According to", link(hrefs.get("source"), claim.get("source_name") or claim.get("source_id"))
         if claim.get("source_id") else "no source cited"),
        ("Document", document),
    ]
    parts = [Markup('<section class="claim-card">'),
             Markup("<h2>{}</h2>").format(claim.get("display") or claim.get("text")),
             Markup('<blockquote class="claim-quote">{}</blockquote>').format(quote),
             Markup("<dl>")]
    for term, description in facts:
        parts.append(Markup("<dt>{}</dt><dd>{}</dd>").format(term, description))
    parts.append(Markup("</dl>"))
    if findings:
        parts.append(Markup("<h3>Findings involving this claim</h3><ul class=\"claim-findings\">"))
        for f in findings:
            parts.append(Markup('<li class="finding severity-{sev}"><strong>{sev}</strong> {kind} '
                                '(this claim: {role}): {text} <a href="{href}">details</a></li>').format(
                sev=f["severity"], kind=f["kind"], role=f["role"], text=f["explanation"], href=f["href"]))
        parts.append(Markup("</ul>"))
    else:
        parts.append(Markup('<p class="claim-findings-none">No findings involve this claim.</p>'))
    if hrefs.get("figures"):
        parts.append(Markup('<p><a href="{}">Every figure for {} ({}) across sources</a></p>').format(
            hrefs["figures"], claim.get("subject_name") or claim.get("subject_id"), claim.get("metric") or "any metric"))
    parts.append(Markup("</section>"))
    return Markup("").join(parts)
