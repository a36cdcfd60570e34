"""Documents: the text exactly as read, plus the metadata of the GUIDE's ``meta`` object."""
from __future__ import annotations

import datetime as dt
import hashlib
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Lang = Literal["zh-Hans", "zh-Hant", "en"]


class DocumentMeta(BaseModel):
    """The ``meta`` object of a gold file or a sidecar ``<name>.json``; every field optional."""

    model_config = ConfigDict(extra="ignore")

    date: dt.date | None = Field(None, description="Publication date; resolves relative times.")
    lang: Lang | None = Field(None, description="zh-Hans, zh-Hant or en; detected when absent.")
    title: str | None = None
    url: str | None = None
    publisher: str | None = None


class Document(BaseModel):
    """A source text and its metadata. ``text`` is never normalised: offsets point into it."""

    id: str = Field(..., description="File name without extension, or the record's id.")
    text: str
    meta: DocumentMeta = Field(default_factory=DocumentMeta)
    path: str | None = Field(None, description="Where the document was read from.")

    @property
    def content_hash(self) -> str:
        return content_hash(self.text)


def content_hash(text: str) -> str:
    """SHA-256 of the UTF-8 text, hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
