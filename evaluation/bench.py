"""Batch-ingest benchmark: ``python -m evaluation.bench`` (``make bench``).

On a synthetic corpus (:mod:`evaluation.synthetic`, ≥ 10,000 articles recombined from the
sentences of corpus/ and shared/eval/docs, every figure's digits redrawn) it measures, in one run:

1. Microsoft Recognizers-Text (recognizers-text-suite: number + currency + percentage models,
   built once, whole document per call, Chinese or English culture by the document's language)
   and our extractor, in this process, on the same sample of the documents (``--sample``):
   chars/s of each and the ratio;
2. ``claims ingest`` end to end (read → extract → store, a fresh store, process start included)
   with 1 and with 2 workers: chars/s, docs/s, peak memory (the process tree's summed RSS);
3. a re-run over the same folder (must extract nothing), a run killed with SIGKILL after some
   commits and resumed (must end identical to the uninterrupted run), and ``--dask local`` (must
   store exactly the same claims);
4. a cProfile of the in-process extractor over the sample (top functions).

Results go to JSON (``--out``) and a table on stdout. Timings are wall clock; the machine's load
average is recorded with them, since another process on the machine slows every figure.
"""
from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLAIM_COLUMNS = ('id, document_id, claim_id, start, "end", text, sentence, value, low, high, unit, approx, '
                 "subject_id, metric, region, object, period_start, period_end, source_id, display")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/claims-bench"))
    ap.add_argument("--out", type=Path, default=ROOT / "evaluation" / "results" / "bench.json")
    ap.add_argument("--sample", type=int, default=1000, help="documents for the Recognizers-Text comparison and profile")
    ap.add_argument("--workers", default="1,2", help="worker counts for the end-to-end runs")
    ap.add_argument("--repeat", type=int, default=2,
                    help="rounds of the worker-count runs, interleaved (1, 2, 1, 2): this machine's speed drifts")
    ap.add_argument("--skip", default="", help="comma-separated: recognizers,profile,rerun,kill,dask")
    args = ap.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    news = work / "news"
    results: dict = {"articles": args.articles, "seed": args.seed, "cpus": os.cpu_count(), "load_before": os.getloadavg()}

    corpus = _corpus(news, args.articles, args.seed)
    results["corpus"] = corpus
    print(f"corpus: {corpus['documents']} documents, {corpus['chars']:,} characters in {news}", flush=True)

    sample = _sample(news, args.sample)
    if "recognizers" not in skip:
        results["recognizers"] = _recognizers(sample)
        print(f"recognizers-text: {results['recognizers']['chars_per_s']:,.0f} chars/s on {len(sample)} documents", flush=True)
    results["extractor_in_process"] = _ours(sample)
    print(f"extractor (in-process, same sample): {results['extractor_in_process']['chars_per_s']:,.0f} chars/s", flush=True)
    if "profile" not in skip:
        results["profile"] = _profile(sample[: min(len(sample), 300)])

    runs = results["runs"] = {}
    reference = None
    counts = list(map(int, args.workers.split(",")))
    for round_ in range(1, max(1, args.repeat) + 1):
        for n in counts:
            db = work / f"workers{n}.db"
            name = f"workers={n}" + (f" #{round_}" if round_ > 1 else "")
            runs[name] = _ingest(news, db, ["--workers", str(n)], corpus)
            print(_line(name, runs[name]), flush=True)
            if reference is None:
                reference = _copy_store(db, work / "reference.db")
            else:
                runs[name]["identical_to_first"] = _snapshot(db) == _snapshot(reference)
    last = work / f"workers{args.workers.split(',')[-1]}.db"
    if "rerun" not in skip:
        runs["rerun"] = _ingest(news, last, ["--workers", args.workers.split(",")[-1]], corpus, fresh=False)
        print(_line("rerun", runs["rerun"]), flush=True)
    if "kill" not in skip:
        runs["kill_resume"] = _kill_and_resume(news, work / "killed.db", reference, corpus)
        print(f"kill -9 after {runs['kill_resume']['committed_at_kill']} documents; resumed: "
              f"identical={runs['kill_resume']['identical']}", flush=True)
    if "dask" not in skip:
        runs["dask_local"] = _ingest(news, work / "dask.db", ["--dask", "local", "--workers", "2"], corpus)
        runs["dask_local"]["identical_to_first"] = _snapshot(work / "dask.db") == _snapshot(reference)
        print(_line("dask local", runs["dask_local"]), flush=True)

    results["ratios"] = _ratios(results)
    results["load_after"] = os.getloadavg()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print()
    print(table(results))
    print(f"\nwritten to {args.out}")
    return 0


# --- the corpus --------------------------------------------------------------------------------

