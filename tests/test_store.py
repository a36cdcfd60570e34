"""The SQLite store: round trips, replacement on re-save, constraints, search, and clear errors."""
import datetime as dt
import sqlite3

import pytest

from extract.errors import StoreError
from extract.store import (
    document_stats,
    iter_documents,
    load_document_claims,
    open_store,
    save_document,
    search_claims,
    search_documents,
)
from schemas import Claim, Document, DocumentMeta

ZH_TEXT = "美国比特币现货ETF本周净流出5.37亿美元，以太坊ETF净流入1710万美元。"
EN_TEXT = "Solana ETFs drew $23.4m of inflows last week."


def span_claim(text, id, fragment, value, **fields):
    """A claim whose span is the first occurrence of ``fragment`` in ``text``."""
    start = text.index(fragment)
    return Claim(id=id, start=start, end=start + len(fragment), text=fragment, value=value, **fields)


def zh_document():
    meta = DocumentMeta(date=dt.date(2024, 9, 6), lang="zh-Hans", title="ETF 资金周报", publisher="测试")
    return Document(id="zh-etf-weekly", text=ZH_TEXT, meta=meta, path="corpus/zh-etf-weekly.txt")


def zh_claims():
    return [
        span_claim(
            ZH_TEXT, "c01", "5.37亿美元", -537_000_000, unit="USD", subject="btc",
            metric="etf_net_flow", region="US", period=(dt.date(2024, 9, 2), dt.date(2024, 9, 6)),
        ),
        span_claim(ZH_TEXT, "c02", "1710万美元", 17_100_000, unit="USD", subject="eth", metric="etf_net_flow"),
    ]


def en_document():
    meta = DocumentMeta(date=dt.date(2024, 9, 9), lang="en", title="Solana weekly")
    return Document(id="en-sol", text=EN_TEXT, meta=meta)


def en_claims():
    return [span_claim(EN_TEXT, "c01", "$23.4m", 23_400_000, unit="USD", approx="about", source="coinshares")]


@pytest.fixture
def db(tmp_path):
    db = open_store(tmp_path / "claims.db")
    yield db
    db.close()


def test_save_and_load_round_trip(db):
    save_document(db, zh_document(), zh_claims(), ["句子一", None], "test-1")
    save_document(db, en_document(), en_claims(), [EN_TEXT], "test-1")

    loaded = load_document_claims(db)

    assert [d.doc for d in loaded] == ["en-sol", "zh-etf-weekly"]
    assert loaded[0].claims == en_claims()
    assert loaded[1].claims == zh_claims()
    assert loaded[1].meta == zh_document().meta
    assert loaded[1].to_gold()["claims"][0] == {
        "id": "c01", "start": 15, "end": 22, "text": "5.37亿美元", "value": -537_000_000.0,
        "unit": "USD", "approx": "exact", "subject": "btc", "metric": "etf_net_flow",
        "region": "US", "period": ["2024-09-02", "2024-09-06"],
    }
    for record in loaded:
        doc_text = {d.id: d.text for d in iter_documents(db)}[record.doc]
        for claim in record.claims:
            assert doc_text[claim.start:claim.end] == claim.text


def test_rows_use_store_column_names(db):
    save_document(db, zh_document(), zh_claims(), ["句子一", None], "test-1")

    row = db["claims"].get("zh-etf-weekly#c01")
    assert row["document_id"] == "zh-etf-weekly"
    assert row["claim_id"] == "c01"
    assert row["sentence"] == "句子一"
    assert row["subject_id"] == "btc"
    assert (row["period_start"], row["period_end"]) == ("2024-09-02", "2024-09-06")
    assert row["extractor_version"] == "test-1"
    doc = db["documents"].get("zh-etf-weekly")
    assert doc["published"] == "2024-09-06"
    assert doc["content_hash"] == zh_document().content_hash
    assert doc["ingested_at"].endswith("+00:00")


