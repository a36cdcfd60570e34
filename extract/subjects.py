"""Which entity a figure is about: ``attach_subject(ctx, metric, earlier) -> Subject``.

Rules, in order (all on the sentence holding the figure):

1. ``分别`` / ``respectively`` with a list of names before a list of figures: the i-th figure
   belongs to the i-th name.
2. ``holding``: the holder is the name before 持有/holds, the object the first name after the figure.
3. ``share``: the part is what stands before 占/accounts for — a figure there lends its subject.
4. Otherwise the nearest name before the figure in its clause, else in its sentence, else the
   nearest name after it in its clause. Names joined by 和/与/及/、/and form one subject
   (``btc+eth``). A region name sets ``region`` and the search goes on for the subject.
5. Nothing in the sentence: the subject of the previous figure in the paragraph carries over;
   a figure called a total (总额, total, overall) takes the document's first subject of the
   same metric.

Data providers and cited names (根据 X, per X) are sources, not subjects.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .catalog import load_catalog
from .claimcontext import ClaimContext, Mention
from .tables import load_table

CLAUSE_BREAK = re.compile(r"[,，;；:：。！？!?\n()（）]")
LIST_JOINER = re.compile(r"\s*(?:、|,|，|和|与|及|以及|(?:,\s*)?and)?\s*", re.I)
NOT_SUBJECT_KINDS = {"data-provider"}
REGION_SCOPED_KINDS = {"institution", "aggregate", "indicator"}


@dataclass(frozen=True)
class Subject:
    subject: str | None
    region: str | None = None
    object: str | None = None
    named: bool = True   # False when carried over or taken from a name after the figure


@dataclass(frozen=True)
class Earlier:
    """What the claim-builder already decided for an earlier figure of the document."""

    start: int
    end: int
    subject: str | None
    metric: str | None
    region: str | None
    paragraph: tuple[int, int]


@lru_cache(maxsize=1)
def _words() -> dict:
    t = load_table("subjects")
    return {
        "respectively": re.compile("|".join(map(re.escape, t["respectively"])), re.I),
        "joiners": re.compile(r"\s*(?:" + "|".join(map(re.escape, t["joiners"])) + r")\s*$", re.I),
        "holding": re.compile("|".join(map(re.escape, t["holding_verbs"])), re.I),
        "share": re.compile("|".join(map(re.escape, t["share_verbs"])), re.I),
        "total": re.compile("|".join(map(re.escape, t["total_words"])), re.I),
        "citation": re.compile(r"(?:" + "|".join(map(re.escape, t["citation_before"])) + r")\s*$", re.I),
        "cites": re.compile(r"^\s*(?:的)?\s*(?:" + "|".join(map(re.escape, t["citation_after"])) + r")", re.I),
        "venue": re.compile(r"(?:" + "|".join(map(re.escape, t["venue_before"])) + r")\s*$", re.I),
        "both": re.compile("|".join(map(re.escape, t["both_words"])), re.I),
        "reserves": re.compile("|".join(map(re.escape, t["reserve_words"])), re.I),
    }


def attach_subject(ctx: ClaimContext, metric: str | None, earlier: list[Earlier]) -> Subject:
    """The subject (catalog id, ``a+b`` for several), region code and held object of one figure."""
    q = ctx.quantity
    s_start, s_end = ctx.sentence
    candidates = ctx.candidates if ctx.candidates is not None else subject_candidates(ctx.norm, ctx.mentions)
    mentions = [m for m in candidates if s_start <= m.start and m.end <= s_end]
    before = [m for m in mentions if m.end <= q.start]
    clause_start = _clause_start(ctx.norm, s_start, q.start)
    clause_end = _clause_end(ctx.norm, q.end, s_end)

    listed = _respectively(ctx, before)
    if listed is not None:
        return _with_region(listed, ctx, earlier, metric)
    if metric == "holding":
        holder = _holding(ctx, mentions)
        if holder is not None:
            return holder
    if metric == "reserves_change":
        holder = _holder_before(ctx, mentions, _words()["reserves"])
        if holder is not None:
            return _with_region([holder], ctx, earlier, metric)
    if metric == "share":
        part = _share_part(ctx, earlier, mentions)
        if part is not None:
            return part
    both = _both(ctx, earlier, clause_start)
    if both is not None:
        return both

    in_clause = [m for m in before if m.start >= clause_start]
    after = [m for m in mentions if m.start >= q.end and m.end <= clause_end]
    head = _modified_head(ctx, after)
    if head is not None:
        return _with_region([head], ctx, earlier, metric)
    for group in (in_clause, before):
        chosen = _nearest(ctx, group)
        if chosen:
            return _with_region(chosen, ctx, earlier, metric)
    in_paragraph = [m for m in candidates if ctx.paragraph[0] <= m.start and m.end <= s_start
                    and m.kind != "region"]
    if after:
        found = _with_region(after[:1], ctx, earlier, metric)
        return Subject(found.subject, found.region, found.object, named=False)
    if in_paragraph:
        found = _with_region(_nearest(ctx, in_paragraph), ctx, earlier, metric)
        return Subject(found.subject, found.region, found.object, named=False)
    implied = _implied(ctx, metric)
    if implied is not None:
        return _with_region([implied], ctx, earlier, metric)
    return _carried(ctx, earlier, metric, region=None)


def _implied(ctx: ClaimContext, metric: str | None) -> Mention | None:
    """降息概率 with no name: the event implies its actor (implied_subjects in subjects.yaml)."""
    t = load_table("subjects")
    if metric not in t["implied_metrics"]:
        return None
    sentence = ctx.norm[ctx.sentence[0]:ctx.sentence[1]].lower()
    for entity_id, cues in t["implied_subjects"].items():
        if any(cue.lower() in sentence for cue in cues):
            entity = load_catalog().get(entity_id)
            return Mention(ctx.quantity.start, ctx.quantity.start, "", entity_id, entity.kind if entity else "")
    return None


def _modified_head(ctx: ClaimContext, after: list[Mention]) -> Mention | None:
    """"约60%资产的IBIT基金", "6% 质押收益的 Solana ETF": in Chinese the figure modifies the name
    after 的, which is what the figure is about."""
    if not ctx.lang.startswith("zh") or not after:
        return None
    m = re.match(r"[^,，;；。的]{0,6}的\s*", ctx.norm[ctx.quantity.end:after[0].start + 1])
    return after[0] if m and after[0].start - (ctx.quantity.end + m.end()) <= 1 else None


def subject_candidates(norm: str, mentions: list[Mention]) -> list[Mention]:
    """The mentions that may be a subject, in their order: the same for every figure of a document,
    so :func:`extract.claims.build_claims` works them out once (``ClaimContext.candidates``)."""
    return [m for m in mentions if _is_candidate(norm, mentions, m)]


def _is_candidate(norm: str, mentions: list[Mention], m: Mention) -> bool:
    """Sources (根据 X, X 披露, per X), venues (on Binance) and names in apposition
    ("IBIT (BTC ETF)", "贝莱德(BlackRock)") are not subjects."""
    w = _words()
    if m.kind in NOT_SUBJECT_KINDS:
        return False
    head = norm[max(0, m.start - 12):m.start]
    if w["citation"].search(head) or w["cites"].match(norm[m.end:m.end + 6]):
        return False
    if w["venue"].search(head) and _is_exchange(m.entity_id):
        return False
    return not _in_apposition(norm, mentions, m)


def _is_exchange(entity_id: str) -> bool:
    catalog = load_catalog()
    return entity_id in catalog and catalog.is_part_of(entity_id, "exchanges")


def _in_apposition(norm: str, mentions: list[Mention], m: Mention) -> bool:
    """A name in brackets right after another name only describes it."""
    before = norm[max(0, m.start - 2):m.start].rstrip()
    if not before.endswith(("(", "（")):
        return False
    opening = norm.rfind("(", 0, m.start) if "(" in before else norm.rfind("（", 0, m.start)
    return any(0 <= opening - other.end <= 1 for other in mentions if other is not m)


def _clause_start(text: str, lo: int, pos: int) -> int:
    breaks = [m.end() for m in CLAUSE_BREAK.finditer(text, lo, pos)]
    return breaks[-1] if breaks else lo


def _clause_end(text: str, pos: int, hi: int) -> int:
    m = CLAUSE_BREAK.search(text, pos, hi)
    return m.start() if m else hi


def _nearest(ctx: ClaimContext, group: list[Mention], from_end: bool = True) -> list[Mention]:
    """The nearest mention and any mentions joined to it by 和/与/、/and, in text order."""
    if not group:
        return []
    ordered = group if from_end else list(reversed(group))
    chosen = [ordered[-1]]
    for m in reversed(ordered[:-1]):
        gap = ctx.norm[m.end:chosen[0].start]
        if _words()["joiners"].match(gap) and m.entity_id != chosen[0].entity_id:
            chosen.insert(0, m)
        else:
            break
    return chosen


def _respectively(ctx: ClaimContext, before: list[Mention]) -> list[Mention] | None:
    """分别 / respectively, or a list of names before a list of as many figures ("Binance and
    Chainlink saw gains of $4.6 million and $3.8 million"): the i-th figure goes with the i-th name."""
    figures = _figure_list(ctx)
    names = _nearest(ctx, [m for m in before if m.end <= figures[0].start])
    if len(names) < 2 or len(figures) < 2:
        return None
    sentence = ctx.norm[ctx.sentence[0]:ctx.sentence[1]]
    if len(names) != len(figures) and not _words()["respectively"].search(sentence):
        return None
    position = [f.start for f in figures].index(ctx.quantity.start)
    return [names[position]] if len(names) == len(figures) else None


def _figure_list(ctx: ClaimContext) -> list:
    """The run of figures joined by list separators (、, and, 和) that holds this figure."""
    qs, i = ctx.quantities, ctx.index
    lo = hi = i
    while lo > 0 and qs[lo - 1].end <= qs[lo].start and LIST_JOINER.fullmatch(ctx.norm[qs[lo - 1].end:qs[lo].start]):
        lo -= 1
    while hi + 1 < len(qs) and LIST_JOINER.fullmatch(ctx.norm[qs[hi].end:qs[hi + 1].start]):
        hi += 1
    return qs[lo:hi + 1]


def _holding(ctx: ClaimContext, mentions: list[Mention]) -> Subject | None:
    q = ctx.quantity
    verb = None
    for m in _words()["holding"].finditer(ctx.norm, ctx.sentence[0], q.start):
        verb = m
    if verb is None:
        return None
    holders = [m for m in mentions if m.end <= verb.start() and m.kind != "region"]
    objects = [m for m in mentions if m.start >= q.end and m.kind != "region"]
    if not holders:
        return None
    holder = holders[-1]
    entity = load_catalog().get(holder.entity_id)
    return Subject(holder.entity_id, entity.region if entity else None,
                   objects[0].entity_id if objects else None)


def _holder_before(ctx: ClaimContext, mentions: list[Mention], verbs: re.Pattern) -> Mention | None:
    """The nearest name that can hold things (not an asset, not a region) before the verb."""
    verb = None
    for m in verbs.finditer(ctx.norm, ctx.sentence[0], ctx.quantity.start):
        verb = m
    if verb is None:
        return None
    holders = [m for m in mentions if m.end <= verb.start() and m.kind not in ("asset", "region")]
    return holders[-1] if holders else None


def _share_part(ctx: ClaimContext, earlier: list[Earlier], mentions: list[Mention]) -> Subject | None:
    """For a share, the part stands before 占 / accounts for: the nearest names or figure there."""
    q = ctx.quantity
    verb = None
    for m in _words()["share"].finditer(ctx.norm, ctx.sentence[0], q.start):
        verb = m
    if verb is None:
        return None
    figures = [e for e in earlier if ctx.sentence[0] <= e.start and e.end <= verb.start() and e.subject]
    names = [m for m in mentions if m.end <= verb.start()]
    if names and (not figures or names[-1].end > figures[-1].end):
        return _with_region(_nearest(ctx, names), ctx, earlier, "share")
    if figures:
        return Subject(figures[-1].subject, figures[-1].region)
    return None


def _both(ctx: ClaimContext, earlier: list[Earlier], clause_start: int) -> Subject | None:
    """两者合计 / both together: the subjects of the two figures before, joined."""
    if not _words()["both"].search(ctx.norm[clause_start:ctx.quantity.start]):
        return None
    previous = [e for e in earlier if ctx.sentence[0] <= e.start and e.subject][-2:]
    if len(previous) == 2 and previous[0].subject != previous[1].subject:
        return Subject(f"{previous[0].subject}+{previous[1].subject}", previous[-1].region)
    return None


def _with_region(chosen: list[Mention], ctx: ClaimContext, earlier: list[Earlier], metric: str | None) -> Subject:
    """Split region names from subjects; a figure scoped only by a region keeps the carried subject."""
    catalog = load_catalog()
    regions = [m for m in chosen if m.kind == "region"]
    subjects = [m for m in chosen if m.kind != "region"]
    region = None
    if len(regions) == 1:
        entity = catalog.get(regions[0].entity_id)
        region = entity.code if entity else None
    if not subjects:
        return _carried(ctx, earlier, metric, region)
    ids = _distribute_etf_groups([m.entity_id for m in subjects])
    if region is None and len(ids) == 1:
        entity = catalog.get(ids[0])
        # an institution or a group is scoped to its country (the Fed, US-listed ETFs); a single
        # fund, index or company is not given one
        if entity is not None and entity.kind in REGION_SCOPED_KINDS:
            region = entity.region
        region = region or _region_named_before(ctx, subjects[0])
    return Subject("+".join(dict.fromkeys(ids)), region)


def _region_named_before(ctx: ClaimContext, m: Mention) -> str | None:
    """"美国现货比特币 ETF": a region name right before the subject scopes it."""
    for other in ctx.mentions:
        if other.kind == "region" and 0 <= m.start - other.end <= 2:
            entity = load_catalog().get(other.entity_id)
            return entity.code if entity else None
    return None


def _distribute_etf_groups(ids: list[str]) -> list[str]:
    """"比特币和以太坊 ETF": the shared head noun makes every asset an ETF group."""
    catalog = load_catalog()
    if len(ids) > 1 and ids[-1].endswith("-etfs"):
        return [f"{i}-etfs" if f"{i}-etfs" in catalog else i for i in ids]
    return ids


def _carried(ctx: ClaimContext, earlier: list[Earlier], metric: str | None, region: str | None) -> Subject:
    """No name in the sentence: a total takes the document's first subject of this metric; other
    figures take the previous figure's subject in the same paragraph, else the previous one of
    the same metric."""
    clause = ctx.norm[_clause_start(ctx.norm, ctx.sentence[0], ctx.quantity.start):ctx.quantity.end + 6]
    if region is not None:
        # a figure scoped only by a region ("美国市场流出 18 亿美元") breaks down the broadest total so far
        catalog = load_catalog()
        totals = [e for e in earlier if e.metric == metric and e.region is None and e.subject in catalog
                  and catalog.get(e.subject).kind == "aggregate"]
        if totals:
            broadest = min(totals, key=lambda e: (len(catalog.ancestors(e.subject)), -e.start))
            return Subject(broadest.subject, region, named=False)
    if _words()["total"].search(clause):
        for e in earlier:
            if e.metric == metric and e.subject and e.region is None:
                return Subject(e.subject, region, named=False)
    for e in reversed(earlier):
        if e.paragraph == ctx.paragraph and e.subject:
            same_sentence = ctx.sentence[0] <= e.start
            return Subject(e.subject, region if region is not None else e.region, named=same_sentence)
    for e in reversed(earlier):
        if e.metric == metric and e.subject:
            return Subject(e.subject, region, named=False)
    return Subject(None, region, named=False)


def repeated_statement(i: int, quantities: list, metrics: list, subjects: list[Subject],
                       candidates: range | list[int], periods: list | None = None) -> Subject | None:
    """The subject named where the same amount (same unit, metric and period) is stated elsewhere."""
    q, metric = quantities[i], metrics[i]
    for j in candidates:
        q2, subj2 = quantities[j], subjects[j]
        if j != i and subj2.named and subj2.subject and metrics[j] == metric and q2.unit == q.unit \
                and abs(abs(q2.value) - abs(q.value)) <= 1e-9 * max(1.0, abs(q.value)) \
                and (periods is None or _same_period(periods[i], periods[j])):
            return subj2
    return None


def _same_period(a, b) -> bool:
    """Periods that could be the same: either unknown, or overlapping."""
    return a is None or b is None or (a[0] <= b[1] and b[0] <= a[1])


def settle_subject(i: int, quantities: list, metrics: list, subjects: list[Subject],
                   periods: list | None = None) -> Subject:
    """A figure whose subject was only carried over, stated again, is the same fact as the
    earlier statement of that amount: it takes the subject named there."""
    subj = subjects[i]
    if subj.named and subj.subject:
        return subj
    found = repeated_statement(i, quantities, metrics, subjects, range(i - 1, -1, -1), periods)
    if found is None:
        return subj
    return Subject(found.subject, subj.region or found.region, subj.object, named=True)


def settle_subjects(quantities: list, metrics: list[str | None], subjects: list[Subject],
                    periods: list | None = None) -> list[Subject]:
    """Last pass over a document: a figure still without a named subject takes it from a later
    statement of the same amount (a headline stated again in the body), else a figure with no
    subject at all takes the next one of its metric."""
    out = list(subjects)
    for i, subj in enumerate(subjects):
        if subj.named and subj.subject:
            continue
        found = repeated_statement(i, quantities, metrics, subjects, range(i + 1, len(subjects)), periods)
        if found is not None:
            out[i] = Subject(found.subject, subj.region or found.region, subj.object, named=False)
    for i, subj in enumerate(out):
        if subj.subject is None:
            later = [s for s, m in zip(out[i + 1:], metrics[i + 1:]) if s.subject and m == metrics[i]]
            if later:
                out[i] = Subject(later[0].subject, subj.region, subj.object, named=False)
    return out
