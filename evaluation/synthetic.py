"""A synthetic news corpus for the batch-ingest benchmark and tests: articles recombined from the
sentences of ``corpus/`` and the shared eval docs, in every input format ``claims ingest`` reads.

Deterministic for a seed. Every figure's digits are redrawn (same number of digits), so no two
articles repeat a sentence verbatim and no cache keyed on text can help an extractor; the words
around the figures, which the extractor's grammar and cue tables work on, are real news prose in
Simplified Chinese, Traditional Chinese and English.

Formats (shares of the articles): ``.txt`` + ``.json`` sidecar, ``.md`` with front matter,
JSON Lines shards, RSS feeds and HTML pages.
"""
from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
SOURCES = (ROOT / "corpus", ROOT.parent / "shared" / "eval" / "docs")
PUBLISHERS = [("Coin Wire", "coinwire.example"), ("链闻", "chainnews.example"), ("ETF Daily", "etfdaily.example"),
              ("市場觀察", "marketwatch-tw.example"), ("Macro Notes", "macronotes.example")]
LANG_WEIGHTS = {"zh-Hans": 0.5, "zh-Hant": 0.15, "en": 0.35}
FORMATS = (("txt", 0.80), ("md", 0.05), ("jsonl", 0.10), ("rss", 0.03), ("html", 0.02))
SPLIT = re.compile(r"(?<=[。！？!?])|(?<=[.;])\s+(?=[A-Z\"“])")


@dataclass
class Article:
    id: str
    lang: str
    title: str
    body: str
    date: str
    url: str
    publisher: str


def sentence_pools(sources=SOURCES) -> dict[str, list[str]]:
    """Sentences by language (the sidecar's lang), each at least 8 characters, deduplicated."""
    pools: dict[str, set[str]] = {}
    for folder in sources:
        for txt in sorted(Path(folder).glob("*.txt")):
            sidecar = txt.with_suffix(".json")
            lang = json.loads(sidecar.read_text(encoding="utf-8")).get("lang") if sidecar.exists() else None
            if lang not in LANG_WEIGHTS:
                continue
            for line in txt.read_text(encoding="utf-8").splitlines():
                for sentence in SPLIT.split(line.strip()):
                    sentence = sentence.strip()
                    if len(sentence) >= 8 and re.search(r"\d", sentence):
                        pools.setdefault(lang, set()).add(sentence)
                    elif len(sentence) >= 20:
                        pools.setdefault(lang, set()).add(sentence)
    return {lang: sorted(s) for lang, s in pools.items()}


def _redraw_digits(sentence: str, rng: random.Random) -> str:
    def one(m: re.Match) -> str:
        digits = m.group()
        first = str(rng.randint(1, 9)) if digits[0] != "0" or len(digits) == 1 else "0"
        return first + "".join(str(rng.randint(0, 9)) for _ in digits[1:])
    return re.sub(r"\d+", one, sentence)


def articles(n: int, seed: int = 7, sources=SOURCES, sentences: tuple[int, int] = (8, 24)) -> list[Article]:
    """``n`` articles: ``sentences`` (8–24) sentences in paragraphs of 1–3, the first the title; meta."""
    rng = random.Random(seed)
    pools = sentence_pools(sources)
    langs = [lang for lang in LANG_WEIGHTS if pools.get(lang)]
    weights = [LANG_WEIGHTS[lang] for lang in langs]
    out = []
    for i in range(n):
        lang = rng.choices(langs, weights)[0]
        pool = pools[lang]
        picked = [_redraw_digits(s, rng) for s in rng.sample(pool, min(len(pool), rng.randint(*sentences)))]
        title = picked[0][:80]
        paragraphs, rest = [], picked[1:]
        while rest:
            k = rng.randint(1, 3)
            joiner = " " if lang == "en" else ""
            paragraphs.append(joiner.join(rest[:k]))
            rest = rest[k:]
        publisher, host = rng.choice(PUBLISHERS)
        date = f"202{rng.randint(5, 6)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        out.append(Article(
            id=f"syn{i:06d}", lang=lang, title=title, body="\n".join(paragraphs), date=date,
            url=f"https://{host}/{date[:4]}/{date[5:7]}/story-{i}", publisher=publisher,
        ))
    return out


