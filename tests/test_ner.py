"""Model-assisted subjects (extract/ner.py) with a tiny token-classification model built here.

The model is a ``BertForTokenClassification`` with no transformer layers: the embedding of token
*i* is the one-hot vector *i* (position and type embeddings zeroed), and the classifier gives a
label to chosen token ids only, so its predictions are fixed by the vocabulary: 澜/鯨/zeph begin
an ORG, 舟/藍/nimbus continue it, tallow is a PER, oslo a LOC; everything else is O. Saved with
``save_pretrained`` and loaded through the real code path; nothing is downloaded.
"""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from schemas import Document, DocumentMeta

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
HAS_ML = all(importlib.util.find_spec(m) is not None for m in ("torch", "transformers"))
needs_ml = pytest.mark.skipif(not HAS_ML, reason="needs the ml extra (pip install '.[ml]')")

LABELS = ["O", "B-ORG", "I-ORG", "B-PER", "I-PER", "B-LOC", "I-LOC"]
TAGS = {  # token -> label
    "澜": "B-ORG", "舟": "I-ORG", "鯨": "B-ORG", "藍": "I-ORG",
    "zeph": "B-ORG", "nimbus": "I-ORG", "tallow": "B-PER", "oslo": "B-LOC",
    "贝": "B-ORG", "莱": "I-ORG", "德": "I-ORG", "blackrock": "B-ORG",
}
# "zephyrix" is not a word of the vocabulary: the tokenizer splits it into zeph ##yrix, and
# ##yrix (labelled O) belongs to the span because a word takes its first piece's label.
VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *TAGS, "##yrix", "the", "fund", "said", "."]

HANS = "澜舟上周净流入 3.2 亿美元。"
HANT = "鯨藍上週淨流入 1.5 億美元。"
EN = "Zephyrix Nimbus took in $4.2 million last week, Tallow said in Oslo."


def make_model(folder: Path, tags: dict[str, str], positions: int = 64) -> str:
    import torch
    from transformers import BertConfig, BertForTokenClassification, BertTokenizerFast

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.txt").write_text("\n".join(VOCAB) + "\n", encoding="utf-8")
    tokenizer = BertTokenizerFast(str(folder / "vocab.txt"))  # lower-cases, one token per CJK char
    size = len(VOCAB) + len(VOCAB) % 2
    config = BertConfig(vocab_size=len(VOCAB), hidden_size=size, num_hidden_layers=0, num_attention_heads=1,
                        intermediate_size=4, max_position_embeddings=positions,
                        id2label=dict(enumerate(LABELS)), label2id={l: i for i, l in enumerate(LABELS)})
    model = BertForTokenClassification(config).eval()
    with torch.no_grad():
        emb = model.bert.embeddings
        emb.word_embeddings.weight.copy_(torch.eye(len(VOCAB), size))
        emb.position_embeddings.weight.zero_()
        emb.token_type_embeddings.weight.zero_()
        emb.LayerNorm.weight.fill_(1.0)
        emb.LayerNorm.bias.zero_()
        model.classifier.weight.zero_()
        model.classifier.bias.zero_()
        for token, label in tags.items():
            model.classifier.weight[LABELS.index(label), VOCAB.index(token)] = 1.0
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return str(folder)


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> str:
    if not HAS_ML:
        pytest.skip("needs the ml extra")
    return make_model(tmp_path_factory.mktemp("ner") / "tagger", TAGS)


@pytest.fixture(scope="module")
def silent_model(tmp_path_factory) -> str:
    """Same architecture, every token O: proposes nothing."""
    if not HAS_ML:
        pytest.skip("needs the ml extra")
    return make_model(tmp_path_factory.mktemp("ner") / "silent", {})


def classify(model: str, texts: list[str], **settings):
    from extract.ner import load_classifier

    return load_classifier(model, **settings).predict(texts)


# --- off unless configured -------------------------------------------------------------------

def test_without_a_model_neither_torch_nor_transformers_is_imported(tmp_path):
    script = textwrap.dedent(f"""
        import sys
        from extract.cli import cli
        cli(["extract", {str(CORPUS / "000_9881526b3ac62664.txt")!r}], standalone_mode=False)
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("torch", "transformers", "tokenizers"))
        print("HEAVY", heavy)
    """)
    env = {k: v for k, v in os.environ.items() if k not in ("CLAIMS_NER_MODEL", "CLAIMS_CONFIG")}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert '"doc": "000_9881526b3ac62664"' in done.stdout
    assert "HEAVY []" in done.stdout


