"""Renderings of a :class:`schemas.DraftCheck`: colour terminal text (rich), Markdown, JSON and a
standalone HTML page (the draft with each figure highlighted by verdict, evidence on click).

Source text is untrusted: every piece of it is escaped before it reaches HTML.
"""
from __future__ import annotations

import html

from schemas import DraftCheck, FigureCheck

COLOURS = {"supported": "green", "contradicted": "bold red", "imprecise": "yellow", "unverified": "dim"}
MARKS = {"supported": "✔", "contradicted": "✘", "imprecise": "≈", "unverified": "?"}


def summary_line(check: DraftCheck) -> str:
    counts = check.counts()
    parts = [f"{n} {verdict}" for verdict, n in counts.items() if n]
    internal = f"; {len(check.internal)} internal problem(s)" if check.internal else ""
    return f"{len(check.figures)} figures: " + ", ".join(parts or ["none"]) + internal


def _source_line(figure: FigureCheck) -> list[str]:
    out = []
    for group in figure.sources:
        ev = group.evidence[0]
        where = " · ".join(x for x in (ev.publisher or ev.document_id, str(ev.date or ""), ev.url or "") if x)
        quote = " ".join(ev.sentence.split())
        quote = quote if len(quote) <= 90 else quote[:89] + "…"
        out.append(f"{ev.display}  “{quote}”  ({where})")
    return out


def render_text(check: DraftCheck, console=None) -> None:
    """Colour terminal output with a summary line (rich)."""
    from rich.console import Console
    from rich.markup import escape

    console = console or Console()
    for f in check.figures:
        style = COLOURS[f.verdict]
        console.print(f"[{style}]{MARKS[f.verdict]} {f.verdict:<12}[/{style}] {escape(f.claim.text):<16} "
                      f"{escape(f.display)} — {escape(f.explanation)}")
        for line in _source_line(f)[:3]:
            console.print(f"    [dim]{escape(line)}[/dim]")
    for finding in check.internal:
        console.print(f"[bold red]! {finding.kind}[/bold red] {escape(finding.explanation)}")
    console.print(f"[bold]{escape(summary_line(check))}[/bold]")


def render_markdown(check: DraftCheck) -> str:
    """A review-ready Markdown table of every figure, then internal problems."""
    lines = [f"# Fact check: {check.path} ({check.date})", "", f"**{summary_line(check)}**", "",
             "| verdict | figure | reads as | what the sources say |", "| --- | --- | --- | --- |"]
    for f in check.figures:
        cell = "<br>".join(_md(x) for x in [f.explanation, *_source_line(f)[:3]])
        lines.append(f"| {MARKS[f.verdict]} {f.verdict} | {_md(f.claim.text)} | {_md(f.display)} | {cell} |")
    if check.internal:
        lines += ["", "## Inside the draft", ""] + [f"- **{x.kind}**: {_md(x.explanation)}" for x in check.internal]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_json(check: DraftCheck) -> str:
    return check.model_dump_json(indent=2)


CSS = """
body{font:16px/1.7 system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222}
.draft{white-space:pre-wrap;border:1px solid #ddd;padding:1em;border-radius:6px;background:#fcfcfc}
mark{padding:0 .15em;border-radius:3px;cursor:pointer}
mark.supported{background:#d4f7d4}mark.contradicted{background:#ffc9c9;outline:2px solid #d33}
mark.imprecise{background:#fff1b8}mark.unverified{background:#e8e8e8}
.evidence{display:none;margin:.4em 0;padding:.6em;border-left:4px solid #999;background:#f6f6f6;font-size:14px}
.evidence.open{display:block}.evidence.contradicted{border-color:#d33}.evidence.supported{border-color:#3a3}
.summary{font-weight:bold}.internal{color:#b00}
"""

SCRIPT = """
document.querySelectorAll('mark[data-figure]').forEach(function(m){
  m.addEventListener('click',function(){
    var box=document.getElementById('evidence-'+m.dataset.figure);
    box.classList.toggle('open');
  });
});
"""


def render_html(check: DraftCheck) -> str:
    """A standalone page (no external assets): the draft with figures highlighted by verdict; a
    click shows what the sources say. All source and draft text is escaped."""
    esc = html.escape
    parts, cursor = [], 0
    for i, f in enumerate(check.figures):
        parts.append(esc(check.text[cursor:f.claim.start]))
        parts.append(f'<mark class="{f.verdict}" data-figure="{i}" data-verdict="{f.verdict}" '
                     f'title="{esc(f.verdict)}: {esc(f.explanation)}">{esc(check.text[f.claim.start:f.claim.end])}</mark>')
        cursor = f.claim.end
    parts.append(esc(check.text[cursor:]))
    boxes = []
    for i, f in enumerate(check.figures):
        sources = "".join(f"<li>{esc(line)}</li>" for line in _source_line(f))
        boxes.append(f'<div class="evidence {f.verdict}" id="evidence-{i}"><b>{esc(f.verdict)}</b> · '
                     f'{esc(f.display)} — {esc(f.explanation)}<br><small>searched: {esc(f.searched)}</small>'
                     f'<ul>{sources}</ul></div>')
    internal = "".join(f'<li class="internal">{esc(x.kind)}: {esc(x.explanation)}</li>' for x in check.internal)
    return (f'<!doctype html><html><head><meta charset="utf-8"><title>Fact check: {esc(check.path)}</title>'
            f'<style>{CSS}</style></head><body><h1>Fact check: {esc(check.path)}</h1>'
            f'<p class="summary">{esc(summary_line(check))}</p><div class="draft">{"".join(parts)}</div>'
            f'<h2>Evidence</h2>{"".join(boxes)}' + (f"<h2>Inside the draft</h2><ul>{internal}</ul>" if internal else "")
            + f"<script>{SCRIPT}</script></body></html>")
