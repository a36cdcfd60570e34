"""Batch-ingest benchmark: ``python -m evaluation.bench`` (``make bench``).

On a synthetic corpus (:mod:`evaluation.synthetic`, ≥ 10,000 articles recombined from the
sentences of corpus/ and shared/eval/docs, every figure's digits redrawn) it measures, in one run:

1. Microsoft Recognizers-Text (recognizers-text-suite: number + currency + percentage models,
   built once, whole document per call, Chinese or English culture by the document's language)
   and our extractor, in this process, on the same sample of the documents (``--sample``),
   taking turns document by document: chars/s of each and the ratio; Recognizers-Text is timed
   again after the end-to-end runs, and those are compared with the mean of its two rates;
2. ``claims ingest`` end to end (read → extract → store, a fresh store, process start included)
   with 1 and with 2 workers, ``--repeat`` rounds taken in turn: chars/s, docs/s, peak memory
   (the process tree's summed RSS), CPU seconds;
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
    theirs, results["extractor_in_process"] = _side_by_side(sample, "recognizers" not in skip)
    if theirs is not None:
        results["recognizers"] = theirs
        if "chars_per_s" in theirs:
            print(f"recognizers-text: {theirs['chars_per_s']:,.0f} chars/s on {len(sample)} documents", flush=True)
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

    if "chars_per_s" in results.get("recognizers", {}):
        results["recognizers_after"] = _recognizers(sample[::3])
        print(f"recognizers-text again, after the runs: {results['recognizers_after']['chars_per_s']:,.0f} chars/s "
              f"on {len(sample[::3])} documents", flush=True)

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

def _recognizer_models():
    """Recognizers-Text's number, currency and percentage models per culture, built and warmed
    once (their first calls compile regexes); an error message when the suite is missing."""
    try:
        from recognizers_number import Culture, NumberRecognizer
        from recognizers_number_with_unit import NumberWithUnitRecognizer
    except ImportError as e:
        return f"recognizers-text-suite not installed ({e}); pip install -e '.[bench]'"
    models = {}
    for lang, culture, warm in (("zh", Culture.Chinese, "1.5 亿美元 3%"), ("en", Culture.English, "$1.5 billion 3%")):
        models[lang] = (NumberRecognizer(culture).get_number_model(),
                        NumberWithUnitRecognizer(culture).get_currency_model(),
                        NumberRecognizer(culture).get_percentage_model())
        for m in models[lang]:
            m.parse(warm)
    return models


class _Tally:
    """Seconds and characters, in all and by language, of one side of a comparison."""

    def __init__(self):
        self.seconds = 0.0
        self.chars = self.documents = self.found = 0
        self.by_lang: dict[str, list[float]] = {}

    def add(self, lang: str, chars: int, seconds: float, found: int) -> None:
        self.seconds += seconds
        self.chars += chars
        self.documents += 1
        self.found += found
        entry = self.by_lang.setdefault(lang, [0.0, 0])
        entry[0] += seconds
        entry[1] += chars

    def summary(self, **extra) -> dict:
        return {"documents": self.documents, "chars": self.chars, "seconds": self.seconds,
                "chars_per_s": self.chars / self.seconds, "docs_per_s": self.documents / self.seconds,
                **extra, "by_lang_chars_per_s": {k: v[1] / v[0] for k, v in self.by_lang.items()}}


def _side_by_side(sample, with_recognizers: bool = True) -> tuple[dict | None, dict]:
    """Recognizers-Text (whole document per call) and our extractor (``extract_document``: no
    reading, no store) on the same documents, taking turns document by document, who goes first
    alternating: this machine's speed drifts by ±15 % within minutes, and so it drifts for both.
    Without ``with_recognizers`` only ours is timed (and None stands for theirs)."""
    from extract.batchwork import warm_up
    from extract.extractor import extract_document

    models = _recognizer_models() if with_recognizers else None
    warm_up()
    theirs, ours = _Tally(), _Tally()
    for i, (doc, lang) in enumerate(sample):
        turns = [("ours", ours), ("theirs", theirs)] if isinstance(models, dict) else [("ours", ours)]
        for side, tally in (turns if i % 2 else turns[::-1]):
            t = time.perf_counter()
            if side == "ours":
                found = len(extract_document(doc).claims)
            else:
                found = sum(len(m.parse(doc.text)) for m in models[lang[:2]])
            tally.add(lang, len(doc.text), time.perf_counter() - t, found)
    mine = ours.summary(claims=ours.found)
    if not isinstance(models, dict):
        return (models and {"error": models}), mine
    return theirs.summary(package="recognizers-text-suite " + _version("recognizers-text-suite"),
                          results=theirs.found), mine


def _recognizers(sample) -> dict:
    """Recognizers-Text alone on ``sample`` (measured again after the end-to-end runs)."""
    models = _recognizer_models()
    if not isinstance(models, dict):
        return {"error": models}
    tally = _Tally()
    for doc, lang in sample:
        t = time.perf_counter()
        found = sum(len(m.parse(doc.text)) for m in models[lang[:2]])
        tally.add(lang, len(doc.text), time.perf_counter() - t, found)
    return tally.summary(results=tally.found)


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
    side = r.get("recognizers", {}).get("chars_per_s")  # measured turn about with ours
    rates = [x["chars_per_s"] for x in (r.get("recognizers", {}), r.get("recognizers_after", {})) if "chars_per_s" in x]
    rt = sum(rates) / len(rates) if rates else None  # before and after the runs, for the end-to-end ratios
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
    if side:
        out["extractor_vs_recognizers_same_sample"] = r["extractor_in_process"]["chars_per_s"] / side
    if len(rates) == 2:
        out["recognizers_after_vs_before"] = rates[1] / rates[0]
    if rt:
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
                     rt["chars_per_s"], rt["docs_per_s"], None, "number+currency+percentage, turn about with ours"))
    after = r.get("recognizers_after")
    if after and "chars_per_s" in after:
        rows.append(("recognizers-text again, after the runs", after["documents"], after["chars"], after["seconds"],
                     after["chars_per_s"], after["docs_per_s"], None, "every 3rd document of the sample"))
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
