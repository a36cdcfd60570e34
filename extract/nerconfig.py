"""Which NER model is configured: ``--ner-model``, ``$CLAIMS_NER_MODEL`` or ``[ner]`` in
``claims.toml`` (see :mod:`extract.ner`). Reading the configuration imports neither spaCy nor
torch, so commands without a model start light."""
from __future__ import annotations

import os
from pathlib import Path

from .errors import InputError

ENV_MODEL = "CLAIMS_NER_MODEL"
ENV_ALLOW_DOWNLOAD = "CLAIMS_NER_ALLOW_DOWNLOAD"
ENV_CONFIG = "CLAIMS_CONFIG"
CONFIG_FILE = "claims.toml"
OFF = {"", "none", "off", "no", "false", "0"}
LANG_KEYS = ("zh-Hans", "zh-Hant", "zh", "en")


def _config_file() -> dict:
    """The ``[ner]`` table of the config file, or {} when there is none."""
    path = Path(os.environ.get(ENV_CONFIG) or CONFIG_FILE)
    if not path.is_file():
        return {}
    import tomllib

    try:
        with path.open("rb") as f:
            table = tomllib.load(f).get("ner", {})
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise InputError(path, f"cannot read the config file: {e}") from None
    if not isinstance(table, dict):
        raise InputError(path, "[ner] must be a table")
    return table


def ner_spec(option: str | None = None) -> str | None:
    """The configured model spec: ``option`` (``--ner-model``), else ``$CLAIMS_NER_MODEL``, else
    ``model`` in the config file's ``[ner]`` table. ``none``/``off`` (or empty) switch it off."""
    value = option
    if value is None:
        value = os.environ.get(ENV_MODEL)
    if value is None:
        value = _config_file().get("model")
    if value is None:
        return None
    value = str(value).strip()
    return None if value.lower() in OFF else value


def downloads_allowed() -> bool:
    """Whether transformers may fetch a hub id (``CLAIMS_NER_ALLOW_DOWNLOAD=1``); off by default."""
    env = os.environ.get(ENV_ALLOW_DOWNLOAD)
    if env is not None:
        return env.strip().lower() not in OFF
    return bool(_config_file().get("allow_download", False))


def model_for(spec: str | None, lang: str) -> str | None:
    """The model for one language (zh-Hans, zh-Hant or en) from a spec: one path for every
    language, or ``lang=path`` pairs joined by commas (``zh`` covers both Chinese scripts)."""
    if not spec:
        return None
    parts = [p.strip() for p in spec.split(",") if p.strip()]
    pairs = [p.split("=", 1) for p in parts]
    if not parts or not all(len(p) == 2 and p[0].strip() in LANG_KEYS for p in pairs):
        return spec
    table = {k.strip(): v.strip() for k, v in pairs}
    found = table.get(lang) or (table.get("zh") if lang.startswith("zh") else None)
    return found if found and found.lower() not in OFF else None
