"""What keeps the cross-check near-linear: look-ups bounded by distinct figures, nearest prices by
bisection, and results that do not depend on the process's hash seed."""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

from extract.crosscheck.facts import Fact, interval_of
from extract.crosscheck.ratios import _nearest_price
from extract.crosscheck.relations import FactIndex, siblings

ROOT = Path(__file__).resolve().parents[1]
WEEK = (dt.date(2026, 3, 2), dt.date(2026, 3, 8))
MONTH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def fact(doc, subject, value, period=WEEK, region=None, metric="fund_flow", unit="USD", n=1):
    text = f"${abs(value) / 1e6:g}M"
    return Fact(id=f"{doc}#c{n:02d}", doc=doc, start=10 * n, end=10 * n + len(text), text=text, sentence=text,
                value=value, low=None, high=None, unit=unit, approx="exact", subject=subject, metric=metric,
                region=region, period=period, source=None, interval=interval_of(value, "exact", text=text))


def test_a_figure_repeated_by_many_documents_is_looked_up_once():
    repeated = [fact(f"d{i:04d}", "eth", -120e6) for i in range(1000)]
    other = [fact("x", "eth", -130e6), fact("y", "eth", 50e6, period=MONTH)]
    index = FactIndex(repeated + other)
    found = index.overlapping(("eth", "fund_flow", "USD"), WEEK)
    assert [(f.doc, f.value) for f in found] == [("y", 50e6), ("d0000", -120e6), ("x", -130e6)]  # by period start


def test_siblings_are_the_other_parts_of_the_whole_one_per_figure():
    total = fact("t", "digital-asset-products", 100e6, n=1)
    btc = fact("t", "btc", 300e6, n=2)
    eth = [fact(f"e{i}", "eth", -120e6) for i in range(50)]
    sol = fact("s", "sol", -90e6)
    index = FactIndex([total, btc, *eth, sol])
    assert sorted((f.subject, f.value) for f in siblings(btc, total, index)) == [("eth", -120e6), ("sol", -90e6)]


def test_the_nearest_price_is_found_by_bisection():
    days = [dt.date(2026, 3, d) for d in (1, 5, 5, 9)]
    prices = [fact(f"p{i}", "btc", 60_000 + i, period=(d, d), metric="price") for i, d in enumerate(days)]
    ends = [d for d in days]
    assert _nearest_price(prices, ends, dt.date(2026, 3, 6)).doc == "p1"     # first price of the nearest day
    assert _nearest_price(prices, ends, dt.date(2026, 3, 7)).doc == "p1"     # a tie goes to the earlier day
    assert _nearest_price(prices, ends, dt.date(2026, 3, 8)).doc == "p3"
    assert _nearest_price(prices, ends, None).doc == "p0"                   # undated: the first one
    assert _nearest_price(prices, ends, dt.date(2026, 5, 1)) is None        # outside the 14-day window
    assert _nearest_price([], [], dt.date(2026, 3, 6)) is None


SCRIPT = """
import json
from evaluation.crosscheck_synthetic import synthetic_facts
from extract.crosscheck import crosscheck_facts
facts, texts = synthetic_facts(4000, seed=3)
print(json.dumps([f.model_dump() for f in crosscheck_facts(facts, texts)], sort_keys=True, default=str))
"""


def test_findings_do_not_depend_on_the_hash_seed():
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
                              check=True)
        outputs.append(done.stdout)
    assert json.loads(outputs[0]) and outputs[0] == outputs[1]
