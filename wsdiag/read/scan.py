"""From byte chunks to a Summary: the per-line reference path and the fast chunk path.

Both paths share one per-line function (:meth:`Scanner.line`) so they cannot disagree on what a
line means. The fast path only decides *which* lines need it: in a DEBUG log nearly every line
is a PING, PONG, MESSAGE or LISTEN-response of a connection already seen, and those are counted
in bulk without a Python object per line. Per chunk (whole lines: a reused buffer or a window of
a map of the file):

* the chunk's format is that of its first plain line (wsdiag.read.linefilter): a collector's prefix
  (`docker logs -t`, compose, journald, Fly.io ... or none), a stamp and a layout;
* a filter lists the lines that may matter: each *odd* line (not a plain record of the format:
  a stamped DEBUG record, or one of another level that no template could read: points, streamer
  online/offline ...) and each line with a `#N` that is not an alive payload of a known id.
  Both are built from the template table (templates.SIEVE): the C filter (_lines.c) decides in
  one memchr-speed pass; without it, two regex passes do. In a year-less log it also lists each
  line where the year could change;
* only those lines are read, in order, by line(), prefix and all; a line read before (same bytes
  after the same kind of prefix and stamp) replays its record instead of being parsed again;
* a burst of LISTEN lines (one per topic on every reconnect) reads its first and last line, and
  skips the ones between when each repeats a line read before (listen_bursts; Hermes: hermes_bursts);
* a line that cannot be a record (empty, blank, a traceback line, junk: see
  linefilter.RECORDISH) is counted by the kind line() would count it as, unread; only an input's
  first few unrecognized lines are read, for their samples. A newline bomb costs what a memchr
  costs;
* every other line is a record of the chunk's layout that adds nothing but its count, and its
  time to the span only if it is the first or the last timed line (the filter says which are
  the first and the last it skipped).

tests/test_fastpath.py holds the two paths equal on generated and hostile logs, behind every
prefix, whatever the chunk boundaries; tests/test_lines.py holds the C filter equal to the regexes.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from wsdiag.read import linefilter
from wsdiag.read.chunk_times import YearsAt, edges, less_time, line_time, month_other_than
from wsdiag.read.hermes_bursts import SUBSCRIBE, read_subscribes
from wsdiag.read.line_reader import LineReader, Times
from wsdiag.read.linefilter import (
    FILE_HEAD,
    FILTERS,
    MAX_KNOWN,
    MAX_LINE,
    Format,
)
from wsdiag.read.listen_bursts import ListenBursts
from wsdiag.read.regex_filter import Found, regex_filter
from wsdiag.read.whole_lines import Buffer, fits_in_place, tail_line, whole_lines
from wsdiag.summary.inputs import MAX_SAMPLES
from wsdiag.summary.summary import MAX_ID, Summary

if TYPE_CHECKING:
    import mmap

__all__ = ["MAX_LINE", "Buffer", "Scanner", "guard_map", "map_was_cut", "scanner_maps"]

_EAGER_IDS = 64  # up to this many ids the `#N - ` pattern learns each new one at once ...
_STALE_READS = 32  # ... then only after this many heartbeat-like lines were read
_RESCAN_STALE = 256  # heartbeat-like lines read before the C filter passes again ...
_RESCAN_MIN = 256  # ... over the rest of a chunk with this many candidates left


def scanner_maps() -> bool:
    """Whether Scanner.chunk reads a map of a file in place (its C filter can)."""
    return FILTERS.use_c


def guard_map(window: mmap.mmap) -> bool:
    """Guard a map of a file against the file being cut short while it is read (_lines.c): the
    pages past its new end read as zeros instead of killing the process. False if it cannot be
    (then the file must not be read through a map)."""
    return FILTERS.use_c and linefilter._lines is not None and bool(linefilter._lines.map_guard(window))


def map_was_cut() -> bool:
    """End the guard of guard_map(); True if the file was cut short meanwhile."""
    return linefilter._lines is not None and bool(linefilter._lines.map_unguard())


def _id_bitmap(known: set[int]) -> bytes:
    """``known`` as the C filter takes it, a bit per id; none past MAX_KNOWN (see
    Filters.ws_pattern)."""
    bits = bytearray((MAX_ID + 8) // 8 if known and len(known) <= MAX_KNOWN else 0)
    for i in known:
        if bits and 0 <= i <= MAX_ID:
            bits[i >> 3] |= 1 << (i & 7)
    return bytes(bits)


@dataclass
class _Pass:
    """One pass of Scanner._scan over the lines a chunk's filter picked."""

    chunk: Buffer
    end: int
    fmt: Format
    pattern: re.Pattern[bytes]  # the `#N - ` pattern of the regex filter
    found: Found  # the filter's first pass: its counts hold for the chunk
    candidates: list[int]  # the lines to look at, in order ...
    samples: set[int]  # ... of which these only for their samples
    pos: int  # lines before this were read already (a LISTEN burst reads ahead)
    less: bool  # a year-less format (Format.stamp is a property: looked up once)
    i: int = 0  # the next candidate
    read: Times = field(default_factory=dict)  # every line given to line()
    years: YearsAt = field(default_factory=list)  # where the year resolver stood (year-less)
    moved: bool = False  # the line looked at was found by _year_moved


