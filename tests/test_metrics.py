"""Metric type and direction of a figure, one example per line:
(lang, sentence, figure text, metric, sign of the claim value, or None for a level without direction).

The sentences are written in the styles of newswires and crypto media (Reuters, Bloomberg, CoinDesk,
mainland and Taiwan/Hong Kong Chinese); a misclassification found in the wild becomes one more line.
"""
from __future__ import annotations

import re

import pytest

from extract.claimcontext import ClaimContext
from extract.metrics import MetricResult, classify_metric
from extract.normalize import normalize
from extract.quantities import find_quantities

CASES = [
    # fund flows: direction from the flow word, before or after the figure
    ("en", "Spot bitcoin ETFs pulled in $1.2 billion on Tuesday, the biggest daily haul since March.",
     "$1.2 billion", "fund_flow", 1),
    ("en", "BlackRock's IBIT posted net outflows of $332.6 million, while Fidelity's FBTC shed $88 million.",
     "$88 million", "fund_flow", -1),
    ("en", "Crypto funds suffered redemptions of $240 million, the third straight week of withdrawals.",
     "$240 million", "fund_flow", -1),
    ("en", "Investors poured $7.3 billion into money-market funds in the latest week.", "$7.3 billion", "fund_flow", 1),
    ("en", "The largest bitcoin fund saw $420 million leave on Thursday alone.", "$420 million", "fund_flow", -1),
    ("en", "Bond funds attracted $8.6 billion, the 20th straight week of inflows, while equity funds lost $4.1 billion.",
     "$4.1 billion", "fund_flow", -1),
    ("zh-Hans", "以太坊现货ETF上周净赎回2.1亿美元,连续第三周录得资金流出。", "2.1亿美元", "fund_flow", -1),
    ("zh-Hans", "灰度GBTC昨日流出1.5亿美元,流入方面,贝莱德IBIT获2.4亿美元。", "2.4亿美元", "fund_flow", 1),
    ("zh-Hans", "北向资金全天净买入56.7亿元,连续三日净流入。", "56.7亿元", "fund_flow", 1),
    ("zh-Hant", "比特幣現貨ETF上週淨流出逾11億美元,創下今年以來最大單週贖回規模。", "11億美元", "fund_flow", -1),
    ("zh-Hant", "外資今日賣超台股152億元,連續三日撤出。", "152億元", "fund_flow", -1),
    ("zh-Hant", "灰度以太坊信託昨日遭贖回8,120萬美元,累計淨流出已達18億美元。", "18億美元", "fund_flow", -1),
    # prices, targets and price changes
    ("en", "Bitcoin fell 4.3% to $84,200 in Asian trading, its lowest level since November.", "4.3%", "price_change", -1),
    ("en", "Bitcoin fell 4.3% to $84,200 in Asian trading, its lowest level since November.", "$84,200", "price", None),
    ("en", "Brent crude futures settled 0.8% lower at $73.02 a barrel.", "$73.02", "price", None),
    ("en", "Shares of Coinbase jumped 8.2% to $265.40 in premarket trading.", "8.2%", "price_change", 1),
    ("en", "Standard Chartered cut its year-end bitcoin target to $100,000 from $200,000.", "$100,000", "price_target", None),
    ("zh-Hans", "截至发稿,比特币报96,500美元,日内涨幅2.3%。", "96,500美元", "price", None),
    ("zh-Hans", "受此影响,该公司股价较发行价跌去近七成。", "七成", "price_change", -1),
    ("zh-Hant", "比特幣價格今日回升至9.8萬美元,較上週低點反彈約12%。", "9.8萬美元", "price", None),
    ("zh-Hant", "恒指收跌2.1%,報19,200點,成交額1,350億港元。", "2.1%", "price_change", -1),
    ("zh-Hant", "台股加權指數終場大漲312點,漲幅1.5%,收在21,000點。", "21,000點", "index_level", None),
    # market value, assets, holdings, reserves, liquidations, purchases
    ("en", "Tesla shares tumbled 12% on Thursday, wiping about $100 billion off its market value.",
     "$100 billion", "market_cap_change", -1),
    ("en", "Total crypto market capitalization slid 4% to $3.2 trillion.", "$3.2 trillion", "market_cap", None),
    ("zh-Hans", "截至11月底,稳定币总市值约为2100亿美元,较上月增长3%。", "3%", "market_cap_change", 1),
    ("zh-Hans", "该基金资产管理规模较年初缩水18%,降至约420亿美元。", "18%", "aum_change", -1),
    ("zh-Hans", "该基金资产管理规模较年初缩水18%,降至约420亿美元。", "420亿美元", "aum", None),
    ("en", "Money market fund assets climbed to a record $6.85 trillion in the week ended Nov. 20.",
     "$6.85 trillion", "aum", None),
    ("en", "The company holds 446,400 bitcoin, worth roughly $42 billion at current prices.", "$42 billion", "holding", None),
    ("zh-Hant", "交易所比特幣儲備量本月減少約3.5萬枚BTC,價值約34億美元。", "34億美元", "reserves_change", -1),
    ("zh-Hant", "據Glassnode數據,長期持有者在過去30天內拋售約12.8萬枚比特幣。", "12.8萬枚比特幣", "reserves_change", -1),
    ("en", "More than $1.1 billion of leveraged positions were liquidated over the past 24 hours.",
     "$1.1 billion", "liquidation", None),
    ("zh-Hans", "据CoinGlass数据,过去24小时全网爆仓金额达12亿美元,超过30万人被强平。", "30万人", "count", None),
    ("zh-Hans", "Strategy本周以约5.3亿美元购入5,000枚比特币,目前共持有50万枚比特币。", "5.3亿美元", "purchase", None),
    ("zh-Hans", "Strategy本周以约5.3亿美元购入5,000枚比特币,目前共持有50万枚比特币。", "50万枚比特币", "holding", None),
    # shares, probabilities, rates and their changes
    ("en", "About 70% of the outflows came from U.S.-listed products.", "70%", "share", None),
    ("zh-Hant", "富達旗下FBTC持有約20萬枚比特幣,占現貨ETF總持倉的17%。", "17%", "share", None),
    ("en", "Traders now see a 68% chance the Fed will cut rates in December, according to CME FedWatch.",
     "68%", "probability", None),
    ("zh-Hans", "根据CME FedWatch工具,交易员认为美联储1月维持利率不变的可能性为91.5%。", "91.5%", "probability", None),
    ("en", "The 10-year Treasury yield rose 7 basis points to 4.42%.", "7 basis points", "rate_change", 1),
    ("en", "The 10-year Treasury yield rose 7 basis points to 4.42%.", "4.42%", "rate", None),
    ("en", "U.S. 10-year yields eased 5 bps to 4.18%.", "5 bps", "rate_change", -1),
    ("zh-Hans", "美联储宣布降息25个基点,将联邦基金利率目标区间下调至4.25%-4.5%。", "25个基点", "rate_change", -1),
    ("zh-Hant", "美國失業率意外升至4.3%,高於市場預期的4.1%。", "4.3%", "rate", None),
    ("zh-Hans", "美国10月CPI同比上涨2.6%,核心CPI上涨3.3%。", "2.6%", "rate", None),
    ("zh-Hans", "以太坊质押年化收益率约为3.2%,低于美国国债收益率。", "3.2%", "rate", None),
    # index levels, counts, rules of thumb, other
    ("en", "The VIX jumped to 28.5, its highest since April.", "28.5", "index_level", None),
    ("zh-Hans", "周一,A股三大指数集体收跌,上证指数跌1.2%报3200点,创业板指跌幅达2.5%。", "3200点", "index_level", None),
    ("zh-Hant", "據統計,今年以來已有47家加密貨幣企業破產。", "47家", "count", None),
    ("zh-Hant", "分析師指出,黃金ETF每流入10噸,金價平均上漲約1.2%。", "1.2%", "elasticity", 1),
    ("en", "For every $1 billion of net inflows, bitcoin's price rises roughly 5%, the analysts estimate.",
     "5%", "elasticity", 1),
    ("zh-Hant", "比特幣衍生品未平倉合約總額升至480億美元,創歷史新高。", "480億美元", "other", None),
    ("zh-Hans", "本周加密市场共发生3起黑客攻击,损失金额合计约1.2亿美元。", "1.2亿美元", "other", -1),
    # "X rose to Y": Y is the level of what X names; "by N": a change
    ("en", "Ether ETFs have bled $1.4 billion over the past three weeks as the token slumped below $3,000.",
     "$3,000", "price", None),
    ("zh-Hans", "比特币ETF周度净流出扩大至20亿美元。", "20亿美元", "fund_flow", -1),
    ("zh-Hant", "聯準會9月降息一碼的機率已升至92%。", "92%", "probability", None),
    ("en", "The central bank raised its benchmark rate by 50 basis points to 5.25%.", "50 basis points", "rate_change", 1),
    ("en", "Stablecoin supply on Ethereum hit a record $127 billion in December.", "$127 billion", "other", None),
    ("en", "The token has shed 40% of its value since the hack.", "40%", "price_change", -1),
    ("en", "Foreign investors dumped a net $2.1 billion of Indian equities in January.", "$2.1 billion", "fund_flow", -1),
    ("zh-Hant", "美元兌新台幣收在32.5元,貶值0.3%。", "0.3%", "price_change", -1),
    # ellipsis: a bare figure after a parallel one takes its decision
    ("en", "Bitcoin funds lost $1.09 billion; ether funds $630 million.", "$630 million", "fund_flow", -1),
    ("zh-Hans", "道指收涨0.6%,标普500指数0.9%。", "0.9%", "price_change", 1),
    # a written sign wins for changes
    ("zh-Hans", "比特币过去24小时涨跌幅为-2.4%,成交量明显放大。", "-2.4%", "price_change", -1),
    ("zh-Hant", "日本央行將短期政策利率維持在負0.1%。", "負0.1%", "rate", None),
    ("en", "IBIT: -$61.2 million in net flows on Friday.", "-$61.2 million", "fund_flow", -1),
]


