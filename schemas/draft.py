"""Draft checking: every figure of a draft with its verdict against the store, and the evidence."""
from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from .claim import Claim
from .finding import Finding

Verdict = Literal["supported", "contradicted", "unverified", "imprecise"]


class Evidence(BaseModel):
    """A stored claim that speaks to a draft figure, with where it comes from."""

    claim_id: str
    text: str = Field(..., description="The figure as written in the source.")
    sentence: str = Field(..., description="The sentence it sits in (source text, unescaped).")
    display: str
    value: float
    approx: str
    document_id: str
    title: str | None = None
    publisher: str | None = None
    date: dt.date | None = None
    url: str | None = None


class SourceGroup(BaseModel):
    """Evidence from one independent source (syndicated copies merged)."""

    documents: list[str]
    evidence: list[Evidence]


class FigureCheck(BaseModel):
    """One draft figure and what the sources say about it."""

    claim: Claim
    display: str
    verdict: Verdict
    explanation: str
    searched: str = Field(..., description="The fact looked up: subject, metric, region, period.")
    sources: list[SourceGroup] = Field(default_factory=list)


class DraftCheck(BaseModel):
    """The result of ``claims check``: exit status 1 when anything is contradicted."""

    path: str
    date: dt.date
    lang: str
    text: str
    figures: list[FigureCheck]
    internal: list[Finding] = Field(default_factory=list, description="Cross-check findings inside the draft.")

    def counts(self) -> dict[str, int]:
        out = {v: 0 for v in ("supported", "contradicted", "imprecise", "unverified")}
        for f in self.figures:
            out[f.verdict] += 1
        return out

    @property
    def contradicted(self) -> bool:
        return any(f.verdict == "contradicted" for f in self.figures) or any(
            f.severity == "error" for f in self.internal)
