"""A gold (or extracted) document record: ``{"doc", "meta", "claims", "checks"}``."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .claim import Claim
from .document import DocumentMeta

Verdict = Literal["inconsistent", "consistent"]


class Check(BaseModel):
    """A cross-source or arithmetic finding; claims are ``doc#id`` references."""

    model_config = ConfigDict(extra="allow")

    kind: str
    claims: list[str]
    verdict: Verdict
    note: str | None = None
    severity: Literal["error", "warning", "info"] | None = None


class DocumentClaims(BaseModel):
    """One line of ``claims extract --format jsonl``, and one gold file."""

    doc: str
    meta: DocumentMeta = Field(default_factory=DocumentMeta)
    claims: list[Claim] = Field(default_factory=list)
    checks: list[Check] = Field(default_factory=list)

    def to_gold(self) -> dict:
        """Plain JSON-ready dict in the gold format."""
        out = {
            "doc": self.doc,
            "meta": self.meta.model_dump(mode="json", exclude_none=True),
            "claims": [c.to_gold() for c in self.claims],
        }
        if self.checks:
            out["checks"] = [c.model_dump(mode="json", exclude_none=True) for c in self.checks]
        return out
