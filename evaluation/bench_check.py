"""How long ``claims check`` takes on a 5,000-character draft once the pipeline is loaded.

The store holds the shared corpus (the seed articles and the eval documents). The draft is made
from sentences of those articles (Chinese and English), so most figures find evidence. The
baseline, timed in the same run on the same draft, is extraction alone: the ratio says what the
look-up and the internal cross-check add.

    python -m evaluation.bench_check [--chars 5000] [--repeat 5] [--out evaluation/results/check_bench.json]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import statistics
import tempfile
import time
from pathlib import Path

from extract import EXTRACTOR_VERSION, extract_document
from extract.draftcheck import check_draft
from extract.readers import read_documents
from extract.store import open_store, save_document
from schemas import Document, DocumentMeta

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "corpus", ROOT.parent / "shared" / "eval" / "docs"]


def build_store(path: Path):
    db = open_store(path)
    for document in read_documents([p for p in SOURCES if p.exists()]):
        r = extract_document(document)
        save_document(db, document, r.claims, r.sentences, EXTRACTOR_VERSION, r.displays)
    return db


def make_draft(chars: int) -> str:
    """Sentences with figures from the Chinese seeds, in order, up to ``chars`` characters."""
    text = "".join(open(p, encoding="utf-8").read() for p in sorted((ROOT / "corpus").glob("00[01]*.txt")))
    sentences = [s for s in re.split(r"(?<=[。！？])", text) if re.search(r"\d", s)]
    out = ""
    for s in sentences:
        if len(out) + len(s) > chars:
            break
        out += s.strip() + ("\n" if len(out) % 3 == 0 else "")
    return out


def timed(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return times


def run(chars: int = 5000, repeat: int = 5) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        db = build_store(Path(tmp) / "bench.db")
        draft = make_draft(chars)
        date = dt.date(2026, 1, 26)
        doc = Document(id="draft", text=draft, meta=DocumentMeta(date=date, lang="zh-Hans"))
        check_draft(draft, db, date, lang="zh-Hans")  # warm: pipelines loaded, caches filled
        extract_times = timed(lambda: extract_document(doc), repeat)
        check_times = timed(lambda: check_draft(draft, db, date, lang="zh-Hans"), repeat)
        result = check_draft(draft, db, date, lang="zh-Hans")
        stored = db["claims"].count
    check_s, extract_s = statistics.median(check_times), statistics.median(extract_times)
    return {
        "draft_chars": len(draft), "figures": len(result.figures), "stored_claims": stored,
        "verdicts": result.counts(), "check_seconds": check_s, "extract_seconds": extract_s,
        "check_over_extract": check_s / extract_s, "chars_per_second": len(draft) / check_s,
        "under_one_second": check_s < 1.0, "repeat": repeat,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", default=str(ROOT / "evaluation" / "results" / "check_bench.json"))
    args = parser.parse_args()
    r = run(args.chars, args.repeat)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(r, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"draft {r['draft_chars']} chars, {r['figures']} figures against {r['stored_claims']} stored claims")
    print(f"{'':<22}{'median s':>10}")
    print(f"{'extract only':<22}{r['extract_seconds']:>10.3f}")
    print(f"{'check (extract+look-up)':<22}{r['check_seconds']:>10.3f}   ratio {r['check_over_extract']:.2f}×")
    print(f"verdicts: {r['verdicts']}; under one second: {r['under_one_second']}")


if __name__ == "__main__":
    main()
