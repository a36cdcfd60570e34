"""Extraction end to end: every claim of every test document points at its exact characters."""
from __future__ import annotations

import pytest

from extract import extract_document
from extract.language import detect_language
from extract.readers import read_documents
from schemas import Document, DocumentMeta

from .conftest import CORPUS


def test_offsets_are_exact_on_every_corpus_and_eval_document(shared):
    docs = list(read_documents([CORPUS])) + list(read_documents([shared / "eval" / "docs"]))
    assert len(docs) >= 11
    for document in docs:
        result = extract_document(document)
        assert result.claims, document.id
        for claim in result.claims:
            assert document.text[claim.start:claim.end] == claim.text, (document.id, claim)
        assert len(result.sentences) == len(result.claims)


def test_claims_are_numbered_in_text_order():
    doc = Document(id="d", text="Bitcoin funds lost $1.09 billion; ether funds $630 million.",
                   meta=DocumentMeta(lang="en"))
    result = extract_document(doc)
    assert [c.id for c in result.claims] == ["c01", "c02"]
    assert [abs(c.value) for c in result.claims] == [1.09e9, 6.3e8]
    assert result.sentences[0].startswith("Bitcoin funds lost")


def test_language_is_detected_when_metadata_is_silent():
    assert detect_language("比特幣ETF正面臨自今年1月獲批上市以來最嚴峻的資金外流。") == "zh-Hant"
    assert detect_language("比特币ETF正面临自今年1月获批上市以来最严峻的资金外流。") == "zh-Hans"
    assert detect_language("Bitcoin ETFs saw outflows of $537 million.") == "en"
    assert detect_language("Биткойн подешевел") is None


def test_unknown_language_is_refused():
    from extract.errors import InputError

    with pytest.raises(InputError, match="unknown language"):
        extract_document(Document(id="ru", text="Биткойн подешевел на 5 процентов", path="ru.txt"))


def test_bare_number_after_a_ratio_is_a_multiple():
    doc = Document(id="d", text="The long/short ratio of 0.91 is bearish.", meta=DocumentMeta(lang="en"))
    [claim] = extract_document(doc).claims
    assert claim.unit == "x"


def test_language_of_mixed_scripts():
    # latin letters must outnumber the other non-Han letters (Cyrillic here) to read as English
    assert detect_language("Bitcoin fell: биткойн") == "en"
    assert detect_language("ok биткойн подешевел") is None
    assert detect_language("Résumé of the ETF café flows") == "en"
