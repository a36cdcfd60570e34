"""Score predicted claims against gold claims (``shared/eval/GUIDE.md``), per document and overall.

Matching rules
--------------
* Documents are paired by ``doc`` id. A gold document with no prediction counts all its
  non-optional gold claims as FN. Predicted documents absent from gold are not scored
  (listed in ``EvalReport.unscored``).
* Candidates: a predicted and a gold claim whose spans ``[start, end)`` overlap by at least
  one character AND that pass the level's test. Candidates are paired greedily, largest
  overlap first (ties: smallest ``|start - start|``, then gold order, then predicted order);
  each claim is used at most once. Each level is matched on its own.
* Numbers agree when ``|p - g| <= 0.5 % * |g|`` (both 0 agree).
* Quantity level: units equal (a predicted unit ``None`` also matches gold ``points``, ``x``,
  ``count``), ``|value|`` agree, and when gold has ``low``/``high`` the predicted claim has them
  too and the sorted absolute endpoints agree. Signs are not judged here.
* Claim level (strict): quantity match AND signed ``value`` agree (and signed ``low``/``high``
  when gold has them) AND ``subject`` equal AND ``metric`` equal AND periods compatible.
* Periods are compatible when both are null, or both are given and start and end each lie
  within 3 days of the gold's.
* Optional gold (``"optional": true``) takes part in matching; a prediction matched to it is
  neither TP nor FP, and an unmatched optional gold claim is not a FN. A prediction matched to
  an optional gold claim at quantity level is not a claim-level FP either, whatever its fields.
* P = TP/(TP+FP), R = TP/(TP+FN) (0 when the denominator is 0), F1 = 0 when P+R = 0.
  Overall scores are micro: TP/FP/FN summed over documents.
* Field accuracy over pairs matched at quantity level (optional gold excluded): ``sign`` (sign
  of value, 0 its own sign), ``subject``/``metric``/``source``/``approx``/``region`` equal
  (missing on both sides is equal; missing ``approx`` is ``exact``), ``period`` compatible.
* Check-level scoring (cross-check findings against gold ``checks``) lives in
  :mod:`evaluation.checks`; ``EvalReport.checks`` holds its result when the gold has checks.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable

from schemas import Claim, DocumentClaims

REL_TOL = 0.005
PERIOD_TOL_DAYS = 3
BARE_UNITS = frozenset({"points", "x", "count"})
FIELDS = ("sign", "subject", "metric", "period", "source", "approx", "region")

Test = Callable[[Claim, Claim], bool]


# ---------------------------------------------------------------- pair tests (pred, gold)

def agree(pred: float, gold: float) -> bool:
    """``pred`` is within 0.5 % of ``gold`` (relative to gold); 0 agrees only with 0."""
    if gold == 0:
        return pred == 0
    return abs(pred - gold) <= REL_TOL * abs(gold) * (1 + 1e-9)


def unit_matches(pred: str | None, gold: str | None) -> bool:
    """Units equal, or a bare predicted number (None) against gold points / x / count."""
    return pred == gold or (pred is None and gold in BARE_UNITS)


def _range_agrees(pred: Claim, gold: Claim, signed: bool) -> bool:
    """True when gold is no range; else pred has low/high agreeing with gold's."""
    if gold.low is None and gold.high is None:
        return True
    if pred.low is None or pred.high is None or gold.low is None or gold.high is None:
        return False
    if signed:
        return agree(pred.low, gold.low) and agree(pred.high, gold.high)
    p = sorted((abs(pred.low), abs(pred.high)))
    g = sorted((abs(gold.low), abs(gold.high)))
    return agree(p[0], g[0]) and agree(p[1], g[1])


def quantity_match(pred: Claim, gold: Claim) -> bool:
    """Same unit and same magnitude (sign not judged); ranges' endpoints too."""
    return (unit_matches(pred.unit, gold.unit) and agree(abs(pred.value), abs(gold.value))
            and _range_agrees(pred, gold, signed=False))


def period_compatible(pred: Claim, gold: Claim) -> bool:
    """Both null, or both given with start and end each within 3 days of gold's."""
    if pred.period is None or gold.period is None:
        return pred.period is None and gold.period is None
    tol = dt.timedelta(days=PERIOD_TOL_DAYS)
    return all(abs(p - g) <= tol for p, g in zip(pred.period, gold.period))


def claim_match(pred: Claim, gold: Claim) -> bool:
    """Quantity match plus signed value, subject, metric and period."""
    return (quantity_match(pred, gold) and agree(pred.value, gold.value)
            and _range_agrees(pred, gold, signed=True) and pred.subject == gold.subject
            and pred.metric == gold.metric and period_compatible(pred, gold))


def sign(x: float) -> int:
    return (x > 0) - (x < 0)


FIELD_TESTS: dict[str, Test] = {
    "sign": lambda p, g: sign(p.value) == sign(g.value),
    "subject": lambda p, g: p.subject == g.subject,
    "metric": lambda p, g: p.metric == g.metric,
    "period": period_compatible,
    "source": lambda p, g: p.source == g.source,
    "approx": lambda p, g: p.approx == g.approx,
    "region": lambda p, g: p.region == g.region,
}


