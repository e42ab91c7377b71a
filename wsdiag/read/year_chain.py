"""Year-less ("less") logs: the order of their files, and where the year resolver stands at a
byte offset, predicted, so that a big year-less file can be scanned in parts (pipeline).

A year-less ("less") log gets its years from its dates in order (YearResolver: a month that
goes back by half a year or more is New Year). Two files of one log, rotated at New Year, are
one sequence of dates: they are read in time order with one resolver, so that --year (the
year of the first record) holds for the first file and January follows December. Their order
comes from their first dates on the circle of the year: the largest gap between two files'
first dates is where the sequence starts (December then January, not January then December).
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import BinaryIO, TypeAlias

from wsdiag.parse.redact import strip_ansi
from wsdiag.read.layouts import YearResolver, split_line
from wsdiag.read.linefilter import MAX_LINE
from wsdiag.read.sources import CHUNK, InputError, ReadError, Source, chunks, open_stream

#: Where a YearResolver stands (YearResolver.state()): what a part of a year-less log starts from.
YearState: TypeAlias = tuple[int, bool, "int | None"]

_LEAP = 2000  # a year with every date in it
_LOOK = 64 * 1024  # how far from a byte offset (or the start) a dated line is looked for


def _year_less_start(source: Source) -> datetime | None:
    """The first year-less date of a file (in the leap year _LEAP), None if it has years."""
    if source.path is None:
        return None  # standard input cannot be read twice
    try:
        stream = open_stream(source)
    except (InputError, OSError):
        return None
    try:
        head = b"".join(itertools.islice(chunks(stream, _LOOK, _LOOK), 1))
    except (ReadError, OSError):
        return None
    finally:
        stream.close()
    for raw in head.split(b"\n")[:200]:
        line, _ = split_line(strip_ansi(raw.decode("utf-8", "replace")), YearResolver(_LEAP, False))
        if line.layout == "less" and line.time is not None:
            return line.time if line.time.year == _LEAP else None
        if line.layout is not None and line.time is not None:
            return None  # a log with years
    return None


def year_chain(sources: list[Source]) -> list[Source]:
    """The year-less sources, in the order their dates follow each other (see above)."""
    starts = sorted((t, i) for i, s in enumerate(sources) if (t := _year_less_start(s)) is not None)
    if len(starts) <= 1:  # nothing to order
        return [sources[i] for _, i in starts]
    year = timedelta(days=366)
    gaps = [(b[0] - a[0], k) for k, (a, b) in enumerate(itertools.pairwise(starts))]
    gaps.append((starts[0][0] + year - starts[-1][0], len(starts) - 1))
    cut = max(gaps)[1] + 1  # the largest gap ends here
    return [sources[i] for _, i in starts[cut:] + starts[:cut]]


def has_year(source: Source) -> bool:
    """Whether the log's dates have years; year-less ("less") ones are resolved in order."""
    assert source.path is not None
    with source.path.open("rb") as fh:
        head = fh.read(_LOOK)
    years = YearResolver(_LEAP, False)
    for raw in head.split(b"\n")[:200]:
        line, _ = split_line(raw.decode("utf-8", "replace"), years)
        if line.layout == "less" and line.time is not None and line.time.year == _LEAP:
            return False
    return True


class _Dated(YearResolver):
    """A YearResolver that remembers the last (month, day) it was asked to resolve."""

    seen: tuple[int, int] | None = None

    def resolve(self, month: int, day: int) -> int:
        self.seen = (month, day)
        return super().resolve(month, day)


def _date_near(fh: BinaryIO, pos: int, after: bool) -> tuple[int, int] | None:
    """The (month, day) the year resolver takes from the last whole line before ``pos`` that
    it takes one from (or, ``after``, the first line from ``pos`` on), within _LOOK bytes."""
    start = pos if after else max(0, pos - _LOOK)
    fh.seek(start)
    lines = fh.read(_LOOK if after else pos - start).split(b"\n")
    lines = lines[:-1]  # not the line cut at the end (or the nothing after the last newline)
    if not after and start:
        lines = lines[1:]  # nor the one cut at the start
    for raw in lines if after else reversed(lines):
        if len(raw) > MAX_LINE:
            continue
        probe = _Dated(2000, False)
        split_line(strip_ansi(raw.decode("utf-8", "replace")).rstrip("\r"), probe)
        if probe.seen is not None:
            return probe.seen
    return None


def year_states(source: Source, ranges: list[tuple[int, int]], start: YearState) -> list[YearState] | None:
    """Where the year resolver will stand at the start of each range of a year-less log, as
    predicted, from ``start``, by a dated line every CHUNK bytes: it follows New Year wherever the months
    before and after one are sampled on both sides of it. None when a sample is missing."""
    assert source.path is not None and source.size is not None
    starts = {start for start, _ in ranges[1:]}
    resolver = YearResolver(*start)
    states = [start]
    with source.path.open("rb") as fh:
        first = _date_near(fh, 0, after=True)
        if first is None:
            return None
        resolver.resolve(*first)
        for pos in sorted(starts | set(range(CHUNK, source.size, CHUNK))):
            date = _date_near(fh, pos, after=False)
            if date is None:
                return None
            resolver.resolve(*date)
            if pos in starts:
                states.append(resolver.state())
    return states

