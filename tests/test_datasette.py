"""The fact-checker's desk in a real browser: `claims serve` (Datasette) driven by headless Chromium.

The demo database (corpus ingested and cross-checked) is served by the real ``claims serve`` in a
subprocess on a free loopback port; Debian's Chromium (``/usr/bin/chromium``, installed by
``make browser``) is driven by Playwright without ``playwright install``. The tests assert on
what a person sees. Without /usr/bin/chromium they are skipped, saying so.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from extract.cli import cli

from .conftest import needs_chromium

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
START_TIMEOUT_S = 60

pytestmark = needs_chromium

HOSTILE_TEXT = ('<script>window.__pwned=1</script> Acme Fund <b>bold</b> '
                '<img src=x onerror="window.__pwned=2;alert(1)"> raised $5 million last week, the company said.\n')
HOSTILE_META = {"date": "2026-01-20", "lang": "en", "title": "<script>window.__pwned=3</script><b>Evil</b> headline",
                "publisher": "<img src=x onerror=\"window.__pwned=4;alert(2)\">"}


def claims(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def tilde(s: str) -> str:
    from datasette.utils import tilde_encode

    return tilde_encode(s)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`claims serve --db DB` in a subprocess, on a free loopback port; stopped by ``close``."""

    def __init__(self, db: Path, log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        script = Path(sys.executable).parent / "claims"
        command = [str(script)] if script.exists() else [sys.executable, "-m", "extract.cli"]
        self.log = log
        self.process = subprocess.Popen(
            command + ["serve", "--db", str(db), "--port", str(self.port), "--host", "127.0.0.1"],
            stdout=log.open("wb"), stderr=subprocess.STDOUT, cwd=db.parent,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"claims serve exited {self.process.returncode}:\n{self.log.read_text()}")
            try:
                with urllib.request.urlopen(self.url + "/-/versions.json", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.close()
        raise AssertionError(f"claims serve did not answer in {START_TIMEOUT_S}s:\n{self.log.read_text()}")

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "claims.db"
    claims("ingest", CORPUS, "--db", path, "--quiet")
    claims("crosscheck", "--db", path)
    return path


@pytest.fixture(scope="module")
def demo(demo_db):
    server = Server(demo_db, demo_db.parent / "serve.log")
    yield server
    server.close()


@pytest.fixture
def page(browser):
    """A fresh page that records every dialog (alert, confirm) it is shown, and dismisses it."""
    context = browser.new_context()
    page = context.new_page()
    page.dialogs = []

    def on_dialog(dialog):
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.set_default_timeout(15000)
    yield page
    context.close()


def open_page(page, url: str):
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{url}: {response and response.status}"
    return page


def cell_texts(page, column: str) -> list[str]:
    return [t.strip() for t in page.locator(f"table.rows-and-columns td.col-{column}").all_inner_texts()]


# --- the demo database ----------------------------------------------------------------------------

def test_the_index_introduces_the_desk_and_its_starting_points(demo, page):
    open_page(page, demo.url + "/")
    assert page.locator("h1").first.inner_text().strip() == "market-claims: a fact-checker's desk"
    body = page.locator("body").inner_text()
    assert "kept for evaluation only" in body
    page.get_by_role("link", name="findings to check (errors first)").click()
    page.wait_for_load_state()
    assert page.url.startswith(demo.url + "/claims/findings_to_check")


def test_a_claim_page_marks_the_figure_inside_its_sentence(demo, demo_db, page):
    import sqlite3

    conn = sqlite3.connect(demo_db)
    claim_id, text, sentence, display = conn.execute(
        "select id, text, sentence, display from claims where text = '5.37 亿美元'").fetchone()
    conn.close()
    open_page(page, f"{demo.url}/claims/claims/{tilde(claim_id)}")
    card = page.locator("section.claim-card")
    assert card.locator("h2").inner_text().strip() == display
    quote = card.locator("blockquote.claim-quote")
    assert quote.inner_text().strip() == sentence.strip()
    assert quote.locator("mark").all_inner_texts() == [text]
    # the figure is marked inside the sentence: the text before and after it is the sentence's
    before = quote.evaluate("q => q.innerHTML.split('<mark>')[0]")
    assert sentence.startswith(before.replace("&amp;", "&"))
    assert "iShares Bitcoin Trust" in card.inner_text()  # the subject by name, not its id
    # the row itself: the sentence cell is marked too, and foreign keys show names
    assert page.locator("td.col-sentence mark").inner_text() == text
    assert "iShares Bitcoin Trust" in page.locator("td.col-subject_id").inner_text()


def test_the_errors_query_lists_errors_first_with_marked_quotes(demo, page):
    open_page(page, demo.url + "/claims/findings_to_check")
    assert "Findings to check" in page.locator("h1").inner_text()
    severities = cell_texts(page, "severity")
    assert severities and severities[0] == "error"
    assert severities == sorted(severities, key=("error", "warning").index)
    assert page.locator("td.col-quote mark").count() == len(severities)
    first = page.locator("table.rows-and-columns tbody tr").first
    assert first.locator("td.col-explanation").inner_text().strip()
    assert first.locator("td.col-document a").count() == 1  # the document, linked by its title


def test_the_fund_flow_chart_draws_every_asset_and_week(demo, page):
    open_page(page, demo.url + "/claims/weekly_fund_flows")
    svg = page.locator("figure.claims-chart svg")
    assert svg.count() == 1 and svg.is_visible()
    rows = page.locator("table.rows-and-columns tbody tr").count()
    assert svg.locator("circle.point").count() == rows > 3
    legend = svg.locator("text.legend").all_text_contents()
    assert "Bitcoin" in legend and "Ether" in legend
    assert cell_texts(page, "usd")[0].startswith(("+$", "−$"))  # money columns in words


def test_the_competing_figures_for_ibit_are_charted_side_by_side(demo, page):
    open_page(page, demo.url + "/claims/figures_for_entity?entity=IBIT&metric=fund_flow")
    rows = page.locator("table.rows-and-columns tbody tr").count()
    assert rows >= 2
    bars = page.locator("figure.claims-chart svg rect.figure")
    assert bars.count() == rows
    shown = set(cell_texts(page, "display"))
    chart_text = page.locator("figure.claims-chart svg").inner_html()
    assert all(d.replace("IBIT ", "").lstrip("≈≲<> ") in chart_text for d in shown)
    assert page.locator("td.col-quote mark").count() == rows


def test_search_finds_chinese_by_three_characters_and_by_two(demo, page):
    for term in ("比特币", "流出"):
        open_page(page, f"{demo.url}/claims/search?q={term}")
        quotes = cell_texts(page, "quote")
        assert quotes and all(term in q for q in quotes), term


# --- hostile text ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A store named hostile.db holding one document full of markup, served like the demo."""
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "evil.txt").write_text(HOSTILE_TEXT, encoding="utf-8")
    (folder / "evil.json").write_text(json.dumps(HOSTILE_META), encoding="utf-8")
    db = folder / "hostile.db"
    claims("ingest", folder / "evil.txt", "--db", db, "--quiet")
    claims("crosscheck", "--db", db)
    server = Server(db, folder / "serve.log")
    yield server, db
    server.close()


def test_markup_in_a_document_shows_as_text_and_never_runs(hostile, page):
    import sqlite3

    server, db = hostile
    conn = sqlite3.connect(db)
    claim_id, document_id = conn.execute(
        "select id, document_id from claims where text = '$5 million'").fetchone()
    conn.close()
    base = f"{server.url}/hostile"
    urls = [f"{base}/claims/{tilde(claim_id)}", f"{base}/documents/{tilde(document_id)}",
            f"{base}/claims_readable", f"{base}/claims", f"{base}/search?q=bold",
            f"{base}/figures_for_entity?entity=acme-fund&metric=", f"{base}/weekly_fund_flows"]
    for url in urls:
        open_page(page, url)
        page.wait_for_load_state("load")
        assert page.evaluate("typeof window.__pwned") == "undefined", url
        assert page.locator("main b, section b, table b, svg b").count() == 0, url
        assert page.locator("table img, section img, svg img").count() == 0, url
    assert page.dialogs == []

    open_page(page, urls[0])
    quote = page.locator("blockquote.claim-quote")
    assert "<script>window.__pwned=1</script>" in quote.inner_text()
    assert "<b>bold</b>" in quote.inner_text()
    assert quote.locator("mark").all_inner_texts() == ["$5 million"]
    assert "<b>Evil</b> headline" in page.locator("section.claim-card").inner_text()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.dialogs == []
