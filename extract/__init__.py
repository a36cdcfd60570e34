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

__all__ = ["EXTRACTOR_VERSION", "Extraction", "extract_document"]


def __getattr__(name: str):
    """The extractor's names, imported on first use: a process that only stores, reports or
    shares the run's index (the pool's manager) does not load spaCy and the rule tables."""
    if name in __all__:
        from . import extractor

        return getattr(extractor, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
