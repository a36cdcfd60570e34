"""Human-readable reports on the store: the demo summary and the cross-check findings."""
from __future__ import annotations

import re

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
    for doc_id, title, doc_lang, published, publisher, count in docs:
        lines.append("")
        lines.append(f"{published or '????-??-??'}  {doc_id}  [{doc_lang}]  {count} claims")
        if title or publisher:
            lines.append(f"    {title or ''}" + (f"  — {publisher}" if publisher else ""))
        rows = db["claims"].rows_where("document_id = ?", [doc_id], order_by="start", limit=sample)
        for row in rows:
            shown = display_claim(claim_from_row(row), lang)
            quote = (row["sentence"] or "").replace("\n", " ")
            quote = quote if len(quote) <= 50 else quote[:49] + "…"
            lines.append(f"    {shown:<34} «{row['text']}»  {quote}")
    return "\n".join(lines)


SEVERITY_HEADINGS = {"error": "Errors", "warning": "Warnings", "info": "Info"}
QUOTE_WIDTH = 80


def findings_summary(findings: list) -> str:
    """One line: ``12 findings: 2 errors, 3 warnings, 7 info``."""
    counts = {s: sum(f.severity == s for f in findings) for s in SEVERITY_HEADINGS}
    plural = lambda n, word: f"{n} {word}" + ("" if n == 1 else "s")  # noqa: E731
    return (f"{plural(len(findings), 'finding')}: {plural(counts['error'], 'error')}, "
            f"{plural(counts['warning'], 'warning')}, {counts['info']} info")


def findings_report(db: sqlite_utils.Database, include_info: bool = False, lang: str = "en") -> str:
    """The stored findings for an editor, grouped by severity: errors, then warnings, then (only
    with ``include_info``) info. Each finding shows its kind and explanation, then per claim its
    role, display form (``lang``), the figure quoted in its sentence (``…净流出约«17.3亿美元»…``,
    about 80 characters) and the document's id, title and publication date.

    The first line is :func:`findings_summary`; a store never cross-checked says so.
    """
    from .findings_store import has_findings_table, load_findings
    from .store import claim_from_row

    if not has_findings_table(db):
        return "no findings yet: run `claims crosscheck` first"
    findings = load_findings(db)
    rows = _claim_rows(db, {c.claim_id for f in findings for c in f.claims})
    lines = [findings_summary(findings)]
    for severity, heading in SEVERITY_HEADINGS.items():
        group = [f for f in findings if f.severity == severity]
        if not group or (severity == "info" and not include_info):
            continue
        lines += ["", f"== {heading} ({len(group)}) =="]
        for finding in group:
            lines += ["", f"[{finding.kind}] {finding.explanation}"]
            for member in finding.claims:
                row = rows.get(member.claim_id)
                if row is None:
                    lines.append(f"  - {member.role}: {member.claim_id} (no longer in the store)")
                    continue
                shown = display_claim(claim_from_row(row), lang)
                quote = quote_claim(row["doc_text"], row["start"], row["end"], row["sentence"], row["text"])
                lines.append(f"  - {member.role} {shown}: {quote}")
                title = f"“{row['title']}”" if row["title"] else "(untitled)"
                lines.append(f"      {member.claim_id}  {title}  {row['published'] or '????-??-??'}")
    hidden = sum(f.severity == "info" for f in findings)
    if hidden and not include_info:
        lines += ["", f"({hidden} info not shown; add --all)"]
    return "\n".join(lines)


def quote_claim(text: str | None, start: int, end: int, sentence: str | None, figure: str,
                width: int = QUOTE_WIDTH) -> str:
    """The claim's ``figure`` marked «» inside its sentence, cut to about ``width`` characters
    around it with … where cut; falls back to the document text, then to the bare figure."""
    context, a, b = _locate(text, start, end, sentence, figure)
    if context is None:
        return f"«{_one_line(figure)}»"
    budget = max(width - (b - a), 20)
    left = right = budget // 2
    before, after = context[:a], context[b:]
    left += max(0, right - len(after))  # give unused room on one side to the other
    right += max(0, budget // 2 - len(before))
    head = before if len(before) <= left else "…" + before[len(before) - left:].lstrip()
    tail = after if len(after) <= right else after[:right].rstrip() + "…"
    return f"{_one_line(head)}«{_one_line(context[a:b])}»{_one_line(tail)}"


def _locate(text, start, end, sentence, figure):
    """(context, a, b): the figure is ``context[a:b]``; context is the sentence when possible."""
    if sentence and text and 0 <= start < end <= len(text):
        i = text.find(sentence)
        while i != -1:
            if i <= start and end <= i + len(sentence):
                return sentence, start - i, end - i
            i = text.find(sentence, i + 1)
    if sentence and figure and figure in sentence:
        i = sentence.index(figure)
        return sentence, i, i + len(figure)
    if text and 0 <= start < end <= len(text):
        return text, start, end
    return None, 0, 0


def _one_line(s: str) -> str:
    return re.sub(r"\s+", " ", s)


def _claim_rows(db: sqlite_utils.Database, claim_ids: set[str]) -> dict[str, dict]:
    """Claim rows by id, each with its document's ``doc_text``, ``title`` and ``published``."""
    ids = sorted(claim_ids)
    out: dict[str, dict] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        cursor = db.execute(
            "select c.*, d.text as doc_text, d.title, d.published from claims c "
            f"join documents d on d.id = c.document_id where c.id in ({', '.join('?' * len(chunk))})", chunk)
        names = [c[0] for c in cursor.description]
        for values in cursor:
            row = dict(zip(names, values))
            out[row["id"]] = row
    return out
