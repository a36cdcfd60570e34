"""Reading documents: .txt + sidecar, .md front matter, .jsonl, and robust decoding."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from extract.errors import InputError, StoreError
from extract.readers import (
    decode_bytes, read_documents, read_jsonl_file, read_markdown_file, read_text_file,
)

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
SEEDS = sorted(CORPUS.glob("*.txt"))

SIMPLIFIED = "比特币产品一周内净流出约10.9亿美元，以太坊产品流出6.3亿美元。"
TRADITIONAL = "比特幣ETF正面臨自今年1月獲批上市以來最嚴峻的資金外流。"


def write(path: Path, content: str | bytes) -> Path:
    """Write ``content`` (str as UTF-8, bytes as is) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def input_error(call, *args) -> str:
    """Call, expect an InputError, and check its message is one line; return the message."""
    with pytest.raises(InputError) as info:
        result = call(*args)
        if not isinstance(result, str):  # generators raise only when iterated
            list(result)
    message = str(info.value)
    assert "\n" not in message
    return message


# --- the seed corpus -----------------------------------------------------------------------


@pytest.mark.parametrize("txt", SEEDS, ids=lambda p: p.stem)
def test_each_seed_reads_verbatim_with_its_sidecar(txt):
    sidecar = json.loads(txt.with_suffix(".json").read_text(encoding="utf-8"))
    doc = read_text_file(txt)
    assert doc.id == txt.stem
    assert doc.text == txt.read_bytes().decode("utf-8")
    assert doc.meta.date == dt.date.fromisoformat(sidecar["date"])
    assert doc.meta.lang == sidecar["lang"]
    assert doc.meta.title == sidecar["title"]
    assert doc.meta.publisher == sidecar.get("publisher")
    assert doc.path == str(txt)


def test_seed_corpus_directory_reads_the_four_seeds_in_order():
    docs = list(read_documents([CORPUS]))
    assert [d.id for d in docs] == [p.stem for p in SEEDS]  # README.md is skipped
    assert docs[2].meta.lang == "zh-Hant"


# --- directories and paths ----------------------------------------------------------------


def test_directory_walk_is_recursive_sorted_and_skips_sidecars(tmp_path):
    write(tmp_path / "b.txt", "Bitcoin ETFs saw $1.7bn of outflows.")
    write(tmp_path / "b.json", '{"date": "2026-01-26", "lang": "en"}')
    write(tmp_path / "a" / "z.md", "---\ntitle: Z\n---\nEther fell 5%.")
    write(tmp_path / "a" / "notes.csv", "not,a,document")
    write(tmp_path / "c.jsonl", '{"id": "c1", "text": "SOL rose 3%."}\n')
    write(tmp_path / ".hidden" / "x.txt", "ignored")
    docs = list(read_documents([tmp_path]))
    assert [d.id for d in docs] == ["z", "b", "c1"]
    assert docs[1].meta.date == dt.date(2026, 1, 26)


def test_files_and_directories_mix_in_the_order_given(tmp_path):
    one = write(tmp_path / "one.txt", "one")
    write(tmp_path / "dir" / "two.txt", "two")
    assert [d.id for d in read_documents([tmp_path / "dir", str(one)])] == ["two", "one"]


def test_nonexistent_path_is_an_input_error(tmp_path):
    message = input_error(read_documents, [tmp_path / "missing.txt"])
    assert message == f"{tmp_path / 'missing.txt'}: no such file or directory"


def test_unsupported_extension_given_explicitly_is_an_input_error(tmp_path):
    sidecar = write(tmp_path / "a.json", "{}")
    assert "a.json: unsupported file type '.json'" in input_error(read_documents, [sidecar])


# --- .txt and sidecars --------------------------------------------------------------------


def test_txt_without_sidecar_has_empty_meta(tmp_path):
    doc = read_text_file(write(tmp_path / "note.txt", "Gold hit $2,400/oz.\r\n"))
    assert doc.id == "note"
    assert doc.text == "Gold hit $2,400/oz.\r\n"  # line endings kept: offsets are sacred
    assert doc.meta.model_dump(exclude_none=True) == {}


