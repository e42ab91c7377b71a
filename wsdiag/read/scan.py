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
  skips the ones between when each repeats a line read before (Hermes: hermes_bursts);
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
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from wsdiag.parse.records import Kind, Record
from wsdiag.parse.redact import ABOVE, clean, strip_ansi
from wsdiag.parse.templates import to_record
from wsdiag.read import linefilter
from wsdiag.read.hermes_bursts import SUBSCRIBE, read_subscribes, subscribe_key, with_uuid
from wsdiag.read.layouts import ANONYMISED_PATH, YearResolver, is_continuation, is_fence, split_line
from wsdiag.read.linefilter import (
    ALL_LINES,
    FILE_HEAD,
    FILTERS,
    HAZARDS,
    LESS_HEAD,
    MAX_KNOWN,
    MAX_LINE,
    Format,
    Found,
    Head,
    regex_filter,
)
from wsdiag.read.shapes import class_regex
from wsdiag.summary.inputs import MAX_SAMPLES, InputStats
from wsdiag.summary.summary import MAX_ID, Summary

if TYPE_CHECKING:
    import mmap
    from typing import TypeAlias

    from wsdiag.read.timefilter import Window

    #: What chunk() scans: whole lines of a read buffer, or a map of a file.
    Buffer: TypeAlias = bytes | bytearray | mmap.mmap

__all__ = ["MAX_LINE", "Scanner", "guard_map", "map_was_cut", "scanner_maps"]

_EAGER_IDS = 64  # up to this many ids the `#N - ` pattern learns each new one at once ...
_STALE_READS = 32  # ... then only after this many heartbeat-like lines were read
_MAX_BURSTS = 4096  # LISTEN prefixes remembered (hostile input)
_MAX_TAILS = 4096  # LISTEN payloads remembered per prefix
_MEMO_LINE = 1024  # longest line whose record is remembered ...
_MEMO_SIZE = 4096  # ... and how many (the memo starts afresh when full)
_RECENT_STAMPS = 64  # stamps _stamp_time remembers
_UNSEEN = datetime.min  # not a day's time: marks a day not parsed yet
_HEAD_MAX = 2048  # bytes of a line enough for split_line to find its time (any prefix)
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


# A record but for its time, to rebuild it for another line with the same bytes but the stamp:
# its field values in order, the time's left as None (cheaper than dataclasses.replace).
_Template = tuple[Any, ...]
_FIELDS = [f.name for f in fields(Record)]
_TIME = _FIELDS.index("time")
assert _FIELDS[0] == "kind" and all(f.init for f in fields(Record))


def _template(rec: Record) -> _Template:
    return tuple(None if name == "time" else getattr(rec, name) for name in _FIELDS)


def _at(template: _Template, time: datetime | None) -> Record:
    args = list(template)
    args[_TIME] = time
    return Record(*args)


