"""Errors shown to the user as one line: ``<file>: <problem>``."""
from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """Bad input; ``str()`` is one line naming the file and the problem."""

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = str(path)
        self.problem = " ".join(str(problem).split())  # always one line
        super().__init__(f"{self.path}: {self.problem}")


class StoreError(InputError):
    """A problem with the claims database (the path is the database file)."""
