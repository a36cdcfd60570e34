"""Pydantic models of everything that crosses a boundary: documents, quantities, claims."""
from .claim import Approx, Claim, Quantity
from .document import Document, DocumentMeta, content_hash
from .gold import Check, DocumentClaims

__all__ = [
    "Approx", "Check", "Claim", "Document", "DocumentClaims", "DocumentMeta", "Quantity",
    "content_hash",
]
