"""RSS/Atom feeds and HTML pages → ``Document``s; canonical URLs.

A feed file gives one document per entry, an HTML page one document. The text stored (and that
claim offsets point into) is the plain text derived here: the title as the first line (unless
the body already starts with it), then one paragraph per line.

Hostile input is refused with a one-line :class:`~extract.errors.InputError` before any parser
expands it: files over ``MAX_FILE_BYTES``, and XML declaring entities or external references
(billion laughs, quadratic blow-up, XXE; checked with defusedxml before feedparser sees the
bytes). HTML goes through lxml's HTML parser, which expands no DTD entities.

- Feed entries: id from the guid (else the link), ``entry-<sha1[:16]>``; date from
  published/updated; url the link; publisher the feed's title; lang from the feed's language
  when the entry's text agrees it is Chinese or English (else detected).
- HTML pages: main text, title, date and site name with trafilatura; the canonical link as url.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from schemas.document import Document, DocumentMeta

from .errors import InputError

FEED_SUFFIXES = (".xml", ".rss", ".atom")
HTML_SUFFIXES = (".html", ".htm")
MAX_FILE_BYTES = 32 * 1024 * 1024  # a feed or page larger than this is refused unread
BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
    "blockquote", "pre", "section", "article", "header", "footer", "figure", "figcaption", "dd", "dt",
}
TRACKING = re.compile(r"^(?:utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|ref_src|spm|_ga|ocid|cmpid)$", re.I)
LANGS = (("zh-tw", "zh-Hant"), ("zh-hk", "zh-Hant"), ("zh-mo", "zh-Hant"), ("zh-hant", "zh-Hant"),
         ("zh-cn", "zh-Hans"), ("zh-sg", "zh-Hans"), ("zh-hans", "zh-Hans"), ("en", "en"))


# --- URLs ------------------------------------------------------------------------------------

def canonical_url(url: str | None) -> str | None:
    """The form two links to the same page share: https, lower-case host without ``www.``, no
    default port, fragment or tracking parameters (utm_*, fbclid…), sorted query, no trailing /.

    >>> canonical_url("HTTP://www.Example.com:80/a/b/?utm_source=x&b=2&a=1#top")
    'https://example.com/a/b?a=1&b=2'
    >>> canonical_url("file:///data/x.txt")
    'file:///data/x.txt'
    """
    if not url or not url.strip():
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            return url
        host = parts.hostname.lower().removeprefix("www.")
        port = parts.port
    except ValueError:  # a malformed port or netloc
        return url
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    path = re.sub(r"/+$", "", parts.path) or ""
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                             if not TRACKING.match(k)))
    return urlunsplit(("https", netloc, path, query, ""))


# --- HTML ------------------------------------------------------------------------------------

def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment (a feed entry's content): one line per block, scripts and
    styles dropped, runs of spaces folded. Text without markup is returned stripped."""
    if "<" not in html:
        return _fold("\n".join(html.splitlines()))
    import lxml.html
    from lxml import etree

    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div", parser=parser)
    except (etree.ParserError, ValueError):
        return _fold(html)
    for bad in root.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    parts: list[str] = []

    def walk(el) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        block = tag in BLOCK_TAGS
        if block:
            parts.append("\n")
        if el.text:
            parts.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if block:
            parts.append("\n")

    walk(root)
    return _fold("".join(parts))


