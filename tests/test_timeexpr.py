"""Time-expression scanning: the shortcuts of ``extract.timeexpr`` and ``extract.periods`` give what
the plain way gives (every regex over the whole text, every clause separator checked)."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from dateutil.relativedelta import FR, SU, relativedelta

from extract import timeexpr as X
from extract.normalize import normalize
from extract.periods import _doc, _inside
from tests.test_periods import ARTICLE, CASES

EXTRA = {
    "en": ["On Jan. 26, 2026, IBIT saw outflows; on 26 March 2025 and in mid-November it did not.",
           "By the end of March 2025, in Q3 2025, 2025 q4 and the first half of 2024 (in 2023: 5%).",
           "LAST FRIDAY, This Monday and previous Sunday; five straight weeks, a 3-day run, twelve consecutive months.",
           "Over the past three weeks, in the last 24 hours, the prior 2 sessions; 2026-01-26 and 2025/3/4.",
           "xthis week-to-date, somenow, ſtill, İn the past 3 weeks, ıt, KELVIN WEEK, Weekly, WEEK-TO-DATE.",
           "in 5 days, for the next 3 months, 2 weeks ago, a 50-day moving average, early May, May 2025."],
    "zh": ["2025年3月14日与今年3月上旬、3月14日号，2024年底、2025年末全年、上半年、第三季度、二季度、Q2、h1。",
           "上周四、本周日、星期三、礼拜天；连续五周、长达两个月、这3个交易日、过去24小时、两个月来、最近一周、26日。",
           "去年12月下旬、明年1月、十二月份、11月和12月、2026-01-26、2025年 Q3，自10月以来，截至11月21日的一周。"],
}


def corpus(lang: str) -> list[str]:
    """Every test text of the language, every time word of the table (as written, upper- and title-cased), EXTRA."""
    texts = [normalize(t, simplify=lang == "zh") for t, tl, *_ in CASES if tl.startswith(lang)] + EXTRA[lang]
    for words in X.T["words"].values():
        for w in words.get(lang, []):
            texts += [f"价格{w}上涨 5%。" if lang == "zh" else f"Prices {w} rose 5%.", f"{w.upper()} and {w.title()}."]
    return texts + [normalize(ARTICLE)] * (lang == "zh")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_matches_equal_finditer_over_the_whole_text(lang):
    """``need`` never hides a match: ``matches`` gives what ``finditer`` gives, and every pattern matches something."""
    texts = corpus(lang)
    for kind, rx, need in X._patterns(lang):
        found = 0
        for text in texts:
            want = [(m.span(), m.groupdict()) for m in rx.finditer(text)]
            got = [(m.span(), m.groupdict()) for m in
                   X.matches(rx, need, text, X.fold(text))]
            assert got == want, (kind, need, text)
            found += len(want)
        assert found, (kind, rx.pattern)


def test_fold_keeps_offsets_and_what_ignorecase_finds():
    """Any character IGNORECASE matches with a character of a need word folds to that very character."""
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    assert len(X.fold(every)) == len(every)
    chars = {c for lang in ("zh", "en") for _, _, (_, words) in X._patterns(lang) for w in words for c in w}
    hits = set(re.findall("[" + "".join(re.escape(c) for c in chars) + "]", every, re.I))
    for h in hits:
        assert {c for c in chars if re.fullmatch(re.escape(c), h, re.I)} == {X.fold(h)}, hex(ord(h))


def test_calendar_arithmetic_equals_relativedelta():
    day = dt.date(2023, 1, 1)
    while day < dt.date(2027, 1, 1):
        end = day + relativedelta(weekday=FR(-1)) if day.weekday() >= 5 else day + relativedelta(days=-1, weekday=SU(-1))
        assert X.report_week(day) == (end - dt.timedelta(days=6), end)
        prev = day + relativedelta(days=-1, weekday=FR(-1)) if day.weekday() in (0, 6) else day - dt.timedelta(days=1)
        assert X.previous_trading_day(day) == prev
        assert X.month_end(day) == day + relativedelta(day=31)
        day += dt.timedelta(days=1)


def _old_within(d, span):
    return [e for e in d.exprs if e.start >= span[0] and e.start < span[1]][:64]


def _old_clause(d, sent, pos, mask):
    lo, hi = sent
    for m in re.compile(r"[,;:()\[\]]|——|—|–|--|\s-\s").finditer(d.norm, sent[0], sent[1]):
        i = m.start()
        if any(a <= i < b for a, b in mask) or any(e.start <= i < e.end for e in _old_within(d, (i - 40, i + 1))):
            continue
        if m.end() <= pos:
            lo = m.end()
        elif i >= pos:
            return lo, i
    return lo, hi


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_within_and_clause_equal_the_plain_loops(lang):
    for text in corpus(lang)[:40] + EXTRA[lang]:
        d = _doc(text, lang, dt.date(2025, 11, 25), None)
        mask = [(m.start(), m.end()) for m in re.finditer(r"\d+(?:\.\d+)?%?", text)]
        for a in range(-45, len(text) + 2, 3):
            for b in (a, a + 1, a + 7, a + 41, len(text)):
                assert list(d.within((a, b))) == _old_within(d, (a, b))
        for sent in d.sents + [(0, len(text))]:
            for pos in range(sent[0], sent[1] + 1):
                assert d.clause(sent, pos, mask) == _old_clause(d, sent, pos, mask), (text, sent, pos)
                assert _inside(pos, mask) == any(a <= pos < b for a, b in mask)
