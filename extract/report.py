"""Human-readable reports on the store: the demo summary."""
from __future__ import annotations

import sqlite_utils

from .display import format_quantity


def summary_text(db: sqlite_utils.Database, sample: int = 3) -> str:
    """Documents, claims per document, and the first ``sample`` claims of each in display form."""
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
        rows = db.execute(
            "select text, value, unit, approx, low, high, sentence from claims where document_id = ? "
            "order by start limit ?", [doc_id, sample])
        for text, value, unit, approx, low, high, sentence in rows:
            shown = format_quantity(value, unit, approx, low, high)
            quote = (sentence or "").replace("\n", " ")
            quote = quote if len(quote) <= 60 else quote[:59] + "…"
            lines.append(f"    {shown:<14} «{text}»  {quote}")
    return "\n".join(lines)
