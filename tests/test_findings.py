"""Cross-check findings in the store (findings, finding_claims), the report, and the CLI around them.

Findings are built by hand here; the CLI tests replace the engine (``extract.crosscheck``) by a stub
module inside each test, so they hold whether or not the real engine exists yet.
"""
from __future__ import annotations

import importlib
import json
import sqlite3
import sys
import types
from pathlib import Path

import pytest

from extract.errors import StoreError
from extract.findings_store import (
    ensure_finding_tables,
    findings_as_checks,
    load_findings,
    save_findings,
)
from extract.report import findings_report, findings_summary, quote_claim
from extract.store import open_store, save_document
from schemas import Finding, FindingClaim
from tests.test_store import EN_TEXT, en_claims, en_document, zh_claims, zh_document
from .conftest import run_claims

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"

ZH = "zh-etf-weekly"
EN = "en-sol"


def finding(id, kind, severity, claims, verdict="inconsistent", explanation=None, **fields):
    """A finding over ``claims``: ``[(claim_id, role), ...]``."""
    return Finding(
        id=id, kind=kind, severity=severity, verdict=verdict,
        claims=[FindingClaim(claim_id=c, role=r) for c, r in claims],
        explanation=explanation or f"{kind} {id}", **fields,
    )


def sample_findings() -> list[Finding]:
    """One of each severity; ``conflict-1`` spans both documents; input order is not report order."""
    return [
        finding("agreement-1", "agreement", "info", [(f"{ZH}#c01", "side"), (f"{EN}#c01", "side")],
                verdict="consistent", explanation="Both sources agree."),
        finding("sum-1", "sum", "warning", [(f"{ZH}#c02", "part"), (f"{ZH}#c01", "total")],
                numbers={"parts": 17_100_000.0, "total": -537_000_000.0}, explanation="部分之和不等于总额。",
                lang="zh"),
        finding("conflict-1", "conflict", "error", [(f"{EN}#c01", "side"), (f"{ZH}#c01", "side")],
                numbers={"a": 23_400_000.0, "b": -537_000_000.0, "ratio": 22.9},
                explanation="The two sources disagree."),
    ]


@pytest.fixture
def db(tmp_path):
    db = open_store(tmp_path / "claims.db")
    save_document(db, zh_document(), zh_claims(), ["句子一", None], "test-1")
    save_document(db, en_document(), en_claims(), [EN_TEXT], "test-1")
    yield db
    db.close()


def table_rows(db, table: str) -> list[tuple]:
    return list(db.execute(f"select * from {table} order by 1, 2"))


# --- the store -------------------------------------------------------------------------------

def test_save_and_load_round_trip(db):
    findings = sample_findings()

    save_findings(db, findings)

    by_id = {f.id: f for f in findings}
    loaded = load_findings(db)
    assert [f.id for f in loaded] == ["conflict-1", "sum-1", "agreement-1"]  # error, warning, info
    assert loaded == [by_id[f.id] for f in loaded]  # claims keep their order, numbers and lang survive
    assert loaded[1].claims[0] == FindingClaim(claim_id=f"{ZH}#c02", role="part")
    assert loaded[1].lang == "zh"


def test_load_orders_by_severity_then_kind_then_id(db):
    pair = [(f"{ZH}#c01", "side"), (f"{EN}#c01", "side")]
    findings = [finding(i, k, s, pair) for i, k, s in [
        ("w-b", "share", "warning"), ("i-a", "agreement", "info"), ("e-z", "sum", "error"),
        ("w-a", "share", "warning"), ("e-a", "sum", "error"), ("e-k", "conflict", "error"),
    ]]

    save_findings(db, findings)

    assert [f.id for f in load_findings(db)] == ["e-k", "e-a", "e-z", "w-a", "w-b", "i-a"]


def test_save_twice_leaves_identical_tables(db):
    save_findings(db, sample_findings())
    before = {t: table_rows(db, t) for t in ("findings", "finding_claims")}

    save_findings(db, sample_findings())

    assert {t: table_rows(db, t) for t in ("findings", "finding_claims")} == before  # created_at included
    assert db["findings"].count == 3
    assert db["finding_claims"].count == 6


def test_save_replaces_all_findings(db):
    save_findings(db, sample_findings())

    save_findings(db, sample_findings()[:1])

    assert [f.id for f in load_findings(db)] == ["agreement-1"]
    assert {r["finding_id"] for r in db["finding_claims"].rows} == {"agreement-1"}
    save_findings(db, [])
    assert load_findings(db) == [] and db["finding_claims"].count == 0


