"""market-claims: numeric claims from Chinese and English market commentary."""
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

from .extractor import EXTRACTOR_VERSION, Extraction, extract_document  # noqa: E402

__all__ = ["EXTRACTOR_VERSION", "Extraction", "extract_document"]