def test_sidecar_datetime_becomes_its_date_and_unknown_keys_are_ignored(tmp_path):
    txt = write(tmp_path / "a.txt", "text")
    write(tmp_path / "a.json", '{"published": "2026-01-26T08:30:00Z", "source": "x"}')
    assert read_text_file(txt).meta.date == dt.date(2026, 1, 26)


def test_malformed_sidecar_json_names_the_sidecar(tmp_path):
    txt = write(tmp_path / "a.txt", "text")
    write(tmp_path / "a.json", '{"date": "2026-01-26",,}')
    message = input_error(read_text_file, txt)
    assert message.startswith(f"{tmp_path / 'a.json'}: not valid JSON")
    assert "line 1" in message


def test_sidecar_that_is_not_an_object(tmp_path):
    txt = write(tmp_path / "a.txt", "text")
    write(tmp_path / "a.json", '["2026-01-26"]')
    assert "a.json: bad metadata: expected an object, got list" in input_error(read_text_file, txt)


def test_bad_date_in_sidecar_names_the_sidecar_and_field(tmp_path):
    txt = write(tmp_path / "a.txt", "text")
    write(tmp_path / "a.json", '{"date": "2026-13-45"}')
    message = input_error(read_text_file, txt)
    assert message.startswith(f"{tmp_path / 'a.json'}: bad metadata: date: ")
    assert "2026-13-45" in message


def test_bad_lang_in_sidecar(tmp_path):
    txt = write(tmp_path / "a.txt", "text")
    write(tmp_path / "a.json", '{"lang": "fr"}')
    assert "a.json: bad metadata: lang: " in input_error(read_text_file, txt)


# --- Markdown -----------------------------------------------------------------------------


def test_markdown_front_matter_becomes_meta_and_body_is_kept_verbatim(tmp_path):
    body = "\n# Flows\n\nBitcoin funds lost $1.09bn.  \n\n"
    md = write(tmp_path / "flows.md", "---\npublished: 2026-01-26\nlanguage: en\n"
                                       "title: Weekly flows\nurl: https://example.com/f\n---\n" + body)
    doc = read_markdown_file(md)
    assert doc.id == "flows"
    assert doc.text == body  # everything after the closing '---' line, not stripped
    assert doc.meta.date == dt.date(2026, 1, 26)
    assert doc.meta.lang == "en"
    assert doc.meta.title == "Weekly flows"
    assert doc.meta.url == "https://example.com/f"


def test_markdown_without_front_matter_is_all_text(tmp_path):
    md = write(tmp_path / "plain.md", "# Title\n\nEther fell 5%.\n")
    doc = read_markdown_file(md)
    assert doc.text == "# Title\n\nEther fell 5%.\n"
    assert doc.meta.date is None


def test_malformed_front_matter_yaml(tmp_path):
    md = write(tmp_path / "bad.md", "---\ntitle: [unclosed\n---\nbody\n")
    assert "bad.md: bad front matter: " in input_error(read_markdown_file, md)


def test_bad_date_in_front_matter(tmp_path):
    md = write(tmp_path / "bad.md", "---\ndate: 2026-13-45\n---\nbody\n")
    assert "bad.md: bad front matter" in input_error(read_markdown_file, md)


def test_unclosed_front_matter(tmp_path):
    md = write(tmp_path / "open.md", "---\ntitle: x\nbody\n")
    assert "open.md: front matter not closed" in input_error(read_markdown_file, md)


# --- JSONL --------------------------------------------------------------------------------


def test_jsonl_flat_and_nested_meta(tmp_path):
    lines = [
        {"id": "a", "text": "BTC fell 4%.", "date": "2026-01-26", "lang": "en", "title": "A"},
        {"doc": "b", "text": "以太坊流出6.3亿美元。", "meta": {"date": "2026-01-27", "lang": "zh-Hans"}},
        {"text": "No id here.", "published": "2025-11-22"},
    ]
    path = write(tmp_path / "batch.jsonl",
                 "\n".join(json.dumps(x, ensure_ascii=False) for x in lines[:2]) + "\n\n"
                 + json.dumps(lines[2]) + "\n")
    docs = list(read_jsonl_file(path))
    assert [d.id for d in docs] == ["a", "b", "batch-4"]  # the blank line 3 is skipped
    assert docs[0].meta.title == "A" and docs[0].meta.lang == "en"
    assert docs[1].text == "以太坊流出6.3亿美元。"
    assert docs[1].meta.date == dt.date(2026, 1, 27) and docs[1].meta.lang == "zh-Hans"
    assert docs[2].meta.date == dt.date(2025, 11, 22)


