"""From byte chunks to a Summary: the per-line reference path and the fast chunk path.

Both paths share one per-line function (:meth:`Scanner.line`) so they cannot disagree on what a
line means. The fast path only decides *which* lines need it: in a DEBUG log nearly every line
is a PING, PONG or MESSAGE of a connection already seen, and those are counted in bulk without a
Python object per line:

* a negative-lookahead regex finds each ``#N - `` that is *not* a boring payload of a known id;
* a newline-anchored regex finds each line that is *not* a standard file-layout DEBUG line;
* every other line is a file-layout record that adds nothing but its count.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from wsdiag.analyze import MAX_ID, MAX_SAMPLES, InputStats, Summary
from wsdiag.layouts import YearResolver, is_continuation, split_line
from wsdiag.redact import clean, strip_ansi
from wsdiag.templates import to_record

#: Lines longer than this are not parsed; they are counted as too long.
MAX_LINE = 64 * 1024

# A file-layout DEBUG record with the standard date: the bulk of a DEBUG log.
_DEBUG_FILE = rb"\d\d/\d\d/\d\d \d\d:\d\d:\d\d - DEBUG - [A-Za-z_]"
_NOT_DEBUG_LINE = re.compile(rb"\n(?!" + _DEBUG_FILE + rb")")
_DEBUG_AT_START = re.compile(_DEBUG_FILE)
# Payloads that say nothing but "this connection is alive".
_BORING = rb'(?:Send: \{"type":"PING"\}|Received: \{ ?"type": ?"(?:PONG|MESSAGE)")'
_MAX_KNOWN = 256  # beyond this many ids the lookahead stops listing them (hostile input)


def _id_alternation(ids: Iterable[int]) -> bytes:
    return b"|".join(str(i).encode() for i in sorted(ids, key=lambda i: (-len(str(i)), i)))


def _interesting(known: set[int]) -> re.Pattern[bytes]:
    """`#N - ` occurrences except boring payloads of ids already known."""
    if not known or len(known) > _MAX_KNOWN:
        # Every `#N - ` line is a candidate: slower, but a new id is never skipped.
        return re.compile(rb"#\d{1,12} - ")
    return re.compile(rb"#(?!(?:" + _id_alternation(known) + rb") - " + _BORING + rb")\d{1,12} - ")


@dataclass
class Scanner:
    """Feeds one input's lines into a Summary."""

    summary: Summary
    stats: InputStats
    years: YearResolver
    _known: set[int] = field(default_factory=set)
    _pattern: re.Pattern[bytes] | None = None

    # -- one line ------------------------------------------------------------------------
    def line(self, raw: bytes) -> datetime | None:
        """Count and interpret one physical line (without its newline); return its time."""
        stats = self.stats
        if len(raw) > MAX_LINE:
            stats.too_long += 1
            stats.unrecognized += 1
            return None
        text = strip_ansi(raw.decode("utf-8", "replace")).rstrip("\r\n")
        if not text.strip():
            stats.blank += 1
            return None
        line, assumed = split_line(text, self.years)
        if line.layout is None:
            if is_continuation(text):
                stats.continuation += 1
            else:
                stats.unrecognized += 1
                if len(stats.samples) < MAX_SAMPLES:
                    stats.samples.append(clean(text[:200]))
            return None
        stats.records += 1
        stats.layouts[line.layout] += 1
        if assumed:
            self.summary.year_assumed = True
        rec = to_record(line)
        if rec is not None:
            if rec.conn is not None:
                self._known.add(rec.conn)
            self.summary.add(rec, stats)
        self.summary.observe_span(line.time, line.time)
        return line.time

    # -- reference path --------------------------------------------------------------------
    def simple(self, chunk: bytes) -> None:
        """Every line through :meth:`line`: slow, obviously right; the fast path must agree."""
        chunk = normalise_newlines(chunk)
        lines = chunk.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        for raw in lines:
            self.stats.lines += 1
            self.line(raw)

    # -- fast path -------------------------------------------------------------------------
    def chunk(self, chunk: bytes) -> None:
        """Scan a chunk of whole lines; only lines that may matter are decoded."""
        chunk = normalise_newlines(chunk)
        if not chunk:
            return
        if chunk[-1] != 0x0A:
            chunk += b"\n"
        end = len(chunk)
        nlines = chunk.count(b"\n")
        self.stats.lines += nlines
        giants = _long_lines(chunk)

        starts: set[int] = set()
        if not _DEBUG_AT_START.match(chunk):
            starts.add(0)
        starts.update(m.start() + 1 for m in _NOT_DEBUG_LINE.finditer(chunk, 0, end - 1))
        self._find_ws_lines(chunk, starts, giants)

        first_t: datetime | None = None
        last_t: datetime | None = None
        first_pos, last_pos = end, -1
        for start in sorted(starts):
            stop = chunk.find(b"\n", start)
            if giants and _inside(giants, start):
                continue
            t = self.line(chunk[start:stop])
            if t is not None:
                if first_t is None:
                    first_t, first_pos = t, start
                last_t, last_pos = t, start
        self.stats.too_long += len(giants)
        self.stats.unrecognized += len(giants)
        skipped = nlines - len(starts) - sum(1 for g in giants if g[0] not in starts)
        if skipped:
            self.stats.records += skipped
            self.stats.layouts["file"] += skipped
            # The span also covers skipped records before the first / after the last parsed one.
            head = _skipped_stamp(chunk, starts, giants, range_=(0, first_pos), forward=True)
            first_t = head or first_t
            tail = _skipped_stamp(chunk, starts, giants, range_=(last_pos, end), forward=False)
            last_t = tail or last_t
        self.summary.observe_span(first_t, last_t)

    def _find_ws_lines(self, chunk: bytes, starts: set[int], giants: list[tuple[int, int]]) -> None:
        """Add the start of every line with a `#N - ` that is not a known id's heartbeat."""
        pos = 0
        pattern = self._pattern or _interesting(self._known)
        while True:
            m = pattern.search(chunk, pos)
            if m is None:
                break
            start = chunk.rfind(b"\n", 0, m.start()) + 1
            stop = chunk.find(b"\n", m.end())
            pos = stop + 1
            if giants and _inside(giants, start):
                continue
            starts.add(start)
            conn = int(m.group()[1:].split(b" ", 1)[0])
            if conn not in self._known and self._yields_id(chunk[start:stop], conn):
                # From here on this id's heartbeats are boring too.
                self._known.add(conn)
                pattern = _interesting(self._known)
        self._pattern = pattern

    def _yields_id(self, raw: bytes, conn: int) -> bool:
        """Would :meth:`line` record this id? Asked without touching any state."""
        if conn > MAX_ID:
            return False
        text = strip_ansi(raw.decode("utf-8", "replace")).rstrip("\r\n")
        probe = YearResolver(self.years.year, self.years.assumed)
        line, _ = split_line(text, probe)
        if line.layout is None:
            return False
        rec = to_record(line)
        return rec is not None and rec.conn == conn


