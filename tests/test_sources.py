"""The ``source`` field (extract/sources.py), by example: who the text says a figure comes from.

Mentions come from a plain alias scan of the catalog (longest first, non-overlapping), so these
tests do not depend on the spaCy mention finder.
"""
from __future__ import annotations

import re
from functools import lru_cache

import pytest

from extract.catalog import load_catalog
from extract.claimcontext import ClaimContext, Mention
from extract.normalize import normalize
from extract.quantities import find_quantities
from extract.sources import citations, cited_source

CJK = r"\u4e00-\u9fff"
SENTENCE_END = re.compile(r"[。！？!?；\n]|\.(?= )")


@lru_cache(maxsize=1)
def _alias_patterns() -> list[tuple[re.Pattern, str, str]]:
    catalog = load_catalog()
    exact = catalog.exact_case()
    variants: dict[tuple[str, bool], str] = {}
    for alias in catalog.aliases():
        spaced = re.sub(rf"(?<=[{CJK}])(?=[A-Za-z0-9])|(?<=[A-Za-z0-9])(?=[{CJK}])", " ", alias.text)
        for text in {alias.text, spaced}:
            variants[(text, alias.text in exact)] = alias.entity_id
    out = []
    for (text, same_case), entity_id in sorted(variants.items(), key=lambda kv: -len(kv[0][0])):
        pre = r"(?<![A-Za-z0-9])" if text[0].isascii() and text[0].isalnum() else ""
        post = r"(?![A-Za-z0-9])" if text[-1].isascii() and text[-1].isalnum() else ""
        pattern = re.compile(pre + re.escape(text) + post, 0 if same_case else re.I)
        out.append((pattern, entity_id, catalog.get(entity_id).kind))
    return out


def scan_mentions(text: str) -> list[Mention]:
    """Catalog aliases in ``text``: longest first, non-overlapping, in text order."""
    taken: list[tuple[int, int]] = []
    out = []
    for pattern, entity_id, kind in _alias_patterns():
        for m in pattern.finditer(text):
            if not any(a < m.end() and m.start() < b for a, b in taken):
                taken.append(m.span())
                out.append(Mention(m.start(), m.end(), m.group(), entity_id, kind))
    return sorted(out, key=lambda m: m.start)


def context(text: str, lang: str, figure: str, nth: int = 0) -> ClaimContext:
    """The ClaimContext of the ``nth`` figure whose text is ``figure``."""
    norm = normalize(text, simplify=lang.startswith("zh"))
    quantities = find_quantities(text, lang)
    hits = [i for i, q in enumerate(quantities) if q.text == figure]
    assert len(hits) > nth, f"{figure!r} not found among {[q.text for q in quantities]}"
    i = hits[nth]
    q = quantities[i]
    start = max((m.end() for m in SENTENCE_END.finditer(norm, 0, q.start)), default=0)
    end_match = SENTENCE_END.search(norm, q.end)
    p_start = norm.rfind("\n", 0, q.start) + 1
    p_end = norm.find("\n", q.end)
    return ClaimContext(
        text=text, norm=norm, lang=lang, doc_date=None, quantity=q,
        sentence=(start, end_match.end() if end_match else len(text)),
        paragraph=(p_start, len(text) if p_end < 0 else p_end),
        mentions=scan_mentions(text), quantities=quantities, index=i,
    )


