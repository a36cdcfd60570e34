"""Read documents from ``.txt`` (+ sidecar ``.json``), ``.md`` (front matter) and ``.jsonl`` files;
RSS/Atom feeds (``.xml``/``.rss``/``.atom``) and HTML pages (``.html``/``.htm``) via ``feeds.py``.

Text is kept exactly as decoded (only a leading BOM is dropped): claim offsets point into it.
Every bad input raises :class:`~extract.errors.InputError`, whose message is one line.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from functools import cache
from pathlib import Path
from typing import Any, Iterable, Iterator

import yaml
from pydantic import ValidationError

from schemas.document import Document, DocumentMeta

from .errors import InputError
from .tables import parse_yaml

SUFFIXES = (".txt", ".md", ".jsonl", ".html", ".htm", ".xml", ".rss", ".atom")  # see feeds.py for the last five
ALIASES = {"published": "date", "language": "lang", "doc": "id"}
UNDECODABLE = "not UTF-8, UTF-16, GBK or Big5 text"
BOMS = (  # UTF-32 first: its little-endian BOM starts with the UTF-16 one
    (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"),
)
CJK_CODECS = ("gb18030", "big5", "cp950")  # gb18030 is a superset of GBK; cp950 of Big5
FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S | re.M)
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")  # below " " but not \t\n\v\f\r or ESC, and DEL


def read_documents(paths: Iterable[str | Path]) -> Iterator[Document]:
    """Documents from files and directories, in the order given; see ``_walk`` for directories."""
    for file in input_files(paths):
        yield from read_file(file)


def input_files(paths: Iterable[str | Path]) -> list[Path]:
    """The readable files named by ``paths``, directories walked; refuses missing or unknown files."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(_walk(path))
        elif path.exists():
            if path.suffix.lower() not in SUFFIXES:
                raise InputError(path, f"unsupported file type {path.suffix or '(none)'!r};"
                                       f" expected {', '.join(SUFFIXES)}")
            files.append(path)
        else:
            raise InputError(path, "no such file or directory")
    return files


def _walk(root: Path) -> list[Path]:
    """Readable files under ``root``, sorted; skips hidden paths, sidecars and README files."""
    return sorted(
        p for p in root.rglob("*")
        if p.is_file() and p.suffix.lower() in SUFFIXES
        and p.stem.lower() != "readme"
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )


def read_file(path: Path) -> Iterator[Document]:
    """The document(s) in one file, read by its extension (``.txt`` by default)."""
    from . import feeds

    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        yield from read_jsonl_file(path)
    elif suffix in feeds.FEED_SUFFIXES:
        yield from feeds.read_feed_file(path)
    elif suffix in feeds.HTML_SUFFIXES:
        yield feeds.read_html_file(path)
    elif suffix == ".md":
        yield read_markdown_file(path)
    else:
        yield read_text_file(path)


def read_text_file(path: str | Path) -> Document:
    """A ``.txt`` file; metadata from the sidecar ``<same name>.json`` beside it, if any."""
    path = Path(path)
    text = _read_text(path)
    sidecar = path.with_suffix(".json")
    meta = DocumentMeta()
    if sidecar.exists():
        try:
            raw = json.loads(_read_text(sidecar))
        except json.JSONDecodeError as e:
            raise InputError(sidecar, f"not valid JSON: {e.msg} (line {e.lineno} column {e.colno})")
        meta = _meta(raw, sidecar)
    return Document(id=path.stem, text=text, meta=meta, path=str(path))


def read_markdown_file(path: str | Path) -> Document:
    """A Markdown file with optional YAML front matter; ``text`` is the body after it, verbatim."""
    path = Path(path)
    text = _read_text(path)
    raw: Any = {}
    match = FRONT_MATTER.match(text)
    if match:
        try:
            raw = parse_yaml(match.group(1)) or {}
        except (yaml.YAMLError, ValueError) as e:  # ValueError: a bad date
            mark = getattr(e, "problem_mark", None)
            where = f" (line {mark.line + 2})" if mark else ""  # +1 for 1-based, +1 for '---'
            raise InputError(path, f"bad front matter: {getattr(e, 'problem', None) or e}{where}")
        text = text[match.end():]
        if not text.strip():
            raise InputError(path, "no text after the front matter")
    elif re.match(r"---[ \t]*\r?\n", text):
        raise InputError(path, "front matter not closed (no second '---' line)")
    return Document(id=path.stem, text=text, meta=_meta(raw, path, "front matter"), path=str(path))


def read_jsonl_file(path: str | Path) -> Iterator[Document]:
    """One document per line: ``{"id"|"doc", "text", "meta"?, "date"|"published", "lang", ...}``."""
    path = Path(path)
    for lineno, line in enumerate(_read_text(path).split("\n"), 1):
        if line.strip():
            yield _jsonl_document(line, f"{path}:{lineno}", f"{path.stem}-{lineno}", path)


