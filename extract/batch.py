"""Batch ingest: incremental, parallel and resumable, on local processes or a Dask cluster.

Three stages, the first and last on the driver (the ``claims ingest`` process); the first two
live in :mod:`extract.batchwork`, the executors that run stage 2 in :mod:`extract.executors`:

1. plan: the input files become tasks (a file; a JSON Lines file over ``CHUNK_BYTES`` in line
   ranges), grouped into partitions of about ``PARTITION_BYTES``.
2. work: :func:`process_partition` reads each task's documents, hashes them, skips extraction
   of those whose content hash the store already holds for this extractor version and of copies
   of documents extracted earlier in the run (``RunSeen``, shared by the pool's workers),
   extracts the rest and returns plain rows (dicts of str/int/float/bytes). The same function runs in-process
   (one worker, or a small input), on a ``ProcessPoolExecutor`` (pipelines loaded once per worker
   by the pool initializer) and on a Dask cluster (``dask.bag`` partitions, ``map_partitions``;
   pipelines loaded once per worker process by a worker plugin), so the paths cannot drift.
3. write: one writer consumes the results in input order and commits every ``BATCH_DOCS``
   documents (or ``COMMIT_SECONDS``) in one transaction, with the run's counts. Each document
   is new, changed (text or extractor version differs, or ``reextract``), unchanged (skipped),
   or a duplicate (same content hash, same canonical URL, or a near-duplicate by MinHash) that
   is not stored again: its URL is added to the stored document's ``document_urls``. Decisions
   are made in input order against what is committed, so a run killed with ``kill -9`` and run
   again ends with exactly what an uninterrupted run stores.

A file is read whole or refused whole (one ``errors`` row, like ``claims ingest`` always did); a
document that fails after reading (over ``MAX_DOCUMENT_CHARS``, an extractor crash) gets its
own ``errors`` row and the run goes on.
"""
from __future__ import annotations

import math
import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .batchwork import NOT_EXTRACTED, partitions_of, plan_tasks, process_task
from .executors import run_in_process, run_on_dask, run_on_pool, start_pool

BATCH_DOCS = 50                # documents per write transaction
COMMIT_SECONDS = 5.0           # … or sooner, when results come slowly
MIN_TASKS_PER_WORKER = 16      # fewer tasks than this per worker: extract in-process, no pool

# --- 3. write ----------------------------------------------------------------------------------

@dataclass
class Report:
    run_id: int
    counts: object
    files_refused: int = 0
    documents_failed: int = 0
    seconds: float = 0.0
    chars: int = 0
    status: str = "completed"
    errors: list[str] = field(default_factory=list)

    @property
    def documents(self) -> int:
        """Documents of the inputs now in the store: new, changed and unchanged."""
        c = self.counts
        return c.new + c.changed + c.skipped


