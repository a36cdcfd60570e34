"""Our Datasette plugin (loaded with ``--plugins-dir``): quotes, links, money, claim cards, charts.

* ``render_cell``: a claim's sentence (``sentence`` in ``claims``, ``quote`` in the views and
  queries) is shown with the claim marked ``<mark>``; claim, document and finding ids in views
  and queries link to their row pages; ``usd*`` columns read ``−$1.73B``; on row pages, foreign
  keys show their label (Datasette 0.65 labels them on table pages only). All text is escaped.
* ``extra_template_vars``: ``claims_card`` on a claim's page (the claim in words, its quote,
  document and findings), drawn by our ``templates/row.html``; and ``claims_chart(canned_query,
  columns, rows)``, which our ``templates/query.html`` calls to draw the chart configured for a
  canned query under ``plugins: claims-browse: charts:`` in metadata.yaml, as inline SVG.

No scripts and no external assets: everything is HTML and SVG made on the server.
"""
from __future__ import annotations

from urllib.parse import urlencode

from datasette import hookimpl
from datasette.utils import tilde_decode, tilde_encode
from markupsafe import Markup

from extract.browse.render import chart, claim_card, highlight, locate, money_cell

PLUGIN = "claims-browse"
QUOTE_COLUMNS = {"sentence", "quote"}
LINKS = {"claim": "claims", "finding": "findings"}
OUR_TABLES = {"claims", "documents", "entities", "findings", "finding_claims"}
_FOREIGN_KEYS: dict[tuple[str, str], list[dict]] = {}


def _get(row, key):
    try:
        return row[key]
    except (IndexError, KeyError, TypeError):
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
    if table in OUR_TABLES:
        if column.endswith("_id") and isinstance(value, str) and value:  # not yet labelled
            return _foreign_key_label(datasette, database, table, column, value)
        return None  # Datasette's own rendering (labels already expanded, row links)
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
            found = (await datasette.get_database(database).execute(
                'select c.start, c."end", d.text from claims c join documents d on d.id = c.document_id '
                "where c.id = ?", [claim_id])).first()
            if found:
                span = locate(sentence, figure, found["text"], found["start"], found["end"])
        return highlight(sentence, figure, span)

    return inner


def _foreign_key_label(datasette, database, table, column, value):
    """A foreign key shown as its label, linked (None, for Datasette's default, if not a key)."""

    async def inner():
        db = datasette.get_database(database)
        key = (database, table)
        if key not in _FOREIGN_KEYS:  # the database is immutable: its keys never change
            _FOREIGN_KEYS[key] = await db.foreign_keys_for_table(table)
        fk = next((fk for fk in _FOREIGN_KEYS[key] if fk["column"] == column), None)
        if fk is None:
            return None
        label_column = await db.label_column_for_table(fk["other_table"])
        label = None
        if label_column:
            found = (await db.execute(
                f'select [{label_column}] from [{fk["other_table"]}] where [{fk["other_column"]}] = ?',
                [value])).first()
            label = found[0] if found else None
        href = datasette.urls.row(database, fk["other_table"], tilde_encode(str(value)))
        if label in (None, "", value):
            return Markup('<a href="{}">{}</a>').format(href, value)
        return Markup('<a href="{}">{}</a>&nbsp;<em>{}</em>').format(href, label, value)

    return inner


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    def claims_chart(canned_query, columns, rows):
        if not canned_query or not rows:
            return ""
        charts = (datasette.plugin_config(PLUGIN, database=database) or {}).get("charts") or {}
        spec = charts.get(canned_query)
        return chart(spec, columns, rows) if spec else ""

    async def inner():
        card = ""
        if view_name == "row" and table == "claims" and request is not None:
            card = await _claim_card(datasette, database, tilde_decode(request.url_vars.get("pks", "")))
        return {"claims_chart": claims_chart, "claims_card": card}

    return inner


async def _claim_card(datasette, database, claim_id):
    db = datasette.get_database(database)
    found = (await db.execute(
        """select c.*, d.title as document_title, d.published, d.publisher, d.lang as language,
                  d.url as document_url, d.text as doc_text, s.name as subject_name, src.name as source_name
           from claims c join documents d on d.id = c.document_id
           left join entities s on s.id = c.subject_id
           left join entities src on src.id = c.source_id
           where c.id = ?""", [claim_id])).first()
    if found is None:
        return ""
    claim = dict(found)
    findings = []
    if await db.table_exists("findings") and await db.table_exists("finding_claims"):
        rows = await db.execute(
            """select f.id, f.severity, f.kind, f.explanation, fc.role
               from finding_claims fc join findings f on f.id = fc.finding_id
               where fc.claim_id = ?
               order by case f.severity when 'error' then 0 when 'warning' then 1 else 2 end, f.kind, f.id""",
            [claim_id])
        findings = [dict(r, href=datasette.urls.row(database, "findings", tilde_encode(r["id"]))) for r in rows]
    hrefs = {
        "document": datasette.urls.row(database, "documents", tilde_encode(claim["document_id"])),
        "subject": datasette.urls.row(database, "entities", tilde_encode(claim["subject_id"]))
        if claim["subject_id"] else None,
        "source": datasette.urls.row(database, "entities", tilde_encode(claim["source_id"]))
        if claim["source_id"] else None,
        "figures": datasette.urls.database(database) + "/figures_for_entity?"
        + urlencode({"entity": claim["subject_id"] or "", "metric": claim["metric"] or ""})
        if claim["subject_id"] else None,
    }
    return claim_card(claim, findings, hrefs)
