"""--since / --until: parse the bounds, find the log's last record, build the time window.

Bounds are ISO date-times (``2025-11-29T18:30:00``, ``2025-11-29 18:30``, ``2025-11-29``) in the
log's own (local, naive) time, or durations (``24h``, ``90m``, ``7d``, ``1h30m``) counted back
from the log's *last* record, because uploaded logs are analysed long after they were written.

The window is half-open: ``since <= t < until``, so ``--until T`` and ``--since T`` split a log
into two parts that add up to the whole.

A record without a time of its own (pasted ``bare`` lines) belongs to the last timed record above
it; one above every timed record counts as the start of its input: inside the window exactly when
there is no ``--since``.
"""

from __future__ import annotations

import re
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from wsdiag import durations
from wsdiag.parse.redact import strip_ansi
from wsdiag.read.layouts import YearResolver, split_line
from wsdiag.read.linefilter import FILTERS, HAZARDS
from wsdiag.read.shapes import class_regex
from wsdiag.read.sources import InputError, Source, resolve
from wsdiag.read.stamps import FILE_STAMP

if TYPE_CHECKING:
    from wsdiag.pipeline import Options

#: Bytes read from the end of a plain file to find its last record before a full pass is needed.
TAIL = 256 * 1024
_MAX_LINE = 64 * 1024


Bound = datetime | timedelta


# -- the times of a chunk (Window.place) -------------------------------------------------------
# A line that starts with the standard `dd/mm/yy HH:MM:SS - ` has that stamp's time. Any other
# line may hold a time (layouts.split_line) behind a junk, Docker or other wrapper prefix, a
# TAB, a space, or a colour reset that strip_ansi removes (`ESC[0m` before the miner's stamp on
# the console): every miner stamp has its clock (`HH:MM:SS`), and an escape sequence could join
# one. A line with neither holds no time. The C filter's line_stamps mirrors these patterns.
_FILE_STAMP = FILE_STAMP.shape.bytes_regex
_CLOCK = b"".join(class_regex(allowed) for allowed in FILE_STAMP.shape.positions()[-8:])
_ESCAPES = b"(?:" + b"|".join(re.escape(h) for h in HAZARDS) + b")"
_HIDDEN = rb"(?!" + _FILE_STAMP + rb" - )[^\n]*?(?:" + _CLOCK + rb"|" + _ESCAPES + rb")"
# The newline in front lets re scan for it fast; line 0 is looked at apart.
_MAY_HIDE_TIME = re.compile(rb"\n" + _HIDDEN)
_MAY_HIDE_AT = re.compile(_HIDDEN)
_LINE_STAMP = re.compile(rb"\n(" + _FILE_STAMP + rb") - ")


def line_stamps(chunk: bytes | bytearray, end: int) -> set[bytes] | None:
    """The standard stamps that start lines of ``chunk[:end]`` (whole, newline-normalised
    lines), or None when another line may hold a time: then the stamps are not all its times."""
    c = FILTERS.default.c
    if c is not None:
        found: list[bytes] | None = c.line_stamps(chunk, end)
        return None if found is None else set(found)
    return line_stamps_by_regex(chunk, end)


def line_stamps_by_regex(chunk: bytes | bytearray, end: int) -> set[bytes] | None:
    """line_stamps() without the C filter."""
    if _MAY_HIDE_AT.match(chunk, 0, end) or _MAY_HIDE_TIME.search(chunk, 0, end):
        return None
    stamps = set(_LINE_STAMP.findall(chunk, 0, end))
    first = _LINE_STAMP.match(b"\n" + bytes(chunk[: min(end, FILE_STAMP.width + 3)]))  # line 0
    if first:
        stamps.add(first.group(1))
    return stamps


@dataclass(frozen=True)
class Window:
    """Records at ``since <= time < until`` are analysed; either bound may be open."""

    since: datetime | None = None
    until: datetime | None = None
    # Spans [first, last] left out: the times another log of the same run already covers
    # (summary/same_run.py); not a user option, so describe() does not mention them.
    skip: tuple[tuple[datetime, datetime], ...] = ()

    def contains(self, t: datetime | None) -> bool:
        if t is None:
            # Before the first timed record of an input: the start of the log.
            return self.since is None
        if self.since is not None and t < self.since:
            return False
        if any(lo <= t <= hi for lo, hi in self.skip):
            return False
        return self.until is None or t < self.until

    def place(self, chunk: bytes | bytearray, end: int) -> str:
        """Where the times of ``chunk[:end]`` (newline-normalised lines) lie: inside, outside,
        mixed, or untimed (none at all).

        "inside"/"outside" only when the standard `dd/mm/yy HH:MM:SS` stamps at line starts are
        all the times the chunk holds, all on that side of the window: the scanner may then skip
        lines unread. Chunks with a time anywhere else (behind a wrapper, a colour reset, a TAB,
        year-less or other stamps) are "mixed".
        """
        stamps = line_stamps(chunk, end)
        if stamps is None:
            return "mixed"
        probe = YearResolver(2000, False)
        sides = set()
        for stamp in stamps:
            t = split_line(stamp.decode("ascii") + " - ", probe)[0].time
            if t is not None:
                sides.add(self.contains(t))
                if sides == {True, False}:
                    return "mixed"
        if not sides:
            return "untimed"  # its records take the time of the record before the chunk
        return "outside" if sides == {False} else "inside"

    def describe(self) -> str:
        parts = []
        if self.since is not None:
            parts.append(f"since {self.since.isoformat(sep=' ', timespec='seconds')}")
        if self.until is not None:
            parts.append(f"until {self.until.isoformat(sep=' ', timespec='seconds')}")
        return " ".join(parts) or "whole log"


