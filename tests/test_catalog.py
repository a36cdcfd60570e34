"""The entity catalog (extract/data/entities.yaml) and its loader, by example."""
from __future__ import annotations

import textwrap

import pytest

from extract.catalog import KINDS, Alias, Catalog, load_catalog, slug_id


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


# ---------------------------------------------------------------- the packaged catalog

def test_packaged_catalog_loads_once(catalog):
    assert len(catalog) > 200
    assert load_catalog() is catalog  # cached


def test_counts_by_kind(catalog):
    crypto_assets = [e for e in catalog.by_kind("asset") if catalog.is_part_of(e.id, "crypto-market")]
    assert len(crypto_assets) >= 30
    assert len(catalog.by_kind("region")) >= 20
    assert len(catalog.by_kind("sector")) >= 7
    assert {kind for kind in KINDS} == {e.kind for e in catalog}  # every kind is used


def test_us_spot_bitcoin_etfs_have_issuers_and_tickers(catalog):
    btc_etfs = [e for e in catalog.by_kind("fund") if catalog.is_part_of(e.id, "btc-etfs")]
    assert len(btc_etfs) >= 10
    for fund in btc_etfs:
        assert fund.tickers and fund.region == "US"
        assert catalog.get(fund.issuer).kind == "issuer"
    assert {"ibit", "fbtc", "gbtc", "arkb", "bitb", "hodl", "brrr", "ezbc", "btco", "btcw"} <= {e.id for e in btc_etfs}
    assert catalog.get("ibit").issuer == "blackrock"
    assert catalog.get("ibit").tickers == ("IBIT",)


def test_us_spot_ether_etfs(catalog):
    eth_etfs = {e.id for e in catalog.by_kind("fund") if catalog.is_part_of(e.id, "eth-etfs")}
    assert {"etha", "feth", "ethe", "ethw", "ceth", "ethv", "qeth", "ezet"} <= eth_etfs
    assert "grayscale-eth-mini" in eth_etfs  # ticker ETH, hence not id "eth" (the asset)


def test_every_id_the_guide_and_gold_use_is_known(catalog):
    guide = """btc eth sol xrp digital-asset-products crypto-etfs btc-etfs eth-etfs us-etfs crypto-market
        exchanges ibit spy qqq voo ivv smh tqqq mstr blackrock sumitomo-mitsui-trust bhutan-sovereign-fund
        fed citigroup cme-fedwatch dow sp500 nasdaq vix vvix coinbase-premium-index tesla google nvidia
        bnb link fbtc gbtc arkb apple meta fidelity grayscale coinshares farside sosovalue glassnode
        coinglass goldman-sachs bofa jpmorgan bloomberg factset ici sp-global sol-etfs technology industrials"""
    gold = """hype retail-investors us-credit-cards hy-bonds ccc-bonds gs-layoff-tracker us-unemployment
        model-portfolio us-bankruptcies short-btc bond-funds value-etfs financials-etfs consumer-discretionary
        healthcare energy utilities cryptoquant coingecko kraken blocksec"""
    missing = [i for i in (guide + " " + gold).split() if i not in catalog]
    assert missing == []
    for code in ["US", "CH", "CA", "DE", "JP", "BT", "SE", "NL", "CN", "HK", "EUROPE", "ASIA", "NORTH-AMERICA"]:
        assert catalog.by_code(code).kind == "region"


# ---------------------------------------------------------------- part_of

def test_funds_sit_in_their_etf_groups(catalog):
    assert catalog.is_part_of("ibit", "btc-etfs")
    assert catalog.is_part_of("btc-etfs", "crypto-etfs")
    assert catalog.is_part_of("ibit", "crypto-etfs")  # transitive
    assert catalog.is_part_of("ibit", "digital-asset-products")
    assert catalog.is_part_of("ibit", "us-etfs")
    assert not catalog.is_part_of("crypto-etfs", "btc-etfs")
    assert not catalog.is_part_of("ibit", "ibit")  # strict


def test_regions_nest_up_to_global(catalog):
    us = catalog.by_code("US")
    assert us.id == "us"
    assert catalog.ancestors("us") == {"north-america", "global"}
    assert catalog.is_part_of("de", "europe") and catalog.is_part_of("de", "global")
    assert catalog.ancestors("global") == set()


def test_assets_and_stablecoins_are_part_of_the_crypto_market(catalog):
    assert catalog.is_part_of("btc", "crypto-market")
    assert catalog.ancestors("usdt") == {"stablecoins", "crypto-market"}
    assert catalog.get("usdt").issuer == "tether"


def test_unknown_ids_raise_key_error(catalog):
    assert catalog.get("no-such-thing") is None
    with pytest.raises(KeyError):
        catalog.ancestors("no-such-thing")
    with pytest.raises(KeyError):
        catalog.is_part_of("ibit", "no-such-thing")
    with pytest.raises(ValueError):
        catalog.by_kind("planet")


# ---------------------------------------------------------------- aliases

def test_aliases_name_the_entity_in_each_language(catalog):
    aliases = set(catalog.aliases())
    assert Alias("Bitcoin", "btc", "en") in aliases
    assert Alias("比特币", "btc", "zh-Hans") in aliases
    assert Alias("比特幣", "btc", "zh-Hant") in aliases
    assert Alias("BTC", "btc", "ticker") in aliases
    assert Alias("贝莱德", "blackrock", "zh-Hans") in aliases
    assert Alias("貝萊德", "blackrock", "zh-Hant") in aliases
    assert ("聯準會", "fed", "zh-Hant") in aliases  # Taiwan usage; an Alias is a plain 3-tuple
    assert ("輝達", "nvidia", "zh-Hant") in aliases
    assert ("美联储观察", "cme-fedwatch", "zh-Hans") in aliases


