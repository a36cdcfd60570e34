"""``doc_text(doc)``: a spaCy Doc's text, built once.

spaCy's ``Doc.text`` joins every token's text at each access (creating a Token object per token);
the components (quantities, entities, claims) read it several times per document. The first call
stores it on the Doc, so the text is exactly ``doc.text``.
"""
from __future__ import annotations

from . import thinc_without_torch  # noqa: F401  (first: spaCy's thinc without torch)
from spacy.tokens import Doc

if not Doc.has_extension("text_cache"):
    Doc.set_extension("text_cache", default=None)


def doc_text(doc: Doc) -> str:
    """``doc.text``, computed on the first call for this Doc and kept on it."""
    text = doc._.text_cache
    if text is None:
        text = doc._.text_cache = doc.text
    return text
