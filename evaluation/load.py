"""Read gold (or predicted) claim files: a folder of ``*.json`` / ``*.jsonl`` DocumentClaims."""
from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from schemas import DocumentClaims


def load_gold(folder: str | Path) -> list[DocumentClaims]:
    """Every ``*.json`` (one object) and ``*.jsonl`` (one object per line) in ``folder``, sorted by doc.

    A bad file, or a doc id seen twice, raises ``ValueError("<path>: <problem>")`` on one line.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"{folder}: not a folder")
    paths = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in (".json", ".jsonl"))
    docs: dict[str, DocumentClaims] = {}
    for path in paths:
        for doc in load_file(path):
            if doc.doc in docs:
                raise ValueError(f"{path}: duplicate doc id {doc.doc!r}")
            docs[doc.doc] = doc
    return [docs[k] for k in sorted(docs)]


def load_file(path: str | Path) -> list[DocumentClaims]:
    """The records of one ``.json`` (one object) or ``.jsonl`` (one per non-blank line) file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ValueError(f"{path}: cannot read: {e}") from None
    if path.suffix == ".jsonl":
        lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
        return [_parse(path, line, f"line {n}: ") for n, line in lines]
    return [_parse(path, text, "")]


def _parse(path: Path, text: str, where: str) -> DocumentClaims:
    """One JSON object → DocumentClaims, or a one-line ``ValueError`` naming the file."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"{path}: {where}invalid JSON: {e}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: {where}expected one JSON object, got {type(data).__name__}")
    try:
        return DocumentClaims.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        loc = ".".join(str(x) for x in first["loc"]) or "(root)"
        more = f" (+{e.error_count() - 1} more)" if e.error_count() > 1 else ""
        raise ValueError(f"{path}: {where}{loc}: {first['msg']}{more}") from None
