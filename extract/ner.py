"""Model-assisted entity mentions: a Hugging Face token-classification model proposes the
organisations, products and people the catalog does not know.

Off unless configured — ``--ner-model PATH`` on ``claims ingest``/``extract``, the environment
variable ``CLAIMS_NER_MODEL``, or ``[ner] model = "PATH"`` in ``claims.toml`` (the current folder,
or the file named by ``CLAIMS_CONFIG``). This module imports torch and transformers only when a
model is loaded, so without one nothing of them is imported. The model spec is a path (or hub id)
for every language, or one per language: ``zh-Hant=/m/ckip,zh-Hans=/m/cluener,en=/m/dslim``
(``zh`` stands for both scripts).

Offline first: models load with ``local_files_only`` (a local folder, or one already in the
Hugging Face cache) unless ``CLAIMS_NER_ALLOW_DOWNLOAD=1`` (or ``allow_download = true`` in the
config file) lets transformers fetch a hub id.

How text becomes spans:

* the whole text is tokenized once by the model's *fast* tokenizer with
  ``return_offsets_mapping``, so every token knows its characters in the original text (Chinese
  and English alike; offsets are code points, as Python slices them);
* long texts are cut into windows of ``window`` tokens (special tokens included) overlapping by
  ``stride`` tokens; a token seen by two windows keeps the label of the window where it sits
  further from the edge, so an entity across a window boundary comes out once;
* windows of many documents are batched (``batch_size`` windows per forward pass) on CUDA when
  ``torch.cuda.is_available()``, else on the CPU;
* a word takes the label of its first sub-token; B-/I-/E-/S-/M- tags (and bare ``ORG``) are
  decoded into spans over words, and the span's characters run from its first token's start to
  its last token's end — ``text[start:end] == span.text`` exactly.

The ``ner_mentions`` spaCy component (after ``entity_mentions``) adds each proposed span that
overlaps neither a catalog mention nor a figure to ``doc.spans["entities"]``, unlinked
(``span._.linked = False``), labelled with its :func:`extract.catalog.slug_id`; the
:class:`NerSpan` rides along as ``span._.proposed`` so :func:`extract.entities.doc_mentions` keeps
the model's exact characters and kind (organisation, product, person).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import thinc_without_torch  # noqa: F401  (first: spaCy's thinc without torch)
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import minibatch

from .catalog import slug_id
from .errors import InputError
from .nerconfig import ENV_ALLOW_DOWNLOAD, _config_file, downloads_allowed, model_for

# The model's entity types (without B-/I- prefix, case-insensitive) that become subjects, and the
# mention kind each gets. CoNLL (dslim: PER/ORG), OntoNotes (ckiplab: PERSON/ORG/PRODUCT) and
# CLUENER (company/organization/government/name) all map here; LOC, GPE, MISC, DATE... do not.
DEFAULT_KINDS = {
    "org": "organisation", "organization": "organisation", "organisation": "organisation",
    "company": "organisation", "government": "organisation",
    "product": "product",
    "per": "person", "person": "person", "name": "person",
}
MIN_CHARS = 2
NAME_CHAR = re.compile(r"[^\W\d_]")  # a span must hold at least one letter (or CJK character)

if not Span.has_extension("linked"):
    Span.set_extension("linked", default=True)
if not Span.has_extension("proposed"):
    Span.set_extension("proposed", default=None)


# --- the model -----------------------------------------------------------------------------

@dataclass(frozen=True)
class NerSpan:
    """One span the model proposes: characters [start, end) of the text it was given."""

    start: int
    end: int
    text: str
    label: str   # the model's entity type, e.g. ORG
    kind: str    # mention kind: organisation, product, person
    score: float  # mean probability of the span's word labels


@dataclass(frozen=True)
class _Word:
    start: int
    end: int
    tag: str      # B, I, E, S, M, or "" for a bare label
    type: str     # entity type ("" for O)
    score: float


def _split_label(label: str) -> tuple[str, str]:
    """"B-ORG" -> ("B", "ORG"); "ORG" -> ("", "ORG"); "O" -> ("", "")."""
    if label.upper() == "O" or not label:
        return "", ""
    m = re.fullmatch(r"([BIESMLU])[-_](.+)", label)
    return (m.group(1), m.group(2)) if m else ("", label)


def label_groups(labels: list[tuple[str, str]]) -> list[tuple[int, int]]:
    """[i, j) runs of words forming one entity, from each word's (tag, type) — BIO, IOB1, BIES,
    BMES, BILOU and bare IO labels alike: B/S/U start a span, I/M/E/L or a bare label continue
    one of the same type (else start one), E/S/L/U end it, O and types left out end it."""
    groups, start = [], None
    for i, (tag, type_) in enumerate(labels):
        continues = start is not None and tag in ("I", "E", "M", "L", "") and labels[i - 1][1] == type_
        if start is not None and not continues:
            groups.append((start, i))
            start = None
        if type_ and start is None:
            start = i
        if type_ and tag in ("E", "S", "L", "U"):
            groups.append((start, i + 1))
            start = None
    if start is not None:
        groups.append((start, len(labels)))
    return groups


class TokenClassifier:
    """A Hugging Face token-classification model and its fast tokenizer, run over whole texts."""

    def __init__(self, model: str, window: int = 512, stride: int = 128, batch_size: int = 8,
                 device: str | None = None, download: bool = False):
        try:
            import torch
            import transformers
            from transformers import AutoModelForTokenClassification, AutoTokenizer
        except ImportError as e:
            raise InputError(model, f"NER models need the ml extra: pip install 'market-claims[ml]' ({e})") from None
        transformers.logging.set_verbosity_error()
        transformers.utils.logging.disable_progress_bar()
        local = Path(model).expanduser()
        source = str(local) if local.exists() else model
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=not download)
            self.model = AutoModelForTokenClassification.from_pretrained(source, local_files_only=not download)
        except Exception as e:  # OSError, ValueError, KeyError (unknown model type), JSON errors...
            hint = ("" if local.exists() or download else
                    "; not a folder and not in the Hugging Face cache — download it once with "
                    "`hf download ORG/NAME --local-dir DIR` and pass --ner-model DIR, "
                    f"or set {ENV_ALLOW_DOWNLOAD}=1")
            raise InputError(model, f"cannot load the NER model ({str(e).splitlines()[0]}){hint}") from None
        if not getattr(self.tokenizer, "is_fast", False):
            raise InputError(model, "the NER model needs a fast tokenizer (tokenizer.json) for character offsets")
        self.torch = torch
        self.device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        self.model.to(self.device).eval()
        self.labels = {int(i): _split_label(str(name)) for i, name in self.model.config.id2label.items()}
        probe = self.tokenizer("a", add_special_tokens=True, return_special_tokens_mask=True)
        ids, special = probe["input_ids"], probe["special_tokens_mask"]
        content = [i for i, s in enumerate(special) if not s]
        self.prefix = ids[:content[0]] if content else ids[:1]
        self.suffix = ids[content[-1] + 1:] if content else ids[1:]
        self.pad_id = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        limit = int(getattr(self.model.config, "max_position_embeddings", window) or window)
        if "roberta" in str(getattr(self.model.config, "model_type", "")):
            limit -= (self.model.config.pad_token_id or 0) + 1   # RoBERTa positions start after padding_idx
        max_len = getattr(self.tokenizer, "model_max_length", None)
        if isinstance(max_len, int) and max_len < 1_000_000:
            limit = min(limit, max_len)
        self.span = min(window, limit) - len(self.prefix) - len(self.suffix)  # content tokens per window
        if self.span < 2:
            raise InputError(model, f"window of {window} tokens leaves no room for text")
        self.stride = max(0, min(stride, self.span // 2))
        self.batch_size = max(1, batch_size)

    def windows(self, n: int) -> list[tuple[int, int, int, int]]:
        """Windows over ``n`` tokens: ``(start, end, own_start, own_end)``, each ``self.span`` tokens
        long and overlapping the next by at least ``self.stride``. A window *owns* the tokens it
        labels — in an overlap, those nearer its middle than the neighbour's (the half split)."""
        if n == 0:
            return []
        if n <= self.span:
            return [(0, n, 0, n)]
        step = self.span - self.stride
        starts = list(dict.fromkeys(list(range(0, n - self.span, step)) + [n - self.span]))
        spans = [(a, a + self.span) for a in starts]
        # token g of the overlap [a_next, b) is nearer the middle of the next window when
        # g - a_next > b - 1 - g; ties stay with the earlier window
        cuts = [0] + [(nxt[0] + cur[1] - 1) // 2 + 1 for cur, nxt in zip(spans, spans[1:])] + [n]
        return [(a, b, cuts[k], cuts[k + 1]) for k, (a, b) in enumerate(spans)]

    def predict(self, texts: list[str]) -> list[list[NerSpan]]:
        """The proposed spans of every text (all types the model knows, in text order)."""
        enc = self.tokenizer(list(texts), add_special_tokens=False, return_offsets_mapping=True,
                             truncation=False, verbose=False)
        jobs = []  # (text index, window start, end, owned start, owned end)
        for t, ids in enumerate(enc["input_ids"]):
            jobs += [(t, *w) for w in self.windows(len(ids))]
        labels = [[0] * len(ids) for ids in enc["input_ids"]]   # label id of every token
        scores = [[0.0] * len(ids) for ids in enc["input_ids"]]  # and its probability
        skip = len(self.prefix)
        for batch in minibatch(jobs, size=self.batch_size):
            rows = [self.prefix + enc["input_ids"][t][a:b] + self.suffix for t, a, b, _, _ in batch]
            width = max(map(len, rows))
            ids = self.torch.tensor([r + [self.pad_id] * (width - len(r)) for r in rows], device=self.device)
            mask = self.torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in rows], device=self.device)
            with self.torch.inference_mode():
                logits = self.model(input_ids=ids, attention_mask=mask).logits
                probs, best = logits.float().softmax(-1).max(-1)
            probs, best = probs.cpu().tolist(), best.cpu().tolist()
            for row, (t, a, _, lo, hi) in enumerate(batch):
                labels[t][lo:hi] = best[row][skip + lo - a:skip + hi - a]
                scores[t][lo:hi] = probs[row][skip + lo - a:skip + hi - a]
        return [self._decode(texts[t], enc[t], labels[t], scores[t]) for t in range(len(texts))]

    def _decode(self, text: str, encoding, labels: list[int], scores: list[float]) -> list[NerSpan]:
        """Token labels -> words (first sub-token's label) -> spans."""
        offsets, word_ids = encoding.offsets, encoding.word_ids
        words: list[_Word] = []
        last_word = object()
        for g, (start, end) in enumerate(offsets):
            if start == end:
                continue
            if word_ids[g] is not None and word_ids[g] == last_word and words:
                w = words[-1]
                words[-1] = _Word(w.start, max(w.end, end), w.tag, w.type, w.score)
                continue
            last_word = word_ids[g]
            tag, type_ = self.labels.get(labels[g], ("", ""))
            words.append(_Word(start, end, tag, type_, scores[g]))
        spans = [words[i:j] for i, j in label_groups([(w.tag, w.type) for w in words])]
        out = []
        for group in spans:
            start, end = group[0].start, group[-1].end
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if start < end:
                score = sum(w.score for w in group) / len(group)
                out.append(NerSpan(start, end, text[start:end], group[0].type, "", score))
        return out


