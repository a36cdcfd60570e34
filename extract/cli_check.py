"""``claims check``: fact-check a draft against the store (exit 0 clean, 1 contradicted, 2 bad input)."""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from .errors import InputError


@click.command("check")
@click.argument("draft")
@click.option("--db", default="claims.db", show_default=True, help="Store of source claims.")
@click.option("--date", "date_", default=None, help="The draft's date (YYYY-MM-DD); default today.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True,
              help="Language of display forms.")
@click.option("--draft-lang", type=click.Choice(["zh-Hans", "zh-Hant", "en"]), default=None,
              help="The draft's language; detected when omitted.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html", "md"]), default="text", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="Write the report here instead of stdout.")
def check(draft, db, date_, lang, draft_lang, fmt, out):
    """Check every figure of DRAFT (.txt, .md, .html or - for stdin) against the store.

    Each figure is supported, contradicted, imprecise (a qualifier was dropped) or
    unverified, with the sources' quotes; the draft's own sums and shares are checked too.
    Exit status: 0 nothing contradicted, 1 something contradicted, 2 bad input.

    \b
    Examples:
      claims check draft.md --db claims.db --date 2026-01-26
      claims check draft.txt --format html --out review.html
      cat draft.txt | claims check - --format json
    """
    from .cli import fail
    from .draft_render import render_html, render_json, render_markdown, render_text
    from .draftcheck import check_draft, draft_text
    from .store import open_store

    try:
        date = dt.date.fromisoformat(date_) if date_ else dt.date.today()
    except ValueError:
        fail(InputError("--date", f"not a date: {date_!r} (expected YYYY-MM-DD)"))
    try:
        text = draft_text(draft, sys.stdin.buffer.read() if draft == "-" else None)
        if not Path(db).exists():
            raise InputError(db, "no such database (run claims ingest first)")
        store = open_store(db)
        result = check_draft(text, store, date, lang=draft_lang, path=draft, display_lang=lang)
    except InputError as e:
        fail(e)
    if fmt == "text" and out is None:
        render_text(result)
    else:
        rendered = {"json": render_json, "html": render_html, "md": render_markdown}.get(fmt, render_markdown)(result)
        if out:
            Path(out).write_text(rendered, encoding="utf-8")
            click.echo(f"wrote {out}")
        else:
            click.echo(rendered)
    sys.exit(1 if result.contradicted else 0)
