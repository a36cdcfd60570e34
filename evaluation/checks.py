"""Scoring the cross-check against the gold ``checks``: are the inconsistencies found, and are
the traps (checks an editor wants cleared) left alone?

A finding speaks about a gold check when, after mapping its claims to gold claims (one-to-one
by the quantity-level match), at least two of the check's claims are in it with two different
roles (part and total, the two sides of a conflict…), and its kind is of the same family
(conflict, headline, scale_suspect, agreement | sum, subset_exceeds_total, containment | share |
implied_price). An inconsistent gold check is *found* when an error or warning finding speaks
about it; a consistent one is a *false alarm* when an error or warning finding does.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from schemas import DocumentClaims, Finding

from .scorer import match, quantity_match

FAMILIES = [{"conflict", "headline", "scale_suspect", "agreement"},
            {"sum", "subset_exceeds_total", "containment"}, {"share"}, {"implied_price"}]


@dataclass
class CheckScore:
    inconsistent: int = 0
    found: int = 0
    consistent: int = 0
    false_alarms: int = 0
    missed: list[dict] = field(default_factory=list)
    alarms: list[dict] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.inconsistent if self.inconsistent else 1.0

    def to_dict(self) -> dict:
        return {"inconsistent": self.inconsistent, "found": self.found, "recall": self.recall,
                "consistent": self.consistent, "false_alarms": self.false_alarms,
                "missed": self.missed, "alarms": self.alarms}


def family(kind: str) -> int:
    return next((i for i, f in enumerate(FAMILIES) if kind in f), -1)


def claim_map(gold: list[DocumentClaims], predicted: list[DocumentClaims]) -> dict[str, str]:
    """Predicted ``doc#cNN`` → gold ``doc#id`` for every quantity-level match."""
    pred_by = {p.doc: p for p in predicted}
    out = {}
    for g in gold:
        p = pred_by.get(g.doc)
        if p is None:
            continue
        for gi, pi in match(g.claims, p.claims, quantity_match):
            out[f"{g.doc}#{p.claims[pi].id}"] = f"{g.doc}#{g.claims[gi].id}"
    return out


def speaks_about(finding: Finding, check_claims: set[str], mapping: dict[str, str]) -> bool:
    roles = {c.role for c in finding.claims if mapping.get(c.claim_id) in check_claims and c.role != "offset"}
    inside = sum(1 for c in finding.claims if mapping.get(c.claim_id) in check_claims)
    return inside >= 2 and len(roles) >= 2


def score_checks(gold: list[DocumentClaims], predicted: list[DocumentClaims], findings: list[Finding]) -> CheckScore:
    """Check recall and false alarms of ``findings`` on the gold ``checks``."""
    mapping = claim_map(gold, predicted)
    alarms = [f for f in findings if f.severity in ("error", "warning")]
    score = CheckScore()
    for g in gold:
        for check in g.checks:
            claims = set(check.claims)
            hits = [f for f in alarms if family(f.kind) == family(check.kind) and speaks_about(f, claims, mapping)]
            row = {"doc": g.doc, "kind": check.kind, "claims": check.claims,
                   "findings": [f"{f.severity} {f.kind}" for f in hits]}
            if check.verdict == "inconsistent":
                score.inconsistent += 1
                if hits:
                    score.found += 1
                else:
                    score.missed.append(row)
            else:
                score.consistent += 1
                if hits:
                    score.false_alarms += 1
                    score.alarms.append(row | {"explanations": [f.explanation for f in hits]})
    return score