def test_iter_documents_reads_back_documents(db):
    save_document(db, zh_document(), zh_claims(), [None, None], "test-1")

    assert list(iter_documents(db)) == [zh_document()]


def test_empty_store_has_typed_schema(db):
    assert db["claims"].columns_dict["value"] is float
    assert db["claims"].columns_dict["start"] is int
    assert db["claims"].columns_dict["confidence"] is float
    assert db["claims"].columns_dict["subject_id"] is str
    assert {(fk.column, fk.other_table) for fk in db["claims"].foreign_keys} == {
        ("document_id", "documents"), ("subject_id", "entities"), ("source_id", "entities")}
    assert {tuple(i.columns) for i in db["claims"].indexes} >= {
        ("document_id",), ("subject_id", "metric"), ("unit",)
    }
    assert ["published"] in [i.columns for i in db["documents"].indexes]
    assert load_document_claims(db) == []


def test_open_store_twice_is_idempotent(tmp_path):
    path = tmp_path / "claims.db"
    first = open_store(path)
    save_document(first, zh_document(), zh_claims(), [None, None], "test-1")
    first.close()

    again = open_store(path)
    assert document_stats(again)[0]["claims"] == 2
    again.close()


def test_the_writer_keeps_a_64_mib_page_cache_and_its_statement_journals_in_memory(db):
    assert db.execute("PRAGMA cache_size").fetchone() == (-65536,)
    assert db.execute("PRAGMA temp_store").fetchone() == (2,)  # 2: MEMORY
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_resave_replaces_claims(db):
    save_document(db, zh_document(), zh_claims(), [None, None], "test-1")
    changed = zh_claims()
    changed[1] = changed[1].model_copy(update={"value": -17_100_000.0})

    save_document(db, zh_document(), changed, [None, None], "test-2")
    save_document(db, zh_document(), changed, [None, None], "test-2")

    assert db["documents"].count == 1
    assert db["claims"].count == 2
    assert db["claims"].get("zh-etf-weekly#c02")["value"] == -17_100_000.0
    assert {r["extractor_version"] for r in db["claims"].rows} == {"test-2"}


def test_resave_with_fewer_claims_removes_the_rest(db):
    save_document(db, zh_document(), zh_claims(), [None, None], "test-1")

    save_document(db, zh_document(), zh_claims()[:1], [None], "test-2")

    assert [r["claim_id"] for r in db["claims"].rows] == ["c01"]
    assert search_claims(db, "1710") == []


def test_foreign_key_refuses_unknown_document(db):
    row = {"id": "nope#c01", "document_id": "nope", "claim_id": "c01", "start": 0, "end": 1,
           "text": "1", "value": 1.0, "approx": "exact"}

    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        db["claims"].insert(row)


def test_failed_write_leaves_previous_data_intact(db):
    save_document(db, zh_document(), zh_claims(), [None, None], "test-1")
    before = list(db["claims"].rows)
    duplicate_ids = [zh_claims()[0], zh_claims()[0]]  # the second insert breaks the primary key
    edited = zh_document().model_copy(update={"meta": DocumentMeta(title="edited")})

    with pytest.raises(StoreError, match="zh-etf-weekly") as info:
        save_document(db, edited, duplicate_ids, [None, None], "test-2")

    assert "\n" not in str(info.value)
    assert list(db["claims"].rows) == before
    assert db["documents"].get("zh-etf-weekly")["title"] == "ETF 资金周报"
    assert search_documents(db, "edited") == []


def test_sentences_must_match_claims(db):
    with pytest.raises(ValueError):
        save_document(db, zh_document(), zh_claims(), [None], "test-1")
    assert db["documents"].count == 0