def _fold(text: str) -> str:
    lines = (re.sub(r"[ \t\r\f\v\u00a0]+", " ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _with_title(title: str | None, body: str) -> str:
    """The body, with the title as its first line unless the body already starts with it."""
    title = " ".join((title or "").split())
    if not title or body.startswith(title):
        return body
    return f"{title}\n{body}" if body else title


def html_page(html: str | bytes, where: str | Path) -> tuple[str, dict]:
    """Main text (title first) and metadata fields (title, date, url, publisher) of a web page."""
    import trafilatura

    try:
        page = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False,
                                           include_tables=True, include_images=False)
    except Exception as e:  # trafilatura/lxml on a page it cannot parse
        raise InputError(where, f"cannot parse the HTML ({type(e).__name__}: {e})") from None
    body = (getattr(page, "text", None) or "").strip() if page is not None else ""
    if not body:
        raise InputError(where, "no article text found in the HTML")
    title = getattr(page, "title", None)
    meta = {
        "title": title,
        "date": _date(getattr(page, "date", None)),
        "url": getattr(page, "url", None),
        "publisher": getattr(page, "sitename", None) or getattr(page, "hostname", None),
    }
    return _with_title(title, body), meta


def read_html_file(path: str | Path) -> Document:
    """A saved web page: its main text and page metadata (sidecar-free)."""
    from .readers import _meta, decode_bytes

    path = Path(path)
    text = decode_bytes(_read_capped(path), path)
    body, fields = html_page(text, path)
    meta = _meta({k: v for k, v in fields.items() if v}, path)
    return Document(id=path.stem, text=body, meta=meta, path=str(path))


# --- feeds -----------------------------------------------------------------------------------

def check_safe_xml(data: bytes, where: str | Path) -> None:
    """Refuse XML that declares entities or references external ones (defusedxml decides);
    malformed XML passes here and is left to feedparser's lenient parser."""
    import defusedxml
    from defusedxml.ElementTree import fromstring

    try:
        fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException as e:
        raise InputError(where, f"unsafe XML refused ({type(e).__name__}: entity declarations "
                                "and external references are not allowed)") from None
    except Exception:  # ParseError and friends: not well-formed; feedparser may still read it
        if re.search(rb"<!\s*ENTITY", data.replace(b"\x00", b""), re.I):  # NULs: UTF-16 text
            raise InputError(where, "unsafe XML refused (entity declarations are not allowed)") from None


def read_feed_file(path: str | Path) -> list[Document]:
    """Every entry of an RSS or Atom feed file, in feed order; a feed without entries is refused."""
    import feedparser

    path = Path(path)
    data = _read_capped(path)
    if not data.strip():
        raise InputError(path, "empty file")
    check_safe_xml(data, path)
    # a stream, never bytes: feedparser would try bytes as a file name first
    parsed = feedparser.parse(io.BytesIO(data), sanitize_html=True, resolve_relative_uris=False)
    if not parsed.entries:
        problem = getattr(parsed, "bozo_exception", None)
        why = f" ({' '.join(str(problem).split())[:120]})" if problem else ""
        raise InputError(path, f"not an RSS or Atom feed with entries{why}")
    feed = parsed.feed
    publisher = _clean(feed.get("title"))
    lang = feed_language(feed.get("language"))
    documents = []
    for entry in parsed.entries:
        document = _entry_document(entry, path, publisher, lang)
        if document is not None:
            documents.append(document)
    if not documents:
        raise InputError(path, "no entry of the feed has any text")
    return documents


def feed_language(tag: str | None) -> str | None:
    """zh-Hans, zh-Hant or en for a feed's language tag (zh-cn, zh-TW, en-us…); else None."""
    tag = (tag or "").strip().lower().replace("_", "-")
    for prefix, lang in LANGS:
        if tag == prefix or tag.startswith(prefix + "-"):
            return lang
    return None


def _entry_document(entry, path: Path, publisher: str | None, lang: str | None) -> Document | None:
    title = _clean(entry.get("title"))
    contents = [c for c in entry.get("content") or [] if c.get("value")]
    body_html = max((c["value"] for c in contents), key=len) if contents else entry.get("summary") or ""
    body = html_to_text(body_html)
    text = _with_title(title, body)
    if not text.strip():
        return None
    link = entry.get("link")
    key = entry.get("id") or link or f"{title}|{entry.get('published', '')}"
    meta = DocumentMeta(
        date=_struct_date(entry.get("published_parsed") or entry.get("updated_parsed")),
        lang=_entry_language(text, lang), title=title, url=link or None, publisher=publisher,
    )
    doc_id = "entry-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]
    return Document(id=doc_id, text=text, meta=meta, path=str(path))


def _entry_language(text: str, feed_lang: str | None) -> str | None:
    """The feed's language where the entry's text agrees on Chinese vs English (the feed then
    decides the script); the detected one where it does not (a Chinese entry in an en-us feed)."""
    from .language import detect_language

    detected = detect_language(text)
    if feed_lang and (detected is None or detected[:2] == feed_lang[:2]):
        return feed_lang
    return detected


# --- helpers ---------------------------------------------------------------------------------

def _read_capped(path: Path) -> bytes:
    """The bytes of ``path``, refusing a file over ``MAX_FILE_BYTES`` before reading it."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(path, f"file too large ({size:,} bytes; the limit is {MAX_FILE_BYTES:,})")
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "no such file or directory") from None
    except OSError as e:
        raise InputError(path, (e.strerror or type(e).__name__).lower()) from None


def _clean(value) -> str | None:
    text = " ".join(str(value).split()) if value else ""
    return text or None


def _struct_date(value) -> dt.date | None:
    try:
        return dt.date(value.tm_year, value.tm_mon, value.tm_mday) if value else None
    except (AttributeError, ValueError):
        return None


def _date(value) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