def test_tables_schema_is_typed_keyed_and_indexed(db):
    ensure_finding_tables(db)
    ensure_finding_tables(db)  # idempotent

    assert db["findings"].pks == ["id"]
    assert set(db["findings"].columns_dict) == {
        "id", "kind", "severity", "verdict", "explanation", "numbers", "lang", "created_at"}
    assert db["finding_claims"].pks == ["finding_id", "claim_id"]
    assert {(fk.column, fk.other_table, fk.other_column) for fk in db["finding_claims"].foreign_keys} == {
        ("finding_id", "findings", "id"), ("claim_id", "claims", "id")}
    assert ["claim_id"] in [i.columns for i in db["finding_claims"].indexes]
    assert ["severity", "kind"] in [i.columns for i in db["findings"].indexes]


def test_numbers_are_stored_as_json(db):
    save_findings(db, sample_findings())

    row = db["findings"].get("conflict-1")
    assert json.loads(row["numbers"]) == {"a": 23_400_000.0, "b": -537_000_000.0, "ratio": 22.9}
    assert row["created_at"].endswith("+00:00")


def test_unknown_claim_is_refused_and_old_findings_kept(db):
    save_findings(db, sample_findings())
    bad = finding("conflict-2", "conflict", "error", [(f"{ZH}#c01", "side"), ("nope#c09", "side")])

    with pytest.raises(StoreError, match="nope#c09") as info:
        save_findings(db, [bad])

    assert "\n" not in str(info.value)
    assert [f.id for f in load_findings(db)] == ["conflict-1", "sum-1", "agreement-1"]


def test_duplicates_are_refused(db):
    twice = sample_findings() + sample_findings()[:1]
    with pytest.raises(ValueError, match="agreement-1"):
        save_findings(db, twice)
    two_roles = finding("x", "sum", "error", [(f"{ZH}#c01", "total"), (f"{ZH}#c01", "part")])
    with pytest.raises(ValueError, match="two roles"):
        save_findings(db, [two_roles])
    assert [f.id for f in load_findings(db)] == []  # nothing was written


def test_a_claim_repeated_with_the_same_role_is_stored_once(db):
    repeated = finding("sum-r", "sum", "warning", [(f"{ZH}#c01", "total"), (f"{ZH}#c02", "offset"),
                                                   (f"{EN}#c01", "part"), (f"{ZH}#c02", "offset")])

    save_findings(db, [repeated])

    assert [(c.claim_id, c.role) for c in load_findings(db)[0].claims] == [
        (f"{ZH}#c01", "total"), (f"{ZH}#c02", "offset"), (f"{EN}#c01", "part")]


def test_findings_as_checks_lists_each_finding_under_each_of_its_documents(db):
    save_findings(db, sample_findings())

    checks = findings_as_checks(db)

    assert set(checks) == {ZH, EN}
    assert [c.model_dump(exclude_none=True) for c in checks[EN]] == [
        {"kind": "conflict", "claims": [f"{EN}#c01", f"{ZH}#c01"], "verdict": "inconsistent",
         "note": "The two sources disagree.", "severity": "error"},
        {"kind": "agreement", "claims": [f"{ZH}#c01", f"{EN}#c01"], "verdict": "consistent",
         "note": "Both sources agree.", "severity": "info"},
    ]
    assert [c.kind for c in checks[ZH]] == ["conflict", "sum", "agreement"]
    assert all(ref.count("#") == 1 for c in checks[ZH] for ref in c.claims)


def test_a_store_never_cross_checked_has_no_findings(db):
    assert load_findings(db) == []
    assert findings_as_checks(db) == {}
    assert not db["findings"].exists()


def test_reingest_after_findings_drops_the_stale_ones(db):
    findings = sample_findings() + [finding("share-1", "share", "warning", [(f"{EN}#c01", "share")])]
    save_findings(db, findings)

    save_document(db, zh_document(), zh_claims()[:1], [None], "test-2")  # c02 disappears

    assert db["claims"].count == 2
    assert [f.id for f in load_findings(db)] == ["share-1"]  # every finding touching zh is stale
    assert {r["finding_id"] for r in db["finding_claims"].rows} == {"share-1"}
    assert list(db.execute("PRAGMA foreign_key_check")) == []
    save_findings(db, findings[2:])  # the next cross-check sees the new claims
    assert [f.id for f in load_findings(db)] == ["conflict-1", "share-1"]


