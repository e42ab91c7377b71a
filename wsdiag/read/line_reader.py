"""Lines into a Summary, one at a time: the per-line function both scan paths share
(:meth:`LineReader.line`), and the fast path's way to read a chosen line of a chunk
(:meth:`LineReader.read_at`), which replays the record of a line read before instead of parsing
it again. The LISTEN and Hermes subscribe bursts (listen_bursts, hermes_bursts) read through
this seam; scan.Scanner decides which lines to read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from wsdiag.parse.records import Kind, Record
from wsdiag.parse.redact import ABOVE, clean, strip_ansi
from wsdiag.parse.templates import to_record
from wsdiag.read.chunk_times import line_time, stamp_only
from wsdiag.read.hermes_bursts import subscribe_key, with_uuid
from wsdiag.read.layouts import ANONYMISED_PATH, YearResolver, is_fence, non_record_kind, split_line
from wsdiag.read.linefilter import FILE_HEAD, FILTERS, LESS_HEAD, MAX_LINE, Format, Head
from wsdiag.read.memo import Cut, Template, any_id, at, id_cut, nonce_free, template, with_conn
from wsdiag.read.stamps import year_less_time
from wsdiag.read.whole_lines import Buffer, normalise_newlines
from wsdiag.summary.inputs import MAX_SAMPLES, InputStats
from wsdiag.summary.summary import MAX_ID, Summary

if TYPE_CHECKING:
    from wsdiag.read.timefilter import Window

__all__ = ["MEMO_LINE", "LineReader", "Times"]

#: The longest line whose record is remembered ...
MEMO_LINE = 1024
_MEMO_SIZE = 4096  # ... and how many (the memo starts afresh when full)
_RECENT_STAMPS = 64  # stamps _stamp_time remembers
_UNSEEN = datetime.min  # not a day's time: marks a day not parsed yet
_HOURS, _MINUTES = 24, 60  # a clock past these is no time: split_line says which (None or not)

#: The lines of a chunk read so far: start -> the time line() gave it.
Times = dict[int, datetime | None]

# Enum members the per-record code tests, as module globals (why: parse.records' docstring).
_OTHER, _LISTEN = Kind.OTHER, Kind.LISTEN

# What the memo keeps of a line read: the head it started with, its layout, its record but for
# the time, the uuid it was read with (of a Hermes subscribe request, or the client's: see
# hermes_bursts.with_uuid), and whether the record is that of any id and client (memo.id_cut).
_Memo = tuple[Head, str, Template | None, str | None, bool]


@dataclass
class LineReader:
    """Feeds one input's lines into a Summary."""

    summary: Summary
    stats: InputStats
    years: YearResolver
    _known: set[int] = field(default_factory=set)  # ids line() has recorded
    _stale: int = 0  # lines read for what may be a heartbeat of an id not in Scanner._compiled
    window: Window | None = None  # --since/--until: records outside are read but not analysed
    _last_time: datetime | None = None  # time of the last timed record, for untimed ones
    _rec: Record | None = None  # the record the last line() built, if any
    #: The layout of the last line read, if it was a record.
    layout: str | None = None
    #: The format of the chunk being scanned (its plain lines').
    fmt: Format = FILTERS.default
    # Record lines already read, by their head and their bytes after the stamp: the same bytes
    # give the same layout and record but for the time (see read_at; hermes_bursts.subscribe_key).
    _memo: dict[bytes, _Memo] = field(default_factory=dict)
    _exact: set[bytes] = field(default_factory=set)  # keys whose records hold what they cut
    _days: dict[bytes, datetime | None] = field(default_factory=dict)  # `dd/mm/yy ` -> 00:00
    _times: dict[bytes, datetime | None] = field(default_factory=dict)  # recent stamps
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
        self._rec = self.layout = None
        if len(raw) > MAX_LINE:
            stats.too_long += 1
            stats.unrecognized += 1
            return None
        text = strip_ansi(raw.decode("utf-8", "replace")).rstrip("\r\n")
        # Before split_line and non_record_kind: a line of spaces would pass for a continuation
        # (its rule starts with a space), and the filters count blank lines first too.
        if not text.strip() or (text[:3] == "```" and is_fence(text)):
            stats.blank += 1
            return None
        line, assumed = split_line(text, self.years)
        if line.layout is None:
            kind = non_record_kind(text)
            if kind == "continuation":
                stats.continuation += 1
                if ANONYMISED_PATH in text:  # mpforce1's logger variant C anonymises tracebacks
                    self.summary.anonymised_seen = True
            elif kind == "blank":
                stats.blank += 1
            else:
                stats.unrecognized += 1
                self._take_sample(text)
            return None
        stats.records += 1
        stats.layouts[line.layout] += 1
        self.layout = line.layout
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

    def _sample(self, chunk: Buffer, start: int, stop: int) -> None:
        """Take the sample line() would take of an unrecognized line (counted by the filter)."""
        if len(self.stats.samples) >= MAX_SAMPLES:
            return
        raw = bytes(chunk[start : stop - 1])
        self._where = (chunk, start, self._begin)
        self._take_sample(strip_ansi(raw.decode("utf-8", "replace")).rstrip("\r\n"))

    def read_at(self, chunk: Buffer, start: int, read: Times) -> Record | None:
        """line() for the line at ``start``; returns the record it built.

        A line whose bytes after the stamp were read before, behind the same kind of prefix and
        stamp, is not parsed again: the stamp (and the prefix, where its time stands in) gives
        the time, and the record is the one built then with that time.
        """
        stop = chunk.find(b"\n", start)
        head, key, uuid, cut = self._key(chunk, start, stop)
        if key is not None:
            hit = self._hit(key, cut)
            if hit is not None:
                return self._replayed(chunk, start, hit, uuid, cut, read)
        self._where = (chunk, start, self._begin)
        read[start] = self.line(chunk[start:stop])
        rec = self._rec
        if key is not None and self.layout is not None:
            if len(self._memo) >= _MEMO_SIZE:
                self._memo.clear()
                self._exact.clear()
            kept = None if rec is None else template(rec)
            by_id = cut is not None and any_id(kept, cut[0], cut[1])
            if cut is not None:
                uuid = cut[1]
                if not by_id:
                    self._exact.add(key)
                    key = cut[2]
            self._memo[key] = (head, self.layout, kept, uuid, by_id)
        if rec is not None and rec.kind is _OTHER:
            self._stale += 1
        return rec

    def replay_known(self, chunk: Buffer, start: int, stop: int, read: Times) -> bool:
        """read_at() for the line at ``start`` (ending at ``stop``) if it repeats a line read
        before whose record is neither a LISTEN nor a Hermes subscribe request (those are read
        by their bursts); False, and nothing read, otherwise. The scanner tries this first: a
        line read before needs no look at what kind of line it is."""
        _, key, uuid, cut = self._key(chunk, start, stop)
        hit = None if key is None or uuid is not None else self._hit(key, cut)
        if hit is None or (hit[2] is not None and hit[2][0] is _LISTEN):
            return False
        self._replayed(chunk, start, hit, uuid, cut, read)
        return True

    def _hit(self, key: bytes, cut: Cut | None) -> _Memo | None:
        """The memo's entry for a line's key (see _key)."""
        hit = self._memo.get(key)
        if hit is None and cut is not None and key in self._exact:
            hit = self._memo.get(cut[2])
        return hit

    def _key(self, chunk: Buffer, start: int, stop: int) -> tuple[Head, bytes | None, str | None, Cut | None]:
        """The memo key of the line ``chunk[start:stop]`` (None: too long, or no stamp of a known
        head), the head it starts with, its Hermes subscribe request's uuid, if any, and what the
        key leaves out of the line (see memo.id_cut), if anything."""
        if stop - start <= MEMO_LINE:
            for head in (self.fmt.head, FILE_HEAD, LESS_HEAD):
                m = head.regex.match(chunk, start, stop)
                if m is not None:
                    rest = nonce_free(bytes(chunk[m.end() : stop]))
                    key, uuid = subscribe_key(head.tag + rest)
                    if uuid is None and (c := id_cut(rest)) is not None:
                        return head, head.tag + c[0], None, (c[1], c[2], key)
                    return head, key, uuid, None
        return self.fmt.head, None, None, None

    def _replayed(
        self, chunk: Buffer, start: int, hit: _Memo, uuid: str | None, cut: Cut | None, read: Times
    ) -> Record | None:
        kept = hit[2]
        if cut is not None:
            uuid = cut[1]
            if hit[4] and kept is not None:
                kept = with_conn(kept, cut[0])
        rec = self.replay(chunk, start, hit[0], hit[1], with_uuid(kept, hit[3], uuid), read)
        if rec is not None and rec.kind is _OTHER:
            self._stale += 1
        return rec

    def replay(
        self,
        chunk: Buffer,
        start: int,
        head: Head,
        layout: str,
        template: Template | None,
        read: Times,
    ) -> Record | None:
        """What line() does for a stamped record line whose record (but for the time) is known."""
        t = self.time_at(chunk, start, head)
        self.stats.records += 1
        self.stats.layouts[layout] += 1
        self.layout = layout
        read[start] = t
        self._fold(None if template is None else at(template, t), t)
        return self._rec

    def time_at(self, chunk: Buffer, start: int, head: Head) -> datetime | None:
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
            t = self._less_time(bytes(chunk[end - 3 - stamp.width : end - 3]), head)
            if t is None and head.wrapper.shape is not None:  # the prefix's time may stand in
                stamped, _ = split_line(chunk[start:end].decode("latin-1"), self.years)
                return stamped.time
            return t
        t = self._stamp_time(bytes(chunk[end - 3 - stamp.width : end - 3]), head)
        if t is None and head.wrapper.shape is not None:
            return line_time(head)(chunk, start)  # the prefix's time may stand in
        return t

    def _less_time(self, stamp: bytes, head: Head) -> datetime | None:
        """The time of a year-less stamp (``head``'s shape: two-digit day and month) from its
        bytes, as split_line gives it (stamps.year_less_time), without decoding the line."""
        shape, clock = head.stamp, head.stamp.clock_at
        t, assumed = year_less_time(
            int(stamp[shape.day_at : shape.day_at + 2]),
            int(stamp[shape.month_at : shape.month_at + 2]),
            int(stamp[clock : clock + 2]),
            int(stamp[clock + 3 : clock + 5]),
            int(stamp[clock + 6 :]),
            self.years,
        )
        if assumed:
            self.summary.year_assumed = True
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
            base = stamp_only(day + b"00:00:00")
            if len(self._days) >= _MEMO_SIZE:
                self._days.clear()
            self._days[day] = base
        h, m, s = int(stamp[clock : clock + 2]), int(stamp[clock + 3 : clock + 5]), int(stamp[clock + 6 :])
        if base is None or h >= _HOURS or m >= _MINUTES or s >= _MINUTES:
            t = stamp_only(stamp)
        else:
            t = base + timedelta(0, h * 3600 + m * 60 + s)
        if len(self._times) >= _RECENT_STAMPS:
            self._times.clear()
        self._times[stamp] = t
        return t

