"""The grammar's word tables (``data/quantities.yaml``), loaded once."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

DATA = Path(__file__).parent / "data"


@lru_cache(maxsize=None)
def load_table(name: str) -> dict:
    """The YAML file ``extract/data/<name>.yaml`` as a dict."""
    with open(DATA / f"{name}.yaml", encoding="utf-8") as f:
        return yaml.safe_load(f)


def quantity_tables() -> dict:
    return load_table("quantities")


def alternation(words, flags: str = "") -> str:
    """A regex alternation of literal words, longest first so the longest always wins."""
    return _alternation(tuple(words), flags)


@lru_cache(maxsize=1024)
def _alternation(words: tuple[str, ...], flags: str) -> str:
    import re

    body = "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))
    return f"(?{flags}:{body})" if flags else f"(?:{body})"
