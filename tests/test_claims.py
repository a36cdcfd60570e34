"""Full claims from sentences written for these tests (not from the seed articles), in the styles
of Reuters/Bloomberg/CoinDesk English and mainland, Taiwan and Hong Kong Chinese.

Each case: (text, lang, publication date, [(figure, subject, metric, sign, period, source), ...]).
``sign`` is +1/-1 for flows and changes, 0 for levels; ``period`` is a (start, end) pair of ISO
dates or None when the case does not check it; ``source`` likewise (None = not checked, "" = none).
"""
from __future__ import annotations

import datetime as dt

import pytest

from extract import extract_document
from schemas import Document, DocumentMeta

MON, TUE, WED, THU, FRI = "2026-03-09", "2026-03-10", "2026-03-11", "2026-03-12", "2026-03-13"
LAST_WEEK = ("2026-03-02", "2026-03-08")

CASES = [
    # --- English, wire style
    ("Bitcoin ETFs recorded net outflows of $903 million on Thursday, according to Farside Investors.",
     "en", FRI, [("$903 million", "btc-etfs", "fund_flow", -1, ("2026-03-12", "2026-03-12"), "farside")]),
    ("BlackRock's iShares Bitcoin Trust (IBIT) took in $112.4 million last week, data from SoSoValue show.",
     "en", MON, [("$112.4 million", "ibit", "fund_flow", +1, LAST_WEEK, "sosovalue")]),
    ("Digital asset investment products saw inflows of US$2.2bn last week, CoinShares said.",
     "en", MON, [("US$2.2bn", "digital-asset-products", "fund_flow", +1, LAST_WEEK, "coinshares")]),
    ("Outflows from Ethereum products totalled $95 million, while Solana saw inflows of $12 million.",
     "en", MON, [("$95 million", "eth", "fund_flow", -1, None, None),
                 ("$12 million", "sol", "fund_flow", +1, None, None)]),
    ("Solana, XRP and Cardano funds attracted $14 million, $9 million and $2 million respectively.",
     "en", MON, [("$14 million", "sol", "fund_flow", +1, None, None),
                 ("$9 million", "xrp", "fund_flow", +1, None, None),
                 ("$2 million", "ada", "fund_flow", +1, None, None)]),
    ("Ether fell 4.2% to $2,310 on Tuesday.",
     "en", WED, [("4.2%", "eth", "price_change", -1, (TUE, TUE), None),
                 ("$2,310", "eth", "price", 0, (TUE, TUE), None)]),
    ("The Federal Reserve held its benchmark rate at 3.50%-3.75% on Wednesday.",
     "en", THU, [("3.50%-3.75%", "fed", "rate", 0, None, None)]),
    ("Traders now see a 62% probability of a rate cut by the Fed in June, according to CME FedWatch.",
     "en", TUE, [("62%", "fed", "probability", 0, (TUE, TUE), "cme-fedwatch")]),
    ("U.S. spot bitcoin ETFs have shed about $4.5 billion so far this month.",
     "en", "2026-02-20", [("$4.5 billion", "btc-etfs", "fund_flow", -1, ("2026-02-01", "2026-02-20"), None)]),
    ("The Nasdaq Composite dropped 1.8%, while the Dow Jones Industrial Average rose 0.3%.",
     "en", TUE, [("1.8%", "nasdaq", "price_change", -1, None, None),
                 ("0.3%", "dow", "price_change", +1, None, None)]),
    # --- Simplified Chinese, mainland style
    ("据CoinShares数据，上周比特币投资产品净流入4.5亿美元。",
     "zh-Hans", MON, [("4.5亿美元", "btc", "fund_flow", +1, LAST_WEEK, "coinshares")]),
    ("以太坊现货ETF周三净流出1.2亿美元。",
     "zh-Hans", FRI, [("1.2亿美元", "eth-etfs", "fund_flow", -1, (WED, WED), None)]),
    ("美联储将利率维持在3.5%至3.75%不变。",
     "zh-Hans", THU, [("3.5%至3.75%", "fed", "rate", 0, None, None)]),
    ("根据CME美联储观察工具，3月降息概率为18.5%。",
     "zh-Hans", TUE, [("18.5%", "fed", "probability", 0, None, "cme-fedwatch")]),
    ("纳指下跌1.2%，标普500指数下跌0.8%。",
     "zh-Hans", TUE, [("1.2%", "nasdaq", "price_change", -1, None, None),
                      ("0.8%", "sp500", "price_change", -1, None, None)]),
    ("灰度比特币信托(GBTC)当日净流出8,600万美元。",
     "zh-Hans", TUE, [("8,600万美元", "gbtc", "fund_flow", -1, None, None)]),
    ("数字资产投资产品上周净流出1.5亿美元。瑞士、德国和加拿大分别流入1200万、900万和500万美元。",
     "zh-Hans", MON, [("1.5亿美元", "digital-asset-products", "fund_flow", -1, LAST_WEEK, None),
                      ("1200万", "digital-asset-products", "fund_flow", +1, None, None),
                      ("900万", "digital-asset-products", "fund_flow", +1, None, None),
                      ("500万美元", "digital-asset-products", "fund_flow", +1, None, None)]),
    # --- Traditional Chinese, Taiwan and Hong Kong style
    ("根據Farside數據，貝萊德IBIT週五淨流入3.2億美元。",
     "zh-Hant", MON, [("3.2億美元", "ibit", "fund_flow", +1, None, "farside")]),
    ("比特幣本週下跌7%，收在6.8萬美元附近。",
     "zh-Hant", FRI, [("7%", "btc", "price_change", -1, None, None),
                      ("6.8萬美元", "btc", "price", 0, None, None)]),
    ("聯準會12月降息的機率升至七成。",
     "zh-Hant", TUE, [("七成", "fed", "probability", 0, None, None)]),
    ("香港的比特幣現貨ETF上週錄得淨流出約2,000萬港元。",
     "zh-Hant", MON, [("2,000萬港元", "btc-etfs", "fund_flow", -1, LAST_WEEK, None)]),
    ("輝達股價大漲5.1%，特斯拉則下跌2.4%。",
     "zh-Hant", TUE, [("5.1%", "nvidia", "price_change", +1, None, None),
                      ("2.4%", "tesla", "price_change", -1, None, None)]),
]


