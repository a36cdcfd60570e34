"""Batch ingest, stages 1 and 2: the input files planned into tasks and partitions, and the
worker function that reads, hashes and extracts them (see :mod:`extract.batch` for the whole).

:func:`process_partition` is the one worker function: it runs in-process, on a process pool
(pipelines loaded once per worker by :func:`_init_pool_worker`) and on Dask workers alike, and
returns plain rows (dicts of str/int/float/bytes) for the single writer.
"""
from __future__ import annotations

import hashlib
import os
import traceback
from collections.abc import Mapping
from pathlib import Path

from schemas.document import Document

from .errors import InputError
from .runlog import watch_driver
from .runs import RunSeen

CHUNK_BYTES = 256 * 1024       # a JSON Lines file larger than this is split into line ranges this size
PARTITION_BYTES = 96 * 1024    # tasks per partition: about this much input
PARTITION_TASKS = 32           # … and at most this many tasks
MAX_DOCUMENT_CHARS = 1_000_000  # a longer document is refused (its own errors row)
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
                 seen: RunSeen | None = None, only: tuple[str, str] | None = None) -> dict:
    """One task's result (see :func:`process_partition`). With ``only`` (a document's id and
    content hash) just that document of the task is processed, the others are left out."""
    from .extractor import document_language

    try:
        documents = read_task(task)
        many = len(documents) > 1 or task["parts"] > 1 or Path(task["path"]).suffix.lower() in MANY_DOCUMENT_SUFFIXES
        chosen = [(i, d) for i, d in enumerate(documents) if only is None or (d.id, d.content_hash) == only]
        # a document in no language we read refuses its file, as ever
        langs = [document_language(document) for _, document in chosen]
    except InputError as e:
        return {**task, "error": str(e), "error_path": e.path, "docs": []}
    except Exception as e:  # a reader crashed: the file is refused, the run goes on
        return {**task, "error": f"{task['path']}: {_crash('reading failed', e)}",
                "error_path": task["path"], "docs": []}
    items = [process_document(d, known, many, ner_model, seen, (task["file"], task["part"], i), lang)
             for (i, d), lang in zip(chosen, langs)]
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
                     order: tuple = (), lang: str | None = None) -> dict:
    """One document's item: extracted rows, or "known" or "duplicate" (not extracted), or a
    one-line error. A document extracted here is added to ``seen`` at ``order``, its place in
    the input; ``lang``, when given, is its language as ``document_language`` found it."""
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
        if _twin(seen, content_hash, blob, order) not in (None, document.id):
            return {**item, "kind": "duplicate", "minhash": blob}
        result = extract_document(document, ner_model=ner_model, lang=lang)
        meta = document.meta.model_copy(update={"lang": result.lang})  # the language extracted in
        stored = document.model_copy(update={"meta": meta})
        doc_row, claim_rows = document_rows(stored, result.claims, result.sentences, EXTRACTOR_VERSION,
                                            result.displays)
    except InputError as e:
        return {**item, "kind": "error", "reason": f"document {document.id}: {e.problem}"}
    except Exception as e:
        return {**item, "kind": "error", "reason": f"document {document.id}: {_crash('extraction failed', e)}"}
    _remember(seen, document.id, content_hash, blob, order)
    return {**item, "kind": "doc", "doc_row": doc_row, "claim_rows": claim_rows, "minhash": blob}


def _twin(seen: RunSeen | None, content_hash: str, blob: bytes | None, order: tuple) -> str | None:
    """``seen.twin(…)``, or None when there is no index or it cannot be reached (a lost manager
    process costs extractions, never documents)."""
    if seen is None:
        return None
    try:
        return seen.twin(content_hash, blob, order)
    except Exception:
        return None


def _remember(seen: RunSeen | None, doc_id: str, content_hash: str, blob: bytes | None, order: tuple) -> None:
    if seen is not None:
        try:
            seen.add(doc_id, content_hash, blob, order)
        except Exception:
            pass


def _minhash_bytes(text: str) -> bytes | None:
    """The MinHash of ``duplicates.shingles(text)``, serialised; None for a text without shingles.

    As ``duplicates.minhash`` but with CRC-32 in place of SHA-1 to map a shingle to 32 bits
    (half the time; the random permutations on top do the min-wise hashing either way), so these
    fingerprints are compared with each other only."""
    import zlib

    from datasketch import LeanMinHash, MinHash

    from .duplicates import NUM_PERM, _shared, shingles

    found = shingles(text)
    if not found:
        return None
    m = MinHash(num_perm=NUM_PERM, hashfunc=zlib.crc32, **_shared(NUM_PERM))
    m.update_batch([s.encode("utf-8") for s in found])
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


_WORKER: dict = {"known": None, "ner_model": None, "seen": None, "replica": None, "synced": 0}


def _init_pool_worker(ner_model: str | None, driver: int, seen) -> None:
    """Process-pool initializer: the pipelines are loaded once per worker process; ``seen`` is the
    run's shared :class:`RunLog` (a manager proxy). A watchdog ends the worker with its driver."""
    watch_driver(driver)
    _WORKER.update(known=None, ner_model=ner_model, seen=seen, replica=RunSeen(), synced=0)
    warm_up(ner_model)


def _pool_partition(tasks: list[dict]) -> list[dict]:
    """A partition in a pool worker, against the worker's replica of the run's shared index: what
    the other workers added is fetched before, what this one added is sent after (two round
    trips to the manager per partition; the store's known texts once, with the first). A lost
    manager only costs extractions."""
    shared, replica = _WORKER["seen"], _WORKER["replica"]
    try:
        if _WORKER["known"] is None:
            _WORKER["known"] = shared.known()
        _WORKER["synced"], fetched = shared.since(_WORKER["synced"], os.getpid())
        replica.add_all(fetched)
    except Exception:
        pass
    done = len(replica.log)
    results = process_partition(tasks, _WORKER["known"] or {}, _WORKER["ner_model"], replica)
    try:
        shared.add_all(replica.log[done:], os.getpid())
    except Exception:
        pass
    return results
