"""Recognizers-Text's own Chinese and English number, percent and currency cases, run against
our grammar: ``run_file(path)`` → pass counts and the failing cases.

What is in scope, and why the rest is left out:

- cases the Recognizers Python port itself skips (``skip: python``);
- currency results with no amount (a bare ``美元``), which are not quantities for us;
- currencies without an ISO 4217 code in our tables (Finnish markka, 日本銭, "Dollar" of an
  unknown country is kept as USD);
- sub-units of money (角, 毛, 分, cents), which market commentary does not use;
- number cases whose figure is a bare Chinese or English numeral with no unit: our claims need
  a unit or scale word, so those are scored at the grammar level (before exclusion rules).

A case passes when every in-scope expected result overlaps one of our figures of the same type
with an equal value (relative 1e-6), and we report no extra figure of that type.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from extract.grammar import match_candidates
from extract.normalize import normalize
from extract.quantities import find_quantities

ISO_CODES = {"USD", "CNY", "EUR", "JPY", "HKD", "TWD", "GBP", "CHF", "KRW", "INR", "AUD", "CAD", "SGD", "BRL", "RUB", "NGN"}
SUB_UNITS = ("角", "毛", "分", "cent", "penny", "pence", "美分", "銭")


@dataclass
class FileResult:
    name: str
    passed: int = 0
    total: int = 0
    excluded: dict[str, int] = field(default_factory=dict)
    failures: list[dict] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.passed / self.total if self.total else 0.0


def load_cases(path: Path) -> list[dict]:
    return [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]


def exclusion(case: dict, model: str) -> str | None:
    """Why a case is out of scope, or None."""
    if case.get("skip") == "python":
        return "skipped by the Recognizers Python port"
    for exp in case["expected"]:
        if exp.get("value_float") is None:
            return "result without an amount"
        if model == "currency":
            if exp.get("iso_currency") not in ISO_CODES and exp.get("unit") not in ("Dollar", "Bitcoin"):
                return "currency without an ISO code in our tables"
            if any(s in exp["text"] for s in SUB_UNITS):
                return "money sub-units (角/分/cents)"
    return None


def predicted(text: str, lang: str, model: str) -> list[tuple[int, int, float]]:
    """Our figures of the model's type as (start, end, value)."""
    if model == "number":
        norm = normalize(text, simplify=lang == "zh")
        out = []
        for c in match_candidates(norm):
            value = float(-c.value if c.sign < 0 else c.value)
            out.append((c.start, c.end, value))
        return out
    kinds = {"percent": ("percent",), "currency": ("money", "crypto")}[model]
    return [(q.start, q.end, q.value) for q in find_quantities(text, "zh-Hans" if lang == "zh" else "en")
            if q.kind in kinds]


def passes(case: dict, preds: list[tuple[int, int, float]]) -> bool:
    expected = case["expected"]
    used: set[int] = set()
    for exp in expected:
        want = exp["value_float"]
        hit = None
        for i, (s, e, v) in enumerate(preds):
            if i in used or not (s < exp["end"] and exp["start"] < e):
                continue
            if abs(v - want) <= 1e-6 * max(1.0, abs(want)):
                hit = i
                break
        if hit is None:
            return False
        used.add(hit)
    return len(used) == len(preds)


def run_file(path: Path) -> FileResult:
    lang, model = path.stem.split("_", 1)
    result = FileResult(path.stem)
    for case in load_cases(path):
        why = exclusion(case, model)
        if why:
            result.excluded[why] = result.excluded.get(why, 0) + 1
            continue
        result.total += 1
        preds = predicted(case["input"], lang, model)
        if passes(case, preds):
            result.passed += 1
        else:
            result.failures.append({"id": case["id"], "input": case["input"],
                                    "expected": [(e["text"], e["value_float"]) for e in case["expected"]],
                                    "got": [(case["input"][s:e], v) for s, e, v in preds]})
    return result


def run_all(folder: Path) -> list[FileResult]:
    return [run_file(p) for p in sorted(Path(folder).glob("*.jsonl"))]


def format_results(results: list[FileResult]) -> str:
    lines = [f"{'file':<14}{'passed':>8}{'in scope':>10}{'rate':>8}  excluded"]
    for r in results:
        excl = ", ".join(f"{n} {k}" for k, n in sorted(r.excluded.items()))
        lines.append(f"{r.name:<14}{r.passed:>8}{r.total:>10}{r.rate:>8.1%}  {excl}")
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    res = run_all(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/peer/recognizers"))
    print(format_results(res))
    if "-v" in sys.argv:
        for r in res:
            for f in r.failures:
                print(r.name, f)
