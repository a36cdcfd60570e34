"""The claim-building shortcuts give what the plain forms give: look-ups that skip pydantic's
private-attribute __getattr__, labels read without building a dict, a document's subject
candidates worked out once (``ClaimContext.candidates``), settle_subject given whole lists."""
from __future__ import annotations

import dataclasses

import pytest

import extract.claims as claims
from extract import extract_document
from extract.catalog import load_catalog
from extract.subjects import Subject, _is_candidate, attach_subject, settle_subject, subject_candidates
from schemas import Document, DocumentMeta, Quantity

TEXTS = [
    ("Solana, XRP and Cardano funds attracted $14 million, $9 million and $2 million respectively. "
     "BlackRock's iShares Bitcoin Trust (IBIT) took in $112.4 million, according to Farside Investors.\n"
     "Outflows from Ethereum products totalled $95 million. The total reached $200 million.", "en"),
    ("据SoSoValue数据，比特币现货ETF上周净流入3.2亿美元，其中贝莱德(BlackRock)的IBIT流入2.1亿美元。\n"
     "以太坊ETF与Solana ETF分别流出1200万美元和300万美元，两者合计1500万美元。美国市场流出1.8亿美元。", "zh-Hans"),
    ("Strategy holds 640,031 BTC after buying 1,229 BTC on Binance; Bitcoin accounts for 60% of crypto market cap.",
     "en"),
]


def _old_label(entity, lang: str) -> str:
    """Entity.label as first written, through Names.by_lang()."""
    names = entity.names.by_lang()
    if lang == "zh" and names.get("zh-Hans"):
        return names["zh-Hans"][0]
    if entity.display:
        return entity.display
    if entity.tickers and entity.kind in ("asset", "fund"):
        return entity.tickers[0]
    return min(names.get("en") or (entity.id,), key=len)


def test_catalog_look_ups_equal_a_plain_index():
    catalog = load_catalog()
    by_id = {e.id: e for e in catalog}
    by_code = {e.code: e for e in catalog if e.code is not None}
    for entity_id, entity in by_id.items():
        assert catalog.get(entity_id) is entity and entity_id in catalog
        assert all(parent in catalog.ancestors(entity_id) for parent in entity.part_of)
    for code, entity in by_code.items():
        assert catalog.by_code(code) is entity
    assert catalog.get("no-such-id") is None and "no-such-id" not in catalog and catalog.by_code("XX") is None
    with pytest.raises(KeyError):
        catalog.ancestors("no-such-id")


def test_labels_equal_the_by_lang_form():
    for entity in load_catalog():
        for lang in ("en", "zh", "zh-Hans"):
            assert entity.label(lang) == _old_label(entity, lang)


def _document(text: str, lang: str) -> Document:
    return Document(id="t", text=text, meta=DocumentMeta(lang=lang, date="2026-03-13"))


@pytest.mark.parametrize("text,lang", TEXTS)
def test_shared_candidates_give_the_subjects_worked_out_per_figure(monkeypatch, text, lang):
    seen = []
    real = claims.attach_subject

    def checked(ctx, metric, earlier):
        assert ctx.candidates is not None
        assert ctx.candidates == [m for m in ctx.mentions if _is_candidate(ctx.norm, ctx.mentions, m)]
        alone = attach_subject(dataclasses.replace(ctx, candidates=None), metric, list(earlier))
        shared = real(ctx, metric, earlier)
        assert shared == alone
        seen.append(shared)
        return shared

    monkeypatch.setattr(claims, "attach_subject", checked)
    result = extract_document(_document(text, lang))
    assert len(seen) == len(result.claims) >= 3
    assert any(s.subject for s in seen)


def test_subject_candidates_keep_mention_order_and_drop_sources():
    from extract.claimcontext import Mention
    norm = "According to Farside, IBIT (BlackRock) took in $5 million."
    far = Mention(13, 20, "Farside", "farside", "data-provider")
    ibit = Mention(22, 26, "IBIT", "ibit", "fund")
    blk = Mention(28, 37, "BlackRock", "blackrock", "issuer")
    assert subject_candidates(norm, [far, ibit, blk]) == [ibit]


def test_settle_subject_reads_only_the_figures_up_to_i():
    q = [Quantity(start=10 * k, end=10 * k + 3, text="$5M", value=5e6, unit="USD", kind="money") for k in range(4)]
    metrics = ["fund_flow", "fund_flow", "price", "fund_flow"]
    subjects = [Subject("ibit"), Subject("btc", named=False), Subject(None, named=False), Subject(None, named=False)]
    periods = [None] * 4
    for i in range(4):
        whole = settle_subject(i, q, metrics, subjects, periods)
        prefix = settle_subject(i, q[:i + 1], metrics[:i + 1], subjects[:i + 1], periods[:i + 1])
        assert whole == prefix
    assert settle_subject(3, q, metrics, subjects, periods).subject == "ibit"
