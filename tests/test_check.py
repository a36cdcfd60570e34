"""Fact-checking a draft against the store built from the seed articles.

The draft in tests/data/altered_draft.md is written from the seeds with five figures altered on
purpose: a changed digit (17.3 → 17.8 亿, twice), a wrong share (63% → 73%), a flipped direction
(以太坊 净流出 → 净流入), a 亿/万 slip (1710 万 → 1710 亿) and a wrong period (45.7 亿 was
November and December together, not November).
"""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from extract.cli import cli
from extract.draftcheck import check_draft, draft_text
from extract.store import open_store

DRAFT = Path(__file__).parent / "data" / "altered_draft.md"
ALTERED = {"17.8亿美元", "73%", "6.3亿美元", "1710亿美元", "45.7亿美元"}
UNALTERED = {"10.9亿美元", "1820万美元", "18亿美元", "3250万美元"}


def test_every_altered_figure_is_contradicted_and_nothing_else(seed_store):
    result = check_draft(draft_text(str(DRAFT)), open_store(seed_store), dt.date(2026, 1, 26))
    verdicts = {}
    for f in result.figures:
        verdicts.setdefault(f.claim.text, set()).add(f.verdict)
    assert {t for t, v in verdicts.items() if "contradicted" in v} == ALTERED
    for text in UNALTERED:
        assert verdicts[text] == {"supported"}, (text, verdicts[text])
    assert result.contradicted


def test_contradictions_say_what_the_sources_say(seed_store):
    result = check_draft(draft_text(str(DRAFT)), open_store(seed_store), dt.date(2026, 1, 26))
    by_text = {f.claim.text: f for f in result.figures}
    assert "flipped" in by_text["6.3亿美元"].explanation
    assert "10000×" in by_text["1710亿美元"].explanation
    assert "−$3.48B" in by_text["45.7亿美元"].explanation
    evidence = by_text["10.9亿美元"].sources[0].evidence[0]
    assert evidence.document_id in {"000_9881526b3ac62664", "001_6345b23f2cec45fa"} and evidence.date


def test_the_drafts_own_share_is_checked_against_its_own_amounts(seed_store):
    result = check_draft(draft_text(str(DRAFT)), open_store(seed_store), dt.date(2026, 1, 26))
    assert [f.kind for f in result.internal] == ["share"]


def test_a_figure_nobody_reported_is_unverified(seed_store):
    result = check_draft("Cardano funds took in $3.3 million last week.", open_store(seed_store),
                         dt.date(2026, 1, 26), lang="en")
    [figure] = result.figures
    assert figure.verdict == "unverified" and "ADA" in figure.searched and not result.contradicted


def test_dropping_a_qualifier_is_imprecise(seed_store):
    # the seeds say the US outflow was "近 18 亿" / "约 18 亿"; 001 also says a flat "18 亿"
    result = check_draft("上周美国加密基金净流出约18亿美元。", open_store(seed_store), dt.date(2026, 1, 26))
    assert result.figures[0].verdict in {"supported", "imprecise"}


def run(*args, input=None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def test_exit_status_gates_a_publishing_pipeline(seed_store, tmp_path):
    bad = run("check", str(DRAFT), "--db", str(seed_store), "--date", "2026-01-26")
    assert bad.exit_code == 1 and "contradicted" in bad.output
    clean = tmp_path / "clean.txt"
    clean.write_text("上周比特币产品净流出10.9亿美元。", encoding="utf-8")
    good = run("check", str(clean), "--db", str(seed_store), "--date", "2026-01-26")
    assert good.exit_code == 0, good.output


def test_bad_input_exits_2_with_one_line(seed_store, tmp_path):
    for args in (["check", str(tmp_path / "missing.txt"), "--db", str(seed_store)],
                 ["check", str(DRAFT), "--db", str(tmp_path / "none.db")],
                 ["check", str(DRAFT), "--db", str(seed_store), "--date", "26/01/2026"]):
        result = run(*args)
        assert result.exit_code == 2
        assert result.output.count("\n") == 1 and result.output.startswith("error:")


def test_json_markdown_and_stdin(seed_store):
    out = run("check", "-", "--db", str(seed_store), "--date", "2026-01-26", "--format", "json",
              input="上周比特币产品净流出10.9亿美元。".encode())
    data = json.loads(out.output)
    assert data["figures"][0]["verdict"] == "supported"
    md = run("check", str(DRAFT), "--db", str(seed_store), "--date", "2026-01-26", "--format", "md")
    assert "| ✘ contradicted | 6.3亿美元 |" in md.output


def test_html_report_is_standalone_and_escapes_everything(seed_store, tmp_path):
    draft = tmp_path / "draft.html"
    draft.write_text("<p>上周比特币产品净流出10.9亿美元。<script>alert(1)</script></p>"
                     "<p>&lt;b&gt;上周以太坊产品净流入6.3亿美元&lt;/b&gt;</p>", encoding="utf-8")
    out = tmp_path / "review.html"
    result = run("check", str(draft), "--db", str(seed_store), "--date", "2026-01-26", "--format", "html",
                 "--out", str(out))
    assert result.exit_code == 1
    page = out.read_text(encoding="utf-8")
    assert "<script>alert" not in page and "&lt;b&gt;" in page
    assert 'class="contradicted"' in page and 'class="supported"' in page
    assert "http://" not in page.split("<body>")[0] and "<link" not in page


def test_console_script_runs(seed_store):
    exe = Path(sys.executable).parent / "claims"
    done = subprocess.run([str(exe), "check", str(DRAFT), "--db", str(seed_store), "--date", "2026-01-26"],
                          capture_output=True, text=True)
    assert done.returncode == 1 and "figures:" in done.stdout