CASES = [
    # ---------------------------------------------------------------- English
    ("en", "Spot bitcoin ETFs drew $1.2 billion last week, according to Farside data.", "$1.2 billion", "farside"),
    ("en", "Per CoinGlass, more than $900 million of leveraged positions were liquidated on Monday.",
     "$900 million", "coinglass"),
    ("en", "Glassnode data show that exchange balances fell 12% in October.", "12%", "glassnode"),
    ("en", "JPMorgan strategist Nikolaos Panigirtzoglou said the cost of mining implies a price of $94,000.",
     "$94,000", "jpmorgan"),
    ("en", "The Fed is likely to cut by 25 basis points in December, said Jan Hatzius, chief economist at "
           "Goldman Sachs.", "25 basis points", "goldman-sachs"),
    ("en", "Traders now price a 72% chance of a December rate cut, CME data show.", "72%", "cme-fedwatch"),
    # reported speech covers what follows the verb, not the clause before it
    ("en", "While bitcoin slid 4% on the day, Kraken's head of research noted that spot volumes rose 35%.",
     "4%", None),
    ("en", "While bitcoin slid 4% on the day, Kraken's head of research noted that spot volumes rose 35%.",
     "35%", "kraken"),
    # carried to later sentences of the paragraph
    ("en", "According to CoinShares, digital asset products took in $2.2 billion last week. Bitcoin products "
           "attracted $1.8 billion, while ether funds added $420 million.", "$420 million", "coinshares"),
    # a trailing "according to" covers its own sentence only
    ("en", "Ether funds lost $85 million, according to CoinShares. The token is down 30% this year.", "30%", None),
    # a citation that opens the next sentence and holds no figure reaches back
    ("en", "Crypto funds shed $1.7 billion last week. According to CoinShares, that was the largest outflow "
           "since November.", "$1.7 billion", "coinshares"),
    # an unnamed source interrupts the carry-over
    ("en", "According to CoinShares, products took in $2.2 billion last week. Analysts said the rally could "
           "lift bitcoin to $100,000.", "$100,000", None),
    # a new named source takes over
    ("en", "According to CoinShares, products took in $2.2 billion last week. Separately, SoSoValue data show "
           "ether ETFs drew $310 million on Friday.", "$310 million", "sosovalue"),
    # subjects are not sources
    ("en", "IBIT saw $537 million of redemptions on Thursday.", "$537 million", None),
    ("en", "BlackRock's IBIT recorded outflows of $400 million, its worst day since launch.", "$400 million", None),
    # across paragraphs: only with a continuation marker
    ("en", "According to ICI, money-market fund assets rose to $7.4 trillion.\nOf that total, retail funds "
           "held $2.9 trillion.", "$2.9 trillion", "ici"),
    ("en", "According to CoinShares, products took in $2.2 billion.\n\nThe US accounted for $1.9 billion.",
     "$1.9 billion", None),
    # ---------------------------------------------------------------- Simplified Chinese
    ("zh-Hans", "根据 Farside 的数据,比特币现货 ETF 周五净流入 3.2 亿美元。", "3.2 亿美元", "farside"),
    ("zh-Hans", "据彭博社报道,该基金上月规模增长 12%。", "12%", "bloomberg"),
    ("zh-Hans", "CoinGlass 数据显示,过去 24 小时全网爆仓 5.6 亿美元,其中多单占 78%。", "78%", "coinglass"),
    ("zh-Hans", "Glassnode 指出,交易所比特币余额降至 230 万枚。长期持有者的持仓占比升至 62%。", "62%", "glassnode"),
    ("zh-Hans", "CoinShares 报告显示,上周流入 9 亿美元。不过分析师认为,下周可能流出 5 亿美元。", "5 亿美元", None),
    ("zh-Hans", "高盛首席经济学家 Jan Hatzius 表示,美国经济明年增长 2.5%。", "2.5%", "goldman-sachs"),
    ("zh-Hans", "贝莱德旗下 IBIT 本周净流出 5.37 亿美元。", "5.37 亿美元", None),
    ("zh-Hans", "美银数据显示,上周科技股获得 43 亿美元资金流入。\n其中 ETF 占 60%。", "60%", "bofa"),
    ("zh-Hans", "美银数据显示,上周科技股获得 43 亿美元资金流入。\n比特币随后上涨 3%。", "3%", None),
    # a list after a colon carries the source; a finished sentence after it does not
    ("zh-Hans", "来自 SoSoValue 的数据显示,昨日各 ETF 净流入如下:\nIBIT +2.1 亿美元\nFBTC +8000 万美元\n"
                "市场情绪回暖,比特币上涨 3%。", "+8000 万美元", "sosovalue"),
    ("zh-Hans", "来自 SoSoValue 的数据显示,昨日各 ETF 净流入如下:\nIBIT +2.1 亿美元\nFBTC +8000 万美元\n"
                "市场情绪回暖,比特币上涨 3%。", "3%", None),
    # ---------------------------------------------------------------- Traditional Chinese (Taiwan / HK)
    ("zh-Hant", "根據 CME FedWatch 工具,市場預期聯準會 12 月降息一碼的機率為 65%。", "65%", "cme-fedwatch"),
    ("zh-Hant", "彭博資料顯示,恒指今年累計上漲 28%。", "28%", "bloomberg"),
    ("zh-Hant", "花旗預估,明年比特幣有望上看 15 萬美元。", "15 萬美元", "citigroup"),
    ("zh-Hant", "美銀最新基金經理調查顯示,現金水位降至 3.7%。受訪者中有 45% 預期經濟軟著陸。", "45%", "bofa"),
    ("zh-Hant", "比特幣週二下跌 3.5%,跌破 9 萬美元。", "3.5%", None),
    ("zh-Hant", "據比特幣鏈上數據,活躍地址減少 8%。", "8%", None),
]


@pytest.mark.parametrize("lang,text,figure,expected", CASES,
                         ids=[f"{i:02d}-{lang}-{expected}" for i, (lang, _, _, expected) in enumerate(CASES)])
def test_cited_source(lang, text, figure, expected):
    assert cited_source(context(text, lang, figure)) == expected


def test_every_figure_of_a_sentence_gets_the_citation():
    ctx = context("CoinGlass 数据显示,过去 24 小时全网爆仓 5.6 亿美元,其中多单占 78%。", "zh-Hans", "5.6 亿美元")
    assert cited_source(ctx) == "coinglass"


def test_citations_name_unnamed_sources_none():
    text = "数据显示,上周流入 9 亿美元,CoinShares 指出流出放缓。"
    norm = normalize(text)
    found = citations(norm, 0, len(text), scan_mentions(text))
    assert [c.source for c in found] == [None, "coinshares"]


