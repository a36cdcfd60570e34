"""Bookkeeping for batch ingest: the ``runs``, ``errors``, ``document_urls`` and ``fingerprints``
tables, and the index that decides whether a document read is new, changed, unchanged or a
duplicate of one already stored.

- ``runs``: one row per ``claims ingest``: start, end, status (running → completed or
  interrupted; a run killed outright keeps ``running`` and no end), extractor version, backend,
  and the counts seen / new / changed / skipped (unchanged) / duplicates / failed, updated with
  every committed batch.
- ``errors``: (run_id, path, url, reason) for every file refused and document that failed.
- ``document_urls``: (document_id, url, seen_in_run): every canonical URL a stored document was
  read under, its near and exact duplicates' included (a document without a URL is recorded
  under its file's ``file:`` URI). ``syndication`` reads it back.
- ``fingerprints``: (document_id, content_hash, extractor_version, minhash, run_id): what the
  document was extracted from and with; the MinHash feeds the near-duplicate index.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import sqlite_utils

from .duplicates import NUM_PERM, THRESHOLD, _bands

COUNTS = ("seen", "new", "changed", "skipped", "duplicates", "failed")
RUN_COLUMNS = {
    "id": int, "started_at": str, "ended_at": str, "status": str, "extractor_version": str,
    "backend": str, "workers": int, "reextract": int, "inputs": str, "claims": int,
    **{name: int for name in COUNTS},
}


@dataclass
class Counts:
    seen: int = 0
    new: int = 0
    changed: int = 0
    skipped: int = 0
    duplicates: int = 0
    failed: int = 0
    claims: int = 0  # claims the documents of this run's inputs hold in the store

    def as_dict(self) -> dict:
        return asdict(self)


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create the bookkeeping tables and indexes when missing (one transaction)."""
    with db.atomic():
        db["runs"].create(RUN_COLUMNS, pk="id", if_not_exists=True)
        db["errors"].create({"id": int, "run_id": int, "path": str, "url": str, "reason": str},
                            pk="id", not_null={"reason"}, if_not_exists=True)
        db["document_urls"].create({"document_id": str, "url": str, "seen_in_run": int},
                                   pk=("document_id", "url"), if_not_exists=True)
        db["fingerprints"].create({"document_id": str, "content_hash": str, "extractor_version": str,
                                   "minhash": bytes, "run_id": int},
                                  pk="document_id", not_null={"content_hash"}, if_not_exists=True)
        db["errors"].create_index(["run_id"], if_not_exists=True)
        db["document_urls"].create_index(["url"], if_not_exists=True)
        db["documents"].create_index(["content_hash"], if_not_exists=True)


def start_run(db: sqlite_utils.Database, *, inputs: Iterable[str], version: str, backend: str,
              workers: int, reextract: bool) -> int:
    """Insert a ``running`` row and commit it; its id."""
    row = {"started_at": now(), "status": "running", "extractor_version": version, "backend": backend,
           "workers": workers, "reextract": int(reextract), "inputs": json.dumps(list(inputs), ensure_ascii=False),
           "claims": 0, **{name: 0 for name in COUNTS}}
    with db.atomic():
        return db["runs"].insert(row).last_pk


def update_run(db: sqlite_utils.Database, run_id: int, counts: Counts, status: str | None = None) -> None:
    """Write the counts (inside the caller's transaction); a final ``status`` also sets the end."""
    values = counts.as_dict()
    if status is not None:
        values.update(status=status, ended_at=now())
    db["runs"].update(run_id, values)


def record_error(db: sqlite_utils.Database, run_id: int, path: str | None, url: str | None, reason: str) -> None:
    db["errors"].insert({"run_id": run_id, "path": path, "url": url, "reason": " ".join(reason.split())})


def syndication(db: sqlite_utils.Database) -> dict[str, list[str]]:
    """Every stored document's URLs (its own and its duplicates'), for counting outlets."""
    out: dict[str, list[str]] = {}
    for doc_id, url in db.execute("select document_id, url from document_urls order by document_id, url"):
        out.setdefault(doc_id, []).append(url)
    return out


def fallback_url(path: str | None, doc_id: str, many: bool) -> str | None:
    """The ``file:`` URI a document without a URL is recorded under (``#id`` for a file of many)."""
    if not path:
        return None
    uri = Path(path).resolve().as_uri()
    return f"{uri}#{doc_id}" if many else uri


