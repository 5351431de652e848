"""Files to (line, Post | RecordError): post JSONL, Weibo JSON(L), CSV; streamed, bad lines kept."""

from __future__ import annotations

import json
import os
import tracemalloc
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

import monitor.ingest.formats as formats
from monitor.errors import InputError, RecordError
from monitor.ingest.formats import FORMATS, guess_format, iter_file_records
from monitor.ingest.pseudonym import Pseudonymizer
from monitor.types import Post

FIXTURES = Path(__file__).parent / "fixtures" / "weibo"
FETCHED = datetime(2019, 8, 31, 12, 0, tzinfo=timezone(timedelta(hours=8)))
PSEUDONYMIZE = Pseudonymizer(b"formats-test-key-0123456789abcdef")


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def read(
    path: Path, fmt: str, fetched_at: datetime | None = FETCHED, keep: bool = True
) -> Any:
    """All results as a list, or (keep=False) the lazy iterator itself."""
    results = iter_file_records(
        path, fmt, source="import", pseudonymize=PSEUDONYMIZE, fetched_at=fetched_at
    )
    return list(results) if keep else results


def summary(results: list[tuple[int, Post | RecordError]]) -> list[tuple[int, str]]:
    """(line, post id) for posts and (line, 'error: reason') for errors."""
    return [
        (line, item.external_id if isinstance(item, Post) else f"error: {item}")
        for line, item in results
    ]


def record(post_id: str, **extra: Any) -> str:
    fields = {"id": post_id, "created_at": "2019-08-31T12:00:00+08:00", "text": f"post {post_id}"}
    return json.dumps({**fields, **extra}, ensure_ascii=False)


def weibo_line(name: str) -> str:
    return json.dumps(json.loads((FIXTURES / name).read_text(encoding="utf-8")), ensure_ascii=False)


# --- guessing ---------------------------------------------------------------------


def test_formats() -> None:
    assert FORMATS == ("posts", "weibo", "csv")


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("a.csv", "id,created_at,text\n", "csv"),
        ("a.CSV", "", "csv"),
        ("a.jsonl", record("1") + "\n", "posts"),
        ("a.jsonl", "\n\n" + json.dumps({"mblog": {"id": "1"}}) + "\n", "weibo"),
        ("a.jsonl", json.dumps({"ok": 1, "data": {"cards": []}}) + "\n", "weibo"),
        ("a.jsonl", json.dumps({"id": "1", "text": "x", "user": {"id": 1}}) + "\n", "weibo"),
        ("a.json", "[\n " + record("1") + "\n]\n", "posts"),
        ("a.json", "", "posts"),
        ("a.jsonl", "not json at all\n", "posts"),
        ("a.txt", record("1") + "\n", "posts"),
    ],
)
def test_guess_format(tmp_path: Path, name: str, content: str, expected: str) -> None:
    assert guess_format(write(tmp_path, name, content)) == expected


def test_guess_a_pretty_printed_api_page() -> None:
    assert guess_format(FIXTURES / "search_page.json") == "weibo"
    assert guess_format(FIXTURES / "statuses_show_repost.json") == "weibo"


def test_guess_refuses_what_is_neither_csv_nor_json(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="a.txt"):
        guess_format(write(tmp_path, "a.txt", "hello\n"))


@pytest.mark.parametrize("call", ["guess", "iter"])
def test_missing_files_and_directories_are_input_errors(tmp_path: Path, call: str) -> None:
    for path, reason in ((tmp_path / "nope.jsonl", "no such file"), (tmp_path, "directory")):
        with pytest.raises(InputError, match=reason) as caught:
            guess_format(path) if call == "guess" else read(path, "posts")
        assert str(path) in str(caught.value)


def test_an_unknown_format_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="hot-search"):
        read(write(tmp_path, "a.jsonl", ""), "hot-search")


# --- posts JSONL ----------------------------------------------------------------------