@dataclass
class _Burst:
    """LISTEN lines of one connection with one `module - [func]: ` prefix, in one format.

    On (re)connecting the miner sends a LISTEN per topic, one line each, back to back. A LISTEN
    is a sign of life at its time, so the first of a burst (it may end an outage) and the last
    (the latest sign) are read; the ones between only move "last seen alive" forward to the last
    one and repeat topics already known, so they are skipped when every one of them has been read
    before, byte for byte apart from the collector's prefix, the time and the nonce.
    """

    conn: int
    fmt: Format
    prefix: bytes  # after the stamp's ` - ` up to `#`: `DEBUG - module - [func]: `
    head: bytes  # ... up to the nonce: `DEBUG - ... #N - Send: {"type":"LISTEN","nonce":"`
    run: re.Pattern[bytes]  # one or more such lines in a row
    line: re.Pattern[bytes]  # one such line; group "tail": everything after the nonce
    # tail -> the record (but for its time) of a line read before: nothing, OTHER or this LISTEN
    quiet: dict[bytes, _Template | None] = field(default_factory=dict)
    known: list[bytes] = field(default_factory=list)  # tails all in `quiet` (it never forgets)

    @classmethod
    def of(cls, fmt: Format, prefix: bytes, conn: bytes) -> _Burst:
        head = prefix + b"#" + conn + FILTERS.listen_head
        return cls(int(conn), fmt, prefix, head, *_burst_patterns(fmt.head.regex.pattern, prefix))

    def lines(self, chunk: Buffer, start: int, end: int) -> tuple[int, list[bytes]]:
        """The burst's lines from ``start`` (whose first is one): where they end, and the tail
        of each."""
        if self.fmt.c is not None:
            found: tuple[int, list[bytes]] = self.fmt.c.listens(chunk, start, end, self.head)
            return found
        run = self.run
        stamp = self.fmt.stamp
        if stamp.year_less:
            # As in the C filter: the lines after the first leave the year resolver as it is only
            # if they have the first one's month and a date it takes; if the first one has no
            # such date, it is alone.
            at = self.fmt.head.regex.match(chunk, start)
            assert at is not None
            s = at.end() - 3 - stamp.width
            day = bytes(chunk[s + stamp.day_at : s + stamp.day_at + 2])
            month = bytes(chunk[s + stamp.month_at : s + stamp.month_at + 2])
            if not (b"01" <= month <= b"12" and b"01" <= day <= b"31"):
                one = self.line.match(chunk, start, end)
                return (start, []) if one is None else (one.end(), [one.group("tail")])
            in_month = _head_in_month(self.fmt.head, month)
            run = _burst_patterns(in_month, self.prefix, self.fmt.head.regex.pattern)[0]
        lines = run.match(chunk, start, end)
        if lines is None:  # (a caller's first line is always one: see Scanner._listens)
            return start, []
        return lines.end(), [tail for _, tail in self.line.findall(chunk, start, lines.end())]


@functools.lru_cache(maxsize=64)
def _burst_patterns(
    head: bytes, prefix: bytes, first_head: bytes | None = None
) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
    """A burst's patterns, for every id at once (compiling them costs milliseconds): its lines
    start with ``head`` (the first with ``first_head`` if given)."""

    def one(conn: bytes, head: bytes = head) -> bytes:
        return (
            head
            + re.escape(prefix)
            + b"#"
            + conn
            + re.escape(FILTERS.listen_head)
            + rb'[A-Za-z0-9]{0,64}"(?P<tail>[^\n]*)\n'
        )

    first = one(rb"(?P<conn>\d{1,5})", first_head or head)
    run = first + rb"(?:" + one(rb"(?P=conn)").replace(b"(?P<tail>", b"(?:") + rb")*"
    return re.compile(run), re.compile(first)


@functools.lru_cache(maxsize=64)
def _head_in_month(head: Head, month: bytes) -> bytes:
    """``head``'s pattern for year-less dates of ``month`` that the year resolver takes."""
    stamp = head.stamp
    body = b""
    for i, allowed in enumerate(stamp.shape.positions()):
        if i == stamp.month_at:
            body += re.escape(month)
        elif i == stamp.day_at:
            body += rb"(?:0[1-9]|[12]\d|3[01])"
        elif i not in (stamp.month_at + 1, stamp.day_at + 1):
            body += class_regex(allowed)
    before = b"" if head.wrapper.shape is None else head.wrapper.shape.bytes_regex
    return before + body + b" - "


