"""market-claims: numeric claims from Chinese and English market commentary."""

__all__ = ["EXTRACTOR_VERSION", "Extraction", "extract_document"]


def __getattr__(name: str):
    """The extractor's names, imported on first use: a process that only stores, reports or
    shares the run's index (the pool's manager) does not load spaCy and the rule tables."""
    if name in __all__:
        from . import extractor

        return getattr(extractor, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