def load_classifier(model: str, window: int | None = None, stride: int | None = None,
                    batch_size: int | None = None, device: str | None = None,
                    download: bool | None = None) -> TokenClassifier:
    """The :class:`TokenClassifier` for a model, loaded once per process. Settings left out come
    from the config file's ``[ner]`` table (``window``, ``stride``, ``batch_size``, ``device``,
    ``allow_download``), else 512 tokens, 128 overlap, 8 windows a batch, CUDA when available."""
    table = _config_file() if None in (window, stride, batch_size, device, download) else {}
    return _classifier(
        model,
        int(window if window is not None else table.get("window", 512)),
        int(stride if stride is not None else table.get("stride", 128)),
        int(batch_size if batch_size is not None else table.get("batch_size", 8)),
        device if device is not None else table.get("device"),
        downloads_allowed() if download is None else bool(download),
    )


@lru_cache(maxsize=None)
def _classifier(model, window, stride, batch_size, device, download) -> TokenClassifier:
    return TokenClassifier(model, window, stride, batch_size, device, download)


def check_model(spec: str | None) -> None:
    """Load every model named in ``spec`` now (InputError if one cannot be loaded)."""
    for lang in ("zh-Hans", "zh-Hant", "en"):
        model = model_for(spec, lang)
        if model:
            load_classifier(model)