@dataclass
class Scanner(LineReader):
    """Feeds one input's lines into a Summary: all of them (simple(), the reference path) or
    only those that may matter (chunk(), the fast path)."""

    _pattern: re.Pattern[bytes] | None = None  # the fast path's `#N - ` pattern ...
    _compiled: set[int] = field(default_factory=set)  # ... built for these ids
    _every_alive: bool = False  # ... skipping alive payloads that name the client (see _teach)
    _outside: Scanner | None = None  # counts the lines of chunks wholly outside the window
    _bursts: ListenBursts = field(default_factory=ListenBursts)
    # The C filter's view of _compiled: (the set it was made from, a bit per id).
    _bitmap: tuple[set[int] | None, bytes] = (None, b"")

    def chunk(self, chunk: Buffer, end: int | None = None, begin: int = 0) -> None:
        """Scan a chunk of whole lines, ``chunk[begin:end]``; only lines that may matter are
        decoded. ``chunk`` is bytes, a bytearray or a map of a file (read in place)."""
        end = len(chunk) if end is None else end
        if end <= begin:
            return
        if begin or not isinstance(chunk, (bytes, bytearray)):  # a map: no copy
            if self.window is None and FILTERS.use_c and fits_in_place(chunk, begin, end):
                self._scan(chunk, begin, end)
                return
            # The rare cases below rebuild the chunk from its start.
            chunk, end, begin = bytes(memoryview(chunk)[begin:end]), end - begin, 0
        chunk, end = whole_lines(chunk, end)
        if self.window is not None:
            if FILTERS.format_of(chunk, end).stamp.year_less:
                self._read_all(chunk, end)  # years and window, line by line
                return
            if self._windowed(chunk, end):
                return
        self._scan(chunk, 0, end)

    def _scan(self, chunk: Buffer, begin: int, end: int) -> None:
        """chunk() for whole, newline-normalised lines: read the lines the filter picks."""
        had_first = self.summary.first is not None
        self._begin = begin
        fmt = self.fmt = FILTERS.format_of(chunk, end, begin)
        pattern = self._pattern or FILTERS.ws_pattern(self._known, self.summary.hermes_debug)
        found = self._candidates(chunk, begin, end, fmt, pattern)
        self._count_inert(found)
        less = fmt.stamp.year_less
        p = _Pass(chunk, end, fmt, pattern, found, *self._with_samples(found), pos=begin, less=less)
        if less:
            p.years.append((begin, self.years.state()))
        # Without the C filter, the lines of a year-less chunk that could move the year resolver
        # are found here, between the candidates, from where the resolver stands.
        moves = less and fmt.c is None
        while (start := self._next(p, moves)) is not None:
            if start < p.pos:
                continue
            if p.samples and start in p.samples:
                # An unrecognized line the filter counted: only its sample is taken.
                p.pos = chunk.find(b"\n", start) + 1
                self._sample(chunk, start, p.pos)
                continue
            stop = self._take(p, start)
            if stop is None:
                continue  # a plain line after all
            if less:
                p.years.append((start, self.years.state()))
            p.pos = stop
            if p.i < len(p.candidates) and p.candidates[p.i] < stop:
                p.i = bisect.bisect_left(p.candidates, stop, p.i)  # past a burst's lines at once
            if self._untaught():
                self._learn(p)
        self._pattern = p.pattern
        self._skipped(p, begin, had_first)
        self._last_line = tail_line(chunk, begin, end)

    def _count_inert(self, found: Found) -> None:
        """Count a chunk's lines, and those the filter found cannot be records, by kind."""
        self.stats.lines += found.lines
        blank, cont, unrec = found.inert
        self.stats.blank += blank
        self.stats.continuation += cont
        self.stats.unrecognized += unrec

    def _next(self, p: _Pass, moves: bool) -> int | None:
        """The next line to look at: the next candidate or, first, a line that may move the
        year resolver (``moves``: see _year_moved); None at the end."""
        more = p.i < len(p.candidates)
        start = p.candidates[p.i] if more else p.end
        moved = self._year_moved(p.chunk, p.pos, start, p.fmt) if moves else None
        p.moved = moved is not None
        if moved is not None:
            return moved  # read first: the candidate waits
        if more:
            p.i += 1
            return start
        return None

    def _take(self, p: _Pass, start: int) -> int | None:
        """Read the line at ``start`` (and the burst it starts); return where what was read
        ends, or None if it is a plain line after all."""
        stop = p.chunk.find(b"\n", start) + 1
        if self.replay_known(p.chunk, start, stop - 1, p.read):
            return stop  # read before: what kind of line it is needs no look
        return self._look(p, start, stop)

    def _look(self, p: _Pass, start: int, stop: int) -> int | None:
        """_take() for a line not read before."""
        chunk, fmt = p.chunk, p.fmt
        if p.less and (fmt.c is not None or p.moved):
            return self._take_any(p, start, stop)
        if not fmt.plain.match(chunk, start, p.end - 1):
            self.read_at(chunk, start, p.read)
            return stop
        # The C filter knows the ids it was given; the pattern knows those read since.
        m = (p.pattern.search if fmt.c is None else FILTERS.ws_any.search)(chunk, start, stop)
        if m is None:
            return None
        if m.group("listen") is not None:
            return self._bursts.read(self, chunk, p.end, start, m, p.read)
        if not p.less and chunk.find(SUBSCRIBE, start, stop) != -1:
            return read_subscribes(self, chunk, p.end, start, p.read)
        self.read_at(chunk, start, p.read)
        return stop

    def _take_any(self, p: _Pass, start: int, stop: int) -> int:
        """Read whatever the line at ``start`` is: the C filter may have picked it (and
        _year_moved has) to keep the years right; a burst of LISTENs as a burst."""
        chunk, fmt = p.chunk, p.fmt
        plain = fmt.plain.match(chunk, start, p.end - 1)
        m = FILTERS.ws_any.search(chunk, start, stop) if plain else None
        if m is not None and m.group("listen") is not None and fmt.c is not None:
            return self._bursts.read(self, chunk, p.end, start, m, p.read)
        self.read_at(chunk, start, p.read)
        return stop

    def _untaught(self) -> bool:
        """Whether line() learned what the filters do not know yet (see _teach)."""
        return len(self._known) != len(self._compiled) or self._every_alive != self.summary.hermes_debug

    def _teach(self) -> None:
        """Give the filters the ids line() recorded, and skip alive payloads that name the client
        (parse.table's _alive_record: a Hermes log with DEBUG lines) once the summary knows it."""
        self._compiled = set(self._known)
        self._every_alive = self.summary.hermes_debug

    def _learn(self, p: _Pass) -> None:
        """After a line recorded an id the filter does not know yet: teach it, when that pays."""
        if p.fmt.c is None:
            if len(self._compiled) < _EAGER_IDS or self._stale >= _STALE_READS:
                # From here on the heartbeats of the new ids need no reading either. Past a real
                # pool's size the pattern waits for a few such reads (bogus ids cost a compile each).
                self._stale = 0
                self._teach()
                p.pattern = FILTERS.ws_pattern(self._compiled, self._every_alive)
        elif self._stale >= _RESCAN_STALE:
            # The C filter ran before these ids were known; once their heartbeats cost
            # more than a pass over the rest of the chunk, pass again.
            self._stale = 0
            self._teach()
            if len(p.candidates) - p.i > _RESCAN_MIN:
                # Its counts are the first pass's; its plain lines may be more.
                again = self._candidates(p.chunk, p.pos, p.end, p.fmt, p.pattern)
                found = p.found
                if again.first_plain >= 0:
                    if found.first_plain < 0 or again.first_plain < found.first_plain:
                        found.first_plain = again.first_plain
                    found.last_plain = max(found.last_plain, again.last_plain)
                (p.candidates, p.samples), p.i = self._with_samples(again), 0

    def _skipped(self, p: _Pass, begin: int, had_first: bool) -> None:
        """Count the lines not read, and move the span by the chunk's first and last time."""
        found = p.found
        skipped = found.lines - len(p.read) - sum(found.inert)
        if skipped:
            # Every other line not read is a plain record that adds nothing but its count
            # and its time to the span, which only the first and the last timed line can move.
            self.stats.records += skipped
            self.stats.layouts[p.fmt.layout] += skipped
        if not skipped and self.window is None:
            return
        time_of = less_time(p.fmt.head, p.years) if p.less else line_time(p.fmt.head)
        first, last = edges(p.chunk, begin, p.end, p.read, found.first_plain, found.last_plain, time_of)
        if skipped:
            if last is not None:
                self.summary.last = last
            if not had_first:
                self.summary.first = first
        if self.window is not None:
            self._last_time = last or self._last_time

    def _with_samples(self, found: Found) -> tuple[list[int], set[int]]:
        """The lines to look at: those that may matter and, while the input has fewer than
        MAX_SAMPLES samples, the counted unrecognized lines whose sample is still wanted."""
        if not found.samples or len(self.stats.samples) >= MAX_SAMPLES:
            return found.starts, set()
        return sorted(found.starts + found.samples), set(found.samples)

    def _candidates(
        self,
        chunk: Buffer,
        start: int,
        end: int,
        fmt: Format,
        pattern: re.Pattern[bytes],
        all_lines: bool = False,
    ) -> Found:
        """What ``chunk[start:end]`` holds: its lines, the start of each line that may matter (an
        odd line, or a plain one where ``pattern`` finds a `#N`; with ``all_lines`` none is
        plain), and the lines that cannot be records, counted by kind. More starts are harmless
        (each is looked at again); fewer are not. The C filter decides in one pass what the
        regexes decide in two, and knows the ids of ``_compiled``."""
        if fmt.c is not None:
            if start == 0 and self._untaught():
                self._teach()  # a new chunk: no pass to save
            if self._bitmap[0] is not self._compiled:
                self._bitmap = (self._compiled, _id_bitmap(self._compiled))
            lines, starts, blank, cont, unrec, samples, first, last = fmt.c.scan(
                chunk, start, end, self._bitmap[1], all_lines, self._every_alive
            )
            return Found(lines, starts, [blank, cont, unrec], samples, first, last)
        assert isinstance(chunk, (bytes, bytearray))  # chunk() maps only for the C filter
        found = regex_filter(linefilter.all_lines() if all_lines else fmt.odd, chunk, start, end)
        if not all_lines:
            # Plain lines with a `#N` that may matter (the others were looked at already: odd
            # ones are in the starts, inert ones counted).
            hashes: list[int] = []
            for m in pattern.finditer(chunk, start, end):
                line = max(start, chunk.rfind(b"\n", 0, m.start()) + 1)
                if (not hashes or hashes[-1] != line) and fmt.plain.match(chunk, line, end - 1):
                    hashes.append(line)
            if hashes:
                found.starts = sorted(set(found.starts).union(hashes))
        return found

    def _year_moved(self, chunk: Buffer, pos: int, limit: int, fmt: Format) -> int | None:
        """The first line of ``chunk[pos:limit]`` (plain lines of a year-less chunk) whose date
        could move the year resolver: any dated one before it has a month, then one of another
        month than its last (the C filter finds these in its pass)."""
        at_start, after_newline = month_other_than(fmt.head, self.years.state()[2])
        if pos >= limit:
            return None
        if at_start.match(chunk, pos, limit):
            return pos
        found = after_newline.search(chunk, pos, limit)  # re finds the newlines at memchr speed
        return None if found is None else found.start() + 1

    def _windowed(self, chunk: Buffer, end: int) -> bool:
        """--since/--until: scan a chunk that is not wholly inside the window; False if it is.

        Skipping lines unread is right when every time in the chunk (and the one untimed records
        before its first stamp inherit) is inside the window. When all are outside, the fast
        path of another scanner counts the lines into a summary that is thrown away; a chunk with
        times on both sides is read line by line, but for lines that cannot be records.
        """
        assert self.window is not None and isinstance(chunk, (bytes, bytearray))
        if FILE_HEAD.regex.match(chunk, 0, end):
            self._last_time = line_time(FILE_HEAD)(chunk, 0) or self._last_time
        place = self.window.place(chunk, end)
        edge_inside = self.window.contains(self._last_time)
        if place in ("inside", "untimed") and edge_inside:
            return False
        if place in ("outside", "untimed") and not edge_inside:
            # A scanner of its own: its caches must describe the summary it feeds.
            if self._outside is None:
                self._outside = Scanner(Summary(), self.stats, self.years)
            ids = self.stats.implausible_ids
            self._outside.summary.last = None  # so that it says the chunk's last time, if any
            self._outside.chunk(chunk, end)
            self.stats.implausible_ids = ids  # the reference path does not fold outside records
            self.summary.year_assumed |= self._outside.summary.year_assumed
            self._last_time = self._outside.summary.last or self._last_time
            self._last_line = tail_line(chunk, 0, end)
            return True
        self._read_all(chunk, end)
        return True

    def _read_all(self, chunk: Buffer, end: int) -> None:
        """simple() for a chunk of whole, newline-normalised lines, but for the lines that cannot
        be records: those are counted unread (a newline bomb must not cost a line() a line)."""
        found = self._candidates(chunk, 0, end, FILTERS.default, FILTERS.ws_any, all_lines=True)
        self._count_inert(found)
        self._begin = 0
        starts, samples = self._with_samples(found)
        for start in starts:
            stop = chunk.find(b"\n", start) + 1
            if samples and start in samples:
                self._sample(chunk, start, stop)
                continue
            self._where = (chunk, start, 0)
            self.line(chunk[start : stop - 1])
        self._last_line = tail_line(chunk, 0, end)
