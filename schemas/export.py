"""Write the JSON Schema files kept beside the models: ``python -m schemas.export``."""
from __future__ import annotations

import json
from pathlib import Path

from . import Claim, Document, DocumentClaims, DraftCheck, Finding, Quantity

MODELS = {"document": Document, "quantity": Quantity, "claim": Claim, "document_claims": DocumentClaims,
          "finding": Finding, "draft_check": DraftCheck}
HERE = Path(__file__).parent


def schema_text(model) -> str:
    """The model's JSON Schema, as the file holds it."""
    return json.dumps(model.model_json_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def write_schemas(folder: Path = HERE) -> list[Path]:
    paths = []
    for name, model in MODELS.items():
        path = folder / f"{name}.schema.json"
        path.write_text(schema_text(model), encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    for p in write_schemas():
        print(p)
