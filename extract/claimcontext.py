"""What the claim-field stages (subject, metric, sign, period, source) see of one figure.

Built once per figure by :func:`extract.claims.build_claims`; every stage is a plain function of
a :class:`ClaimContext` and never looks back at spaCy objects, so each can be read and tested alone.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from schemas import Quantity


@dataclass(frozen=True)
class Mention:
    """An entity named in the text: catalog id (or a slug for unknown organisations)."""

    start: int
    end: int
    text: str
    entity_id: str
    kind: str            # catalog kind: asset, fund, issuer, index, institution, data-provider, region, ...
    linked: bool = True  # False for organisations the catalog does not know


@dataclass
class ClaimContext:
    """One figure with the text around it. All offsets are into ``text`` (= into ``norm``)."""

    text: str                      # the document text exactly as read
    norm: str                      # same length: half-width, Simplified (match words on this)
    lang: str                      # zh-Hans, zh-Hant or en
    doc_date: dt.date | None       # publication date, resolves relative periods
    quantity: Quantity
    sentence: tuple[int, int]      # [start, end) of the sentence holding the figure
    paragraph: tuple[int, int]     # [start, end) of its paragraph (between blank lines / line breaks)
    mentions: list[Mention] = field(default_factory=list)      # every entity mention in the document
    quantities: list[Quantity] = field(default_factory=list)   # every figure in the document, in order
    index: int = 0                 # this figure's position in ``quantities``
    title: tuple[int, int] | None = None  # the span of the title line, when the text starts with it
    # the mentions that may be subjects (subjects.subject_candidates), shared by a document's
    # figures; None: attach_subject works them out from ``mentions``
    candidates: list[Mention] | None = None

    @property
    def before(self) -> str:
        """Normalised sentence text before the figure."""
        return self.norm[self.sentence[0]:self.quantity.start]

    @property
    def after(self) -> str:
        """Normalised sentence text after the figure."""
        return self.norm[self.quantity.end:self.sentence[1]]

    @property
    def in_title(self) -> bool:
        return self.title is not None and self.title[0] <= self.quantity.start < self.title[1]
