"""Shared test fixtures: where the shared folder and the corpus are, a seed store, the CLI runner,
and Debian's Chromium for the browser tests."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = ROOT / "corpus"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"{CHROMIUM} is missing: install Debian's chromium (`make browser`, as root) to run the browser tests")


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium driven by Playwright (no ``playwright install``), one per module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"shared folder not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory) -> Path:
    """A SQLite store holding the seed corpus (extracted once per test session)."""
    from extract import EXTRACTOR_VERSION, extract_document
    from extract.readers import read_documents
    from extract.store import open_store, save_document

    path = tmp_path_factory.mktemp("seed-store") / "claims.db"
    db = open_store(path)
    for document in read_documents([CORPUS]):
        r = extract_document(document)
        save_document(db, document, r.claims, r.sentences, EXTRACTOR_VERSION, r.displays)
    db.close()
    return path


def run_claims(*args):
    """Run ``claims ARGS`` in-process (stderr kept apart); an unexpected exception fails the test
    with its traceback, and no traceback may ever reach the output."""
    from click.testing import CliRunner

    from extract.cli import cli

    try:
        runner = CliRunner(mix_stderr=False)
    except TypeError:  # click >= 8.2 always keeps stderr apart from stdout
        runner = CliRunner()
    result = runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result
