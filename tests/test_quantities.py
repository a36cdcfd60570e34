"""The quantity grammar, one example per line: (text, lang, [(span text, value, unit, approx), ...]).

A bug found in the wild becomes one more line here.
"""
from __future__ import annotations

import pytest

from extract.quantities import find_quantities

CASES = [
    # Chinese amounts: Arabic and Chinese numerals, scale words, currencies
    ("净流出约 17.3 亿美元", "zh-Hans", [("17.3 亿美元", 1.73e9, "USD", "about")]),
    ("录得约 1710 万美元净流入", "zh-Hans", [("1710 万美元", 1.71e7, "USD", "about")]),
    ("百亿美元出逃", "zh-Hans", [("百亿美元", 1e10, "USD", "exact")]),
    ("总额一千七百三十万元人民币", "zh-Hans", [("一千七百三十万元人民币", 1.73e7, "CNY", "exact")]),
    ("规模 1，710 万港元", "zh-Hans", [("1，710 万港元", 1.71e7, "HKD", "exact")]),
    ("蒸发了1.2萬億美元", "zh-Hant", [("1.2萬億美元", 1.2e12, "USD", "exact")]),
    ("市值约 3万4000 亿日元", "zh-Hans", [("3万4000 亿日元", 3.4e12, "JPY", "about")]),
    ("两百亿欧元", "zh-Hans", [("两百亿欧元", 2e10, "EUR", "exact")]),
    ("二〇二五年营收五千万美元", "zh-Hans", [("五千万美元", 5e7, "USD", "exact")]),
    ("净减持约8,181枚BTC", "zh-Hant", [("8,181枚BTC", 8181, "BTC", "about")]),
    ("我有20个比特币", "zh-Hans", [("20个比特币", 20, "BTC", "exact")]),
    # percent, points, basis points, tenths, fractions, multiples
    ("下跌了 1.79%", "zh-Hans", [("1.79%", 1.79, "%", "exact")]),
    ("降息25個基點的概率", "zh-Hant", [("25個基點", 25, "bp", "exact")]),
    ("利差扩大 55 个基点", "zh-Hans", [("55 个基点", 55, "bp", "exact")]),
    ("失业率上升 0.3 个百分点", "zh-Hans", [("0.3 个百分点", 0.3, "%", "exact")]),
    ("回落近三成", "zh-Hant", [("三成", 30, "%", "nearly")]),
    ("占比已接近九成", "zh-Hans", [("九成", 90, "%", "nearly")]),
    ("跌幅约四分之一", "zh-Hant", [("四分之一", 25, "%", "about")]),
    ("超过一半的资金", "zh-Hans", [("一半", 50, "%", "over")]),
    ("百分之五的概率", "zh-Hans", [("百分之五", 5, "%", "exact")]),
    ("规模约为科技股的 1.5 倍", "zh-Hans", [("1.5 倍", 1.5, "x", "about")]),
    ("负3.9%", "zh-Hans", [("负3.9%", -3.9, "%", "exact")]),
    # ranges
    ("维持在 3.5% 至 3.75%", "zh-Hans", [("3.5% 至 3.75%", 3.625, "%", "exact")]),
    ("VIX 维持在 24–26 区间", "zh-Hans", [("24–26", 25, None, "exact")]),
    ("提供 6-7% 的质押收益", "zh-Hans", [("6-7%", 6.5, "%", "exact")]),
    ("反弹力度大概在 20%–35%", "zh-Hans", [("20%–35%", 27.5, "%", "about")]),
    ("between $1bn and $2bn of inflows", "en", [("$1bn and $2bn", 1.5e9, "USD", "exact")]),
    # movements are two figures, not a range
    ("VVIX 从 98 快速抬升至 122", "zh-Hans", [("98", 98, None, "exact"), ("122", 122, None, "exact")]),
    ("slipped from about 264 billion USD to 191 billion USD", "en",
     [("264 billion USD", 2.64e11, "USD", "about"), ("191 billion USD", 1.91e11, "USD", "exact")]),
    # lists share the unit of their last member
    ("涨幅分别为 3、5 和 7%", "zh-Hans", [("3", 3, "%", "exact"), ("5", 5, "%", "exact"), ("7%", 7, "%", "exact")]),
    ("SPY +120 亿美元\nSMH(半导体)+13 亿", "zh-Hans",
     [("+120 亿美元", 1.2e10, "USD", "exact"), ("+13 亿", 1.3e9, "USD", "exact")]),
    # English amounts
    ("investors withdrew $1.73 billion", "en", [("$1.73 billion", 1.73e9, "USD", "exact")]),
    ("with nearly US$1.8 billion exiting", "en", [("US$1.8 billion", 1.8e9, "USD", "nearly")]),
    ("IBIT saw -$537M in redemptions", "en", [("-$537M", -5.37e8, "USD", "exact")]),
    ("Solana took in +$17.1m", "en", [("+$17.1m", 1.71e7, "USD", "exact")]),
    ("an estimated 2 billion USD of net outflows", "en", [("2 billion USD", 2e9, "USD", "about")]),
    ("Two Billion Dollars Out the Door", "en", [("Two Billion Dollars", 2e9, "USD", "exact")]),
    ("a fund of €2.3bn", "en", [("€2.3bn", 2.3e9, "EUR", "exact")]),
    ("trading at $69,000", "en", [("$69,000", 69000, "USD", "exact")]),
    ("roughly 27 percent", "en", [("27 percent", 27, "%", "about")]),
    ("cut rates by 25 basis points", "en", [("25 basis points", 25, "bp", "exact")]),
    ("The long/short ratio of 0.91", "en", [("0.91", 0.91, None, "exact")]),
    ("more than 500 BTC moved", "en", [("500 BTC", 500, "BTC", "over")]),
    ("about 12,000 jobs were cut", "en", [("12,000 jobs", 12000, "count", "about")]),
    # counts that are statistics, and ones that only name a set
    ("破产最多的是工业 98 家", "zh-Hans", [("98 家", 98, "count", "exact")]),
    ("11 只现货比特币 ETF 累计损失", "zh-Hans", []),
    ("本文将从三条主线展开", "zh-Hans", []),
    ("七个分项同步上升", "zh-Hans", []),
    # not quantities: dates, times, durations, ordinals, list numbers, years, names, URLs
    ("东八区时间2026年1月26日发布", "zh-Hans", []),
    ("3小时前", "zh-Hans", []),
    ("第三次减半后的第18个月", "zh-Hant", []),
    ("连续 5–7 天收在上方", "zh-Hans", []),
    ("在 1–3 个月内释放信号", "zh-Hans", []),
    ("Q4 財報", "zh-Hant", []),
    ("1.VVIX 一旦站上", "zh-Hans", []),
    ("标普500指数", "zh-Hans", []),
    ("S&P 500 futures", "en", []),
    ("Web3 and Layer 2", "en", []),
    ("as of January 26, 2025", "en", []),
    ("since mid-November 2025", "en", []),
    ("a four-week streak and a 10-year yield", "en", []),
    ("the 24/7 market at 10:30", "en", []),
    ("see https://t.me/aicoincn/123 or mail support@aicoin.com", "zh-Hans", []),
    ("down 2% over the past 24 hours", "en", [("2%", 2, "%", "exact")]),
    ("这一成熟通道", "zh-Hans", []),
    ("机构采用是二元的", "zh-Hans", []),
    ("the 11 spot bitcoin ETFs", "en", []),
]


@pytest.mark.parametrize("text,lang,expected", CASES, ids=[c[0][:30] for c in CASES])
def test_quantities(text, lang, expected):
    found = find_quantities(text, lang)
    got = [(q.text, q.value, q.unit, q.approx) for q in found]
    assert len(got) == len(expected), got
    for (g_text, g_value, g_unit, g_approx), (e_text, e_value, e_unit, e_approx) in zip(got, expected):
        assert (g_text, g_unit, g_approx) == (e_text, e_unit, e_approx)
        assert g_value == pytest.approx(e_value, rel=1e-9)
    for q in found:
        assert text[q.start:q.end] == q.text


def test_ranges_carry_low_and_high():
    [q] = find_quantities("扩大至负10%至负12%", "zh-Hans")
    assert (q.low, q.high, q.value) == (-12, -10, -11)


def test_offsets_survive_fullwidth_and_traditional_text():
    text = "規模達到１．５億美元，佔比約６０％。"
    found = find_quantities(text, "zh-Hant")
    assert [(q.text, q.value) for q in found] == [("１．５億美元", 1.5e8), ("６０％", 60)]
    assert all(text[q.start:q.end] == q.text for q in found)
