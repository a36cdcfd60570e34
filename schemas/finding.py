"""Cross-check findings: figures that don't add up (or that were checked and do)."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

FindingKind = Literal["conflict", "agreement", "sum", "share", "subset_exceeds_total", "scale_suspect",
                      "implied_price", "headline", "containment"]
Severity = Literal["error", "warning", "info"]
Role = Literal["total", "part", "share", "side", "against", "price", "amount", "units", "headline", "body",
               "whole", "offset"]


class FindingClaim(BaseModel):
    """One claim taking part in a finding: ``claim_id`` is the store id ``doc#cNN``."""

    claim_id: str
    role: Role


class Finding(BaseModel):
    """What the cross-check found about a set of claims, and one sentence an editor can act on."""

    id: str = Field(..., description="Stable id: kind plus a hash of the claim ids.")
    kind: FindingKind
    severity: Severity
    verdict: Literal["inconsistent", "consistent"]
    claims: list[FindingClaim]
    numbers: dict[str, float] = Field(default_factory=dict, description="The computed numbers behind the verdict.")
    explanation: str
    lang: Literal["en", "zh"] = "en"