def _jsonl_document(line: str, where: str, default_id: str, path: Path) -> Document:
    """One JSONL record; flat meta keys fill in what a nested ``meta`` object lacks."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as e:
        raise InputError(where, f"not valid JSON: {e.msg} (column {e.colno})")
    if not isinstance(record, dict):
        raise InputError(where, f"expected a JSON object, got {type(record).__name__}")
    record = _unalias(record)
    nested = record.pop("meta", None) or {}
    if not isinstance(nested, dict):
        raise InputError(where, "bad metadata: 'meta' is not an object")
    text = record.get("text")
    if not (isinstance(text, str) and text.strip()) and isinstance(record.get("html"), str):
        from .feeds import html_page  # an export carrying the page: its main text, page meta as fallback

        text, page_meta = html_page(record["html"], where)
        record = {**{k: v for k, v in page_meta.items() if v}, **record}
    if not isinstance(text, str) or not text.strip():
        raise InputError(where, "missing or empty 'text'")
    doc_id = record.get("id")
    if doc_id is None or doc_id == "":
        doc_id = default_id
    elif not isinstance(doc_id, (str, int)) or isinstance(doc_id, bool):
        raise InputError(where, "'id' must be a string")
    meta = _meta({**record, **_unalias(nested)}, where)
    return Document(id=str(doc_id), text=text, meta=meta, path=str(path))


def _meta(raw: Any, where: str | Path, what: str = "metadata") -> DocumentMeta:
    """Validate a meta object; aliases and datetimes are accepted, unknown keys ignored."""
    if not isinstance(raw, dict):
        raise InputError(where, f"bad {what}: expected an object, got {type(raw).__name__}")
    raw = _unalias(raw)
    if "date" in raw:
        raw["date"] = _to_date(raw["date"])
    try:
        return DocumentMeta.model_validate(raw)
    except ValidationError as e:
        first = e.errors()[0]
        field = ".".join(map(str, first["loc"]))
        got = repr(first["input"])[:60]
        raise InputError(where, f"bad {what}: {field}: {first['msg']} (got {got})")


def _unalias(raw: dict) -> dict:
    """Copy of ``raw`` with alias keys renamed, unless the canonical key is already there."""
    out = dict(raw)
    for alias, key in ALIASES.items():
        if alias in out and key not in out:
            out[key] = out.pop(alias)
    return out


def _to_date(value: Any) -> Any:
    """A datetime (object, or ISO string with a time) becomes its date; other values pass."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str) and len(value) > 10:
        try:
            return dt.datetime.fromisoformat(value).date()
        except ValueError:
            pass
    return value


def _read_text(path: Path) -> str:
    """The decoded contents of ``path``; I/O problems become one-line InputErrors."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "no such file or directory") from None
    except OSError as e:
        raise InputError(path, (e.strerror or type(e).__name__).lower()) from None
    return decode_bytes(data, path)


def decode_bytes(data: bytes, path: str | Path) -> str:
    """Decode UTF-8/16/32 (BOM dropped), GBK/GB18030 or Big5; refuse empty, binary, other bytes."""
    if not data.strip():
        raise InputError(path, "empty file")
    for bom, codec in BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)  # these codecs drop the BOM
            except UnicodeDecodeError:
                problem = f"{UNDECODABLE} (bad {codec.upper()} after its BOM)"
                raise InputError(path, problem) from None
            break
    else:
        if _looks_binary(data.decode("latin-1")):
            raise InputError(path, "binary file, not text")
        text = _decode_without_bom(data, path)
    if _looks_binary(text):
        raise InputError(path, "binary file, not text")
    if not text.strip():
        raise InputError(path, "empty file")
    return text


def _decode_without_bom(data: bytes, path: str | Path) -> str:
    """Strict UTF-8, else the CJK codec whose result reads most like Chinese text."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best, best_score = None, 0.0
    for codec in CJK_CODECS:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        score = _cjk_score(text)
        if score > best_score:
            best, best_score = text, score
    if best is None or best_score < 0.5:
        raise InputError(path, UNDECODABLE)
    return best


def _cjk_score(text: str) -> float:
    """Share of the non-ASCII characters that are common Chinese characters or punctuation."""
    chars = [c for c in text if ord(c) > 127]
    if not chars:
        return 1.0
    common = _common_chinese()
    return sum(c in common for c in chars) / len(chars)


@cache
def _common_chinese() -> frozenset[str]:
    """GB2312 level 1 (3755 simplified) and Big5 common (5401 traditional) hanzi; punctuation."""
    rows = [("gb2312", range(0xB0, 0xD8), range(0xA1, 0xFF)),
            ("big5", range(0xA4, 0xC7), [*range(0x40, 0x7F), *range(0xA1, 0xFF)])]
    chars = set("，。、：；！？“”‘’「」『』（）《》【】…—·％～　")
    chars.update(map(chr, range(0xFF01, 0xFF5F)))  # fullwidth ASCII forms
    for codec, leads, trails in rows:
        for lead in leads:
            for trail in trails:
                char = bytes((lead, trail)).decode(codec, errors="ignore")
                if "\u4e00" <= char <= "\u9fff":
                    chars.add(char)
    return frozenset(chars)


def _looks_binary(text: str) -> bool:
    """NUL characters, or more than 10% control characters other than whitespace and ESC."""
    if "\x00" in text:
        return True
    return len(CONTROL_CHARS.findall(text)) > 0.1 * len(text)