@dataclass
class Scanner:
    """Feeds one input's lines into a Summary."""

    summary: Summary
    stats: InputStats
    years: YearResolver
    _known: set[int] = field(default_factory=set)  # ids line() has recorded
    _pattern: re.Pattern[bytes] | None = None  # the fast path's `#N - ` pattern ...
    _compiled: set[int] = field(default_factory=set)  # ... built for these ids
    _stale: int = 0  # lines read for what may be a heartbeat of an id not in _compiled
    window: Window | None = None  # --since/--until: records outside are read but not analysed
    _last_time: datetime | None = None  # time of the last timed record, for untimed ones
    _outside: Scanner | None = None  # counts the lines of chunks wholly outside the window
    _bursts: dict[bytes, _Burst] = field(default_factory=dict)  # by format, prefix and id
    _rec: Record | None = None  # the record the last line() built, if any
    _layout: str | None = None  # the layout of the last line(), if it was a record
    _fmt: Format = FILTERS.default  # the format of the chunk being scanned (its plain lines')
    # Record lines already read, by their head and their bytes after the stamp: the same bytes
    # give the same layout and record but for the time (see _read; hermes_bursts.subscribe_key).
    _memo: dict[bytes, tuple[Head, str, _Template | None, str | None]] = field(default_factory=dict)
    _days: dict[bytes, datetime | None] = field(default_factory=dict)  # `dd/mm/yy ` -> 00:00
    _times: dict[bytes, datetime | None] = field(default_factory=dict)  # recent stamps
    # The C filter's view of _compiled: (the set it was made from, a bit per id).
    _bitmap: tuple[set[int] | None, bytes] = (None, b"")
    # Where the line line() reads sits, to find the line above it for a sample's redaction
    # (a key at the end of one line, its value on the next): (buffer, start, first line's
    # start) on the fast path, the line above itself on the reference path.
    _where: tuple[Buffer, int, int] | None = None
    _begin: int = 0  # where the chunk being scanned starts in its buffer
    _above: bytes = b""
    _last_line: bytes = b""  # the end of the previous chunk's last line

    # -- one line ------------------------------------------------------------------------
    def line(self, raw: bytes | bytearray) -> datetime | None:
        """Count and interpret one physical line (without its newline); return its time."""
        stats = self.stats
        self._rec = self._layout = None
        if len(raw) > MAX_LINE:
            stats.too_long += 1
            stats.unrecognized += 1
            return None
        text = strip_ansi(raw.decode("utf-8", "replace")).rstrip("\r\n")
        if not text.strip() or (text[:3] == "```" and is_fence(text)):
            stats.blank += 1
            return None
        line, assumed = split_line(text, self.years)
        if line.layout is None:
            if is_continuation(text):
                stats.continuation += 1
                if ANONYMISED_PATH in text:  # mpforce1's logger variant C anonymises tracebacks
                    self.summary.anonymised_seen = True
            else:
                stats.unrecognized += 1
                self._take_sample(text)
            return None
        stats.records += 1
        stats.layouts[line.layout] += 1
        self._layout = line.layout
        if assumed:
            self.summary.year_assumed = True
        if self.window is not None:
            if line.time is not None:
                self._last_time = line.time
            if not self.window.contains(self._last_time):
                return line.time
        self._fold(to_record(line), line.time)
        return line.time

    def _take_sample(self, text: str) -> None:
        """Keep an unrecognized line (cleaned, redacted as the continuation of the line above)
        as one of the input's few samples."""
        if len(self.stats.samples) < MAX_SAMPLES:
            self.stats.samples.append(clean(text, 200, above=self._line_above()))

    def _line_above(self) -> str:
        """The end of the line above the one line() reads (see _where)."""
        if self._where is None:
            raw = self._above
        else:
            buf, start, begin = self._where
            if start <= begin:
                raw = self._last_line
            else:
                prev = max(begin, start - 1 - ABOVE, buf.rfind(b"\n", begin, start - 1) + 1)
                raw = bytes(buf[prev : start - 1])
        return raw.decode("utf-8", "replace")

    def _fold(self, rec: Record | None, time: datetime | None) -> None:
        """The last step of line(): fold a record line's record and time into the summary."""
        self._rec = rec
        if rec is not None:
            if rec.conn is not None and rec.conn <= MAX_ID:
                self._known.add(rec.conn)
            self.summary.add(rec, self.stats)
        self.summary.observe_span(time, time)

    # -- reference path --------------------------------------------------------------------
    def simple(self, chunk: bytes) -> None:
        """Every line through :meth:`line`: slow, obviously right; the fast path must agree."""
        chunk = normalise_newlines(chunk)
        lines = chunk.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        self._where = None
        self._above = self._last_line
        for raw in lines:
            self.stats.lines += 1
            self.line(raw)
            self._above = raw
        self._last_line = self._above[-ABOVE:]

    # -- fast path -------------------------------------------------------------------------
    def chunk(self, chunk: Buffer, end: int | None = None, begin: int = 0) -> None:
        """Scan a chunk of whole lines, ``chunk[begin:end]``; only lines that may matter are
        decoded. ``chunk`` is bytes, a bytearray or a map of a file (read in place)."""
        end = len(chunk) if end is None else end
        if end <= begin:
            return
        in_place = begin or not isinstance(chunk, (bytes, bytearray))  # a map: no copy
        if in_place and (
            self.window is not None
            or not FILTERS.use_c
            or chunk.find(b"\r", begin, end) != -1
            or chunk[end - 1] != 0x0A
            or _long_lines(chunk, end, begin)
        ):
            # The rare cases below rebuild the chunk from its start.
            chunk, end, begin = bytes(memoryview(chunk)[begin:end]), end - begin, 0
            in_place = False
        if not in_place:
            if chunk.find(b"\r", 0, end) != -1:
                chunk = normalise_newlines(bytes(memoryview(chunk)[:end]))
                end = len(chunk)
            if chunk[end - 1] != 0x0A:
                chunk = bytes(memoryview(chunk)[:end]) + b"\n"
                end = len(chunk)
            giants = _long_lines(chunk, end)
            if giants:
                chunk = _squash_long_lines(chunk, end, giants)
                end = len(chunk)
            if self.window is not None:
                if FILTERS.format_of(chunk, end).stamp.year_less:
                    self._read_all(chunk, end)  # years and window, line by line
                    return
                if self._windowed(chunk, end):
                    return
        had_first = self.summary.first is not None
        self._begin = begin

        fmt = self._fmt = FILTERS.format_of(chunk, end, begin)
        pattern = self._pattern or FILTERS.ws_pattern(self._known)
        found = self._candidates(chunk, begin, end, fmt, pattern)
        nlines = found.lines
        self.stats.lines += nlines
        blank, cont, unrec = found.inert
        self.stats.blank += blank
        self.stats.continuation += cont
        self.stats.unrecognized += unrec
        first_plain, last_plain = found.first_plain, found.last_plain
        candidates, samples = self._with_samples(found)
        read: dict[int, datetime | None] = {}  # start -> time, of every line given to line()
        pos = begin  # lines before this were read already (a LISTEN burst reads ahead)
        i = 0
        less = fmt.stamp.year_less
        years: list[tuple[int, tuple[int, bool, int | None]]] = [(begin, self.years.state())] if less else []
        plain_at, ws_any, find = fmt.plain.match, FILTERS.ws_any.search, chunk.find
        # Without the C filter, the lines of a year-less chunk that could move the year resolver
        # are found here, between the candidates, from where the resolver stands.
        moves = less and fmt.c is None
        while i < len(candidates) or moves:
            start = candidates[i] if i < len(candidates) else end
            moved = self._year_moved(chunk, pos, start, fmt) if moves else None
            if moved is not None:
                start = moved  # read first: the candidate waits
            elif i < len(candidates):
                i += 1
            else:
                break
            if start < pos:
                continue
            stop = find(b"\n", start) + 1
            if samples and start in samples:
                # An unrecognized line the filter counted: only its sample is taken.
                self._sample(chunk, start, stop)
                pos = stop
                continue
            if (less and fmt.c is not None) or moved is not None:
                # Read whatever it is: the C filter may have picked it (and the search above
                # has) to keep the years right; a burst of LISTENs as a burst.
                plain = plain_at(chunk, start, end - 1)
                m = ws_any(chunk, start, stop) if plain else None
                if m is not None and m.group("listen") is not None and fmt.c is not None:
                    stop = self._listens(chunk, end, start, m, read)
                else:
                    self._read(chunk, start, read)
            elif plain_at(chunk, start, end - 1):
                # The C filter knows the ids it was given; the pattern knows those read since.
                m = (pattern.search if fmt.c is None else ws_any)(chunk, start, stop)
                if m is None:
                    continue  # a plain line after all
                if m.group("listen") is not None:
                    stop = self._listens(chunk, end, start, m, read)
                elif not less and chunk.find(SUBSCRIBE, start, stop) != -1:
                    stop = read_subscribes(self, chunk, end, start, read)
                else:
                    self._read(chunk, start, read)
            else:
                self._read(chunk, start, read)
            if less:
                years.append((start, self.years.state()))
            pos = stop
            if i < len(candidates) and candidates[i] < pos:
                i = bisect.bisect_left(candidates, pos, i)  # past a burst's lines at once
            if len(self._known) == len(self._compiled):
                continue
            if fmt.c is None:
                if len(self._compiled) < _EAGER_IDS or self._stale >= _STALE_READS:
                    # From here on the heartbeats of the new ids need no reading either. Past
                    # a real pool's size the pattern waits for a few such reads: thousands of
                    # bogus ids, each seen once, would otherwise cost a compile each.
                    self._stale = 0
                    self._compiled = set(self._known)
                    pattern = FILTERS.ws_pattern(self._compiled)
            elif self._stale >= _RESCAN_STALE:
                # The C filter ran before these ids were known; once their heartbeats cost
                # more than a pass over the rest of the chunk, pass again.
                self._stale = 0
                self._compiled = set(self._known)
                if len(candidates) - i > _RESCAN_MIN:
                    # Its counts are the first pass's; its plain lines may be more.
                    again = self._candidates(chunk, pos, end, fmt, pattern)
                    if again.first_plain >= 0:
                        if first_plain < 0 or again.first_plain < first_plain:
                            first_plain = again.first_plain
                        last_plain = max(last_plain, again.last_plain)
                    (candidates, samples), i = self._with_samples(again), 0
        self._pattern = pattern

        skipped = nlines - len(read) - blank - cont - unrec
        if skipped:
            # Every other line not read is a plain record that adds nothing but its count
            # and its time to the span, which only the first and the last timed line can move.
            self.stats.records += skipped
            self.stats.layouts[fmt.layout] += skipped
        if skipped or self.window is not None:
            time_of = _less_time(fmt.head, years) if less else _line_time(fmt.head)
            first, last = _edges(chunk, begin, end, read, first_plain, last_plain, time_of)
            if skipped:
                if last is not None:
                    self.summary.last = last
                if not had_first:
                    self.summary.first = first
            if self.window is not None:
                self._last_time = last or self._last_time
        self._last_line = _tail_line(chunk, begin, end)

    def _with_samples(self, found: Found) -> tuple[list[int], set[int]]:
        """The lines to look at: those that may matter and, while the input has fewer than
        MAX_SAMPLES samples, the counted unrecognized lines whose sample is still wanted."""
        if not found.samples or len(self.stats.samples) >= MAX_SAMPLES:
            return found.starts, set()
        return sorted(found.starts + found.samples), set(found.samples)

    def _sample(self, chunk: Buffer, start: int, stop: int) -> None:
        """Take the sample line() would take of an unrecognized line (counted by the filter)."""
        if len(self.stats.samples) >= MAX_SAMPLES:
            return
        raw = bytes(chunk[start : stop - 1])
        self._where = (chunk, start, self._begin)
        self._take_sample(strip_ansi(raw.decode("utf-8", "replace")).rstrip("\r\n"))

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
            if start == 0 and len(self._compiled) != len(self._known):
                self._compiled = set(self._known)  # a new chunk: no pass to save
            if self._bitmap[0] is not self._compiled:
                self._bitmap = (self._compiled, _id_bitmap(self._compiled))
            lines, starts, blank, cont, unrec, samples, first, last = fmt.c.scan(
                chunk, start, end, self._bitmap[1], all_lines
            )
            return Found(lines, starts, [blank, cont, unrec], samples, first, last)
        assert isinstance(chunk, (bytes, bytearray))  # chunk() maps only for the C filter
        found = regex_filter(ALL_LINES if all_lines else fmt.odd, chunk, start, end)
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
        at_start, after_newline = _month_other_than(fmt.head, self.years.state()[2])
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
            self._last_time = _line_time(FILE_HEAD)(chunk, 0) or self._last_time
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
            self._last_line = _tail_line(chunk, 0, end)
            return True
        self._read_all(chunk, end)
        return True

    def _read_all(self, chunk: Buffer, end: int) -> None:
        """simple() for a chunk of whole, newline-normalised lines, but for the lines that cannot
        be records: those are counted unread (a newline bomb must not cost a line() a line)."""
        found = self._candidates(chunk, 0, end, FILTERS.default, FILTERS.ws_any, all_lines=True)
        self.stats.lines += found.lines
        blank, cont, unrec = found.inert
        self.stats.blank += blank
        self.stats.continuation += cont
        self.stats.unrecognized += unrec
        self._begin = 0
        starts, samples = self._with_samples(found)
        for start in starts:
            stop = chunk.find(b"\n", start) + 1
            if samples and start in samples:
                self._sample(chunk, start, stop)
                continue
            self._where = (chunk, start, 0)
            self.line(chunk[start : stop - 1])
        self._last_line = _tail_line(chunk, 0, end)

    def _read(
        self, chunk: Buffer, start: int, read: dict[int, datetime | None]
    ) -> Record | None:
        """line() for the line at ``start``; returns the record it built.

        A line whose bytes after the stamp were read before, behind the same kind of prefix and
        stamp, is not parsed again: the stamp (and the prefix, where its time stands in) gives
        the time, and the record is the one built then with that time.
        """
        stop = chunk.find(b"\n", start)
        key = uuid = None
        head = self._fmt.head
        if stop - start <= _MEMO_LINE:
            for head in (self._fmt.head, FILE_HEAD, LESS_HEAD):
                m = head.regex.match(chunk, start, stop)
                if m is not None:
                    key, uuid = subscribe_key(head.tag + bytes(chunk[m.end() : stop]))
                    break
        if key is not None:
            hit = self._memo.get(key)
            if hit is not None:
                rec = self._replay(chunk, start, hit[0], hit[1], with_uuid(hit[2], hit[3], uuid), read)
                if rec is not None and rec.kind is Kind.OTHER:
                    self._stale += 1
                return rec
        self._where = (chunk, start, self._begin)
        read[start] = self.line(chunk[start:stop])
        rec = self._rec
        if key is not None and self._layout is not None:
            if len(self._memo) >= _MEMO_SIZE:
                self._memo.clear()
            self._memo[key] = (head, self._layout, None if rec is None else _template(rec), uuid)
        if rec is not None and rec.kind is Kind.OTHER:
            self._stale += 1
        return rec

    def _replay(
        self,
        chunk: Buffer,
        start: int,
        head: Head,
        layout: str,
        template: _Template | None,
        read: dict[int, datetime | None],
    ) -> Record | None:
        """What line() does for a stamped record line whose record (but for the time) is known."""
        t = self._time(chunk, start, head)
        self.stats.records += 1
        self.stats.layouts[layout] += 1
        self._layout = layout
        read[start] = t
        self._fold(None if template is None else _at(template, t), t)
        return self._rec

    def _time(self, chunk: Buffer, start: int, head: Head) -> datetime | None:
        """The time line() gives a line that starts with ``head``; a year-less one takes its
        year from the resolver, in order, as in line()."""
        stamp = head.stamp
        if head.wrapper.shape is None:  # no prefix: the stamp is at the start
            end = start + stamp.width + 3
        else:
            m = head.regex.match(chunk, start)
            assert m is not None
            end = m.end()
        if stamp.year_less:
            stamped, assumed = split_line(chunk[start:end].decode("latin-1"), self.years)
            if assumed:
                self.summary.year_assumed = True
            return stamped.time
        t = self._stamp_time(bytes(chunk[end - 3 - stamp.width : end - 3]), head)
        if t is None and head.wrapper.shape is not None:
            return _line_time(head)(chunk, start)  # the prefix's time may stand in
        return t

    def _stamp_time(self, stamp: bytes, head: Head) -> datetime | None:
        """The time of a dated stamp: a valid day (parsed once) plus H:M:S. The lines read come
        in clusters (a burst, a cascade), so the last few stamps are remembered whole."""
        t = self._times.get(stamp, _UNSEEN)
        if t is not _UNSEEN:
            return t
        clock = head.stamp.clock_at
        day = stamp[:clock]  # `dd/mm/yy `
        base = self._days.get(day, _UNSEEN)
        if base is _UNSEEN:
            base = _stamp_only(day + b"00:00:00")
            if len(self._days) >= _MEMO_SIZE:
                self._days.clear()
            self._days[day] = base
        h, m, s = int(stamp[clock : clock + 2]), int(stamp[clock + 3 : clock + 5]), int(stamp[clock + 6 :])
        if base is None or h > 23 or m > 59 or s > 59:
            t = _stamp_only(stamp)
        else:
            t = base + timedelta(0, h * 3600 + m * 60 + s)
        if len(self._times) >= _RECENT_STAMPS:
            self._times.clear()
        self._times[stamp] = t
        return t

    def _listens(
        self,
        chunk: Buffer,
        end: int,
        start: int,
        m: re.Match[bytes],
        read: dict[int, datetime | None],
    ) -> int:
        """Read a burst of LISTEN lines from ``start`` (see :class:`_Burst`); return where it ends."""
        fmt = self._fmt
        at = fmt.head.regex.match(chunk, start)
        assert at is not None  # a plain line of the format
        conn = m.group("listen")
        prefix = bytes(chunk[at.end() : m.start()])
        key = fmt.head.tag + fmt.layout.encode() + b"\0" + prefix + b"#" + conn
        burst = self._bursts.get(key)
        if burst is None:
            if any(h in prefix for h in HAZARDS) or len(self._bursts) >= _MAX_BURSTS:
                # An escape sequence before `#` could swallow text: read it like any line.
                self._read(chunk, start, read)
                return chunk.find(b"\n", start) + 1
            burst = self._bursts[key] = _Burst.of(fmt, prefix, conn)
        stop, tails = burst.lines(chunk, start, end)
        assert tails  # the line is plain and m matched its LISTEN
        first_up = self._listen(burst, chunk, start, tails[0], read)
        if len(tails) == 1:
            return stop
        # The start of the burst's last line (the LF before the one ending it).
        last = chunk.rfind(b"\n", start, stop - 1) + 1
        known = burst.quiet.get(tails[-1])
        last_up = (
            known is not None and known[0] is Kind.LISTEN and self._time(chunk, last, fmt.head) is not None
        )
        middle = tails[1:-1]
        # A reconnect sends the topics in the order it sent them before: comparing with the
        # last middle found known costs less than hashing each tail.
        if first_up and last_up and (middle == burst.known or burst.quiet.keys() >= set(middle)):
            burst.known = middle
        else:
            pos = chunk.find(b"\n", start) + 1
            for tail in middle:
                self._listen(burst, chunk, pos, tail, read)
                pos = chunk.find(b"\n", pos) + 1
        self._listen(burst, chunk, last, tails[-1], read)
        return stop

    def _listen(
        self,
        burst: _Burst,
        chunk: Buffer,
        start: int,
        tail: bytes,
        read: dict[int, datetime | None],
    ) -> bool:
        """Read one LISTEN line of a burst, replaying the record of a payload read before;
        True if it is a timed LISTEN of the burst's connection (a sign that it is up)."""
        fmt = burst.fmt
        if tail in burst.quiet:
            template = burst.quiet[tail]
            if template is not None and template[0] is Kind.LISTEN and burst.conn <= MAX_ID:
                # The commonest line of a DEBUG log that is read: its topics are known, so
                # all it adds is its time, to the connection's uptime and the span.
                t = self._time(chunk, start, fmt.head)
                self.stats.records += 1
                self.stats.layouts[fmt.layout] += 1
                read[start] = t
                self.summary.listened_again(burst.conn, t)
                self.summary.observe_span(t, t)
                return t is not None
            rec = self._replay(chunk, start, fmt.head, fmt.layout, template, read)
        else:
            rec = self._read(chunk, start, read)
            # A payload longer than a memo line is not remembered: it (and the topics of its
            # record) would hold megabytes (a real LISTEN names one topic in ~200 bytes).
            # A LISTEN sent redacted is counted each time (Summary.redacted_listens): never quiet.
            if len(burst.quiet) < _MAX_TAILS and len(tail) <= _MEMO_LINE and (
                rec is None
                or rec.kind is Kind.OTHER
                or (rec.kind is Kind.LISTEN and rec.conn == burst.conn and not rec.redacted)
            ):
                # Its record repeats harmlessly inside a burst: nothing, an id, or topics known.
                burst.quiet[tail] = None if rec is None else _template(rec)
        return (
            rec is not None and rec.kind is Kind.LISTEN and rec.conn == burst.conn and rec.time is not None
        )


