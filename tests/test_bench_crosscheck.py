"""Smoke test of the cross-check benchmark (evaluation/bench_crosscheck.py) at 2,000 claims."""
from __future__ import annotations

import json

from evaluation.bench_crosscheck import main, run
from evaluation.crosscheck_synthetic import synthetic_facts
from extract.catalog import load_catalog

ROW_KEYS = {"claims", "documents", "findings", "seconds", "claims_per_s", "us_per_claim", "ratio", "peak_mib",
            "maxrss_mib_after", "findings_by_kind"}


def test_synthetic_facts_shape():
    facts, texts = synthetic_facts(2_000, seed=0)
    assert len(facts) == 2_000
    assert 60 <= len(texts) <= 110                      # about n / 25 documents
    assert {f.doc for f in facts} <= set(texts)
    assert len(set(texts.values())) == len(texts)       # distinct texts
    assert max(map(len, texts.values())) <= 200
    assert len({f.id for f in facts}) == len(facts)
    catalog = load_catalog()
    for f in facts:
        assert f.interval[0] <= f.value <= f.interval[1] or f.approx in ("over", "under")
        for subject in f.subject.split("+"):
            assert subject in catalog, subject
    metrics = {f.metric for f in facts}
    assert {"fund_flow", "price", "probability", "share"} <= metrics
    assert {f.region for f in facts} >= {None, "US", "CH", "DE", "CA"}
    assert sum(f.in_title for f in facts) < len(facts) / 10
    again, _ = synthetic_facts(2_000, seed=0)                                           # deterministic
    assert [(f.id, f.value, f.text) for f in again] == [(f.id, f.value, f.text) for f in facts]


def test_benchmark_runs_and_exercises_the_checks(tmp_path):
    out = tmp_path / "bench.json"
    result = run(sizes=(2_000,), out=out)
    (row,) = result["sizes"]
    assert ROW_KEYS <= set(row)
    assert row["claims"] == 2_000 and row["findings"] > 0 and row["seconds"] > 0
    assert row["ratio"] == 1.0 and row["peak_mib"] > 0 and len(row["seconds_all_runs"]) >= 1
    kinds = row["findings_by_kind"]
    assert kinds.get("conflict", 0) >= 1, kinds
    assert kinds.get("scale_suspect", 0) >= 1, kinds
    assert kinds.get("sum", 0) >= 1 and kinds.get("subset_exceeds_total", 0) >= 1, kinds
    assert json.loads(out.read_text())["sizes"][0]["claims"] == 2_000


def test_cli(tmp_path, capsys):
    out = tmp_path / "cli.json"
    assert main(["--sizes", "500,1000", "--out", str(out), "--no-trace"]) == 0
    printed = capsys.readouterr().out
    assert "µs/claim" in printed and "1,000" in printed
    data = json.loads(out.read_text())
    assert [r["claims"] for r in data["sizes"]] == [500, 1000]
    assert data["sizes"][0]["peak_mib"] is None