class DedupeIndex:
    """What the store holds, for the single writer: fingerprints by id, documents by content hash
    and URL (SQL on the writer's own connection, so uncommitted writes count), and an in-memory
    MinHash LSH of every stored document for near-duplicates (the parameters of duplicates.py)."""

    def __init__(self, db: sqlite_utils.Database, version: str, threshold: float = THRESHOLD,
                 num_perm: int = NUM_PERM):
        from datasketch import MinHashLSH

        self.db, self.version, self.threshold, self.num_perm = db, version, threshold, num_perm
        self.lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, params=_bands(threshold, num_perm))
        self.hashes: dict[str, object] = {}
        rows = db.execute("select f.document_id, f.minhash from fingerprints f "
                          "join documents d on d.id = f.document_id where f.minhash is not null "
                          "order by f.document_id")
        with self.lsh.insertion_session() as session:
            for doc_id, blob in rows:
                m = self._lean(blob)
                if m is not None:
                    self.hashes[doc_id] = m
                    session.insert(doc_id, m)

    def known_hashes(self) -> frozenset[str]:
        """Content hashes already extracted with this extractor version (a worker skips these)."""
        return frozenset(row[0] for row in self.db.execute(
            "select f.content_hash from fingerprints f join documents d on d.id = f.document_id "
            "and d.content_hash = f.content_hash where f.extractor_version = ?", [self.version]))

    def fingerprint(self, doc_id: str) -> tuple[str, str | None] | None:
        """(content hash, extractor version) of a stored document; version None when the document
        was stored without a fingerprint (by ``save_document``); None when it is not stored."""
        row = self.db.execute(
            "select d.content_hash, f.extractor_version, f.content_hash from documents d "
            "left join fingerprints f on f.document_id = d.id where d.id = ?", [doc_id]).fetchone()
        if row is None:
            return None
        return row[0], (row[1] if row[2] == row[0] else None)

    def same_content(self, content_hash: str) -> str | None:
        row = self.db.execute("select min(id) from documents where content_hash = ?", [content_hash]).fetchone()
        return row[0] if row else None

    def same_url(self, url: str | None) -> str | None:
        if not url:
            return None
        row = self.db.execute("select min(document_id) from document_urls where url = ?", [url]).fetchone()
        return row[0] if row else None

    def near_duplicate(self, blob: bytes | None) -> str | None:
        """The stored document most similar to this MinHash at Jaccard ≥ threshold (ties: least id)."""
        m = self._lean(blob)
        if m is None or not self.hashes:
            return None
        best = None
        for other in self.lsh.query(m):
            score = m.jaccard(self.hashes[other])
            if score >= self.threshold and (best is None or (-score, other) < best):
                best = (-score, other)
        return best[1] if best else None

    def remember(self, doc_id: str, content_hash: str, blob: bytes | None, run_id: int) -> None:
        """Record a stored document's fingerprint and put it in the near-duplicate index."""
        self.db["fingerprints"].upsert({"document_id": doc_id, "content_hash": content_hash,
                                        "extractor_version": self.version, "minhash": blob,
                                        "run_id": run_id}, pk="document_id")
        if doc_id in self.hashes:
            self.lsh.remove(doc_id)
            del self.hashes[doc_id]
        m = self._lean(blob)
        if m is not None:
            self.hashes[doc_id] = m
            self.lsh.insert(doc_id, m)

    def add_url(self, doc_id: str, url: str | None, run_id: int) -> None:
        if url:
            self.db["document_urls"].insert({"document_id": doc_id, "url": url, "seen_in_run": run_id},
                                            pk=("document_id", "url"), ignore=True)

    def claim_count(self, doc_id: str) -> int:
        return self.db.execute("select count(*) from claims where document_id = ?", [doc_id]).fetchone()[0]

    def _lean(self, blob: bytes | None):
        if not blob:
            return None
        from datasketch import LeanMinHash

        try:
            m = LeanMinHash.deserialize(blob)
        except (ValueError, TypeError):  # written by another datasketch: leave it out of the index
            return None
        return m if len(m.hashvalues) == self.num_perm else None
