"""Quantities and claims in the gold format of ``shared/eval/GUIDE.md`` (v1)."""
from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Approx = Literal["exact", "about", "over", "under", "nearly"]
QuantityKind = Literal["money", "crypto", "percent", "bp", "count", "multiple", "number", "unit"]


class Quantity(BaseModel):
    """A value expression found in a text: half-open code-point span ``[start, end)``.

    ``value`` carries only the sign written next to the number (``-1.79%``, ``负10%``);
    the direction of a flow or change is decided later, from the words around it.
    """

    start: int
    end: int
    text: str
    value: float
    low: float | None = None
    high: float | None = None
    unit: str | None = Field(None, description="ISO 4217, crypto ticker, %, bp, count, x, t, oz, shares; None for a bare number.")
    kind: QuantityKind
    approx: Approx = "exact"
    signed: bool = Field(False, description="A sign (+, -, 负) was written next to the number.")


class Claim(BaseModel):
    """One claim, with exactly the field names of the gold format."""

    model_config = ConfigDict(extra="forbid")

    id: str
    start: int
    end: int
    text: str
    value: float
    low: float | None = None
    high: float | None = None
    unit: str | None = None
    approx: Approx = "exact"
    subject: str | None = None
    metric: str | None = None
    region: str | None = None
    object: str | None = None
    period: tuple[dt.date, dt.date] | None = None
    source: str | None = None
    optional: bool | None = None

    @model_validator(mode="after")
    def _span_is_ordered(self) -> "Claim":
        if self.end <= self.start:
            raise ValueError(f"claim {self.id}: end {self.end} must be after start {self.start}")
        return self

    def to_gold(self) -> dict:
        """The claim as a gold-format JSON object: None fields and a false ``optional`` left out."""
        data = self.model_dump(mode="json", exclude_none=True)
        if not data.get("optional"):
            data.pop("optional", None)
        return data
