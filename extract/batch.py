"""Batch ingest: incremental, parallel and resumable, on local processes or a Dask cluster.

Three stages, the first and last on the driver (the ``claims ingest`` process):

1. plan: the input files become tasks (a file; a JSON Lines file over ``CHUNK_BYTES`` in line
   ranges), grouped into partitions of about ``PARTITION_BYTES``.
2. work: :func:`process_partition` reads each task's documents, hashes them, skips extraction
   of those whose content hash the store already holds for this extractor version, extracts the
   rest and returns plain rows (dicts of str/int/float/bytes). The same function runs in-process
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

import hashlib
import math
import os
import sqlite3
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from multiprocessing.managers import BaseManager
from pathlib import Path

from schemas.document import Document

from .errors import InputError
from .runs import RunSeen

CHUNK_BYTES = 256 * 1024       # a JSON Lines file larger than this is split into line ranges this size
PARTITION_BYTES = 96 * 1024    # tasks per partition: about this much input
PARTITION_TASKS = 32           # … and at most this many tasks
BATCH_DOCS = 50                # documents per write transaction
COMMIT_SECONDS = 5.0           # … or sooner, when results come slowly
MIN_TASKS_PER_WORKER = 16      # fewer tasks than this per worker: extract in-process, no pool
MAX_DOCUMENT_CHARS = 1_000_000  # a longer document is refused (its own errors row)
WINDOW_PER_WORKER = 4          # partitions in flight per worker
NOT_EXTRACTED = ("known", "duplicate")  # items a worker did not extract (the writer may still need to)
MANY_DOCUMENT_SUFFIXES = (".jsonl", ".xml", ".rss", ".atom")  # a document's file: URI gets #id


# --- 1. plan -----------------------------------------------------------------------------------

def plan_tasks(files: list[Path]) -> list[dict]:
    """One task per file; a large UTF-8 JSON Lines file becomes one task per ``CHUNK_BYTES`` of
    whole lines. A task is a plain dict: path, file (index), part, parts, size, and for a chunk
    start/end byte offsets and its first line number."""
    tasks: list[dict] = []
    for index, path in enumerate(files):
        try:
            size = path.stat().st_size
        except OSError:
            size = 0
        chunks = _jsonl_chunks(path) if path.suffix.lower() == ".jsonl" and size > CHUNK_BYTES else None
        if not chunks:
            tasks.append({"path": str(path), "file": index, "part": 0, "parts": 1, "size": size})
            continue
        for part, (start, end, line) in enumerate(chunks):
            tasks.append({"path": str(path), "file": index, "part": part, "parts": len(chunks),
                          "size": end - start, "start": start, "end": end, "line": line})
    return tasks


def _jsonl_chunks(path: Path) -> list[tuple[int, int, int]] | None:
    """(start, end, first line) of line-aligned chunks; None (the file is read whole, its
    encoding detected as for any file) unless it is UTF-8 without a BOM."""
    import codecs

    try:
        with path.open("rb") as f:
            head = f.read(4)
            if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):
                return None
            f.seek(0)
            utf8 = codecs.getincrementaldecoder("utf-8")()
            chunks, start, line, lineno, pos = [], 0, 1, 1, 0
            for raw in f:
                utf8.decode(raw)
                pos += len(raw)
                lineno += 1
                if pos - start >= CHUNK_BYTES:
                    chunks.append((start, pos, line))
                    start, line = pos, lineno
            utf8.decode(b"", final=True)
            if pos > start:
                chunks.append((start, pos, line))
            return chunks
    except (OSError, UnicodeDecodeError):
        return None


def partitions_of(tasks: list[dict]) -> list[list[dict]]:
    """Consecutive tasks grouped to about ``PARTITION_BYTES`` (a chunk is a partition of its own)."""
    parts: list[list[dict]] = []
    current: list[dict] = []
    size = 0
    for task in tasks:
        if current and (size + task["size"] > PARTITION_BYTES or len(current) >= PARTITION_TASKS
                        or "start" in task):
            parts.append(current)
            current, size = [], 0
        current.append(task)
        size += task["size"]
    if current:
        parts.append(current)
    return parts


# --- 2. work -----------------------------------------------------------------------------------

def process_partition(tasks: list[dict], known: Mapping[str, tuple] | None = None,
                      ner_model: str | None = None, seen: RunSeen | None = None) -> list[dict]:
    """The worker function (in-process, process pool and Dask alike): each task's result, in order.

    A result is the task plus either ``error`` (the file is refused whole) or ``docs``: one item
    per document, each ``kind`` "doc" (with ``doc_row``, ``claim_rows`` and ``minhash``),
    "known" (the text is in ``known``, see ``DedupeIndex.known``: not extracted; the item names
    its task, which the writer reads again in the rare case it needs the rows after all),
    "duplicate" (``seen``, what this worker extracted earlier in the run, holds the same or a
    near-duplicate text: not extracted, ``minhash`` given, the task named as for "known") or
    "error" (with ``reason``). ``ner_model`` is passed on to ``extract_document``.
    """
    return [process_task(task, known, ner_model, seen) for task in tasks]


def process_task(task: dict, known: Mapping[str, tuple] | None = None, ner_model: str | None = None,
                 seen: RunSeen | None = None) -> dict:
    from .extractor import document_language

    try:
        documents = read_task(task)
        for document in documents:  # a document in no language we read refuses its file, as ever
            document_language(document)
    except InputError as e:
        return {**task, "error": str(e), "error_path": e.path, "docs": []}
    except Exception as e:  # a reader crashed: the file is refused, the run goes on
        return {**task, "error": f"{task['path']}: {_crash('reading failed', e)}",
                "error_path": task["path"], "docs": []}
    many = len(documents) > 1 or task["parts"] > 1 or Path(task["path"]).suffix.lower() in MANY_DOCUMENT_SUFFIXES
    items = [process_document(d, known, many, ner_model, seen, (task["file"], task["part"], i))
             for i, d in enumerate(documents)]
    for item in items:
        if item["kind"] in NOT_EXTRACTED:
            item["task"] = task
    return {**task, "docs": items}


def read_task(task: dict) -> list[Document]:
    """The documents of a task: the whole file, or the JSON Lines records of its byte range."""
    from .readers import _jsonl_document, read_file

    path = Path(task["path"])
    if "start" not in task:
        return list(read_file(path))
    with path.open("rb") as f:
        f.seek(task["start"])
        data = f.read(task["end"] - task["start"])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(path, "not UTF-8 text (a JSON Lines file is read as UTF-8)") from None
    documents = []
    for lineno, line in enumerate(text.split("\n"), task["line"]):
        if line.strip():
            documents.append(_jsonl_document(line, f"{path}:{lineno}", f"{path.stem}-{lineno}", path))
    return documents


def process_document(document: Document, known: Mapping[str, tuple] | None = None,
                     many: bool = False, ner_model: str | None = None, seen: RunSeen | None = None,
                     order: tuple = ()) -> dict:
    """One document's item: extracted rows, or "known" or "duplicate" (not extracted), or a
    one-line error. A document extracted here is added to ``seen`` at ``order``, its place in
    the input."""
    from .extractor import EXTRACTOR_VERSION, extract_document
    from .feeds import canonical_url
    from .runs import fallback_url
    from .store import document_rows

    content_hash = document.content_hash
    meta_hash = hashlib.sha256(document.meta.model_dump_json().encode("utf-8")).hexdigest()[:32]
    url = canonical_url(document.meta.url) or fallback_url(document.path, document.id, many)
    item = {"id": document.id, "hash": content_hash, "meta_hash": meta_hash, "url": url, "path": document.path}
    if len(document.text) > MAX_DOCUMENT_CHARS:
        return {**item, "kind": "error",
                "reason": f"document {document.id} too large ({len(document.text):,} characters; "
                          f"the limit is {MAX_DOCUMENT_CHARS:,})"}
    stored_as = (known or {}).get(content_hash)
    if stored_as is not None and (stored_as[0] != document.id or stored_as[1] == meta_hash):
        return {**item, "kind": "known"}
    try:
        blob = _minhash_bytes(document.text)
        if seen is not None and seen.twin(content_hash, blob, order) not in (None, document.id):
            return {**item, "kind": "duplicate", "minhash": blob}
        result = extract_document(document, ner_model=ner_model)
        meta = document.meta.model_copy(update={"lang": result.lang})  # the language extracted in
        stored = document.model_copy(update={"meta": meta})
        doc_row, claim_rows = document_rows(stored, result.claims, result.sentences, EXTRACTOR_VERSION,
                                            result.displays)
    except InputError as e:
        return {**item, "kind": "error", "reason": f"document {document.id}: {e.problem}"}
    except Exception as e:
        return {**item, "kind": "error", "reason": f"document {document.id}: {_crash('extraction failed', e)}"}
    if seen is not None:
        seen.add(document.id, content_hash, blob, order)
    return {**item, "kind": "doc", "doc_row": doc_row, "claim_rows": claim_rows, "minhash": blob}


def _minhash_bytes(text: str) -> bytes | None:
    """The MinHash of ``duplicates.shingles(text)``, serialised; None for a text without shingles.

    As ``duplicates.minhash`` but with CRC-32 in place of SHA-1 to map a shingle to 32 bits
    (half the time; the random permutations on top do the min-wise hashing either way), so these
    fingerprints are compared with each other only."""
    import zlib

    from datasketch import LeanMinHash, MinHash

    from .duplicates import NUM_PERM, shingles

    found = shingles(text)
    if not found:
        return None
    m = MinHash(num_perm=NUM_PERM, hashfunc=zlib.crc32)
    m.update_batch([s.encode("utf-8") for s in sorted(found)])
    lean = LeanMinHash(m)
    buf = bytearray(lean.bytesize())
    lean.serialize(buf)
    return bytes(buf)


def _crash(what: str, error: Exception) -> str:
    frame = traceback.extract_tb(error.__traceback__)[-1:] if error.__traceback__ else []
    where = f" at {Path(frame[0].filename).name}:{frame[0].lineno}" if frame else ""
    return " ".join(f"{what}: {type(error).__name__}: {error}{where}".split())[:300]


def warm_up(ner_model: str | None = None) -> None:
    """Load the spaCy pipelines, the catalog and the grammar (once per process: all cached)."""
    from .extractor import extract_document

    for text in ("比特币ETF上周净流出约17.3亿美元。", "Bitcoin ETFs saw outflows of $537 million last week."):
        extract_document(Document(id="warm-up", text=text), ner_model=ner_model)


_WORKER: dict = {"known": {}, "ner_model": None, "seen": None}


def _watch_driver(driver: int) -> None:
    """End this process when the driver ``driver`` is gone (``kill -9`` leaves no orphans behind)."""
    import threading

    def watch() -> None:
        while os.getppid() == driver:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="driver-watchdog", daemon=True).start()


class SeenManager(BaseManager):
    """The process holding the run's one :class:`RunSeen`, which the pool's workers share."""


SeenManager.register("RunSeen", RunSeen)


def _init_pool_worker(known: Mapping[str, tuple], ner_model: str | None, driver: int, seen) -> None:
    """Process-pool initializer: the pipelines are loaded once per worker process; ``seen`` is the
    run's shared :class:`RunSeen` (a manager proxy). A watchdog ends the worker with its driver."""
    _watch_driver(driver)
    _WORKER.update(known=known, ner_model=ner_model, seen=seen)
    warm_up(ner_model)