def test_posts_jsonl_good_and_bad_lines(tmp_path: Path) -> None:
    lines = [
        record("1"),  # 1
        "",  # 2 blank
        record("2", created_at="2019-08-31T12:00:00"),  # 3 naive
        '{"id": "3", "created_at": ',  # 4 truncated
        "   ",  # 5 blank
        record("4", likes="43.4万"),  # 6
        "[1, 2]",  # 7 not an object
        record("5"),  # 8
    ]
    path = write(tmp_path, "posts.jsonl", "\n".join(lines) + "\n")
    assert summary(read(path, "posts")) == [
        (1, "1"),
        (3, "error: created_at has no UTC offset (write e.g. 2019-08-31T12:00:00+08:00)"),
        (4, "error: not valid JSON (Expecting value at column 27)"),
        (6, "4"),
        (7, "error: expected a JSON object, got a list"),
        (8, "5"),
    ]
    post = read(path, "posts")[3][1]
    assert post.likes == 434000 and post.source == "import"


def test_a_line_of_broken_utf8_is_one_bad_record(tmp_path: Path) -> None:
    content = (record("1") + "\n").encode() + b'{"id": "2", "text": "\xe4\xb8"}\n'
    content += (record("3") + "\n").encode()
    results = summary(read(write(tmp_path, "posts.jsonl", content), "posts"))
    assert results == [(1, "1"), (2, "error: line is not valid UTF-8 at byte 22"),
                       (3, "3")]


def test_bom_crlf_and_no_final_newline(tmp_path: Path) -> None:
    content = b"\xef\xbb\xbf" + record("1").encode() + b"\r\n\r\n" + record("2").encode()
    assert summary(read(write(tmp_path, "posts.jsonl", content), "posts")) == [(1, "1"), (3, "2")]


def test_an_empty_file_gives_nothing(tmp_path: Path) -> None:
    for fmt in FORMATS:
        assert read(write(tmp_path, f"empty.{fmt}", ""), fmt) == []
        assert read(write(tmp_path, f"blank.{fmt}", "\n \n\n"), fmt) == []


def test_an_over_long_line_is_skipped_without_losing_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(formats, "MAX_LINE_BYTES", 100)
    long = record("2", text="x" * 300)
    path = write(tmp_path, "posts.jsonl", "\n".join([record("1"), long, record("3")]) + "\n")
    assert summary(read(path, "posts")) == [
        (1, "1"), (2, "error: line longer than 100 bytes"), (3, "3")
    ]
    path = write(tmp_path, "tail.jsonl", record("1") + "\n" + long)  # last, no newline
    assert summary(read(path, "posts")) == [(1, "1"), (2, "error: line longer than 100 bytes")]


