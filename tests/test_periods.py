"""The period resolver, one example per line: (text, lang, doc date, figure, metric, expected period).

A period is an inclusive (start, end) pair of ISO dates, or None. A bug found in the wild becomes
one more line here.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest

from extract.claimcontext import ClaimContext
from extract.normalize import normalize
from extract.periods import previous_trading_day, report_week, resolve_period, week_ending
from extract.quantities import find_quantities

D = dt.date.fromisoformat

CASES = [
    # weekly fund-flow reports: the latest completed week before the publication date
    ("CoinShares 周报显示，上周数字资产投资产品净流出 4.5 亿美元。", "zh-Hans", "2025-03-10", "4.5 亿美元", "fund_flow", ("2025-03-03", "2025-03-09")),
    ("數字資產基金在一週內錄得 2 億美元淨流入。", "zh-Hant", "2025-03-12", "2 億美元", "fund_flow", ("2025-03-03", "2025-03-09")),
    ("过去一周美国上市 ETF 净流入 120 亿美元。", "zh-Hans", "2025-03-15", "120 亿美元", "fund_flow", ("2025-03-08", "2025-03-14")),
    ("In the week ending March 10, crypto funds saw outflows of $300 million.", "en", "2025-03-11", "$300 million", "fund_flow", ("2025-03-03", "2025-03-09")),
    ("Digital asset investment products saw heavy outflows last week, according to CoinShares.\nBitcoin products lost $1.2 billion.",
     "en", "2025-03-10", "$1.2 billion", "fund_flow", ("2025-03-03", "2025-03-09")),
    # months: current month to the cut-off, completed months whole, a bare month is the latest one
    ("截至3月14日，比特幣ETF在3月的淨流出已達到12億美元。", "zh-Hant", "2025-03-18", "12億美元", "fund_flow", ("2025-03-01", "2025-03-14")),
    ("Through Nov. 21, bitcoin ETFs saw $3.5 billion of net outflows in November.", "en", "2025-11-25", "$3.5 billion", "fund_flow", ("2025-11-01", "2025-11-21")),
    ("ETF 在 2 月份净流出 30 亿美元。", "zh-Hans", "2025-03-18", "30 亿美元", "fund_flow", ("2025-02-01", "2025-02-28")),
    ("11月比特币下跌了 15%。", "zh-Hans", "2025-03-18", "15%", "price_change", ("2024-11-01", "2024-11-30")),
    ("上月，以太坊ETF净流出 8 亿美元。", "zh-Hans", "2025-03-05", "8 亿美元", "fund_flow", ("2025-02-01", "2025-02-28")),
    ("In November and December, spot bitcoin ETFs lost $4 billion.", "en", "2026-01-20", "$4 billion", "fund_flow", ("2025-11-01", "2025-12-31")),
    # years, quarters, halves, year-end targets
    ("今年以来黄金上涨了 12%。", "zh-Hans", "2025-06-20", "12%", "price_change", ("2025-01-01", "2025-06-20")),
    ("Year-to-date, spot bitcoin ETFs have attracted $9 billion.", "en", "2025-04-02", "$9 billion", "fund_flow", ("2025-01-01", "2025-04-02")),
    ("今年截至9月底，美国企业破产 300 家。", "zh-Hans", "2025-11-02", "300 家", "count", ("2025-01-01", "2025-09-30")),
    ("2025年第一季度，比特币ETF净流入 60 亿美元。", "zh-Hans", "2025-05-01", "60 亿美元", "fund_flow", ("2025-01-01", "2025-03-31")),
    ("上半年，黄金ETF净流入 100 亿美元。", "zh-Hans", "2025-08-01", "100 亿美元", "fund_flow", ("2025-01-01", "2025-06-30")),
    ("分析师预计比特币今年底将达到 15 万美元。", "zh-Hans", "2025-06-01", "15 万美元", "price_target", ("2025-12-31", "2025-12-31")),
    ("Standard Chartered sees bitcoin at $200,000 by year-end.", "en", "2025-03-01", "$200,000", "price_target", ("2025-12-31", "2025-12-31")),
    # single days: previous trading day over a weekend, weekdays, explicit dates, day of the month
    ("前一交易日納指下跌1.2%。", "zh-Hant", "2025-03-17", "1.2%", "price_change", ("2025-03-14", "2025-03-14")),
    ("Bitcoin fell 3% yesterday.", "en", "2025-03-17", "3%", "price_change", ("2025-03-14", "2025-03-14")),
    ("周四，标普500指数下跌 1.5%。", "zh-Hans", "2025-03-16", "1.5%", "price_change", ("2025-03-13", "2025-03-13")),
    ("On Thursday, the Nasdaq rose 2%.", "en", "2025-03-17", "2%", "price_change", ("2025-03-13", "2025-03-13")),
    ("On Jan. 26, 2026, IBIT saw outflows of $100 million.", "en", "2026-01-28", "$100 million", "fund_flow", ("2026-01-26", "2026-01-26")),
    ("On 2026-01-26 the fund recorded inflows of $50 million.", "en", "2026-01-30", "$50 million", "fund_flow", ("2026-01-26", "2026-01-26")),
    ("26日，比特币跌破 9 万美元。", "zh-Hans", "2026-01-27", "9 万美元", "price", ("2026-01-26", "2026-01-26")),
    ("Between Nov 3 and Nov 16, crypto funds shed $3.2 billion.", "en", "2025-11-19", "$3.2 billion", "fund_flow", ("2025-11-03", "2025-11-16")),
    ("本周比特币上涨 5%。", "zh-Hans", "2025-03-13", "5%", "price_change", ("2025-03-10", "2025-03-13")),
    ("上周四，比特币ETF净流入 5 亿美元。", "zh-Hans", "2025-03-19", "5 亿美元", "fund_flow", ("2025-03-13", "2025-03-13")),
    ("Ethereum ETFs recorded $200 million of inflows on Monday.", "en", "2025-03-19", "$200 million", "fund_flow", ("2025-03-17", "2025-03-17")),
    ("从10月1日到11月15日，比特币ETF净流出 40 亿美元。", "zh-Hans", "2025-11-25", "40 亿美元", "fund_flow", ("2025-10-01", "2025-11-15")),
    ("去年全年，比特币上涨了 120%。", "zh-Hans", "2025-11-25", "120%", "price_change", ("2024-01-01", "2024-12-31")),
    # spans ending at the publication date (fund flows: whole report weeks)
    ("過去三週，加密貨幣總市值蒸發了 5000 億美元。", "zh-Hant", "2025-03-20", "5000 億美元", "market_cap_change", ("2025-02-27", "2025-03-20")),
    ("Crypto funds have lost $2 billion over the past three weeks.", "en", "2025-03-17", "$2 billion", "fund_flow", ("2025-02-24", "2025-03-16")),
    ("The funds have seen outflows for five straight weeks, totaling $2 billion.", "en", "2025-06-10", "$2 billion", "fund_flow", ("2025-05-05", "2025-06-08")),
    ("过去两个月，比特币下跌了 20%。", "zh-Hans", "2025-03-17", "20%", "price_change", ("2025-01-17", "2025-03-17")),
    ("比特币过去24小时下跌 2%。", "zh-Hans", "2025-03-17", "2%", "price_change", ("2025-03-16", "2025-03-17")),
    # origins and comparison bases
    ("比特币自10月高点回落近三成。", "zh-Hans", "2025-11-25", "三成", "price_change", ("2025-10-01", "2025-11-25")),
    ("自2024年底以来，交易所比特币储备下降了 18%。", "zh-Hans", "2025-11-25", "18%", "reserves_change", ("2024-12-31", "2025-11-25")),
    ("其中 ETF 单周流入达到 43 亿美元，为2022年12月以来最大的规模。", "zh-Hans", "2025-11-22", "43 亿美元", "fund_flow", ("2025-11-15", "2025-11-21")),
    ("Bitcoin has dropped 12% since October, while the index is now at 24.", "en", "2025-11-25", "12%", "price_change", ("2025-10-01", "2025-11-25")),
    ("美联储官员表示，12月降息概率升至 70%，较前一日的 55% 明显上升。", "zh-Hans", "2025-11-25", "55%", "probability", ("2025-11-24", "2025-11-24")),
    ("美联储官员表示，12月降息概率升至 70%，较前一日的 55% 明显上升。", "zh-Hans", "2025-11-25", "70%", "probability", ("2025-11-25", "2025-11-25")),
    # levels: the present, an earlier clause's date, the start value of an undated change
    ("比特币目前报 8.5 万美元。", "zh-Hans", "2025-03-17", "8.5 万美元", "price", ("2025-03-17", "2025-03-17")),
    ("The fund's assets under management stand at $50 billion.", "en", "2025-03-17", "$50 billion", "aum", ("2025-03-17", "2025-03-17")),
    ("总资产从 1000 亿美元降至 800 亿美元。", "zh-Hans", "2025-03-17", "1000 亿美元", "aum", None),
    ("总资产从 1000 亿美元降至 800 亿美元。", "zh-Hans", "2025-03-17", "800 亿美元", "aum", ("2025-03-17", "2025-03-17")),
    # carry-over from the sentence before, the paragraph before; a cut-off from the paragraph before
    ("全球风险资产在3月14日迎来普涨。道指上涨 0.8%。", "zh-Hans", "2025-03-17", "0.8%", "price_change", ("2025-03-14", "2025-03-14")),
    ("全球風險資產在3月14日迎來普漲。\n科技股領漲，英偉達上漲 3%。", "zh-Hant", "2025-03-17", "3%", "price_change", ("2025-03-14", "2025-03-14")),
    ("截至11月21日，ETF本月净流出 35 亿美元。\nIBIT 在11月净流出 22 亿美元。", "zh-Hans", "2025-11-25", "22 亿美元", "fund_flow", ("2025-11-01", "2025-11-21")),
    # no time: rules of thumb, hypotheticals, thresholds
    ("每流出 10 亿美元，比特币价格平均下跌 3%。", "zh-Hans", "2025-03-17", "3%", "elasticity", None),
    ("If inflows resume, bitcoin could rally 20%.", "en", "2025-03-17", "20%", "price_change", None),
    ("若比特币跌破 8 万美元，将触发大规模清算。", "zh-Hans", "2025-03-17", "8 万美元", "price", None),
    # no publication date: only what is written absolutely
    ("2025年3月14日，比特币ETF净流入 3 亿美元。", "zh-Hans", None, "3 亿美元", "fund_flow", ("2025-03-14", "2025-03-14")),
    ("本周比特币上涨 5%。", "zh-Hans", None, "5%", "price_change", None),
]

SENTENCE_END = re.compile(r"[。！？!?；;\n]|\.\s(?=[A-Z])")


def context(text: str, lang: str, date: str | None, figure: str) -> ClaimContext:
    norm = normalize(text, simplify=lang.startswith("zh"))
    quantities = find_quantities(text, lang)
    index = next(i for i, q in enumerate(quantities) if q.text == figure)
    q = quantities[index]
    cuts = [0] + [m.end() for m in SENTENCE_END.finditer(text)] + [len(text)]
    sentence = next((a, b) for a, b in zip(cuts, cuts[1:]) if a <= q.start < b)
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
    paragraph = next((a, b) for a, b in lines if a <= q.start < b)
    return ClaimContext(text=text, norm=norm, lang=lang, doc_date=D(date) if date else None, quantity=q,
                        sentence=sentence, paragraph=paragraph, quantities=quantities, index=index)


@pytest.mark.parametrize("text,lang,date,figure,metric,expected", CASES)
def test_period(text, lang, date, figure, metric, expected):
    got = resolve_period(context(text, lang, date, figure), metric)
    assert got == (tuple(D(x) for x in expected) if expected else None)


@pytest.mark.parametrize("published,week", [
    ("2026-01-26", ("2026-01-19", "2026-01-25")),   # Monday: the seven days before
    ("2025-11-19", ("2025-11-10", "2025-11-16")),   # Wednesday: the Mon..Sun before
    ("2025-11-22", ("2025-11-15", "2025-11-21")),   # Saturday: the trading week just closed
])
def test_report_week(published, week):
    assert report_week(D(published)) == (D(week[0]), D(week[1]))


def test_calendar_helpers():
    assert week_ending(D("2026-01-26")) == (D("2026-01-19"), D("2026-01-25"))
    assert week_ending(D("2025-11-21")) == (D("2025-11-15"), D("2025-11-21"))
    assert previous_trading_day(D("2025-03-17")) == D("2025-03-14")
    assert previous_trading_day(D("2025-03-16")) == D("2025-03-14")
    assert previous_trading_day(D("2025-03-12")) == D("2025-03-11")


def test_title_takes_the_period_of_the_same_figure_in_the_body():
    text = "17.3 亿美元撤离\n\n数字资产投资产品在一周内流失了 17.3 亿美元。"
    ctx = context(text, "zh-Hans", "2026-01-27", "17.3 亿美元")
    ctx.title = (0, text.index("\n"))
    assert resolve_period(ctx, "fund_flow") == (D("2026-01-19"), D("2026-01-25"))


ARTICLE = ("加密基金周报\n\n"
           "1月26日，CoinShares 周报显示，数字资产投资产品在一周内净流出 17.3 亿美元。\n\n"
           "地域分布\n\n"
           "美国流出 18 亿美元，瑞士流入 3000 万美元。\n\n"
           "两个月的背景：45 亿美元\n\n"
           "在 11 月和 12 月期间，现货 ETF 累计流出 45 亿美元。比特币价格在此期间下跌了 20%。")


@pytest.mark.parametrize("figure,nth,expected", [
    ("18 亿美元", 0, ("2026-01-19", "2026-01-25")),    # no time in its section: the article's reference week
    ("45 亿美元", 0, ("2025-11-01", "2025-12-31")),    # a heading: the same figure in its section
    ("45 亿美元", 1, ("2025-11-01", "2025-12-31")),
    ("20%", 0, ("2025-11-01", "2025-12-31")),          # 在此期间: the times of the sentence before
])
def test_sections_headings_and_the_article_reference(figure, nth, expected):
    norm = normalize(ARTICLE, simplify=True)
    quantities = find_quantities(ARTICLE, "zh-Hans")
    index = [i for i, q in enumerate(quantities) if q.text == figure][nth]
    q = quantities[index]
    cuts = [0] + [m.end() for m in SENTENCE_END.finditer(ARTICLE)] + [len(ARTICLE)]
    sentence = next((a, b) for a, b in zip(cuts, cuts[1:]) if a <= q.start < b)
    ctx = ClaimContext(text=ARTICLE, norm=norm, lang="zh-Hans", doc_date=D("2026-01-27"), quantity=q,
                       sentence=sentence, paragraph=sentence, quantities=quantities, index=index)
    assert resolve_period(ctx, "price_change" if figure == "20%" else "fund_flow") == (D(expected[0]), D(expected[1]))
