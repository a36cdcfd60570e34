"""Fact-check a draft against the store: ``check_draft(text, db, date) -> DraftCheck``.

Every figure of the draft goes through the same extractor, then is looked up as a fact
(subject, metric, region, unit; period compatible) among the stored claims:

* **supported** — a stored figure's interval meets the draft's;
* **imprecise** — it meets only because the sources qualify the figure (近, about, over) and the
  draft states it flat;
* **contradicted** — stored figures for the same fact exist and none meets the draft's (a changed
  digit, a 亿/万 slip, a flipped direction, a wrong period's figure, a wrong share);
* **unverified** — nothing comparable is stored; the fact searched is reported.

The draft's own figures are also cross-checked together (sums, shares, scale, headline vs body).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

import sqlite_utils

from schemas import Claim, Document, DocumentMeta, DraftCheck, Evidence, FigureCheck, SourceGroup

from .crosscheck import crosscheck_facts
from .crosscheck.explain import describe, shown
from .crosscheck.facts import Fact, intersects, load_facts, title_end
from .crosscheck.relations import region_within  # noqa: F401  (documented relation, used by callers)
from .extractor import extract_document

LEVELS = {"price", "index_level", "probability", "rate", "aum", "market_cap", "holding", "price_target"}
PERIOD_SLACK_DAYS = 3


def draft_facts(draft: str, claims: list[Claim], sentences: list[str], doc_id: str = "draft") -> list[Fact]:
    """The draft's claims as cross-check facts (ids ``draft#cNN``)."""
    from .crosscheck.facts import interval_of

    end = title_end(draft)
    out = []
    for c, sentence in zip(claims, sentences):
        f = Fact(id=f"{doc_id}#{c.id}", doc=doc_id, start=c.start, end=c.end, text=c.text, sentence=sentence,
                 value=c.value, low=c.low, high=c.high, unit=c.unit or "", approx=c.approx, subject=c.subject,
                 metric=c.metric, region=c.region, period=c.period, source=c.source, in_title=c.start < end)
        f.interval = interval_of(f.value, f.approx, f.low, f.high, f.text)
        out.append(f)
    return out


def same_period(a: tuple[dt.date, dt.date] | None, b: tuple[dt.date, dt.date] | None, level: bool) -> bool:
    """Periods of one fact: both ends within a few days (a level: the same day)."""
    if a is None or b is None:
        return False
    slack = 0 if level else PERIOD_SLACK_DAYS
    return abs((a[0] - b[0]).days) <= slack and abs((a[1] - b[1]).days) <= slack


def comparable(draft: Fact, stored: list[Fact]) -> list[Fact]:
    """Stored facts stating the same thing as the draft figure."""
    if not draft.subject or not draft.metric or draft.metric == "other":
        return []
    level = draft.metric in LEVELS
    return [s for s in stored if (s.subject, s.metric, s.region, s.unit) == draft.key
            and same_period(s.period, draft.period, level)]


def verdict_of(draft: Fact, matches: list[Fact]) -> tuple[str, list[Fact]]:
    """The verdict and the stored facts that support it (or that the draft contradicts)."""
    if not matches:
        return "unverified", []
    body = [s for s in matches if not s.in_title]
    matches = body or matches  # a headline's figure is not evidence when the body states the fact
    exact = [s for s in matches if s.approx == "exact"]
    if exact and not any(intersects(s.interval, draft.interval) for s in exact):
        return "contradicted", exact  # sources that state the figure flat decide; a loose "about" does not rescue it
    meeting = [s for s in matches if intersects(s.interval, draft.interval)]
    if not meeting:
        return "contradicted", matches
    if draft.approx == "exact" and all(s.approx != "exact" for s in meeting):
        from .crosscheck.facts import interval_of

        flat = [s for s in meeting if intersects(interval_of(s.value, "exact", s.low, s.high, s.text), draft.interval)]
        if flat:
            return "imprecise", meeting
    return "supported", meeting


def explain(draft: Fact, verdict: str, evidence: list[Fact], sources: int, lang: str = "en") -> str:
    """One sentence an editor can act on."""
    if verdict == "unverified":
        return f"Nothing stored for {describe(draft, lang)}."
    says = ", ".join(sorted({shown(s) for s in evidence}))
    n = f"{sources} source" + ("s" if sources != 1 else "")
    verb = "says" if sources == 1 else "say"
    if verdict == "supported":
        return f"{n} {'agrees' if sources == 1 else 'agree'}: {says}."
    if verdict == "imprecise":
        return f"Draft says {shown(draft)} but the sources qualify it: {says}. Keep the qualifier."
    flipped = draft.sign and all(s.sign and s.sign != draft.sign for s in evidence)
    what = "the direction is flipped" if flipped else _scale_note(draft, evidence)
    return f"Draft {shown(draft)}; {n} {verb} {says}" + (f": {what}." if what else ".")


