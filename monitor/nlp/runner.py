"""`monitor analyze` at any size: JSONL lines in, analysis JSONL out, on one or more cores.

The input is read in chunks of lines (at most `CHUNK_LINES` lines or `CHUNK_BYTES`
bytes); each chunk is analyzed as a batch (`Analyzer.analyze_lines`) and written out
whole, in input order. Memory stays bounded whatever the input's size: a line longer
than `MAX_LINE_BYTES` is skipped over in pieces and becomes an error record, and with
`workers > 1` at most `IN_FLIGHT` chunks per worker are queued or being analyzed.

Workers are separate processes (spawned, so each loads its own dictionaries and model,
and the parent never does); their results come back in submission order, so the output
is byte for byte the output of one worker.
"""

from __future__ import annotations

import json
import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import IO, Any

from monitor.config import NlpSettings
from monitor.errors import MonitorError
from monitor.nlp.analyzer import MAX_LINE_BYTES, Analyzer, LongLine, make_analyzer
from monitor.types import App

CHUNK_LINES = 512
CHUNK_BYTES = 4 << 20
IN_FLIGHT = 2
"""Chunks queued per worker: one being analyzed, one waiting, so no worker idles."""
_READ_PIECE = 1 << 20

Line = bytes | LongLine


def iter_lines(stream: IO[bytes], limit: int = MAX_LINE_BYTES) -> Iterator[Line]:
    """The lines of `stream` without their line ends; a line of more than `limit` bytes
    is read past in pieces and comes out as `LongLine(size)`."""
    while line := stream.readline(limit + 1):
        if line.endswith(b"\n"):
            yield line[:-1]
        elif len(line) <= limit:
            yield line  # the last line, without a line end
        else:
            yield LongLine(_skip_rest(stream, len(line)))


def _skip_rest(stream: IO[bytes], size: int) -> int:
    """Read to the end of the current line; its full size in bytes, without the line end."""
    while piece := stream.readline(_READ_PIECE):
        if piece.endswith(b"\n"):
            return size + len(piece) - 1
        size += len(piece)
    return size


def iter_chunks(
    lines: Iterable[Line], max_lines: int = CHUNK_LINES, max_bytes: int = CHUNK_BYTES
) -> Iterator[tuple[int, list[Line]]]:
    """(number of the first line, lines) chunks of at most `max_lines` lines and about
    `max_bytes` bytes."""
    chunk: list[Line] = []
    size, first = 0, 1
    for line in lines:
        chunk.append(line)
        size += len(line) if isinstance(line, bytes) else 0
        if len(chunk) >= max_lines or size >= max_bytes:
            yield first, chunk
            first += len(chunk)
            chunk, size = [], 0
    if chunk:
        yield first, chunk


def render(records: Iterable[dict[str, Any]]) -> str:
    """Records as JSONL text (UTF-8 characters kept as they are)."""
    return "".join(_ENCODE(record) + "\n" for record in records)


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode
"""Made once: `json.dumps` with any option builds a new encoder per call."""


def iter_output(
    lines: Iterable[Line], apps: Sequence[App], nlp: NlpSettings, *, workers: int = 1,
    chunk_lines: int = CHUNK_LINES, analyzer: Analyzer | None = None,
    pool: ProcessPoolExecutor | None = None,
) -> Iterator[str]:
    """The JSONL output for `lines`, a chunk of text at a time, in input order.

    `workers` > 1 analyzes chunks in that many processes: those of `pool` (made by
    `start_pool` for the same `apps` and `nlp`, left running) or of a pool made here.
    With one worker, `analyzer` reuses an analyzer already made for `apps` and `nlp`.
    """
    chunks = iter_chunks(lines, chunk_lines)
    if workers > 1:
        yield from _iter_parallel(chunks, pool or start_pool(apps, nlp, workers), workers,
                                  own_pool=pool is None)
        return
    analyzer = analyzer or make_analyzer(apps, nlp)
    for first, chunk in chunks:
        yield render(analyzer.analyze_lines(chunk, first))


def analyze_stream(
    source: IO[bytes], out: IO[str], apps: Sequence[App], nlp: NlpSettings, *, workers: int = 1
) -> None:
    """`monitor analyze`: JSONL posts from `source`, one analysis line each to `out`."""
    for text in iter_output(iter_lines(source), apps, nlp, workers=workers):
        out.write(text)


def _iter_parallel(
    chunks: Iterable[tuple[int, list[Line]]], pool: ProcessPoolExecutor, workers: int, *, own_pool: bool
) -> Iterator[str]:
    pending: deque[Future[str]] = deque()
    try:
        for first, chunk in chunks:
            pending.append(pool.submit(_analyze_chunk, chunk, first))
            if len(pending) >= IN_FLIGHT * workers:
                yield _result(pending.popleft())
        while pending:
            yield _result(pending.popleft())
    finally:
        for future in pending:
            future.cancel()
        if own_pool:
            pool.shutdown(wait=True, cancel_futures=True)


def start_pool(apps: Sequence[App], nlp: NlpSettings, workers: int) -> ProcessPoolExecutor:
    """`workers` spawned processes, each making its own analyzer for `apps` and `nlp`
    as it starts."""
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                               initargs=(tuple(apps), nlp))


def _result(future: Future[str]) -> str:
    try:
        return future.result()
    except BrokenProcessPool as exc:
        raise MonitorError(f"an analysis worker died ({exc}); try fewer --workers") from exc


_worker: dict[str, Any] = {}


def _start_worker(apps: tuple[App, ...], nlp: NlpSettings) -> None:
    """Make this worker's analyzer; a failure is kept for the first chunk to raise, so
    that it reaches the parent as that chunk's error (not as a broken pool)."""
    try:
        analyzer = make_analyzer(apps, nlp)
        analyzer.analyze("预热：隐私泄露")  # load the dictionaries now, not on the first chunk
        _worker["analyzer"] = analyzer
    except Exception as exc:  # noqa: BLE001
        _worker["error"] = exc


def _analyze_chunk(chunk: list[Line], first: int) -> str:
    """A worker's job: one chunk's JSONL output."""
    if "error" in _worker:
        raise _worker["error"]
    analyzer: Analyzer = _worker["analyzer"]
    return render(analyzer.analyze_lines(chunk, first))
