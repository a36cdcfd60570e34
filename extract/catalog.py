"""Entity catalog: canonical ids for claim subjects, sources and regions, with their aliases.

The data lives in ``extract/data/entities.yaml`` (its header documents the fields); this module
validates it when loading and answers questions about it:

    cat = load_catalog()
    cat.get("ibit").issuer                  # 'blackrock'
    cat.is_part_of("ibit", "crypto-etfs")   # True: ibit -> btc-etfs -> crypto-etfs
    cat.by_code("US").id                    # 'us'
    cat.aliases()                           # [('Bitcoin', 'btc', 'en'), ('比特币', 'btc', 'zh-Hans'), ...]

Ids follow shared/eval/GUIDE.md ("Entity ids"); ``slug_id`` names an organisation that the
catalog does not know yet, the same way each time.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal, NamedTuple, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from .tables import parse_yaml

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "entities.yaml"

Kind = Literal[
    "asset", "fund", "issuer", "index", "institution", "data-provider",
    "region", "aggregate", "company", "sector", "indicator",
]
KINDS: tuple[str, ...] = get_args(Kind)
LANGS: tuple[str, ...] = ("en", "zh-Hans", "zh-Hant")
TICKER = "ticker"  # the `lang` of a ticker in Catalog.aliases(): tickers are written the same in every language

ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
COUNTRY_CODE_RE = re.compile(r"^[A-Z]{2}$")               # ISO 3166 alpha-2
AREA_CODE_RE = re.compile(r"^[A-Z]{3,}(-[A-Z]+)*$")        # EUROPE, ASIA, NORTH-AMERICA
TICKER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.]*$")      # BTC, GOOGL, USDe, US10Y
ISSUER_KINDS = frozenset({"issuer", "company", "institution"})
HAS_ISSUER_KINDS = frozenset({"fund", "asset"})


class Alias(NamedTuple):
    """One name of an entity: ``(text, entity_id, lang)``; lang is 'en', 'zh-Hans', 'zh-Hant' or 'ticker'."""

    text: str
    entity_id: str
    lang: str


class Names(BaseModel):
    """Aliases by language, as news writes them (see the YAML header for which list an alias goes in)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    en: tuple[str, ...] = ()
    zh_hans: tuple[str, ...] = Field((), alias="zh-Hans")
    zh_hant: tuple[str, ...] = Field((), alias="zh-Hant")

    def by_lang(self) -> dict[str, tuple[str, ...]]:
        """``{'en': ..., 'zh-Hans': ..., 'zh-Hant': ...}``."""
        return {"en": self.en, "zh-Hans": self.zh_hans, "zh-Hant": self.zh_hant}

    def all(self) -> tuple[str, ...]:
        """Every name, all languages, in file order."""
        return self.en + self.zh_hans + self.zh_hant

    @field_validator("en", "zh_hans", "zh_hant", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return () if value is None else value

    @field_validator("en", "zh_hans", "zh_hant")
    @classmethod
    def _trimmed_and_non_empty(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for name in value:
            if not name or name != name.strip():
                raise ValueError(f"alias {name!r} is empty or has surrounding spaces")
        return value


class Entity(BaseModel):
    """One catalog entry. Field meanings: see the header of ``entities.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    kind: Kind
    names: Names = Names()
    tickers: tuple[str, ...] = ()
    case_sensitive: tuple[str, ...] = ()
    ambiguous: tuple[str, ...] = ()
    issuer: str | None = None
    part_of: tuple[str, ...] = ()
    region: str | None = None
    code: str | None = None
    display: str | None = None
    notes: str | None = None

    def label(self, lang: str = "en") -> str:
        """Short name for reports: ``display``, else the ticker of an asset or fund, else the
        shortest English (or Simplified Chinese) name."""
        if lang == "zh" and self.names.zh_hans:
            return self.names.zh_hans[0]
        if self.display:
            return self.display
        if self.tickers and self.kind in ("asset", "fund"):
            return self.tickers[0]
        return min(self.names.en or (self.id,), key=len)

    @field_validator("names", "tickers", "case_sensitive", "ambiguous", "part_of", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any, info: Any) -> Any:
        if value is None:
            return {} if info.field_name == "names" else ()
        return value

    @field_validator("id")
    @classmethod
    def _id_format(cls, value: str) -> str:
        if not ID_RE.match(value):
            raise ValueError(f"id {value!r} is not lowercase-hyphenated ([a-z0-9]+(-[a-z0-9]+)*)")
        return value

    @field_validator("tickers")
    @classmethod
    def _ticker_format(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for ticker in value:
            if not TICKER_RE.match(ticker):
                raise ValueError(f"ticker {ticker!r} is not letters, digits and dots")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> "Entity":
        if not self.names.all() and not self.tickers:
            raise ValueError("has neither names nor tickers")
        if self.code is not None:
            if self.kind != "region":
                raise ValueError("only region entities have a code")
            if not (COUNTRY_CODE_RE.match(self.code) or AREA_CODE_RE.match(self.code)):
                raise ValueError(f"code {self.code!r} is neither ISO alpha-2 nor an area like NORTH-AMERICA")
        if self.kind == "region" and self.region is not None:
            raise ValueError("a region entity has a code, not a region")
        if self.issuer is not None and self.kind not in HAS_ISSUER_KINDS:
            raise ValueError(f"only funds and assets have an issuer, not a {self.kind}")
        if self.id in self.part_of:
            raise ValueError("part_of names the entity itself")
        names = set(self.names.all())
        for name in self.case_sensitive:
            if name not in names:
                raise ValueError(f"case_sensitive {name!r} is not one of its names")
        for name in self.ambiguous:
            if name not in names and name not in self.tickers:
                raise ValueError(f"ambiguous {name!r} is not one of its names or tickers")
        return self

    def exact_case(self) -> frozenset[str]:
        """Alias texts of this entity that a matcher must match in exact case: tickers and case_sensitive names."""
        return frozenset(self.tickers) | frozenset(self.case_sensitive)

    def aliases(self) -> list[Alias]:
        """Names by language, then tickers (lang 'ticker'); the ``ambiguous`` ones left out, duplicates dropped."""
        out: list[Alias] = []
        seen: set[tuple[str, str]] = set()
        pairs = [(lang, name) for lang, names in self.names.by_lang().items() for name in names]
        pairs += [(TICKER, ticker) for ticker in self.tickers]
        for lang, text in pairs:
            if text in self.ambiguous or (text, lang) in seen:
                continue
            seen.add((text, lang))
            out.append(Alias(text, self.id, lang))
        return out


class Catalog(BaseModel):
    """All entities, checked as a whole: unique ids and codes, references that resolve, no part_of cycle.

    Entities are immutable; look-ups are by id (``get``), region code (``by_code``) or kind (``by_kind``).
    """

    model_config = ConfigDict(frozen=True)

    entities: tuple[Entity, ...]
    _by_id: dict[str, Entity] = PrivateAttr(default_factory=dict)
    _by_code: dict[str, Entity] = PrivateAttr(default_factory=dict)
    # Reading a private attribute as ``self._by_id`` goes through pydantic's __getattr__ (~3 µs);
    # the look-ups below read the same dicts from ``__pydantic_private__`` directly (~0.1 µs).

    @model_validator(mode="after")
    def _check_and_index(self) -> "Catalog":
        self._by_id = _index_ids(self.entities)
        self._by_code = _index_codes(self.entities)
        for entity in self.entities:
            _check_references(entity, self._by_id, self._by_code)
        _check_no_cycle(self._by_id)
        _check_alias_clashes(self.entities)
        return self

    def __repr__(self) -> str:
        return f"Catalog({len(self.entities)} entities)"

    def __len__(self) -> int:
        return len(self.entities)

    def __iter__(self) -> Iterator[Entity]:  # type: ignore[override]
        return iter(self.entities)

    def __contains__(self, entity_id: object) -> bool:
        return entity_id in self.__pydantic_private__["_by_id"]

    def ids(self) -> list[str]:
        """All ids, in file order."""
        return [entity.id for entity in self.entities]

    def get(self, entity_id: str) -> Entity | None:
        """The entity with this id, or None when the catalog does not know it."""
        return self.__pydantic_private__["_by_id"].get(entity_id)

    def by_code(self, code: str) -> Entity | None:
        """The region entity whose ``code`` is ``code`` (a claim's region: 'US', 'EUROPE'), or None."""
        return self.__pydantic_private__["_by_code"].get(code)

    def by_kind(self, kind: str) -> list[Entity]:
        """Entities of one kind, in file order; ValueError for a kind that does not exist."""
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}; kinds are {', '.join(KINDS)}")
        return [entity for entity in self.entities if entity.kind == kind]

    def aliases(self, langs: Iterable[str] | None = None) -> list[Alias]:
        """``(alias text, entity id, lang)`` for every entity, e.g. for a PhraseMatcher or a jieba user dictionary.

        lang is 'en', 'zh-Hans', 'zh-Hant', or 'ticker' for tickers (written the same in every
        language). ``langs`` keeps only those langs. Aliases listed as ``ambiguous`` are left out.
        Chinese news writes many names in Latin script, so a matcher for Chinese text should
        also take the 'en' and 'ticker' aliases. Which texts need exact case: ``exact_case()``.
        No alias text (compared case-insensitively) belongs to two entities.
        """
        wanted = None if langs is None else set(langs)
        return [
            alias
            for entity in self.entities
            for alias in entity.aliases()
            if wanted is None or alias.lang in wanted
        ]

    def exact_case(self) -> frozenset[str]:
        """Alias texts that must be matched in exact case ('BTC', 'GS', 'Fed', 'US'); all others match in any case."""
        return frozenset().union(*(entity.exact_case() for entity in self.entities))

    def ancestors(self, entity_id: str) -> set[str]:
        """Every id ``entity_id`` is part of, directly or through others (not itself); KeyError if unknown."""
        self._require(entity_id)
        by_id = self.__pydantic_private__["_by_id"]
        found: set[str] = set()
        todo = list(by_id[entity_id].part_of)
        while todo:
            parent = todo.pop()
            if parent not in found:
                found.add(parent)
                todo.extend(by_id[parent].part_of)
        return found

    def is_part_of(self, child: str, parent: str) -> bool:
        """True when ``parent`` is among ``child``'s ancestors (strict: an id is not part of itself); KeyError if unknown."""
        self._require(parent)
        return parent in self.ancestors(child)

    def _require(self, entity_id: str) -> None:
        if entity_id not in self.__pydantic_private__["_by_id"]:
            raise KeyError(f"unknown entity id {entity_id!r}")


# ---------------------------------------------------------------- whole-catalog checks

def _index_ids(entities: Iterable[Entity]) -> dict[str, Entity]:
    """Id -> entity; ValueError on a duplicate id."""
    index: dict[str, Entity] = {}
    for entity in entities:
        if entity.id in index:
            raise ValueError(f"duplicate id {entity.id!r}")
        index[entity.id] = entity
    return index


def _index_codes(entities: Iterable[Entity]) -> dict[str, Entity]:
    """Region code -> region entity; ValueError on a duplicate code."""
    index: dict[str, Entity] = {}
    for entity in entities:
        if entity.code is None:
            continue
        if entity.code in index:
            raise ValueError(f"duplicate region code {entity.code!r} ({index[entity.code].id!r} and {entity.id!r})")
        index[entity.code] = entity
    return index


def _check_references(entity: Entity, by_id: dict[str, Entity], by_code: dict[str, Entity]) -> None:
    """part_of and issuer name existing ids of fitting kinds; region names a region code."""
    where = f"entity {entity.id!r}"
    for parent_id in entity.part_of:
        parent = by_id.get(parent_id)
        if parent is None:
            raise ValueError(f"{where}: part_of {parent_id!r} is not a known id")
        if (parent.kind == "region") != (entity.kind == "region"):
            raise ValueError(
                f"{where}: part_of {parent_id!r} mixes regions and non-regions (country scope goes in `region`)"
            )
    if entity.issuer is not None:
        issuer = by_id.get(entity.issuer)
        if issuer is None:
            raise ValueError(f"{where}: issuer {entity.issuer!r} is not a known id")
        if issuer.kind not in ISSUER_KINDS:
            raise ValueError(f"{where}: issuer {entity.issuer!r} is a {issuer.kind}, not an issuer, company or institution")
    if entity.region is not None and entity.region not in by_code:
        raise ValueError(f"{where}: region {entity.region!r} is not the code of a region entity")


def _check_no_cycle(by_id: dict[str, Entity]) -> None:
    """ValueError naming the loop if following part_of ever leads back to where it started."""
    done: set[str] = set()
    for start in by_id:
        path: list[str] = []
        on_path: set[str] = set()
        stack: list[tuple[str, int]] = [(start, 0)]
        while stack:
            node, i = stack.pop()
            if i == 0:
                if node in done:
                    continue
                if node in on_path:
                    loop = path[path.index(node):] + [node]
                    raise ValueError(f"part_of cycle: {' -> '.join(loop)}")
                path.append(node)
                on_path.add(node)
            parents = by_id[node].part_of
            if i < len(parents):
                stack.append((node, i + 1))
                stack.append((parents[i], 0))
            else:
                path.pop()
                on_path.discard(node)
                done.add(node)


def _check_alias_clashes(entities: Iterable[Entity]) -> None:
    """ValueError when one alias text (case-insensitively) is given to two entities."""
    owner: dict[str, tuple[str, str]] = {}
    for entity in entities:
        for alias in entity.aliases():
            key = alias.text.casefold()
            previous = owner.setdefault(key, (alias.text, entity.id))
            if previous[1] != entity.id:
                raise ValueError(
                    f"alias {alias.text!r} of {entity.id!r} clashes with {previous[0]!r} of {previous[1]!r}"
                    " (list it under `ambiguous` of one of them)"
                )


# ---------------------------------------------------------------- loading

@functools.lru_cache(maxsize=8)
def load_catalog(path: str | Path | None = None) -> Catalog:
    """Read and validate a catalog YAML (default: the packaged ``extract/data/entities.yaml``).

    Cached per path (``load_catalog.cache_clear()`` to re-read). Raises ValueError with one line,
    ``"<file>: <problem>"``, for unreadable YAML or an invalid catalog.
    """
    file = Path(path) if path is not None else DEFAULT_PATH
    try:
        raw = parse_yaml(file.read_text(encoding="utf-8"))
    except OSError as err:
        raise ValueError(f"{file}: cannot read: {err.strerror or err}") from None
    except yaml.YAMLError as err:
        raise ValueError(f"{file}: invalid YAML: {_one_line(str(err))}") from None
    if not isinstance(raw, list):
        raise ValueError(f"{file}: expected a list of entities at the top level, got {type(raw).__name__}")
    try:
        return Catalog.model_validate({"entities": raw})
    except ValidationError as err:
        raise ValueError(f"{file}: {_describe(err, raw)}") from None


def _describe(err: ValidationError, raw: list[Any]) -> str:
    """The first problem of a ValidationError as one line, naming the entry by its id where it has one."""
    problems = err.errors()
    first = problems[0]
    message = first["msg"].removeprefix("Value error, ")
    loc = list(first["loc"])
    where = ""
    if len(loc) >= 2 and loc[0] == "entities" and isinstance(loc[1], int):
        index = loc[1]
        entry = raw[index] if index < len(raw) else None
        entry_id = entry.get("id") if isinstance(entry, dict) else None
        where = f"entry {index + 1}" + (f" ({entry_id!r})" if entry_id else "")
        field = ".".join(str(part) for part in loc[2:])
        where += f" {field}" if field else ""
        where += ": "
    more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
    return _one_line(f"{where}{message}{more}")


def _one_line(text: str) -> str:
    return " ".join(text.split())


# ---------------------------------------------------------------- ids for unknown organisations

_LEGAL_SUFFIXES = frozenset({
    "inc", "incorporated", "corp", "corporation", "co", "company", "ltd", "limited", "llc", "llp",
    "lp", "plc", "ag", "sa", "se", "nv", "bv", "gmbh", "pte",
})
_ZH_LEGAL_SUFFIXES = ("股份有限公司", "有限责任公司", "有限責任公司", "有限公司")


def slug_id(name: str) -> str:
    """A catalog-style id for an organisation the catalog does not know, the same every time.

    Latin script is lowercased with accents dropped; '&', apostrophes and dots vanish
    ("S&P Global" -> "sp-global", "J.P. Morgan" -> "jp-morgan"); any other run of
    non-alphanumerics becomes one '-'. A trailing legal form (Inc., LLC, Ltd, 有限公司...) is
    dropped. Chinese (and other non-Latin letters) are kept as they are: "某某基金" -> "某某基金".
    ValueError when nothing is left.
    """
    text = unicodedata.normalize("NFKC", name).strip()
    for suffix in _ZH_LEGAL_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            break
    out: list[str] = []
    for char in text:
        if char in "&'’.":
            continue
        plain = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        if plain.isascii() and plain.isalnum():
            out.append(plain.lower())
        elif char.isalnum():
            out.append(char)
        else:
            out.append("-")
    words = [word for word in "".join(out).split("-") if word]
    while len(words) > 1 and words[-1] in _LEGAL_SUFFIXES:
        words.pop()
    slug = "-".join(words)
    if not slug:
        raise ValueError(f"cannot make an id from {name!r}")
    return slug