class Writer:
    """The single writer: decides new / changed / unchanged / duplicate in input order and stores."""

    def __init__(self, db, run_id: int, version: str, reextract: bool, on_error: Callable[[str], None],
                 ner_model: str | None = None):
        from .runs import Counts, DedupeIndex

        self.db, self.run_id, self.version, self.reextract = db, run_id, version, reextract
        self.on_error, self.ner_model = on_error, ner_model
        self.index = DedupeIndex(db, version)
        self.counts = Counts()
        self.files_refused = self.documents_failed = self.chars = 0
        self.pending: list[tuple[str, dict]] = []
        self.groups: dict[int, list[dict]] = {}  # a multi-part file's results until its last part
        self.last_commit = time.monotonic()

    def add(self, result: dict) -> None:
        """Take one task's result; a multi-part file is held until all its parts are in."""
        if result["parts"] > 1:
            held = self.groups.setdefault(result["file"], [])
            held.append(result)
            if len(held) < result["parts"]:
                return
            del self.groups[result["file"]]
            failed = next((r for r in held if r.get("error")), None)
            result = failed or {**held[0], "docs": [d for r in held for d in r["docs"]]}
        if result.get("error"):
            self.pending.append(("file-error", result))
        else:
            self.pending.extend(("doc", item) for item in result["docs"])
        if len(self.pending) >= BATCH_DOCS or time.monotonic() - self.last_commit >= COMMIT_SECONDS:
            self.flush()

    def flush(self, status: str | None = None) -> None:
        """Write what is pending and the run's counts in one transaction."""
        from .runs import update_run

        from .errors import StoreError
        from .store import _problem, _store_path

        try:
            with self.db.atomic():
                for kind, item in self.pending:
                    if kind == "file-error":
                        self._file_error(item)
                    else:
                        self._document(item)
                update_run(self.db, self.run_id, self.counts, status)
        except sqlite3.Error as e:  # the store itself failed (locked, disk full): stop, one line
            raise StoreError(_store_path(self.db), _problem(e)) from e
        self.pending.clear()
        self.last_commit = time.monotonic()

    def _file_error(self, result: dict) -> None:
        from .runs import record_error

        self.files_refused += 1
        self.counts.failed += 1
        message, where = result["error"], result["error_path"]
        reason = message[len(where) + 2:] if message.startswith(where + ": ") else message
        record_error(self.db, self.run_id, where, None, reason)
        self.on_error(message)

    def _fail(self, item: dict, reason: str) -> None:
        from .runs import record_error

        self.documents_failed += 1
        self.counts.failed += 1
        record_error(self.db, self.run_id, item.get("path"), item.get("url"), reason)
        self.on_error(f"{item.get('path') or item.get('url')}: {reason}")

    def _document(self, item: dict) -> None:
        from .findings_store import forget_document_findings
        from .store import save_document_rows

        self.counts.seen += 1
        if item["kind"] == "error":
            self._fail(item, item["reason"])
            return
        doc_id, content_hash, url = item["id"], item["hash"], item["url"]
        stored = self.index.fingerprint(doc_id)
        if stored is not None:
            if stored == (content_hash, item["meta_hash"], self.version) and not self.reextract:
                self.counts.skipped += 1
                self.counts.claims += self.index.claim_count(doc_id)
                self.index.add_url(doc_id, url, self.run_id, content_hash)
                forget_document_findings(self.db, doc_id)  # as re-ingesting always did
                return
            action = "changed"
        else:
            twin = self.index.same_content(content_hash) or self.index.same_url(url) \
                or self.index.seen_duplicate(content_hash)
            if twin is None and item["kind"] in ("doc", "duplicate"):
                twin = self.index.near_duplicate(item["minhash"])
            if twin is None and item["kind"] in NOT_EXTRACTED:
                item = self._extract_here(item)
                if item["kind"] == "error":
                    self._fail(item, item["reason"])
                    return
                twin = self.index.near_duplicate(item["minhash"])
            if twin is not None:
                self.counts.duplicates += 1
                self.index.add_url(twin, url, self.run_id, content_hash)
                return
            action = "new"
        if item["kind"] in NOT_EXTRACTED:  # the worker skipped it, but this id's stored text differs
            item = self._extract_here(item)
            if item["kind"] == "error":
                self._fail(item, item["reason"])
                return
        from .errors import StoreError

        try:
            save_document_rows(self.db, item["doc_row"], item["claim_rows"])
        except StoreError as e:
            self._fail(item, f"document {doc_id}: {e.problem}")
            return
        self.index.remember(doc_id, content_hash, item["meta_hash"], item["minhash"], self.run_id)
        self.index.add_url(doc_id, url, self.run_id, content_hash, stored=True)
        setattr(self.counts, action, getattr(self.counts, action) + 1)
        self.counts.claims += len(item["claim_rows"])
        self.chars += len(item["doc_row"]["text"])

    def _extract_here(self, item: dict) -> dict:
        """Read the item's task again and extract the document here (the worker skipped it)."""
        result = process_task(item["task"], None, self.ner_model, only=(item["id"], item["hash"]))
        if result["docs"]:
            return result["docs"][0]
        return {**item, "kind": "error", "reason": f"document {item['id']}: changed while being ingested"}


# --- the run -----------------------------------------------------------------------------------