def test_jsonl_bad_line_names_file_and_line(tmp_path):
    path = write(tmp_path / "batch.jsonl", '{"id": "a", "text": "ok"}\n{"id": "b", text}\n')
    assert f"{path}:2: not valid JSON" in input_error(read_jsonl_file, path)


def test_jsonl_missing_text_and_bad_meta(tmp_path):
    path = write(tmp_path / "b.jsonl", '{"id": "a", "text": ""}\n')
    assert "b.jsonl:1: missing or empty 'text'" in input_error(read_jsonl_file, path)
    path = write(tmp_path / "c.jsonl", '{"id": "a", "text": "x", "meta": {"lang": "fr"}}\n')
    assert "c.jsonl:1: bad metadata: lang: " in input_error(read_jsonl_file, path)


# --- decoding -----------------------------------------------------------------------------


@pytest.mark.parametrize("text, encoding", [
    (SIMPLIFIED, "gbk"),
    (SIMPLIFIED, "gb18030"),
    (TRADITIONAL, "big5"),
    (SIMPLIFIED + "\n" + TRADITIONAL, "utf-8"),
])
def test_decodes_chinese_encodings_exactly(text, encoding):
    assert decode_bytes(text.encode(encoding), "x.txt") == text


@pytest.mark.parametrize("bom, encoding", [
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
])
def test_decodes_bom_encodings_and_drops_the_bom(bom, encoding):
    text = TRADITIONAL + "\r\nBTC -4%\n"
    assert decode_bytes(bom + text.encode(encoding), "x.txt") == text


def test_whole_seeds_reencoded_in_gbk_or_big5_decode_exactly(tmp_path):
    simplified = (CORPUS / "000_9881526b3ac62664.txt").read_text(encoding="utf-8")
    traditional = (CORPUS / "002_4fd9a4eac4c3e061.txt").read_text(encoding="utf-8")
    gbk = write(tmp_path / "gbk.txt", simplified.encode("gb18030"))
    big5 = write(tmp_path / "big5.txt", traditional.encode("big5"))
    assert read_text_file(gbk).text == simplified
    assert read_text_file(big5).text == traditional


@pytest.mark.parametrize("data, problem", [
    (b"", "empty file"),
    (b" \n\t\r\n", "empty file"),
    (b"\xef\xbb\xbf\n", "empty file"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "binary file, not text"),
    (bytes(range(1, 32)) * 4, "binary file, not text"),
    (b"price \x80\xff\x80\xff", "not UTF-8, UTF-16, GBK or Big5 text"),
    (b"\x93smart quotes\x94 in cp1252", "not UTF-8, UTF-16, GBK or Big5 text"),
])
def test_refuses_what_is_not_text(tmp_path, data, problem):
    path = write(tmp_path / "bad.txt", data)
    assert input_error(read_text_file, path) == f"{path}: {problem}"


# --- errors -------------------------------------------------------------------------------


def test_input_error_is_one_line_with_path_and_problem():
    error = InputError("corpus/x.txt", "bad front matter:\n  mapping values\n")
    assert str(error) == "corpus/x.txt: bad front matter: mapping values"
    assert (error.path, error.problem) == ("corpus/x.txt", "bad front matter: mapping values")
    assert isinstance(StoreError("claims.db", "database is locked"), InputError)


def test_control_characters_are_those_below_space_but_whitespace_and_escape():
    from extract.readers import CONTROL_CHARS

    def is_control(c):
        return (c < " " and c not in "\t\n\r\f\v\x1b") or c == "\x7f"

    chars = [chr(i) for i in range(0x3000)]
    assert [c for c in chars if CONTROL_CHARS.match(c)] == [c for c in chars if is_control(c)]