def parse_bound(text: str, option: str) -> Bound:
    """An ISO local date-time or a duration such as 24h, 90m, 7d, 1h30m; ValueError if neither."""
    raw = text.strip()
    if durations.is_duration(raw):
        try:
            span = durations.parse(raw)
        except ValueError:  # beyond timedelta's 999,999,999 days
            raise ValueError(f"{option} {text!r}: too long a duration") from None
        if span <= timedelta(0):
            raise ValueError(f"{option} {text!r}: a duration must be longer than zero")
        return span
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(
            f"{option} {text!r}: expected an ISO date-time (2025-11-29T18:30:00) "
            "or a duration (24h, 90m, 7d)"
        ) from None
    if value.tzinfo is not None:
        raise ValueError(
            f"{option} {text!r}: log times have no time zone; give the time as the log shows it, "
            "without an offset"
        )
    return value


def needs_anchor(*bounds: Bound | None) -> bool:
    return any(isinstance(b, timedelta) for b in bounds)


def _tail_time(path: Path, size: int) -> datetime | None:
    """Time of the last timed record, from the file's tail; None when a full pass is needed."""
    start = max(0, size - TAIL)
    with path.open("rb") as fh:
        fh.seek(start)
        data = fh.read(TAIL)
    lines = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
    if start:
        lines = lines[1:]  # the first one is probably cut
    # Year 1 marks a year-less ("less") stamp, whose year depends on every line before it.
    probe = YearResolver(1, False)
    for raw in reversed(lines):
        if not raw.strip() or len(raw) > _MAX_LINE:
            continue
        line, _ = split_line(strip_ansi(raw.decode("utf-8", "replace")), probe)
        if line.layout is None or line.time is None:
            continue
        return None if line.time.year == 1 else line.time
    return None


def last_time(source: Source, opts: Options) -> datetime | None:
    """The time of the source's last record, as the analysis will see it."""
    if source.splittable and source.path is not None and source.size is not None:
        found = _tail_time(source.path, source.size)
        if found is not None:
            return found
    from wsdiag.pipeline import scan_source

    return scan_source(source, replace(opts, window=None)).last


def _chain_last(chain: list[Source], opts: Options) -> datetime | None:
    """The last record of year-less inputs read in turn with one year resolver, as analyze does."""
    from wsdiag.pipeline import scan_source

    years = YearResolver.for_log(opts.year, opts.today)
    last = None
    for source in chain:
        last = scan_source(source, replace(opts, window=None), years=years).last or last
    return last


def window_for(
    since: Bound | None, until: Bound | None, sources: list[Source], opts: Options
) -> Window | None:
    """The window of the two bounds; durations count back from the latest record of all inputs."""
    if since is None and until is None:
        return None
    anchor: datetime | None = None
    if needs_anchor(since, until):
        from wsdiag.read.year_chain import year_chain

        chain = year_chain(sources)
        chained = {s.name for s in chain}
        lasts = [t for t in (last_time(s, opts) for s in sources if s.name not in chained) if t is not None]
        if chain:  # year-less inputs: their years follow each other (pipeline.year_chain)
            lasts += [t for t in [_chain_last(chain, opts)] if t is not None]
        if not lasts:
            raise InputError(
                "durations in --since/--until count back from the log's last record, "
                "but the input has no timestamps"
            )
        anchor = max(lasts)

    def at(bound: Bound | None) -> datetime | None:
        if isinstance(bound, timedelta):
            assert anchor is not None
            try:
                return anchor - bound
            except OverflowError:  # before the year 1: before every record
                return datetime.min
        return bound

    win = Window(at(since), at(until))
    if win.since is not None and win.until is not None and win.since >= win.until:
        raise InputError(f"the time window is empty ({win.describe()})")
    return win


@contextmanager
def spooled(sources: list[Source]) -> Iterator[list[Source]]:
    """Copy standard input to a temporary file, so it can be read more than once.

    Needed when a duration must find the last record before the analysis starts, or when
    events of several inputs must be ordered before they are read. The copy is deleted on exit.
    """
    if all(s.path is not None for s in sources):
        yield sources
        return
    import tempfile  # here: only standard input needs a copy, and it costs every start-up a millisecond

    with tempfile.TemporaryDirectory(prefix="wsdiag-") as tmp:
        out: list[Source] = []
        for s in sources:
            if s.path is not None:
                out.append(s)
                continue
            copy = Path(tmp) / "stdin.log"
            with copy.open("wb") as fh:
                shutil.copyfileobj(sys.stdin.buffer, fh, 1 << 20)
            (spooled_source,) = resolve([str(copy)])
            out.append(replace(spooled_source, name=s.name))
        yield out
