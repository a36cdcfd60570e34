"""Browsing the store in Datasette: ``metadata.yaml``, our plugin and our template.

``claims serve`` (``extract/serve.py``) starts Datasette with these three paths; the README shows
the same thing as a plain ``datasette`` command.
"""
from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
METADATA = HERE / "metadata.yaml"
PLUGINS_DIR = HERE / "plugins"
TEMPLATES_DIR = HERE / "templates"
DATABASE_NAME = "claims"  # the key under ``databases:`` in metadata.yaml (the file claims.db)
