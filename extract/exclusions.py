"""What is not a quantity: dates, times, durations, ordinals, list numbers, years, versions,
numbers inside URLs, e-mail addresses, tickers and names ("S&P 500", "Web3", "Q4", "24/7").

Each rule is a small function of the normalised text and a candidate; :func:`rejection` returns
the name of the first rule that refuses it, so a wrong refusal is easy to trace.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .grammar import CN_NUM_CHARS, Candidate
from .tables import alternation, quantity_tables

BLOCKING_PATTERNS = [
    r"https?://\S+|www\.\S+",                                   # URLs
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+",                             # e-mail addresses
    r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}",                            # ISO and slashed dates
    r"\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b",                         # 11/24, 24/7
    r"\b\d{1,2}:\d{2}(?::\d{2})?\b",                             # times
    r"\b\d+(?:\.\d+){2,}\b",                                     # versions and IPs: 1.2.3
    r"\b\d{5,}\.(?:HK|SH|SZ|T|KS)\b|\b\d{4}\.(?:HK|T|TW)\b",     # exchange tickers
]


# patterns the rules below use, compiled once
LABEL_BEFORE = re.compile(r"([A-Za-z.#]+)\s*$")
YEAR_CUE_BEFORE = re.compile(r"(?:mid|early|late|end|since|in|by|until|before|after)[- ]$", re.I)
YEAR = re.compile(r"(19|20)\d\d")
CLOCK_AFTER = re.compile(r"\s?[\d半钟多]")
WORD_BEFORE = re.compile(r"([A-Za-z]+)\W*$")
NOT_DIGIT = re.compile(r"\D")

EMAIL = 1  # index of the e-mail pattern: it can only match where the text has an "@"


@lru_cache(maxsize=2)
def _blocking(with_email: bool = True) -> re.Pattern:
    """The blocking patterns as one alternation, in order. Without the e-mail pattern (slow: it
    tries every word character) a lookahead of the possible first characters leads it."""
    words = quantity_tables()["named_numbers"]
    patterns = BLOCKING_PATTERNS + [alternation(words)]
    if with_email:
        return re.compile("|".join(patterns))
    firsts = re.escape("".join(sorted({w[0] for w in words} | {"h", "w"})))
    rest = patterns[:EMAIL] + patterns[EMAIL + 1:]
    return re.compile(rf"(?=[\d{firsts}])(?:" + "|".join(rest) + ")")


def blocked_spans(text: str) -> list[tuple[int, int]]:
    """Spans of URLs, e-mails, dates written with separators, versions and numbered names."""
    return [(m.start(), m.end()) for m in _blocking("@" in text).finditer(text)]


@lru_cache(maxsize=1)
def _words() -> dict:
    t = quantity_tables()
    months = alternation(t["months_en"])
    return {
        "months": months,
        "month_before": re.compile(rf"\b{months}\.?\s*$"),
        "month_after": re.compile(rf"\s*(?:of\s+)?{months}\b"),
        "month_day_before": re.compile(rf"\b{months}\.?\s+\d{{1,2}},\s*$"),
        "ordinal_zh": tuple(t["ordinal_prefixes_zh"]),
        "ordinal_en": set(t["ordinal_prefixes_en"]),
        "level_cues": set(t["en_level_cues"]),
        "tenths_blockers": set(t["tenths_blockers_zh"]),
    }


def is_bare(c: Candidate) -> bool:
    """A number with no unit, currency or scale word."""
    return c.unit is None and not c.currency_prefix and c.scale_text is None


def rejection(text: str, c: Candidate, lang: str, blocked: list[tuple[int, int]]) -> str | None:
    """Why ``c`` is not a quantity (a rule name), or None when it is one."""
    for rule in RULES:
        reason = rule(text, c, lang, blocked)
        if reason:
            return reason
    return None


def _blocked(text, c, lang, blocked):
    if any(s < c.end and c.start < e for s, e in blocked):
        return "inside a URL, e-mail, date or name"


def _unit_kind(text, c, lang, blocked):
    if c.unit is not None and c.unit.kind in ("time", "descriptive"):
        return f"{c.unit.kind} word after the number"


def _letters_around(text, c, lang, blocked):
    before = text[c.start - 1] if c.start else ""
    after = text[c.end] if c.end < len(text) else ""
    if before.isascii() and before.isalpha() and not c.currency_prefix:
        return "number glued to letters (Q4, Web3, COVID-19)"
    last = text[c.end - 1]
    if after.isascii() and (after.isalnum() or after == "_") and last.isascii() and last.isalnum():
        return "number glued to letters"
    if after == "-" and c.end + 1 < len(text) and text[c.end + 1].isascii() and text[c.end + 1].isalpha():
        return "compound adjective (10-year, four-week)"
    if c.letter_scale and not c.currency_prefix:
        return "single-letter scale without a currency"
    if c.unit is not None and c.unit.unit == "x" and text[c.end - 1] == "x" and c.number_kind != "arabic":
        return "x after a word"


def _ordinal(text, c, lang, blocked):
    w = _words()
    head = text[max(0, c.start - 8):c.start]
    if head.endswith(w["ordinal_zh"]):
        return "ordinal (第)"
    prev = LABEL_BEFORE.search(head)
    if prev and prev.group(1) in w["ordinal_en"]:
        return "ordinal or label"


def _list_number(text, c, lang, blocked):
    line_start = text.rfind("\n", 0, c.start) + 1
    if text[line_start:c.start].strip(" \t•●*(（[") == "" and is_bare(c):
        nxt = text[c.end:c.end + 1]
        if nxt in (".", "、", ")", "）", "]") and not text[c.end + 1:c.end + 2].isdigit():
            return "list numbering"
    if text[c.start - 1:c.start] in ("(", "（", "[") and text[c.end:c.end + 1] in (")", "）", "]") and is_bare(c):
        return "numbered reference"


def _date_words(text, c, lang, blocked):
    """English dates: 'January 26', '26 January', 'Nov. 21', ', 2025' after a date."""
    if c.unit is not None and c.unit.kind not in ("measure",):
        return None
    w = _words()
    head = text[max(0, c.start - 12):c.start]
    tail = text[c.end:c.end + 12]
    if w["month_before"].search(head) or w["month_after"].match(tail):
        return "date"
    if w["month_day_before"].search(text[max(0, c.start - 20):c.start]):
        return "year of a date"
    if YEAR_CUE_BEFORE.search(head) and _looks_like_year(c):
        return "year"


def _looks_like_year(c: Candidate) -> bool:
    return c.number_kind == "arabic" and YEAR.fullmatch(c.number_text) is not None


def _year(text, c, lang, blocked):
    if c.unit is None and c.scale_text is None and _looks_like_year(c):
        return "year"


def _bare_words(text, c, lang, blocked):
    if c.unit is None and c.currency_prefix is None and c.number_kind in ("chinese", "english"):
        if c.scale_text is None or c.number_kind == "english":
            return "number word without a unit"
    if c.unit is not None and c.unit.kind == "count" and c.number_kind == "chinese" and c.value < 10:
        return "small count in words (一起, 三家)"
    if c.unit is not None and c.unit.kind == "money" and c.number_kind == "chinese" and c.value < 10 \
            and c.scale_text is None and text[c.end - 1] == "元" and text[c.end - 2] in CN_NUM_CHARS:
        return "idiom (一元, 二元)"


def _chinese_idioms(text, c, lang, blocked):
    tail = text[c.end:c.end + 2]
    if c.unit is not None and c.unit.kind == "tenths" and tail[:1] in _words()["tenths_blockers"]:
        return "a word with 成, not tenths (一成不变, 这一成熟)"
    if c.unit is not None and c.unit.kind == "discount" and tail[:1] and tail[:1] in "合算价扣旧损返叠":
        return "not a discount (折合, 折算)"
    if c.unit is not None and c.unit.unit == "points" and (c.number_kind != "arabic" or CLOCK_AFTER.match(tail)):
        return "time of day or list of points"


def _bare_english(text, c, lang, blocked):
    """A bare number in English is a figure only with a decimal point or a level cue before it."""
    if c.unit is not None or c.currency_prefix or c.scale_text or lang != "en":
        return None
    if "." in c.number_text:
        return None
    prev = WORD_BEFORE.search(text[max(0, c.start - 20):c.start])
    if prev and prev.group(1).lower() in _words()["level_cues"]:
        return None
    return "bare number in English without a level cue"


def _long_digit_string(text, c, lang, blocked):
    digits = NOT_DIGIT.sub("", c.number_text)
    if len(digits) > 15 and "," not in c.number_text:
        return "identifier, not an amount"


RULES = [_blocked, _unit_kind, _letters_around, _ordinal, _list_number, _date_words, _year,
         _bare_words, _chinese_idioms, _bare_english, _long_digit_string]
