"""Run the scan over every source, in parallel where it pays, and merge the summaries."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime

from wsdiag.analyze import Summary
from wsdiag.layouts import YearResolver, split_line
from wsdiag.scan import Scanner
from wsdiag.sources import (
    CHUNK,
    InputError,
    ReadError,
    Source,
    chunks,
    open_stream,
    split_ranges,
)

#: Files smaller than this are scanned in-process: workers cost more than they save.
PARALLEL_MIN = 48 * 1024 * 1024

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Options:
    year: int | None = None
    jobs: int | None = None  # None: one per CPU
    today: date | None = None
    simple: bool = False  # reference path, for tests


def _scan_stream(
    source: Source,
    opts: Options,
    start: int = 0,
    stop: int | None = None,
    progress: Progress | None = None,
) -> Summary:
    summary = Summary()
    stats = summary.input(source.name)
    scanner = Scanner(summary, stats, YearResolver.for_log(opts.year, opts.today))
    try:
        stream = open_stream(source)
    except OSError as exc:
        raise InputError(f"{source.name}: cannot read ({exc.strerror or exc})") from None
    try:
        if start:
            stream.seek(start)
        limit = None if stop is None else stop - start
        feed = scanner.simple if opts.simple else scanner.chunk
        try:
            for chunk in chunks(stream, CHUNK, limit):
                feed(chunk)
                if progress is not None:
                    progress(len(chunk))
        except ReadError as exc:
            stats.read_error = str(exc)
        except OSError as exc:
            stats.read_error = exc.strerror or str(exc)
    finally:
        if source.path is not None:
            stream.close()
    return summary


def _worker(args: tuple[Source, Options, int, int]) -> Summary:
    source, opts, start, stop = args
    return _scan_stream(source, opts, start, stop)


def _jobs(opts: Options) -> int:
    if opts.jobs is not None:
        return max(1, opts.jobs)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _has_year(source: Source) -> bool:
    """Year-less ("less") logs need one pass in order to follow New Year; others can be split."""
    assert source.path is not None
    with source.path.open("rb") as fh:
        head = fh.read(64 * 1024)
    years = YearResolver(2000, False)
    for raw in head.split(b"\n")[:200]:
        line, _ = split_line(raw.decode("utf-8", "replace"), years)
        if line.layout == "less" and line.time is not None and line.time.year == 2000:
            return False
    return True


def scan_source(source: Source, opts: Options, progress: Progress | None = None) -> Summary:
    """Summary of one source, using worker processes for big plain files."""
    jobs = _jobs(opts)
    if (
        opts.simple
        or jobs == 1
        or not source.splittable
        or (source.size or 0) < PARALLEL_MIN
        or not _has_year(source)
    ):
        return _scan_stream(source, opts, progress=progress)
    assert source.path is not None and source.size is not None
    ranges = split_ranges(source.path, jobs, source.size)
    ctx = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    with ProcessPoolExecutor(max_workers=len(ranges), mp_context=ctx) as pool:
        parts = list(pool.map(_worker, [(source, opts, a, b) for a, b in ranges]))
    total = parts[0]
    for part in parts[1:]:
        total.merge(part)
    if progress is not None:
        progress(source.size)
    return total


def analyze(sources: list[Source], opts: Options, progress: Progress | None = None) -> Summary:
    """One merged, finished Summary of all sources, combined in time order."""
    parts = [scan_source(s, opts, progress) for s in sources]
    # Rotated files and halves of a log are merged oldest first, whatever the argument order.
    parts.sort(key=lambda s: (s.first is None, s.first or datetime.min))
    total = Summary()
    for part in parts:
        total.merge(part)
    # Inputs are reported in the order the user gave them.
    total.inputs = {s.name: total.inputs[s.name] for s in sources if s.name in total.inputs}
    return total.finish()