def _scale_note(draft: Fact, evidence: list[Fact]) -> str:
    from .crosscheck.checks import power_of_ten_apart

    k = next((power_of_ten_apart(draft.value, s.value) for s in evidence if power_of_ten_apart(draft.value, s.value)), None)
    if k:
        return f"{10 ** k}× apart, a 亿/万 or billion/million slip"
    ref = evidence[0].value
    if ref:
        return f"off by {abs(draft.value - ref) / abs(ref):.1%}"
    return ""


def _evidence(facts: list[Fact], docs: dict[str, dict], independent_groups) -> list[SourceGroup]:
    """Evidence grouped by independent source (near-duplicate documents together)."""
    by_group: dict[frozenset, list[Fact]] = defaultdict(list)
    for f in facts:
        group = next((frozenset(g) for g in independent_groups if f.doc in g), frozenset({f.doc}))
        by_group[group].append(f)
    out = []
    for group, members in sorted(by_group.items(), key=lambda kv: sorted(kv[0])):
        evidence = []
        for f in members:
            meta = docs.get(f.doc, {})
            evidence.append(Evidence(
                claim_id=f.id, text=f.text, sentence=f.sentence, display=shown(f), value=f.value, approx=f.approx,
                document_id=f.doc, title=meta.get("title"), publisher=meta.get("publisher"),
                date=meta.get("published"), url=meta.get("url")))
        out.append(SourceGroup(documents=sorted(group), evidence=evidence))
    return out


def check_draft(text: str, db: sqlite_utils.Database, date: dt.date, lang: str | None = None,
                path: str = "draft", display_lang: str = "en") -> DraftCheck:
    """Check every figure of ``text`` (a draft dated ``date``) against the stored claims."""
    from .duplicates import near_duplicate_groups

    document = Document(id="draft", text=text, meta=DocumentMeta(date=date, lang=lang), path=path)
    result = extract_document(document, display_lang=display_lang)
    facts = draft_facts(text, result.claims, result.sentences)
    stored, texts = load_facts(db)
    docs = {row["id"]: row for row in db["documents"].rows_where(select="id, title, publisher, published, url")}
    groups = near_duplicate_groups(texts.items())
    by_key: dict[tuple, list[Fact]] = defaultdict(list)
    for s in stored:
        by_key[s.key].append(s)
    figures = []
    for claim, display, fact in zip(result.claims, result.displays, facts):
        matches = comparable(fact, by_key.get(fact.key, []))
        verdict, evidence = verdict_of(fact, matches)
        sources = _evidence(evidence, docs, groups)
        figures.append(FigureCheck(
            claim=claim, display=display, verdict=verdict, searched=describe(fact, "en"),
            explanation=explain(fact, verdict, evidence, len(sources)), sources=sources))
    internal = [f for f in crosscheck_facts(facts, {"draft": text}) if f.severity != "info"]
    return DraftCheck(path=path, date=date, lang=result.lang, text=text, figures=figures, internal=internal)


def draft_text(path: str, data: bytes | None = None) -> str:
    """The draft's text: a .txt or .md file as read (front matter dropped), an .html page's
    visible text, or standard input for ``-``. Raises InputError on unreadable input."""
    from pathlib import Path

    from .errors import InputError
    from .readers import decode_bytes

    if path == "-":
        raw = data if data is not None else b""
        text = decode_bytes(raw, "<stdin>")
    else:
        p = Path(path)
        if not p.exists():
            raise InputError(path, "no such file or directory")
        if p.suffix.lower() not in (".txt", ".md", ".html", ".htm"):
            raise InputError(path, f"unsupported draft type {p.suffix or '(none)'!r}; expected .txt, .md, .html or -")
        if p.suffix.lower() == ".md":
            from .readers import read_markdown_file

            return read_markdown_file(p).text
        text = decode_bytes(p.read_bytes(), p)
        if p.suffix.lower() in (".html", ".htm"):
            text = visible_text(text)
    if not text.strip():
        raise InputError(path, "empty draft")
    return text


def visible_text(page: str) -> str:
    """The text a reader sees in an HTML page (scripts and styles dropped, block tags as line breaks)."""
    from html.parser import HTMLParser

    class Text(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.parts, self.skip = [], 0

        def handle_starttag(self, tag, attrs):
            if tag in ("script", "style", "noscript", "template"):
                self.skip += 1
            elif tag in ("p", "br", "div", "li", "h1", "h2", "h3", "h4", "tr", "section", "article"):
                self.parts.append("\n")

        def handle_endtag(self, tag):
            if tag in ("script", "style", "noscript", "template") and self.skip:
                self.skip -= 1

        def handle_data(self, data):
            if not self.skip:
                self.parts.append(data)

    parser = Text()
    parser.feed(page)
    return "\n".join(line.strip() for line in "".join(parser.parts).splitlines() if line.strip())
