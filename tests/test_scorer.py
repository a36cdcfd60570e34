"""The scorer, by example: tiny hand-made gold and predictions."""
import json
from pathlib import Path

import pytest

from evaluation.load import load_gold
from evaluation.scorer import FIELDS, format_report, score
from schemas import Claim, DocumentClaims

GOLD_DIR = Path("/work/shared/eval/gold")

WEEK = ("2026-01-19", "2026-01-25")


def claim(id="c01", start=10, end=18, value=-1.73e9, unit="USD", **kw) -> Claim:
    """A fund-flow claim by default; override any field."""
    fields = dict(text="x" * (end - start), subject="btc", metric="fund_flow", period=WEEK)
    fields.update(kw)
    return Claim(id=id, start=start, end=end, value=value, unit=unit, **fields)


def doc(*claims, name="d1") -> DocumentClaims:
    return DocumentClaims(doc=name, claims=list(claims))


def run(gold_claims, pred_claims):
    return score([doc(*gold_claims)], [doc(*pred_claims)])


def test_perfect_prediction_scores_one_at_both_levels():
    gold = [claim("c01"), claim("c02", 30, 33, 63, "%", metric="share")]
    r = run(gold, gold)
    assert (r.quantity.tp, r.quantity.fp, r.quantity.fn) == (2, 0, 0)
    assert r.quantity.f1 == r.claim.f1 == 1.0
    assert all(f.rate == 1.0 for f in r.fields.values())


def test_wrong_sign_matches_quantity_but_not_claim():
    r = run([claim(value=-1.73e9)], [claim(value=1.73e9)])
    assert r.quantity.tp == 1 and r.quantity.f1 == 1.0
    assert (r.claim.tp, r.claim.fp, r.claim.fn) == (0, 1, 1)
    assert r.fields["sign"].rate == 0.0
    assert r.errors.mismatches == [{"doc": "d1", "gold_id": "c01", "pred_id": "c01",
                                    "field": "sign", "gold": -1, "predicted": 1}]


def test_value_within_half_percent_matches_one_percent_does_not():
    assert run([claim(value=100.0)], [claim(value=100.4)]).claim.tp == 1
    assert run([claim(value=100.0)], [claim(value=99.6)]).claim.tp == 1
    r = run([claim(value=100.0)], [claim(value=101.0)])
    assert r.quantity.tp == 0 and (r.quantity.fp, r.quantity.fn) == (1, 1)


def test_zero_agrees_only_with_zero():
    assert run([claim(value=0.0)], [claim(value=0.0)]).claim.tp == 1
    assert run([claim(value=0.0)], [claim(value=0.001)]).quantity.tp == 0


def test_units_must_be_equal():
    assert run([claim(unit="USD")], [claim(unit="HKD")]).quantity.tp == 0


def test_non_overlapping_spans_do_not_match():
    r = run([claim(start=10, end=18)], [claim(start=18, end=26)])
    assert (r.quantity.tp, r.quantity.fp, r.quantity.fn) == (0, 1, 1)


def test_partial_overlap_is_enough():
    assert run([claim(start=10, end=18)], [claim(start=14, end=22)]).claim.tp == 1


def test_one_to_one_two_predictions_on_one_gold():
    gold = [claim("c01", 10, 18)]
    pred = [claim("p1", 10, 18), claim("p2", 12, 16)]
    r = run(gold, pred)
    assert (r.quantity.tp, r.quantity.fp, r.quantity.fn) == (1, 1, 0)
    assert [fp["id"] for fp in r.errors.false_positives] == ["p2"]  # larger overlap wins


def test_greedy_prefers_largest_overlap():
    gold = [claim("g1", 10, 20), claim("g2", 20, 30)]
    pred = [claim("p1", 17, 25)]  # overlaps g1 by 3, g2 by 5
    r = run(gold, pred)
    assert r.quantity.tp == 1 and [fn["id"] for fn in r.errors.false_negatives] == ["g1"]


def test_greedy_breaks_overlap_ties_by_nearest_start():
    gold = [claim("g1", 0, 20), claim("g2", 10, 14)]
    pred = [claim("p1", 10, 14)]  # overlaps both by 4; g2 starts at the same place
    r = run(gold, pred)
    assert r.quantity.tp == 1 and [fn["id"] for fn in r.errors.false_negatives] == ["g1"]


def test_optional_gold_matched_is_neither_tp_nor_fp():
    gold = [claim("c01", optional=True), claim("c02", 30, 33, 63, "%", metric="share")]
    pred = [claim("p1"), claim("p2", 30, 33, 63, "%", metric="share")]
    r = run(gold, pred)
    for level in (r.quantity, r.claim):
        assert (level.tp, level.fp, level.fn) == (1, 0, 0)
    assert r.fields["sign"].total == 1  # the optional pair is not judged field by field


def test_optional_gold_unmatched_is_not_fn():
    r = run([claim("c01", optional=True)], [])
    assert (r.quantity.tp, r.quantity.fp, r.quantity.fn) == (0, 0, 0)
    assert r.errors.false_negatives == []


def test_period_within_three_days_ok_four_days_not():
    ok = claim(period=("2026-01-22", "2026-01-28"))
    off = claim(period=("2026-01-23", "2026-01-25"))
    assert run([claim()], [ok]).claim.tp == 1
    r = run([claim()], [off])
    assert r.quantity.tp == 1 and r.claim.tp == 0
    assert r.fields["period"].rate == 0.0


def test_period_null_only_matches_null():
    assert run([claim(period=None)], [claim(period=None)]).claim.tp == 1
    assert run([claim(period=None)], [claim()]).claim.tp == 0


