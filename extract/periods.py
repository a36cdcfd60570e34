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
from bisect import bisect_left, bisect_right
from functools import lru_cache

from dateutil.relativedelta import relativedelta

from .claimcontext import ClaimContext
from .tables import alternation
from .timeexpr import DAY, T, Expr, Period, month_end, previous_trading_day, report_week, scan, week_ending

__all__ = ["Period", "previous_trading_day", "report_week", "resolve_period", "week_ending"]

LEVELS, CHANGES, FLOWS = (set(T[k]) for k in ("levels", "changes", "flows"))
MISSING = object()


# --- document structure -----------------------------------------------------------------------

SENT_END = re.compile(r"[。!?;\n]|\.(?=\s)")
ABBREV = re.compile(rf"\b(?:[A-Z]|{alternation(T['abbreviations'])})$")   # a '.' after these ends no sentence
CLAUSE_SEP = re.compile(r"[,;:()\[\]]|——|—|–|--|\s-\s")
ATTACH = re.compile(r"(?:\s|的|之|约|近|逾|超过|接近|将近|大约|大概|平均|长期|水平|仅|共|'s|of|about|around|roughly|nearly|some|at|an?|the)*", re.I)
HYPOTHETICAL = {"en": re.compile(rf"\b(?:{alternation(T['hypothetical']['en'])})\b", re.I),
                "zh": re.compile(rf"{alternation(T['hypothetical']['zh'])}|每(?!{alternation(T['per_unit_heads'])})", re.I)}
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
        self.hypo = HYPOTHETICAL[self.lang]
        self.seps: dict[tuple[int, int], list[tuple[int, int]]] = {}

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

    def within(self, span: tuple[int, int]) -> tuple[Expr, ...]:
        """The first 64 expressions that start in [span[0], span[1])."""
        lo = bisect_left(self.starts, span[0])
        return self.exprs[lo:min(bisect_left(self.starts, span[1], lo), lo + 64)]

    def separators(self, sent: tuple[int, int]) -> list[tuple[int, int]]:
        """[start, end) of each clause separator of ``sent`` that does not start inside a nearby time expression."""
        if (seps := self.seps.get(sent)) is None:
            seps = self.seps[sent] = [
                m.span() for m in CLAUSE_SEP.finditer(self.norm, sent[0], sent[1])
                if not any(e.start <= m.start() < e.end for e in self.within((m.start() - 40, m.start() + 1)))]
        return seps

    def clause(self, sent: tuple[int, int], pos: int, mask: list[tuple[int, int]]) -> tuple[int, int]:
        """The stretch of ``sent`` around ``pos`` between clause separators (not inside figures or dates)."""
        seps = self.separators(sent)
        lo = next((end for i, end in reversed(seps) if end <= pos and not _inside(i, mask)), sent[0])
        return lo, next((i for i, _ in seps if i >= pos and not _inside(i, mask)), sent[1])


def _inside(i: int, spans: list[tuple[int, int]]) -> bool:
    for a, b in spans:
        if a <= i < b:
            return True
    return False


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
            return (base.replace(day=1), month_end(base)) if base else None
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
