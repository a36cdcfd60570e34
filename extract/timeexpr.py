"""The time expressions of a text: ``scan(norm, lang, P) -> (Expr, ...)``, left to right, with their roles.

Every date, month, quarter, year, weekday, span ("past three weeks") and time word of
``data/periods.yaml`` is resolved against the publication date P into a calendar range; a role word
next to it makes it a cut-off (截至 D), an origin (自 D, since D) or a comparison base (较 D).
``extract/periods.py`` decides which of them a figure's period comes from.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, replace
from functools import lru_cache

from dateutil.relativedelta import FR, MO, SA, SU, TH, TU, WE, relativedelta

from .regexkeys import keys_of
from .tables import alternation, load_table
from .wordindex import fold, matches_at

Period = tuple[dt.date, dt.date]
DAY = dt.timedelta(days=1)
WEEKDAYS = (MO, TU, WE, TH, FR, SA, SU)
T = load_table("periods")
JOIN = re.compile(r"\s*(?:和|与|及|、|至|到|-|–|—|~|and|to|through|until|&)\s*", re.I)
CLAUSE_CUT = re.compile(r"[,;:()!?。]")
# the only characters that IGNORECASE matches with an ASCII letter while lower() does not give it


@dataclass
class Expr:
    """A time expression found in the text (offsets into ``norm``)."""

    start: int
    end: int
    kind: str                     # date | week | span | present | vague | anaphora | per_month
    period: Period | None = None  # date and week kinds
    role: str = "plain"           # plain | origin | comparison | cutoff
    open: bool = False            # runs to P because it is the current week / month / quarter / year
    year_given: bool = True
    n: int = 0                    # span: N units
    unit: str = ""
    run: bool = False             # span ends at the other date of its sentence ("连续五周")


# --- calendar ---------------------------------------------------------------------------------

def report_week(p: dt.date) -> Period:
    """The latest completed trading week before P: Sat..Fri on a weekend, else Mon..Sun."""
    wd = p.weekday()
    end = p - dt.timedelta(days=wd - 4 if wd >= 5 else wd + 1)   # the Friday just past, else the Sunday before
    return end - 6 * DAY, end


def week_ending(d: dt.date) -> Period:
    """'The week ending D': a Monday D is a report date (D-7..D-1), else the 7 days up to D."""
    return report_week(d) if d.weekday() == 0 else (d - 6 * DAY, d)


def previous_trading_day(d: dt.date) -> dt.date:
    """The day before, a Monday's or a Sunday's being the Friday before."""
    return d - dt.timedelta(days={0: 3, 6: 2}.get(d.weekday(), 1))


def month_end(d: dt.date) -> dt.date:
    """The last day of the month of ``d``."""
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def _range(a: dt.date, b: dt.date, p: dt.date | None) -> Expr:
    """A date range; one that holds P runs only to P (open)."""
    return Expr(0, 0, "date", (a, p), open=True) if p and a <= p < b else Expr(0, 0, "date", (a, b))


def _num(s: str) -> int:
    s, dg = s.lower(), T["zh_digits"]
    if s.isdigit() or s in T["en_numbers"]:
        return int(T["en_numbers"].get(s, s))
    a, ten, b = s.partition("十")
    return (dg.get(a, 1) * 10 + dg.get(b, 0)) if ten else dg.get(s, 0)


def _month(y: int | None, m: int, part: str | None, p: dt.date | None, lang: str) -> Expr | None:
    if y is None and p is None:
        return None
    first = dt.date(y if y else p.year if m <= p.month else p.year - 1, m, 1)
    lo, hi = T["month_parts"][lang][part.lower()] if part else (1, 0)
    last = month_end(first)
    e = _range(first.replace(day=lo) if lo else last, first.replace(day=hi) if hi else last, p)
    e.year_given = bool(y)
    return e


def _year(y: int | None, part: str | None, p: dt.date | None, lang: str) -> Expr | None:
    key = (part or "").lower()
    lo, hi = T["year_parts"]["en" if lang == "en" or key[:1] in "qh" else "zh"][key] if key else (1, 12)
    if y is None:                 # a bare quarter or half: the latest one not after P
        if p is None:
            return None
        y = p.year if lo <= p.month else p.year - 1
    if lo == 0:
        return Expr(0, 0, "date", (dt.date(y, 12, 31),) * 2)
    return _range(dt.date(y, lo, 1), month_end(dt.date(y, hi, 1)), p)


def _day(y: int | None, m: int | None, d: int, p: dt.date | None) -> Expr | None:
    try:
        day = dt.date(y, m, d) if y else p.replace(day=d) if m is None else dt.date(p.year, m, d)
        if y is None and m and day > p + dt.timedelta(days=45):
            day = day.replace(year=p.year - 1)
    except (ValueError, AttributeError):
        return None
    return Expr(0, 0, "date", (day, day), year_given=bool(y))


def _word(meaning: str, p: dt.date | None) -> Expr | None:
    """The expression a fixed time word means (``words`` in the table), resolved against P."""
    if meaning in ("present", "vague", "anaphora", "per_month"):
        return Expr(0, 0, meaning)
    if p is None:
        return None
    y = p.year
    if meaning == "this_week":
        return Expr(0, 0, "date", (p - dt.timedelta(days=p.weekday()), p), open=True)
    if meaning == "this_month":
        return Expr(0, 0, "date", (p.replace(day=1), p), open=True)
    if meaning == "year_to_date":
        return Expr(0, 0, "date", (dt.date(y, 1, 1), p), open=True)
    q0 = dt.date(y, 3 * ((p.month - 1) // 3) + 1, 1)
    if meaning == "this_quarter":
        return Expr(0, 0, "date", (q0, p), open=True)
    if meaning == "report_week":
        return Expr(0, 0, "week", report_week(p))
    if meaning == "today":
        return Expr(0, 0, "date", (p, p))
    if meaning == "previous_day":
        return Expr(0, 0, "date", (previous_trading_day(p),) * 2)
    if meaning == "last_month":
        return Expr(0, 0, "date", (p + relativedelta(months=-1, day=1), p.replace(day=1) - DAY))
    if meaning == "last_quarter":
        return Expr(0, 0, "date", (q0 + relativedelta(months=-3), q0 - DAY))
    return Expr(0, 0, "date", {
        "last_year": (dt.date(y - 1, 1, 1), dt.date(y - 1, 12, 31)),
        "next_year": (dt.date(y + 1, 1, 1), dt.date(y + 1, 12, 31)), "year_end": (dt.date(y, 12, 31),) * 2,
    }[meaning])


# --- patterns ---------------------------------------------------------------------------------

def _starts(words) -> tuple[str, tuple[str, ...]]:
    """The need of a pattern whose every match starts with one of ``words`` (case-insensitively).
    A word that starts with another of them is left out: it starts only where that one does."""
    ws = {w.lower() for w in words}
    return "start", tuple(sorted(w for w in ws if not any(v != w and w.startswith(v) for v in ws)))


@lru_cache(maxsize=2)
def _patterns(lang: str) -> list[tuple[str, re.Pattern, tuple[str, tuple[str, ...]]]]:
    """(kind, regex, need) triples; ``_build`` turns a match into an Expr. A group ``x`` marks the expression.
    ``need`` says what every match starts with (declared with the pattern) or holds (read from the
    regex, ``_holds``), so that ``scan`` can skip the rest."""
    Y, sp = r"(?<!\d)(?P<y>(?:19|20)\d{2})", T["spans"]
    units = alternation(sp["units"][lang])
    pats = [("day", rf"{Y}[-/](?P<m>\d{{1,2}})[-/](?P<d>\d{{1,2}})(?!\d)", None)]
    if lang == "zh":
        zm = r"(?P<m>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
        num = r"(?<!\d)(?P<n>\d{1,3}|[一二两三四五六七八九十]+)(?!\d)"
        part = rf"(?:\s*(?P<part>{alternation(T['month_parts']['zh'])}))?"
        yparts = r"上半年|下半年|第?[一二三四]季度|[Qq][1-4]|H[12]"
        pats += [("day", rf"{Y}\s*年\s*(?P<m>\d{{1,2}})\s*月\s*(?P<d>\d{{1,2}})\s*[日号]", None),
                 ("relmonth", rf"(?P<r>今年|去年|明年)\s*{zm}\s*月份?{part}", _starts(["今年", "去年", "明年"])),
                 ("day", r"(?<![\d.])(?P<m>1[0-2]|0?[1-9])\s*月\s*(?P<d>[1-3]?\d)\s*[日号]", None),
                 ("month", rf"{Y}\s*年\s*{zm}\s*月份?{part}", None),
                 ("month", rf"(?<![\d.个第]){zm}\s*月份?{part}", None),
                 ("day", r"(?<![\d.月])(?P<d>[1-3]?\d)\s*日(?!均|线|内|之内|以内|移动)", None),
                 ("year", rf"{Y}\s*年?\s*(?P<part>{yparts})", None),
                 ("year", rf"(?P<part>{yparts})", _starts(["上半年", "下半年", "q1", "q2", "q3", "q4", "h1", "h2",
                                                            *(f"{a}{n}季度" for a in ("", "第") for n in "一二三四")])),
                 ("year", rf"{Y}\s*年(?:\s*(?P<part>底|末|初))?(?:全年)?", None),
                 ("weekday", r"(?P<pre>上|本|这)?(?:周|星期|礼拜)(?P<w>[一二三四五六日天])",
                  _starts(["上", "本", "这", "周", "星期", "礼拜"])),
                 ("run", rf"(?:{alternation(sp['run_before']['zh'])})\s*{num}\s*(?P<u>{units})", _starts(sp["run_before"]["zh"])),
                 ("past", rf"{num}\s*(?P<u>{units})\s*(?:{alternation(sp['after']['zh'])})", None)]
        b = ""
    else:
        mon, yr = rf"\b(?P<mon>{alternation(T['months_en'])})\b\.?", r"(?:,?\s+(?P<y>(?:19|20)\d{2})\b)?"
        num, b = rf"(?P<n>\d{{1,3}}|{alternation(T['en_numbers'])})", r"\b"
        quarters = [k for k in T["year_parts"]["en"] if "quarter" in k or "half" in k or k[0] in "qh"]
        pre = ["last", "this", "previous"]
        pats += [("month", rf"(?:\b(?P<part>{alternation(T['month_parts']['en'])})[\s-]*)?{mon}"
                           rf"(?:\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b)?{yr}", _starts([*T["month_parts"]["en"], *T["months_en"]])),
                 ("month", rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{mon}{yr}", None),
                 ("year", rf"\b(?P<part>{alternation(T['year_parts']['en'])})[\s-]+(?:of\s+)?(?P<y>(?:19|20)\d{{2}})\b", None),
                 ("year", r"\b(?P<y>(?:19|20)\d{2})\s*(?P<part>[qh][1-4])\b", None),
                 ("year", rf"\b(?P<part>{alternation(quarters)})\b", _starts(quarters)),
                 ("year", r"\b(?:in|during|for|since|of|by|from|through|until|throughout|to|and)\s+(?P<x>(?P<y>(?:19|20)\d{2}))\b"
                          r"(?![\d,.]*\s*(?:%|percent|million|billion))", None),
                 ("weekday", rf"\b(?:(?P<pre>{'|'.join(pre)})\s+)?(?P<w>{alternation(T['weekdays']['en'])})\b",
                  _starts([*pre, *T["weekdays"]["en"]])),
                 ("run", rf"\b{num}[\s-]+(?:straight\s+|consecutive\s+)?(?P<u>{units})\b", None)]
    pats.append(("past", rf"{b}(?:{alternation(sp['past_before'][lang])})\s*{num}\s*(?P<u>{units}){b}",
                 _starts(sp["past_before"][lang])))
    pats += [(meaning, rf"{b}{alternation(words[lang])}{b}", _starts(words[lang]))
             for meaning, words in T["words"].items() if words.get(lang)]
    return [(kind, compiled, need or _holds(compiled)) for kind, rx, need in pats
            for compiled in [re.compile(rx, re.I)]]


def _holds(rx: re.Pattern) -> tuple[str, tuple[str, ...]]:
    """The need of a pattern whose every match holds one of its key words (``regexkeys.keys_of``),
    or ("always", ()) when it has none."""
    keys = keys_of(rx)
    return ("in", tuple(sorted(keys))) if keys else ("always", ())


def occurrences(words: tuple[str, ...], folded: str) -> list[int]:
    """Every index of ``folded`` where one of ``words`` occurs, in order."""
    out = []
    for w in words:
        i = folded.find(w)
        while i >= 0:
            out.append(i)
            i = folded.find(w, i + 1)
    out.sort()
    return out


def matches(rx: re.Pattern, need: tuple[str, tuple[str, ...]], norm: str, folded: str):
    """``rx.finditer(norm)``, looking only where ``need`` (see ``_patterns``) allows a match."""
    where, words = need
    if where == "start":
        return matches_at(rx, norm, occurrences(words, folded))
    if where == "always" or any(w in folded for w in words):
        return rx.finditer(norm)
    return ()


@lru_cache(maxsize=2)
def _roles(lang: str) -> dict[str, re.Pattern]:
    """The role words of the table as regexes: ``*_before`` end at the expression, ``*_after`` start after it."""
    R = T["roles"]
    sup = alternation(R["superlative"][lang])
    return {"cutoff_before": _rx(R["cutoff_before"][lang], lang, True),
            "cutoff_after": _rx(R["cutoff_after"].get(lang), lang, False),
            "comparison_before": _rx(R["comparison_before"][lang], lang, True),
            "origin_before": _rx(R["origin_before"][lang], lang, True),
            "origin_after": _rx(R["origin_after"].get(lang), lang, False),
            "week_after": re.compile(rf"\s*(?:{alternation(R['week_ending']['zh_after'])})"),
            "week_before": re.compile(rf"\b(?:{alternation(R['week_ending']['en_before'])})\s+(?:on\s+)?$", re.I),
            "superlative_after": re.compile(rf"\s*的?(?:{sup})"),
            "record": re.compile(rf"(?:以来|起)\s*的?\s*(?:{sup})") if lang == "zh" else re.compile(rf"\b(?:{sup})\b", re.I),
            "not_before": re.compile(rf"\b(?:{alternation(T['spans']['not_before']['en'])})\s+$", re.I),
            "not_after": re.compile(rf"\s*(?:{alternation(T['spans']['not_after']['en'])})\b", re.I)}


def _rx(words, lang: str, before: bool) -> re.Pattern:
    body = alternation(words) if words else "(?!x)x"
    if lang == "en":
        return re.compile(rf"\b{body}\s+(?:the\s+|a\s+)?$" if before else rf"^\s*{body}\b", re.I)
    return re.compile(rf"{body}\s*的?\s*$" if before else rf"^\s*{body}")


# --- scanning ---------------------------------------------------------------------------------

def _build(kind: str, m: re.Match, p: dt.date | None, lang: str) -> Expr | None:
    """A new Expr (offsets still 0) for match ``m`` of a pattern of ``kind``, or None."""
    if kind in T["words"]:
        return _word(kind, p)
    g = m.groupdict()
    y = int(g["y"]) if g.get("y") else None
    if kind in ("day", "month", "relmonth"):
        mon = int(_num(g["m"])) if g.get("m") else T["months_en"][g["mon"].lower().rstrip(".")] if g.get("mon") else None
        if g.get("d"):
            return _day(y, mon, int(g["d"]), p) if (y or p) else None
        if kind == "relmonth":
            return p and _month(p.year + {"今年": 0, "去年": -1, "明年": 1}[g["r"]], mon, g.get("part"), p, lang)
        return None if g.get("mon", "").lower() == "may" and not y else _month(y, mon, g.get("part"), p, lang)
    if kind == "year":
        return _year(y, g.get("part"), p, lang)
    if kind == "weekday":
        if p is None:
            return None
        wd = T["weekdays"][lang][g["w"].lower()]
        back = (g["pre"] or "").lower() in ("上", "last", "previous")
        day = p + (relativedelta(weekday=MO(-1), weeks=-1) if back else relativedelta(weekday=WEEKDAYS[wd](-1)))
        day += dt.timedelta(days=wd) if back else dt.timedelta(0)
        return Expr(0, 0, "date", (day, day))
    if kind in ("past", "run"):
        n, unit = _num(g["n"]), T["spans"]["units"][lang][g["u"].lower()]
        if p is None or n <= 0 or (lang == "en" and kind == "run" and (
                _roles(lang)["not_before"].search(m.string[max(0, m.start() - 20):m.start()])
                or _roles(lang)["not_after"].match(m.string[m.end():m.end() + 16]))):
            return None
        return _word("report_week", p) if (n, unit) == (1, "week") else Expr(0, 0, "span", n=n, unit=unit, run=kind == "run")
    return _word(kind, p)


@lru_cache(maxsize=64)
def scan(norm: str, lang: str, p: dt.date | None) -> tuple[Expr, ...]:
    """Every time expression of the text, left to right, longest match first, with its role."""
    lang = "zh" if lang.startswith("zh") else "en"
    folded = fold(norm)
    found = []
    for kind, rx, need in _patterns(lang):
        for m in matches(rx, need, norm, folded):
            if (e := _build(kind, m, p, lang)) is not None:
                e.start, e.end = m.start("x") if m.groupdict().get("x") else m.start(), m.end()
                found.append(e)
    found.sort(key=lambda e: (e.start, e.start - e.end))
    kept: list[Expr] = []
    for e in found:
        if not kept or e.start >= kept[-1].end:
            kept.append(e)
    out: list[Expr] = []
    for e in (_with_role(norm, e, lang, p) for e in kept):
        a = out[-1] if out else None     # '11月和12月', 'from Nov 3 to Nov 16': one range
        if a and a.kind == e.kind == "date" and a.role in ("plain", "origin") and e.role in ("plain", "cutoff") and \
                JOIN.fullmatch(norm[a.end:e.start]):
            b = e.period
            if not e.year_given and a.year_given:
                shift = a.period[0].year - b[0].year + (b[0] < a.period[0].replace(year=b[0].year))
                b = tuple(x + relativedelta(years=shift) for x in b)
            out[-1] = replace(a, end=e.end, period=(a.period[0], b[1]), open=e.open, role="plain")
        else:
            out.append(e)
    return tuple(out)


def _with_role(norm: str, e: Expr, lang: str, p: dt.date | None) -> Expr:
    """Cut-off (截至 D, as of D; 截至 D 的一周 is a week), comparison base, origin or plain."""
    R = _roles(lang)
    before, after = norm[max(0, e.start - 14):e.start], norm[e.end:e.end + 10]
    if e.kind in ("date", "present") and (R["cutoff_before"].search(before) or R["cutoff_after"].match(after)):
        d = p if e.kind == "present" else e.period[1]
        if lang == "zh" and d and (m := R["week_after"].match(after)):
            return replace(e, kind="week", period=week_ending(d), end=e.end + m.end(), open=False)
        return replace(e, kind="date", period=(d, d), role="cutoff", open=False) if d else e
    if lang == "en" and e.kind == "date" and R["week_before"].search(before):
        return replace(e, kind="week", period=week_ending(e.period[1]))
    if R["comparison_before"].search(before) or (e.kind == "span" and R["superlative_after"].match(after)):   # 过去十年最…
        return replace(e, role="comparison")
    if R["origin_before"].search(before) or R["origin_after"].match(after):
        clause = CLAUSE_CUT.split(norm[max(0, e.start - 60):e.start])[-1]
        record = R["record"].search(after if lang == "zh" else clause)
        return replace(e, role="comparison" if record else "origin")
    return e
