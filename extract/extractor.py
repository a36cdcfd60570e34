"""The extraction entry point: ``extract_document(document) -> Extraction``."""
from __future__ import annotations

from dataclasses import dataclass

from schemas import Claim, Document, DocumentClaims

from .claims import build_claims
from .errors import InputError
from .language import detect_language
from .pipeline import parse

EXTRACTOR_VERSION = "0.1.0"


@dataclass
class Extraction:
    """A document's claims, each with the sentence it sits in and its display form (same order)."""

    document: Document
    lang: str
    claims: list[Claim]
    sentences: list[str]
    displays: list[str]

    def to_document_claims(self) -> DocumentClaims:
        meta = self.document.meta.model_copy(update={"lang": self.lang})
        return DocumentClaims(doc=self.document.id, meta=meta, claims=self.claims)


def document_language(document: Document) -> str:
    """The metadata's language, else the detected one; InputError when neither says."""
    lang = document.meta.lang or detect_language(document.text)
    if lang is None:
        where = document.path or document.id
        raise InputError(where, "unknown language: neither Chinese nor English text (set lang in its metadata)")
    return lang


def extract_document(document: Document, display_lang: str = "en", ner_model: str | None = None,
                     lang: str | None = None) -> Extraction:
    """Find every claim in ``document``; offsets point into ``document.text`` exactly.

    ``ner_model`` (a model folder, hub id, or ``zh=PATH,en=PATH``) adds the subjects a
    token-classification model finds where the catalog has none (see :mod:`extract.ner`).
    ``lang`` is the document's language when the caller has resolved it (``document_language``).
    """
    lang = lang or document_language(document)
    doc = parse(document.text, lang, ner_model)
    built = build_claims(doc, lang, document.meta.date, display_lang)
    return Extraction(document, lang, [b.claim for b in built], [b.sentence for b in built],
                      [b.display for b in built])