def test_unlinked_organisations_can_be_sources():
    text = "According to Acme Research, stablecoin supply rose 4% in May."
    ctx = context(text, "en", "4%")
    start = text.index("Acme Research")
    ctx.mentions = [Mention(start, start + len("Acme Research"), "Acme Research", "acme-research",
                            "organisation", linked=False)]
    assert cited_source(ctx) == "acme-research"


def _varied_texts(n: int = 80, seed: int = 11) -> list[str]:
    """The example sentences, and mixes of cue words (as written, upper-cased, capitalised, cut
    short), source names, CJK, letters folding to ASCII (İ ı ſ K) and punctuation."""
    import random

    from extract.regexkeys import keys_of
    from extract.sources import _rules

    rnd = random.Random(seed)
    keys = sorted({k for p in [c.pattern for c in _rules()["cues"]] + _rules()["unnamed"] for k in keys_of(p) or ()})
    words = keys + ["CoinShares", "Glassnode", "FactSet", "Bloomberg", "analysts", "data show", "told reporters",
                    "称为", "声称", "数根据", "资金", "比特币", "ETF", "İ", "ı", "ſ", "K", " ", ", ", "，", ".", "\"", "’s"]
    texts = [normalize(text, simplify=lang.startswith("zh")) for lang, text, _, _ in CASES]
    for _ in range(n):
        parts = [rnd.choice(words) for _ in range(rnd.randint(4, 30))]
        parts = [rnd.choice([w, w, w.upper(), w.capitalize(), w[:-1] or w]) for w in parts]
        texts.append("".join(w + rnd.choice(["", " ", " ", "s"]) for w in parts))
    return texts


def _spans(text: str) -> list[tuple[int, int]]:
    n = len(text)
    return [(0, n), (1, n - 1), (n // 3, 2 * n // 3), (n // 2, n), (3, 11)]


def test_fold_lowers_what_re_ignorecase_matches_to_ascii_letters():
    """A character matches an ASCII letter under re.I exactly when ``fold`` makes it that letter."""
    from extract.wordindex import fold

    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    folded = fold(every)
    assert len(folded) == len(every)
    for letter in "abcdefghijklmnopqrstuvwxyz":
        assert [m.start() for m in re.finditer(letter, every, re.I)] == \
               [m.start() for m in re.finditer(letter, folded)], letter
    assert [m.start() for m in re.finditer("[a-z]", every, re.I)] == [m.start() for m in re.finditer("[a-z]", folded)]


def test_key_words_of_a_pattern():
    from extract.regexkeys import keys_of

    assert keys_of(re.compile(r"\b(?:Said|says)\b", re.I)) == {"said", "says"}
    assert keys_of(re.compile(r"(?:公开|链上)?(?:数据|资料)(?:显示|表明)")) == {"数据显示", "数据表明", "资料显示", "资料表明"}
    assert keys_of(re.compile(r"根据|(?<![数根])据")) == {"根据", "据"}
    assert keys_of(re.compile(r"[,\"”]\s*(?:said|told (?:reporters|clients))\b", re.I)) == \
        {"said", "told reporters", "told clients"}
    assert keys_of(re.compile(r"(?:latest )?(?:data|figures)", re.I)) == {"data", "figures"}
    assert keys_of(re.compile(r"(?:according to|x+yz)", re.I)) == {"according to", "yz"}
    assert keys_of(re.compile(r"x?|y")) is None                  # matches the empty string
    assert keys_of(re.compile(r"Said")) is None                  # case-sensitive: folding would lose it
    assert keys_of(re.compile(r"(?i:said)|数据")) is None         # flags inside: not looked into


def test_cue_mask_flags_every_pattern_that_matches_in_the_span():
    """The prefilter may run too many patterns, never too few: each pattern that finds something
    in [lo, hi) has its bit set."""
    from extract.sources import _cue_mask, _rules

    patterns = [c.pattern for c in _rules()["cues"]] + _rules()["unnamed"]
    matched = 0
    for text in _varied_texts():
        for lo, hi in _spans(text):
            mask = _cue_mask(text, lo, hi)
            for k, pattern in enumerate(patterns):
                if pattern.search(text, lo, hi):
                    matched += 1
                    assert mask >> k & 1, (pattern.pattern, text[lo:hi])
    assert matched > 200


def test_citations_are_those_of_every_pattern(monkeypatch):
    """Citations with the prefilter equal those found running every cue pattern."""
    import extract.sources as sources

    texts = _varied_texts(n=40)
    def run():
        sources._citations_cached.cache_clear()
        return [citations(t, lo, hi, scan_mentions(t)) for t in texts for lo, hi in _spans(t)]
    filtered = run()
    monkeypatch.setattr(sources, "_cue_mask", lambda norm, lo, hi: -1)
    assert run() == filtered
    assert sum(map(len, filtered)) > 50
    sources._citations_cached.cache_clear()