def test_subject_and_metric_are_strict_at_claim_level():
    r = run([claim()], [claim(subject="eth", metric="aum")])
    assert r.quantity.tp == 1 and r.claim.tp == 0
    assert r.fields["subject"].rate == r.fields["metric"].rate == 0.0


def test_missing_document_counts_all_gold_as_fn():
    gold = doc(claim("c01"), claim("c02", 30, 33, 63, "%"), claim("c03", 40, 45, optional=True))
    r = score([gold], [])
    assert (r.quantity.tp, r.quantity.fp, r.quantity.fn) == (0, 0, 2)
    assert r.claim.fn == 2 and r.claim.f1 == 0.0
    assert r.per_document["d1"].quantity.recall == 0.0


def test_predicted_document_not_in_gold_is_unscored():
    r = score([doc(claim())], [doc(claim()), doc(claim(), name="extra")])
    assert r.quantity.fp == 0 and r.unscored == ["extra"]


def test_bare_number_matches_gold_points_but_not_usd():
    pts = dict(value=4500.5, subject="sp500", metric="index_level")
    assert run([claim(unit="points", **pts)], [claim(unit=None, **pts)]).claim.tp == 1
    assert run([claim(unit="USD")], [claim(unit=None)]).quantity.tp == 0


def test_ranges_compare_absolute_endpoints_at_quantity_level():
    gold = claim(value=-15, low=-20, high=-10, unit="%", metric="price_change")
    unsigned = claim(value=15, low=10, high=20, unit="%", metric="price_change")
    r = run([gold], [unsigned])
    assert r.quantity.tp == 1 and r.claim.tp == 0
    no_range = claim(value=-15, unit="%", metric="price_change")
    assert run([gold], [no_range]).quantity.tp == 0


def test_field_accuracy_counts_source_approx_region():
    gold = claim(source="coinshares", approx="over", region="US")
    r = run([gold], [claim()])
    assert r.claim.tp == 1  # these fields do not decide a claim match
    for name in ("source", "approx", "region"):
        assert (r.fields[name].correct, r.fields[name].total) == (0, 1)
    assert r.fields["subject"].rate == 1.0


def test_micro_average_sums_over_documents():
    g = [doc(claim(), name="a"), doc(claim(), claim("c02", 30, 33), name="b")]
    p = [doc(claim(), name="a"), doc(name="b")]
    r = score(g, p)
    assert (r.quantity.tp, r.quantity.fp, r.quantity.fn) == (1, 0, 2)
    assert r.per_document["a"].quantity.f1 == 1.0 and r.per_document["b"].quantity.f1 == 0.0


def test_report_is_json_ready_and_formats():
    r = run([claim(), claim("c02", 30, 33)], [claim(value=1.73e9), claim("p9", 50, 55)])
    json.dumps(r.to_dict())
    assert r.to_dict()["checks"] is None
    text = format_report(r, verbose=True)
    assert "quantity" in text and "false positives" in text and "field mismatches" in text
    assert all(len(line) <= 100 for line in text.splitlines())


# ---------------------------------------------------------------- loading

def test_real_gold_loads_and_scores_perfectly_against_itself():
    gold = load_gold(GOLD_DIR)
    assert len(gold) == 7
    assert [d.doc for d in gold] == sorted(d.doc for d in gold)
    r = score(gold, gold)
    assert r.quantity.f1 == 1.0 and r.claim.f1 == 1.0
    assert set(r.fields) == set(FIELDS)
    assert all(f.total > 0 and f.rate == 1.0 for f in r.fields.values())
    assert r.errors.false_positives == r.errors.false_negatives == r.errors.mismatches == []
    assert all(len(line) <= 100 for line in format_report(r, verbose=True).splitlines())


def test_load_reads_jsonl_and_sorts(tmp_path):
    lines = [doc(claim(), name="b").model_dump_json(), "", doc(name="a").model_dump_json()]
    (tmp_path / "pred.jsonl").write_text("\n".join(lines), encoding="utf-8")
    (tmp_path / "notes.txt").write_text("ignored", encoding="utf-8")
    assert [d.doc for d in load_gold(tmp_path)] == ["a", "b"]


@pytest.mark.parametrize("content, problem", [
    ("{not json", "invalid JSON"),
    ("[1, 2]", "expected one JSON object"),
    ('{"doc": "x", "claims": [{"id": "c01"}]}', "claims.0"),
])
def test_bad_file_raises_one_line_value_error(tmp_path, content, problem):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError) as e:
        load_gold(tmp_path)
    msg = str(e.value)
    assert msg.startswith(f"{path}: ") and problem in msg and "\n" not in msg


def test_duplicate_doc_ids_are_rejected(tmp_path):
    for name in ("one.json", "two.json"):
        (tmp_path / name).write_text(doc(name="same").model_dump_json(), encoding="utf-8")
    with pytest.raises(ValueError, match="duplicate doc id"):
        load_gold(tmp_path)


def test_optional_gold_never_makes_a_claim_level_false_positive():
    from schemas import Claim, DocumentClaims
    from evaluation.scorer import score

    gold = DocumentClaims(doc="d", claims=[Claim(id="g1", start=0, end=3, text="10%", value=10, unit="%",
                                                 subject="btc", metric="share", optional=True)])
    pred = DocumentClaims(doc="d", claims=[Claim(id="c1", start=0, end=3, text="10%", value=10, unit="%",
                                                 subject="eth", metric="other")])
    report = score([gold], [pred])
    assert (report.claim.tp, report.claim.fp, report.claim.fn) == (0, 0, 0)
