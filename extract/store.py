"""The SQLite store: documents and their claims, written with sqlite-utils, browsed in Datasette.

Every write goes through sqlite-utils inside ``db.atomic()``; reads may use plain SELECTs.
Full-text search uses FTS5 with the ``trigram`` tokenizer, because the default tokenizer
indexes a whole run of Chinese characters as one token; trigram cannot match 1–2 character
terms, so those fall back to LIKE.
"""
from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import sqlite_utils

from schemas import Claim, Document, DocumentClaims, DocumentMeta

from .errors import StoreError
from .findings_store import forget_document_findings
from .views import create_views

BUSY_TIMEOUT_S = 2.0
# The writer's page cache, and statement journals kept in memory, not in temporary files (an
# insert that fires the FTS triggers journals every page it touches): −9 % of the writer's CPU
# (min of 7 runs writing the same 2,000 documents).
WRITER_PRAGMAS = ("PRAGMA cache_size=-65536", "PRAGMA temp_store=MEMORY")

DOCUMENT_COLUMNS = {
    "id": str, "title": str, "url": str, "publisher": str, "lang": str,
    "published": str, "text": str, "content_hash": str, "path": str, "ingested_at": str,
}
CLAIM_COLUMNS = {
    "id": str, "document_id": str, "claim_id": str, "start": int, "end": int,
    "text": str, "sentence": str, "value": float, "low": float, "high": float,
    "unit": str, "approx": str, "extractor_version": str,
    # Filled by the claim-building stage; nullable until then.
    "subject_id": str, "metric": str, "region": str, "object": str,
    "period_start": str, "period_end": str, "source_id": str, "display": str,
    "confidence": float,
}
ENTITY_COLUMNS = {
    "id": str, "kind": str, "name": str, "name_zh": str, "tickers": str, "region": str,
    "part_of": str, "linked": int,
}
FTS_COLUMNS = {"documents": ["title", "text"], "claims": ["text", "sentence"]}
INDEXES = {
    "claims": [["document_id"], ["subject_id", "metric"], ["unit"]],
    "documents": [["published"]],
}


def open_store(path: str | Path) -> sqlite_utils.Database:
    """Open or create the store at ``path``: WAL mode, foreign keys on, schema created if missing.

    Raises ``StoreError`` (one line) if the file is not SQLite or another process holds the lock.
    """
    conn = None
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S)
        db = sqlite_utils.Database(conn)
        db.execute("select count(*) from sqlite_master").fetchone()  # reads the header only
        db.execute("PRAGMA foreign_keys=ON")
        for pragma in WRITER_PRAGMAS:
            db.execute(pragma)
        db.enable_wal()
        db.execute("BEGIN IMMEDIATE")  # take the write lock now, so a busy store fails here
        try:
            _create_schema(db)
        except BaseException:
            db.rollback()
            raise
        db.commit()
        return db
    except BaseException as e:
        if conn is not None:
            conn.close()
        if isinstance(e, sqlite3.Error):
            raise StoreError(str(path), _problem(e)) from None
        raise


def _create_schema(db: sqlite_utils.Database) -> None:
    db["documents"].create(DOCUMENT_COLUMNS, pk="id", not_null={"text"}, if_not_exists=True)
    db["entities"].create(ENTITY_COLUMNS, pk="id", not_null={"kind", "name"}, if_not_exists=True)
    _sync_catalog(db)
    db["claims"].create(
        CLAIM_COLUMNS,
        pk="id",
        foreign_keys=[("document_id", "documents", "id"), ("subject_id", "entities", "id"),
                      ("source_id", "entities", "id")],
        not_null={"document_id", "claim_id", "start", "end", "text", "value", "approx"},
        if_not_exists=True,
    )
    for table, indexes in INDEXES.items():
        for columns in indexes:
            db[table].create_index(columns, if_not_exists=True)
    for table, columns in FTS_COLUMNS.items():
        if not db[f"{table}_fts"].exists():
            db[table].enable_fts(columns, tokenize="trigram", create_triggers=True)
    create_views(db)  # the reading views for Datasette (extract/views.py)


def _sync_catalog(db: sqlite_utils.Database) -> None:
    """Upsert every catalog entity into ``entities`` (the catalog is the source of truth)."""
    from .catalog import load_catalog

    rows = []
    for e in load_catalog():
        names = e.names.by_lang()
        rows.append({
            "id": e.id, "kind": e.kind, "name": e.display or min(names.get("en") or (e.id,), key=len),
            "name_zh": (names.get("zh-Hans") or (None,))[0], "tickers": ", ".join(e.tickers) or None,
            "region": e.code or e.region, "part_of": ", ".join(e.part_of) or None, "linked": 1,
        })
    db["entities"].upsert_all(rows, pk="id")