def test_the_model_spec_comes_from_the_option_the_environment_or_claims_toml(tmp_path, monkeypatch):
    from extract.nerconfig import model_for, ner_spec

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CLAIMS_NER_MODEL", raising=False)
    monkeypatch.delenv("CLAIMS_CONFIG", raising=False)
    assert ner_spec(None) is None
    (tmp_path / "claims.toml").write_text('[ner]\nmodel = "/models/from-config"\n', encoding="utf-8")
    assert ner_spec(None) == "/models/from-config"
    monkeypatch.setenv("CLAIMS_NER_MODEL", "/models/from-env")
    assert ner_spec(None) == "/models/from-env"
    assert ner_spec("/models/from-option") == "/models/from-option"
    assert ner_spec("none") is None and ner_spec("") is None

    spec = "zh-Hant=/m/ckip,zh=/m/cluener,en=/m/dslim"
    assert model_for(spec, "zh-Hant") == "/m/ckip"
    assert model_for(spec, "zh-Hans") == "/m/cluener"
    assert model_for(spec, "en") == "/m/dslim"
    assert model_for("en=/m/dslim", "zh-Hans") is None
    assert model_for("/m/multilingual", "zh-Hans") == "/m/multilingual"


@needs_ml
def test_a_missing_model_is_one_line_and_nothing_is_downloaded(tmp_path, monkeypatch):
    from extract.cli import cli
    from click.testing import CliRunner

    monkeypatch.delenv("CLAIMS_NER_ALLOW_DOWNLOAD", raising=False)
    result = CliRunner().invoke(cli, ["extract", str(CORPUS / "000_9881526b3ac62664.txt"),
                                      "--ner-model", str(tmp_path / "no-such-model")])
    assert result.exit_code == 2
    assert "cannot load the NER model" in result.output and "hf download" in result.output
    assert "Traceback" not in result.output


def test_every_common_label_scheme_groups_words_into_spans():
    from extract.ner import _split_label, label_groups

    def groups(*labels):
        return label_groups([_split_label(label) for label in labels])

    assert groups("B-ORG", "I-ORG", "O", "B-PER") == [(0, 2), (3, 4)]                  # BIO (dslim)
    assert groups("I-ORG", "I-ORG", "B-ORG", "O") == [(0, 2), (2, 3)]                  # IOB1
    assert groups("B-ORG", "I-ORG", "E-ORG", "S-ORG", "S-PERSON") == [(0, 3), (3, 4), (4, 5)]  # BIES (ckiplab)
    assert groups("B-company", "I-company", "O", "S-name") == [(0, 2), (3, 4)]         # CLUENER
    assert groups("ORG", "ORG", "O", "PER", "ORG") == [(0, 2), (3, 4), (4, 5)]         # IO (Jean-Baptiste)
    assert groups("B-ORG", "I-PER", "O", "O") == [(0, 1), (1, 2)]


# --- exact spans -----------------------------------------------------------------------------

@needs_ml
@pytest.mark.parametrize("text, expected", [
    (HANS, [("澜舟", "ORG")]),
    (HANT, [("鯨藍", "ORG")]),
    (EN, [("Zephyrix Nimbus", "ORG"), ("Tallow", "PER"), ("Oslo", "LOC")]),
])
def test_offsets_give_the_exact_characters(model, text, expected):
    [spans] = classify(model, [text])
    assert [(s.text, s.label) for s in spans] == expected
    for s in spans:
        assert text[s.start:s.end] == s.text
    assert spans[0].start == text.index(expected[0][0])


@needs_ml
@pytest.mark.parametrize("lang, text, name, kind", [
    ("zh", HANS, "澜舟", "organisation"),
    ("zh", HANT, "鯨藍", "organisation"),
    ("en", EN, "Zephyrix Nimbus", "organisation"),
    ("en", EN, "Tallow", "person"),
])
def test_the_component_adds_unlinked_mentions_with_slug_ids(model, lang, text, name, kind):
    from extract.catalog import slug_id
    from extract.entities import doc_mentions
    from extract.pipeline import load_pipeline

    nlp = load_pipeline(lang, model)
    assert nlp.pipe_names[-2:] == ["entity_mentions", "ner_mentions"]
    doc = nlp(text)
    start, end = text.index(name), text.index(name) + len(name)
    [span] = [s for s in doc.spans["entities"] if s._.proposed is not None and s._.proposed.text == name]
    assert (span._.proposed.start, span._.proposed.end) == (start, end)
    # the spaCy span covers whole tokens: jieba may glue on a character (鯨|藍上 -> 鯨藍上)
    assert span.start_char <= start and end <= span.end_char
    assert span.label_ == slug_id(name) and span._.linked is False
    [mention] = [m for m in doc_mentions(doc) if m.text == name]
    assert (mention.kind, mention.linked, text[mention.start:mention.end]) == (kind, False, name)
    assert "oslo" not in {s.label_ for s in doc.spans["entities"]}  # LOC is not a subject kind