def test_search_chinese_with_fts(db):
    save_document(db, zh_document(), zh_claims(), ["美国比特币现货ETF本周净流出5.37亿美元", None], "test-1")
    save_document(db, en_document(), en_claims(), [EN_TEXT], "test-1")

    assert [r["id"] for r in search_claims(db, "亿美元")] == ["zh-etf-weekly#c01"]
    assert [r["id"] for r in search_documents(db, "比特币")] == ["zh-etf-weekly"]
    assert [r["id"] for r in search_documents(db, "inflows")] == ["en-sol"]


def test_search_short_query_falls_back_to_like(db):
    save_document(db, zh_document(), zh_claims(), ["美国比特币现货ETF本周净流出5.37亿美元", None], "test-1")
    save_document(db, en_document(), en_claims(), [EN_TEXT], "test-1")

    two_chars = db.execute("select rowid from claims_fts where claims_fts match '\"流出\"'").fetchall()
    assert two_chars == []  # why the fallback exists: trigram never matches 1-2 characters
    assert [r["id"] for r in search_claims(db, "流出")] == ["zh-etf-weekly#c01"]
    assert [r["id"] for r in search_documents(db, "流入")] == ["zh-etf-weekly"]
    assert [r["id"] for r in search_documents(db, "ETF 流出")] == ["zh-etf-weekly"]
    assert search_claims(db, "%") == []
    assert search_claims(db, "  ") == []


def test_fts_and_like_return_the_same_row_shape(db):
    save_document(db, zh_document(), zh_claims(), ["美国比特币现货ETF本周净流出5.37亿美元", None], "test-1")

    by_fts = search_claims(db, "亿美元")
    by_like = search_claims(db, "流出")

    assert by_fts == by_like == [db["claims"].get("zh-etf-weekly#c01")]


def test_search_sees_resaved_text(db):
    save_document(db, en_document(), en_claims(), [EN_TEXT], "test-1")
    new_text = EN_TEXT.replace("inflows", "outflows")
    save_document(db, en_document().model_copy(update={"text": new_text}), [], [], "test-2")

    assert [r["id"] for r in search_documents(db, "outflows")] == ["en-sol"]
    assert search_claims(db, "23.4") == []


def test_document_stats(db):
    save_document(db, zh_document(), zh_claims(), [None, None], "test-1")
    save_document(db, en_document(), [], [], "test-1")

    assert document_stats(db) == [
        {"id": "en-sol", "title": "Solana weekly", "lang": "en", "published": "2024-09-09", "claims": 0},
        {"id": "zh-etf-weekly", "title": "ETF 资金周报", "lang": "zh-Hans", "published": "2024-09-06", "claims": 2},
    ]


def test_wal_mode_and_foreign_keys_on(db):
    assert db.journal_mode == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_not_a_database_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "claims.db"
    path.write_bytes("这不是数据库\nnot a database either\n".encode() * 100)
    before = path.read_bytes()

    with pytest.raises(StoreError) as info:
        open_store(path)

    assert str(info.value) == f"{path}: not a SQLite database"
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["claims.db"]


def test_locked_database_is_refused(tmp_path):
    path = tmp_path / "claims.db"
    open_store(path).close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError) as info:
            open_store(path)
    finally:
        other.execute("ROLLBACK")
        other.close()

    assert str(info.value) == f"{path}: database is locked by another process"


def test_locked_new_database_is_refused(tmp_path):
    path = tmp_path / "claims.db"
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError, match="locked by another process") as info:
            open_store(path)
    finally:
        other.execute("ROLLBACK")
        other.close()

    assert "\n" not in str(info.value)


def test_entities_table_holds_the_catalog_and_unlinked_subjects(db):
    assert db["entities"].get("ibit")["kind"] == "fund"
    assert db["entities"].get("btc")["linked"] == 1
    claim = Claim(id="c01", start=0, end=4, text="百亿美元", value=-1e10, unit="USD", subject="btc+eth",
                  source="acme-research")
    save_document(db, zh_document(), [claim], [None], "test-1")
    assert db["entities"].get("btc+eth")["linked"] == 0
    assert db["entities"].get("acme-research")["kind"] == "organisation"