def _pool_partition(tasks: list[dict]) -> list[dict]:
    return process_partition(tasks, _WORKER["known"], _WORKER["ner_model"], _WORKER["seen"])


# --- executors: partitions in, results out, in input order -------------------------------------

def run_in_process(parts: list[list[dict]], known: Mapping[str, tuple], ner_model: str | None = None) -> Iterator[list[dict]]:
    seen = RunSeen()
    for part in parts:
        yield process_partition(part, known, ner_model, seen)


def run_on_pool(parts: list[list[dict]], known: Mapping[str, tuple], workers: int,
                ner_model: str | None = None) -> Iterator[list[dict]]:
    """A ``ProcessPoolExecutor`` of spawned workers, at most ``WINDOW_PER_WORKER`` ×
    workers partitions in flight. A worker that dies (a crash, the OOM killer) breaks the pool:
    the pool is restarted and the partitions in flight re-run one at a time, and a partition that
    kills a worker again becomes an error for each of its files."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    spawn = mp.get_context("spawn")  # a clean interpreter, whose parent is this process (see the watchdog)
    manager = SeenManager(ctx=spawn)
    manager.start(initializer=_watch_driver, initargs=(os.getpid(),))
    seen = manager.RunSeen()

    def new_pool():
        return ProcessPoolExecutor(max_workers=workers, mp_context=spawn, initializer=_init_pool_worker,
                                   initargs=(known, ner_model, os.getpid(), seen))

    pool = new_pool()
    pending = deque(parts)
    in_flight: deque = deque()
    isolate = 0  # partitions still to run one at a time after a crash
    try:
        while pending or in_flight:
            limit = 1 if isolate else workers * WINDOW_PER_WORKER
            while pending and len(in_flight) < limit:
                part = pending.popleft()
                in_flight.append((part, pool.submit(_pool_partition, part)))
            part, future = in_flight.popleft()
            try:
                result = future.result()
            except BrokenProcessPool:
                pool.shutdown(wait=False, cancel_futures=True)
                pool = new_pool()
                if isolate:  # it was running alone: this partition kills its worker
                    isolate -= 1
                    yield [{**t, "error": f"{t['path']}: a worker process died reading or extracting it",
                            "error_path": t["path"], "docs": []} for t in part]
                    continue
                retry = [part] + [p for p, _ in in_flight]
                in_flight.clear()
                pending.extendleft(reversed(retry))
                isolate = len(retry)
                continue
            if isolate:
                isolate -= 1
            yield result
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        manager.shutdown()


def run_on_dask(parts: list[list[dict]], known: Mapping[str, tuple], address: str, workers: int,
                ner_model: str | None = None) -> Iterator[list[dict]]:
    """A ``dask.bag`` whose partitions are ``parts``, ``map_partitions(process_partition)``;
    partitions computed a window at a time and gathered in order. ``address`` is a scheduler
    (tcp://host:8786) or ``local`` for a ``LocalCluster`` of ``workers`` single-threaded processes.
    A partition that fails on the cluster (its worker lost too often) becomes an error per file."""
    import logging

    import dask
    import dask.bag as dask_bag
    from distributed import Client, LocalCluster

    cluster = None
    try:
        if address == "local":
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=logging.ERROR)
            client = Client(cluster)
        else:
            client = Client(address, timeout="30s")
    except (OSError, TimeoutError) as e:
        if cluster is not None:
            cluster.close()
        raise InputError(address, f"cannot reach the Dask scheduler ({type(e).__name__}: {e})") from None
    try:
        from .daskplugin import LoadPipelines

        client.register_plugin(LoadPipelines(ner_model))
        n_workers = max(1, len(client.scheduler_info().get("workers", {})) or workers)
        bag = dask_bag.from_delayed([dask.delayed(part, traverse=False) for part in parts])
        results = bag.map_partitions(process_partition, known=dask.delayed(known, traverse=False),
                                     ner_model=ner_model).to_delayed()
        pending = deque(zip(parts, results))
        in_flight: deque = deque()
        while pending or in_flight:
            while pending and len(in_flight) < n_workers * WINDOW_PER_WORKER:
                part, delayed_result = pending.popleft()
                in_flight.append((part, client.compute(delayed_result)))
            part, future = in_flight.popleft()
            try:
                result = list(future.result())
            except Exception as e:  # KilledWorker and the like: the files are refused, the run goes on
                reason = _crash("the Dask task failed", e)
                result = [{**t, "error": f"{t['path']}: {reason}", "error_path": t["path"], "docs": []} for t in part]
            future.release()
            yield result
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


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
        result = process_task(item["task"], None, self.ner_model)
        for again in result["docs"]:
            if again["id"] == item["id"] and again["hash"] == item["hash"]:
                return again
        return {**item, "kind": "error", "reason": f"document {item['id']}: changed while being ingested"}


# --- the run -----------------------------------------------------------------------------------

def ingest(db, files: list[Path], *, inputs: list[str], workers: int | None = None, dask: str | None = None,
           reextract: bool = False, ner_model: str | None = None,
           on_error: Callable[[str], None] = lambda line: None, progress: bool = False) -> Report:
    """Read, extract and store ``files`` into the open store ``db``; see the module docstring.

    The extractor version a document's fingerprint records includes the NER model spec, so
    turning a model on or off re-extracts what it would change."""
    from .extractor import EXTRACTOR_VERSION
    from .runs import ensure_schema, start_run, update_run

    started = time.monotonic()
    workers = max(1, workers or os.cpu_count() or 1)
    tasks = plan_tasks(files)
    parts = partitions_of(tasks)
    ensure_schema(db)
    version = EXTRACTOR_VERSION + (f"+ner:{ner_model}" if ner_model else "")
    if dask:
        backend, results_of = f"dask {dask}", lambda known: run_on_dask(parts, known, dask, workers, ner_model)
    else:
        effective = min(workers, math.ceil(len(tasks) / MIN_TASKS_PER_WORKER))
        if effective <= 1:
            backend, results_of = "in-process", lambda known: run_in_process(parts, known, ner_model)
            workers = 1
        else:
            backend, results_of = "processes", lambda known: run_on_pool(parts, known, effective, ner_model)
            workers = effective
    run_id = start_run(db, inputs=inputs, version=version, backend=backend, workers=workers, reextract=reextract)
    writer = Writer(db, run_id, version, reextract, on_error, ner_model)
    known = {} if reextract else writer.index.known()
    bar = _Progress(sum(t["size"] for t in tasks), enabled=progress)
    if bar.enabled:
        writer.on_error = bar.print_error
    status = "completed"
    try:
        with bar:
            for results in results_of(known):
                for result in results:
                    writer.add(result)
                bar.advance(sum(r["size"] for r in results), writer)
        writer.flush(status)
    except BaseException:
        status = "interrupted"
        try:
            writer.pending.clear()  # uncommitted: the next run does them again
            with db.atomic():
                update_run(db, run_id, writer.counts, status)
        except Exception:
            pass
        raise
    return Report(run_id, writer.counts, writer.files_refused, writer.documents_failed,
                  time.monotonic() - started, writer.chars, status)


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
