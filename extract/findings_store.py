"""The cross-check results in the store: tables ``findings`` and ``finding_claims``.

Contracts:

* ``save_findings`` replaces *all* findings in one transaction (the cross-check recomputes the
  whole store); saving the same findings twice leaves identical tables, ``created_at`` included
  (it is the time a finding id first appeared, kept while the id keeps being found).
* ``finding_claims.claim_id`` references ``claims.id`` with no cascade: a finding never silently
  loses a claim. ``save_document`` calls :func:`forget_document_findings` before it replaces a
  document's claims, which drops every finding involving that document (they are stale until the
  next ``claims crosscheck``).
* ``finding_claims.position`` keeps the order of ``Finding.claims``, so a round trip is exact
  (except that a claim repeated with the same role is stored once: the table's key is
  ``(finding_id, claim_id)``).

Writes go through sqlite-utils inside ``db.atomic()``; reads are plain SELECTs. This module does
not import ``store`` (``store`` imports it).
"""
from __future__ import annotations

import datetime as dt
import json
import sqlite3

import sqlite_utils

from schemas import Check, Finding, FindingClaim

from .errors import StoreError

SEVERITY_ORDER = ("error", "warning", "info")

FINDING_COLUMNS = {
    "id": str, "kind": str, "severity": str, "verdict": str, "explanation": str,
    "numbers": str, "lang": str, "created_at": str,
}
FINDING_CLAIM_COLUMNS = {"finding_id": str, "claim_id": str, "role": str, "position": int}

_ORDER_BY_SEVERITY = "case severity when 'error' then 0 when 'warning' then 1 when 'info' then 2 else 3 end"


def ensure_finding_tables(db: sqlite_utils.Database) -> None:
    """Create ``findings`` and ``finding_claims`` and their indexes if missing (idempotent)."""
    db["findings"].create(
        FINDING_COLUMNS, pk="id",
        not_null={"kind", "severity", "verdict", "explanation", "numbers", "lang", "created_at"},
        if_not_exists=True,
    )
    db["finding_claims"].create(
        FINDING_CLAIM_COLUMNS, pk=("finding_id", "claim_id"),
        foreign_keys=[("finding_id", "findings", "id"), ("claim_id", "claims", "id")],
        not_null={"role", "position"},
        if_not_exists=True,
    )
    db["finding_claims"].create_index(["claim_id"], if_not_exists=True)
    db["findings"].create_index(["severity", "kind"], if_not_exists=True)


def has_findings_table(db: sqlite_utils.Database) -> bool:
    """True once ``claims crosscheck`` (``save_findings``) has run on this store."""
    return db["findings"].exists() and db["finding_claims"].exists()


def save_findings(db: sqlite_utils.Database, findings: list[Finding]) -> None:
    """Replace all stored findings by ``findings``, in one transaction: all or nothing.

    A claim repeated with the same role in one finding is stored once. Raises ``ValueError`` for a
    duplicate finding id or a claim given two roles in one finding, ``StoreError`` (one line) when
    a finding names a claim the store lacks or a write fails.
    """
    _check_unique(findings)
    path = _store_path(db)
    try:
        with db.atomic():
            ensure_finding_tables(db)
            _check_claims_exist(db, findings, path)
            first_seen = {row[0]: row[1] for row in db.execute("select id, created_at from findings")}
            now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
            db["finding_claims"].delete_where()
            db["findings"].delete_where()
            db["findings"].insert_all(
                [_finding_row(f, first_seen.get(f.id, now)) for f in findings], pk="id")
            db["finding_claims"].insert_all(
                [{"finding_id": f.id, "claim_id": c.claim_id, "role": c.role, "position": i}
                 for f in findings for i, c in enumerate(_distinct_claims(f))],
                pk=("finding_id", "claim_id"))
    except sqlite3.Error as e:
        raise StoreError(path, f"saving findings: {e}") from e


def forget_document_findings(db: sqlite_utils.Database, document_id: str) -> None:
    """Delete every finding that involves a claim of ``document_id`` (with all its claim links).

    Called by ``save_document`` inside its transaction, before the document's claims are replaced;
    a no-op on a store without findings tables.
    """
    if not has_findings_table(db):
        return
    stale = ("select distinct fc.finding_id from finding_claims fc join claims c on c.id = fc.claim_id "
             "where c.document_id = ?")
    ids = [row[0] for row in db.execute(stale, [document_id])]
    if not ids:
        return
    marks = ", ".join("?" * len(ids))
    db["finding_claims"].delete_where(f"finding_id in ({marks})", ids)
    db["findings"].delete_where(f"id in ({marks})", ids)


