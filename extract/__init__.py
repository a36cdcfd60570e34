"""market-claims: numeric claims from Chinese and English market commentary."""
from .extractor import EXTRACTOR_VERSION, Extraction, extract_document

__all__ = ["EXTRACTOR_VERSION", "Extraction", "extract_document"]
