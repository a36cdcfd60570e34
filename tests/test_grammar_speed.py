"""The speed-ups of the figure finder must not change what it finds.

Each fast path is compared with the plain form it replaces, over texts built to reach its edges:
every currency prefix, sign word and number word in several cases, characters whose case folding
is unusual (ſ, K, İ), full-width forms, fractions, blocked spans, Chinese aliases.
"""
from __future__ import annotations

import random
import re
from decimal import Decimal

import pytest

from extract import context, entities, exclusions, grammar, normalize, numerals
from extract.tables import alternation, quantity_tables, trie_alternation

PIECES = (
    list("0123456789., -+$€¥£%xXkKmMbB多余万亿千百十一二三四五六七八九零两点分之负约近超元个成折 \t\n/:()、至")
    + list(quantity_tables()["currency_prefixes"]) + grammar.EN_NUMBER_WORDS
    + ["ſ", "K", "İ", "ı", "٣", "１", "％", "Ｍ", "TWENTY ", "Half of ", "A quarter of ", "Per cent of ",
       "percent of ", "mInus ", "NEGATIVE ", "A Million", "a thousand", "million", "bn", "百 分 之",
       "四分之一", "一半", "二分之一", "分之", "One-third of ", "two thirds of ",
       "three-Quarters of ", "half of ", "S&P 500", "x@y.com", "中证500", "https://x.io/3", "www.a.b",
       "2024-01-02", "24/7", "10:30", "1.2.3", "0700.HK", "不超过", "左右", "以上", "将近", "最近",
       "between ", " and ", " to ", "BTC", "枚", "美元", "亿美元", "1,234.50", "0.00"]
)


def _texts(n: int = 3000, seed: int = 11) -> list[str]:
    rnd = random.Random(seed)
    return ["".join(rnd.choice(PIECES) for _ in range(rnd.randint(1, 20))) for _ in range(n)]


def _spans(pattern: re.Pattern, text: str) -> list[tuple[int, int, tuple]]:
    return [(m.start(), m.end(), m.groups()) for m in pattern.finditer(text)]


def test_master_pattern_guard_refuses_no_match():
    pattern = grammar.compiled()[0]
    guard = grammar.start_guard(quantity_tables()["currency_prefixes"])
    assert guard in pattern.pattern
    unguarded = re.compile(pattern.pattern.replace(guard, "", 1), re.VERBOSE)
    for text in _texts():
        assert _spans(pattern, text) == _spans(unguarded, text), text


def test_fraction_guard_refuses_no_match():
    head = grammar.FRACTION.pattern.index("(?:")
    unguarded = re.compile(grammar.FRACTION.pattern[head + 3:-1])
    for text in _texts() + ["百 分 之 五", "Half of them", "per cent of 30", "四分之一", "负百分之三",
                                 "3分之1", "12分之5", "One-third of", "two-thirds of it", "5 percent of ten"]:
        assert _spans(grammar.FRACTION, text) == _spans(unguarded, text), text


def test_blocking_without_email_equals_all_patterns_where_there_is_no_at_sign():
    every = exclusions._blocking(True)
    texts = [t for t in _texts() if "@" not in t] + ["S&P 500 and 2024-01-02 at 10:30 on https://x.io"]
    for text in texts:
        assert exclusions.blocked_spans(text) == [m.span() for m in every.finditer(text)], text


def test_parse_number_fast_path_equals_the_token_walk():
    for text in ["0", "0.00", "007", "1,234.50", "12", "3.14159", "1" * 30, "1,000,000", "٣"]:
        fast = numerals.parse_number(text)
        slow = numerals._evaluate(numerals._tokens(text))
        assert (fast, str(fast)) == (slow, str(slow)), text
    assert numerals.parse_number("3万4000") == Decimal(34000)


def test_qualifier_lookup_equals_scanning_the_word_list():
    table = quantity_tables()["approx"]
    prefixes = sorted(table["zh_prefix"].items(), key=lambda kv: -len(kv[0]))
    suffixes = sorted(table["zh_suffix"].items(), key=lambda kv: -len(kv[0]))

    def scan(text: str, c) -> str | None:
        head = text[max(0, c.start - 16):c.start].rstrip()
        for word, cls in prefixes:
            if head.endswith(word) and not (word == "近" and head[:-len(word)][-1:] in "最附临靠将接逼"):
                return cls
        stripped = text[c.end:c.end + 8].lstrip()
        for word, cls in suffixes:
            if stripped.startswith(word):
                return cls
        return None

    for text in _texts() + ["不超过5%", "最近5%", "近5%", "将近5%", "5% 左右", "约5%以上"]:
        for c in grammar.match_candidates(text):
            expected = scan(text, c)
            if expected is not None:
                assert context.qualifier(text, c) == expected, text


def test_halfwidth_skip_equals_translate():
    for text in _texts() + ["１．５％", "a\u3000b\u00a0c\u2212d", "plain"]:
        assert normalize.to_halfwidth(text) == text.translate(normalize._FULLWIDTH)


@pytest.mark.parametrize("words", [
    ["ab", "abcd", "abd", "b", "xyz"],
    ["比特币", "比特币ETF", "比特", "以太坊", "以太"],
])
def test_trie_alternation_equals_longest_first_alternation(words):
    trie = re.compile(trie_alternation(words))
    plain = re.compile(alternation(words))
    rnd = random.Random(3)
    chars = sorted(set("".join(words))) + [" "]
    for _ in range(2000):
        text = "".join(rnd.choice(chars + words) for _ in range(rnd.randint(1, 12)))
        assert [m.span() for m in trie.finditer(text)] == [m.span() for m in plain.finditer(text)], text


def test_chinese_alias_pattern_equals_longest_first_alternation():
    pattern, ids = entities._chinese_alias_pattern()
    plain = re.compile("|".join(re.escape(a) for a in sorted(ids, key=len, reverse=True)))
    aliases = sorted(ids)
    rnd = random.Random(5)
    for _ in range(500):
        text = "".join(rnd.choice(aliases) + rnd.choice(["", "的", " ", "美国"]) for _ in range(6))
        assert [m.span() for m in pattern.finditer(text)] == [m.span() for m in plain.finditer(text)], text
