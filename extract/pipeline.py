"""spaCy pipelines, loaded once per process: jieba-segmented Chinese and blank English, each
with sentence boundaries and the ``quantities`` component that puts every figure on the Doc as
``doc.spans["quantities"]`` (each span carries its :class:`schemas.Quantity` as ``span._.quantity``).
"""
from __future__ import annotations

import logging
import re
from bisect import bisect_right
from functools import lru_cache

from . import thinc_without_torch  # noqa: F401  (first: spaCy's thinc without torch)
import spacy
from spacy.attrs import IDX
from spacy.language import Language
from spacy.tokens import Doc, Span

from .doctext import doc_text
from .entities import add_aliases_to_jieba
from .quantities import find_quantities

NEWLINE = re.compile("\n")
SENTENCE_PUNCT = ["。", "！", "？", "!", "?", ".", "；", "…", "\n"]

if not Span.has_extension("quantity"):
    Span.set_extension("quantity", default=None)
if not Doc.has_extension("lang_tag"):
    Doc.set_extension("lang_tag", default=None)


@Language.component("line_breaks")
def line_breaks(doc: Doc) -> Doc:
    """A line break always ends a sentence (headings, list items, bullet points): the token after
    one whose text or trailing space holds a line break starts a sentence."""
    text = doc_text(doc)
    if "\n" not in text:
        return doc
    starts = doc.to_array(IDX).tolist()
    for i in sorted({bisect_right(starts, m.start()) - 1 for m in NEWLINE.finditer(text)}):
        if i < len(doc) - 1:
            doc[i + 1].is_sent_start = True
    return doc


@Language.factory("quantities", default_config={})
def create_quantity_finder(nlp: Language, name: str):
    return QuantityFinder(nlp.lang)


class QuantityFinder:
    """Runs the character-level grammar and attaches each figure to the Doc as a span."""

    def __init__(self, lang: str):
        self.lang = lang

    def __call__(self, doc: Doc) -> Doc:
        lang = doc._.lang_tag or ("zh-Hans" if self.lang == "zh" else "en")
        spans = []
        for q in find_quantities(doc_text(doc), lang):
            span = doc.char_span(q.start, q.end, label=q.kind, alignment_mode="expand")
            if span is None:
                continue
            span._.quantity = q
            spans.append(span)
        doc.spans["quantities"] = spans
        return doc


@lru_cache(maxsize=None)
def load_pipeline(lang: str, ner_model: str | None = None) -> Language:
    """The pipeline for ``zh`` (Simplified and Traditional) or ``en``, built once and reused.

    With ``ner_model`` (a model folder or hub id) the ``ner_mentions`` component of
    :mod:`extract.ner` follows ``entity_mentions``; only then are torch and transformers imported.
    """
    if lang.startswith("zh"):
        import jieba

        jieba.setLogLevel(logging.WARNING)
        add_aliases_to_jieba()
        nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    else:
        nlp = spacy.blank("en")
    nlp.add_pipe("line_breaks")
    nlp.add_pipe("sentencizer", config={"punct_chars": SENTENCE_PUNCT})
    nlp.add_pipe("quantities")
    nlp.add_pipe("entity_mentions")
    if ner_model:
        from . import ner  # noqa: F401 — registers the ner_mentions factory

        nlp.add_pipe("ner_mentions", config={"model": ner_model})
    return nlp


def parse(text: str, lang: str, ner_model: str | None = None) -> Doc:
    """Run the language's pipeline over ``text``; ``lang`` is zh-Hans, zh-Hant or en.

    ``ner_model`` is a model spec for :func:`extract.nerconfig.model_for` (one path, or one per language).
    """
    if ner_model:
        from .nerconfig import model_for

        ner_model = model_for(ner_model, lang)
    nlp = load_pipeline("zh" if lang.startswith("zh") else "en", ner_model)
    doc = nlp.make_doc(text)
    doc._.lang_tag = lang
    if (doc[-1].idx + len(doc[-1].text_with_ws) if len(doc) else 0) == len(text):
        doc._.text_cache = text  # the tokens cover the text exactly: no need to join them again
    for _, proc in nlp.pipeline:
        doc = proc(doc)
    return doc
