"""The batch benchmark (``make bench``), run small: every round of every worker count is kept,
each checked against the first run's store, and the ratios are taken over the rounds."""
from __future__ import annotations

import json

from evaluation import bench


def test_the_benchmark_runs_small_interleaving_rounds_of_worker_counts(tmp_path, capsys):
    out = tmp_path / "bench.json"
    argv = ["--articles", "48", "--sample", "8", "--workdir", str(tmp_path), "--out", str(out),
            "--skip", "profile,kill,dask", "--repeat", "2"]

    assert bench.main(argv) == 0

    r = json.loads(out.read_text(encoding="utf-8"))
    runs = r["runs"]
    assert list(runs) == ["workers=1", "workers=2", "workers=1 #2", "workers=2 #2", "rerun"]
    assert all(run["exit"] == 0 for run in runs.values())
    assert all(runs[name]["identical_to_first"] for name in ("workers=2", "workers=1 #2", "workers=2 #2"))
    assert runs["workers=1"]["run"]["new"] > 30 and runs["rerun"]["run"]["new"] == 0
    mean_1 = (runs["workers=1"]["seconds"] + runs["workers=1 #2"]["seconds"]) / 2
    mean_2 = (runs["workers=2"]["seconds"] + runs["workers=2 #2"]["seconds"]) / 2
    assert abs(r["ratios"]["2_workers_vs_1"] - mean_1 / mean_2) < 1e-9
    assert r["ratios"]["2_workers_vs_1_round_2"] == runs["workers=1 #2"]["seconds"] / runs["workers=2 #2"]["seconds"]
    assert "2_workers_vs_1: " in capsys.readouterr().out
    assert r["extractor_in_process"]["documents"] == 8 and r["extractor_in_process"]["claims"] > 0
    if "chars_per_s" in r["recognizers"]:  # the bench extra is installed: timed turn about, then again
        assert r["recognizers"]["documents"] == 8 and r["recognizers_after"]["documents"] == 3
        assert {"extractor_vs_recognizers_same_sample", "recognizers_after_vs_before",
                "end_to_end_1_worker_vs_recognizers"} <= set(r["ratios"])
    else:
        assert "recognizers-text-suite not installed" in r["recognizers"]["error"]
