"""Entity mentions: catalog aliases found with a spaCy PhraseMatcher (aliases also go into
jieba's dictionary so Chinese tokens line up with them), plus organisations the catalog does not
know, found by their form ("Acme Capital Partners", "某某基金") and given a slug id.

The ``entity_mentions`` component puts them on the Doc as ``doc.spans["entities"]``, each span
labelled with its entity id.
"""
from __future__ import annotations

import re
from functools import lru_cache

from . import thinc_without_torch  # noqa: F401  (first: spaCy's thinc without torch)
from spacy.attrs import ORTH
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from .catalog import load_catalog, slug_id
from .claimcontext import Mention
from .doctext import doc_text
from .tables import load_table, trie_alternation

CJK = r"\u4e00-\u9fff"

if not Span.has_extension("linked"):
    Span.set_extension("linked", default=True)
if not Span.has_extension("proposed"):  # an extract.ner.NerSpan on spans a NER model proposed
    Span.set_extension("proposed", default=None)


def alias_variants(alias: str) -> set[str]:
    """``以太坊ETF`` is also written ``以太坊 ETF``: a space may stand where Chinese meets Latin."""
    spaced = re.sub(rf"(?<=[{CJK}])(?=[A-Za-z0-9])|(?<=[A-Za-z0-9])(?=[{CJK}])", " ", alias)
    return {alias, spaced}


@lru_cache(maxsize=1)
def _jieba_words() -> tuple[str, ...]:
    words = set()
    for alias in load_catalog().aliases():
        for variant in alias_variants(alias.text):
            if re.search(f"[{CJK}]", variant) and " " not in variant:
                words.add(variant)
    return tuple(sorted(words))


@lru_cache(maxsize=1)
def _chinese_alias_pattern() -> tuple[re.Pattern, dict[str, str]]:
    ids = {}
    for alias in load_catalog().aliases(["zh-Hans", "zh-Hant"]):
        if len(alias.text) >= 2:
            ids.setdefault(alias.text, alias.entity_id)
    return re.compile(trie_alternation(ids)), ids


def chinese_alias_matches(text: str) -> list[tuple[int, int, str]]:
    """(start, end, entity id) of every Chinese alias written in ``text``, longest first, left to right."""
    pattern, ids = _chinese_alias_pattern()
    return [(m.start(), m.end(), ids[m.group()]) for m in pattern.finditer(text)]


def add_aliases_to_jieba() -> None:
    """Teach jieba every Chinese alias so that it never splits an entity name."""
    import jieba

    for word in _jieba_words():
        jieba.add_word(word, freq=200000)


@Language.factory("entity_mentions", default_config={})
def create_entity_mentions(nlp: Language, name: str):
    return EntityMentions(nlp)


class EntityMentions:
    """Finds catalog aliases (case-insensitive, but tickers and short names in exact case)."""

    def __init__(self, nlp: Language):
        catalog = load_catalog()
        exact = catalog.exact_case()
        self.any_case = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.same_case = PhraseMatcher(nlp.vocab, attr="ORTH")
        for alias in catalog.aliases():
            matcher = self.same_case if alias.text in exact else self.any_case
            patterns = [nlp.make_doc(v) for v in alias_variants(alias.text)]
            matcher.add(alias.entity_id, patterns)
        self.unknown = _unknown_organisation_pattern()
        t = load_table("organisations")
        self.heads, self.not_names = set(t["zh_heads"]), set(t["zh_not_names"])
        self.head_orths = {nlp.vocab.strings[h] for h in self.heads}

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for matcher in (self.any_case, self.same_case):
            for match_id, start, end in matcher(doc):
                spans.append(Span(doc, start, end, label=match_id))
        known = filter_spans(spans)
        taken = [(s.start_char, s.end_char) for s in known]
        text = doc_text(doc)
        for start, end, entity_id in chinese_alias_matches(text):
            # jieba may merge a name into a longer word (美国市场): match Chinese names over characters
            if any(a < end and start < b for a, b in taken):
                continue
            span = doc.char_span(start, end, label=entity_id, alignment_mode="expand")
            if span is not None and not any(a < span.end_char and span.start_char < b for a, b in taken):
                known.append(span)
                taken.append((span.start_char, span.end_char))
        for start, end in self.unknown_spans(doc):
            if any(a < end and start < b for a, b in taken):
                continue
            span = doc.char_span(start, end, label=slug_id(text[start:end]), alignment_mode="expand")
            if span is not None:
                span._.linked = False
                known.append(span)
        doc.spans["entities"] = filter_spans(known)
        return doc


    def unknown_spans(self, doc: Doc) -> list[tuple[int, int]]:
        """Organisations the catalog does not know: "Acme Capital Partners"; in Chinese, a jieba
        word of two or more characters followed by an organisation word (某某资本, 星辰基金)."""
        out = [(m.start(), m.end()) for m in self.unknown.finditer(doc_text(doc))]
        heads, stop, wanted = self.heads, self.not_names, self.head_orths
        # only tokens that are organisation words can be heads: find them in the token array
        # rather than making a Token object of every token (a hot spot on long documents)
        orths = doc.to_array(ORTH).tolist()
        for i in [i for i, orth in enumerate(orths) if orth in wanted and i > 0]:
            head, name = doc[i], doc[i - 1]
            if head.text in heads and re.fullmatch(f"[{CJK}]{{2,6}}", name.text) and name.text not in stop \
                    and not name.whitespace_:
                out.append((name.idx, head.idx + len(head.text)))
        return out


def _unknown_organisation_pattern() -> re.Pattern:
    """Capitalised English names ending in an organisation word."""
    en = "|".join(map(re.escape, load_table("organisations")["en_heads"]))
    return re.compile(rf"\b(?:[A-Z][\w&.'-]*\s+){{1,4}}(?:{en})\b")


def doc_mentions(doc: Doc) -> list[Mention]:
    """The Doc's entity spans as :class:`Mention` records, in text order."""
    catalog = load_catalog()
    text = doc_text(doc)  # span.text is text[start_char:end_char], without a Token per token
    entities: dict[str, object] = {}  # label → catalog entity, looked up once per document
    out = []
    for span in sorted(doc.spans["entities"], key=lambda s: s.start_char):
        proposed = span._.proposed
        label = span.label_
        if proposed is not None:  # from the ner_mentions model: its exact characters and kind
            out.append(Mention(proposed.start, proposed.end, proposed.text, label, proposed.kind, linked=False))
            continue
        if label not in entities:
            entities[label] = catalog.get(label)
        entity = entities[label]
        start, end = span.start_char, span.end_char
        out.append(Mention(start, end, text[start:end], label,
                           entity.kind if entity else "organisation", linked=entity is not None))
    return out
