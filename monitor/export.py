"""`monitor export`: posts and hourly series as CSV or Parquet, streamed in chunks.

Rows come from the analyst views (`v_posts`/`v_app_posts`, `v_hourly`) through a
streaming cursor (server-side on PostgreSQL) `chunk_size` rows at a time, and go out
as they arrive: memory stays flat however large the table. Times are UTC (ISO 8601 in
CSV, `timestamp[us, UTC]` in Parquet); `terms` is JSON text in CSV, a list in Parquet.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import IO, Any

from sqlalchemy import bindparam, text

from monitor.analysis import connect, to_utc
from monitor.errors import MonitorError
from monitor.storage.models import UTCDateTime
from monitor.types import CONCERNS

Kind = str
"""Column kinds: int, float, bool, str, time, json."""

POST_COLUMNS: tuple[tuple[str, Kind], ...] = (
    ("post_id", "int"), ("source", "str"), ("external_id", "str"), ("url", "str"),
    ("created_at", "time"), ("created_hour", "time"), ("beijing_day", "str"), ("text", "str"),
    ("author", "str"), ("reposts", "int"), ("comments", "int"), ("likes", "int"),
    ("engagement", "int"), ("repost_of", "str"), ("analyzed", "bool"), ("analyzer_version", "str"),
    ("sentiment", "float"), ("polarity", "str"), *((c, "bool") for c in CONCERNS),
    ("any_concern", "bool"), ("terms", "json"), ("apps", "str"),
)
HOURLY_COLUMNS: tuple[tuple[str, Kind], ...] = (
    ("app", "str"), ("concern", "str"), ("hour", "time"), ("beijing_day", "str"), ("posts", "int"),
    ("negative", "int"), ("negative_share", "float"), ("mean_sentiment", "float"),
    ("sentiment_sum", "float"), ("engagement", "int"), ("mentions", "int"), ("share_of_mentions", "float"),
)
TABLES = ("posts", "hourly")
FORMATS = ("csv", "parquet")


def export(
    url: str, table: str, fmt: str, out: IO[Any], *, app: str | None = None, concern: str | None = None,
    since: str | None = None, until: str | None = None, chunk_size: int = 5000,
    progress: Callable[[int], None] = lambda _n: None,
) -> int:
    """Write `table` ("posts" or "hourly") to the open file `out`; return the row count.

    `out` is a text file for CSV and a binary file for Parquet.
    """
    if table not in TABLES or fmt not in FORMATS:
        raise MonitorError(f"cannot export {table!r} as {fmt!r}: tables {TABLES}, formats {FORMATS}")
    columns = POST_COLUMNS if table == "posts" else HOURLY_COLUMNS
    query, params = _query(table, columns, app, concern, since, until)
    write = _write_csv if fmt == "csv" else _write_parquet
    with connect(url) as db, db.engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=chunk_size).execute(query, params)
        chunks = (_typed(columns, rows) for rows in result.partitions(chunk_size))
        return write(columns, chunks, out, progress)


def _query(
    table: str, columns: Sequence[tuple[str, Kind]], app: str | None, concern: str | None,
    since: str | None, until: str | None,
) -> tuple[Any, dict[str, Any]]:
    time_column = "created_at" if table == "posts" else "hour"
    view = "v_hourly" if table == "hourly" else ("v_app_posts" if app else "v_posts")
    where: list[str] = []
    params: dict[str, Any] = {}
    if app:
        where.append("app = :app")
        params["app"] = app
    if concern:
        if concern not in (*CONCERNS, "any", "all"):
            raise MonitorError(f"unknown concern {concern!r}")
        if table == "hourly":
            where.append("concern = :concern")
            params["concern"] = concern
        elif concern != "all":
            where.append(f"{'any_concern' if concern == 'any' else concern} = TRUE")
    for name, op, value in (("since", ">=", since), ("until", "<", until)):
        if value:
            where.append(f"{time_column} {op} :{name}")
            params[name] = to_utc(value)
    order = "created_at, post_id" if table == "posts" else "app, concern, hour"
    names = ", ".join(name for name, _ in columns)
    clause = text(f"SELECT {names} FROM {view}{' WHERE ' + ' AND '.join(where) if where else ''} ORDER BY {order}")
    for name in ("since", "until"):
        if name in params:
            clause = clause.bindparams(bindparam(name, type_=UTCDateTime))
    return clause, params


def _time(value: Any) -> datetime | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


_CONVERT: dict[Kind, Callable[[Any], Any]] = {
    "int": lambda v: None if v is None else int(v),
    "float": lambda v: None if v is None else float(v),
    "bool": lambda v: None if v is None else bool(v),
    "str": lambda v: v,
    "time": _time,
    "json": lambda v: None if v is None else json.loads(v),
}


def _typed(columns: Sequence[tuple[str, Kind]], rows: Sequence[Any]) -> list[list[Any]]:
    """Rows as lists of Python values of each column's kind (drivers differ: 0/1, text times)."""
    converters = [_CONVERT[kind] for _, kind in columns]
    return [[convert(value) for convert, value in zip(converters, row, strict=True)] for row in rows]


def _csv_cell(kind: Kind, value: Any) -> Any:
    if value is None:
        return ""
    if kind == "time":
        return value.isoformat().replace("+00:00", "Z")
    if kind == "bool":
        return "true" if value else "false"
    if kind == "json":
        return json.dumps(value, ensure_ascii=False)
    return value


def _write_csv(
    columns: Sequence[tuple[str, Kind]], chunks: Iterator[list[list[Any]]], out: IO[Any],
    progress: Callable[[int], None],
) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([name for name, _ in columns])
    count = 0
    for rows in chunks:
        writer.writerows([[_csv_cell(kind, v) for (_, kind), v in zip(columns, row, strict=True)] for row in rows])
        count += len(rows)
        progress(len(rows))
    return count


def _write_parquet(
    columns: Sequence[tuple[str, Kind]], chunks: Iterator[list[list[Any]]], out: IO[Any],
    progress: Callable[[int], None],
) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "str": pa.string(),
             "time": pa.timestamp("us", tz="UTC"), "json": pa.list_(pa.string())}
    schema = pa.schema([(name, types[kind]) for name, kind in columns])
    count = 0
    with pq.ParquetWriter(out, schema, compression="zstd") as writer:
        for rows in chunks:
            arrays = [pa.array([row[i] for row in rows], type=field.type) for i, field in enumerate(schema)]
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
            count += len(rows)
            progress(len(rows))
    return count
