"""Metric type and direction of one figure: ``classify_metric(ctx) -> MetricResult``.

Contract: ``metric`` is one of the GUIDE metric types (fund_flow, aum, price, price_target,
price_change, market_cap, market_cap_change, aum_change, holding, share, probability, rate,
rate_change, index_level, liquidation, reserves_change, purchase, count, elasticity, other).
``direction`` is +1/-1 for the signed metrics (flows and changes, ``signed`` in the table) and for
``other`` figures whose cue has one (浮亏); None for levels.  A sign written on the figure (-1.79%,
负10%) decides signed metrics.  Claim value = ``abs(value) * direction`` if a direction is given,
else the value as written.  ``cue``: the deciding word, or "echo:…", "paragraph:…", "unit:…".

Rules are data: ``extract/data/metrics.yaml``, whose header states the precedence implemented here.
Words are matched on ``ctx.norm`` (Simplified), so Traditional text needs no words of its own.
"""
from __future__ import annotations

import re
import threading
from bisect import bisect_left
from dataclasses import dataclass, replace
from functools import lru_cache

from schemas import Quantity

from .claimcontext import ClaimContext
from .tables import alternation, load_table
from .wordindex import matches_at, word_index, word_starts

AMOUNTS = ("money", "crypto")


@dataclass(frozen=True)
class MetricResult:
    """A figure's metric type, the direction of its value (None for levels) and the deciding cue."""

    metric: str
    direction: int | None = None
    cue: str | None = None


@dataclass(frozen=True)
class Group:
    """One cue group of the table; the YAML header explains each key."""

    name: str
    regex: re.Pattern
    lowered: re.Pattern                # the same words over ASCII-lowered text (what the scans use)
    words: tuple = ()                  # its words as they appear in the lowered text (zh, en lowered)
    role: str = "cue"                  # cue | change | level | topic
    metric: str | None = None
    direction: int | None = None
    change: str | None = None          # metric of a rise/fall of this quantity: makes the group a topic
    units: frozenset = frozenset()
    near: int | None = None
    noun: bool = False
    default_amount: str | None = None
    side: str = "both"
    scope: str = "sentence"


@dataclass(frozen=True)
class Hit:
    group: Group
    start: int
    end: int
    cost: int
    crossed: bool             # a clause break lies between word and figure
    before: bool
    to_level: bool            # a change verb followed by 至/到/to/below/above: names the level after it


def words_regex(zh: list | None, en: list | None) -> re.Pattern:
    """zh words as substrings; en words case-insensitive and word-bounded."""
    parts = [alternation(zh)] if zh else []
    if en:
        parts.append(r"(?<![A-Za-z0-9])" + alternation(en, "i") + r"(?![A-Za-z0-9])")
    return re.compile("|".join(parts) or r"(?!x)x")


ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_UPPER_RUN = re.compile("[A-Z]+")


def ascii_lower(text: str) -> str:
    """``text.translate(ASCII_LOWER)``, faster: only runs of ASCII capitals are rewritten."""
    return _UPPER_RUN.sub(lambda m: m.group().lower(), text)


def lowered_words_regex(zh: list | None, en: list | None) -> re.Pattern:
    """``words_regex`` for text whose ASCII letters are lower-cased (``text.translate(ASCII_LOWER)``,
    same length and offsets): case-sensitive, so ``re`` skips through it several times faster than
    through a case-insensitive alternation. Same matches, as no zh word holds an ASCII letter."""
    if any(re.search("[A-Za-z]", w) for w in zh or ()):
        raise ValueError(f"a zh word holds ASCII letters: {zh}")
    parts = [alternation(zh)] if zh else []
    if en:
        parts.append(r"(?<![a-z0-9])" + alternation([w.lower() for w in en]) + r"(?![a-z0-9])")
    return re.compile("|".join(parts) or r"(?!x)x")