def _tail_line(chunk: Buffer, begin: int, end: int) -> bytes:
    """The end (ABOVE bytes at most) of the last line of ``chunk[begin:end]``, without its newline."""
    stop = end - 1 if chunk[end - 1] == 0x0A else end
    return bytes(chunk[max(begin, stop - ABOVE, chunk.rfind(b"\n", begin, stop) + 1) : stop])


def normalise_newlines(chunk: bytes) -> bytes:
    """CRLF and lone CR both end a line."""
    if b"\r" not in chunk:
        return chunk
    return chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def _long_lines(chunk: Buffer, n: int, begin: int = 0) -> list[tuple[int, int]]:
    """(start, stop) of lines of ``chunk[begin:n]`` longer than MAX_LINE, in O(n/MAX_LINE) rfinds."""
    out: list[tuple[int, int]] = []
    pos = begin
    while pos < n:
        limit = pos + MAX_LINE + 1
        if limit >= n:
            break
        nl = chunk.rfind(b"\n", pos, limit)
        if nl == -1:
            stop = chunk.find(b"\n", limit, n)
            stop = n - 1 if stop == -1 else stop
            out.append((pos, stop))
            pos = stop + 1
        else:
            pos = nl + 1
    return out


_TOO_LONG = b"\0" * (MAX_LINE + 1)


