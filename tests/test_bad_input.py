"""Bad input: one ``error:`` line naming the file, exit status 2, nothing stored lost, no traceback.

Text in GBK, Big5 or UTF-16 is not bad input: it is decoded and its claims found.
"""
from __future__ import annotations

import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from extract import store as store_module
from .conftest import run_claims

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
ZH = "比特币产品净流出约10.9亿美元。"
ZH_HANT = "比特幣產品淨流出約10.9億美元。"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 256


claims = run_claims


def error_line(result) -> str:
    """The single line on stderr, which must start with ``error:``."""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    return lines[0]


def contents(db: Path) -> tuple[list[str], int]:
    """Stored document ids and number of claims, read without holding the database open."""
    with closing(sqlite3.connect(db)) as conn:
        ids = [row[0] for row in conn.execute("select id from documents order by id")]
        return ids, conn.execute("select count(*) from claims").fetchone()[0]


@pytest.fixture
def db(tmp_path) -> Path:
    """A store already holding the four corpus documents."""
    path = tmp_path / "claims.db"
    result = claims("ingest", CORPUS, "--db", path)
    assert result.exit_code == 0, result.output
    ids, count = contents(path)
    assert len(ids) == 4 and count > 0
    return path


def write(path: Path, data: bytes | str) -> Path:
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def with_sidecar(folder: Path, sidecar: str) -> tuple[Path, Path]:
    """A good article ``x.txt`` whose ``x.json`` holds ``sidecar``; the sidecar is the file named."""
    write(folder / "x.txt", ZH)
    return folder / "x.txt", write(folder / "x.json", sidecar)


# Each case builds its bad input in a folder: (path to give the command, file the error names, words).
CASES = {
    "empty file": lambda d: (write(d / "x.txt", b""),) * 2 + ("empty file",),
    "blank file": lambda d: (write(d / "x.txt", b" \r\n\t\n"),) * 2 + ("empty file",),
    "binary named .txt": lambda d: (write(d / "x.txt", PNG),) * 2 + ("binary file",),
    "undecodable bytes": lambda d: (
        write(d / "x.txt", b"\x81\xff\xfe\x80" * 50 + "café déjà vu ÿ þ ½".encode("latin-1")),) * 2
        + ("not UTF-8, UTF-16, GBK or Big5",),
    "malformed sidecar JSON": lambda d: with_sidecar(d, '{"date": "2026-01-26",') + ("not valid JSON",),
    "sidecar with a bad date": lambda d: with_sidecar(d, '{"date": "2026-13-45", "lang": "zh-Hans"}')
        + ("date",),
    "sidecar with an unknown lang": lambda d: with_sidecar(d, '{"lang": "ru"}') + ("lang",),
    "unknown language": lambda d: (write(d / "ru.txt", "Биткойн подешевел на 5 процентов"),) * 2
        + ("unknown language",),
    "path that does not exist": lambda d: (d / "nowhere.txt",) * 2 + ("no such file",),
    "unsupported file type": lambda d: (write(d / "report.pdf", b"%PDF-1.7"),) * 2
        + ("unsupported file type",),
    "front matter not closed": lambda d: (write(d / "draft.md", "---\ndate: 2026-01-26\n" + ZH),) * 2
        + ("front matter",),
    "front matter with a bad date": lambda d: (
        write(d / "draft.md", "---\ndate: 2026-02-30\n---\n" + ZH),) * 2 + ("front matter",),
    "jsonl line that is not JSON": lambda d: (write(d / "feed.jsonl", "{oops\n"),) * 2
        + ("not valid JSON",),
    "jsonl record without text": lambda d: (write(d / "feed.jsonl", '{"id": "a"}\n'),) * 2
        + ("missing or empty 'text'",),
}


@pytest.mark.parametrize("case", CASES)
def test_ingest_refuses_bad_input_and_keeps_what_is_stored(case, db, tmp_path):
    before = contents(db)
    given, named, words = CASES[case](tmp_path)

    result = claims("ingest", given, "--db", db)

    assert result.exit_code == 2, result.output
    line = error_line(result)
    assert str(named) in line
    assert words in line
    assert contents(db) == before


@pytest.mark.parametrize("case", CASES)
def test_extract_refuses_bad_input(case, tmp_path):
    given, named, words = CASES[case](tmp_path)

    result = claims("extract", given)

    assert result.exit_code == 2, result.output
    line = error_line(result)
    assert str(named) in line and words in line
    assert result.stdout == ""


def test_a_bad_file_among_good_ones_is_skipped(db, tmp_path):
    good = write(tmp_path / "good.txt", ZH)
    bad = write(tmp_path / "bad.txt", b"")
    ids, count = contents(db)

    result = claims("ingest", good, bad, "--db", db)

    assert result.exit_code == 2
    assert error_line(result) == f"error: {bad}: empty file"
    assert "1 documents" in result.stdout and "1 files refused" in result.stdout
    assert contents(db) == (sorted(ids + ["good"]), count + 1)