@needs_ml
def test_catalog_mentions_win_over_the_models_spans(model):
    from extract.pipeline import load_pipeline

    text = "贝莱德上周净流入 3 亿美元。BlackRock bought more."
    [proposed] = classify(model, [text])
    assert [s.text for s in proposed] == ["贝莱德", "BlackRock"]
    for lang in ("zh", "en"):
        doc = load_pipeline(lang, model)(text)
        assert all(s._.linked and s._.proposed is None for s in doc.spans["entities"]), lang


@needs_ml
def test_the_proposed_name_becomes_the_subject_and_is_listed_as_unlinked(model, tmp_path):
    from click.testing import CliRunner

    from extract.cli import cli
    from extract.extractor import extract_document

    for text, lang, subject in [(HANS, "zh-Hans", "澜舟"), (HANT, "zh-Hant", "鯨藍"), (EN, "en", "zephyrix-nimbus")]:
        document = Document(id="d", text=text, meta=DocumentMeta(lang=lang))
        with_model = extract_document(document, ner_model=model).claims
        assert [c.subject for c in with_model] == [subject], text
        assert [c.subject for c in extract_document(document).claims] != [subject]

    (tmp_path / "lanzhou.txt").write_text(HANS, encoding="utf-8")
    db = tmp_path / "claims.db"
    runner = CliRunner()
    ingested = runner.invoke(cli, ["ingest", str(tmp_path / "lanzhou.txt"), "--db", str(db), "--ner-model", model])
    assert ingested.exit_code == 0, ingested.output
    listed = runner.invoke(cli, ["entities", "--unlinked", "--db", str(db)])
    assert listed.exit_code == 0, listed.output
    assert "澜舟  organisation  1 claims in 1 documents" in listed.output
    assert "lanzhou: 澜舟上周净流入 3.2 亿美元。" in listed.output


# --- long documents and batches --------------------------------------------------------------

@needs_ml
@pytest.mark.parametrize("filler, name", [("the ", "Zephyrix Nimbus"), ("的", "澜舟")])
def test_an_entity_across_a_window_boundary_is_found_once(model, filler, name):
    from extract.ner import load_classifier

    classifier = load_classifier(model, window=16, stride=4)  # 14 text tokens a window, step 10
    for k in range(6, 40):
        text = filler * k + name + " said."
        [spans] = classifier.predict([text])
        start = text.index(name)
        assert [(s.start, s.end, s.text) for s in spans] == [(start, start + len(name), name)], k
    windows = classifier.windows(40)
    assert [w[:2] for w in windows] == [(0, 14), (10, 24), (20, 34), (26, 40)]
    assert [w[2:] for w in windows] == [(0, 12), (12, 22), (22, 30), (30, 40)]  # each token labelled once


@needs_ml
def test_documents_are_batched_through_nlp_pipe(model):
    from extract.ner import load_classifier
    from extract.pipeline import load_pipeline

    nlp = load_pipeline("en", model)
    texts = [EN, "The fund said Zephyrix Nimbus grew.", "Nothing to see.", "Tallow said."]

    def entities(doc):
        return [(s.start_char, s.end_char, s.label_) for s in doc.spans["entities"]]

    one_by_one = [entities(nlp(t)) for t in texts]
    calls = []
    hook = load_classifier(model).model.register_forward_hook(lambda *args: calls.append(1))
    try:
        piped = [entities(d) for d in nlp.pipe(texts)]
    finally:
        hook.remove()
    assert piped == one_by_one
    assert len(calls) == 1  # four one-window documents, one forward pass
    assert ("zephyrix-nimbus" in {label for *_, label in piped[1]})


# --- switched off, nothing changes -----------------------------------------------------------

@needs_ml
def test_claims_are_identical_when_the_model_proposes_nothing_new(silent_model):
    from extract.extractor import extract_document
    from extract.readers import read_documents

    documents = list(read_documents([str(CORPUS)]))
    assert len(documents) >= 4
    for document in documents:
        without = extract_document(document).to_document_claims().to_gold()
        with_model = extract_document(document, ner_model=silent_model).to_document_claims().to_gold()
        assert with_model == without, document.id