def _unlinked_entity_rows_for(db: sqlite_utils.Database, wanted: set[str]) -> list[dict]:
    """Rows for subject and source ids (``wanted``) the catalog does not know: joint subjects
    (btc+eth) and organisations found only by their form; they are stored with ``linked = 0``."""
    known = {row[0] for row in db.execute(
        f"select id from entities where id in ({', '.join('?' * len(wanted))})", list(wanted))} if wanted else set()
    rows = []
    for entity_id in sorted(wanted - known):
        joint = "+" in entity_id
        rows.append({"id": entity_id, "kind": "group" if joint else "organisation", "name": entity_id,
                     "name_zh": None, "tickers": None, "region": None,
                     "part_of": None, "linked": 0})
    return rows


def _problem(error: sqlite3.Error) -> str:
    """A one-line description of a SQLite error, in the words the CLI shows."""
    message = str(error)
    if "not a database" in message or "malformed" in message:
        return "not a SQLite database"
    if "locked" in message or "busy" in message:
        return "database is locked by another process"
    if "unable to open" in message:
        return "cannot open database file"
    return (message.splitlines() or [type(error).__name__])[0]


def _store_path(db: sqlite_utils.Database) -> str:
    return db.execute("PRAGMA database_list").fetchone()[2] or ":memory:"


def save_document(
    db: sqlite_utils.Database,
    document: Document,
    claims: list[Claim],
    sentences: list[str | None],
    extractor_version: str,
    displays: list[str | None] | None = None,
) -> None:
    """Upsert ``document`` and replace all its claims, in one transaction: all or nothing.

    Findings that involve the document are deleted with its old claims (run the cross-check again).

    ``sentences[i]`` is the sentence around ``claims[i]``, ``displays[i]`` its display form.
    Raises ``StoreError`` on a failed write.
    """
    doc_row, claim_rows = document_rows(document, claims, sentences, extractor_version, displays)
    save_document_rows(db, doc_row, claim_rows)


def document_rows(
    document: Document,
    claims: list[Claim],
    sentences: list[str | None],
    extractor_version: str,
    displays: list[str | None] | None = None,
) -> tuple[dict, list[dict]]:
    """The ``documents`` row and the ``claims`` rows that ``save_document`` writes: plain dicts,
    so a worker process can build them and the single writer store them (``save_document_rows``)."""
    if len(sentences) != len(claims):
        raise ValueError(f"{len(claims)} claims but {len(sentences)} sentences")
    displays = displays if displays is not None else [None] * len(claims)
    doc_row = _document_row(document)
    claim_rows = [
        _claim_row(document.id, claim, sentence, extractor_version, display)
        for claim, sentence, display in zip(claims, sentences, displays)
    ]
    return doc_row, claim_rows


def save_document_rows(db: sqlite_utils.Database, doc_row: dict, claim_rows: list[dict]) -> None:
    """Upsert a document row and replace all its claims, in one transaction (a savepoint inside
    an enclosing one); its findings are forgotten. Raises ``StoreError`` on a failed write."""
    document_id = doc_row["id"]
    wanted = {row[key] for row in claim_rows for key in ("subject_id", "source_id") if row[key]}
    try:
        with db.atomic():
            unlinked = _unlinked_entity_rows_for(db, wanted)
            if unlinked:
                db["entities"].insert_all(unlinked, pk="id", ignore=True)
            db["documents"].upsert(doc_row, pk="id")
            forget_document_findings(db, document_id)  # its findings are stale; frees the claims' FKs
            db["claims"].delete_where("document_id = ?", [document_id])
            db["claims"].insert_all(claim_rows)
    except sqlite3.Error as e:
        problem = _problem(e)
        if isinstance(e, sqlite3.IntegrityError):
            problem = f"document {document_id}: {problem}"
        raise StoreError(_store_path(db), problem) from e