@pytest.mark.parametrize("bad_record, words", [
    ("{oops", "feed.jsonl:2: not valid JSON"),
    ('{"id": "ru", "text": "Биткойн подешевел на 5 процентов"}', "unknown language"),
])
def test_a_jsonl_file_with_one_bad_record_is_refused_whole(bad_record, words, db, tmp_path):
    good = json.dumps({"id": "good", "text": ZH}, ensure_ascii=False)
    feed = write(tmp_path / "feed.jsonl", "\n".join([good, bad_record, good.replace("good", "later")]) + "\n")
    before = contents(db)

    result = claims("ingest", feed, "--db", db)

    assert result.exit_code == 2
    line = error_line(result)
    assert str(feed) in line and words in line
    assert contents(db) == before  # not the record before the bad one either


def test_extract_prints_the_good_files_before_the_bad_one(tmp_path):
    good = write(tmp_path / "good.txt", ZH)
    bad = write(tmp_path / "bad.txt", PNG)

    result = claims("extract", good, bad)

    assert result.exit_code == 2
    assert str(bad) in error_line(result)
    [line] = result.stdout.splitlines()
    assert json.loads(line)["doc"] == "good"


# --- encodings that are read, not refused ------------------------------------------------------

ENCODED = {
    "gbk": (ZH.encode("gbk"), ZH, "10.9亿美元"),
    "gb18030": (ZH.encode("gb18030"), ZH, "10.9亿美元"),
    "big5": (ZH_HANT.encode("big5"), ZH_HANT, "10.9億美元"),
    "utf-16 with BOM": (ZH.encode("utf-16"), ZH, "10.9亿美元"),
    "utf-16-be with BOM": (b"\xfe\xff" + ZH_HANT.encode("utf-16-be"), ZH_HANT, "10.9億美元"),
    "utf-8 with BOM": (ZH.encode("utf-8-sig"), ZH, "10.9亿美元"),
}


@pytest.mark.parametrize("encoding", ENCODED)
def test_chinese_in_other_encodings_is_read_correctly(encoding, db, tmp_path):
    data, text, figure = ENCODED[encoding]
    article = write(tmp_path / "flows.txt", data)
    ids, count = contents(db)

    result = claims("ingest", article, "--db", db)

    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    with closing(sqlite3.connect(db)) as conn:
        stored = conn.execute("select text from documents where id = 'flows'").fetchone()[0]
        rows = conn.execute("select text, value, unit, approx from claims where document_id = 'flows'").fetchall()
    assert stored == text  # decoded, BOM dropped, nothing else changed
    assert (figure, -1.09e9, "USD", "about") in rows  # 净流出: an outflow is negative
    assert contents(db) == (sorted(ids + ["flows"]), count + len(rows))

    # extract gives offsets into the decoded text
    [record] = [json.loads(line) for line in claims("extract", article).stdout.splitlines()]
    assert [text[c["start"]:c["end"]] for c in record["claims"]] == [c["text"] for c in record["claims"]]
    assert figure in [c["text"] for c in record["claims"]]


# --- the database itself -----------------------------------------------------------------------

def test_a_file_that_is_not_sqlite_is_left_alone(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(CORPUS, tmp_path / "corpus")
    notes = write(tmp_path / "claims.db", "these are my notes, not a database\n" * 50)
    original = notes.read_bytes()

    result = claims("ingest", "corpus", "--db", "claims.db")

    assert result.exit_code == 2
    assert error_line(result) == "error: claims.db: not a SQLite database"
    assert notes.read_bytes() == original
    assert not (tmp_path / "claims.db-wal").exists()


@pytest.mark.parametrize("command", ["summary", "export"])
def test_reading_commands_refuse_a_file_that_is_not_sqlite(command, tmp_path):
    notes = write(tmp_path / "claims.db", "not a database\n" * 50)
    original = notes.read_bytes()

    result = claims(command, "--db", notes)

    assert result.exit_code == 2
    assert error_line(result) == f"error: {notes}: not a SQLite database"
    assert notes.read_bytes() == original


def test_a_locked_database_is_refused_and_left_intact(db, tmp_path, monkeypatch):
    # Another process is writing; don't wait the full busy timeout for it in a test.
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_S", 0.1)
    before = contents(db)
    article = write(tmp_path / "new.txt", ZH)
    with closing(sqlite3.connect(db, isolation_level=None)) as other:
        other.execute("BEGIN EXCLUSIVE")

        result = claims("ingest", article, "--db", db)

        other.execute("ROLLBACK")
    assert result.exit_code == 2
    line = error_line(result)
    assert str(db) in line and "locked" in line
    assert contents(db) == before
