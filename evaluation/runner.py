"""Run the extractor over the documents of a gold set and score it: ``evaluate(gold, docs)``."""
from __future__ import annotations

from pathlib import Path

from extract.errors import InputError
from extract.extractor import extract_document
from extract.readers import decode_bytes
from schemas import Document, DocumentClaims

from .load import load_gold
from .scorer import EvalReport, score


def gold_document(record: DocumentClaims, docs_dir: Path) -> Document:
    """The text ``docs_dir/<doc>.txt`` with the gold's meta as its metadata."""
    path = docs_dir / f"{record.doc}.txt"
    if not path.exists():
        raise InputError(path, f"text of gold document {record.doc!r} not found")
    return Document(id=record.doc, text=decode_bytes(path.read_bytes(), path), meta=record.meta, path=str(path))


def predict(gold: list[DocumentClaims], docs_dir: Path) -> list[DocumentClaims]:
    """The extractor's claims for every gold document."""
    return [extract_document(gold_document(g, docs_dir)).to_document_claims() for g in gold]


def evaluate(gold_dir: Path, docs_dir: Path) -> EvalReport:
    """Scores of the extractor on the gold folder (see :mod:`evaluation.scorer` for the rules)."""
    gold = load_gold(gold_dir)
    if not gold:
        raise InputError(gold_dir, "no gold .json or .jsonl files")
    return score(gold, predict(gold, docs_dir))