def _document_row(document: Document) -> dict:
    meta = document.meta
    return {
        "id": document.id,
        "title": meta.title,
        "url": meta.url,
        "publisher": meta.publisher,
        "lang": meta.lang,
        "published": meta.date.isoformat() if meta.date else None,
        "text": document.text,
        "content_hash": document.content_hash,
        "path": document.path,
        "ingested_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }


def _claim_row(document_id: str, claim: Claim, sentence: str | None, version: str,
               display: str | None = None) -> dict:
    period = claim.period
    return {
        "id": f"{document_id}#{claim.id}",
        "document_id": document_id,
        "claim_id": claim.id,
        "start": claim.start,
        "end": claim.end,
        "text": claim.text,
        "sentence": sentence,
        "value": claim.value,
        "low": claim.low,
        "high": claim.high,
        "unit": claim.unit,
        "approx": claim.approx,
        "extractor_version": version,
        "subject_id": claim.subject,
        "metric": claim.metric,
        "region": claim.region,
        "object": claim.object,
        "period_start": period[0].isoformat() if period else None,
        "period_end": period[1].isoformat() if period else None,
        "source_id": claim.source,
        "display": display,
        "confidence": None,
    }


def iter_documents(db: sqlite_utils.Database) -> Iterator[Document]:
    """Yield every stored document as a ``Document``, ordered by id."""
    for row in db["documents"].rows_where(order_by="id"):
        meta = DocumentMeta(
            date=row["published"], lang=row["lang"], title=row["title"],
            url=row["url"], publisher=row["publisher"],
        )
        yield Document(id=row["id"], text=row["text"], meta=meta, path=row["path"])


def load_document_claims(db: sqlite_utils.Database) -> list[DocumentClaims]:
    """Every document with its claims in the gold format, ordered by document id then claim start."""
    by_document: dict[str, list[Claim]] = {}
    for row in db["claims"].rows_where(order_by='document_id, start, "end", claim_id'):
        by_document.setdefault(row["document_id"], []).append(claim_from_row(row))
    return [
        DocumentClaims(doc=doc.id, meta=doc.meta, claims=by_document.get(doc.id, []))
        for doc in iter_documents(db)
    ]


def claim_from_row(row: dict) -> Claim:
    """A stored claims row as a gold-format :class:`Claim`."""
    fields = {
        "id": row["claim_id"], "start": row["start"], "end": row["end"], "text": row["text"],
        "value": row["value"], "low": row["low"], "high": row["high"], "unit": row["unit"],
        "approx": row["approx"], "subject": row["subject_id"], "metric": row["metric"],
        "region": row["region"], "object": row["object"], "source": row["source_id"],
    }
    if row["period_start"] and row["period_end"]:
        fields["period"] = (row["period_start"], row["period_end"])
    return Claim(**{k: v for k, v in fields.items() if v is not None})


def document_stats(db: sqlite_utils.Database) -> list[dict]:
    """One dict per document: id, title, lang, published and its number of ``claims``."""
    sql = """
        select d.id, d.title, d.lang, d.published, count(c.id) as claims
        from documents d left join claims c on c.document_id = d.id
        group by d.id order by d.id
    """
    cursor = db.execute(sql)
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row)) for row in cursor]


def search_claims(db: sqlite_utils.Database, query: str, limit: int = 50) -> list[dict]:
    """Claim rows whose text or sentence contains every term of ``query`` (FTS, or LIKE for short terms)."""
    return _search(db, "claims", query, limit, order_by='document_id, start')


def search_documents(db: sqlite_utils.Database, query: str, limit: int = 50) -> list[dict]:
    """Document rows whose title or text contains every term of ``query`` (FTS, or LIKE for short terms)."""
    return _search(db, "documents", query, limit, order_by="id")


def _search(db: sqlite_utils.Database, table: str, query: str, limit: int, order_by: str) -> list[dict]:
    terms = query.split()
    if not terms:
        return []
    if all(len(term) >= 3 for term in terms):
        # Each term is quoted as a phrase, so FTS operators in user input are taken literally.
        columns = list(db[table].columns_dict)  # not the rowid that search() adds to "*"
        return list(db[table].search(query, columns=columns, quote=True, limit=limit))
    # Trigram matches nothing shorter than three characters: scan with LIKE instead.
    searched = FTS_COLUMNS[table]
    one_term = "(" + " or ".join(f"[{c}] like ? escape '\\'" for c in searched) + ")"
    where = " and ".join([one_term] * len(terms))
    args = [f"%{_escape_like(term)}%" for term in terms for _ in searched]
    rows = db[table].rows_where(where, args, order_by=order_by, limit=limit)
    return list(rows)


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def subject_counts(db: sqlite_utils.Database, unlinked: bool = False, examples: int = 2) -> list[dict]:
    """Entities that are the subject of stored claims, most claims first: id, kind, name, linked,
    ``claims``, ``documents`` and up to ``examples`` example quotes (``[{"document_id", "sentence"}]``).

    With ``unlinked``, only subjects the catalog does not know (``entities.linked = 0``: found by
    their form or proposed by a NER model), leaving out joint subjects (``btc+eth``) — the candidate
    aliases to review for the catalog.
    """
    where = "where e.linked = 0 and instr(e.id, '+') = 0" if unlinked else ""
    cursor = db.execute(f"""
        select e.id, e.kind, e.name, e.linked, count(c.id) as claims,
               count(distinct c.document_id) as documents
        from entities e join claims c on c.subject_id = e.id
        {where}
        group by e.id order by claims desc, e.id
    """)
    names = [c[0] for c in cursor.description]
    rows = [dict(zip(names, row)) for row in cursor.fetchall()]
    for row in rows:
        row["examples"] = [
            {"document_id": d, "sentence": (s or t).strip()} for d, s, t, _ in db.execute(
                'select document_id, sentence, text, min(start) as first from claims where subject_id = ? '
                'group by document_id, coalesce(sentence, text) order by document_id, first limit ?',
                [row["id"], max(0, examples)])
        ]
    return rows
