"""The ``claims`` command: a thin click layer over the Python API."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .errors import InputError

BAD_INPUT = 2


def fail(error: Exception) -> None:
    """Print a one-line error and exit with the bad-input status."""
    click.echo(f"error: {error}", err=True)
    sys.exit(BAD_INPUT)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="market-claims")
def cli():
    """Extract numeric market claims from Chinese and English commentary and store them.

    \b
    Examples:
      claims ingest corpus/ --db claims.db
      claims crosscheck --db claims.db && claims report --db claims.db
      claims extract article.txt --format table
      claims eval --gold ../shared/eval/gold --docs ../shared/eval/docs
    """


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--db", default="claims.db", show_default=True, help="SQLite file to write.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors: no progress bar, no summary (for cron).")
@click.option("--ner-model", metavar="PATH", envvar="CLAIMS_NER_MODEL", show_envvar=True,
              help="Token-classification model folder (or zh=PATH,en=PATH) proposing subjects the catalog lacks; "
                   "needs the ml extra. Default: [ner] model in claims.toml, else off.")
@click.option("--workers", "-w", type=click.IntRange(min=1), default=None,
              help="Worker processes extracting in parallel. Default: all cores.")
@click.option("--dask", "dask_address", metavar="ADDRESS",
              help="Extract on a Dask cluster: its scheduler (tcp://HOST:8786), or 'local' for a LocalCluster.")
@click.option("--reextract", is_flag=True, help="Re-extract every document, unchanged ones too (a new extractor).")
def ingest(paths, db, quiet, ner_model, workers, dask_address, reextract):
    """Read PATHS (.txt + .json sidecar, .md, .jsonl, .html, RSS/Atom .xml, or folders), extract, store.

    Incremental: a document whose text and extractor version are already stored is skipped, so
    re-running over a growing folder or feed extracts only what is new or changed. Exact and
    near duplicates are stored once, with every URL they were seen under (document_urls). Each
    run is recorded in the runs table, every failure in errors. A bad file is reported on one
    line and skipped; the others are still stored, and the exit status is 2. A killed run loses
    nothing it committed; run it again to finish.

    \b
    Examples:
      claims ingest corpus/
      claims ingest feed.jsonl draft.md --db newsroom.db
      claims ingest feeds/ pages/ --workers 4 --quiet
      claims ingest archive/ --dask tcp://scheduler:8786
      claims ingest corpus/ --reextract
      claims ingest corpus/ --ner-model models/bert-base-chinese-ner
    """
    from .batch import ingest as run_ingest
    from .readers import input_files
    from .store import open_store

    try:
        store = open_store(db)
        files = input_files(paths)
        ner_model = _ner_model(ner_model)
        report = run_ingest(store, files, inputs=list(paths), workers=workers, dask=dask_address,
                            reextract=reextract, ner_model=ner_model, progress=not quiet and sys.stderr.isatty(),
                            on_error=lambda line: click.echo(f"error: {line}", err=True))
    except ImportError as e:
        if not dask_address:
            raise
        fail(InputError("--dask", f"{e.name or e} is not installed (pip install 'market-claims[dask]')"))
    except InputError as e:
        fail(e)
    if not quiet:
        c = report.counts
        refused = (f"; {report.files_refused} files refused" if report.files_refused else "") + \
                  (f"; {report.documents_failed} documents failed" if report.documents_failed else "")
        click.echo(f"{report.documents} documents, {c.claims} claims stored in {db}{refused}")
        click.echo(f"run {report.run_id}: {c.seen} seen, {c.new} new, {c.changed} changed, {c.skipped} unchanged, "
                   f"{c.duplicates} duplicates, {c.failed} failed in {report.seconds:.1f} s "
                   f"({c.seen / max(report.seconds, 1e-9):.1f} docs/s)")
    if report.counts.failed:
        sys.exit(BAD_INPUT)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["jsonl", "table"]), default="jsonl", show_default=True)
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True,
              help="Language of the display form in table output.")
@click.option("--ner-model", metavar="PATH", envvar="CLAIMS_NER_MODEL", show_envvar=True,
              help="Token-classification model folder (or zh=PATH,en=PATH) proposing subjects the catalog lacks; "
                   "needs the ml extra. Default: [ner] model in claims.toml, else off.")
def extract(paths, fmt, lang, ner_model):
    """Extract claims from PATHS without storing them.

    jsonl writes one line per document in the gold format of GUIDE.md (doc, meta, claims),
    so any gold file can score it.

    \b
    Examples:
      claims extract corpus/000_9881526b3ac62664.txt
      claims extract article.md --format table
      claims extract corpus/ --format table --lang zh
      claims extract article.txt --ner-model zh=models/ckip-ner,en=models/bert-base-NER
    """
    from .extractor import extract_document
    from .readers import read_documents

    try:
        ner_model = _ner_model(ner_model)
        for document in read_documents(paths):
            result = extract_document(document, display_lang=lang, ner_model=ner_model)
            if fmt == "jsonl":
                click.echo(json.dumps(result.to_document_claims().to_gold(), ensure_ascii=False))
                continue
            click.echo(f"# {document.id} ({result.lang}, {len(result.claims)} claims)")
            for c, shown in zip(result.claims, result.displays):
                period = f"{c.period[0]}..{c.period[1]}" if c.period else "-"
                source = f"per {c.source}" if c.source else ""
                click.echo(f"{c.id}  [{c.start:>5},{c.end:>5})  {shown:<36} {c.metric or '':<14} {period:<22} {source}")
    except InputError as e:
        fail(e)


@cli.command()
@click.option("--db", default="claims.db", show_default=True, help="SQLite file to read.")
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
def export(db, fmt):
    """Write the stored documents and claims, one gold-format JSON line per document.

    After ``claims crosscheck``, a document's findings are added as its "checks" (GUIDE.md format).

    \b
    Example:
      claims export --db claims.db > claims.jsonl
    """
    from .findings_store import findings_as_checks
    from .store import load_document_claims

    store = _open_existing(db)
    checks = findings_as_checks(store)  # {} when the store was never cross-checked
    for record in load_document_claims(store):
        if checks.get(record.doc):
            record = record.model_copy(update={"checks": checks[record.doc]})
        click.echo(json.dumps(record.to_gold(), ensure_ascii=False))


@cli.command()
@click.option("--db", default="claims.db", show_default=True, help="SQLite file to cross-check.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True,
              help="Language of the explanations.")
def crosscheck(db, lang):
    """Cross-check every stored claim and replace the stored findings with the new ones.

    Finds figures that don't add up (conflicts, sums, shares, scale slips, implied prices) and
    those checked and consistent. Re-running recomputes everything; re-ingesting a document drops
    the findings that involve it until the next cross-check.

    \b
    Examples:
      claims crosscheck --db claims.db
      claims crosscheck --lang zh
    """
    from .findings_store import save_findings
    from .report import findings_summary

    store = _open_existing(db)
    try:
        from .crosscheck import run_crosscheck
    except ImportError as e:
        fail(InputError(db, f"cross-check engine not available ({e})"))
    findings = run_crosscheck(store, lang=lang)
    try:
        save_findings(store, findings)
    except (InputError, ValueError) as e:
        fail(e)
    click.echo(findings_summary(findings))


@cli.command()
@click.option("--db", default="claims.db", show_default=True, help="SQLite file to read.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True,
              help="Language of the display forms.")
@click.option("--all", "include_info", is_flag=True, help="Also list info findings (agreements, consistent checks).")
def report(db, lang, include_info):
    """Print the findings of the last cross-check: errors first, then warnings.

    Each finding shows its kind and explanation, then each claim's role, the figure quoted in
    its sentence, and the document's id, title and date.

    \b
    Examples:
      claims report --db claims.db
      claims report --all --lang zh
    """
    from .findings_store import has_findings_table
    from .report import findings_report

    store = _open_existing(db)
    if not has_findings_table(store):
        fail(InputError(db, "no findings yet; run `claims crosscheck` first"))
    click.echo(findings_report(store, include_info=include_info, lang=lang))


def _ner_model(option: str | None) -> str | None:
    """The NER model spec from --ner-model / $CLAIMS_NER_MODEL / claims.toml, loaded now so that a
    bad one fails once; None (and no torch import) when none is configured."""
    from .nerconfig import ner_spec

    spec = ner_spec(option)
    if spec:
        from .ner import check_model

        check_model(spec)
    return spec


@cli.command()
@click.option("--db", default="claims.db", show_default=True, help="SQLite file to read.")
@click.option("--unlinked", is_flag=True, help="Only subjects the catalog does not know (candidate aliases).")
@click.option("--examples", default=2, show_default=True, help="Example quotes shown per subject.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per subject.")
def entities(db, unlinked, examples, as_json):
    """List the subjects of stored claims with their claim counts and example quotes.

    --unlinked keeps those the catalog does not know (entities.linked = 0): organisations found
    by their form and names proposed by --ner-model, to review as catalog entries or aliases.

    \b
    Examples:
      claims entities --unlinked --db claims.db
      claims entities --examples 0
    """
    from .store import subject_counts

    store = _open_existing(db)
    rows = subject_counts(store, unlinked=unlinked, examples=examples)
    for row in rows:
        if as_json:
            click.echo(json.dumps(row, ensure_ascii=False))
            continue
        mark = "" if row["linked"] else "  (unlinked)"
        click.echo(f"{row['id']}  {row['kind']}  {row['claims']} claims in {row['documents']} documents{mark}")
        for quote in row["examples"]:
            click.echo(f"    {quote['document_id']}: {quote['sentence'][:160]}")
    if not rows and not as_json:
        click.echo("no unlinked subjects" if unlinked else "no subjects")


def _open_existing(db: str):
    """Open an existing store, or exit with a one-line error (a missing file is not created)."""
    from .store import open_store

    if not Path(db).exists():
        fail(InputError(db, "no such database"))
    try:
        return open_store(db)
    except InputError as e:
        fail(e)


@cli.command("eval")
@click.option("--gold", "gold_dir", required=True, type=click.Path(file_okay=False), help="Folder of gold .json/.jsonl files.")
@click.option("--docs", "docs_dir", default="corpus", show_default=True, type=click.Path(file_okay=False),
              help="Folder holding <doc>.txt for every gold document.")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--verbose", "-v", is_flag=True, help="List false positives, false negatives and field errors.")
def eval_command(gold_dir, docs_dir, as_json, verbose):
    """Score the extractor against a folder of gold files (matching rules of GUIDE.md).

    Each gold document's text is read from DOCS/<doc>.txt; the gold's meta is its metadata.

    \b
    Example:
      claims eval --gold ../shared/eval/gold --docs ../shared/eval/docs
    """
    from evaluation.runner import evaluate
    from evaluation.scorer import format_report

    try:
        report = evaluate(Path(gold_dir), Path(docs_dir))
    except (InputError, ValueError) as e:
        fail(e)
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(format_report(report, verbose=verbose))


@cli.command()
@click.option("--db", default="claims.db", show_default=True, help="SQLite file to read.")
@click.option("--sample", default=3, show_default=True, help="Claims shown per document.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True,
              help="Language of the display forms.")
def summary(db, sample, lang):
    """Print what the store holds: documents, claims per document, sample claims.

    \b
    Examples:
      claims summary --db claims.db
      claims summary --lang zh --sample 5
    """
    from .report import summary_text
    from .store import open_store

    if not Path(db).exists():
        fail(InputError(db, "no such database"))
    try:
        store = open_store(db)
    except InputError as e:
        fail(e)
    click.echo(summary_text(store, sample, lang))


from .cli_check import check  # noqa: E402

cli.add_command(check)
from .serve import serve  # noqa: E402
cli.add_command(serve)


if __name__ == "__main__":
    cli()
