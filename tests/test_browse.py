"""Browsing in Datasette without a server: the views, metadata.yaml's queries, quotes and charts.

The real server and browser are driven in ``test_datasette.py``; here every canned query of
metadata.yaml runs on the demo store with plain sqlite, so a renamed column fails fast.
"""
from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils
import yaml
from click.testing import CliRunner

from extract.browse import METADATA, PLUGINS_DIR, TEMPLATES_DIR
from extract.browse.render import chart, figures_svg, highlight, locate, timeseries_svg
from extract.cli import cli
from extract.findings_store import has_findings_table
from extract.serve import datasette_args, load_metadata
from extract.store import open_store
from extract.views import create_views

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
META = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
DB_META = META["databases"]["claims"]
QUERIES = DB_META["queries"]


def claims(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """The demo database: the corpus ingested and cross-checked, as `make demo` builds it."""
    path = tmp_path_factory.mktemp("demo") / "claims.db"
    assert claims("ingest", CORPUS, "--db", path, "--quiet").exit_code == 0
    assert claims("crosscheck", "--db", path).exit_code == 0
    assert claims("summary", "--db", path).exit_code == 0  # a later open_store adds findings_readable
    return path


def run(db: Path, sql: str, **params) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def views(db: Path) -> set[str]:
    return {r["name"] for r in run(db, "select name from sqlite_master where type = 'view'")}


# --- views ----------------------------------------------------------------------------------------

def test_every_store_gets_the_reading_views_and_creating_them_again_changes_nothing(tmp_path):
    db = open_store(tmp_path / "claims.db")
    assert {"claims_readable", "entity_timeline"} <= set(db.view_names())
    assert create_views(db) == []


def test_findings_view_waits_for_a_cross_check_so_report_still_knows_it_never_ran(tmp_path):
    path = tmp_path / "claims.db"
    assert claims("ingest", CORPUS / "000_9881526b3ac62664.txt", "--db", path, "--quiet").exit_code == 0
    db = open_store(path)
    assert "findings_readable" not in db.view_names()
    assert not has_findings_table(db)
    assert "crosscheck" in claims("report", "--db", path).output
    db.conn.close()
    assert claims("crosscheck", "--db", path).exit_code == 0
    db = open_store(path)
    assert "findings_readable" in db.view_names()
    assert db["findings_readable"].count == db["finding_claims"].count


def test_a_changed_view_is_replaced(tmp_path):
    db = open_store(tmp_path / "claims.db")
    db.execute("drop view claims_readable")
    db.execute("create view claims_readable as select 1 as old")
    assert create_views(db) == ["claims_readable"]
    assert "subject" in db["claims_readable"].columns_dict


def test_claims_readable_has_one_row_per_claim_in_words(demo):
    rows = run(demo, "select * from claims_readable")
    assert len(rows) == run(demo, "select count(*) as n from claims")[0]["n"]
    ibit = [r for r in rows if r["subject_id"] == "ibit"]
    assert ibit and all(r["subject"] == "iShares Bitcoin Trust" for r in ibit)
    assert all(r["claim_text"] in r["quote"] for r in rows if r["quote"])
    assert all(r["document"] and r["language"] in ("zh-Hans", "zh-Hant", "en") for r in rows)


def test_findings_readable_lists_errors_first_with_both_sides(demo):
    rows = run(demo, "select * from findings_readable")
    assert rows and rows[0]["severity"] == "error"
    ranks = [r["severity_rank"] for r in rows]
    assert ranks == sorted(ranks)
    sides = {}
    for r in rows:
        sides.setdefault(r["finding"], set()).add(r["claim"])
    assert all(len(claim_ids) >= 2 for claim_ids in sides.values())


def test_entity_timeline_orders_each_entity_by_period(demo):
    rows = run(demo, "select * from entity_timeline where subject_id = 'ibit' and metric = 'fund_flow'")
    assert len(rows) >= 2
    assert [r["period_start"] for r in rows] == sorted(r["period_start"] for r in rows)


# --- metadata.yaml --------------------------------------------------------------------------------

def test_metadata_names_only_columns_that_exist(demo):
    db = sqlite_utils.Database(demo)
    for table, config in DB_META["tables"].items():
        columns = set(db[table].columns_dict)
        named = set(config.get("columns", {})) | set(config.get("facets", []))
        named |= {config[k] for k in ("sort", "sort_desc", "label_column") if k in config}
        assert named <= columns, (table, named - columns)


def test_foreign_keys_show_names():
    tables = DB_META["tables"]
    assert tables["documents"]["label_column"] == "title"
    assert tables["entities"]["label_column"] == "name"


def test_metadata_says_where_the_texts_come_from():
    assert "corpus/README.md" in META["source"] and "evaluation" in META["license"]
    for name in ("findings_to_check", "figures_for_entity", "weekly_fund_flows", "search"):
        assert f'href="claims/{name}' in META["description_html"]


QUERY_PARAMS = {
    "figures_for_entity": {"entity": "IBIT", "metric": "fund_flow"},
    "search": {"q": "比特币"},
}


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_canned_query_runs_on_the_demo_store(demo, name):
    sql = QUERIES[name]["sql"]
    params = set(re.findall(r":(\w+)", sql))
    given = QUERY_PARAMS.get(name, {})
    assert params == set(given), f"{name}: parameters {params}"
    rows = run(demo, sql, **given)
    assert rows, f"{name} returned nothing on the demo store"
    chart_config = DB_META["plugins"]["claims-browse"]["charts"].get(name)
    if chart_config:
        wanted = {v for k, v in chart_config.items() if k in ("x", "y", "series", "low", "high", "value", "group", "unit_column")}
        wanted |= {c for spec in chart_config.get("label", []) + list(chart_config.get("panel", []))
                   for c in spec.split("|")}
        assert wanted <= set(rows[0]), (name, wanted - set(rows[0]))
        assert "<svg" in chart(chart_config, list(rows[0]), [list(r.values()) for r in rows])


def test_errors_come_first(demo):
    rows = run(demo, QUERIES["findings_to_check"]["sql"])
    severities = [r["severity"] for r in rows]
    assert severities[0] == "error" and set(severities) <= {"error", "warning"}
    assert severities == sorted(severities, key=("error", "warning").index)


def test_figures_for_entity_accepts_ticker_id_or_name_and_a_blank_metric(demo):
    sql = QUERIES["figures_for_entity"]["sql"]
    by_ticker = run(demo, sql, entity="IBIT", metric="fund_flow")
    assert len(by_ticker) >= 2 and {r["entity"] for r in by_ticker} == {"iShares Bitcoin Trust"}
    assert run(demo, sql, entity="ibit", metric="fund_flow") == by_ticker
    assert run(demo, sql, entity="iShares Bitcoin Trust", metric="fund_flow") == by_ticker
    assert len(run(demo, sql, entity="btc", metric="")) > len(run(demo, sql, entity="btc", metric="fund_flow"))
    assert run(demo, sql, entity="", metric="") == []


def test_weekly_fund_flows_gives_one_row_per_asset_and_week(demo):
    rows = run(demo, QUERIES["weekly_fund_flows"]["sql"])
    keys = [(r["asset"], r["week_start"]) for r in rows]
    assert len(keys) == len(set(keys))
    assert all(r["usd_low"] <= r["usd"] <= r["usd_high"] for r in rows)
    assert any(r["asset"] == "Bitcoin" for r in rows)


@pytest.mark.parametrize("term", ["比特币", "CoinShares", "流出", "亿", "IBIT"])
def test_search_finds_chinese_and_english_of_any_length(demo, term):
    rows = run(demo, QUERIES["search"]["sql"], q=term)
    assert rows, term
    for r in rows:
        haystack = (r["quote"] or "") + (r["claim_text"] or "") + (r["document"] or "")
        if r["hit"] == "claim":
            assert term.lower() in haystack.lower()


@pytest.mark.parametrize("term", ['"', "%", "_", "a\"b OR c", "NEAR(", "", "   "])
def test_search_takes_odd_input_literally(demo, term):
    rows = run(demo, QUERIES["search"]["sql"], q=term)
    for r in rows:
        text = (r["quote"] or "") + (r["claim_text"] or "") + (r["document"] or "")
        assert term.strip() in text or r["hit"] == "document"


# --- quotes and charts ----------------------------------------------------------------------------

def test_the_quote_is_escaped_and_the_claim_marked():
    html = str(highlight('<script>x()</script> raised $5 million & "more"', "$5 million"))
    assert html == '&lt;script&gt;x()&lt;/script&gt; raised <mark>$5 million</mark> &amp; &#34;more&#34;'
    assert str(highlight("no figure", "5%")) == "no figure"
    assert str(highlight(None, "5%")) == ""


def test_the_claims_own_occurrence_is_marked_when_its_figure_repeats():
    text = "总额 17.3 亿美元。其中 17.3 亿美元来自美国,另有 17.3 亿美元。"
    sentence = "其中 17.3 亿美元来自美国,另有 17.3 亿美元。"
    second = text.rindex("17.3 亿美元")
    span = locate(sentence, "17.3 亿美元", text, second, second + len("17.3 亿美元"))
    assert span == (sentence.rindex("17.3"), sentence.rindex("17.3") + len("17.3 亿美元"))
    assert str(highlight(sentence, "17.3 亿美元", span)).endswith("另有 <mark>17.3 亿美元</mark>。")


def test_charts_escape_labels_and_say_when_empty():
    rows = [{"week": "2026-01-19", "usd": -1.09e9, "asset": "<script>alert(1)</script>"},
            {"week": "2026-01-26", "usd": 2e8, "asset": "<script>alert(1)</script>"}]
    svg = str(timeseries_svg(rows, x="week", y="usd", series="asset", title="<b>t</b>"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "<b>" not in svg
    assert svg.count("<circle") == 2 and "<polyline" in svg and "−$1.09B" in svg
    assert "Nothing to chart" in str(timeseries_svg([], x="week", y="usd", series="asset"))


def test_competing_figures_get_one_panel_per_unit():
    rows = [{"value": -2.2e9, "unit": "USD", "metric": "fund_flow", "who": "A", "period": "p1"},
            {"value": -6e8, "unit": "USD", "metric": "fund_flow", "who": "B", "period": "p2"},
            {"value": 60.0, "unit": "%", "metric": "share", "who": "C", "period": "p1"}]
    svg = str(figures_svg(rows, value="value", label=["who"], group="period", panel=("metric", "unit")))
    assert svg.count('class="figure"') == 3
    assert "fund_flow · USD" in svg and "share · %" in svg and "−$2.2B" in svg
    assert ">60%<" in svg  # no "+" where no figure is negative


# --- claims serve ---------------------------------------------------------------------------------

def test_serve_runs_datasette_immutable_with_our_metadata_plugins_and_templates(tmp_path):
    args = datasette_args(tmp_path / "claims.db", METADATA, "127.0.0.1", 8123)
    assert args[:3] == ["serve", "-i", str(tmp_path / "claims.db")]
    assert str(PLUGINS_DIR) in args and str(TEMPLATES_DIR) in args and str(METADATA) in args
    assert args[-4:] == ["--host", "127.0.0.1", "--port", "8123"]


def test_serve_renames_the_metadata_for_another_database_file():
    metadata = load_metadata("newsroom")
    assert list(metadata["databases"]) == ["newsroom"]
    assert 'href="newsroom/findings_to_check"' in metadata["description_html"]
    assert load_metadata() == META


def test_serve_refuses_a_missing_database_in_one_line(tmp_path):
    result = claims("serve", "--db", tmp_path / "nope.db")
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [f"error: {tmp_path / 'nope.db'}: no such database"]
