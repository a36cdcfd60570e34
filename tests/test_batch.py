"""Batch ingest: incremental runs, duplicates, per-document failures, kill -9 and resume, Dask.

The small cases run in-process (few files: no pool). The kill test starts the installed
``claims`` script with two worker processes on a few hundred synthetic articles and kills it
with SIGKILL after some commits; the Dask test runs a two-process ``LocalCluster``.
"""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from evaluation.synthetic import sentence_pools, write_corpus
from extract import batchwork
from extract.normalize import to_simplified
from .conftest import run_claims

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
ZH_SEED = CORPUS / "000_9881526b3ac62664.txt"
EN = "Bitcoin ETFs saw outflows of $537 million last week, while Ether funds lost $120 million."
ZH = "比特币产品一周内净流出约10.9亿美元，以太坊产品流出6.3亿美元。"
CLAIM_COLUMNS = ('id, document_id, claim_id, start, "end", text, sentence, value, low, high, unit, approx, '
                 "subject_id, metric, region, object, period_start, period_end, source_id, display")


claims = run_claims


def query(db: Path, sql: str, args=()) -> list[tuple]:
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        return conn.execute(sql, args).fetchall()


def last_run(db: Path) -> dict:
    with closing(sqlite3.connect(db)) as conn:
        conn.row_factory = sqlite3.Row
        return dict(conn.execute("select * from runs order by id desc limit 1").fetchone())


def snapshot(db: Path) -> tuple:
    """What a run must reproduce: document ids and texts, every claim field, the URLs."""
    return (query(db, "select id, content_hash, lang, title, url, published from documents order by id"),
            query(db, f"select {CLAIM_COLUMNS} from claims order by id"),
            query(db, "select document_id, url from document_urls order by 1, 2"))