def test_a_pretty_printed_array_of_post_records(tmp_path: Path) -> None:
    content = json.dumps([json.loads(record("1")), {"id": "2"}], indent=2)
    assert summary(read(write(tmp_path, "posts.json", "\n" + content), "posts")) == [
        (2, "1"), (2, "error: created_at: missing")
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_reading_streams_in_constant_memory(tmp_path: Path, fmt: str) -> None:
    count = 6_000
    if fmt == "csv":
        rows = (f"{i},2019-08-31T04:00:00Z,帖子 {i} 关于人脸,{i},1,2,3" for i in range(count))
        content = "id,created_at,text,author_id,reposts,comments,likes\n" + "\n".join(rows)
    elif fmt == "weibo":
        content = "\n".join(
            json.dumps({"id": str(i), "created_at": "08-30", "text": f"帖子 {i} 人脸",
                        "user": {"id": i}, "reposts_count": "1.2万"}, ensure_ascii=False)
            for i in range(count)
        )
    else:
        content = "\n".join(record(str(i), author_id=str(i), likes="3万") for i in range(count))
    path = write(tmp_path, f"big.{fmt}", content)
    assert path.stat().st_size > 300_000
    tracemalloc.start()
    try:
        seen = sum(1 for _, item in read(path, fmt, fetched_at=FETCHED, keep=False)
                   if isinstance(item, Post))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert seen == count
    assert peak < min(250_000, path.stat().st_size // 2)  # a few lines' worth, not the file


# --- Weibo JSON(L) --------------------------------------------------------------------


def test_weibo_jsonl_several_posts_per_line_and_errors_in_place(tmp_path: Path) -> None:
    bad_card_page = {
        "ok": 1,
        "data": {"cards": [
            {"card_type": 9, "mblog": {"id": "31", "created_at": "刚刚", "text": "好"}},
            {"card_type": 9, "mblog": {"id": "32", "created_at": "sometime", "text": "坏"}},
            {"card_type": 9, "mblog": {"id": "33", "created_at": "1分钟前", "text": "也好"}},
        ]},
    }
    lines = [
        weibo_line("search_page.json"),  # 1
        weibo_line("long_text_post.json"),  # 2 a bare mblog
        "{garbage",  # 3
        weibo_line("login_wall.json"),  # 4
        json.dumps(bad_card_page, ensure_ascii=False),  # 5
        weibo_line("empty_container.json"),  # 6
        weibo_line("statuses_show_repost.json"),  # 7
    ]
    path = write(tmp_path, "weibo.jsonl", "\n".join(lines) + "\n")
    assert summary(read(path, "weibo")) == [
        (1, "9000000000000001"), (1, "9000000000000002"), (1, "9000000000000004"),
        (1, "9000000000000003"), (1, "9000000000000005"), (1, "9000000000000007"),
        (2, "9000000000000020"),
        (3, "error: not valid JSON (Expecting property name enclosed in double quotes"
            " at column 2)"),
        (4, "error: weibo: response not ok (ok=-100): login required"),
        (5, "31"),
        (5, "error: weibo post 32: created_at: unrecognized date 'sometime'"),
        (5, "33"),
        (7, "9000000000000011"), (7, "9000000000000010"),
    ]


def test_weibo_posts_carry_resolved_times_pseudonyms_and_links(tmp_path: Path) -> None:
    path = write(tmp_path, "weibo.jsonl", weibo_line("search_page.json") + "\n")
    posts = {item.external_id: item for _, item in read(path, "weibo")}
    assert posts["9000000000000002"].created_at == datetime(2019, 8, 31, 3, 55, tzinfo=UTC)
    assert posts["9000000000000003"].repost_of == "9000000000000004"
    assert posts["9000000000000001"].author == PSEUDONYMIZE("weibo", "1000000001")
    assert all(post.source == "import" for post in posts.values())


def test_a_pretty_printed_api_page_is_read_whole() -> None:
    results = summary(read(FIXTURES / "search_page.json", "weibo"))
    assert [line for line, _ in results] == [1] * 6
    assert [post_id for _, post_id in results][-1] == "9000000000000007"


def test_a_pretty_printed_array_of_mblogs_keeps_good_elements(tmp_path: Path) -> None:
    mblogs = [
        {"id": "1", "created_at": "刚刚", "text": "好"},
        {"id": "2", "created_at": "never", "text": "坏"},
        "not an mblog",
        {"id": "3", "created_at": "08-30", "text": "好"},
    ]
    path = write(tmp_path, "mblogs.json", json.dumps(mblogs, ensure_ascii=False, indent=1))
    assert summary(read(path, "weibo")) == [
        (1, "1"),
        (1, "error: weibo post 2: created_at: unrecognized date 'never'"),
        (1, "error: weibo: expected a JSON object, got a string"),
        (1, "3"),
    ]


def test_a_truncated_pretty_printed_page_is_one_error_at_the_break(tmp_path: Path) -> None:
    text = (FIXTURES / "statuses_show_repost.json").read_text(encoding="utf-8")
    truncated = "\n".join(text.splitlines()[:20])
    results = summary(read(write(tmp_path, "page.json", truncated), "weibo"))
    assert len(results) == 1
    line, message = results[0]
    assert 19 <= line <= 21 and message.startswith("error: not valid JSON")


def test_relative_times_default_to_the_files_modification_time(tmp_path: Path) -> None:
    path = write(tmp_path, "page.jsonl", json.dumps({"id": "1", "created_at": "刚刚", "text": "x"}))
    saved = datetime(2019, 9, 1, 8, 0, tzinfo=UTC)
    os.utime(path, (saved.timestamp(), saved.timestamp()))
    [(line, post)] = read(path, "weibo", fetched_at=None)
    assert (line, post.created_at) == (1, saved)


# --- CSV ------------------------------------------------------------------------------


CSV_TEXT = (
    "id,created_at,text,author_id,reposts,comments,likes,url,repost_of,extra\r\n"  # 1
    "1,2019-08-31T12:00:00+08:00,plain,1000000001,1,2,43.4万,,,ignored\r\n"  # 2
    "\r\n"  # 3 blank
    '2,2019-08-31T12:30:00+08:00,"a quoted, text\r\nover two lines",,,,,,1,\r\n'  # 4-5
    "3,2019-08-31 12:00,naive,,,,,,,\r\n"  # 6
    "4,2019-08-31T13:00:00+08:00,too few\r\n"  # 7
    "5,2019-08-31T14:00:00+08:00,<b>html</b>,,,,100万+,https://x.invalid/5,,\r\n"  # 8
)


def test_csv_rows_with_line_numbers_of_their_first_line(tmp_path: Path) -> None:
    path = write(tmp_path, "posts.csv", b"\xef\xbb\xbf" + CSV_TEXT.encode())
    results = read(path, "csv")
    assert summary(results) == [
        (2, "1"),
        (4, "2"),
        (6, "error: created_at has no UTC offset (write e.g. 2019-08-31T12:00:00+08:00)"),
        (7, "error: expected 10 fields as in the header, got 3"),
        (8, "5"),
    ]
    first, second, fifth = (item for _, item in results if isinstance(item, Post))
    assert first.likes == 434000 and first.author == PSEUDONYMIZE("import", "1000000001")
    assert first.url is None and first.repost_of is None
    assert second.text == "a quoted, text\nover two lines" and second.repost_of == "1"
    assert second.author is None
    assert fifth.text == "html" and fifth.likes == 1_000_000 and fifth.url == "https://x.invalid/5"


def test_csv_header_may_have_any_order_and_only_the_required_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "p.csv", "TEXT,id,created_at\nhello,9,2019-08-31T04:00:00Z\n")
    [(line, post)] = read(path, "csv")
    assert (line, post.external_id, post.text) == (2, "9", "hello")


def test_csv_broken_utf8_row_is_one_bad_record(tmp_path: Path) -> None:
    content = (
        b"id,created_at,text\n1,2019-08-31T04:00:00Z,\xff\xfe bad\n2,2019-08-31T04:00:00Z,ok\n"
    )
    assert summary(read(write(tmp_path, "p.csv", content), "csv")) == [
        (2, "error: line is not valid UTF-8"), (3, "2")
    ]


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("id,text\n", "lacks created_at"),
        ("1,2019-08-31T04:00:00Z,hi\n", "lacks id, created_at, text"),
        ("id,id,created_at,text\n", "repeats id"),
    ],
)
def test_csv_without_the_required_header_is_an_input_error(
    tmp_path: Path, header: str, reason: str
) -> None:
    path = write(tmp_path, "p.csv", header)
    with pytest.raises(InputError, match=reason) as caught:
        read(path, "csv")
    assert str(path) in str(caught.value)


def test_csv_an_over_large_field_is_one_bad_record(tmp_path: Path) -> None:
    huge = "x" * 200_000
    content = f"id,created_at,text\n1,2019-08-31T04:00:00Z,{huge}\n2,2019-08-31T04:00:00Z,ok\n"
    results = summary(read(write(tmp_path, "p.csv", content), "csv"))
    assert results[0][0] == 2 and results[0][1].startswith("error: CSV: field larger")
    assert results[-1] == (3, "2")