def test_each_alias_text_belongs_to_one_entity(catalog):
    owners: dict[str, set[str]] = {}
    for text, entity_id, _lang in catalog.aliases():
        owners.setdefault(text.casefold(), set()).add(entity_id)
    assert {text: ids for text, ids in owners.items() if len(ids) > 1} == {}


def test_ambiguous_names_are_facts_but_not_aliases(catalog):
    mini = catalog.get("grayscale-btc-mini")
    assert mini.tickers == ("BTC",)
    assert [a for a in catalog.aliases() if a.text == "BTC"] == [Alias("BTC", "btc", "ticker")]
    assert not any(a.text == "美国银行" for a in catalog.aliases())  # also reads "US banks"


def test_filter_aliases_by_language(catalog):
    assert {a.lang for a in catalog.aliases(langs=["zh-Hant"])} == {"zh-Hant"}
    assert all(a.text.isascii() for a in catalog.aliases(langs=["ticker"]))


def test_short_capitals_and_common_words_need_exact_case(catalog):
    exact = catalog.exact_case()
    assert {"GS", "BTC", "Fed", "US", "Strategy", "Meta"} <= exact
    assert "Bitcoin" not in exact
    assert not any(a.text == "GS" and a.lang == "en" for a in catalog.aliases())  # GS only as a ticker


def test_chinese_aliases_are_written_in_their_script(catalog):
    opencc = pytest.importorskip("opencc")
    to_simplified = opencc.OpenCC("t2s")
    to_traditional = [opencc.OpenCC(config) for config in ("s2t", "s2tw", "s2hk")]

    def simplified_only(char: str) -> bool:
        return to_simplified.convert(char) == char and all(c.convert(char) != char for c in to_traditional)

    for text, entity_id, lang in catalog.aliases():
        if lang == "zh-Hans":
            assert to_simplified.convert(text) == text, (text, entity_id)
        elif lang == "zh-Hant":
            assert not any(simplified_only(ch) for ch in text), (text, entity_id)
        elif lang == "en":
            assert not any("\u2e80" <= ch <= "\u9fff" for ch in text), (text, entity_id)


# ---------------------------------------------------------------- invalid catalogs

def write(tmp_path, body: str):
    path = tmp_path / "entities.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def assert_one_line_error(path, pattern: str) -> str:
    with pytest.raises(ValueError, match=pattern) as info:
        load_catalog(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    return message


def test_duplicate_id_is_rejected(tmp_path):
    path = write(tmp_path, """
        - {id: btc, kind: asset, names: {en: [Bitcoin]}}
        - {id: btc, kind: asset, names: {en: [Bitcoin Again]}}
    """)
    assert_one_line_error(path, "duplicate id 'btc'")


def test_dangling_part_of_is_rejected(tmp_path):
    path = write(tmp_path, """
        - {id: ibit, kind: fund, tickers: [IBIT], part_of: [btc-etfs]}
    """)
    assert_one_line_error(path, "part_of 'btc-etfs' is not a known id")


def test_part_of_cycle_is_rejected(tmp_path):
    path = write(tmp_path, """
        - {id: a, kind: aggregate, names: {en: [group a]}, part_of: [b]}
        - {id: b, kind: aggregate, names: {en: [group b]}, part_of: [c]}
        - {id: c, kind: aggregate, names: {en: [group c]}, part_of: [a]}
    """)
    message = assert_one_line_error(path, "part_of cycle")
    assert "a -> b -> c -> a" in message


def test_dangling_issuer_and_unknown_region_are_rejected(tmp_path):
    path = write(tmp_path, """
        - {id: ibit, kind: fund, tickers: [IBIT], issuer: blackrock}
    """)
    assert_one_line_error(path, "issuer 'blackrock' is not a known id")
    path = write(tmp_path, """
        - {id: fed, kind: institution, names: {en: [Federal Reserve]}, region: US}
    """)
    assert_one_line_error(path, "region 'US' is not the code of a region entity")


def test_bad_kind_and_bad_id_name_the_entry(tmp_path):
    path = write(tmp_path, """
        - {id: btc, kind: coin, names: {en: [Bitcoin]}}
    """)
    assert_one_line_error(path, r"entry 1 \('btc'\) kind: Input should be 'asset'")
    path = write(tmp_path, """
        - {id: S&P_500, kind: index, names: {en: [S&P 500]}}
    """)
    assert_one_line_error(path, "not lowercase-hyphenated")


def test_alias_given_to_two_entities_is_rejected(tmp_path):
    path = write(tmp_path, """
        - {id: btc, kind: asset, tickers: [BTC]}
        - {id: grayscale-btc-mini, kind: fund, tickers: [BTC]}
    """)
    assert_one_line_error(path, "alias 'BTC' of 'grayscale-btc-mini' clashes")


def test_unreadable_yaml_is_one_line_too(tmp_path):
    path = write(tmp_path, "- {id: btc, kind: asset\n")
    assert_one_line_error(path, "invalid YAML")
    assert_one_line_error(write(tmp_path, "btc: asset\n"), "expected a list")


# ---------------------------------------------------------------- ids for unknown organisations

@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Acme Capital Partners", "acme-capital-partners"),
        ("Acme Capital Partners, LLC", "acme-capital-partners"),
        ("S&P Global", "sp-global"),
        ("J.P. Morgan", "jp-morgan"),
        ("Société Générale", "societe-generale"),
        ("某某基金", "某某基金"),
        ("某某 基金管理有限公司", "某某-基金管理"),
        ("  Ｆａｒｓｉｄｅ  Investors ", "farside-investors"),
    ],
)
def test_slug_id(name, expected):
    assert slug_id(name) == expected


def test_slug_id_needs_something_to_work_with():
    with pytest.raises(ValueError):
        slug_id(" -- ")