def context(text: str, lang: str, figure: str) -> ClaimContext:
    """The ClaimContext of ``figure`` when the whole text is one sentence and one paragraph."""
    quantities = find_quantities(text, lang)
    index = next(i for i, q in enumerate(quantities) if q.text == figure)
    return ClaimContext(
        text=text, norm=normalize(text, simplify=lang.startswith("zh")), lang=lang, doc_date=None,
        quantity=quantities[index], sentence=(0, len(text)), paragraph=(0, len(text)),
        quantities=quantities, index=index,
    )


def signed(ctx: ClaimContext, result: MetricResult) -> float:
    value = ctx.quantity.value
    return abs(value) * result.direction if result.direction else value


@pytest.mark.parametrize("lang,text,figure,metric,sign", CASES, ids=[f"{c[2]}:{c[3]}" for c in CASES])
def test_metric_and_sign(lang, text, figure, metric, sign):
    ctx = context(text, lang, figure)
    result = classify_metric(ctx)
    assert result.metric == metric, result
    if sign is None:
        assert result.direction is None, result   # a level keeps the sign written on it
    else:
        assert (signed(ctx, result) > 0) == (sign > 0), result


def test_echo_of_the_same_figure_decides_a_bare_headline():
    text = "Two-month backdrop: $4.2 billion gone\nSpot bitcoin ETFs lost $4.2 billion in November and December."
    quantities = find_quantities(text, "en")
    ctx = ClaimContext(text=text, norm=normalize(text, simplify=False), lang="en", doc_date=None,
                       quantity=quantities[0], sentence=(0, text.index("\n")), paragraph=(0, text.index("\n")),
                       quantities=quantities, index=0)
    result = classify_metric(ctx)
    assert (result.metric, result.direction) == ("fund_flow", -1)


