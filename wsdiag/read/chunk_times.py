"""The times the fast path gives lines it does not read: a chunk's first and last timed line
(its edges, which move a summary's span) and, in a year-less chunk, the lines whose dates could
move the year resolver. Each is the time line() would give (layouts.split_line)."""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable
from datetime import datetime
from typing import TypeAlias

from wsdiag.parse.redact import strip_ansi
from wsdiag.read.layouts import YearResolver, split_line
from wsdiag.read.linefilter import FILE_HEAD, MAX_LINE, Head
from wsdiag.read.shapes import class_regex
from wsdiag.read.whole_lines import Buffer

#: A line's time, from its start (line_time, less_time).
TimeOf: TypeAlias = Callable[[Buffer, int], datetime | None]
#: Where the year resolver stood after the line read at a position: (start, its state).
YearsAt: TypeAlias = list[tuple[int, tuple[int, bool, int | None]]]
_HEAD_MAX = 2048  # bytes of a line enough for split_line to find its time (any prefix)


@functools.lru_cache(maxsize=64)
def month_other_than(head: Head, month: int | None) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
    """A line behind ``head`` dated in another month than ``month`` (any dated line if None):
    at a position, and after a newline."""
    stamp = head.stamp
    body = b""
    for i, allowed in enumerate(stamp.shape.positions()):
        if i == stamp.month_at and month is not None:
            body += b"(?!%02d)" % month
        body += class_regex(allowed)
    before = b"" if head.wrapper.shape is None else head.wrapper.shape.bytes_regex
    line = before + body + b" - "
    return re.compile(line), re.compile(rb"\n" + line)


def stamp_only(stamp: bytes) -> datetime | None:
    """The time of a dated stamp alone (no year to guess, no prefix to stand in)."""
    return split_line(stamp.decode("ascii", "replace") + " - ", YearResolver(2000, False))[0].time


def _head_text(head: Head, chunk: Buffer, start: int) -> str | None:
    """The start of the line at ``start`` that split_line needs for its time, decoded (None:
    the line is too long to have one). Behind ``head``: just the head; else enough of the line
    for any prefix split_line looks through."""
    m = head.regex.match(chunk, start)
    if m is not None:
        return chunk[start : m.end()].decode("latin-1")
    stop = chunk.find(b"\n", start)
    if stop == -1:
        stop = len(chunk)
    if stop - start > MAX_LINE:
        return None
    return strip_ansi(chunk[start : min(stop, start + _HEAD_MAX)].decode("utf-8", "replace"))


def line_time(head: Head) -> TimeOf:
    """The time line() gives a dated line (no year to guess), from its start alone."""

    def time_of(chunk: Buffer, start: int) -> datetime | None:
        text = _head_text(head, chunk, start)
        return None if text is None else split_line(text, YearResolver(2000, False))[0].time

    return time_of


def less_time(
    head: Head, years: YearsAt
) -> TimeOf:
    """line_time for a year-less line that was not read: its year is the one the resolver
    had after the last line read before it (the lines between do not change it)."""
    starts = [start for start, _ in years]

    def time_of(chunk: Buffer, start: int) -> datetime | None:
        resolver = YearResolver(*years[bisect.bisect_right(starts, start) - 1][1])
        text = _head_text(head, chunk, start)
        return None if text is None else split_line(text, resolver)[0].time

    return time_of


def edges(
    chunk: Buffer,
    begin: int,
    end: int,
    read: dict[int, datetime | None],
    first_plain: int,
    last_plain: int,
    time_of: TimeOf,
) -> tuple[datetime | None, datetime | None]:
    """The times of the first and the last line of ``chunk[begin:end]`` that have one.

    Such a line is a line read (its time is in ``read``) or a plain line skipped, of which the
    filter knows the first and the last; the lines it counted as inert have none. A plain line
    whose stamp gives no time (31/02) sends the search line by line.
    """
    timed = [(pos, t) for pos, t in read.items() if t is not None]  # positions are unique

    def edge(plain: int, known: tuple[int, datetime] | None, reverse: bool) -> datetime | None:
        """The time of the plain line ``plain`` unless a line read is further out (``known``)."""
        if plain >= 0:
            t = time_of(chunk, plain)
            if t is None:
                t = edge_time(chunk, end, read, reverse, begin, time_of)
            elif known is not None and (plain <= known[0] if reverse else plain >= known[0]):
                t = None
            if t is not None:
                return t
        return None if known is None else known[1]

    first = edge(first_plain, min(timed, default=None), False)
    return first, edge(last_plain, max(timed, default=None), True)


def edge_time(
    chunk: Buffer,
    end: int,
    read: dict[int, datetime | None],
    reverse: bool,
    begin: int = 0,
    time_of: TimeOf | None = None,
) -> datetime | None:
    """Time of the first (or, ``reverse``, the last) line of ``chunk[begin:end]`` that has one."""
    if time_of is None:
        time_of = line_time(FILE_HEAD)
    if reverse:
        stop = end - 1  # the newline ending the line looked at
        while stop > begin:
            start = chunk.rfind(b"\n", begin, stop) + 1 or begin
            t = read[start] if start in read else time_of(chunk, start)
            if t is not None:
                return t
            stop = start - 1
        return None
    start = begin
    while start < end:
        t = read[start] if start in read else time_of(chunk, start)
        if t is not None:
            return t
        start = chunk.find(b"\n", start, end) + 1
    return None
