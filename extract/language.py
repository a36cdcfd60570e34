"""Which language a text is in: ``zh-Hans``, ``zh-Hant`` or ``en`` (or None when neither)."""
from __future__ import annotations

import re
from functools import lru_cache

import opencc

HAN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")
LATIN = re.compile(r"[A-Za-z]")
NON_ASCII = re.compile(r"[^\x00-\x7f]")


@lru_cache(maxsize=1)
def _converters() -> tuple[opencc.OpenCC, opencc.OpenCC]:
    return opencc.OpenCC("t2s"), opencc.OpenCC("s2t")


def detect_language(text: str) -> str | None:
    """zh-Hans / zh-Hant when Chinese characters are a real share of the letters, en when Latin
    letters dominate, None for anything else (Cyrillic, Arabic, no letters at all)."""
    han = HAN.findall(text)
    latin = len(LATIN.findall(text))
    if len(han) >= 2 and len(han) >= 0.05 * (len(han) + latin):
        return script_of(text)
    if latin >= 3 and latin > _other_letters(text):
        return "en"
    return None


def _other_letters(text: str) -> int:
    """Letters neither ASCII nor Han (Cyrillic, Arabic…)."""
    return sum(1 for ch in NON_ASCII.findall(text) if ch.isalpha() and not HAN.match(ch))


def script_of(text: str) -> str:
    """zh-Hant when more characters change under Traditional→Simplified than the other way."""
    t2s, s2t = _converters()
    sample = "".join(HAN.findall(text))[:5000]
    traditional = sum(a != b for a, b in zip(sample, t2s.convert(sample)))
    simplified = sum(a != b for a, b in zip(sample, s2t.convert(sample)))
    return "zh-Hant" if traditional > simplified else "zh-Hans"
