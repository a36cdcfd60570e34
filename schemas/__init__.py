"""Pydantic models of everything that crosses a boundary: documents, quantities, claims."""
from .claim import Approx, Claim, Quantity
from .document import Document, DocumentMeta, content_hash
from .draft import DraftCheck, Evidence, FigureCheck, SourceGroup
from .finding import Finding, FindingClaim
from .gold import Check, DocumentClaims

__all__ = [
    "Approx", "Check", "Claim", "Document", "DocumentClaims", "DocumentMeta", "Finding", "FindingClaim",
    "Quantity", "DraftCheck", "Evidence", "FigureCheck", "SourceGroup",
    "content_hash",
]