def test_list_items_take_the_flow_of_their_lead_in_line():
    text = "Weekly flows by fund:\nSPY +$12 billion\nQQQ +$2.8 billion"
    quantities = find_quantities(text, "en")
    start = text.index("QQQ")
    ctx = ClaimContext(text=text, norm=normalize(text, simplify=False), lang="en", doc_date=None,
                       quantity=quantities[1], sentence=(start, len(text)), paragraph=(start, len(text)),
                       quantities=quantities, index=1)
    assert classify_metric(ctx).metric == "fund_flow"


def test_cue_words_are_found_the_same_in_lowered_text():
    """The scans run case-sensitively over ASCII-lowered text (several times faster in ``re``):
    every group must find exactly what its case-insensitive regex finds in the original text."""
    from extract.metrics import ASCII_LOWER, tables

    texts = [
        "Spot Bitcoin ETFs Saw NET INFLOWS of $1.2B; OUTFLOWS hit IBIT, while AUM rose. inflowsX xINFLOWS",
        "比特币现货ETF本周净流入12亿美元，资产管理规模升至1000亿美元，Net Outflows 收窄。",
        "Redemptions/Inflows: Market-Cap fell; PRICE TARGET raised to $150k (prices, Rate-Cut odds 63%).",
    ]
    for text in texts:
        lowered = text.translate(ASCII_LOWER)
        for g in tables()["groups"]:
            for lo, hi in ((0, len(text)), (3, len(text) - 7), (10, 40)):
                expected = [m.span() for m in g.regex.finditer(text, lo, hi)]
                assert [m.span() for m in g.lowered.finditer(lowered, lo, hi)] == expected, (g.name, text, lo, hi)


