"""Our Datasette plugin (loaded with ``--plugins-dir``): quotes, links, money and charts.

* ``render_cell``: a claim's sentence (``sentence`` in ``claims``, ``quote`` in the views and
  queries) is shown with the claim marked ``<mark>``; claim, document and finding ids in views
  and queries link to their row pages; ``usd*`` columns read ``−$1.73B``. All text is escaped.
* ``extra_template_vars``: ``claims_chart(canned_query, columns, rows)``, which our
  ``templates/query.html`` calls to draw the chart configured for a canned query under
  ``plugins: claims-browse: charts:`` in metadata.yaml, as inline SVG (no scripts, no assets).
"""
from __future__ import annotations

from datasette import hookimpl
from datasette.utils import tilde_encode
from markupsafe import Markup

from extract.browse.render import chart, highlight, locate, money_cell

PLUGIN = "claims-browse"
QUOTE_COLUMNS = {"sentence", "quote"}
LINKS = {"claim": "claims", "finding": "findings"}


def _get(row, key):
    try:
        return row[key]
    except (IndexError, KeyError):
        return None


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if column in QUOTE_COLUMNS and isinstance(value, str):
        figure = _get(row, "text") if table == "claims" else _get(row, "claim_text")
        if not figure:
            return None
        if value.count(figure) == 1:
            return highlight(value, figure)
        claim_id = _get(row, "id") if table == "claims" else _get(row, "claim")
        return _highlight_from_store(datasette, database, claim_id, value, figure)
    if table in ("claims", "documents", "entities", "findings", "finding_claims"):
        return None  # the tables keep Datasette's own rendering (foreign-key labels, row links)
    if column in LINKS and isinstance(value, str) and value:
        return _link(datasette, database, LINKS[column], value, value)
    if column == "document" and value and _get(row, "document_id"):
        return _link(datasette, database, "documents", _get(row, "document_id"), value)
    if column.startswith("usd"):
        return money_cell(value)
    return None


def _link(datasette, database, table, pk, text) -> Markup:
    href = datasette.urls.row(database, table, tilde_encode(str(pk)))
    return Markup('<a href="{}">{}</a>').format(href, text)


def _highlight_from_store(datasette, database, claim_id, sentence, figure):
    """The figure occurs more than once in its sentence: the claim's offsets decide which."""

    async def inner():
        span = None
        if claim_id:
            db = datasette.get_database(database)
            found = (await db.execute(
                'select c.start, c."end", d.text from claims c join documents d on d.id = c.document_id '
                "where c.id = ?", [claim_id])).first()
            if found:
                span = locate(sentence, figure, found["text"], found["start"], found["end"])
        return highlight(sentence, figure, span)

    return inner


@hookimpl
def extra_template_vars(database, datasette):
    def claims_chart(canned_query, columns, rows):
        if not canned_query or not rows:
            return ""
        charts = (datasette.plugin_config(PLUGIN, database=database) or {}).get("charts") or {}
        spec = charts.get(canned_query)
        return chart(spec, columns, rows) if spec else ""

    return {"claims_chart": claims_chart}

