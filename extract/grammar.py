"""The quantity grammar: one regular expression over characters, compiled from the word tables.

jieba splits amounts across tokens (``1710|万美元``), so amounts are matched over characters and
only later attached to spaCy tokens. :func:`match_candidates` returns every match with what it
was made of; deciding which matches are claims is :mod:`extract.exclusions`' job.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from .numerals import CN_DIGITS, parse_english_number, parse_number
from .tables import alternation, quantity_tables

ARABIC = r"(?:\d{1,3}(?:,\d{3})+(?![\d])(?:\.\d+)?|\d+(?:\.\d+)?)"
# Arabic digits between Chinese units: 5万4千6百, 3万4000, 17亿5000万
MIXED = r"(?:\d+(?:\.\d+)?(?:[ \t]*[十百千万亿兆][ \t]*\d+(?:\.\d+)?)+(?:[ \t]*[十百千万亿兆])?)"
CN_NUM_CHARS = "零〇一二两三四五六七八九十百千万亿兆壹贰叁肆伍陆柒捌玖拾佰仟"
CN_DIGIT_CHARS = "零〇一二两三四五六七八九壹贰叁肆伍陆柒捌玖"
# Chinese numerals may be spaced out (一 百 五 十), as text extracted from PDFs often is.
CN_NUM = rf"(?:[{CN_NUM_CHARS}](?:[ \t]*[{CN_NUM_CHARS}])*(?:[ \t]*点[ \t]*[{CN_DIGIT_CHARS}](?:[ \t]*[{CN_DIGIT_CHARS}])*)?)"
EN_NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty "
    "ninety hundred"
).split()


@dataclass(frozen=True)
class Unit:
    """What a suffix word makes of the number before it."""

    kind: str          # money, crypto, percent, bp, multiple, tenths, discount, count, measure, time, descriptive
    unit: str | None   # gold unit, e.g. USD, BTC, %, bp, x, count, t, points
    factor: Decimal = Decimal(1)


@dataclass
class Candidate:
    """One regex match, in normalised-text offsets (equal to original-text offsets)."""

    start: int
    end: int
    number_text: str
    number_start: int
    value: Decimal           # number × scale, before percent conversions
    number_kind: str         # arabic, chinese, english
    unit: Unit | None
    currency_prefix: str | None
    scale_text: str | None
    letter_scale: bool       # an attached single-letter scale (17.1M)
    sign: int                # -1, +1, or 0 when no sign is written
    infix_approx: bool       # 多/余 inside the figure
    fraction: bool = False   # 百分之五, 四分之一, 一半
    scale: Decimal = Decimal(1)
    low: Decimal | None = None   # set when two figures were joined into a range
    high: Decimal | None = None
    first_number: str | None = None


def _suffix_units() -> dict[str, Unit]:
    """Every word that may follow a number, mapped to the unit it gives (zh keys as written)."""
    t = quantity_tables()
    units: dict[str, Unit] = {}
    for word in t["time_words_zh"]:
        units[word] = Unit("time", None)
    for word in t["descriptive_classifiers_zh"]:
        units[word] = Unit("descriptive", None)
    for word in t["count_classifiers_zh"]:
        units[word] = Unit("count", "count")
    for word, code in t["currency_suffixes"]["zh"].items():
        units[word] = Unit("money", code)
    for word, code in t["crypto_units"]["zh"].items():
        units[word] = Unit("crypto", code)
    for ticker in t["crypto_units"]["tickers"]:
        units[ticker] = Unit("crypto", ticker)
        for counter in t["crypto_units"]["counters_zh"]:
            units[counter + ticker] = Unit("crypto", ticker)
    for word in t["percent"]["zh_suffix"]:
        units[word] = Unit("percent", "%")
    for word in t["basis_points"]["zh"]:
        units[word] = Unit("bp", "bp")
    for word in t["multiples"]["zh"]:
        units[word] = Unit("multiple", "x")
    for word, unit in t["measures"]["zh"].items():
        units[word] = Unit("measure", unit)
    units["点"] = Unit("measure", "points")
    units["成"] = Unit("tenths", "%", Decimal(10))
    units["折"] = Unit("discount", "%")
    for counter in t["descriptive_classifiers_zh"]:
        if counter + "月" not in units and counter == "个":
            units["个月"] = Unit("time", None)
    return units


def _suffix_units_en() -> dict[str, Unit]:
    """English words after a number, keys lower-cased (matched case-insensitively)."""
    t = quantity_tables()
    units: dict[str, Unit] = {}
    for word in t["time_words_en"]:
        units[word.lower()] = Unit("time", None)
    for word, code in t["currency_suffixes"]["en"].items():
        units[word.lower()] = Unit("money", code)
    for word, code in t["crypto_units"]["en"].items():
        units[word.lower()] = Unit("crypto", code)
    for word in t["percent"]["en_suffix"]:
        units[word.lower()] = Unit("percent", "%")
    for word in t["basis_points"]["en"]:
        units[word.lower()] = Unit("bp", "bp")
    for word, unit in t["measures"]["en"].items():
        units[word.lower()] = Unit("measure", unit)
    for word in t["count_nouns_en"]:
        units[word.lower()] = Unit("count", "count")
    return units


@lru_cache(maxsize=1)
def compiled() -> tuple[re.Pattern, dict[str, Unit], dict[str, Unit], dict[str, Decimal], dict[str, str]]:
    """The master pattern and the lookup tables it needs."""
    t = quantity_tables()
    zh_units, en_units = _suffix_units(), _suffix_units_en()
    scales = {k: Decimal(str(v)) for k, v in t["scales"]["zh"].items()}
    scales.update({k.lower(): Decimal(str(v)) for k, v in t["scales"]["en_words"].items()})
    letter_scales = {k: Decimal(str(v)) for k, v in t["scales"]["en_letters"].items()}
    prefixes = t["currency_prefixes"]

    en_word = alternation(EN_NUMBER_WORDS)
    en_num = rf"(?i:\b{en_word}(?:[\s-]+(?:and\s+)?{en_word})*\b|\ba(?=\s+(?:thousand|million|billion|trillion)\b))"
    zh_unit_alt = spaced_alternation(zh_units)
    en_unit_alt = alternation(en_units, "i")
    tickers = alternation(t["crypto_units"]["tickers"])
    pattern = rf"""
      {start_guard(prefixes)}
      (?P<sign>(?<![\d%])[+\-](?=\s?(?:{alternation(prefixes)})?\s?\d)|负(?=[\d{CN_NUM_CHARS}])|(?i:minus|negative)\s+)?
      (?:(?P<prefix>{alternation(prefixes)})\s?(?=[\d.]))?
      (?P<num>{MIXED}|{ARABIC}|{CN_NUM}|{en_num})
      (?P<infix>\s?[多余](?=\s?[{CN_NUM_CHARS}{''.join(zh_units)}]))?
      (?P<zhscale>\s?{alternation(t["scales"]["zh"])})?
      (?P<infix2>[多余](?=\s?[^\s\d]))?
      (?P<enscale>\s?(?i:{alternation(t["scales"]["en_words"])})(?![A-Za-z])|(?:{alternation(letter_scales)})(?![A-Za-z]))?
      (?P<unit>[ \t]*{zh_unit_alt}|\s?{tickers}(?![A-Za-z])|\s?{en_unit_alt}(?![A-Za-z])|x(?![A-Za-z]))?
    """
    return re.compile(pattern, re.VERBOSE), zh_units, en_units, scales, letter_scales


def start_guard(prefixes) -> str:
    """A lookahead listing every character a master-pattern match can start with: a sign, a
    currency prefix or a numeral. It lets the search refuse most positions with one test."""
    firsts = re.escape("".join(sorted({p[0] for p in prefixes})))
    en_firsts = "".join(sorted({w[0] for w in EN_NUMBER_WORDS} | {"a"}))
    return rf"(?=[\d+\-负{CN_NUM_CHARS}{firsts}]|(?i:[mn])|\b(?i:[{en_firsts}]))"


def spaced_alternation(words) -> str:
    """Like :func:`alternation`, but Chinese words may have spaces between their characters."""
    body = "|".join(
        r"[ \t]*".join(re.escape(ch) for ch in w) if not w.isascii() else re.escape(w)
        for w in sorted(set(words), key=len, reverse=True)
    )
    return f"(?:{body})"


# The leading lookahead lists what a fraction can start with (负, a numeral, 一半, or an English
# word starting p/h/a/o/t), so the search refuses most positions with one test.
FRACTION = re.compile(
    rf"(?=[\d负{CN_NUM_CHARS}]|\b(?i:[phato]))(?:"
    rf"(?P<sign>负)?(?P<base>百[ \t]*分[ \t]*之|千分之|万分之|(?:{ARABIC}|{CN_NUM})分之)[ \t]*(?P<num>{ARABIC}|{CN_NUM})"
    rf"|(?i:(?<![\d\w] )\b(?:percents?|per cent)\s+of\s+)(?P<pctof>{ARABIC}|[a-z]+(?:-[a-z]+)?)\b"
    rf"|(?P<half>一半)|(?i:\b(?P<enfrac>half|a quarter|a third|one[- ]third|two[- ]thirds|three[- ]quarters)(?=\s+of\b)))"
)
ARABIC_START = re.compile(r"\d|\.\d")
SPACES = re.compile(r"[ \t]+")
EN_FRACTIONS = {"half": 50, "a quarter": 25, "a third": Decimal(100) / 3, "one third": Decimal(100) / 3,
                "two thirds": Decimal(200) / 3, "three quarters": 75}


def match_candidates(text: str) -> list[Candidate]:
    """Every figure-like match in normalised ``text``, left to right, not yet filtered."""
    pattern, zh_units, en_units, scales, letter_scales = compiled()
    out: list[Candidate] = []
    taken: list[tuple[int, int]] = []
    for m in FRACTION.finditer(text):
        try:
            out.append(_fraction(m))
        except (ValueError, ArithmeticError):
            pass
        taken.append((m.start(), m.end()))
    for m in pattern.finditer(text):
        if taken and any(s < m.end() and m.start() < e for s, e in taken):
            continue
        cand = _candidate(m, zh_units, en_units, scales, letter_scales)
        if cand is not None:
            out.append(cand)
    out.sort(key=lambda c: c.start)
    return out


def _candidate(m: re.Match, zh_units, en_units, scales, letter_scales) -> Candidate | None:
    num_text = m.group("num")
    try:
        if ARABIC_START.match(num_text):
            kind = "arabic"
            value = parse_number(num_text)
        elif num_text[0] in CN_NUM_CHARS:
            kind = "chinese"
            value = parse_number(num_text)
        else:
            kind = "english"
            value = parse_english_number(num_text)
    except (ValueError, ArithmeticError):
        return None
    scale_text = None
    scale = Decimal(1)
    letter_scale = False
    for group in ("zhscale", "enscale"):
        raw = m.group(group)
        if raw:
            scale_text = raw.strip()
            if scale_text in letter_scales and raw == scale_text and group == "enscale" and len(scale_text) == 1:
                letter_scale = True
            factor = scales.get(scale_text) or scales.get(scale_text.lower()) or letter_scales[scale_text]
            value *= factor
            scale *= factor
    unit = None
    raw_unit = m.group("unit")
    if raw_unit:
        word = SPACES.sub("", raw_unit) if not raw_unit.strip().isascii() else raw_unit.strip()
        unit = zh_units.get(word) or en_units.get(word.lower())
        if unit is None and word == "x":
            unit = Unit("multiple", "x")
        if unit is None:
            unit = Unit("crypto", word)
    sign_text = (m.group("sign") or "").strip().lower()
    sign = -1 if sign_text in ("-", "负", "minus", "negative") else (1 if sign_text == "+" else 0)
    end = m.end()
    return Candidate(
        start=m.start(), end=end, number_text=num_text, number_start=m.start("num"), value=value,
        number_kind=kind, unit=unit, currency_prefix=m.group("prefix"), scale_text=scale_text,
        letter_scale=letter_scale, sign=sign, infix_approx=bool(m.group("infix") or m.group("infix2")),
        scale=scale,
    )


def _fraction(m: re.Match) -> Candidate:
    """百分之五 → 5 %, 千分之一 → 0.1 %, 四分之一 → 25 %, 一半 / half of → 50 %."""
    if m.group("half"):
        value, num_text = Decimal(50), m.group("half")
    elif m.group("pctof"):
        num_text = m.group("pctof")
        value = parse_number(num_text) if num_text[0].isdigit() else parse_english_number(num_text)
    elif m.group("enfrac"):
        num_text = m.group("enfrac")
        value = Decimal(EN_FRACTIONS[num_text.lower().replace("-", " ")])
    else:
        base, num_text = m.group("base"), m.group("num")
        numerator = parse_number(num_text)
        fixed = {"百分之": Decimal(1), "千分之": Decimal("0.1"), "万分之": Decimal("0.01")}
        base = re.sub(r"\s", "", base)
        if base in fixed:
            value = numerator * fixed[base]
        else:
            denominator = parse_number(base[:-2])
            value = numerator / denominator * 100 if denominator else Decimal(0)
    sign = -1 if m.groupdict().get("sign") else 0
    return Candidate(
        start=m.start(), end=m.end(), number_text=num_text, number_start=m.start(), value=value,
        number_kind="fraction", unit=Unit("percent", "%"), currency_prefix=None, scale_text=None,
        letter_scale=False, sign=sign, infix_approx=False, fraction=True,
    )


def is_chinese_digit(ch: str) -> bool:
    return ch in CN_DIGITS
