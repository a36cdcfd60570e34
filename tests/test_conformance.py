"""Recognizers-Text's own cases as a conformance suite for our number grammar.

Floors are the measured pass rates rounded down, so a regression fails the build. Number files
are scored at the grammar level (our claims need a unit, so bare numerals are left out of
claims by design); see evaluation/conformance.py for what is out of scope and why.
"""
from __future__ import annotations

import pytest

from evaluation.conformance import run_file

FLOORS = {
    "zh_currency": 0.90,
    "en_currency": 0.90,
    "zh_percent": 0.85,
    "en_percent": 0.95,
    "zh_number": 0.55,
    "en_number": 0.25,
}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_pass_rate_floor(shared, name):
    result = run_file(shared / "peer" / "recognizers" / f"{name}.jsonl")
    assert result.total > 0
    assert result.rate >= FLOORS[name], (result.rate, result.failures[:5])


def test_currency_and_percent_meet_the_bar(shared):
    for name in ("zh_currency", "en_currency", "zh_percent", "en_percent"):
        assert run_file(shared / "peer" / "recognizers" / f"{name}.jsonl").rate >= 0.80
