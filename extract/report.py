"""Human-readable reports on the store: the demo summary."""
from __future__ import annotations

import sqlite_utils

from .display import display_claim


def summary_text(db: sqlite_utils.Database, sample: int = 3, lang: str = "en") -> str:
    """Documents, claims per document, and the first ``sample`` claims of each in display form
    (English, or Chinese with ``lang="zh"``)."""
    from .store import claim_from_row
    lines = []
    docs = list(db.execute(
        "select d.id, d.title, d.lang, d.published, d.publisher, count(c.id) from documents d "
        "left join claims c on c.document_id = d.id group by d.id order by d.published, d.id"
    ))
    total = sum(row[5] for row in docs)
    lines.append(f"{len(docs)} documents, {total} claims")
    for doc_id, title, lang, published, publisher, count in docs:
        lines.append("")
        lines.append(f"{published or '????-??-??'}  {doc_id}  [{lang}]  {count} claims")
        if title or publisher:
            lines.append(f"    {title or ''}" + (f"  — {publisher}" if publisher else ""))
        rows = db["claims"].rows_where("document_id = ?", [doc_id], order_by="start", limit=sample)
        for row in rows:
            shown = display_claim(claim_from_row(row), lang)
            quote = (row["sentence"] or "").replace("\n", " ")
            quote = quote if len(quote) <= 50 else quote[:49] + "…"
            lines.append(f"    {shown:<34} «{row['text']}»  {quote}")
    return "\n".join(lines)