def _squash_long_lines(chunk: Buffer, n: int, giants: list[tuple[int, int]]) -> bytes:
    """``chunk[:n]`` with each line longer than MAX_LINE replaced by MAX_LINE + 1 NULs: line()
    counts that as too long, like the original, and no pattern has to read through it."""
    parts: list[bytes] = []
    view = memoryview(chunk)
    pos = 0
    for start, stop in giants:
        parts += (bytes(view[pos:start]), _TOO_LONG)
        pos = stop
    parts.append(bytes(view[pos:n]))
    return b"".join(parts)


@functools.lru_cache(maxsize=64)
def _month_other_than(head: Head, month: int | None) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
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


def _stamp_only(stamp: bytes) -> datetime | None:
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


def _line_time(head: Head) -> Callable[[Buffer, int], datetime | None]:
    """The time line() gives a dated line (no year to guess), from its start alone."""

    def time_of(chunk: Buffer, start: int) -> datetime | None:
        text = _head_text(head, chunk, start)
        return None if text is None else split_line(text, YearResolver(2000, False))[0].time

    return time_of


def _less_time(
    head: Head, years: list[tuple[int, tuple[int, bool, int | None]]]
) -> Callable[[Buffer, int], datetime | None]:
    """_line_time for a year-less line that was not read: its year is the one the resolver
    had after the last line read before it (the lines between do not change it)."""
    starts = [start for start, _ in years]

    def time_of(chunk: Buffer, start: int) -> datetime | None:
        resolver = YearResolver(*years[bisect.bisect_right(starts, start) - 1][1])
        text = _head_text(head, chunk, start)
        return None if text is None else split_line(text, resolver)[0].time

    return time_of