# ---------------------------------------------------------------- matching

def overlap(a: Claim, b: Claim) -> int:
    """Number of characters shared by two half-open spans."""
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def match(gold: list[Claim], pred: list[Claim], test: Test) -> list[tuple[int, int]]:
    """Greedy one-to-one pairs ``(gold index, pred index)`` among overlapping pairs passing ``test``."""
    cands = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            ov = overlap(p, g)
            if ov > 0 and test(p, g):
                cands.append((-ov, abs(p.start - g.start), gi, pi))
    cands.sort()
    used_g, used_p, pairs = set(), set(), []
    for _, _, gi, pi in cands:
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            pairs.append((gi, pi))
    return sorted(pairs)


# ---------------------------------------------------------------- report types

@dataclass
class Counts:
    """TP/FP/FN at one level, with precision, recall and F1 derived."""
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Counts) -> None:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn

    def to_dict(self) -> dict:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": self.precision,
                "recall": self.recall, "f1": self.f1}


@dataclass
class DocScore:
    """The two levels for one document."""
    quantity: Counts = field(default_factory=Counts)
    claim: Counts = field(default_factory=Counts)

    def to_dict(self) -> dict:
        return {"quantity": self.quantity.to_dict(), "claim": self.claim.to_dict()}


@dataclass
class FieldScore:
    """Correct / total for one field over quantity-matched pairs; rate None when total is 0."""
    correct: int = 0
    total: int = 0

    @property
    def rate(self) -> float | None:
        return self.correct / self.total if self.total else None

    def to_dict(self) -> dict:
        return {"correct": self.correct, "total": self.total, "rate": self.rate}


@dataclass
class Errors:
    """Quantity-level FP and FN claims, and field mismatches on matched pairs (JSON-ready dicts)."""
    false_positives: list[dict] = field(default_factory=list)
    false_negatives: list[dict] = field(default_factory=list)
    mismatches: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"false_positives": self.false_positives, "false_negatives": self.false_negatives,
                "mismatches": self.mismatches}


@dataclass
class EvalReport:
    """Overall (micro) and per-document scores, field accuracy and error lists."""
    quantity: Counts = field(default_factory=Counts)
    claim: Counts = field(default_factory=Counts)
    per_document: dict[str, DocScore] = field(default_factory=dict)
    fields: dict[str, FieldScore] = field(default_factory=lambda: {f: FieldScore() for f in FIELDS})
    errors: Errors = field(default_factory=Errors)
    unscored: list[str] = field(default_factory=list)
    checks: dict | None = None  # check recall and false alarms (evaluation.checks)

    def to_dict(self) -> dict:
        return {
            "quantity": self.quantity.to_dict(), "claim": self.claim.to_dict(),
            "per_document": {k: v.to_dict() for k, v in self.per_document.items()},
            "fields": {k: v.to_dict() for k, v in self.fields.items()},
            "errors": self.errors.to_dict(), "unscored": self.unscored, "checks": self.checks,
        }


# ---------------------------------------------------------------- scoring

def _count(gold: list[Claim], pred: list[Claim], pairs: list[tuple[int, int]]) -> Counts:
    """TP/FP/FN from pairs; pairs with optional gold dropped, unmatched optional gold not FN."""
    tp = sum(1 for gi, _ in pairs if not gold[gi].optional)
    dropped = len(pairs) - tp
    fn = sum(1 for g in gold if not g.optional) - tp
    return Counts(tp=tp, fp=len(pred) - tp - dropped, fn=fn)


def _claim_row(doc: str, c: Claim) -> dict:
    return {"doc": doc, "id": c.id, "text": c.text, "start": c.start, "end": c.end,
            "value": c.value, "unit": c.unit}


def _field_value(c: Claim, name: str):
    """A field's value as shown in a mismatch row (JSON-ready)."""
    if name == "sign":
        return sign(c.value)
    if name == "period":
        return None if c.period is None else [d.isoformat() for d in c.period]
    return getattr(c, name)