def normalise_newlines(chunk: bytes) -> bytes:
    """CRLF and lone CR both end a line."""
    if b"\r" not in chunk:
        return chunk
    return chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def _long_lines(chunk: bytes) -> list[tuple[int, int]]:
    """(start, stop) of lines longer than MAX_LINE, found in O(len/MAX_LINE) rfind calls."""
    out: list[tuple[int, int]] = []
    pos = 0
    n = len(chunk)
    while pos < n:
        limit = pos + MAX_LINE + 1
        if limit >= n:
            break
        nl = chunk.rfind(b"\n", pos, limit)
        if nl == -1:
            stop = chunk.find(b"\n", limit)
            stop = n - 1 if stop == -1 else stop
            out.append((pos, stop))
            pos = stop + 1
        else:
            pos = nl + 1
    return out


def _inside(ranges: list[tuple[int, int]], pos: int) -> bool:
    return any(a <= pos <= b for a, b in ranges)


def _skipped_stamp(
    chunk: bytes,
    starts: set[int],
    giants: list[tuple[int, int]],
    range_: tuple[int, int],
    forward: bool,
) -> datetime | None:
    """Time of the first (or last) skipped DEBUG record inside ``range_``, if any."""
    lo, hi = range_
    if forward:
        pos = lo
        while pos < hi:
            stop = chunk.find(b"\n", pos)
            if pos not in starts and not (giants and _inside(giants, pos)):
                t = _stamp(chunk, pos)
                if t is not None:
                    return t
            pos = stop + 1
        return None
    stop = min(hi, len(chunk)) - 1
    while stop > lo:
        start = chunk.rfind(b"\n", 0, stop) + 1
        if start <= lo:
            break
        if start not in starts and not (giants and _inside(giants, start)):
            t = _stamp(chunk, start)
            if t is not None:
                return t
        if start == 0:
            break
        stop = start - 1
    return None


_STAMP = re.compile(rb"(\d\d)/(\d\d)/(\d\d) (\d\d):(\d\d):(\d\d)")


def _stamp(chunk: bytes, start: int) -> datetime | None:
    m = _STAMP.match(chunk, start)
    if m is None:
        return None
    d, mo, y, h, mi, s = (int(x) for x in m.groups())
    try:
        return datetime(2000 + y, mo, d, h, mi, s)
    except ValueError:
        return None
