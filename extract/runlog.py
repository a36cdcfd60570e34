"""The pool's shared index of what its workers extracted, held by a manager process: a plain log
of their adds (each worker indexes its own replica, see :class:`extract.runs.RunSeen`). Kept
apart from the extractor and from datasketch so that the manager process starts in a blink."""
from __future__ import annotations

import os
import time
from multiprocessing.managers import BaseManager


class RunLog:
    """Every worker's adds to its :class:`extract.runs.RunSeen` replica, in the order they came;
    a worker fetches the others' adds once per partition (``since``) and sends its own (``add_all``).
    Also the texts the store already knows, set by the driver once it has read them and fetched
    by each worker once: the workers start before the driver has read the store."""

    def __init__(self):
        self.entries: list[tuple[int, tuple]] = []   # (worker, the arguments of RunSeen.add)
        self.known_texts: dict = {}                  # the store's known texts (DedupeIndex.known)

    def set_known(self, known: dict) -> None:
        self.known_texts = known

    def known(self) -> dict:
        return self.known_texts

    def since(self, k: int, worker: int) -> tuple[int, list[tuple]]:
        """How many entries there are now, and those after the first ``k`` that ``worker`` did not add."""
        return len(self.entries), [entry for source, entry in self.entries[k:] if source != worker]

    def add_all(self, entries: list[tuple], worker: int) -> None:
        self.entries.extend((worker, entry) for entry in entries)


def watch_driver(driver: int) -> None:
    """End this process when the driver ``driver`` is gone (``kill -9`` leaves no orphans behind)."""
    import threading

    def watch() -> None:
        while os.getppid() == driver:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="driver-watchdog", daemon=True).start()


class SeenManager(BaseManager):
    """The process holding the run's one :class:`RunLog`, which the pool's workers share."""


SeenManager.register("RunLog", RunLog)
