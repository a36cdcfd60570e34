"""The cross-check on small stores built from articles written for these tests: each finding
kind, the traps it must not flag, and explanations in English and Chinese."""
from __future__ import annotations

import datetime as dt

import pytest

from extract import EXTRACTOR_VERSION, extract_document
from extract.crosscheck import run_crosscheck
from extract.crosscheck.facts import interval_of
from extract.store import open_store, save_document
from schemas import Document, DocumentMeta

MONDAY = dt.date(2026, 3, 9)


def store_of(tmp_path, *articles):
    """A real SQLite store holding the articles: (id, text, lang[, date])."""
    db = open_store(tmp_path / "claims.db")
    for doc_id, text, lang, *date in articles:
        meta = DocumentMeta(lang=lang, date=date[0] if date else MONDAY)
        result = extract_document(Document(id=doc_id, text=text, meta=meta))
        save_document(db, result.document, result.claims, result.sentences, EXTRACTOR_VERSION, result.displays)
    return db


def kinds(findings, severity=None):
    return sorted({f.kind for f in findings if severity is None or f.severity == severity})


def test_intervals_follow_precision_and_qualifiers():
    assert interval_of(-1.73e9, "exact", text="17.3 亿美元") == pytest.approx((-1.735e9, -1.725e9))
    lo, hi = interval_of(90, "nearly", text="九成")
    assert hi == 90 and lo < 85
    assert interval_of(1.7e9, "over", text="17 亿美元")[1] == float("inf")
    assert interval_of(63, "exact", text="63%") == (62.5, 63.5)


def test_a_share_that_does_not_match_its_amounts_is_an_error(tmp_path):
    text = ("据CoinShares数据，上周数字资产投资产品净流出20亿美元。比特币产品净流出12亿美元，以太坊产品净流出7亿美元。"
            "按20亿美元总额计算，比特币与以太坊合计占比约七成。")
    findings = run_crosscheck(store_of(tmp_path, ("a", text, "zh-Hans")))
    [share] = [f for f in findings if f.kind == "share"]
    assert share.severity == "error" and share.verdict == "inconsistent"
    assert share.numbers["computed"] == pytest.approx(95.0)
    assert "95.0%" in share.explanation


def test_a_share_that_matches_is_only_information(tmp_path):
    text = "Bitcoin products saw outflows of $1.09 billion, 63% of total outflows of $1.73 billion last week."
    text = ("Digital asset investment products saw outflows of $1.73 billion last week. "
            "Bitcoin products led with outflows of $1.09 billion, accounting for 63% of the total.")
    findings = run_crosscheck(store_of(tmp_path, ("a", text, "en")))
    assert [f.severity for f in findings if f.kind == "share"] == ["info"]


def test_a_ten_times_slip_between_sources_is_a_scale_suspect(tmp_path):
    zh = ("a", "据FactSet数据，上周美国上市ETF净流入430亿美元。", "zh-Hans")
    en = ("b", "US-listed ETFs took in $4.3 billion last week, according to FactSet.", "en")
    findings = run_crosscheck(store_of(tmp_path, zh, en))
    [scale] = [f for f in findings if f.kind == "scale_suspect"]
    assert scale.severity == "warning" and scale.numbers["ratio"] == 10


def test_figures_that_disagree_across_sources_conflict(tmp_path):
    a = ("a", "IBIT saw net outflows of $537 million last week.", "en")
    b = ("b", "贝莱德IBIT上周净流出3.2亿美元。", "zh-Hans")
    findings = run_crosscheck(store_of(tmp_path, a, b))
    [conflict] = [f for f in findings if f.kind == "conflict"]
    assert conflict.verdict == "inconsistent"
    assert {c.role for c in conflict.claims} == {"side", "against"}


def test_rounding_and_qualifiers_are_not_conflicts(tmp_path):
    a = ("a", "IBIT saw net outflows of nearly $540 million last week.", "en")
    b = ("b", "贝莱德IBIT上周净流出5.37亿美元。", "zh-Hans")
    findings = run_crosscheck(store_of(tmp_path, a, b))
    assert "conflict" not in kinds(findings)
    assert [f.kind for f in findings] == ["agreement"]


