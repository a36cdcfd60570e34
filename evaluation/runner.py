"""Run the extractor over the documents of a gold set and score it: ``evaluate(gold, docs)``."""
from __future__ import annotations

import tempfile
from pathlib import Path

from extract.errors import InputError
from extract.extractor import extract_document
from extract.readers import decode_bytes
from schemas import Document, DocumentClaims

from .checks import score_checks
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


def evaluate(gold_dir: Path, docs_dir: Path, checks: bool = True) -> EvalReport:
    """Scores of the extractor on the gold folder (see :mod:`evaluation.scorer` for the rules),
    and of the cross-check on the gold ``checks``: the gold documents are stored in a fresh
    SQLite file and cross-checked as ``claims crosscheck`` would."""
    gold = load_gold(gold_dir)
    if not gold:
        raise InputError(gold_dir, "no gold .json or .jsonl files")
    documents = [gold_document(g, docs_dir) for g in gold]
    results = [extract_document(d) for d in documents]
    predicted = [r.to_document_claims() for r in results]
    report = score(gold, predicted)
    if checks and any(g.checks for g in gold):
        report.checks = score_checks(gold, predicted, crosscheck_in_store(results)).to_dict()
    return report


def crosscheck_in_store(results) -> list:
    """Store the extractions in a temporary SQLite file and run the cross-check on it."""
    from extract.crosscheck import run_crosscheck
    from extract.extractor import EXTRACTOR_VERSION
    from extract.store import open_store, save_document

    with tempfile.TemporaryDirectory() as tmp:
        db = open_store(Path(tmp) / "eval.db")
        for r in results:
            save_document(db, r.document, r.claims, r.sentences, EXTRACTOR_VERSION, r.displays)
        findings = run_crosscheck(db)
        db.close()
    return findings
