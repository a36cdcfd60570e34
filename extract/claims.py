"""From a parsed Doc to claims in the gold format: each figure gets its subject, metric, sign,
period, cited source and display form, in text order, from the stages that decide each field.
"""
from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_right
from dataclasses import dataclass

from . import thinc_without_torch  # noqa: F401  (first: spaCy's thinc without torch)
from spacy.attrs import SENT_START
from spacy.tokens import Doc

from schemas import Claim, Quantity

from .claimcontext import ClaimContext
from .display import display_claim
from .doctext import doc_text
from .entities import doc_mentions
from .metrics import classify_metric
from .normalize import normalize
from .periods import resolve_period
from .sources import cited_source
from .subjects import Earlier, attach_subject, settle_subject, settle_subjects, subject_candidates

RATIO_CUES = re.compile(r"(?i:ratio|multiple|比率|比值|倍数)")
LEVEL_METRICS_WITH_BARE_UNITS = {"x", "points"}


@dataclass
class BuiltClaim:
    claim: Claim
    sentence: str
    display: str


def bare_unit(text: str, q: Quantity) -> str:
    """A bare number is an index level in points unless the words before it make it a ratio."""
    head = text[max(0, q.start - 24):q.start]
    return "x" if RATIO_CUES.search(head) else "points"


def paragraphs(text: str) -> list[tuple[int, int]]:
    """[start, end) of every line of text (news paragraphs are lines)."""
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]


def _containing(spans: list[tuple[int, int]], pos: int) -> tuple[int, int]:
    for start, end in spans:
        if start <= pos < end:
            return start, end
    return pos, pos


def sentence_starts(doc: Doc) -> list[int]:
    """Indices of the tokens that start a sentence (0 always), from one array rather than token by token."""
    return [0] + [i for i, flag in enumerate(doc.to_array(SENT_START).tolist()) if flag == 1 and i > 0]


def sentence_of(doc: Doc, starts: list[int], span) -> tuple[int, int]:
    """[start, end) characters of ``span.sent``: the sentence holding the span's first token."""
    k = bisect_right(starts, span.start)        # starts[k - 1] opens the sentence, starts[k] the next
    first, last = starts[k - 1], (starts[k] if k < len(starts) else len(doc)) - 1
    return doc[first].idx, doc[last].idx + len(doc[last])


def signed_value(value: float, direction: int | None) -> float:
    """Flows and changes carry their direction; levels keep the sign written in the text."""
    return abs(value) * direction if direction else value


def build_claims(doc: Doc, lang: str, doc_date: dt.date | None, display_lang: str = "en") -> list[BuiltClaim]:
    """One claim per quantity span, numbered c01, c02… in text order."""
    text = doc_text(doc)
    norm = normalize(text, simplify=lang.startswith("zh"))
    # each span's Quantity read once (span._ is slow); a stable sort keeps the order of equal starts
    spans = sorted(((s._.quantity, s) for s in doc.spans["quantities"]), key=lambda pair: pair[0].start)
    starts = sentence_starts(doc)
    sentences = [sentence_of(doc, starts, span) for _, span in spans]
    quantities = [q for q, _ in spans]
    mentions = doc_mentions(doc)
    candidates = subject_candidates(norm, mentions)
    paras = paragraphs(text)
    # the first line is a title when it is short and more text follows it
    title = paras[0] if len(paras) > 1 and len(text[paras[0][0]:paras[0][1]]) <= 120 else None
    earlier: list[Earlier] = []
    contexts, metrics, metric_names, subjects, periods = [], [], [], [], []
    for i, q in enumerate(quantities):
        ctx = ClaimContext(
            text=text, norm=norm, lang=lang, doc_date=doc_date, quantity=q,
            sentence=sentences[i], paragraph=_containing(paras, q.start),
            mentions=mentions, quantities=quantities, index=i, title=title, candidates=candidates,
        )
        metric = classify_metric(ctx)
        metrics.append(metric)
        metric_names.append(metric.metric)
        periods.append(resolve_period(ctx, metric.metric))
        subjects.append(attach_subject(ctx, metric.metric, earlier))
        # settle_subject reads figures 0..i only, so the whole lists serve as well as their first i + 1
        subjects[i] = settle_subject(i, quantities, metric_names, subjects, periods)
        subject = subjects[i]
        earlier.append(Earlier(q.start, q.end, subject.subject, metric.metric, subject.region, ctx.paragraph))
        contexts.append(ctx)
    subjects = settle_subjects(quantities, metric_names, subjects, periods)
    out: list[BuiltClaim] = []
    for i, (sent, ctx, metric, subject, period) in enumerate(zip(sentences, contexts, metrics, subjects, periods), 1):
        q = ctx.quantity
        low = high = None
        if q.low is not None:
            low, high = sorted((signed_value(q.low, metric.direction), signed_value(q.high, metric.direction)))
        claim = Claim(
            id=f"c{i:02d}", start=q.start, end=q.end, text=q.text,
            value=signed_value(q.value, metric.direction), low=low, high=high,
            unit=q.unit or bare_unit(text, q), approx=q.approx,
            subject=subject.subject, metric=metric.metric, region=subject.region, object=subject.object,
            period=period, source=cited_source(ctx),
        )
        out.append(BuiltClaim(claim, text[sent[0]:sent[1]].strip(), display_claim(claim, display_lang)))
    return out
