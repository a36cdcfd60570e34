"""spaCy's thinc imported with torch hidden: every module that imports spaCy imports this first,
so a process that never loads spaCy (the pool's manager, ``claims report``) does not pay for it."""
import sys


def _import_thinc_without_torch() -> None:
    """spaCy's thinc imports torch at import time whenever it is installed (the ``ml`` extra),
    which triples spaCy's start-up (~1 s -> ~3 s) though no pipeline here uses thinc's torch
    support. thinc is imported with torch hidden; ``import torch`` works normally afterwards
    (extract.ner imports it when a NER model is configured)."""
    if "torch" in sys.modules or "thinc.compat" in sys.modules:
        return
    sys.modules["torch"] = None  # type: ignore[assignment]  # `import torch` raises ImportError
    try:
        import thinc.compat  # noqa: F401
    finally:
        if sys.modules.get("torch", 0) is None:
            del sys.modules["torch"]


_import_thinc_without_torch()