def score_document(gold: DocumentClaims, pred: DocumentClaims | None, report: EvalReport) -> DocScore:
    """Score one document and add its counts, fields and errors into ``report``."""
    g_claims, p_claims = gold.claims, (pred.claims if pred else [])
    q_pairs = match(g_claims, p_claims, quantity_match)
    c_pairs = match(g_claims, p_claims, claim_match)
    claim_counts = _count(g_claims, p_claims, c_pairs)
    # a prediction that an optional gold claim absorbed at quantity level is never a claim-level FP
    absorbed = {pi for gi, pi in q_pairs if g_claims[gi].optional} - {pi for _, pi in c_pairs}
    claim_counts.fp -= len(absorbed)
    ds = DocScore(_count(g_claims, p_claims, q_pairs), claim_counts)
    report.per_document[gold.doc] = ds
    report.quantity.add(ds.quantity)
    report.claim.add(ds.claim)

    matched_g = {gi for gi, _ in q_pairs}
    matched_p = {pi for _, pi in q_pairs}
    report.errors.false_negatives += [_claim_row(gold.doc, g) for gi, g in enumerate(g_claims)
                                      if gi not in matched_g and not g.optional]
    report.errors.false_positives += [_claim_row(gold.doc, p) for pi, p in enumerate(p_claims)
                                      if pi not in matched_p]
    for gi, pi in q_pairs:
        g, p = g_claims[gi], p_claims[pi]
        if g.optional:
            continue
        for name in FIELDS:
            ok = FIELD_TESTS[name](p, g)
            report.fields[name].total += 1
            report.fields[name].correct += ok
            if not ok:
                report.errors.mismatches.append({
                    "doc": gold.doc, "gold_id": g.id, "pred_id": p.id, "field": name,
                    "gold": _field_value(g, name), "predicted": _field_value(p, name)})
    return ds


def _by_doc(docs: list[DocumentClaims], what: str) -> dict[str, DocumentClaims]:
    out: dict[str, DocumentClaims] = {}
    for d in docs:
        if d.doc in out:
            raise ValueError(f"{what}: duplicate doc id {d.doc!r}")
        out[d.doc] = d
    return out


def score(gold: list[DocumentClaims], predicted: list[DocumentClaims]) -> EvalReport:
    """Score predictions against gold, per document (by ``doc`` id) and overall (micro)."""
    gold_by, pred_by = _by_doc(gold, "gold"), _by_doc(predicted, "predicted")
    report = EvalReport(unscored=sorted(set(pred_by) - set(gold_by)))
    for doc in sorted(gold_by):
        score_document(gold_by[doc], pred_by.get(doc), report)
    return report


# ---------------------------------------------------------------- text output

def _short(text: str, n: int = 28) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def format_report(report: EvalReport, verbose: bool = False) -> str:
    """Plain-text tables: overall P/R/F1, one line per document, field accuracy (+ errors if verbose)."""
    lines = [f"{'level':<10}{'tp':>6}{'fp':>6}{'fn':>6}{'P':>8}{'R':>8}{'F1':>8}"]
    for name, c in (("quantity", report.quantity), ("claim", report.claim)):
        lines.append(f"{name:<10}{c.tp:>6}{c.fp:>6}{c.fn:>6}"
                     f"{c.precision:>8.3f}{c.recall:>8.3f}{c.f1:>8.3f}")
    lines += ["", f"{'document':<36}{'qP':>7}{'qR':>7}{'qF1':>7}{'cP':>7}{'cR':>7}{'cF1':>7}"]
    for doc, ds in report.per_document.items():
        q, c = ds.quantity, ds.claim
        lines.append(f"{_short(doc, 35):<36}{q.precision:>7.3f}{q.recall:>7.3f}{q.f1:>7.3f}"
                     f"{c.precision:>7.3f}{c.recall:>7.3f}{c.f1:>7.3f}")
    if report.unscored:
        lines.append(f"not in gold (unscored): {', '.join(report.unscored)}")
    lines += ["", f"{'field':<10}{'correct':>9}{'total':>7}{'rate':>8}"]
    for name, f in report.fields.items():
        rate = "-" if f.rate is None else f"{f.rate:.3f}"
        lines.append(f"{name:<10}{f.correct:>9}{f.total:>7}{rate:>8}")
    if report.checks:
        c = report.checks
        lines += ["", f"checks    inconsistent found {c['found']}/{c['inconsistent']} (recall {c['recall']:.3f}); "
                      f"consistent flagged as error/warning {c['false_alarms']}/{c['consistent']}"]
        if verbose:
            lines += [f"  missed  {m['doc'][:24]:<25}{m['kind']:<22}{' '.join(m['claims'])[:60]}" for m in c["missed"]]
            lines += [f"  alarm   {a['doc'][:24]:<25}{a['kind']:<22}{' '.join(a['findings'])}" for a in c["alarms"]]
    if verbose:
        lines += _format_errors(report.errors)
    return "\n".join(lines)


def _format_errors(errors: Errors) -> list[str]:
    """Verbose part of the report: FP, FN and field mismatches, one per line."""
    out = []
    for title, rows in (("false positives", errors.false_positives),
                        ("false negatives", errors.false_negatives)):
        out += ["", f"{title} (quantity level): {len(rows)}"]
        out += [f"  {_short(r['doc'], 24):<25}{r['id']:<6}[{r['start']},{r['end']}) "
                f"{_short(r['text'], 24)!r} {r['value']:g} {r['unit'] or '-'}" for r in rows]
    out += ["", f"field mismatches: {len(errors.mismatches)}"]
    out += [f"  {_short(m['doc'], 24):<25}{m['gold_id']:<6}{m['field']:<8}"
            f"gold={_short(str(m['gold']), 24)} pred={_short(str(m['predicted']), 24)}"
            for m in errors.mismatches]
    return out
