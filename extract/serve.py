"""``claims serve``: browse the store in Datasette, read-only, with our metadata, plugin and template.

The command is the plain ``datasette`` command the README shows, plus two preparations: the
reading views are created (``extract/views.py``, through ``open_store``) and the write-ahead log
is checkpointed into the file, because an immutable (``-i``) database is read without its WAL.
"""
from __future__ import annotations

import contextlib
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import click
import yaml

from .browse import DATABASE_NAME, METADATA, PLUGINS_DIR, TEMPLATES_DIR
from .errors import InputError
from .tables import parse_yaml

BAD_INPUT = 2


def datasette_args(db: str | Path, metadata: str | Path, host: str = "127.0.0.1", port: int = 8001) -> list[str]:
    """Arguments of ``datasette`` serving ``db`` immutable (read-only, no write endpoints)."""
    return ["serve", "-i", str(db), "--metadata", str(metadata), "--plugins-dir", str(PLUGINS_DIR),
            "--template-dir", str(TEMPLATES_DIR), "--host", host, "--port", str(port)]


def prepare_store(db: str | Path) -> bool:
    """Create the reading views and fold the WAL into the database file; ``StoreError`` if unusable.

    Returns whether the store has findings (``claims crosscheck`` has run).
    """
    from .findings_store import has_findings_table
    from .store import open_store
    from .views import create_views

    store = open_store(db)
    try:
        create_views(store)  # open_store's schema step already does; a no-op when up to date
        store.conn.commit()
        store.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return has_findings_table(store)
    finally:
        store.conn.close()


def load_metadata(database: str = DATABASE_NAME) -> dict:
    """metadata.yaml, with its ``claims`` database renamed ``database`` (Datasette names a database
    after its file name) and the index page's links pointing at it."""
    metadata = parse_yaml(METADATA.read_text(encoding="utf-8"))
    if database != DATABASE_NAME:
        metadata["databases"] = {database: metadata["databases"].pop(DATABASE_NAME)}
        description = metadata.get("description_html") or ""
        metadata["description_html"] = description.replace(f'href="{DATABASE_NAME}/', f'href="{database}/')
    return metadata


@contextlib.contextmanager
def metadata_file(db: Path) -> Iterator[Path]:
    """The metadata file to serve ``db`` with: metadata.yaml itself, or a renamed copy."""
    if db.stem == DATABASE_NAME:
        yield METADATA
        return
    with tempfile.TemporaryDirectory(prefix="claims-serve-") as tmp:
        path = Path(tmp) / "metadata.yaml"
        path.write_text(yaml.safe_dump(load_metadata(db.stem), allow_unicode=True, sort_keys=False),
                        encoding="utf-8")
        yield path


@click.command()
@click.option("--db", default="claims.db", show_default=True, help="SQLite file to browse (see claims ingest).")
@click.option("--port", "-p", default=8001, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on; 0 picks a free one.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to listen on; 0.0.0.0 makes it reachable from other machines.")
def serve(db, port, host):
    """Browse the store in Datasette, read-only: claims, findings, queries, charts.

    Opens http://HOST:PORT/ with the metadata, queries and charts of
    extract/browse/metadata.yaml. The database is served immutable (-i): nothing can be written
    through the browser. Run `claims crosscheck` first to see the findings.

    \b
    Examples:
      claims serve
      claims serve --db newsroom.db --port 8002
      claims serve --host 0.0.0.0 --port 8080
    """
    path = Path(db)
    if not path.exists():
        _fail(InputError(db, "no such database"))
    try:
        cross_checked = prepare_store(path)
    except InputError as e:
        _fail(e)
    if not cross_checked:
        click.echo(f"note: no findings in {db} yet; run `claims crosscheck --db {db}` to see them", err=True)
    from datasette.cli import cli as datasette_cli

    with metadata_file(path) as metadata:
        click.echo(f"Serving {db} read-only at http://{host}:{port}/ (Ctrl+C stops)", err=True)
        datasette_cli.main(args=datasette_args(path, metadata, host, port), prog_name="datasette",
                           standalone_mode=False)


def _fail(error: Exception) -> None:
    click.echo(f"error: {error}", err=True)
    sys.exit(BAD_INPUT)