def test_a_chinese_cue_word_with_ascii_letters_is_refused():
    from extract.metrics import lowered_words_regex

    with pytest.raises(ValueError):
        lowered_words_regex(["ETF净流入"], None)


def varied_texts(words: list[str], n: int = 60, seed: int = 7) -> list[str]:
    """Texts of table words (as written, upper-cased, capitalised, cut short), letters, CJK,
    digits and punctuation, joined with and without spaces: words touching, overlapping, cut."""
    import random

    rnd = random.Random(seed)
    bits = ["a", "s", "X", "0", "9", " ", ",", "，", ".", "。", "-", "'", "的", "率", "\n", "İ", "ſ", "K"]
    texts = []
    for _ in range(n):
        parts = []
        for _ in range(rnd.randint(5, 40)):
            w = rnd.choice(words) if rnd.random() < 0.6 else rnd.choice(bits)
            w = rnd.choice([w, w, w.upper(), w.capitalize(), w[:-1] or w, w[1:] or w])
            parts.append(w + rnd.choice(["", "", " ", "s", "ing"]))
        texts.append("".join(parts))
    return texts


def spans(text: str):
    """The whole text, cuts inside it (mid-word too) and an empty span."""
    n = len(text)
    return [(0, n), (1, n - 1), (n // 3, 2 * n // 3), (n // 2, n // 2), (5, 17), (0, 1)]


def test_words_in_finds_what_every_groups_finditer_finds():
    """The prefilter (``word_starts`` + ``match`` at word starts) must equal the plain scan of every
    group's regex over [lo, hi), lookbehind at lo and lookahead at hi included."""
    from extract.metrics import ascii_lower, tables, words_in
    from extract.wordindex import word_starts

    t = tables()
    words = [w for g in t["groups"] for w in g.words] + ["ETF", "Net Inflows", "净流入", "flowsx"]
    for text in varied_texts(words, n=120):
        lowered = ascii_lower(text)
        found = word_starts(t["word_index"], lowered, 0, len(lowered))
        starts, masks = [p for p, _ in found], [m for _, m in found]
        for lo, hi in spans(text):
            expected = [(g, m.start(), m.end()) for g in t["groups"] for m in g.lowered.finditer(lowered, lo, hi)]
            assert words_in(t, lowered, starts, masks, lo, hi) == expected, (text, lo, hi)


def test_trie_alternation_matches_as_the_flat_alternation():
    from extract.metrics import tables
    from extract.tables import trie_alternation
    from extract.tables import alternation

    word_sets = [[w for g in tables()["groups"] for w in g.words], ["a", "ab", "abc", "abd", "b", "ba", "a.b", "(x"]]
    for words in word_sets:
        flat, trie = re.compile(alternation(words)), re.compile(trie_alternation(words))
        for text in varied_texts(words, n=40, seed=3) + ["abcabd ab a.b a.c (x"]:
            for lo, hi in spans(text):
                assert [m.span() for m in trie.finditer(text.lower(), lo, hi)] == \
                       [m.span() for m in flat.finditer(text.lower(), lo, hi)], (words[:3], text)


def test_ascii_lower_is_the_translation():
    from extract.metrics import ASCII_LOWER, ascii_lower

    for text in varied_texts(["ETF", "Net Outflows", "比特币", "ÀÉ", "İstanbul", "ǅ"], n=30):
        assert ascii_lower(text) == text.translate(ASCII_LOWER)