def load_findings(db: sqlite_utils.Database) -> list[Finding]:
    """Every stored finding, ordered by severity (error, warning, info), then kind, then id.

    A store without findings tables yields ``[]``.
    """
    if not has_findings_table(db):
        return []
    claims: dict[str, list[FindingClaim]] = {}
    for finding_id, claim_id, role in db.execute(
            "select finding_id, claim_id, role from finding_claims order by finding_id, position"):
        claims.setdefault(finding_id, []).append(FindingClaim(claim_id=claim_id, role=role))
    cursor = db.execute(f"select * from findings order by {_ORDER_BY_SEVERITY}, kind, id")
    names = [c[0] for c in cursor.description]
    findings = []
    for values in cursor:
        row = dict(zip(names, values))
        findings.append(Finding(
            id=row["id"], kind=row["kind"], severity=row["severity"], verdict=row["verdict"],
            claims=claims.get(row["id"], []), numbers=json.loads(row["numbers"]),
            explanation=row["explanation"], lang=row["lang"],
        ))
    return findings


def findings_as_checks(db: sqlite_utils.Database) -> dict[str, list[Check]]:
    """Stored findings in the GUIDE ``checks`` format, per document id.

    Each check is ``{"kind", "claims": ["doc#cNN", ...], "verdict", "note": explanation,
    "severity"}``; a finding involving several documents is listed under each of them (the document
    of a claim is the part of its id before ``#``). Order within a document: as ``load_findings``.
    """
    by_document: dict[str, list[Check]] = {}
    for finding in load_findings(db):
        refs = [c.claim_id for c in finding.claims]
        check = Check(kind=finding.kind, claims=refs, verdict=finding.verdict,
                      note=finding.explanation, severity=finding.severity)
        for document_id in dict.fromkeys(ref.split("#", 1)[0] for ref in refs):
            by_document.setdefault(document_id, []).append(check)
    return by_document


def _finding_row(finding: Finding, created_at: str) -> dict:
    return {
        "id": finding.id, "kind": finding.kind, "severity": finding.severity,
        "verdict": finding.verdict, "explanation": finding.explanation,
        "numbers": json.dumps(finding.numbers, sort_keys=True), "lang": finding.lang,
        "created_at": created_at,
    }


def _distinct_claims(finding: Finding) -> list[FindingClaim]:
    """``finding.claims`` without repeats of the same (claim, role); the first keeps its place.

    Raises ``ValueError`` when one claim is given two different roles.
    """
    roles: dict[str, str] = {}
    out = []
    for claim in finding.claims:
        if claim.claim_id in roles:
            if roles[claim.claim_id] != claim.role:
                raise ValueError(f"finding {finding.id} gives claim {claim.claim_id} two roles "
                                 f"({roles[claim.claim_id]}, {claim.role})")
            continue
        roles[claim.claim_id] = claim.role
        out.append(claim)
    return out


def _check_unique(findings: list[Finding]) -> None:
    seen: set[str] = set()
    for finding in findings:
        if finding.id in seen:
            raise ValueError(f"duplicate finding id {finding.id}")
        seen.add(finding.id)
        _distinct_claims(finding)


def _check_claims_exist(db: sqlite_utils.Database, findings: list[Finding], path: str) -> None:
    wanted = sorted({c.claim_id for f in findings for c in f.claims})
    known: set[str] = set()
    for i in range(0, len(wanted), 500):
        chunk = wanted[i:i + 500]
        known.update(row[0] for row in db.execute(
            f"select id from claims where id in ({', '.join('?' * len(chunk))})", chunk))
    for finding in findings:
        for claim in finding.claims:
            if claim.claim_id not in known:
                raise StoreError(path, f"finding {finding.id} refers to unknown claim {claim.claim_id}")


def _store_path(db: sqlite_utils.Database) -> str:
    return db.execute("PRAGMA database_list").fetchone()[2] or ":memory:"
