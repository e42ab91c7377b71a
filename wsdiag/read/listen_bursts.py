"""LISTEN bursts on the fast path: on (re)connecting the miner sends a LISTEN per topic, one
line each, back to back; a burst is read by its ends when the lines between repeat lines read
before (see :class:`Burst`). scan.Scanner hands each burst's first line to
:meth:`ListenBursts.read`, which reads through the LineReader's public seam."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from wsdiag.parse.records import Kind, Record
from wsdiag.read.line_reader import MEMO_LINE, Times
from wsdiag.read.linefilter import FILTERS, HAZARDS, Format, Head
from wsdiag.read.memo import Template, template, with_topics
from wsdiag.read.shapes import class_regex
from wsdiag.summary.summary import MAX_ID

if TYPE_CHECKING:
    from wsdiag.read.line_reader import LineReader
    from wsdiag.read.whole_lines import Buffer

_MAX_BURSTS = 4096  # LISTEN prefixes remembered (hostile input)
_MAX_TAILS = 4096  # LISTEN payloads remembered per prefix
_VALID_MONTH = (b"01", b"12")  # the two-digit months, and days, the year resolver takes
_VALID_DAY = (b"01", b"31")
# A LISTEN of a topic not met yet is the LISTEN of another topic of its burst read before but
# for the topic, when the two payloads differ in the topic alone and each names one topic of
# the miner's shape (`community-points-user-v1.1234`): lower-case words, a dot and digits, which
# no template's text can be made of (tests/test_fastpath.py holds the table to it). Each
# worker of a big log meets its connections' topics afresh: read so, a topic costs a replay,
# not a parse.
_ONE_TOPIC = re.compile(rb'"topics": ?\["([a-z][a-z0-9-]{0,63}\.[0-9]{1,20}(?:\.[0-9]{1,20})?)"\]')
_TOPICS = b'"topics"'
# Enum members the per-record code tests, as module globals (why: parse.records' docstring).
_LISTEN, _OTHER = Kind.LISTEN, Kind.OTHER


@dataclass
class Burst:
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
    quiet: dict[bytes, Template | None] = field(default_factory=dict)
    known: list[bytes] = field(default_factory=list)  # tails all in `quiet` (it never forgets)
    # a tail with its topic cut out (see _ONE_TOPIC) -> the LISTEN of such a tail read before
    shapes: dict[bytes, Template] = field(default_factory=dict)

    @classmethod
    def of(cls, fmt: Format, prefix: bytes, conn: bytes) -> Burst:
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
            if not (_VALID_MONTH[0] <= month <= _VALID_MONTH[1] and _VALID_DAY[0] <= day <= _VALID_DAY[1]):
                one = self.line.match(chunk, start, end)
                return (start, []) if one is None else (one.end(), [one.group("tail")])
            in_month = _head_in_month(self.fmt.head, month)
            run = _burst_patterns(in_month, self.prefix, self.fmt.head.regex.pattern)[0]
        lines = run.match(chunk, start, end)
        if lines is None:  # (a caller's first line is always one: see ListenBursts.read)
            return start, []
        return lines.end(), [tail for _, tail in self.line.findall(chunk, start, lines.end())]


def _topic_cut(tail: bytes) -> tuple[bytes, str] | None:
    """A LISTEN payload's one topic of the miner's shape and the payload without it (a newline
    stands for it), or None (see _ONE_TOPIC)."""
    at = tail.find(_TOPICS)
    if at < 0 or tail.find(_TOPICS, at + len(_TOPICS)) >= 0:
        return None
    m = _ONE_TOPIC.match(tail, at)
    if m is None:
        return None
    return tail[: m.start(1)] + b"\n" + tail[m.end(1) :], m.group(1).decode("ascii")


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
class ListenBursts:
    """The LISTEN bursts of one input met so far, by format, prefix and id."""

    bursts: dict[bytes, Burst] = field(default_factory=dict)

    def read(
        self,
        reader: LineReader,
        chunk: Buffer,
        end: int,
        start: int,
        m: re.Match[bytes],
        read: Times,
    ) -> int:
        """Read a burst of LISTEN lines from ``start`` (see :class:`Burst`); return where it ends."""
        fmt = reader.fmt
        at = fmt.head.regex.match(chunk, start)
        assert at is not None  # a plain line of the format
        conn = m.group("listen")
        prefix = bytes(chunk[at.end() : m.start()])
        key = fmt.head.tag + fmt.layout.encode() + b"\0" + prefix + b"#" + conn
        burst = self.bursts.get(key)
        if burst is None:
            if any(h in prefix for h in HAZARDS) or len(self.bursts) >= _MAX_BURSTS:
                # An escape sequence before `#` could swallow text: read it like any line.
                reader.read_at(chunk, start, read)
                return chunk.find(b"\n", start) + 1
            burst = self.bursts[key] = Burst.of(fmt, prefix, conn)
        stop, tails = burst.lines(chunk, start, end)
        assert tails  # the line is plain and m matched its LISTEN
        first_up = _listen(reader, burst, chunk, start, tails[0], read)
        if len(tails) == 1:
            return stop
        # The start of the burst's last line (the LF before the one ending it).
        last = chunk.rfind(b"\n", start, stop - 1) + 1
        known = burst.quiet.get(tails[-1])
        last_up = known is not None and known[0] is _LISTEN
        last_up = last_up and reader.time_at(chunk, last, fmt.head) is not None
        middle = tails[1:-1]
        # A reconnect sends the topics in the order it sent them before: comparing with the
        # last middle found known costs less than hashing each tail.
        if first_up and last_up and (middle == burst.known or burst.quiet.keys() >= set(middle)):
            burst.known = middle
        else:
            pos = chunk.find(b"\n", start) + 1
            for tail in middle:
                _listen(reader, burst, chunk, pos, tail, read)
                pos = chunk.find(b"\n", pos) + 1
        _listen(reader, burst, chunk, last, tails[-1], read)
        return stop


def _listen(
    reader: LineReader,
    burst: Burst,
    chunk: Buffer,
    start: int,
    tail: bytes,
    read: Times,
) -> bool:
    """Read one LISTEN line of a burst, replaying the record of a payload read before;
    True if it is a timed LISTEN of the burst's connection (a sign that it is up)."""
    fmt = burst.fmt
    if tail in burst.quiet:
        known = burst.quiet[tail]
        if known is not None and known[0] is _LISTEN and burst.conn <= MAX_ID:
            # The commonest line of a DEBUG log that is read: its topics are known, so
            # all it adds is its time, to the connection's uptime and the span.
            t = reader.time_at(chunk, start, fmt.head)
            reader.stats.records += 1
            reader.stats.layouts[fmt.layout] += 1
            read[start] = t
            reader.summary.listened_again(burst.conn, t)
            reader.summary.observe_span(t, t)
            return t is not None
        rec = reader.replay(chunk, start, fmt.head, fmt.layout, known, read)
    else:
        rec = _new_topic(reader, burst, chunk, start, tail, read)
        # A payload longer than a memo line is not remembered: it (and the topics of its
        # record) would hold megabytes (a real LISTEN names one topic in ~200 bytes).
        # A LISTEN sent redacted is counted each time (Summary.redacted_listens): never quiet.
        if len(burst.quiet) < _MAX_TAILS and len(tail) <= MEMO_LINE and (
            rec is None
            or rec.kind is _OTHER
            or (rec.kind is _LISTEN and rec.conn == burst.conn and not rec.redacted)
        ):
            # Its record repeats harmlessly inside a burst: nothing, an id, or topics known.
            burst.quiet[tail] = None if rec is None else template(rec)
    return (
        rec is not None and rec.kind is _LISTEN and rec.conn == burst.conn and rec.time is not None
    )


def _new_topic(
    reader: LineReader, burst: Burst, chunk: Buffer, start: int, tail: bytes, read: Times
) -> Record | None:
    """_listen() for a payload not met before: replayed from a LISTEN of the burst that differs in
    its topic alone (see _ONE_TOPIC), else read."""
    fmt = burst.fmt
    cut = _topic_cut(tail)
    kept = None if cut is None else burst.shapes.get(cut[0])
    if cut is not None and kept is not None:
        return reader.replay(chunk, start, fmt.head, fmt.layout, with_topics(kept, (cut[1],)), read)
    rec = reader.read_at(chunk, start, read)
    if (
        cut is not None
        and rec is not None
        and rec.kind is _LISTEN
        and rec.conn == burst.conn
        and rec.topics == (cut[1],)
        and not rec.redacted
        and len(burst.shapes) < _MAX_TAILS
    ):
        burst.shapes[cut[0]] = template(rec)
    return rec
