"""Scaling benchmark of the cross-check: ``crosscheck_facts`` on 10k, 100k and 1M synthetic claims.

    python -m evaluation.bench_crosscheck [--sizes 10000,100000,1000000] [--out PATH] [--seed 0]

``run(sizes)`` times ``crosscheck_facts(facts, texts)`` with ``time.perf_counter`` (facts are built
outside the timer; a small warm-up run first loads the catalog and templates so the smallest size
is not charged for them; sizes under 50k take the best of several runs), then repeats the check
under ``tracemalloc`` (started after the facts exist) for the peak memory of the check itself, and
records ``ru_maxrss`` (the process's maximum so far, facts included). Results go to JSON (with a
fingerprint of ``extract/crosscheck/*.py``, so a number is tied to the engine version it measured)
and a table; ``ratio`` is the wall time per claim relative to the smallest size (near-linear:
ratio ≈ 1; "near_linear" means every ratio < 2) and ``cpu ratio`` the same in process CPU time,
steadier when the machine is shared. The claims come from :mod:`evaluation.crosscheck_synthetic`.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import platform
import resource
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path

from evaluation.crosscheck_synthetic import synthetic_facts
from extract.crosscheck import crosscheck_facts

DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "crosscheck_bench.json"
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)


def engine_fingerprint() -> dict:
    """Which version of the engine was measured: sha1 of ``extract/crosscheck/*.py`` and their newest mtime."""
    import hashlib

    folder = Path(__file__).resolve().parents[1] / "extract" / "crosscheck"
    files = sorted(folder.glob("*.py"))
    digest = hashlib.sha1(b"".join(f.name.encode() + f.read_bytes() for f in files)).hexdigest()[:12]
    newest = max(f.stat().st_mtime for f in files)
    return {"sha1": digest, "modified": dt.datetime.fromtimestamp(newest, dt.timezone.utc).isoformat(timespec="seconds")}


def _maxrss_mib() -> float:
    scale = 1 if sys.platform == "darwin" else 1024   # bytes on macOS, KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


def repeats_for(n: int) -> int:
    """Timed runs for a size: the best of several for small sizes, whose few seconds a busy machine
    skews most (5 at 10k, 1 from 100k on)."""
    return max(1, min(5, round(50_000 / max(n, 1))))


def measure(n: int, seed: int = 0, trace: bool = True, on_timed=None, repeats: int | None = None) -> dict:
    """One size: build the facts (untimed), time the check (best of ``repeats``), then its peak
    memory under tracemalloc.

    ``on_timed(row)`` is called between the two passes with the row so far (``peak_mib`` None)."""
    t0 = time.perf_counter()
    facts, texts = synthetic_facts(n, seed)
    build_s = time.perf_counter() - t0
    gc.collect()
    rss_before = _maxrss_mib()
    runs = []
    for _ in range(repeats or repeats_for(n)):
        t0, c0 = time.perf_counter(), time.process_time()
        findings = crosscheck_facts(facts, texts)
        runs.append((time.perf_counter() - t0, time.process_time() - c0))
    seconds, cpu_seconds = min(runs)
    rss_after = _maxrss_mib()
    row = {
        "claims": len(facts), "documents": len(texts), "findings": len(findings),
        "seconds": seconds, "seconds_all_runs": [r[0] for r in runs],
        "claims_per_s": len(facts) / seconds if seconds else None,
        "us_per_claim": 1e6 * seconds / len(facts), "cpu_seconds": cpu_seconds,
        "cpu_us_per_claim": 1e6 * cpu_seconds / len(facts), "peak_mib": None, "peak_bytes_per_claim": None,
        "traced_seconds": None, "build_seconds": build_s,
        "maxrss_mib_before": rss_before, "maxrss_mib_after": rss_after,
        "findings_by_kind": dict(sorted(Counter(f.kind for f in findings).items())),
        "findings_by_severity": dict(sorted(Counter(f.severity for f in findings).items())),
    }
    del findings
    gc.collect()
    if trace:
        if on_timed is not None:
            on_timed(row)
        tracemalloc.start()
        t0 = time.perf_counter()
        again = crosscheck_facts(facts, texts)
        row["traced_seconds"] = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        row["peak_mib"] = peak / 2**20
        row["peak_bytes_per_claim"] = peak / len(facts)
        assert len(again) == row["findings"], "the check is not deterministic"
        del again
    return row


def run(sizes=DEFAULT_SIZES, seed: int = 0, out: str | Path | None = DEFAULT_OUT, trace: bool = True,
        echo: bool = False) -> dict:
    """Benchmark every size; write JSON to ``out`` (None: don't) and return the results.

    The JSON is rewritten after every pass, so a run cut short (``timeout``) keeps what it measured."""
    warm, warm_texts = synthetic_facts(300, seed + 1)
    crosscheck_facts(warm, warm_texts)   # load catalog, templates and caches outside the timers
    rows: list[dict] = []

    def publish(extra: list[dict] = ()) -> dict:
        table_rows = rows + list(extra)
        base, cpu_base = table_rows[0]["us_per_claim"], table_rows[0]["cpu_us_per_claim"]
        for r in table_rows:
            r["ratio"] = r["us_per_claim"] / base if base else None
            r["cpu_ratio"] = r["cpu_us_per_claim"] / cpu_base if cpu_base else None
        result = {
            "benchmark": "crosscheck_facts on synthetic claims",
            "seed": seed, "python": platform.python_version(), "machine": platform.machine(),
            "engine": engine_fingerprint(), "measured_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "sizes_requested": list(sizes),
            "near_linear": all(r["ratio"] is not None and r["ratio"] < 2 for r in table_rows),
            "sizes": table_rows,
        }
        if out is not None:
            path = Path(out)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        return result

    result: dict = {"sizes": rows}
    for n in sizes:
        row = measure(n, seed, trace, on_timed=lambda partial: publish([partial]))
        rows.append(row)
        result = publish()
        if echo:
            print(_row_line(row), flush=True)
    return result


HEADER = (f"{'claims':>10} {'docs':>7} {'findings':>9} {'seconds':>9} {'claims/s':>10} {'µs/claim':>9} "
          f"{'ratio':>6} {'cpu ratio':>9} {'peak MiB':>9} {'maxRSS MiB':>10}")


def _row_line(r: dict) -> str:
    peak = f"{r['peak_mib']:9.1f}" if r["peak_mib"] is not None else f"{'-':>9}"
    ratio = f"{r['ratio']:6.2f}" if r.get("ratio") is not None else f"{'-':>6}"
    cpu_ratio = f"{r['cpu_ratio']:9.2f}" if r.get("cpu_ratio") is not None else f"{'-':>9}"
    return (f"{r['claims']:>10,} {r['documents']:>7,} {r['findings']:>9,} {r['seconds']:9.2f} "
            f"{r['claims_per_s']:>10,.0f} {r['us_per_claim']:9.1f} {ratio} {cpu_ratio} {peak} "
            f"{r['maxrss_mib_after']:10.0f}")


def table(result: dict) -> str:
    lines = [HEADER] + [_row_line(r) for r in result["sizes"]]
    lines.append(f"near-linear (time per claim < 2× the smallest size's): {result['near_linear']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evaluation.bench_crosscheck", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)),
                        help="comma-separated claim counts (default %(default)s)")
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="JSON results file (default %(default)s)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-trace", action="store_true",
                        help="skip the tracemalloc pass (peak memory), which runs the check a second time")
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    print(HEADER, flush=True)
    result = run(sizes, args.seed, args.out, trace=not args.no_trace, echo=True)
    print(f"near-linear (time per claim < 2× the smallest size's): {result['near_linear']}")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