def ingest(db, files: list[Path], *, inputs: list[str], workers: int | None = None, dask: str | None = None,
           reextract: bool = False, ner_model: str | None = None,
           on_error: Callable[[str], None] = lambda line: None, progress: bool = False) -> Report:
    """Read, extract and store ``files`` into the open store ``db``; see the module docstring.

    The extractor version a document's fingerprint records includes the NER model spec, so
    turning a model on or off re-extracts what it would change."""
    from .extractor import EXTRACTOR_VERSION
    from .runs import ensure_schema, start_run

    started = time.monotonic()
    workers = max(1, workers or os.cpu_count() or 1)
    tasks = plan_tasks(files)
    parts = partitions_of(tasks)
    version = EXTRACTOR_VERSION + (f"+ner:{ner_model}" if ner_model else "")
    pool = None
    if dask:
        backend, results_of = f"dask {dask}", lambda known: run_on_dask(parts, known, dask, workers, ner_model)
    else:
        effective = min(workers, math.ceil(len(tasks) / MIN_TASKS_PER_WORKER))
        if effective <= 1:
            backend, results_of = "in-process", lambda known: run_in_process(parts, known, ner_model)
            workers = 1
        else:
            pool = start_pool(effective, ner_model)  # the workers load their pipelines meanwhile
            backend, results_of = "processes", lambda known: run_on_pool(parts, known, pool)
            workers = effective
    try:
        ensure_schema(db)
        run_id = start_run(db, inputs=inputs, version=version, backend=backend, workers=workers,
                           reextract=reextract)
        writer = Writer(db, run_id, version, reextract, on_error, ner_model)
        known = {} if reextract else writer.index.known()
        status = _write_results(db, writer, results_of(known), sum(t["size"] for t in tasks), progress)
    finally:
        if pool is not None:
            pool.close()
    return Report(run_id, writer.counts, writer.files_refused, writer.documents_failed,
                  time.monotonic() - started, writer.chars, status)


def _write_results(db, writer: Writer, results_of_parts, total_size: int, progress: bool) -> str:
    """Every partition's results to the writer, the last commit, and the run's status; an
    interruption (an error, Ctrl-C) marks the run "interrupted" and is raised again."""
    from .runs import update_run

    bar = _Progress(total_size, enabled=progress)
    if bar.enabled:
        writer.on_error = bar.print_error
    status = "completed"
    try:
        with bar:
            for results in results_of_parts:
                for result in results:
                    writer.add(result)
                bar.advance(sum(r["size"] for r in results), writer)
        writer.flush(status)
    except BaseException:
        status = "interrupted"
        try:
            writer.pending.clear()  # uncommitted: the next run does them again
            with db.atomic():
                update_run(db, writer.run_id, writer.counts, status)
        except Exception:
            pass
        raise
    return status


class _Progress:
    """A rich progress bar on stderr (a terminal only): input bytes done, docs, docs/s, ETA."""

    def __init__(self, total: int, enabled: bool):
        self.enabled, self.total, self.progress, self.started = enabled, total, None, time.monotonic()

    def __enter__(self):
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

            self.progress = Progress(
                TextColumn("ingest"), BarColumn(), TaskProgressColumn(),
                TextColumn("{task.fields[docs]} docs · {task.fields[rate]} docs/s · {task.fields[failed]} failed"),
                TextColumn("ETA"), TimeRemainingColumn(),
                console=Console(stderr=True), transient=False,
            )
            self.progress.__enter__()
            self.task = self.progress.add_task("ingest", total=max(self.total, 1), docs=0, rate="0.0", failed=0)
        return self

    def __exit__(self, *exc):
        if self.progress is not None:
            self.progress.__exit__(*exc)

    def advance(self, size: int, writer: Writer) -> None:
        if self.progress is None:
            return
        done = writer.counts.seen + len([p for p in writer.pending if p[0] == "doc"])
        rate = done / max(time.monotonic() - self.started, 1e-9)
        self.progress.update(self.task, advance=size, docs=done, rate=f"{rate:.1f}", failed=writer.counts.failed)

    def print_error(self, line: str) -> None:
        if self.progress is not None:
            self.progress.console.print(f"error: {line}", markup=False, highlight=False)