# --- the spaCy component -------------------------------------------------------------------

@Language.factory("ner_mentions", default_config={
    "model": None, "window": None, "stride": None, "batch_size": None, "device": None,
    "allow_download": None, "kinds": None, "min_score": 0.0,
})
def create_ner_mentions(nlp: Language, name: str, model: str | None, window: int | None,
                        stride: int | None, batch_size: int | None, device: str | None,
                        allow_download: bool | None, kinds: dict | None, min_score: float):
    """Settings left at None come from the config file (see :func:`load_classifier`)."""
    if not model:
        raise ValueError("ner_mentions needs a model (a local folder or a hub id)")
    classifier = load_classifier(model, window, stride, batch_size, device, allow_download)
    return NerMentions(classifier, kinds or DEFAULT_KINDS, min_score)


class NerMentions:
    """Adds the model's ORG/PRODUCT/PERSON spans where the catalog found nothing."""

    def __init__(self, classifier: TokenClassifier, kinds: dict, min_score: float = 0.0):
        self.classifier = classifier
        self.kinds = {k.lower(): v for k, v in kinds.items()}
        self.min_score = min_score

    def proposals(self, texts: list[str]) -> list[list[NerSpan]]:
        """The model's spans of the kinds that can be subjects, with their mention kind."""
        out = []
        for spans in self.classifier.predict(texts):
            kept = []
            for s in spans:
                kind = self.kinds.get(s.label.lower())
                if kind and s.score >= self.min_score and len(s.text) >= MIN_CHARS and NAME_CHAR.search(s.text):
                    kept.append(NerSpan(s.start, s.end, s.text, s.label, kind, s.score))
            out.append(kept)
        return out

    def __call__(self, doc: Doc) -> Doc:
        return self.add(doc, self.proposals([doc.text])[0])

    def pipe(self, docs, batch_size: int = 32):
        for batch in minibatch(docs, size=batch_size):
            for doc, spans in zip(batch, self.proposals([d.text for d in batch])):
                yield self.add(doc, spans)

    @staticmethod
    def add(doc: Doc, proposals: list[NerSpan]) -> Doc:
        """Put each proposal that overlaps no catalog mention, earlier proposal or figure on
        ``doc.spans["entities"]``, unlinked, labelled with its slug id."""
        existing = list(doc.spans["entities"]) if "entities" in doc.spans else []
        figures = list(doc.spans["quantities"]) if "quantities" in doc.spans else []
        taken = [(s.start_char, s.end_char) for s in existing + figures]
        added = []
        for p in proposals:
            try:
                label = slug_id(p.text)
            except ValueError:
                continue
            span = doc.char_span(p.start, p.end, label=label, alignment_mode="expand")
            if span is None or any(a < max(p.end, span.end_char) and min(p.start, span.start_char) < b
                                   for a, b in taken):
                continue
            span._.linked = False
            span._.proposed = p
            added.append(span)
            taken.append((span.start_char, span.end_char))
        if added:
            doc.spans["entities"] = sorted(existing + added, key=lambda s: (s.start_char, s.end_char))
        return doc
