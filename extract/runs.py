"""Bookkeeping for batch ingest: the ``runs``, ``errors``, ``document_urls`` and ``fingerprints``
tables, and the index that decides whether a document read is new, changed, unchanged or a
duplicate of one already stored.

- ``runs``: one row per ``claims ingest``: start, end, status (running → completed or
  interrupted; a run killed outright keeps ``running`` and no end), extractor version, backend,
  and the counts seen / new / changed / skipped (unchanged) / duplicates / failed, updated with
  every committed batch.
- ``errors``: (run_id, path, url, reason) for every file refused and document that failed.
- ``document_urls``: (document_id, url, seen_in_run, content_hash): every canonical URL a stored
  document was read under, its near and exact duplicates' included (a document without a URL is
  recorded under its file's ``file:`` URI), with the hash of the text read there, so a duplicate
  is not extracted again on the next run. ``syndication`` reads it back.
- ``fingerprints``: (document_id, content_hash, meta_hash, extractor_version, minhash, run_id):
  what the document was extracted from (its text, and its metadata: a corrected date re-extracts
  it) and with; the MinHash feeds the near-duplicate index.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
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


TABLES = {
    "runs": (RUN_COLUMNS, "id", set()),
    "errors": ({"id": int, "run_id": int, "path": str, "url": str, "reason": str}, "id", {"reason"}),
    "document_urls": ({"document_id": str, "url": str, "seen_in_run": int, "content_hash": str},
                      ("document_id", "url"), set()),
    "fingerprints": ({"document_id": str, "content_hash": str, "meta_hash": str, "extractor_version": str,
                      "minhash": bytes, "run_id": int}, "document_id", {"content_hash"}),
}


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create the bookkeeping tables and indexes when missing, and columns an older store lacks
    (one transaction)."""
    with db.atomic():
        for name, (columns, pk, not_null) in TABLES.items():
            table = db[name]
            if not table.exists():
                table.create(columns, pk=pk, not_null=not_null)
                continue
            have = table.columns_dict
            for column, kind in columns.items():
                if column not in have:
                    table.add_column(column, kind)
        db["errors"].create_index(["run_id"], if_not_exists=True)
        db["document_urls"].create_index(["url"], if_not_exists=True)
        db["document_urls"].create_index(["content_hash"], if_not_exists=True)
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


class NearIndex:
    """Near-duplicate look-up over serialised MinHashes (the parameters of duplicates.py): a
    MinHash LSH proposes candidates; their hash values sit in one matrix, so confirming them (the
    share of equal hash values, as ``MinHash.jaccard``) is one vectorised comparison."""

    def __init__(self, threshold: float = THRESHOLD, num_perm: int = NUM_PERM):
        from datasketch import MinHashLSH

        self.threshold, self.num_perm = threshold, num_perm
        self.lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, params=_bands(threshold, num_perm))
        self.row: dict[str, int] = {}   # document id → its row of self.matrix
        self.matrix = None              # hash values, one row per document (grown by doubling)
        self.used = 0

    def add_all(self, items: Iterable[tuple[str, bytes | None]]) -> None:
        """Index many (document id, MinHash blob) at once (ids not yet indexed)."""
        with self.lsh.insertion_session() as session:
            for doc_id, blob in items:
                m = self.lean(blob)
                if m is not None:
                    self._keep(doc_id, m)
                    session.insert(doc_id, m)

    def add(self, doc_id: str, blob: bytes | None) -> None:
        """Index (or re-index) one document."""
        if doc_id in self.row:
            self.lsh.remove(doc_id)
            del self.row[doc_id]
        m = self.lean(blob)
        if m is not None:
            self._keep(doc_id, m)
            self.lsh.insert(doc_id, m)

    def nearest(self, blob: bytes | None, allow: Callable[[str], bool] | None = None) -> str | None:
        """The indexed document most similar to this MinHash at Jaccard ≥ threshold (ties: least
        id), among those ``allow`` accepts."""
        import numpy as np

        m = self.lean(blob)
        if m is None or not self.row:
            return None
        candidates = sorted(c for c in self.lsh.query(m) if allow is None or allow(c))
        if not candidates:
            return None
        equal = self.matrix[[self.row[c] for c in candidates]] == m.hashvalues
        scores = np.count_nonzero(equal, axis=1) / self.num_perm
        best = int(np.argmax(scores))  # the first of the best: the least id, candidates being sorted
        return candidates[best] if scores[best] >= self.threshold else None

    def _keep(self, doc_id: str, m) -> None:
        import numpy as np

        if self.matrix is None or self.used == len(self.matrix):
            grown = np.zeros((max(1024, 2 * self.used), self.num_perm), dtype=m.hashvalues.dtype)
            if self.matrix is not None:
                grown[:self.used] = self.matrix[:self.used]
            self.matrix = grown
        self.matrix[self.used] = m.hashvalues
        self.row[doc_id] = self.used
        self.used += 1

    def lean(self, blob: bytes | None):
        if not blob:
            return None
        from datasketch import LeanMinHash

        try:
            m = LeanMinHash.deserialize(blob)
        except (ValueError, TypeError):  # written by another datasketch: leave it out of the index
            return None
        return m if len(m.hashvalues) == self.num_perm else None


