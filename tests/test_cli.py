"""The ``claims`` command, used the way its --help examples use it.

Most tests drive the click group in-process with ``CliRunner`` (the spaCy/jieba pipeline loads
once per test process); one runs the installed console script to prove the entry point works.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils

from extract.cli import cli

from .conftest import run_claims

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
DOC_IDS = sorted(p.stem for p in CORPUS.glob("*.txt") if p.stem.lower() != "readme")
FIRST = CORPUS / "000_9881526b3ac62664.txt"
CLAIM_KEYS = {"id", "start", "end", "text", "value", "unit", "approx"}


claims = run_claims


def jsonl(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def spans(record: dict) -> list[tuple]:
    return [(c["id"], c["start"], c["end"], c["value"]) for c in record["claims"]]


@pytest.fixture
def db(tmp_path) -> Path:
    """A store holding the four corpus documents."""
    path = tmp_path / "claims.db"
    result = claims("ingest", CORPUS, "--db", path)
    assert result.exit_code == 0, result.output
    return path


# --- documentation ---------------------------------------------------------------------------

def test_the_group_help_lists_every_command_with_examples():
    result = claims("--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout
    for name in cli.commands:
        assert name in result.stdout


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_is_documented_with_an_example(name):
    result = claims(name, "--help")
    assert result.exit_code == 0, result.output
    assert "Example" in result.stdout
    assert f"claims {name}" in result.stdout  # the example shows the command itself


def test_the_installed_console_script_runs():
    script = Path(sys.executable).parent / "claims"
    if not script.exists():
        pytest.skip(f"console script not installed at {script} (pip install -e .)")
    done = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Usage: claims" in done.stdout
    assert "ingest" in done.stdout and "Example" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


# --- ingest ----------------------------------------------------------------------------------

def test_ingest_stores_the_corpus(db):
    store = sqlite_utils.Database(db)
    assert store["documents"].count == 4
    assert sorted(r["id"] for r in store["documents"].rows) == DOC_IDS
    assert store["claims"].count > 0


def test_ingest_twice_leaves_the_same_claims(db):
    store = sqlite_utils.Database(db)
    documents, claims_before = store["documents"].count, store["claims"].count

    result = claims("ingest", CORPUS, "--db", db)

    assert result.exit_code == 0, result.output
    assert f"4 documents, {claims_before} claims stored" in result.stdout
    assert store["documents"].count == documents == 4
    assert store["claims"].count == claims_before


def test_ingest_quiet_prints_nothing(tmp_path):
    result = claims("ingest", FIRST, "--db", tmp_path / "q.db", "--quiet")
    assert result.exit_code == 0
    assert result.output == ""


def test_ingest_markdown_with_front_matter(tmp_path):
    md = tmp_path / "etf-flows.md"
    md.write_text("---\ntitle: ETF flows\ndate: 2026-01-26\nlang: en\n---\n"
                  "Bitcoin ETFs saw outflows of $537 million last week.\n", encoding="utf-8")
    path = tmp_path / "md.db"

    result = claims("ingest", md, "--db", path)

    assert result.exit_code == 0, result.output
    store = sqlite_utils.Database(path)
    document = store["documents"].get("etf-flows")
    assert document["published"] == "2026-01-26"
    assert document["title"] == "ETF flows"
    assert document["text"].startswith("Bitcoin ETFs")  # the front matter is not part of the text
    texts = [r["text"] for r in store["claims"].rows]
    assert "$537 million" in texts


def test_ingest_jsonl_records_in_two_languages(tmp_path):
    feed = tmp_path / "feed.jsonl"
    records = [
        {"id": "zh-flows", "date": "2026-01-26", "lang": "zh-Hans",
         "text": "比特币产品净流出约10.9亿美元。"},
        {"id": "en-flows", "published": "2026-01-26",
         "text": "Bitcoin ETFs saw outflows of $537 million last week."},
    ]
    feed.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    path = tmp_path / "feed.db"

    result = claims("ingest", feed, "--db", path)

    assert result.exit_code == 0, result.output
    assert "2 documents" in result.stdout
    store = sqlite_utils.Database(path)
    langs = {r["id"]: r["lang"] for r in store["documents"].rows}
    assert langs == {"zh-flows": "zh-Hans", "en-flows": "en"}  # en: detected, since the record has no lang
    by_doc = {}
    for row in store["claims"].rows:
        by_doc.setdefault(row["document_id"], []).append(row["text"])
    assert "10.9亿美元" in by_doc["zh-flows"]
    assert "$537 million" in by_doc["en-flows"]

    # What is stored is what extract prints, metadata included.
    exported = jsonl(claims("export", "--db", path).stdout)
    extracted = jsonl(claims("extract", feed).stdout)
    assert sorted(exported, key=lambda r: r["doc"]) == sorted(extracted, key=lambda r: r["doc"])


# --- extract ---------------------------------------------------------------------------------

def test_extract_prints_one_gold_format_line_per_document():
    result = claims("extract", FIRST)

    assert result.exit_code == 0, result.output
    [record] = jsonl(result.stdout)
    assert set(record) == {"doc", "meta", "claims"}
    assert record["doc"] == FIRST.stem
    assert record["meta"]["date"] == "2026-01-26"
    assert record["claims"]
    text = open(FIRST, encoding="utf-8").read()
    for claim in record["claims"]:
        assert CLAIM_KEYS <= set(claim), claim
        assert text[claim["start"]:claim["end"]] == claim["text"], claim
    ids = [c["id"] for c in record["claims"]]
    assert len(ids) == len(set(ids))


def test_extract_table_format_starts_with_a_header_naming_the_document():
    result = claims("extract", FIRST, "--format", "table")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("#") and FIRST.stem in lines[0]
    assert len(lines) > 1 and lines[1].startswith("c01")


def test_extract_stores_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert claims("extract", FIRST).exit_code == 0
    assert list(tmp_path.iterdir()) == []


# --- export ----------------------------------------------------------------------------------

def test_export_gives_back_what_extract_found(db):
    exported = jsonl(claims("export", "--db", db).stdout)
    extracted = jsonl(claims("extract", CORPUS).stdout)

    assert [r["doc"] for r in exported] == DOC_IDS
    assert sorted(r["doc"] for r in extracted) == DOC_IDS
    fresh = {r["doc"]: r for r in extracted}
    for record in exported:
        assert spans(record) == spans(fresh[record["doc"]]), record["doc"]
        assert record["claims"] == fresh[record["doc"]]["claims"]
        assert record["meta"]["date"] == fresh[record["doc"]]["meta"]["date"]


# --- eval ------------------------------------------------------------------------------------

def test_eval_scores_the_shared_gold_set(shared):
    gold, docs = shared / "eval" / "gold", shared / "eval" / "docs"
    if not gold.is_dir() or not docs.is_dir():
        pytest.skip(f"no gold set at {gold}")

    result = claims("eval", "--gold", gold, "--docs", docs, "--json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["quantity"]["f1"] >= 0.95


def test_eval_text_report(shared):
    gold, docs = shared / "eval" / "gold", shared / "eval" / "docs"
    if not gold.is_dir() or not docs.is_dir():
        pytest.skip(f"no gold set at {gold}")
    result = claims("eval", "--gold", gold, "--docs", docs)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip()


# --- summary ---------------------------------------------------------------------------------

def test_summary_lists_every_document(db):
    result = claims("summary", "--db", db)

    assert result.exit_code == 0, result.output
    assert "4 documents" in result.stdout
    for doc_id in DOC_IDS:
        assert doc_id in result.stdout


def test_summary_and_export_refuse_a_missing_database(tmp_path):
    missing = tmp_path / "nowhere.db"
    for command in ("summary", "export"):
        result = claims(command, "--db", missing)
        assert result.exit_code == 2
        assert result.stderr.splitlines() == [f"error: {missing}: no such database"]
    assert not missing.exists()  # reading commands never create a store