def test_syndicated_copies_are_not_independent_agreement(tmp_path):
    story = ("Spot bitcoin ETFs recorded net outflows of $903 million last week as investors cut risk "
             "ahead of the Federal Reserve meeting, with redemptions spread across most issuers and "
             "volumes well above their monthly average according to market data compiled on Monday.")
    copy = story + "\n\nThis article first appeared on a partner site."
    findings = run_crosscheck(store_of(tmp_path, ("a", story, "en"), ("b", copy, "en")))
    assert "agreement" not in kinds(findings)


def test_a_headline_that_inflates_the_body_is_flagged(tmp_path):
    text = "百亿美元出逃：加密基金大撤离\n\n据CoinShares数据，上周数字资产投资产品净流出17.3亿美元。"
    findings = run_crosscheck(store_of(tmp_path, ("a", text, "zh-Hans")))
    [headline] = [f for f in findings if f.kind == "headline"]
    assert headline.severity == "error"
    assert {c.role for c in headline.claims} == {"headline", "body"}


def test_a_part_larger_than_its_total_without_offsets_is_an_error(tmp_path):
    text = ("加密ETF月度资金流\n\n11月，现货比特币ETF净流出35亿美元，以太坊ETF净流出14亿美元。"
            "同期全部加密ETF净流出仅29亿美元。")
    findings = run_crosscheck(store_of(tmp_path, ("a", text, "zh-Hans", dt.date(2025, 12, 3))))
    [exceeds] = [f for f in findings if f.kind == "subset_exceeds_total"]
    assert exceeds.severity == "error"


def test_a_region_larger_than_the_total_is_explained_by_inflows_elsewhere(tmp_path):
    text = ("Digital asset investment products saw outflows of $1.73 billion last week. "
            "The United States saw outflows of $1.8 billion, while Switzerland, Germany and Canada recorded "
            "inflows of $32.5 million, $19.1 million and $33.5 million, respectively.")
    findings = run_crosscheck(store_of(tmp_path, ("a", text, "en")))
    [exceeds] = [f for f in findings if f.kind == "subset_exceeds_total"]
    assert exceeds.severity == "info" and exceeds.verdict == "consistent"
    assert "offsetting" in exceeds.explanation


def test_parts_adding_up_to_their_stated_total(tmp_path):
    text = ("比特币ETF年末资金流\n\n11 月现货比特币 ETF 净流出 34.8 亿美元，12 月净流出 10.9 亿美元。"
            "11 月和 12 月合计净流出 45.7 亿美元。")
    findings = run_crosscheck(store_of(tmp_path, ("a", text, "zh-Hans", dt.date(2026, 1, 5))))
    sums = [f for f in findings if f.kind == "sum"]
    assert sums and all(f.severity == "info" for f in sums)


def test_prices_on_different_days_never_conflict(tmp_path):
    a = ("a", "Bitcoin traded at $91,000 on Monday.", "en", dt.date(2026, 3, 9))
    b = ("b", "Bitcoin traded at $84,000 on Thursday.", "en", dt.date(2026, 3, 12))
    assert "conflict" not in kinds(run_crosscheck(store_of(tmp_path, a, b)))


def test_explanations_in_chinese(tmp_path):
    zh = ("a", "据FactSet数据，上周美国上市ETF净流入430亿美元。", "zh-Hans")
    en = ("b", "US-listed ETFs took in $4.3 billion last week, according to FactSet.", "en")
    db = store_of(tmp_path, zh, en)
    [scale] = [f for f in run_crosscheck(db, lang="zh") if f.kind == "scale_suspect"]
    assert "单位" in scale.explanation and scale.lang == "zh"


def test_crosscheck_is_idempotent(tmp_path):
    db = store_of(tmp_path, ("a", "IBIT saw net outflows of $537 million last week.", "en"),
                  ("b", "贝莱德IBIT上周净流出3.2亿美元。", "zh-Hans"))
    assert run_crosscheck(db) == run_crosscheck(db)