@lru_cache(maxsize=None)
def tables() -> dict:
    t = dict(load_table("metrics"))
    groups = []
    for g in map(dict, t["groups"]):
        zh, en = g.pop("zh", None), g.pop("en", None)
        groups.append(Group(regex=words_regex(zh, en), lowered=lowered_words_regex(zh, en),
                            words=tuple(zh or ()) + tuple(w.lower() for w in en or ()),
                            units=frozenset(g.pop("units", ())), **g))
    t["groups"] = groups
    t["word_index"] = word_index([g.words for g in groups])
    t["order"] = {g.name: i for i, g in enumerate(t["groups"])}
    t["metric_units"] = {m: set(u) for m, u in t["change_units"].items()}
    for g in t["groups"]:
        if g.role == "cue":
            t["metric_units"].setdefault(g.metric, set()).update(g.units)
    t["change_words"] = re.compile("|".join(g.regex.pattern for g in t["groups"] if g.role == "change"))
    for key in ("level_markers", "appositive", "rule_of_thumb"):
        t[key + "_re"] = words_regex(t[key]["zh"], t[key]["en"])
    t["end_marker"] = re.compile(r"\s*了?\s*(?:至|到|(?i:to|below|above)(?![A-Za-z]))")
    t["clause_re"] = re.compile("[" + re.escape(t["clause_breaks"]) + "]")
    t["sentence_re"] = re.compile(t["sentence_breaks"])
    return t


def unit_class(q: Quantity) -> str:
    """money, crypto, percent, bp, count, shares, measure, multiple or number (bare or points)."""
    if q.kind in ("money", "crypto", "bp", "count", "multiple") or q.unit in ("%", "shares"):
        return {"%": "percent", "shares": "shares"}.get(q.unit, q.kind)
    return "measure" if q.kind == "unit" and q.unit not in (None, "points") else "number"


def classify_metric(ctx: ClaimContext) -> MetricResult:
    """The metric of ``ctx.quantity`` and the direction of its value (see the module docstring)."""
    r, _ = decide(ctx, echo=True)
    q, signed = ctx.quantity, r.metric in tables()["signed"]
    direction = (r.direction or 1) if signed else r.direction if r.metric == "other" else None
    if q.signed and q.value and direction is not None:
        direction = 1 if q.value > 0 else -1
    return MetricResult(r.metric, direction, r.cue)


def decide(ctx: ClaimContext, echo: bool) -> tuple[MetricResult, float]:
    """The decision and its strength: 2 cue in the clause, 1 elsewhere in the sentence, <1 weak."""
    t, q, norm, uc = tables(), ctx.quantity, ctx.norm, unit_class(ctx.quantity)
    s0, s1 = ctx.sentence
    if ctx.index > 0 and ctx.quantities[ctx.index - 1].start >= s0:      # 1. appositive
        prev = ctx.quantities[ctx.index - 1]
        gap = norm[prev.end:q.start]
        m = t["appositive_re"].search(gap)
        if m and len(gap) - m.end() <= t["appositive"]["near"]:
            restated = decide(replace(ctx, quantity=prev, index=ctx.index - 1), echo)
            if restated[1] >= 1 and uc in t["metric_units"].get(restated[0].metric, ()):
                return restated
    hits = hits_in(ctx, s0, s1)
    for m in t["rule_of_thumb_re"].finditer(norm, s0, q.start):          # 2. rule of thumb
        drivers = [h for h in hits_in(ctx, m.end(), m.end() + t["rule_of_thumb"]["span"])
                   if h.group.role == "change" or h.group.metric == "fund_flow"]
        if drivers and figures_between(ctx, m.end(), q.start):
            change = nearest(h for h in hits if h.group.role == "change")
            return MetricResult("elasticity", change and change.group.direction, "rule-of-thumb"), 2
        if drivers and any(o.start >= q.end and o.end <= s1 for o in ctx.quantities):
            return MetricResult("elasticity", drivers[0].group.direction, "rule-of-thumb"), 2
    level = level_mode(ctx)                                             # 3-5. nearest cue
    verb = nearest(h for h in hits if h.to_level and h.before and not figures_between(ctx, h.end, q.start))
    blocked = (lambda h: h.end <= verb.start and h.group.role != "change") if verb else (lambda h: False)
    best = nearest(h for h in hits if fits(h, uc, level) and not blocked(h))     # "X rose to Y": X names Y
    result, strength = None, 0.0
    if best is None and (level or verb):
        verb = verb or nearest(h for h in hits if h.group.role == "change")
        result, topical = resolve_level(ctx, uc, verb, paragraph=uc in AMOUNTS)
        strength = 1.0 if topical or uc not in AMOUNTS else 0.5
    elif best is not None:
        strength, g = (1.0 if best.crossed else 2.0), best.group
        if g.role == "change":
            result, topical = resolve_change(ctx, best, uc)
            strength = strength if topical or uc not in AMOUNTS else 0.5
        elif g.role == "level":
            result, _ = resolve_level(ctx, uc, best, paragraph=False)
        else:
            result = MetricResult(g.metric, g.direction, norm[best.start:best.end])
            if g.metric == "fund_flow" and not g.direction:   # "net flows": nearest directional flow word
                directed = nearest(h for h in hits if h.group.metric == "fund_flow" and h.group.direction)
                result = replace(result, direction=directed.group.direction if directed else
                                 (paragraph_flow(ctx) or result).direction)
    if strength < 1:                                                    # 6. weak decisions
        found = (echo and uc in AMOUNTS and echo_of(ctx)) or (result is None and gapped(ctx))
        if found or result is None and uc in AMOUNTS and (found := paragraph_flow(ctx)):
            return found, 0.5 if found.cue.startswith("paragraph") else 1.0
    return result or MetricResult(t["unit_default"].get(uc, "other"), None, f"unit:{uc}"), strength