def test_reingest_reopened_store_with_foreign_keys_on(tmp_path):
    path = tmp_path / "claims.db"
    db = open_store(path)
    save_document(db, zh_document(), zh_claims(), [None, None], "test-1")
    save_findings(db, [finding("sum-1", "sum", "warning", [(f"{ZH}#c01", "total"), (f"{ZH}#c02", "part")])])
    db.close()

    again = open_store(path)
    assert again.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    save_document(again, zh_document(), zh_claims(), [None, None], "test-2")
    assert again["claims"].count == 2 and load_findings(again) == []
    again.close()


# --- the report ------------------------------------------------------------------------------

def test_quote_marks_the_figure_in_its_sentence():
    text = "第一句。比特币ETF上周净流出约17.3亿美元。"
    sentence = "比特币ETF上周净流出约17.3亿美元。"
    start = text.index("17.3")

    assert quote_claim(text, start, start + 7, sentence, "17.3亿美元") == "比特币ETF上周净流出约«17.3亿美元»。"


def test_quote_is_shortened_around_the_figure():
    sentence = ("In a week many analysts called the most turbulent since spring, Bitcoin ETFs saw "
                "outflows of $537 million last week, while Ether funds added a modest amount and "
                "Solana products kept drawing steady inflows.")
    start = sentence.index("$537")

    quote = quote_claim(sentence, start, start + 12, sentence, "$537 million")

    assert "outflows of «$537 million» last week" in quote
    assert quote.startswith("…") and quote.endswith("…")
    assert 70 <= len(quote) <= 90


def test_quote_without_the_document_falls_back_to_the_sentence():
    assert quote_claim(None, 0, 0, "Flows hit $5m.\nThen", "$5m") == "Flows hit «$5m». Then"
    assert quote_claim(None, 0, 0, None, "$5m") == "«$5m»"


def test_findings_summary_counts_by_severity():
    assert findings_summary(sample_findings()) == "3 findings: 1 error, 1 warning, 1 info"
    assert findings_summary([]) == "0 findings: 0 errors, 0 warnings, 0 info"


def test_report_shows_claims_with_quote_document_and_date(db):
    save_findings(db, sample_findings())

    text = findings_report(db)

    assert text.splitlines()[0] == "3 findings: 1 error, 1 warning, 1 info"
    assert "[conflict] The two sources disagree." in text
    assert "«$23.4m»" in text
    assert f"{EN}#c01  “Solana weekly”  2024-09-09" in text
    assert f"{ZH}#c01  “ETF 资金周报”  2024-09-06" in text
    assert text.index("== Errors") < text.index("== Warnings")
    assert "agreement" not in text and "1 info not shown" in text
    assert "[agreement] Both sources agree." in findings_report(db, include_info=True)


# --- the CLI on the corpus -------------------------------------------------------------------

claims = run_claims


@pytest.fixture
def corpus_db(tmp_path) -> Path:
    path = tmp_path / "claims.db"
    result = claims("ingest", CORPUS, "--db", path)
    assert result.exit_code == 0, result.output
    return path


def corpus_findings(db, lang="en") -> list[Finding]:
    """Findings over real corpus claims: a cross-document error, a warning and an info."""
    ids = {}
    for row in db.execute("select document_id, id from claims order by document_id, start"):
        ids.setdefault(row[0], []).append(row[1])
    first, second = sorted(ids)[:2]
    a, b, c = ids[first][:3]
    return [
        finding("agreement-x", "agreement", "info", [(a, "side"), (c, "side")], verdict="consistent",
                explanation="INFO-EXPLANATION", lang=lang),
        finding("sum-x", "sum", "warning", [(a, "total"), (b, "part")], explanation="WARNING-EXPLANATION",
                lang=lang),
        finding("conflict-x", "conflict", "error", [(b, "side"), (ids[second][0], "side")],
                explanation="ERROR-EXPLANATION", lang=lang),
    ]


@pytest.fixture
def stub_engine(monkeypatch):
    """Replace ``extract.crosscheck`` by a stub returning :func:`corpus_findings`; records calls."""
    calls = []

    def run_crosscheck(db, lang="en"):
        calls.append(lang)
        return corpus_findings(db, lang)

    module = types.ModuleType("extract.crosscheck")
    module.run_crosscheck = run_crosscheck
    monkeypatch.setitem(sys.modules, "extract.crosscheck", module)
    return calls