def _edges(
    chunk: Buffer,
    begin: int,
    end: int,
    read: dict[int, datetime | None],
    first_plain: int,
    last_plain: int,
    time_of: Callable[[Buffer, int], datetime | None],
) -> tuple[datetime | None, datetime | None]:
    """The times of the first and the last line of ``chunk[begin:end]`` that have one.

    Such a line is a line read (its time is in ``read``) or a plain line skipped, of which the
    filter knows the first and the last; the lines it counted as inert have none. A plain line
    whose stamp gives no time (31/02) sends the search line by line.
    """
    lo: tuple[int, datetime] | None = None
    hi: tuple[int, datetime] | None = None
    for pos, t in read.items():
        if t is not None:
            if lo is None or pos < lo[0]:
                lo = (pos, t)
            if hi is None or pos > hi[0]:
                hi = (pos, t)
    first = last = None
    if first_plain >= 0:
        t = time_of(chunk, first_plain)
        if t is None:
            first = _edge_time(chunk, end, read, False, begin, time_of)
        elif lo is None or first_plain < lo[0]:
            first = t
    if first is None and lo is not None:
        first = lo[1]
    if last_plain >= 0:
        t = time_of(chunk, last_plain)
        if t is None:
            last = _edge_time(chunk, end, read, True, begin, time_of)
        elif hi is None or last_plain > hi[0]:
            last = t
    if last is None and hi is not None:
        last = hi[1]
    return first, last


def _edge_time(
    chunk: Buffer,
    end: int,
    read: dict[int, datetime | None],
    reverse: bool,
    begin: int = 0,
    time_of: Callable[[Buffer, int], datetime | None] | None = None,
) -> datetime | None:
    """Time of the first (or, ``reverse``, the last) line of ``chunk[begin:end]`` that has one."""
    if time_of is None:
        time_of = _line_time(FILE_HEAD)
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
