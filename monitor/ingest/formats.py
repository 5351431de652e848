"""Input files to `Post` records, streamed: post JSONL, Weibo JSON(L) and CSV.

`iter_file_records` yields `(line number, Post)` for every good record and
`(line number, RecordError)` for every bad one, and goes on; only a file that cannot be
used at all (missing, a directory, unreadable, a CSV without the required columns)
raises `InputError` naming the path. Memory stays constant whatever the file size:
lines are read one at a time (at most `MAX_LINE_BYTES` each) and decoded one at a time,
so a line of broken UTF-8 is one bad record, not a dead import.

Formats (`FORMATS`):

* `posts`: one post record per line (see `monitor.ingest.records`).
* `weibo`: one Weibo API response, card or mblog per line; a line may give several
  posts (a page of cards, a repost and its original), all with that line's number.
* `csv`: a header row with the post-record column names (`id`, `created_at`, `text`
  required, the others optional, unknown columns ignored), UTF-8 with or without BOM;
  a record's line number is its first physical line (quoted fields may span lines).

A JSON file that is one pretty-printed document (a saved API page, or an array of
records) is recognised when its first line is not a complete JSON value but the whole
file is, and read whole (up to `MAX_DOCUMENT_BYTES`); its records all carry the line
number where the document starts.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from monitor.errors import InputError, RecordError
from monitor.ingest.pseudonym import PseudonymFn
from monitor.ingest.records import POST_FIELDS, REQUIRED_FIELDS, post_from_record
from monitor.ingest.weibo import iter_mblogs, mblog_to_posts
from monitor.types import Post

__all__ = [
    "FORMATS",
    "MAX_DOCUMENT_BYTES",
    "MAX_LINE_BYTES",
    "RecordResult",
    "guess_format",
    "iter_file_records",
]

FORMATS: tuple[str, ...] = ("posts", "weibo", "csv")
MAX_LINE_BYTES = 16 * 1024 * 1024
"""A longer line is reported as a bad record and skipped without being held in memory."""
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
"""A single pretty-printed JSON document larger than this is not read whole."""

WEIBO_KEYS = frozenset(
    {"mblog", "cards", "data", "user", "card_type", "card_group", "retweeted_status", "mid",
     "idstr", "bid", "ok"}
)
"""Keys that mark a JSON record as Weibo API data rather than a post record."""

JSON_SUFFIXES = (".json", ".jsonl", ".ndjson")

RecordResult = tuple[int, Post | RecordError]
_Converter = Callable[[Any], Iterator[Post | RecordError]]
_SURROGATE = re.compile("[\udc80-\udcff]")


def guess_format(path: str | Path) -> str:
    """`csv` for `.csv` files; for JSON files, `weibo` or `posts` by the first record.

    The first record is Weibo data if it has any of `WEIBO_KEYS` (`mblog`, `cards`,
    `data`, `user`, ...). An empty or unparsable JSON file guesses `posts` (its errors
    come out per line). Raises `InputError` if the file is missing, a directory, or
    neither CSV nor JSON.
    """
    checked = _checked(path)
    if checked.suffix.lower() == ".csv":
        return "csv"
    first_line = _first_content_line(checked)
    if first_line is None:
        return "posts"
    if not _starts_json_container(first_line):
        if checked.suffix.lower() in JSON_SUFFIXES:
            return "posts"  # its lines will be reported as bad records
        raise InputError(
            f"{checked}: cannot tell the format (neither CSV nor JSON); pass one of "
            + ", ".join(FORMATS)
        )
    first = _decode_json(first_line)
    if isinstance(first, RecordError):
        first = _read_document(checked)
    if isinstance(first, list):
        first = first[0] if first else None
    return "weibo" if isinstance(first, dict) and WEIBO_KEYS & first.keys() else "posts"


def iter_file_records(
    path: str | Path,
    fmt: str,
    *,
    source: str,
    pseudonymize: PseudonymFn,
    fetched_at: datetime | None = None,
) -> Iterator[RecordResult]:
    """`(line number, Post or RecordError)` for every record of `path` in format `fmt`.

    `source` names the posts' source; `pseudonymize` replaces author ids. `fetched_at`
    resolves Weibo's relative times (`5分钟前`, `08-31`); it defaults to the file's
    modification time, the best guess at when a saved page was fetched. Raises
    `InputError` now for a missing path, a directory or an unknown format, and during
    iteration for an unreadable file or a CSV header without the required columns.
    """
    checked = _checked(path)
    if fmt not in FORMATS:
        expected = ", ".join(FORMATS)
        raise InputError(f"{checked}: unknown format {fmt!r} (expected one of {expected})")
    if fmt == "csv":
        return _iter_csv(checked, source, pseudonymize)
    if fmt == "posts":
        return _iter_json(checked, _posts_converter(source, pseudonymize))
    moment = fetched_at if fetched_at is not None else _modified_at(checked)
    return _iter_json(checked, _weibo_converter(source, pseudonymize, moment))


# --- files and lines -----------------------------------------------------------------


def _checked(path: str | Path) -> Path:
    checked = Path(path)
    if checked.is_dir():
        raise InputError(f"{checked}: is a directory, expected a file")
    if not checked.exists():
        raise InputError(f"{checked}: no such file")
    return checked


def _open_binary(path: Path) -> IO[bytes]:
    try:
        return path.open("rb")
    except OSError as exc:
        raise InputError(f"{path}: cannot open ({exc.strerror})") from None


def _modified_at(path: Path) -> datetime:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError as exc:
        raise InputError(f"{path}: cannot stat ({exc.strerror})") from None


def _iter_lines(handle: IO[bytes], path: Path) -> Iterator[tuple[int, bytes | RecordError]]:
    """Numbered raw lines; an over-long line is skipped in chunks and reported."""
    number = 0
    while True:
        try:
            raw = handle.readline(MAX_LINE_BYTES + 1)
            too_long = len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n")
            while too_long and (rest := handle.readline(1024 * 1024)):
                if rest.endswith(b"\n"):
                    break
        except OSError as exc:
            raise InputError(f"{path}: read failed after line {number} ({exc.strerror})") from None
        if not raw:
            return
        number += 1
        yield number, RecordError(f"line longer than {MAX_LINE_BYTES} bytes") if too_long else raw


def _first_content_line(path: Path) -> bytes | None:
    with _open_binary(path) as handle:
        for _, raw in _iter_lines(handle, path):
            if isinstance(raw, bytes) and raw.removeprefix(codecs.BOM_UTF8).strip():
                return raw
            if isinstance(raw, RecordError):
                return None
    return None


def _decode_json(raw: bytes) -> Any:
    """The JSON value of one line, or a RecordError saying why there is none."""
    return _parse_json(raw)[0]


def _parse_json(data: bytes) -> tuple[Any, int]:
    """The JSON value of `data` (or a RecordError) and the 1-based line a failure is on."""
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        column = exc.start - data.rfind(b"\n", 0, exc.start)
        error = RecordError(f"line is not valid UTF-8 at byte {column}")
        return error, data.count(b"\n", 0, exc.start) + 1
    try:
        return json.loads(text), 0
    except json.JSONDecodeError as exc:
        return RecordError(f"not valid JSON ({exc.msg} at column {exc.colno})"), exc.lineno
    except (ValueError, RecursionError) as exc:  # e.g. a 5000-digit number, deep nesting
        return RecordError(f"not valid JSON ({type(exc).__name__})"), 1


def _read_document(path: Path) -> Any:
    """The whole file as one JSON value, or None if too big or not one JSON value."""
    data = _document_bytes(path)
    value = None if data is None else _decode_json(data)
    return None if isinstance(value, RecordError) else value


def _document_bytes(path: Path) -> bytes | None:
    try:
        if path.stat().st_size > MAX_DOCUMENT_BYTES:
            return None
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: read failed ({exc.strerror})") from None


# --- JSON formats ----------------------------------------------------------------------


def _iter_json(path: Path, convert: _Converter) -> Iterator[RecordResult]:
    with _open_binary(path) as handle:
        started = False
        for number, raw in _iter_lines(handle, path):
            if isinstance(raw, bytes) and not raw.removeprefix(codecs.BOM_UTF8).strip():
                continue
            value = raw if isinstance(raw, RecordError) else _decode_json(raw.rstrip(b"\r\n"))
            if not started and isinstance(raw, bytes) and isinstance(value, RecordError):
                document = _document_records(path, number, raw, convert)
                if document is not None:
                    yield from document
                    return
            started = True
            if isinstance(value, RecordError):
                yield number, value
            else:
                yield from ((number, item) for item in convert(value))


def _document_records(
    path: Path, number: int, first_line: bytes, convert: _Converter
) -> Iterator[RecordResult] | None:
    """The records of a file that is one JSON document, or None if it is JSON lines.

    The file is one document if its first line opens an object or array and the whole
    file parses. If the first line is a bare `{` or `[`, which no JSON line is, a
    broken document is one bad record at the line where parsing failed.
    """
    if not _starts_json_container(first_line):
        return None
    bare = first_line.removeprefix(codecs.BOM_UTF8).strip() in (b"{", b"[")
    data = _document_bytes(path)
    if data is None:
        error = RecordError(f"a JSON document over {MAX_DOCUMENT_BYTES} bytes; use JSON lines")
        return iter([(number, error)]) if bare else None
    value, error_line = _parse_json(data)
    if isinstance(value, RecordError):
        return iter([(error_line, value)]) if bare else None
    return _convert_document(number, value, convert)


def _starts_json_container(line: bytes) -> bool:
    return line.removeprefix(codecs.BOM_UTF8).lstrip()[:1] in (b"{", b"[")


def _convert_document(number: int, document: Any, convert: _Converter) -> Iterator[RecordResult]:
    """Each element of an array separately, so one bad element spoils only itself."""
    for value in document if isinstance(document, list) else [document]:
        yield from ((number, item) for item in convert(value))


def _posts_converter(source: str, pseudonymize: PseudonymFn) -> _Converter:
    def convert(value: Any) -> Iterator[Post | RecordError]:
        try:
            yield post_from_record(value, source, pseudonymize)
        except RecordError as exc:
            yield exc

    return convert


def _weibo_converter(source: str, pseudonymize: PseudonymFn, fetched_at: datetime) -> _Converter:
    def convert(value: Any) -> Iterator[Post | RecordError]:
        mblogs = iter_mblogs(value)
        while True:
            try:
                mblog = next(mblogs)
            except StopIteration:
                return
            except RecordError as exc:
                yield exc
                return
            try:
                posts = mblog_to_posts(
                    mblog, source=source, fetched_at=fetched_at, pseudonymize=pseudonymize
                )
            except RecordError as exc:
                yield exc
                continue
            yield from posts

    return convert


# --- CSV ---------------------------------------------------------------------------------


def _iter_csv(path: Path, source: str, pseudonymize: PseudonymFn) -> Iterator[RecordResult]:
    try:
        # surrogateescape keeps broken bytes visible per row instead of failing the file
        handle = path.open(encoding="utf-8-sig", errors="surrogateescape", newline="")
    except OSError as exc:
        raise InputError(f"{path}: cannot open ({exc.strerror})") from None
    with handle:
        reader = csv.reader(handle)
        header: list[str] | None = None
        last_line = 0
        while True:
            first_line = last_line + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                last_line = reader.line_num
                yield first_line, RecordError(f"CSV: {exc}")
                continue
            except OSError as exc:
                raise InputError(f"{path}: read failed ({exc.strerror})") from None
            last_line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = _csv_header(path, row)
                continue
            yield first_line, _csv_post(row, header, source, pseudonymize)


def _csv_header(path: Path, row: list[str]) -> list[str]:
    header = [cell.strip().lower() for cell in row]
    missing = [name for name in REQUIRED_FIELDS if name not in header]
    if missing or _has_broken_bytes(row):
        raise InputError(
            f"{path}: the CSV header row lacks {', '.join(missing) or 'valid UTF-8'} "
            f"(expected columns {', '.join(POST_FIELDS)}; id, created_at, text required)"
        )
    duplicated = sorted({name for name in header if name and header.count(name) > 1})
    if duplicated:
        raise InputError(f"{path}: the CSV header repeats {', '.join(duplicated)}")
    return header


def _csv_post(
    row: list[str], header: list[str], source: str, pseudonymize: PseudonymFn
) -> Post | RecordError:
    if _has_broken_bytes(row):
        return RecordError("line is not valid UTF-8")
    if len(row) != len(header):
        return RecordError(f"expected {len(header)} fields as in the header, got {len(row)}")
    record: dict[str, Any] = {}
    for name, cell in zip(header, row, strict=True):
        if name in POST_FIELDS:
            record[name] = cell if cell or name in REQUIRED_FIELDS else None
    try:
        return post_from_record(record, source, pseudonymize)
    except RecordError as exc:
        return exc


def _has_broken_bytes(row: list[str]) -> bool:
    """True if decoding met bytes that are not UTF-8 (kept as lone surrogates)."""
    return any(_SURROGATE.search(cell) for cell in row)