def article(folder: Path, name: str, text: str, **meta) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.txt"
    path.write_text(text, encoding="utf-8")
    if meta:
        path.with_suffix(".json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return path


# --- incremental runs --------------------------------------------------------------------------

def test_rerun_over_a_growing_folder_extracts_only_new_and_changed(tmp_path):
    news, db = tmp_path / "news", tmp_path / "claims.db"
    article(news, "a", EN, url="https://a.example/1")
    article(news, "b", ZH, url="https://b.example/1")
    assert claims("ingest", news, "--db", db).exit_code == 0
    first = last_run(db)
    assert (first["seen"], first["new"], first["status"]) == (2, 2, "completed")
    before = query(db, "select id, text from claims where document_id = 'a'")

    article(news, "b", ZH.replace("10.9", "12.5"), url="https://b.example/1")  # changed
    article(news, "c", "Solana products took in $17.1 million.", url="https://c.example/1")  # new
    result = claims("ingest", news, "--db", db)

    assert result.exit_code == 0, result.output
    run = last_run(db)
    assert {k: run[k] for k in ("seen", "new", "changed", "skipped", "duplicates", "failed")} == \
        {"seen": 3, "new": 1, "changed": 1, "skipped": 1, "duplicates": 0, "failed": 0}
    assert "3 documents" in result.stdout and "1 new, 1 changed, 1 unchanged" in result.stdout
    assert query(db, "select id, text from claims where document_id = 'a'") == before
    assert ("12.5亿美元",) in query(db, "select text from claims where document_id = 'b'")
    assert [r[0] for r in query(db, "select id from runs order by id")] == [1, 2]


def test_reextract_and_a_new_extractor_version_extract_everything_again(tmp_path, monkeypatch):
    news, db = tmp_path / "news", tmp_path / "claims.db"
    article(news, "a", EN)
    article(news, "b", ZH)
    claims("ingest", news, "--db", db)
    stored = snapshot(db)

    assert claims("ingest", news, "--db", db).exit_code == 0
    assert (last_run(db)["skipped"], last_run(db)["changed"]) == (2, 0)
    assert claims("ingest", news, "--db", db, "--reextract").exit_code == 0
    assert (last_run(db)["skipped"], last_run(db)["changed"], last_run(db)["reextract"]) == (0, 2, 1)

    monkeypatch.setattr("extract.extractor.EXTRACTOR_VERSION", "9.9.9")
    assert claims("ingest", news, "--db", db).exit_code == 0
    run = last_run(db)
    assert (run["changed"], run["extractor_version"]) == (2, "9.9.9")
    assert query(db, "select distinct extractor_version from fingerprints") == [("9.9.9",)]
    assert snapshot(db) == stored


def test_a_document_rewritten_to_another_ones_text_is_re_extracted(tmp_path):
    news, db = tmp_path / "news", tmp_path / "claims.db"
    article(news, "a", EN)
    article(news, "b", ZH)
    claims("ingest", news, "--db", db)
    article(news, "a", ZH)  # the worker knows this text (b's) and skips it; a's stored text differs

    assert claims("ingest", news, "--db", db).exit_code == 0

    assert (last_run(db)["changed"], last_run(db)["skipped"]) == (1, 1)
    assert query(db, "select text from claims where document_id = 'a'") == \
        query(db, "select text from claims where document_id = 'b'")


# --- duplicates --------------------------------------------------------------------------------

def test_exact_duplicates_and_same_canonical_url_are_stored_once_with_every_url(tmp_path):
    news, db = tmp_path / "news", tmp_path / "claims.db"
    article(news, "a", EN, url="https://www.wire.example/story?utm_source=rss")
    article(news, "b", EN, url="https://mirror.example/copy")  # same text elsewhere
    article(news, "c", EN + " Updated.", url="http://wire.example/story")  # same page, other id

    result = claims("ingest", news, "--db", db)

    assert result.exit_code == 0, result.output
    assert query(db, "select id from documents") == [("a",)]
    assert query(db, "select document_id, url from document_urls order by url") == [
        ("a", "https://mirror.example/copy"), ("a", "https://wire.example/story")]
    assert (last_run(db)["new"], last_run(db)["duplicates"]) == (1, 2)


def test_near_duplicates_are_stored_once_with_every_url(tmp_path):
    news, db = tmp_path / "news", tmp_path / "claims.db"
    text = ZH_SEED.read_text(encoding="utf-8")
    lines = text.splitlines()
    edited = "\n".join(lines[:5] + lines[8:]) + "\n免责声明:本文仅供参考。"  # lines dropped, a disclaimer added
    article(news, "a-original", text, url="https://aicoin.example/1")
    article(news, "b-mirror", edited, url="https://mirror.example/1")
    article(news, "c-hant", to_simplified(text).replace("资", "資").replace("币", "幣"), url="https://tw.example/1")
    article(news, "d-other", ZH, url="https://other.example/1")

    assert claims("ingest", news, "--db", db).exit_code == 0

    assert query(db, "select id from documents order by id") == [("a-original",), ("d-other",)]
    urls = query(db, "select url from document_urls where document_id = 'a-original' order by url")
    assert urls == [("https://aicoin.example/1",), ("https://mirror.example/1",), ("https://tw.example/1",)]
    assert last_run(db)["duplicates"] == 2


def seed_and_two_copies(news: Path) -> None:
    """a: a seed article; b: an exact copy; c: a near copy (a disclaimer appended)."""
    text = ZH_SEED.read_text(encoding="utf-8")
    article(news, "a", text, url="https://a.example/1")
    article(news, "b", text, url="https://b.example/1")
    article(news, "c", text + "\n免责声明:本文仅供参考。", url="https://c.example/1")


def count_extractions(monkeypatch) -> list[str]:
    """The ids of the documents extracted from now on (in this process)."""
    calls: list[str] = []
    real = __import__("extract.extractor", fromlist=["extract_document"]).extract_document
    monkeypatch.setattr("extract.extractor.extract_document", lambda d, **k: calls.append(d.id) or real(d, **k))
    return calls


def test_a_rerun_extracts_nothing_not_even_the_duplicates(tmp_path, monkeypatch):
    news, db = tmp_path / "news", tmp_path / "claims.db"
    seed_and_two_copies(news)
    assert claims("ingest", news, "--db", db).exit_code == 0
    calls = count_extractions(monkeypatch)

    assert claims("ingest", news, "--db", db).exit_code == 0

    assert calls == []
    assert (last_run(db)["skipped"], last_run(db)["duplicates"]) == (1, 2)
    assert query(db, "select count(*) from document_urls where document_id = 'a'") == [(3,)]


def test_copies_met_later_in_the_same_run_are_not_extracted(tmp_path, monkeypatch):
    news, db = tmp_path / "news", tmp_path / "claims.db"
    seed_and_two_copies(news)
    article(news, "d", ZH, url="https://d.example/1")
    calls = count_extractions(monkeypatch)

    assert claims("ingest", news, "--db", db).exit_code == 0

    assert calls == ["a", "d"]
    assert query(db, "select id from documents order by id") == [("a",), ("d",)]
    assert query(db, "select count(*) from document_urls where document_id = 'a'") == [(3,)]
    assert last_run(db)["duplicates"] == 2


def storing_fails_for(doc_id: str, monkeypatch) -> None:
    """From now on, storing document ``doc_id`` fails as a full disk would ("disk says no")."""
    from extract import store

    original = store.save_document_rows

    def failing(db, doc_row, claim_rows):
        if doc_row["id"] == doc_id:
            raise store.StoreError(str(db), "disk says no")
        return original(db, doc_row, claim_rows)

    monkeypatch.setattr(store, "save_document_rows", failing)


def test_a_copy_skipped_by_the_worker_is_extracted_when_its_original_fails(tmp_path, monkeypatch):
    """The worker's "seen it already" is only a hint: the writer stores the first copy that works."""
    news, db = tmp_path / "news", tmp_path / "claims.db"
    text = ZH_SEED.read_text(encoding="utf-8")
    article(news, "a", text, url="https://a.example/1")
    article(news, "b", text + "\n免责声明:本文仅供参考。", url="https://b.example/1")
    storing_fails_for("a", monkeypatch)
    result = claims("ingest", news, "--db", db)

    assert result.exit_code == 2 and "disk says no" in result.output
    assert query(db, "select id from documents") == [("b",)]
    assert query(db, "select count(*) from claims where document_id = 'b'")[0][0] > 10


def test_the_writer_extracts_a_skipped_copy_alone_not_its_whole_file(tmp_path, monkeypatch):
    """A JSON Lines feed: the copy the worker skipped is extracted again by itself."""
    news, db = tmp_path / "news", tmp_path / "claims.db"
    text = ZH_SEED.read_text(encoding="utf-8")
    news.mkdir()
    records = [{"id": "a", "url": "https://a.example/1", "text": text},
               {"id": "b", "url": "https://b.example/1", "text": text + "\n免责声明:本文仅供参考。"},
               {"id": "c", "url": "https://c.example/1", "text": ZH}]
    (news / "feed.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                                     encoding="utf-8")
    storing_fails_for("a", monkeypatch)
    calls = count_extractions(monkeypatch)

    assert claims("ingest", news, "--db", db).exit_code == 2

    assert calls == ["a", "c", "b"]  # b skipped as a copy of a, then extracted once a failed
    assert query(db, "select id, url from documents order by id") == [
        ("b", "https://b.example/1"), ("c", "https://c.example/1")]


def test_changed_metadata_re_extracts_the_document(tmp_path):
    news, db = tmp_path / "news", tmp_path / "claims.db"
    article(news, "a", "上周比特币ETF净流出约10.9亿美元。", date="2026-01-26", lang="zh-Hans")
    claims("ingest", news, "--db", db)
    before = query(db, "select period_start, period_end from claims")

    article(news, "a", "上周比特币ETF净流出约10.9亿美元。", date="2025-11-24", lang="zh-Hans")  # date corrected
    assert claims("ingest", news, "--db", db).exit_code == 0

    assert (last_run(db)["changed"], last_run(db)["skipped"]) == (1, 0)
    assert query(db, "select published from documents") == [("2025-11-24",)]
    assert query(db, "select period_start, period_end from claims") != before  # 上周 resolves anew


# --- failures ----------------------------------------------------------------------------------

def test_a_document_that_fails_is_recorded_and_the_run_goes_on(tmp_path, monkeypatch):
    news, db = tmp_path / "news", tmp_path / "claims.db"
    article(news, "good", EN)
    article(news, "huge", "Bitcoin rose 5%. " * 100)
    article(news, "crash", ZH)
    monkeypatch.setattr(batchwork, "MAX_DOCUMENT_CHARS", 1000)
    real = __import__("extract.extractor", fromlist=["extract_document"]).extract_document

    def crashing(document, **kwargs):
        if document.id == "crash":
            raise ZeroDivisionError("division by zero")
        return real(document, **kwargs)

    monkeypatch.setattr("extract.extractor.extract_document", crashing)

    result = claims("ingest", news, "--db", db)

    assert result.exit_code == 2
    assert query(db, "select id from documents") == [("good",)]
    errors = query(db, "select run_id, path, reason from errors order by path")
    assert [(e[0], Path(e[1]).name) for e in errors] == [(1, "crash.txt"), (1, "huge.txt")]
    assert "extraction failed: ZeroDivisionError: division by zero" in errors[0][2]
    assert "too large (1,700 characters; the limit is 1,000)" in errors[1][2]
    assert len(result.stderr.splitlines()) == 2 and all(l.startswith("error: ") for l in result.stderr.splitlines())
    assert "2 documents failed" in result.stdout
    assert (last_run(db)["failed"], last_run(db)["status"]) == (2, "completed")


def test_a_chunked_jsonl_file_is_read_whole_or_refused_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(batchwork, "CHUNK_BYTES", 600)
    sentences = [s for s in sentence_pools().get("en", []) if len(s) > 60][:12]  # twelve different sentences
    if len(sentences) < 12:
        pytest.skip("needs the English eval docs in ../shared/eval/docs")
    records = [{"id": f"r{i}", "lang": "en", "text": text} for i, text in enumerate(sentences)]
    good = tmp_path / "good.jsonl"
    good.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(json.dumps(r) for r in records[:10]) + "\n{oops\n", encoding="utf-8")
    assert len([t for t in batchwork.plan_tasks([good]) if t["path"] == str(good)]) > 2  # really chunked
    db = tmp_path / "claims.db"

    result = claims("ingest", good, bad, "--db", db)

    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {bad}:11: not valid JSON: Expecting property name enclosed in double quotes (column 2)"
    assert query(db, "select count(*) from documents") == [(12,)]  # all of good, none of bad
    assert query(db, "select path, reason from errors") == [(f"{bad}:11", "not valid JSON: Expecting property name enclosed in double quotes (column 2)")]
    numbered = query(db, "select id from documents where id = 'r11'")
    assert numbered == [("r11",)]


def test_feed_and_page_ingest_with_offsets_into_the_stored_text(tmp_path):
    from tests.test_feeds import PAGE, RSS

    (tmp_path / "wire.rss").write_text(RSS, encoding="utf-8")
    (tmp_path / "page.html").write_text(PAGE, encoding="utf-8")
    db = tmp_path / "claims.db"

    assert claims("ingest", tmp_path, "--db", db).exit_code == 0

    texts = dict(query(db, "select id, text from documents"))
    assert len(texts) == 3
    for doc_id, start, end, quoted in query(db, 'select document_id, start, "end", text from claims'):
        assert texts[doc_id][start:end] == quoted
    assert ("$537 million",) in query(db, "select text from claims")


# --- kill -9 and resume; Dask --------------------------------------------------------------------

@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> tuple[Path, Path]:
    """A few hundred short synthetic articles (txt + JSON Lines) and a store from one
    uninterrupted in-process run over them."""
    folder = tmp_path_factory.mktemp("synthetic")
    news = folder / "news"
    write_corpus(news, 320, seed=11, sentences=(3, 6), formats=(("txt", 0.85), ("jsonl", 0.15)), shard_size=25)
    reference = folder / "reference.db"
    result = claims("ingest", news, "--db", reference, "--workers", "1")
    assert result.exit_code == 0, result.output
    return news, reference


def test_kill_9_mid_run_then_resume_ends_identical_to_an_uninterrupted_run(synthetic, tmp_path):
    script = Path(sys.executable).parent / "claims"
    if not script.exists():
        pytest.skip(f"console script not installed at {script}")
    news, reference = synthetic
    db = tmp_path / "killed.db"
    total = query(reference, "select count(*) from documents")[0][0]
    proc = subprocess.Popen([str(script), "ingest", str(news), "--db", str(db), "--workers", "2", "--quiet"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        committed = 0
        while committed < 60:
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "no commit within 3 minutes"
            time.sleep(0.05)
            try:
                committed = query(db, "select count(*) from documents")[0][0]
            except sqlite3.Error:  # not created yet
                committed = 0
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    kept = query(db, "select count(*) from documents")[0][0]
    assert 60 <= kept < total, "the run should have been killed mid-way"
    killed_run = last_run(db)
    assert (killed_run["status"], killed_run["ended_at"]) == ("running", None)
    deadline = time.monotonic() + 10  # the workers notice their driver is gone and exit
    while _alive(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(proc.pid), "worker processes outlived their killed driver"

    result = claims("ingest", news, "--db", db, "--workers", "1")  # resume in-process: no pool to start

    assert result.exit_code == 0, result.output
    run = last_run(db)
    assert run["skipped"] == kept and run["new"] == total - kept
    assert snapshot(db) == snapshot(reference)
    again = claims("ingest", news, "--db", db, "--workers", "1")
    assert (last_run(db)["new"], last_run(db)["changed"], last_run(db)["skipped"]) == (0, 0, total)
    assert again.exit_code == 0


def _alive(session: int) -> bool:
    """Whether any process of the session (process group) ``session`` is still running."""
    try:
        os.killpg(session, 0)
    except ProcessLookupError:
        return False
    for pid in os.listdir("/proc"):  # zombies waiting for init count as gone
        if pid.isdigit():
            try:
                stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[2]) == session and stat[0] != "Z":
                return True
    return False


def test_dask_local_cluster_stores_exactly_the_claims_of_the_local_run(synthetic, tmp_path):
    pytest.importorskip("distributed")
    news, reference = synthetic
    db = tmp_path / "dask.db"

    result = claims("ingest", news, "--db", db, "--dask", "local", "--workers", "2")

    assert result.exit_code == 0, result.output
    assert last_run(db)["backend"] == "dask local"
    assert snapshot(db) == snapshot(reference)


def test_a_lost_index_of_what_was_seen_costs_extractions_not_documents(tmp_path):
    class Lost:
        def twin(self, *args):
            raise ConnectionError("manager gone")

        add = twin

    news = tmp_path / "news"
    seed_and_two_copies(news)
    result = batchwork.process_task(batchwork.plan_tasks([news / "b.txt"])[0], seen=Lost())
    (item,) = result["docs"]
    assert item["kind"] == "doc" and item["claim_rows"]


def modules_loaded_by(imports: str) -> list[str]:
    """Which of spaCy, thinc, jieba and datasketch a fresh interpreter has loaded after ``imports``."""
    code = (f"import sys; {imports}; "
            "print(' '.join(m for m in ('spacy', 'thinc', 'jieba', 'datasketch') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return out.stdout.split()


def test_the_pool_manager_and_the_cli_start_without_loading_spacy():
    """The manager process shares the run's log only, the driver stores: neither pays for spaCy."""
    # the manager: the CLI (the spawned process's main module) and the log it holds
    assert modules_loaded_by("import extract.cli, extract.runlog") == []
    # the driver, as `claims ingest` runs before it starts the pool
    assert modules_loaded_by("import extract.cli, extract.batch, extract.executors; "
                             "extract.cli._ner_model(None)") == ["datasketch"]
    import extract

    assert extract.extract_document.__module__ == "extract.extractor"  # still there, on first use


def test_pool_workers_share_what_they_extracted_through_the_run_log():
    """Each worker keeps its own index (a RunSeen replica); the manager's RunLog only carries the
    adds from one worker to the others, so a copy extracted by one is skipped by the next."""
    from extract.runlog import RunLog
    from extract.runs import RunSeen

    log, first, second = RunLog(), RunSeen(), RunSeen()
    first.add("a", "hash-of-a", None, (0, 0, 0))
    log.add_all(first.log, worker=101)

    assert log.since(0, worker=101) == (1, [])  # a worker's own adds do not come back to it
    count, entries = log.since(0, worker=202)
    second.add_all(entries)
    assert second.twin("hash-of-a", None, (3, 0, 0)) == "a"
    assert second.twin("hash-of-a", None, (0, 0, 0)) is None  # only an earlier document is a twin
    assert log.since(count, worker=202) == (1, [])