def write_corpus(folder: Path, n: int, seed: int = 7, formats=FORMATS, feed_size: int = 20,
                 shard_size: int = 250, sentences: tuple[int, int] = (8, 24)) -> dict[str, int]:
    """Write ``n`` articles under ``folder`` in the given format shares; counts per format."""
    folder = Path(folder)
    rng = random.Random(seed + 1)
    kinds, shares = zip(*formats)
    batches: dict[str, list[Article]] = {kind: [] for kind in kinds}
    for article in articles(n, seed, sentences=sentences):
        batches[rng.choices(kinds, shares)[0]].append(article)
    for kind, items in batches.items():
        if not items:
            continue
        sub = folder / kind
        sub.mkdir(parents=True, exist_ok=True)
        if kind == "txt":
            for a in items:
                (sub / f"{a.id}.txt").write_text(f"{a.title}\n\n{a.body}\n", encoding="utf-8")
                meta = {"date": a.date, "title": a.title, "url": a.url, "publisher": a.publisher}
                if int(a.id[3:]) % 2:
                    meta["lang"] = a.lang
                (sub / f"{a.id}.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        elif kind == "md":
            for a in items:
                front = f"---\ntitle: {json.dumps(a.title, ensure_ascii=False)}\ndate: {a.date}\nlang: {a.lang}\n" \
                        f"url: {a.url}\npublisher: {json.dumps(a.publisher, ensure_ascii=False)}\n---\n"
                (sub / f"{a.id}.md").write_text(f"{front}# {a.title}\n\n{a.body}\n", encoding="utf-8")
        elif kind == "jsonl":
            for k in range(0, len(items), shard_size):
                lines = [json.dumps({"id": a.id, "url": a.url, "title": a.title, "published": a.date,
                                     "lang": a.lang, "text": f"{a.title}\n{a.body}"}, ensure_ascii=False)
                         for a in items[k:k + shard_size]]
                (sub / f"export-{k // shard_size:03d}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        elif kind == "rss":
            for k in range(0, len(items), feed_size):
                (sub / f"feed-{k // feed_size:03d}.xml").write_text(_rss(items[k:k + feed_size]), encoding="utf-8")
        elif kind == "html":
            for a in items:
                (sub / f"{a.id}.html").write_text(_html(a), encoding="utf-8")
    return {kind: len(items) for kind, items in batches.items()}


def _rss(items: list[Article]) -> str:
    entries = "".join(
        f"<item><title>{escape(a.title)}</title><link>{escape(a.url)}</link><guid>{escape(a.url)}</guid>"
        f"<pubDate>{a.date}T08:00:00Z</pubDate>"
        f"<description>{escape(''.join(f'<p>{escape(p)}</p>' for p in a.body.splitlines()))}</description></item>\n"
        for a in items)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Synthetic Wire</title>'
            f"<link>https://wire.example/</link><description>synthetic</description>\n{entries}</channel></rss>\n")


def _html(a: Article) -> str:
    paragraphs = "".join(f"<p>{escape(p)}</p>\n" for p in a.body.splitlines())
    return (f'<!DOCTYPE html><html lang="{a.lang}"><head><meta charset="utf-8"><title>{escape(a.title)}</title>'
            f'<meta property="og:title" content="{escape(a.title)}">'
            f'<meta property="og:site_name" content="{escape(a.publisher)}">'
            f'<meta property="article:published_time" content="{a.date}T08:00:00Z">'
            f'<link rel="canonical" href="{escape(a.url)}"></head><body>'
            f"<nav><a href='/'>Home</a> | <a href='/markets'>Markets</a></nav>"
            f"<article><h1>{escape(a.title)}</h1>\n{paragraphs}</article>"
            f"<footer>© {a.publisher}</footer></body></html>\n")
