"""SQL views for reading the store in Datasette: claims, findings and timelines in words.

``create_views(db)`` is idempotent: a view is (re)created only when missing or when its SQL
changed. It runs from ``store._create_schema``, so every store opened by ``open_store`` has the
views, and from ``claims serve``.

``findings_readable`` reads the ``findings`` and ``finding_claims`` tables, which exist only
after the first ``claims crosscheck`` (their absence is how ``claims report`` knows the store was
never cross-checked, so they are not created here): until then the view is left out, and the
next ``open_store`` after a cross-check creates it.
"""
from __future__ import annotations

import sqlite_utils

from .findings_store import has_findings_table

SEVERITY_RANK = ("case f.severity when 'error' then 0 when 'warning' then 1 when 'info' then 2 "
                 "else 3 end")

CLAIMS_READABLE = """
select
    c.id as claim,
    c.display,
    coalesce(s.name, c.subject_id) as subject,
    c.metric,
    c.value,
    c.unit,
    c.approx,
    c.low,
    c.high,
    c.period_start,
    c.period_end,
    src.name as cited_source,
    d.title as document,
    d.published,
    d.publisher,
    d.lang as language,
    c.text as claim_text,
    c.sentence as quote,
    c.subject_id,
    c.source_id,
    c.document_id
from claims c
join documents d on d.id = c.document_id
left join entities s on s.id = c.subject_id
left join entities src on src.id = c.source_id
"""

FINDINGS_READABLE = f"""
select
    f.severity,
    f.kind,
    f.verdict,
    f.explanation,
    fc.role,
    c.display,
    c.text as claim_text,
    c.sentence as quote,
    d.title as document,
    d.published,
    d.publisher,
    f.id as finding,
    fc.claim_id as claim,
    c.document_id,
    fc.position,
    {SEVERITY_RANK} as severity_rank
from findings f
join finding_claims fc on fc.finding_id = f.id
join claims c on c.id = fc.claim_id
join documents d on d.id = c.document_id
order by severity_rank, f.kind, f.id, fc.position
"""

ENTITY_TIMELINE = """
select
    coalesce(s.name, c.subject_id) as entity,
    c.metric,
    c.period_start,
    c.period_end,
    c.value,
    c.unit,
    c.display,
    d.title as document,
    d.published,
    d.publisher,
    src.name as cited_source,
    c.id as claim,
    c.subject_id,
    c.document_id
from claims c
join documents d on d.id = c.document_id
left join entities s on s.id = c.subject_id
left join entities src on src.id = c.source_id
where c.subject_id is not null
order by entity, c.metric, c.period_start, c.period_end, d.published, c.id
"""

VIEWS = {
    "claims_readable": CLAIMS_READABLE,
    "entity_timeline": ENTITY_TIMELINE,
}
FINDINGS_VIEWS = {
    "findings_readable": FINDINGS_READABLE,
}


def create_views(db: sqlite_utils.Database) -> list[str]:
    """Create or update the reading views; return the names of those (re)created.

    ``findings_readable`` is created only once the findings tables exist (after a cross-check).
    """
    wanted = dict(VIEWS)
    if has_findings_table(db):
        wanted.update(FINDINGS_VIEWS)
    changed = []
    for name, select in wanted.items():
        sql = f"CREATE VIEW [{name}] AS {select.strip()}"
        row = db.execute("select sql from sqlite_master where type = 'view' and name = ?", [name]).fetchone()
        if row is not None and row[0] == sql:
            continue
        if row is not None:
            db.execute(f"DROP VIEW [{name}]")
        db.execute(sql)
        changed.append(name)
    return changed
