"""RSS/Atom feeds, HTML pages and JSON Lines exports carrying HTML; hostile XML; canonical URLs."""
from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import pytest

from extract import feeds
from extract.errors import InputError
from extract.feeds import canonical_url, html_to_text
from extract.readers import read_documents

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Crypto Wire</title><language>en-us</language>
<item><title>Bitcoin ETFs bleed $537M</title><link>https://www.example.com/a?utm_source=rss</link>
<guid>https://www.example.com/a</guid><pubDate>Mon, 26 Jan 2026 10:00:00 GMT</pubDate>
<description><![CDATA[<p>Bitcoin ETFs saw outflows of <b>$537 million</b> last week.</p>
<script>alert(1)</script><p>IBIT lost $300 million.</p>]]></description></item>
<item><title>以太坊产品流出6.3亿美元</title><link>https://example.cn/b</link>
<description>比特币产品一周内净流出约10.9亿美元。</description></item>
</channel></rss>
"""
ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-TW"><title>市場觀察</title>
<entry><title>比特幣ETF資金外流</title><id>tag:example.tw,2025:1</id>
<link href="https://example.tw/1"/><updated>2025-11-25T08:00:00Z</updated>
<content type="html">&lt;p&gt;IBIT基金在11月錄得22億美元贖回。&lt;/p&gt;</content></entry>
</feed>
"""
BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<rss version="2.0"><channel><title>x</title><item><title>&lol9;</title><description>&lol9;</description></item></channel></rss>
"""
XXE = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>x</title><item><title>&xxe;</title></item></channel></rss>
"""
PAGE = """<!DOCTYPE html><html lang="en"><head><title>ETF flows | CoinDesk</title>
<meta property="og:title" content="Bitcoin ETFs bleed $537M">
<meta property="og:site_name" content="CoinDesk">
<meta property="article:published_time" content="2026-01-26T10:00:00Z">
<link rel="canonical" href="https://www.coindesk.com/markets/2026/01/26/etf-flows">
</head><body><nav>Home | Markets | Login | Subscribe for $9.99</nav>
<article><h1>Bitcoin ETFs bleed $537M</h1>
<p>Bitcoin ETFs saw outflows of $537 million last week, the largest since March.</p>
<p>IBIT alone lost $300 million, while FBTC took in $12 million.</p></article>
<footer>Copyright 2026. Advertise with us from $500.</footer></body></html>
"""


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def refused(path: Path) -> str:
    with pytest.raises(InputError) as info:
        list(read_documents([path]))
    assert "\n" not in str(info.value)
    return str(info.value)


def test_rss_entries_become_documents_with_title_first(tmp_path):
    first, second = read_documents([write(tmp_path / "wire.rss", RSS)])

    assert first.text == "Bitcoin ETFs bleed $537M\nBitcoin ETFs saw outflows of $537 million last week.\nIBIT lost $300 million."
    assert first.meta.date == dt.date(2026, 1, 26)
    assert first.meta.url == "https://www.example.com/a?utm_source=rss"
    assert (first.meta.publisher, first.meta.lang, first.meta.title) == ("Crypto Wire", "en", "Bitcoin ETFs bleed $537M")
    assert first.id.startswith("entry-") and first.path == str(tmp_path / "wire.rss")
    assert second.meta.lang == "zh-Hans"  # the text is Chinese though the feed says en-us
    assert second.text == "以太坊产品流出6.3亿美元\n比特币产品一周内净流出约10.9亿美元。"


def test_the_same_guid_gives_the_same_id_in_any_feed(tmp_path):
    a = next(iter(read_documents([write(tmp_path / "a.xml", RSS)])))
    b = next(iter(read_documents([write(tmp_path / "b.rss", RSS)])))
    assert a.id == b.id


def test_atom_feed_with_html_content_and_feed_language(tmp_path):
    [doc] = read_documents([write(tmp_path / "tw.atom", ATOM)])
    assert doc.text == "比特幣ETF資金外流\nIBIT基金在11月錄得22億美元贖回。"
    assert (doc.meta.lang, doc.meta.publisher, doc.meta.url) == ("zh-Hant", "市場觀察", "https://example.tw/1")
    assert doc.meta.date == dt.date(2025, 11, 25)


