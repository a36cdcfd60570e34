"""The JSON Schema files in schemas/ are generated from the pydantic models and kept in sync."""
from __future__ import annotations

import json

import pytest

from schemas import Claim, DocumentClaims
from schemas.export import HERE, MODELS, schema_text


@pytest.mark.parametrize("name", sorted(MODELS))
def test_schema_file_matches_model(name):
    path = HERE / f"{name}.schema.json"
    assert path.read_text(encoding="utf-8") == schema_text(MODELS[name]), \
        f"{path.name} is stale: run `python -m schemas.export`"


def test_gold_files_validate(shared):
    for path in sorted((shared / "eval" / "gold").glob("*.json")):
        record = DocumentClaims.model_validate(json.loads(path.read_text(encoding="utf-8")))
        assert record.claims


def test_claim_to_gold_leaves_out_empty_fields():
    claim = Claim(id="c01", start=0, end=4, text="百亿美元", value=-1e10, unit="USD")
    assert claim.to_gold() == {"id": "c01", "start": 0, "end": 4, "text": "百亿美元", "value": -1e10,
                               "unit": "USD", "approx": "exact"}


def test_claim_span_must_be_ordered():
    with pytest.raises(ValueError):
        Claim(id="c01", start=5, end=5, text="", value=1, unit="USD")