def _corpus(news: Path, n: int, seed: int) -> dict:
    """Write the corpus (unless the same one is there) and count what the readers read from it."""
    from evaluation.synthetic import write_corpus
    from extract.readers import read_documents

    stamp = news / ".stamp"
    if not stamp.exists() or stamp.read_text() != f"{n} {seed}":
        shutil.rmtree(news, ignore_errors=True)
        formats = write_corpus(news, n, seed)
        stamp.write_text(f"{n} {seed}")
    else:
        formats = None
    docs = list(read_documents([news]))
    langs: dict[str, int] = {}
    for d in docs:
        lang = d.meta.lang or "detected"
        langs[lang] = langs.get(lang, 0) + 1
    return {"documents": len(docs), "chars": sum(len(d.text) for d in docs), "bytes": _du(news),
            "formats": formats, "languages": langs}


def _du(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _sample(news: Path, k: int):
    """Every n-th document read from the corpus (deterministic), with its language resolved."""
    from extract.extractor import document_language
    from extract.readers import read_documents

    docs = list(read_documents([news]))
    picked = docs[::max(1, len(docs) // k)][:k]
    return [(d, document_language(d)) for d in picked]


# --- in-process comparisons --------------------------------------------------------------------

def _recognizers(sample) -> dict:
    """Recognizers-Text number + currency + percentage over each document's whole text."""
    try:
        from recognizers_number import Culture, NumberRecognizer
        from recognizers_number_with_unit import NumberWithUnitRecognizer
    except ImportError as e:
        return {"error": f"recognizers-text-suite not installed ({e}); pip install -e '.[bench]'"}
    models = {}
    for culture in (Culture.Chinese, Culture.English):
        models[culture] = (NumberRecognizer(culture).get_number_model(),
                           NumberWithUnitRecognizer(culture).get_currency_model(),
                           NumberRecognizer(culture).get_percentage_model())
    for culture, ms in models.items():  # first calls compile their regexes
        for m in ms:
            m.parse("1.5 亿美元 3%" if culture == Culture.Chinese else "$1.5 billion 3%")
    found = chars = 0
    by_lang: dict[str, list[float]] = {}
    started = time.perf_counter()
    for doc, lang in sample:
        culture = Culture.Chinese if lang.startswith("zh") else Culture.English
        t = time.perf_counter()
        for m in models[culture]:
            found += len(m.parse(doc.text))
        entry = by_lang.setdefault(lang, [0.0, 0])
        entry[0] += time.perf_counter() - t
        entry[1] += len(doc.text)
        chars += len(doc.text)
    seconds = time.perf_counter() - started
    return {"package": "recognizers-text-suite " + _version("recognizers-text-suite"), "documents": len(sample),
            "chars": chars, "seconds": seconds, "chars_per_s": chars / seconds, "docs_per_s": len(sample) / seconds,
            "results": found, "by_lang_chars_per_s": {k: v[1] / v[0] for k, v in by_lang.items()}}


def _ours(sample) -> dict:
    """Our extractor (extract_document only: no reading, no store) on the same documents."""
    from extract.batchwork import warm_up
    from extract.extractor import extract_document

    warm_up()
    claims = chars = 0
    by_lang: dict[str, list[float]] = {}
    started = time.perf_counter()
    for doc, lang in sample:
        t = time.perf_counter()
        claims += len(extract_document(doc).claims)
        entry = by_lang.setdefault(lang, [0.0, 0])
        entry[0] += time.perf_counter() - t
        entry[1] += len(doc.text)
        chars += len(doc.text)
    seconds = time.perf_counter() - started
    return {"documents": len(sample), "chars": chars, "seconds": seconds, "chars_per_s": chars / seconds,
            "docs_per_s": len(sample) / seconds, "claims": claims,
            "by_lang_chars_per_s": {k: v[1] / v[0] for k, v in by_lang.items()}}


def _profile(sample, top: int = 25) -> dict:
    """cProfile of extract_document over ``sample``: the top functions by own and by total time."""
    from extract.extractor import extract_document

    profiler = cProfile.Profile()
    profiler.enable()
    for doc, _ in sample:
        extract_document(doc)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt

    def rows(key: str) -> list[dict]:
        stats.sort_stats(key)
        out = []
        for func in stats.fcn_list[:top]:
            cc, nc, tt, ct, _ = stats.stats[func]
            where = "/".join(Path(func[0]).parts[-2:]) if func[0].startswith("/") else func[0]
            out.append({"function": f"{where}:{func[1]}({func[2]})", "calls": nc,
                        "own_s": round(tt, 3), "total_s": round(ct, 3), "total_share": round(ct / total, 3)})
        return out

    return {"documents": len(sample), "profiled_seconds": total, "by_total": rows("cumulative"),
            "by_own": rows("tottime")}


# --- end-to-end runs ---------------------------------------------------------------------------

def _claims_script() -> str:
    script = Path(sys.executable).parent / "claims"
    return str(script) if script.exists() else "claims"


def _ingest(news: Path, db: Path, options: list[str], corpus: dict, fresh: bool = True) -> dict:
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    cmd = [_claims_script(), "ingest", str(news), "--db", str(db), "--quiet", *options]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    peak = _PeakMemory(proc.pid)
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    peak.stop()
    run = _last_run(db)
    cpu = peak.cpu_report(os.cpu_count() or 1)
    return {"command": " ".join(cmd[1:]), "exit": proc.returncode, "stderr": err.decode()[-500:], "seconds": seconds,
            "chars_per_s": corpus["chars"] / seconds, "docs_per_s": corpus["documents"] / seconds,
            "peak_rss_mb": peak.total_mb, "peak_driver_rss_mb": peak.driver_mb, "run": run,
            "load": os.getloadavg(), **cpu,
            "projected_idle_chars_per_s": corpus["chars"] / cpu["projected_idle_wall_s"] if cpu["projected_idle_wall_s"] else None}


class _PeakMemory:
    """Samples the process tree every 0.2 s (psutil): the peak of its summed RSS and of the root's,
    and each process's CPU time (user + system), kept at its last sample."""

    def __init__(self, pid: int):
        self.total_mb = self.driver_mb = 0.0
        self.cpu: dict[int, float] = {}
        self.root_pid = pid
        self._stop = threading.Event()
        try:
            import psutil
        except ImportError:
            self.total_mb = self.driver_mb = float("nan")
            return
        self._thread = threading.Thread(target=self._run, args=(psutil, pid), daemon=True)
        self._thread.start()

    def _run(self, psutil, pid: int) -> None:
        try:
            root = psutil.Process(pid)
        except psutil.Error:
            return
        while not self._stop.is_set():
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.Error:
                break
            rss = []
            for p in procs:
                try:
                    with p.oneshot():
                        rss.append(p.memory_info().rss)
                        times = p.cpu_times()
                        self.cpu[p.pid] = times.user + times.system
                except psutil.Error:
                    continue
            if rss:
                self.total_mb = max(self.total_mb, sum(rss) / 2**20)
                self.driver_mb = max(self.driver_mb, (rss[0] if procs[0].pid == pid else 0) / 2**20)
            self._stop.wait(0.2)

    def stop(self) -> None:
        self._stop.set()

    def cpu_report(self, cores: int) -> dict:
        """CPU seconds of the tree, of the driver, of the busiest other process; and the wall time
        the run would take on ``cores`` otherwise idle cores if its CPU work spread perfectly."""
        total = sum(self.cpu.values())
        driver = self.cpu.get(self.root_pid, 0.0)
        others = [v for k, v in self.cpu.items() if k != self.root_pid and v > 1.0]
        busy = 1 + len(others)
        return {"cpu_seconds": total, "driver_cpu_seconds": driver,
                "busiest_worker_cpu_seconds": max(others, default=0.0),
                "projected_idle_wall_s": max(total / min(cores, busy), driver, max(others, default=0.0))}


def _kill_and_resume(news: Path, db: Path, reference: Path | None, corpus: dict) -> dict:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    cmd = [_claims_script(), "ingest", str(news), "--db", str(db), "--quiet", "--workers", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    target = max(50, corpus["documents"] // 3)
    committed = 0
    while committed < target and proc.poll() is None:
        time.sleep(0.5)
        committed = _count(db)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    at_kill = _count(db)
    killed_run = _last_run(db)
    resumed = _ingest(news, db, ["--workers", "2"], corpus, fresh=False)
    return {"committed_at_kill": at_kill, "killed_run": killed_run, "resumed": resumed,
            "identical": reference is not None and _snapshot(db) == _snapshot(reference)}


def _copy_store(db: Path, to: Path) -> Path:
    """A copy of the store ``db`` at ``to`` (SQLite's backup: the WAL's pages included)."""
    to.unlink(missing_ok=True)
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as source, closing(sqlite3.connect(to)) as copy:
        source.backup(copy)
    return to


def _count(db: Path) -> int:
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
            return conn.execute("select count(*) from documents").fetchone()[0]
    except sqlite3.Error:
        return 0


def _last_run(db: Path) -> dict | None:
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
            conn.row_factory = sqlite3.Row
            row = conn.execute("select * from runs order by id desc limit 1").fetchone()
            return dict(row) if row else None
    except sqlite3.Error:
        return None


def _snapshot(db: Path) -> tuple:
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        return (conn.execute("select id, content_hash, lang, title, url, published from documents order by id").fetchall(),
                conn.execute(f"select {CLAIM_COLUMNS} from claims order by id").fetchall(),
                conn.execute("select document_id, url from document_urls order by 1, 2").fetchall())


# --- report ------------------------------------------------------------------------------------

def _ratios(r: dict) -> dict:
    """Throughput ratios; a worker count run in several rounds counts with its mean seconds."""
    out = {}
    rt = r.get("recognizers", {}).get("chars_per_s")
    rounds: dict[int, list[dict]] = {}
    for name, run in r.get("runs", {}).items():
        if name.startswith("workers="):
            rounds.setdefault(int(name.split("=")[1].split()[0]), []).append(run)

    def rate(n: int, key: str = "seconds") -> float | None:
        runs = rounds.get(n)
        if not runs or any(not run.get(key) for run in runs):
            return None
        return r["corpus"]["chars"] / (sum(run[key] for run in runs) / len(runs))

    one, two = rate(1), rate(2)
    one_idle, two_idle = rate(1, "projected_idle_wall_s"), rate(2, "projected_idle_wall_s")
    if rt:
        out["extractor_vs_recognizers_same_sample"] = r["extractor_in_process"]["chars_per_s"] / rt
        if one:
            out["end_to_end_1_worker_vs_recognizers"] = one / rt
        if two:
            out["end_to_end_2_workers_vs_recognizers"] = two / rt
        if one_idle:
            out["end_to_end_1_worker_vs_recognizers_projected_idle"] = one_idle / rt
    if one and two:
        out["2_workers_vs_1"] = two / one
        for i, (a, b) in enumerate(zip(rounds[1], rounds[2]), 1):
            out[f"2_workers_vs_1_round_{i}"] = a["seconds"] / b["seconds"]
        if one_idle and two_idle:
            out["2_workers_vs_1_projected_idle"] = two_idle / one_idle
    return out


def _line(name: str, run: dict) -> str:
    counts = run.get("run") or {}
    return (f"{name}: {run['seconds']:.1f} s, {run['chars_per_s']:,.0f} chars/s, {run['docs_per_s']:.1f} docs/s, "
            f"peak {run['peak_rss_mb']:.0f} MB; new {counts.get('new')}, changed {counts.get('changed')}, "
            f"unchanged {counts.get('skipped')}, duplicates {counts.get('duplicates')}, failed {counts.get('failed')}")


def table(r: dict) -> str:
    rows: list[tuple] = [("what", "docs", "chars", "seconds", "chars/s", "docs/s", "peak MB", "notes (CPU s; load)")]
    rt = r.get("recognizers")
    if rt and "chars_per_s" in rt:
        rows.append(("recognizers-text (sample, in-process)", rt["documents"], rt["chars"], rt["seconds"],
                     rt["chars_per_s"], rt["docs_per_s"], None, "number+currency+percentage"))
    ours = r["extractor_in_process"]
    rows.append(("our extractor (same sample, in-process)", ours["documents"], ours["chars"], ours["seconds"],
                 ours["chars_per_s"], ours["docs_per_s"], None, f"{ours['claims']} claims"))
    for name, run in r.get("runs", {}).items():
        if name == "kill_resume":
            run = run["resumed"]
            name = f"resume after kill -9 ({r['runs']['kill_resume']['committed_at_kill']} committed)"
        counts = run.get("run") or {}
        note = (f"new {counts.get('new')} / unchanged {counts.get('skipped')} / dup {counts.get('duplicates')}; "
                f"CPU {run.get('cpu_seconds', 0):.0f} s (driver {run.get('driver_cpu_seconds', 0):.0f}); "
                f"load {run['load'][0]:.1f}")
        rows.append((f"claims ingest {name}", r["corpus"]["documents"], r["corpus"]["chars"], run["seconds"],
                     run["chars_per_s"], run["docs_per_s"], run["peak_rss_mb"], note))
    lines = []
    for row in rows:
        cells = [row[0].ljust(44)] + [_fmt(v).rjust(11) for v in row[1:7]] + ["  " + str(row[7])]
        lines.append("".join(cells))
    for key, value in r.get("ratios", {}).items():
        lines.append(f"{key}: {value:.2f}×")
    kr = r.get("runs", {}).get("kill_resume")
    if kr:
        lines.append(f"kill -9 / resume identical to uninterrupted: {kr['identical']}")
    dk = r.get("runs", {}).get("dask_local")
    if dk:
        lines.append(f"dask local identical to local run: {dk.get('identical_to_first')}")
    return "\n".join(lines)


def _fmt(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:,.1f}" if v < 1000 else f"{v:,.0f}"
    return f"{v:,}" if isinstance(v, int) else str(v)


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "?"


if __name__ == "__main__":
    sys.exit(main())
