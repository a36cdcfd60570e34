"""From quantities on a parsed Doc to claims in the gold format, each with its sentence."""
from __future__ import annotations

import re

from spacy.tokens import Doc

from schemas import Claim, Quantity

RATIO_CUES = re.compile(r"(?i:ratio|multiple|比率|比值|倍数)")


def bare_unit(doc: Doc, q: Quantity) -> str:
    """A bare number is an index level in points unless the words before it make it a ratio."""
    head = doc.text[max(0, q.start - 24):q.start]
    return "x" if RATIO_CUES.search(head) else "points"


def build_claims(doc: Doc) -> list[tuple[Claim, str]]:
    """One claim per quantity span, numbered c01, c02… in text order, with the sentence text."""
    out = []
    for i, span in enumerate(sorted(doc.spans["quantities"], key=lambda s: s._.quantity.start), 1):
        q: Quantity = span._.quantity
        claim = Claim(
            id=f"c{i:02d}", start=q.start, end=q.end, text=q.text, value=q.value,
            low=q.low, high=q.high, unit=q.unit or bare_unit(doc, q), approx=q.approx,
        )
        out.append((claim, span.sent.text.strip()))
    return out
