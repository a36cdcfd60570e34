"""Near-duplicate detection: syndicated copies are one source, independent write-ups are not."""
from __future__ import annotations

import re

import opencc
import pytest

from extract.duplicates import (independent_sources, minhash, near_duplicate_groups,
                                shingles)
from tests.conftest import CORPUS

SEEDS = {p.stem: p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))}

# Two independently written wire stories about the same CoinShares week: same figures, own words.
WIRE_A = """Crypto funds bleed $1.73 billion as rate-cut hopes fade

Investors pulled $1.73 billion from digital asset investment products last week, the largest
weekly outflow since mid-November 2025, according to a CoinShares report published on Monday.
The United States accounted for almost all of the selling, with roughly $1.8 billion leaving
US-listed products, while Switzerland and Germany recorded small inflows. Bitcoin products lost
about $1.09 billion and Ethereum funds shed $630 million. Solana was the exception, attracting
$17.1 million of new money. CoinShares head of research James Butterfill said fading expectations
of Federal Reserve rate cuts and weak price momentum had soured sentiment among institutional
holders, who had been adding exposure through most of December.
"""

WIRE_B = """Weekly outflows hit two-month high at digital asset funds

Digital asset exchange-traded products recorded net redemptions of $1.73bn in the week to
January 23, CoinShares data showed, marking the heaviest week of withdrawals in more than two
months. American investors drove the move: about $1.8bn left funds domiciled in the US, whereas
European markets were broadly flat. Bitcoin vehicles bore the brunt at $1.09bn, followed by ether
products with $630m of outflows. Against the trend, Solana funds took in $17.1m. Analysts at
the asset manager pointed to a repricing of the Fed path, with traders now expecting fewer cuts
this year, and to negative momentum after bitcoin slipped back below $90,000.
"""

DISCLAIMER = ("\n\n免责声明:本文仅代表作者个人观点,不构成任何投资建议。市场有风险,投资需谨慎。"
              "转载请注明出处。\n")


def syndicated_copy(text: str) -> str:
    """What a mirror site does: a new title line, three sentences dropped, a disclaimer appended."""
    title, _, body = text.partition("\n")
    sentences = re.split(r"(?<=[。!?])", body)
    n = len(sentences)
    drop = {n // 4, n // 2, 3 * n // 4}
    kept = "".join(s for i, s in enumerate(sentences) if i not in drop)
    return "【转载】" + title[::-1] + "\n" + kept + DISCLAIMER


def test_shingles_normalise_width_case_script_and_punctuation():
    assert shingles("比特幣ETF, 資金 流出") == shingles("比特币ｅｔｆ资金流出。")
    assert shingles("1.73 billion") == shingles("173Billion")
    assert shingles("abc") == {"abc"}
    assert shingles(" ,。 ") == set()


def test_seed_articles_are_not_duplicates_of_each_other():
    # 000 and 001 cover the same CoinShares week, with the same figures, in their own words.
    assert minhash(SEEDS["000_9881526b3ac62664"]).jaccard(minhash(SEEDS["001_6345b23f2cec45fa"])) < 0.2
    assert near_duplicate_groups(SEEDS.items()) == []


@pytest.mark.parametrize("stem", sorted(SEEDS))
def test_syndicated_copy_is_grouped_with_its_original(stem):
    docs = dict(SEEDS, copy=syndicated_copy(SEEDS[stem]))
    assert near_duplicate_groups(docs.items()) == [{stem, "copy"}]


def test_traditional_conversion_is_grouped_with_its_simplified_original():
    traditional = opencc.OpenCC("s2t").convert(SEEDS["000_9881526b3ac62664"])
    assert traditional != SEEDS["000_9881526b3ac62664"]
    docs = dict(SEEDS, hant=traditional)
    assert near_duplicate_groups(docs.items()) == [{"000_9881526b3ac62664", "hant"}]


def test_independent_wire_stories_with_the_same_facts_are_not_grouped():
    assert 100 <= len(WIRE_A.split()) <= 140 and 100 <= len(WIRE_B.split()) <= 140
    assert minhash(WIRE_A).jaccard(minhash(WIRE_B)) < 0.3
    assert near_duplicate_groups([("a", WIRE_A), ("b", WIRE_B)]) == []
    copy = WIRE_A.replace("Crypto funds bleed", "Crypto funds lose") + "\nReporting by staff."
    assert near_duplicate_groups([("a", WIRE_A), ("b", WIRE_B), ("c", copy)]) == [{"a", "c"}]


def test_groups_are_transitive_sorted_and_deterministic():
    docs = [("z1", SEEDS["003_9c832c9d01f783ff"]),
            ("b2", syndicated_copy(SEEDS["003_9c832c9d01f783ff"])),
            ("m", WIRE_A), ("a1", WIRE_A + "\nCopyright 2026."),
            ("c", SEEDS["002_4fd9a4eac4c3e061"]), ("empty", "。。"), ("empty2", "")]
    groups = near_duplicate_groups(docs)
    assert groups == [{"a1", "m"}, {"b2", "z1"}]
    assert near_duplicate_groups(reversed(docs)) == groups
    assert near_duplicate_groups(docs) == groups


def test_duplicate_ids_are_rejected():
    with pytest.raises(ValueError):
        near_duplicate_groups([("a", WIRE_A), ("a", WIRE_B)])


def test_independent_sources_counts_a_group_once():
    assert independent_sources(["a", "b", "c"], [{"a", "b"}]) == 2
    assert independent_sources(["a", "b", "c"], []) == 3
    assert independent_sources(["a", "a", "x"], [{"a", "b"}, {"x", "y"}]) == 2
    assert independent_sources([], [{"a", "b"}]) == 0


def test_normal_form_keeps_exactly_what_isalnum_keeps():
    from extract.duplicates import _normal_form

    sample = "".join(chr(i) for i in range(0x20, 0x3100)) + "比特币_ETF ① ½ ² Ⅻ 〇 ３％"
    import unicodedata
    from extract.normalize import to_simplified
    expected = "".join(ch for ch in to_simplified(unicodedata.normalize("NFKC", sample).lower()) if ch.isalnum())
    assert _normal_form(sample) == expected
