"""The HTML fact-check report in a real headless browser (Debian's chromium, driven by
Playwright without ``playwright install``): a person sees each figure highlighted by verdict,
clicks one to read the evidence, and nothing from the draft or the sources executes."""
from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from extract.cli import cli

from .conftest import needs_chromium

DRAFT = Path(__file__).parent / "data" / "altered_draft.md"

pytestmark = needs_chromium


def report(seed_store, draft: Path, out: Path) -> Path:
    result = CliRunner().invoke(cli, ["check", str(draft), "--db", str(seed_store), "--date", "2026-01-26",
                                      "--format", "html", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return out


def test_a_person_sees_each_figure_highlighted_by_verdict(seed_store, browser, tmp_path):
    page = browser.new_page()
    page.goto(report(seed_store, DRAFT, tmp_path / "review.html").as_uri())
    contradicted = page.locator("mark.contradicted")
    assert contradicted.count() >= 5
    assert "6.3亿美元" in contradicted.all_inner_texts()
    assert "10.9亿美元" in page.locator("mark.supported").all_inner_texts()
    assert "contradicted" in page.locator(".summary").inner_text()
    colour = page.eval_on_selector("mark.contradicted", "m => getComputedStyle(m).backgroundColor")
    assert colour != page.eval_on_selector("mark.supported", "m => getComputedStyle(m).backgroundColor")


def test_clicking_a_figure_shows_what_the_sources_say(seed_store, browser, tmp_path):
    page = browser.new_page()
    page.goto(report(seed_store, DRAFT, tmp_path / "review.html").as_uri())
    mark = page.locator("mark.contradicted", has_text="6.3亿美元")
    box = page.locator(f"#evidence-{mark.get_attribute('data-figure')}")
    assert not box.is_visible()
    mark.click()
    assert box.is_visible()
    assert "flipped" in box.inner_text() and "−$630M" in box.inner_text()


def test_nothing_in_the_draft_executes(seed_store, browser, tmp_path):
    draft = tmp_path / "hostile.html"
    draft.write_text('<p>上周比特币产品净流出10.9亿美元。</p><p>&lt;script&gt;window.__pwned=1&lt;/script&gt;'
                     '&lt;img src=x onerror="window.__pwned=2"&gt; 以太坊产品上周净流入6.3亿美元</p>', encoding="utf-8")
    page = browser.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(report(seed_store, draft, tmp_path / "hostile-review.html").as_uri())
    assert page.evaluate("typeof window.__pwned") == "undefined" and not dialogs
    assert "<script>window.__pwned=1</script>" in page.locator(".draft").inner_text()
    assert page.locator(".draft img").count() == 0