def test_crosscheck_saves_findings_and_prints_a_summary(corpus_db, stub_engine):
    result = claims("crosscheck", "--db", corpus_db, "--lang", "zh")

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "3 findings: 1 error, 1 warning, 1 info"
    assert stub_engine == ["zh"]
    db = open_store(corpus_db)
    assert [f.id for f in load_findings(db)] == ["conflict-x", "sum-x", "agreement-x"]
    assert {f.lang for f in load_findings(db)} == {"zh"}


def test_crosscheck_twice_is_idempotent(corpus_db, stub_engine):
    claims("crosscheck", "--db", corpus_db)
    db = open_store(corpus_db)
    before = {t: table_rows(db, t) for t in ("findings", "finding_claims")}

    assert claims("crosscheck", "--db", corpus_db).exit_code == 0

    assert {t: table_rows(db, t) for t in ("findings", "finding_claims")} == before


def test_crosscheck_on_a_missing_database_is_one_line_error(tmp_path, stub_engine):
    result = claims("crosscheck", "--db", tmp_path / "missing.db")

    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0 and "no such database" in result.stderr
    assert not (tmp_path / "missing.db").exists()
    assert stub_engine == []


def test_report_prints_errors_before_warnings_and_hides_info(corpus_db, stub_engine):
    claims("crosscheck", "--db", corpus_db)

    result = claims("report", "--db", corpus_db)

    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.index("ERROR-EXPLANATION") < out.index("WARNING-EXPLANATION")
    assert "INFO-EXPLANATION" not in out
    assert "«" in out and "»" in out
    assert "2026-01-26" in out  # publication date of the first corpus document
    everything = claims("report", "--db", corpus_db, "--all").stdout
    assert everything.index("WARNING-EXPLANATION") < everything.index("INFO-EXPLANATION")


def test_report_before_crosscheck_is_one_line_error(corpus_db):
    result = claims("report", "--db", corpus_db)

    assert result.exit_code == 2
    assert "crosscheck" in result.stderr and result.stderr.strip().count("\n") == 0
    assert claims("report", "--db", corpus_db.parent / "missing.db").exit_code == 2


def test_export_adds_checks_after_crosscheck(corpus_db, stub_engine):
    plain = [json.loads(line) for line in claims("export", "--db", corpus_db).stdout.splitlines()]
    assert all("checks" not in r for r in plain)
    claims("crosscheck", "--db", corpus_db)

    records = {r["doc"]: r for r in map(json.loads, claims("export", "--db", corpus_db).stdout.splitlines())}

    first, second = sorted(records)[:2]
    assert [c["kind"] for c in records[first]["checks"]] == ["conflict", "sum", "agreement"]
    assert [c["kind"] for c in records[second]["checks"]] == ["conflict"]
    assert all("checks" not in records[d] for d in sorted(records)[2:])
    check = records[second]["checks"][0]
    assert set(check) == {"kind", "claims", "verdict", "note", "severity"}
    assert check["severity"] == "error" and check["note"] == "ERROR-EXPLANATION"
    assert all(ref.split("#")[0] in records for ref in check["claims"])


def test_reingest_after_crosscheck_works(corpus_db, stub_engine):
    claims("crosscheck", "--db", corpus_db)

    result = claims("ingest", CORPUS, "--db", corpus_db)

    assert result.exit_code == 0, result.output
    db = open_store(corpus_db)
    assert list(db.execute("PRAGMA foreign_key_check")) == []
    assert load_findings(db) == []  # all stale; the next crosscheck recomputes them
    assert claims("crosscheck", "--db", corpus_db).exit_code == 0
    assert len(load_findings(db)) == 3


def test_real_engine_runs_end_to_end(corpus_db):
    """Uses the real engine once it exists; skipped until then."""
    try:
        engine = importlib.import_module("extract.crosscheck")
    except ImportError:
        pytest.skip("extract.crosscheck not written yet")
    if not hasattr(engine, "run_crosscheck"):
        pytest.skip("extract.crosscheck has no run_crosscheck yet")

    result = claims("crosscheck", "--db", corpus_db)

    assert result.exit_code == 0, result.output
    assert " findings: " in result.stdout or result.stdout.startswith("1 finding:")
    assert claims("report", "--db", corpus_db, "--all").exit_code == 0
    assert claims("export", "--db", corpus_db).exit_code == 0
    assert isinstance(sqlite3.connect(corpus_db).execute("select count(*) from findings").fetchone()[0], int)