@pytest.mark.parametrize("xml, words", [(BILLION_LAUGHS, "unsafe XML refused"), (XXE, "unsafe XML refused")])
def test_hostile_xml_is_refused_before_expansion(xml, words, tmp_path):
    started = time.monotonic()
    message = refused(write(tmp_path / "evil.xml", xml))
    assert words in message and str(tmp_path / "evil.xml") in message
    assert time.monotonic() - started < 2


def test_malformed_xml_with_an_entity_declaration_is_refused_too(tmp_path):
    message = refused(write(tmp_path / "evil.xml", BILLION_LAUGHS.replace("</channel>", "")))
    assert "unsafe XML refused" in message


def test_a_feed_over_the_size_cap_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(feeds, "MAX_FILE_BYTES", 1000)
    message = refused(write(tmp_path / "huge.xml", RSS.replace("</channel>", "<item><title>x</title></item>" * 100 + "</channel>")))
    assert "file too large" in message


@pytest.mark.parametrize("content, words", [
    ('<?xml version="1.0"?><urlset><url><loc>https://a.example/</loc></url></urlset>', "not an RSS or Atom feed"),
    ("", "empty file"),
    ("<rss><channel><title>t</title><item><title> </title></item></channel></rss>", "no entry of the feed has any text"),
])
def test_xml_that_is_no_usable_feed_is_refused(content, words, tmp_path):
    assert words in refused(write(tmp_path / "x.xml", content))


def test_html_page_main_text_and_page_metadata(tmp_path):
    [doc] = read_documents([write(tmp_path / "etf-flows.html", PAGE)])
    assert doc.id == "etf-flows"
    assert doc.text.startswith("Bitcoin ETFs bleed $537M\nBitcoin ETFs saw outflows of $537 million")
    assert "IBIT alone lost $300 million" in doc.text
    assert "Subscribe" not in doc.text and "Advertise" not in doc.text  # boilerplate dropped
    assert doc.meta.date == dt.date(2026, 1, 26)
    assert doc.meta.publisher == "CoinDesk"
    assert doc.meta.url == "https://www.coindesk.com/markets/2026/01/26/etf-flows"


def test_html_without_article_text_is_refused(tmp_path):
    assert "no article text" in refused(write(tmp_path / "empty.htm", "<html><body><nav></nav></body></html>"))


def test_jsonl_export_record_with_html_instead_of_text(tmp_path):
    record = {"id": "p1", "url": "https://example.com/p1", "published": "2026-01-27", "lang": "en", "html": PAGE}
    [doc] = read_documents([write(tmp_path / "export.jsonl", json.dumps(record) + "\n")])
    assert doc.id == "p1" and doc.meta.url == "https://example.com/p1"  # the record's meta wins
    assert doc.meta.date == dt.date(2026, 1, 27) and doc.meta.title == "Bitcoin ETFs bleed $537M"
    assert "outflows of $537 million" in doc.text and "Subscribe" not in doc.text


@pytest.mark.parametrize("url, canonical", [
    ("HTTP://www.Example.com:80/a/b/?utm_source=x&b=2&a=1#top", "https://example.com/a/b?a=1&b=2"),
    ("https://example.com/a?fbclid=1", "https://example.com/a"),
    ("https://example.com:8443/a", "https://example.com:8443/a"),
    ("https://example.com/", "https://example.com"),
    ("file:///data/x.txt", "file:///data/x.txt"),
    ("  ", None),
    (None, None),
])
def test_canonical_url(url, canonical):
    assert canonical_url(url) == canonical


@pytest.mark.parametrize("html, text", [
    ("<p>One $5M.</p><p>Two  &amp;  three</p>", "One $5M.\nTwo & three"),
    ("plain text\n\n second line ", "plain text\nsecond line"),
    ("<div>a<br>b<style>p{}</style><script>x()</script></div>", "a\nb"),
    ("<ul><li>IBIT −$537M</li><li>FBTC +$12M</li></ul>", "IBIT −$537M\nFBTC +$12M"),
])
def test_html_to_text(html, text):
    assert html_to_text(html) == text
