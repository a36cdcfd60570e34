"""The grammar's word tables (``data/quantities.yaml``), loaded once."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

DATA = Path(__file__).parent / "data"
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser where PyYAML has it


def parse_yaml(text):
    """``yaml.safe_load(text)`` (a string or a file), parsed by libyaml when PyYAML was built with
    it: the same values, ~10× faster (the catalog is read by every process at start-up)."""
    return yaml.load(text, Loader=SAFE_LOADER)


@lru_cache(maxsize=None)
def load_table(name: str) -> dict:
    """The YAML file ``extract/data/<name>.yaml`` as a dict."""
    with open(DATA / f"{name}.yaml", encoding="utf-8") as f:
        return parse_yaml(f)


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


def trie_alternation(words) -> str:
    """A regex matching, at any position, the longest of ``words`` written there: the matches of
    :func:`alternation`, but nested by common prefixes ("flow(?:s)?"), so ``re`` tests a
    character once per branch rather than once per word (faster for long word lists)."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}  # a word ends here
    return _trie_body(trie)


def _trie_body(node: dict) -> str:
    import re

    branches = [re.escape(ch) + _trie_body(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body  # a shorter word ends here: the rest is optional