def _claims(text: str, lang: str, date: str):
    doc = Document(id="t", text=text, meta=DocumentMeta(lang=lang, date=dt.date.fromisoformat(date)))
    return extract_document(doc).claims


@pytest.mark.parametrize("text,lang,date,expected", CASES, ids=[c[0][:24] for c in CASES])
def test_claims(text, lang, date, expected):
    claims = _claims(text, lang, date)
    by_text = {c.text: c for c in claims}
    for figure, subject, metric, sign, period, source in expected:
        assert figure in by_text, [c.text for c in claims]
        c = by_text[figure]
        assert (c.subject, c.metric) == (subject, metric), c
        got_sign = 0 if metric not in SIGNED else (1 if c.value > 0 else -1)
        assert got_sign == sign, c
        if period is not None:
            assert c.period is not None and tuple(d.isoformat() for d in c.period) == period, c
        if source is not None:
            assert (c.source or "") == source, c


SIGNED = {"fund_flow", "price_change", "market_cap_change", "aum_change", "rate_change", "reserves_change"}


def test_display_forms():
    from extract.display import display_claim
    from schemas import Claim

    flow = Claim(id="c1", start=0, end=1, text="x", value=17.1e6, unit="USD", subject="sol", metric="fund_flow")
    assert display_claim(flow) == "SOL +$17.1M"
    out = Claim(id="c2", start=0, end=1, text="x", value=-537e6, unit="USD", subject="ibit", metric="fund_flow")
    assert display_claim(out) == "IBIT −$537M"
    price = Claim(id="c3", start=0, end=1, text="x", value=90000, unit="USD", approx="about", subject="btc", metric="price")
    assert display_claim(price) == "BTC price ≈ $90,000"
    rate = Claim(id="c4", start=0, end=1, text="x", value=3.625, low=3.5, high=3.75, unit="%", subject="fed", metric="rate")
    assert display_claim(rate) == "Fed rate 3.5–3.75%"
    assert display_claim(out, "zh").startswith("IBIT") or "资金流" in display_claim(out, "zh")


def test_regions_of_a_respectively_list():
    text = "Digital asset investment products saw outflows of $150 million last week. " \
           "Switzerland, Germany and Canada recorded inflows of $12 million, $9 million and $5 million, respectively."
    claims = _claims(text, "en", MON)
    assert [(c.subject, c.region, c.value) for c in claims] == [
        ("digital-asset-products", None, -150e6),
        ("digital-asset-products", "CH", 12e6),
        ("digital-asset-products", "DE", 9e6),
        ("digital-asset-products", "CA", 5e6),
    ]


def test_holding_names_holder_object_and_region():
    text = "三井住友信托银行目前持有约 9,660 万美元的 MicroStrategy(MSTR)股票。"
    [claim] = _claims(text, "zh-Hans", MON)
    assert (claim.subject, claim.metric, claim.object, claim.region) == ("sumitomo-mitsui-trust", "holding", "mstr", "JP")


def test_unknown_organisation_still_becomes_a_subject():
    text = "Acme Capital Partners holds $250 million of bitcoin."
    [claim] = _claims(text, "en", MON)
    assert claim.subject == "acme-capital-partners"


def test_sentences_found_from_arrays_are_spacys_own():
    """``sentence_of`` (bisection over sentence starts) gives what ``span.sent`` gives, and the
    ``line_breaks`` component starts a sentence after every token holding a line break."""
    from pathlib import Path

    from extract.claims import sentence_of, sentence_starts
    from extract.pipeline import parse
    from extract.readers import read_documents

    docs = list(read_documents([Path(__file__).resolve().parents[1] / "corpus"]))
    assert docs
    for document in docs:
        doc = parse(document.text, document.meta.lang or "zh-Hans")
        starts = sentence_starts(doc)
        for span in doc.spans["quantities"]:
            assert sentence_of(doc, starts, span) == (span.sent.start_char, span.sent.end_char)
        for token in doc[:-1]:
            if "\n" in token.text_with_ws:
                assert doc[token.i + 1].is_sent_start