def hits_in(ctx: ClaimContext, lo: int, hi: int) -> list[Hit]:
    """Words of the table in [lo, hi) outside the figure that may refer to it, with their cost.
    Of overlapping words the longer wins; after the figure only in its clause; `near` and `side`
    limit short words; a change word refers to a figure in its own clause only."""
    t, q, norm = tables(), ctx.quantity, ctx.norm
    raw = [(g, a, b) for g, a, b in _table_words(t, norm, lo, hi) if b <= q.start or a >= q.end]   # longest first
    out, taken = [], []
    for g, a, b in raw:
        if any(a < tb and ta < b and tb - ta > b - a for ta, tb in taken):
            continue
        taken.append((a, b))
        before = b <= q.start
        gap_lo, gap_hi = (b, q.start) if before else (q.end, a)
        gap = norm[gap_lo:gap_hi]
        breaks = len(t["clause_re"].findall(gap))
        if (breaks and (not before or g.role == "change") or (g.near is not None and len(gap.strip()) > g.near)
                or g.side == ("after" if before else "before")):
            continue
        cost = len(gap) + t["clause_penalty"] * breaks + t["figure_penalty"] * figures_between(ctx, gap_lo, gap_hi)
        to_level = g.role == "change" and bool(t["end_marker"].match(norm, b))
        out.append(Hit(g, a, b, cost, breaks > 0, before, to_level))
    return out


_WORDS = threading.local()


def _table_words(t: dict, norm: str, lo: int, hi: int) -> list[tuple[Group, int, int]]:
    """(group, start, end) of every table word in ``norm[lo:hi]`` as each group's ``finditer``
    finds them, longest first (then group by group in table order, then in text order).

    Cached for the text being processed (per thread): a document's figures ask for the same
    sentences again and again (each figure's sentence, its clauses, its paragraph), and the
    regexes of all the groups are a hot spot of extraction (hence the lowered text too)."""
    cache = getattr(_WORDS, "cache", None)
    if cache is None or cache[0] is not norm or cache[1] is not t:
        lowered = ascii_lower(norm)
        starts = word_starts(t["word_index"], lowered, 0, len(lowered))
        cache = _WORDS.cache = (norm, t, {}, lowered, [p for p, _ in starts], [m for _, m in starts])
    found = cache[2].get((lo, hi))
    if found is None:
        found = cache[2][lo, hi] = sorted(words_in(t, *cache[3:], lo, hi), key=lambda r: r[1] - r[2])
    return found


def words_in(t: dict, lowered: str, starts: list[int], masks: list[int], lo: int, hi: int) -> list:
    """What ``g.lowered.finditer(lowered, lo, hi)`` finds for each group g in table order, trying
    ``g.lowered.match`` only where a word of g starts (``starts``, ``masks``: ``word_starts``).
    Same matches: the regex's lookbehind sees the text before ``lo`` either way."""
    at: dict[int, list[int]] = {}
    i, j = bisect_left(starts, lo), bisect_left(starts, hi)
    for p, mask in zip(starts[i:j], masks[i:j]):
        while mask:
            k = (mask & -mask).bit_length() - 1
            at.setdefault(k, []).append(p)
            mask &= mask - 1
    out, groups = [], t["groups"]
    for k in sorted(at):
        out += [(groups[k], m.start(), m.end()) for m in matches_at(groups[k].lowered, lowered, at[k], lo, hi)]
    return out