class RunSeen:
    """What the workers extracted earlier in this run, so that a document with the same text as one
    before it in the input, or a near-duplicate text, is not extracted again. ``order`` is a
    document's place in the input (file, part, position): only an earlier document is a twin, as
    the writer, going in input order, will have met it first. Only a hint: the writer decides (a
    document skipped here that the writer finds no twin for is extracted by the writer). Shared
    by the pool's workers through a manager process holding a :class:`RunLog` (see
    ``executors.run_on_pool``): each worker keeps a replica, synced once per partition, not once
    per document."""

    def __init__(self):
        self.hashes: dict[str, tuple[tuple, str]] = {}   # content hash → (order, id) of its first copy
        self.order: dict[str, tuple] = {}                # id → order
        self.near = NearIndex()
        self.log: list[tuple] = []                       # every add, in order: what a replica syncs

    def add_all(self, entries: list[tuple]) -> None:
        """``add`` each entry (the arguments of ``add``) not added before."""
        for entry in entries:
            if entry[0] not in self.order:
                self.add(*entry)

    def twin(self, content_hash: str, blob: bytes | None, order: tuple) -> str | None:
        first = self.hashes.get(content_hash)
        if first is not None and first[0] < order:
            return first[1]
        return self.near.nearest(blob, allow=lambda doc_id: self.order[doc_id] < order)

    def add(self, doc_id: str, content_hash: str, blob: bytes | None, order: tuple) -> None:
        if content_hash not in self.hashes or order < self.hashes[content_hash][0]:
            self.hashes[content_hash] = (order, doc_id)
        self.order[doc_id] = order
        self.near.add(doc_id, blob)
        self.log.append((doc_id, content_hash, blob, order))


class DedupeIndex:
    """What the store holds, for the single writer: fingerprints by id, documents by content hash
    and URL (SQL on the writer's own connection, so uncommitted writes count), and a
    :class:`NearIndex` of every stored document for near-duplicates."""

    def __init__(self, db: sqlite_utils.Database, version: str, threshold: float = THRESHOLD,
                 num_perm: int = NUM_PERM):
        self.db, self.version = db, version
        self.near = NearIndex(threshold, num_perm)
        self.near.add_all(db.execute("select f.document_id, f.minhash from fingerprints f "
                                     "join documents d on d.id = f.document_id where f.minhash is not null "
                                     "order by f.document_id"))

    def known(self) -> dict[str, tuple[str, str | None]]:
        """Texts a worker need not extract: content hash → (document id, meta hash) for every
        document extracted with this extractor version, and → (id, None) for the duplicates
        merged into one. A worker extracts a known text only for that same document id with
        other metadata."""
        out: dict[str, tuple[str, str | None]] = {}
        for content_hash, doc_id in self.db.execute(
                "select u.content_hash, u.document_id from document_urls u join fingerprints f "
                "on f.document_id = u.document_id where f.extractor_version = ? and u.content_hash is not null "
                "order by u.document_id desc", [self.version]):
            out[content_hash] = (doc_id, None)
        for content_hash, doc_id, meta_hash in self.db.execute(
                "select f.content_hash, f.document_id, f.meta_hash from fingerprints f join documents d "
                "on d.id = f.document_id and d.content_hash = f.content_hash where f.extractor_version = ? "
                "order by f.document_id desc", [self.version]):
            out[content_hash] = (doc_id, meta_hash)
        return out

    def fingerprint(self, doc_id: str) -> tuple[str, str | None, str | None] | None:
        """(content hash, meta hash, extractor version) of a stored document; the last two None
        when it was stored without a fingerprint (by ``save_document``); None when not stored."""
        row = self.db.execute(
            "select d.content_hash, f.meta_hash, f.extractor_version, f.content_hash from documents d "
            "left join fingerprints f on f.document_id = d.id where d.id = ?", [doc_id]).fetchone()
        if row is None:
            return None
        return (row[0], row[1], row[2]) if row[3] == row[0] else (row[0], None, None)

    def seen_duplicate(self, content_hash: str) -> str | None:
        """The stored document a text with this hash was merged into by an earlier run."""
        row = self.db.execute("select min(document_id) from document_urls where content_hash = ?",
                              [content_hash]).fetchone()
        return row[0] if row else None

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
        return self.near.nearest(blob)

    def remember(self, doc_id: str, content_hash: str, meta_hash: str, blob: bytes | None, run_id: int) -> None:
        """Record a stored document's fingerprint and put it in the near-duplicate index."""
        self.db.execute(
            "insert into fingerprints (document_id, content_hash, meta_hash, extractor_version, minhash, run_id) "
            "values (?, ?, ?, ?, ?, ?) on conflict (document_id) do update set content_hash = excluded.content_hash, "
            "meta_hash = excluded.meta_hash, extractor_version = excluded.extractor_version, "
            "minhash = excluded.minhash, run_id = excluded.run_id",
            [doc_id, content_hash, meta_hash, self.version, blob, run_id])
        self.near.add(doc_id, blob)

    def add_url(self, doc_id: str, url: str | None, run_id: int, content_hash: str | None = None,
                stored: bool = False) -> None:
        """Record that ``doc_id`` (or a duplicate of it, whose text hashes to ``content_hash``)
        was read under ``url``: the first sighting's run is kept; ``stored`` (the document itself
        was just stored from there) updates the hash to its new text."""
        if url:
            self.db.execute("insert into document_urls (document_id, url, seen_in_run, content_hash) "
                            "values (?, ?, ?, ?) on conflict (document_id, url) do "
                            + ("update set content_hash = excluded.content_hash" if stored else "nothing"),
                            [doc_id, url, run_id, content_hash])

    def claim_count(self, doc_id: str) -> int:
        return self.db.execute("select count(*) from claims where document_id = ?", [doc_id]).fetchone()[0]
