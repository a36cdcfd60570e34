"""The dates a figure covers: ``resolve_period(ctx, metric) -> (start, end) | None``.

Contract
--------
* The result is the inclusive range the figure covers, resolved against ``ctx.doc_date`` (P), as
  ``shared/eval/GUIDE.md`` ("Periods") defines it; a moment is ``(d, d)``. ``None`` when the text
  gives the figure no time (a rule of thumb, a hypothetical, the start value of an undated change)
  or when P is unknown and nothing absolute is written.
* Time words are data (``data/periods.yaml``); Chinese is matched on ``ctx.norm`` (Simplified).
* Calendar: a bare month is the latest such month not after P; the current month, quarter or year
  runs to a stated cut-off (截至 D / as of D, in the sentence or the paragraph before) else to P;
  a weekly report's week is the latest completed trading week (P on a weekend: the Sat..Fri just
  closed; else Mon..Sun before P); "the week ending Monday D" is D-7..D-1; "past N weeks" ends at P
  (fund flows: N report weeks); the previous day is the previous trading day.

Scope rule (first hit wins)
---------------------------
1. A time written right before the figure ("11 月上旬的约 60%") or in the figure's own clause
   (Chinese puts the time first: one after the figure ranks below the repetition of step 3).
   A probability takes only a day ("12月降息概率" names the event's month, not the reading's).
2. Levels (price, rate, aum, ...): hypothetical → None; the start value of an undated change → None;
   present words in the sentence → (P, P); a date in an earlier clause; else (P, P).
3. Other figures: a time in an earlier clause of the sentence; a generic or hypothetical sentence →
   None; the same value and unit stated before in the body → that figure's period (a repeated figure
   is the same fact); a vague time ("几周后") → None; carry-over: the nearest date-like time in the
   earlier sentences of the paragraph, then of the earlier paragraphs of its section (a heading opens
   a section); a later clause; else the article's reference period (that of its first figure).
Titles and headings first take the period of the same figure's next occurrence.
Origins ("自10月", "since X") count only in the figure's sentence, before the figure (levels: only
attached to it); comparison bases ("较10月", "2022年以来最大") never count. Spans, origins and
present words are never carried over to another sentence.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from bisect import bisect_right
from dataclasses import dataclass, replace
from functools import lru_cache

from dateutil.relativedelta import FR, MO, SA, SU, TH, TU, WE, relativedelta

from .claimcontext import ClaimContext
from .tables import alternation, load_table

Period = tuple[dt.date, dt.date]
DAY = dt.timedelta(days=1)
WEEKDAYS = (MO, TU, WE, TH, FR, SA, SU)
T = load_table("periods")
LEVELS, CHANGES, FLOWS = (set(T[k]) for k in ("levels", "changes", "flows"))
MISSING = object()
EOM = relativedelta(day=31)  # date + EOM: the last day of its month


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
    end = p + relativedelta(weekday=FR(-1)) if p.weekday() >= 5 else p + relativedelta(days=-1, weekday=SU(-1))
    return end - 6 * DAY, end


def week_ending(d: dt.date) -> Period:
    """'The week ending D': a Monday D is a report date (D-7..D-1), else the 7 days up to D."""
    return report_week(d) if d.weekday() == 0 else (d - 6 * DAY, d)


def previous_trading_day(d: dt.date) -> dt.date:
    return d + relativedelta(days=-1, weekday=FR(-1)) if d.weekday() in (0, 6) else d - DAY


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
    last = first + EOM
    return replace(_range(first.replace(day=lo) if lo else last, first.replace(day=hi) if hi else last, p), year_given=bool(y))


def _year(y: int | None, part: str | None, p: dt.date | None, lang: str) -> Expr | None:
    key = (part or "").lower()
    lo, hi = T["year_parts"]["en" if lang == "en" or key[:1] in "qh" else "zh"][key] if key else (1, 12)
    if y is None:                 # a bare quarter or half: the latest one not after P
        if p is None:
            return None
        y = p.year if lo <= p.month else p.year - 1
    if lo == 0:
        return Expr(0, 0, "date", (dt.date(y, 12, 31),) * 2)
    return _range(dt.date(y, lo, 1), dt.date(y, hi, 1) + EOM, p)


def _day(y: int | None, m: int | None, d: int, p: dt.date | None) -> Expr | None:
    try:
        day = dt.date(y, m, d) if y else p.replace(day=d) if m is None else dt.date(p.year, m, d)
        if y is None and m and day > p + dt.timedelta(days=45):
            day = day.replace(year=p.year - 1)
    except (ValueError, AttributeError):
        return None
    return Expr(0, 0, "date", (day, day), year_given=bool(y))


def _word(meaning: str, p: dt.date | None) -> Expr | None:
    if meaning in ("present", "vague", "anaphora", "per_month"):
        return Expr(0, 0, meaning)
    if p is None:
        return None
    y, q0 = p.year, dt.date(p.year, 3 * ((p.month - 1) // 3) + 1, 1)
    starts = {"this_week": p + relativedelta(weekday=MO(-1)), "this_month": p.replace(day=1),
              "year_to_date": dt.date(y, 1, 1), "this_quarter": q0}
    if meaning in starts:
        return Expr(0, 0, "date", (starts[meaning], p), open=True)
    if meaning == "report_week":
        return Expr(0, 0, "week", report_week(p))
    return Expr(0, 0, "date", {
        "today": (p, p), "previous_day": (previous_trading_day(p),) * 2,
        "last_month": (p + relativedelta(months=-1, day=1), p.replace(day=1) - DAY),
        "last_quarter": (q0 + relativedelta(months=-3), q0 - DAY),
        "last_year": (dt.date(y - 1, 1, 1), dt.date(y - 1, 12, 31)),
        "next_year": (dt.date(y + 1, 1, 1), dt.date(y + 1, 12, 31)), "year_end": (dt.date(y, 12, 31),) * 2,
    }[meaning])


# --- scanning ---------------------------------------------------------------------------------

@lru_cache(maxsize=2)
def _patterns(lang: str) -> list[tuple[str, re.Pattern]]:
    """(kind, regex) pairs; ``_build`` turns a match into an Expr. A group ``x`` marks the expression."""
    Y, sp = r"(?<!\d)(?P<y>(?:19|20)\d{2})", T["spans"]
    units = alternation(sp["units"][lang])
    pats = [("day", rf"{Y}[-/](?P<m>\d{{1,2}})[-/](?P<d>\d{{1,2}})(?!\d)")]
    if lang == "zh":
        zm = r"(?P<m>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
        num = r"(?<!\d)(?P<n>\d{1,3}|[一二两三四五六七八九十]+)(?!\d)"
        part = rf"(?:\s*(?P<part>{alternation(T['month_parts']['zh'])}))?"
        yparts = r"上半年|下半年|第?[一二三四]季度|[Qq][1-4]|H[12]"
        pats += [("day", rf"{Y}\s*年\s*(?P<m>\d{{1,2}})\s*月\s*(?P<d>\d{{1,2}})\s*[日号]"),
                 ("relmonth", rf"(?P<r>今年|去年|明年)\s*{zm}\s*月份?{part}"),
                 ("day", r"(?<![\d.])(?P<m>1[0-2]|0?[1-9])\s*月\s*(?P<d>[1-3]?\d)\s*[日号]"),
                 ("month", rf"{Y}\s*年\s*{zm}\s*月份?{part}"), ("month", rf"(?<![\d.个第]){zm}\s*月份?{part}"),
                 ("day", r"(?<![\d.月])(?P<d>[1-3]?\d)\s*日(?!均|线|内|之内|以内|移动)"),
                 ("year", rf"{Y}\s*年?\s*(?P<part>{yparts})"), ("year", rf"(?P<part>{yparts})"),
                 ("year", rf"{Y}\s*年(?:\s*(?P<part>底|末|初))?(?:全年)?"),
                 ("weekday", r"(?P<pre>上|本|这)?(?:周|星期|礼拜)(?P<w>[一二三四五六日天])"),
                 ("run", rf"(?:{alternation(sp['run_before']['zh'])})\s*{num}\s*(?P<u>{units})"),
                 ("past", rf"{num}\s*(?P<u>{units})\s*(?:{alternation(sp['after']['zh'])})")]
        b = ""
    else:
        mon, yr = rf"\b(?P<mon>{alternation(T['months_en'])})\b\.?", r"(?:,?\s+(?P<y>(?:19|20)\d{2})\b)?"
        num, b = rf"(?P<n>\d{{1,3}}|{alternation(T['en_numbers'])})", r"\b"
        quarters = [k for k in T["year_parts"]["en"] if "quarter" in k or "half" in k or k[0] in "qh"]
        pats += [("month", rf"(?:\b(?P<part>{alternation(T['month_parts']['en'])})[\s-]*)?{mon}"
                           rf"(?:\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b)?{yr}"),
                 ("month", rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{mon}{yr}"),
                 ("year", rf"\b(?P<part>{alternation(T['year_parts']['en'])})[\s-]+(?:of\s+)?(?P<y>(?:19|20)\d{{2}})\b"),
                 ("year", r"\b(?P<y>(?:19|20)\d{2})\s*(?P<part>[qh][1-4])\b"),
                 ("year", rf"\b(?P<part>{alternation(quarters)})\b"),
                 ("year", r"\b(?:in|during|for|since|of|by|from|through|until|throughout|to|and)\s+(?P<x>(?P<y>(?:19|20)\d{2}))\b"
                          r"(?![\d,.]*\s*(?:%|percent|million|billion))"),
                 ("weekday", rf"\b(?:(?P<pre>last|this|previous)\s+)?(?P<w>{alternation(T['weekdays']['en'])})\b"),
                 ("run", rf"\b{num}[\s-]+(?:straight\s+|consecutive\s+)?(?P<u>{units})\b")]
    pats.append(("past", rf"{b}(?:{alternation(sp['past_before'][lang])})\s*{num}\s*(?P<u>{units}){b}"))
    pats += [(meaning, rf"{b}{alternation(words[lang])}{b}") for meaning, words in T["words"].items() if words.get(lang)]
    return [(kind, re.compile(rx, re.I)) for kind, rx in pats]


def _build(kind: str, m: re.Match, p: dt.date | None, lang: str) -> Expr | None:
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
        ctx = (m.string[max(0, m.start() - 20):m.start()], m.string[m.end():m.end() + 16])
        if p is None or n <= 0 or (lang == "en" and kind == "run" and (
                re.search(rf"\b(?:{alternation(T['spans']['not_before']['en'])})\s+$", ctx[0], re.I)
                or re.match(rf"\s*(?:{alternation(T['spans']['not_after']['en'])})\b", ctx[1], re.I))):
            return None
        return _word("report_week", p) if (n, unit) == (1, "week") else Expr(0, 0, "span", n=n, unit=unit, run=kind == "run")
    return _word(kind, p)


def _rx(words, lang: str, before: bool) -> re.Pattern:
    body = alternation(words) if words else "(?!x)x"
    if lang == "en":
        return re.compile(rf"\b{body}\s+(?:the\s+|a\s+)?$" if before else rf"^\s*{body}\b", re.I)
    return re.compile(rf"{body}\s*的?\s*$" if before else rf"^\s*{body}")


@lru_cache(maxsize=64)
def scan(norm: str, lang: str, p: dt.date | None) -> tuple[Expr, ...]:
    """Every time expression of the text, left to right, longest match first, with its role."""
    lang = "zh" if lang.startswith("zh") else "en"
    found = []
    for kind, rx in _patterns(lang):
        for m in rx.finditer(norm):
            if (e := _build(kind, m, p, lang)) is not None:
                found.append(replace(e, start=m.start("x") if m.groupdict().get("x") else m.start(), end=m.end()))
    found.sort(key=lambda e: (e.start, e.start - e.end))
    kept: list[Expr] = []
    for e in found:
        if not kept or e.start >= kept[-1].end:
            kept.append(e)
    out: list[Expr] = []
    for e in (_with_role(norm, e, lang, p) for e in kept):
        a = out[-1] if out else None     # '11月和12月', 'from Nov 3 to Nov 16': one range
        if a and a.kind == e.kind == "date" and a.role in ("plain", "origin") and e.role in ("plain", "cutoff") and \
                re.fullmatch(r"\s*(?:和|与|及|、|至|到|-|–|—|~|and|to|through|until|&)\s*", norm[a.end:e.start], re.I):
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
    R = T["roles"]
    before, after = norm[max(0, e.start - 14):e.start], norm[e.end:e.end + 10]
    if e.kind in ("date", "present") and (_rx(R["cutoff_before"][lang], lang, True).search(before)
                                          or _rx(R["cutoff_after"].get(lang), lang, False).match(after)):
        d = p if e.kind == "present" else e.period[1]
        if lang == "zh" and d and (m := re.match(rf"\s*(?:{alternation(R['week_ending']['zh_after'])})", after)):
            return replace(e, kind="week", period=week_ending(d), end=e.end + m.end(), open=False)
        return replace(e, kind="date", period=(d, d), role="cutoff", open=False) if d else e
    week_word = rf"\b(?:{alternation(R['week_ending']['en_before'])})\s+(?:on\s+)?$"
    if lang == "en" and e.kind == "date" and re.search(week_word, before, re.I):
        return replace(e, kind="week", period=week_ending(e.period[1]))
    sup = alternation(R["superlative"][lang])
    if _rx(R["comparison_before"][lang], lang, True).search(before) or \
            (e.kind == "span" and re.match(rf"\s*的?(?:{sup})", after)):   # 过去十年最…
        return replace(e, role="comparison")
    if _rx(R["origin_before"][lang], lang, True).search(before) or _rx(R["origin_after"].get(lang), lang, False).match(after):
        clause = re.split(r"[,;:()!?。]", norm[max(0, e.start - 60):e.start])[-1]
        record = re.search(rf"(?:以来|起)\s*的?\s*(?:{sup})", after) if lang == "zh" else \
            re.search(rf"\b(?:{sup})\b", clause, re.I)
        return replace(e, role="comparison" if record else "origin")
    return e


# --- document structure -----------------------------------------------------------------------

SENT_END = re.compile(r"[。!?;\n]|\.(?=\s)")
ABBREV = re.compile(rf"\b(?:[A-Z]|{alternation(T['abbreviations'])})$")   # a '.' after these ends no sentence
CLAUSE_SEP = re.compile(r"[,;:()\[\]]|——|—|–|--|\s-\s")
ATTACH = re.compile(r"(?:\s|的|之|约|近|逾|超过|接近|将近|大约|大概|平均|长期|水平|仅|共|'s|of|about|around|roughly|nearly|some|at|an?|the)*", re.I)
FROM_VALUE = {"zh": re.compile(r"(?:从|自)\s*(?:约|近|大约)?\s*$"),
              "en": re.compile(r"\bfrom\s+(?:about\s+|around\s+|roughly\s+|nearly\s+|some\s+)?$", re.I)}


class _Doc:
    """Lines, sections, sentences, clauses and time expressions of one text."""

    def __init__(self, norm: str, lang: str, p: dt.date | None, title: tuple[int, int] | None):
        self.norm, self.p, self.lang = norm, p, "zh" if lang.startswith("zh") else "en"
        self.exprs = scan(norm, lang, p)
        self.starts = [e.start for e in self.exprs]
        self.body = title[1] if title else 0
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", norm)]
        self.lines = [(a, b - 1) for a, b in zip(self.line_starts, self.line_starts[1:] + [len(norm) + 1])]
        self.heads = [i for i in range(len(self.lines)) if self.is_heading(i)]
        ends = [m.end() for m in SENT_END.finditer(norm)
                if not (m.group() == "." and ABBREV.search(norm[max(0, m.start() - 6):m.start()]))]
        self.sents = list(zip([0] + ends, ends + [len(norm)]))
        self.sent_starts = [a for a, _ in self.sents]
        hyp = T["hypothetical"]
        self.hypo = re.compile(rf"\b(?:{alternation(hyp['en'])})\b" if self.lang == "en" else
                               rf"{alternation(hyp['zh'])}|每(?!{alternation(T['per_unit_heads'])})", re.I)

    def blank(self, i: int) -> bool:
        return not (0 <= i < len(self.lines)) or not self.norm[slice(*self.lines[i])].strip()

    def is_heading(self, i: int) -> bool:
        """A short line between blank lines that does not end a sentence and is not a list item."""
        s = self.norm[slice(*self.lines[i])].strip()
        return bool(s) and self.blank(i - 1) and self.blank(i + 1) and len(s) <= (40 if self.lang == "zh" else 90) \
            and s[-1] not in "。.!;:," and s[0] not in "•●·-*"

    def line_index(self, pos: int) -> int:
        return bisect_right(self.line_starts, pos) - 1

    def section(self, pos: int) -> tuple[int, int]:
        """[start, end) of the section holding ``pos``: from its heading (or the body start) to the next."""
        k = bisect_right(self.heads, self.line_index(pos))
        start = self.lines[self.heads[k - 1]][0] if k else 0
        return max(start, self.body), self.lines[self.heads[k]][0] if k < len(self.heads) else len(self.norm)

    def sentence(self, pos: int) -> tuple[int, int]:
        return self.sents[bisect_right(self.sent_starts, pos) - 1]

    def within(self, span: tuple[int, int]) -> list[Expr]:
        return [e for e in self.exprs[bisect_right(self.starts, span[0] - 1):] if e.start < span[1]][:64]

    def clause(self, sent: tuple[int, int], pos: int, mask: list[tuple[int, int]]) -> tuple[int, int]:
        """The stretch of ``sent`` around ``pos`` between clause separators (not inside figures or dates)."""
        lo, hi = sent
        for m in CLAUSE_SEP.finditer(self.norm, sent[0], sent[1]):
            i = m.start()
            if any(a <= i < b for a, b in mask) or any(e.start <= i < e.end for e in self.within((i - 40, i + 1))):
                continue
            if m.end() <= pos:
                lo = m.end()
            elif i >= pos:
                return lo, i
        return lo, hi


@lru_cache(maxsize=16)
def _doc(norm: str, lang: str, p: dt.date | None, title: tuple[int, int] | None) -> _Doc:
    return _Doc(norm, lang, p, title)


# --- resolution -------------------------------------------------------------------------------

class _Resolver:
    """Applies the scope rule of the module docstring for one metric."""

    def __init__(self, doc: _Doc, ctx: ClaimContext, metric: str | None):
        self.d, self.p, self.qs, self.metric, self.title = doc, doc.p, ctx.quantities or [ctx.quantity], metric, ctx.title
        self.level, self.change, self.flow = metric in LEVELS, metric in CHANGES, metric in FLOWS
        self.mask = [(q.start, q.end) for q in self.qs]

    def resolve(self, q, sent: tuple[int, int], depth: int = 0, carry: bool = True) -> Period | None:
        d = self.d
        in_title = bool(self.title and self.title[0] <= q.start < self.title[1])
        if depth == 0 and (in_title or d.line_index(q.start) in d.heads):
            hi = len(d.norm) if in_title else d.section(q.start)[1]
            if (r := self.repeat(q, (q.end, hi), depth, forward=True)) is not MISSING:
                return r
        own = d.clause(sent, q.start, self.mask)
        ex = [e for e in d.within(sent) if e.end <= q.start or e.start >= q.end]
        before = sorted((e for e in ex if own[0] <= e.start and e.end <= q.start), key=lambda e: -e.end)
        after = [e for e in ex if q.end <= e.start < own[1]]
        earlier = sorted((e for e in ex if e.end <= own[0]), key=lambda e: -e.end)
        if before and before[0].kind not in ("vague", "anaphora", "span") and ATTACH.fullmatch(d.norm[before[0].end:q.start]):
            if r := self.period(before[0], sent, attached=True):
                return r
        hypo = bool(d.hypo.search(d.norm[sent[0]:q.start] + " " + d.norm[q.end:own[1]]))
        if self.level:
            if r := self.first(before + after, sent, own=True):
                return r
            if hypo or FROM_VALUE[d.lang].search(d.norm[own[0]:q.start]):
                return None
            if any(e.kind == "present" and e.role != "comparison" for e in ex):
                return (self.p, self.p) if self.p else None
            if r := self.first([e for e in earlier if e.kind == "date"], sent):
                return r
            return None if self.metric == "price_target" or not self.p else (self.p, self.p)
        if r := self.first(before + (after if d.lang == "en" else []), sent, own=True) or self.first(earlier, sent):
            return r
        if hypo:
            return None
        if depth < 2 and (r := self.repeat(q, (d.body, q.start), depth)) not in (MISSING, None):
            return r
        if any(e.kind == "vague" for e in before + after + earlier):
            return None
        if (d.lang == "zh" and (r := self.first(after, sent, own=True))) or (carry and (r := self.carry(sent))):
            return r
        return self.first([e for e in ex if e.start >= own[1]], sent, own=None) or (self.reference(depth) if carry else None)

    def usable(self, e: Expr, own: bool | None) -> bool:
        """own: in the figure's clause; False: an earlier clause; None: a later clause or carried over."""
        if e.role == "comparison" or e.kind == "vague" or (e.role == "origin" and (own is None or self.level)):
            return False
        if (e.kind == "present" and self.change) or (e.kind == "span" and self.level):
            return False
        if self.metric == "probability" and e.kind != "present":
            return e.period is not None and e.period[0] == e.period[1]
        return True

    def first(self, exprs: list[Expr], sent, own: bool | None = False) -> Period | None:
        """The period of the first usable expression of ``exprs``."""
        for e in exprs:
            if self.usable(e, own) and (r := self.period(e, sent)):
                return r
        return None

    def period(self, e: Expr, sent: tuple[int, int], attached: bool = False) -> Period | None:
        p = self.p
        if e.kind == "present":
            return (p, p) if p else None
        if e.kind == "anaphora":
            return self.anaphora(e, sent)
        if e.kind == "span":
            return self.span(e, sent)
        if e.kind == "per_month":      # 每月 / monthly: the whole month of the clause's date, else of P
            dates = [x.period[0] for x in self.d.within(self.d.clause(sent, e.start, self.mask)) if x.period and x.role != "comparison"]
            base = dates[0] if dates else p
            return (base.replace(day=1), base + EOM) if base else None
        if e.period is None:
            return None
        a, b = e.period
        if e.role == "cutoff" and not attached:
            return self.cutoff_alone(e, sent)
        if e.role == "origin" and not attached:
            return (a, self.cut(a, p, sent, e)) if p and a <= p else None
        return (a, self.cut(a, b, sent, e)) if e.open else (a, b)

    def cut(self, a: dt.date, b: dt.date, sent, e: Expr) -> dt.date:
        """End an open period at a cut-off of its sentence, else of the paragraph so far or the one before."""
        cuts = [x.period[1] for x in self.d.within(sent) if x.role == "cutoff"]
        if not cuts:
            j = self.d.line_index(sent[0]) - 1
            while j > 0 and self.d.blank(j):
                j -= 1
            lo = max(self.d.lines[max(j, 0)][0], self.d.body)
            cuts = [x.period[1] for x in reversed(self.d.within((lo, sent[0]))) if x.role == "cutoff"]
        return next((c for c in cuts if a <= c <= b and (c, c) != e.period), b)

    def cutoff_alone(self, e: Expr, sent) -> Period:
        """截至 D: from the start of a period of the sentence that holds D; fund flows: the week to D."""
        c = e.period[1]
        for x in self.d.within(sent):
            if x is not e and x.kind == "date" and x.role == "plain" and x.period[0] < c <= max(x.period[1], self.p or c):
                return x.period[0], c
        return week_ending(c) if self.flow else (c, c)

    def span(self, e: Expr, sent) -> Period | None:
        """Past N units end at P, a run at the sentence's other date; fund flows: whole report weeks."""
        if not self.p:
            return None
        end = self.p
        anchors = [x for x in self.d.within(sent) if x is not e and x.kind in ("date", "week") and x.role in ("plain", "cutoff")]
        if e.run and anchors and (r := self.period(min(anchors, key=lambda x: abs(x.start - e.start)), sent)):
            end = r[1]
        if self.flow:
            end = min(end, report_week(self.p)[1])
        n = e.n * 3 if e.unit == "quarter" else math.ceil(e.n / 24) if e.unit == "hour" else e.n
        unit = {"quarter": "months", "hour": "days"}.get(e.unit, e.unit + "s")
        try:
            return end - relativedelta(**{unit: n}) + (DAY if self.flow else dt.timedelta(0)), end
        except (ValueError, OverflowError):
            return None

    def anaphora(self, e: Expr, sent) -> Period | None:
        """'在此期间' / 'during this period': the union of the times just before."""
        prior, s = [x for x in self.d.within((sent[0], e.start)) if x.kind in ("date", "week", "span") and x.role == "plain"], sent
        while not prior and s[0] > self.d.section(sent[0])[0]:
            s = self.d.sentence(s[0] - 1)
            prior = [x for x in self.d.within(s) if x.kind in ("date", "week") and x.role == "plain"]
        spans = [r for x in prior if (r := self.period(x, s if x.start < sent[0] else sent))]
        return (min(a for a, _ in spans), max(b for _, b in spans)) if spans else None

    def carry(self, sent) -> Period | None:
        """The nearest date-like time in the earlier sentences of the section."""
        lo, s = self.d.section(sent[0])[0], sent
        while s[0] > lo:
            s = self.d.sentence(s[0] - 1)
            cands = [e for e in self.d.within(s) if e.kind in ("date", "week") and e.role in ("plain", "cutoff") and self.usable(e, None)]
            if cands and (r := self.period(cands[-1], s)):
                return r
        return None

    def repeat(self, q, span, depth: int, forward: bool = False):
        """The period of the same figure stated in ``span`` (backward: not in a heading); else MISSING."""
        for x in self.qs:
            if span[0] <= x.start < span[1] and x.start != q.start and x.unit == q.unit \
                    and math.isclose(abs(x.value), abs(q.value)) and (x.low, x.high) == (q.low, q.high) \
                    and (forward or self.d.line_index(x.start) not in self.d.heads):
                return self.resolve(x, self.d.sentence(x.start), depth + 1)
        return MISSING

    def reference(self, depth: int) -> Period | None:
        """The article's reference period: that of its first figure outside title and headings."""
        for x in self.qs:
            if x.start >= self.d.body and self.d.line_index(x.start) not in self.d.heads:
                return self.resolve(x, self.d.sentence(x.start), depth + 1, carry=False) if depth < 3 else None
        return None


def resolve_period(ctx: ClaimContext, metric: str | None = None) -> Period | None:
    """The inclusive (start, end) dates the figure of ``ctx`` covers, or None (see the module doc)."""
    doc = _doc(ctx.norm, ctx.lang or "en", ctx.doc_date, ctx.title)
    return _Resolver(doc, ctx, metric).resolve(ctx.quantity, ctx.sentence)