def figures_between(ctx: ClaimContext, lo: int, hi: int) -> int:
    return sum(1 for o in ctx.quantities if lo <= o.start and o.end <= hi)


def fits(h: Hit, uc: str, level: bool) -> bool:
    """May this word decide a figure of unit class ``uc``?  Topics never decide by themselves."""
    g = h.group
    return (not h.to_level and (not level or g.noun)) if g.role == "change" else g.role != "topic" and uc in g.units


def nearest(hits) -> Hit | None:
    order = tables()["order"]
    return min(hits, key=lambda h: (h.cost, order[h.group.name]), default=None)


def level_mode(ctx: ClaimContext) -> bool:
    """The figure follows 从/较/至/from/to/at in its clause, with no change word and no other figure
    in between: it is a level ("概率从 69.4% 升至 82.9%")."""
    t, q, norm = tables(), ctx.quantity, ctx.norm
    breaks = list(t["clause_re"].finditer(norm, ctx.sentence[0], q.start))
    marks = list(t["level_markers_re"].finditer(norm, breaks[-1].end() if breaks else ctx.sentence[0], q.start))
    return bool(marks) and not t["change_words"].search(norm, marks[-1].end(), q.start) \
        and not figures_between(ctx, marks[-1].end(), q.start)


def resolve_change(ctx: ClaimContext, change: Hit, uc: str) -> tuple[MetricResult, bool]:
    """A rise/fall word becomes the change of the nearest topic whose change fits the unit (a flow
    topic with a direction gives the direction); the flag is False when no sentence topic fitted."""
    t, word, direction = tables(), ctx.norm[change.start:change.end], change.group.direction
    if direction is None:           # 涨跌幅, by: the direction of the clause's rise/fall word, if any
        directed = nearest(h for h in hits_in(ctx, *ctx.sentence) if h.group.role == "change" and h.group.direction)
        direction = directed.group.direction if directed else None
    for topic, in_sentence in named(ctx, lambda h: bool(h.group.change), paragraph=uc in AMOUNTS):
        g = topic.group
        if uc in t["change_units"].get(g.change, ()):
            flow = g.change == "fund_flow" and g.direction
            return MetricResult(g.change, g.direction if flow else direction, word), in_sentence
    metric = (uc in AMOUNTS and change.group.default_amount) or t["change_default"].get(uc) \
        or t["change_default"]["other"]
    metric = metric if uc in t["change_units"][metric] else t["unit_default"].get(uc, "other")
    return MetricResult(metric, direction, word), False


def resolve_level(ctx: ClaimContext, uc: str, verb: Hit | None, paragraph: bool) -> tuple[MetricResult | None, bool]:
    """A level: that of the word naming what the verb moves ("概率已升至 82.9%", "净流出扩大至…"): the
    nearest cue or topic word fitting the unit within `subject_window` characters before the verb,
    else after the figure in its clause, else (``paragraph``) a topic earlier in the paragraph;
    else, after a change or threshold verb (rose to $X, 逼近 X), a price or index level."""
    t = tables()
    ordered = named(ctx, lambda h: h.group.role in ("cue", "topic") and bool(h.group.metric) and uc in h.group.units,
                    paragraph, verb)
    if ordered:
        h, in_sentence = ordered[0]
        return MetricResult(h.group.metric, h.group.direction, ctx.norm[h.start:h.end]), in_sentence
    if verb is None:
        return None, False
    default = {"money": "price", "number": "index_level"}.get(uc) or t["unit_default"].get(uc, "other")
    return MetricResult(default, None, ctx.norm[verb.start:verb.end]), False


