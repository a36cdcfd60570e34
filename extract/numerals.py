"""Numbers written in Arabic digits, Chinese numerals or English words, parsed exactly.

>>> parse_number("1,710")
Decimal('1710')
>>> parse_number("一千七百三十")
Decimal('1730')
>>> parse_number("3万4000")
Decimal('34000')
>>> parse_number("二十万亿")
Decimal('20000000000000')
>>> parse_english_number("twenty-two")
Decimal('22')
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

CN_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
    "八": 8, "九": 9, "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5, "陆": 6, "柒": 7, "捌": 8,
    "玖": 9, "貳": 2, "陸": 6, "兩": 2,
}
CN_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
CN_BIG_UNITS = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8, "兆": 10**12}
CN_POINT = {"点", "點"}
CN_NUMERAL_CHARS = "".join(CN_DIGITS) + "".join(CN_SMALL_UNITS) + "".join(CN_BIG_UNITS)

_ARABIC = re.compile(r"\d[\d,]*(?:\.\d+)?|\.\d+")

EN_ONES = {
    "zero": 0, "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
EN_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}
EN_SCALES = {"hundred": 100, "thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
EN_NUMBER_WORDS = set(EN_ONES) | set(EN_TENS) | set(EN_SCALES)


def parse_arabic(text: str) -> Decimal:
    """``"1,710.5"`` → ``Decimal('1710.5')``; thousands separators dropped."""
    return Decimal(text.replace(",", ""))


def parse_number(text: str) -> Decimal:
    """Parse Arabic digits, Chinese numerals, or a mix of both (``5.37亿``, ``3万4000``).

    Qualifier characters inside the figure (多, 余, spaces) are ignored. Raises ValueError
    when nothing numeric is found.
    """
    m = _ARABIC.match(text)
    if m is not None and m.end() == len(text):
        # one Arabic number: what _evaluate makes of a single ("num", value) token, without the walk
        return Decimal(0) + (parse_arabic(text) or 0)
    tokens = _tokens(text)
    if not tokens:
        raise ValueError(f"not a number: {text!r}")
    return _evaluate(tokens)


def _tokens(text: str) -> list[tuple[str, Decimal]]:
    """Split into ('num', value), ('small', unit), ('big', unit), ('point', 0) tokens."""
    out: list[tuple[str, Decimal]] = []
    i = 0
    while i < len(text):
        ch = text[i]
        m = _ARABIC.match(text, i)
        if m:
            out.append(("num", parse_arabic(m.group())))
            i = m.end()
            continue
        if ch in CN_DIGITS:
            out.append(("digit", Decimal(CN_DIGITS[ch])))
        elif ch in CN_SMALL_UNITS:
            out.append(("small", Decimal(CN_SMALL_UNITS[ch])))
        elif ch in CN_BIG_UNITS:
            out.append(("big", Decimal(CN_BIG_UNITS[ch])))
        elif ch in CN_POINT:
            out.append(("point", Decimal(0)))
        i += 1
    return out


def _evaluate(tokens: list[tuple[str, Decimal]]) -> Decimal:
    if ("point", 0) in tokens:
        k = tokens.index(("point", Decimal(0)))
        whole = _evaluate(tokens[:k]) if k else Decimal(0)
        digits = "".join(str(int(v)) for kind, v in tokens[k + 1:] if kind in ("digit", "num"))
        return whole + (Decimal("0." + digits) if digits else Decimal(0))
    result = Decimal(0)   # completed big-unit groups
    section = Decimal(0)  # current group below 万
    number: Decimal | None = None
    last = None
    digit_run = 0  # consecutive Chinese digits just before this token
    biggest = Decimal(0)
    for kind, value in tokens:
        if kind == "num":
            number = value
        elif kind == "digit":
            # consecutive bare digits read as a digit string: 三八 → 38
            number = number * 10 + value if last == "digit" and number is not None else value
        elif kind == "small":
            if digit_run > 1:
                raise ValueError("approximate numeral (二三十)")
            section += (number if number is not None else Decimal(1)) * value
            number = None
        elif kind == "big":
            group = section + (number or 0)
            if group == 0 and last == "big":
                result *= value          # 万亿, 万万: adjacent big units multiply
            elif value > biggest and (result or group):
                # 三万四千亿, 二十万亿: a larger unit multiplies everything before it
                result = (result + group) * value
            else:
                result += (group if group else Decimal(1)) * value
            biggest = max(biggest, value)
            section, number = Decimal(0), None
        last = kind
        digit_run = digit_run + 1 if kind == "digit" and value != 0 else 0
    if number is not None and last == "digit" and _abbreviated(tokens):
        # 四百五 = 450, 一万三 = 13 000: a lone digit after a unit counts in the next unit down
        number *= _unit_before_last(tokens) / 10
    return result + section + (number or 0)


def _abbreviated(tokens) -> bool:
    kinds = [k for k, _ in tokens]
    return len(kinds) >= 3 and kinds[-2] in ("small", "big") and kinds[-3] in ("digit", "num") \
        and tokens[-1][1] != 0


def _unit_before_last(tokens) -> Decimal:
    return tokens[-2][1]


def parse_english_number(text: str) -> Decimal:
    """Spelled-out English numbers: ``"one hundred and five"`` → 105, ``"Two"`` → 2."""
    words = re.split(r"[\s\-]+", text.lower().replace(",", " ").strip())
    total, current, seen = Decimal(0), Decimal(0), False
    for word in words:
        if word in ("and", ""):
            continue
        if word in EN_ONES:
            current += EN_ONES[word]
        elif word in EN_TENS:
            current += EN_TENS[word]
        elif word == "hundred":
            current = (current or 1) * 100
        elif word in EN_SCALES:
            total += (current or 1) * EN_SCALES[word]
            current = Decimal(0)
        else:
            try:
                current += Decimal(word)
            except InvalidOperation:
                raise ValueError(f"not an English number: {text!r}") from None
        seen = True
    if not seen:
        raise ValueError(f"not an English number: {text!r}")
    return total + current


def decimal_places(text: str) -> int:
    """Digits after the decimal point of the first Arabic number in ``text`` (precision)."""
    m = re.search(r"\d[\d,]*\.(\d+)", text)
    return len(m.group(1)) if m else 0