def named(ctx: ClaimContext, keep, paragraph: bool, verb: Hit | None = None) -> list[tuple[Hit, bool]]:
    """Words passing ``keep``, nearest first: before the figure in the sentence (within
    `subject_window` characters before ``verb`` when given), after it in its clause, then (when
    ``paragraph``) topics earlier in the paragraph, flagged False."""
    window = tables()["subject_window"]
    hits = [h for h in hits_in(ctx, *ctx.sentence) if keep(h) and not (h.crossed and h.group.scope == "clause")]
    before = sorted((h for h in hits if h.before and (verb is None or 0 <= verb.start - h.end <= window)),
                    key=lambda h: -h.end)
    after = sorted((h for h in hits if not h.before), key=lambda h: h.start)
    earlier = [h for h in hits_in(ctx, ctx.paragraph[0], ctx.sentence[0] if paragraph else ctx.paragraph[0])
               if keep(h) and h.group.change]
    return [(h, True) for h in before + after] + [(h, False) for h in sorted(earlier, key=lambda h: -h.end)]


def paragraph_flow(ctx: ClaimContext) -> MetricResult | None:
    """The nearest directional flow word of the paragraph, or any flow word of the line that
    opens a list the figure is an item of, as a fund flow."""
    t, q, norm = tables(), ctx.quantity, ctx.norm
    best, lead = None, lead_in(norm, ctx.paragraph[0])
    for span in filter(None, (ctx.paragraph, lead)):
        for g in t["groups"]:
            if g.metric != "fund_flow" or g.role != "cue" or not (g.direction or span == lead):
                continue
            for m in g.regex.finditer(norm, *span):
                d = q.start - m.end() if m.end() <= q.start else m.start() - q.end
                if d >= 0 and (best is None or d < best[0]):
                    best = (d, g, norm[m.start():m.end()])
    return MetricResult("fund_flow", best[1].direction, f"paragraph:{best[2]}") if best else None


def lead_in(norm: str, start: int, max_lines: int = 12) -> tuple[int, int] | None:
    """For a list item (short lines without sentence ends), the line ending in ':' that opens it."""
    for _ in range(max_lines if start > 0 else 0):
        line_start = norm.rfind("\n", 0, start - 1) + 1
        line = norm[line_start:start - 1].strip()
        if line.endswith(":"):
            return line_start, start - 1
        if line and (len(line) > 80 or line[-1] in "。.!?") or line_start == 0:
            return None
        start = line_start
    return None


def gapped(ctx: ClaimContext) -> MetricResult | None:
    """Ellipsis ("funds lost $1.09 billion; ether funds $630 million"): the firm decision for the
    figure just before, of the same unit class, in the paragraph and this or the previous sentence."""
    i, q = ctx.index - 1, ctx.quantity
    if i < 0 or ctx.quantities[i].start < ctx.paragraph[0] or unit_class(ctx.quantities[i]) != unit_class(q) \
            or len(tables()["sentence_re"].findall(ctx.norm, ctx.quantities[i].end, q.start)) > 1:
        return None
    return firm(ctx, i, "gap")


def echo_of(ctx: ClaimContext) -> MetricResult | None:
    """The firm decision for the same amount (value and unit) elsewhere in the document, nearest first."""
    q = ctx.quantity
    same = sorted((abs(i - ctx.index), i) for i, o in enumerate(ctx.quantities) if i != ctx.index and q.value
                  and o.unit == q.unit and abs(abs(o.value) - abs(q.value)) <= 1e-9 * abs(q.value))
    return next(filter(None, (firm(ctx, i, "echo") for _, i in same)), None)


def firm(ctx: ClaimContext, i: int, tag: str) -> MetricResult | None:
    """The decision for figure ``i`` of the document when firm (strength >= 1), without echo; its
    sentence and paragraph are cut by `sentence_breaks` and line breaks."""
    o, norm = ctx.quantities[i], ctx.norm
    spans = [(max((m.end() for m in cut.finditer(norm, 0, o.start)), default=0),
              next((m.start() for m in cut.finditer(norm, o.end)), len(norm)))
             for cut in (tables()["sentence_re"], re.compile("\n"))]
    r, strength = decide(replace(ctx, quantity=o, index=i, sentence=spans[0], paragraph=spans[1]), echo=False)
    return MetricResult(r.metric, r.direction, f"{tag}:{r.cue}") if strength >= 1 else None
