"""From byte chunks to a Summary: the per-line reference path and the fast chunk path.

Both paths share one per-line function (:meth:`Scanner.line`) so they cannot disagree on what a
line means. The fast path only decides *which* lines need it: in a DEBUG log nearly every line
is a PING, PONG, MESSAGE or LISTEN-response of a connection already seen, and those are counted
in bulk without a Python object per line. Per chunk (whole lines: a reused buffer or a window of
a map of the file):

* a filter lists the lines that may matter: each *odd* line (not a stamped DEBUG record, nor a
  record of another level that no template could read: points, streamer online/offline ...)
  and each line with a `#N - ` that is not an alive payload of a known id. The C helper
  (_lines.c) does this in one memchr-speed pass; without it, two regex passes do (_ODD_LINE,
  _ws_pattern). In a year-less log it also lists each line where the year could change;
* only those lines are read, in order, by line(); a line read before (same bytes but for the
  stamp) replays its record instead of being parsed again;
* a burst of LISTEN lines (one per topic on every reconnect) reads its first and last line, and
  skips the ones between when each repeats a line read before;
* a line that cannot be a record (empty, blank, a traceback line, junk: see _RECORDISH) is
  counted by the kind line() would count it as, unread; only an input's first few unrecognized
  lines are read, for their samples. A newline bomb costs what a memchr costs;
* every other line is a record of the chunk's layout that adds nothing but its count, and its
  time to the span only if it is the first or the last timed line (the filter says which are
  the first and the last it skipped).

tests/test_fastpath.py holds the two paths equal on generated and hostile logs, whatever the
chunk boundaries; tests/test_lines.py holds the C helper equal to the regexes it mirrors.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import os
import re
import types
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from wsdiag.analyze import MAX_ID, MAX_SAMPLES, InputStats, Summary
from wsdiag.layouts import YearResolver, is_continuation, split_line
from wsdiag.records import Kind, Record
from wsdiag.redact import ABOVE, clean, strip_ansi
from wsdiag.templates import MESSAGE_FRAME, to_record

if TYPE_CHECKING:
    import mmap
    from typing import TypeAlias

    from wsdiag.timefilter import Window

    #: What chunk() scans: whole lines of a read buffer, or a map of a file.
    Buffer: TypeAlias = bytes | bytearray | mmap.mmap

_lines: types.ModuleType | None
try:  # the optional C line filter (see _lines.c); the regexes below decide alike without it
    from wsdiag import _lines
except ImportError:  # pragma: no cover - an install without a C compiler
    _lines = None
if os.environ.get("WSDIAG_PURE_PYTHON"):  # to measure or test the regex passes alone
    _lines = None

#: Lines longer than this are not parsed; they are counted as too long.
MAX_LINE = 64 * 1024

# -- the fast path's byte patterns ---------------------------------------------------------
# Each is a *filter* in front of Scanner.line: a line it lets pass unread must be one that line()
# would count as a file-layout record and fold into nothing (or into nothing new). Whatever a
# pattern is unsure about is read by line(); tests/test_fastpath.py holds both paths equal.

# The file layout's `dd/mm/yy HH:MM:SS` (17 bytes), then ` - LEVEL - `.
_STAMP17 = rb"\d\d/\d\d/\d\d \d\d:\d\d:\d\d"
_STAMP_LEN = 17
# The year-less console layout's `dd/mm HH:MM:SS` (14 bytes), then ` - ` and the message.
_STAMP14 = rb"\d\d/\d\d \d\d:\d\d:\d\d"
_LESS_STAMP_LEN = 14
# A non-DEBUG record that to_record() ignores: an ordinary `[func]: ` (not one of
# websocket-client's echo functions), a message that starts with neither `#`, `[user] ` nor an
# id-less template, and no `Loading data for`, ESC or 8-bit CSI anywhere in the line.
_LOUD = rb"(?:INFO|WARNING|WARN|ERROR|CRITICAL) - "
_QUIET_FUNC = rb"\[(?!(?:error|warning|info)\])[!-\\^-~]{1,100}\]: "
# The starts of the id-less templates (templates.to_record), and text it finds anywhere.
_TEMPLATE_START = rb"Reconnect|The last |Error while trying|Received the ERR"
# What starts an escape sequence that line() strips (redact.strip_ansi): ESC, and the 8-bit CSI
# and OSC (U+009B, U+009D, two bytes in UTF-8). Stripped, it could join text into a template.
_ESCAPES = rb"\x1b|\xc2[\x9b\x9d]"
_ESCAPE = re.compile(_ESCAPES)
_ANYWHERE = rb"Loading data for |" + _ESCAPES
_QUIET_MSG = rb"(?![#\[]|" + _TEMPLATE_START + rb")(?!.*(?:" + _ANYWHERE + rb"))"
# A plain line: a DEBUG record (only its `#N - ` can matter: see _ws_pattern) or a quiet record
# of another level, in the file layout (`module - [func]: `) or the console one (`[func]: `).
# Every other line is an odd one, read by line(). A chunk is scanned in the layout of its
# first plain line: lines of the other layout are odd there, so every skipped line has one.
_PLAIN = {
    "file": _STAMP17
    + rb" - (?:DEBUG - [A-Za-z_]|"
    + _LOUD
    + rb"[A-Za-z_][A-Za-z0-9_.]{0,200} - "
    + _QUIET_FUNC
    + _QUIET_MSG
    + rb")",
    "console": _STAMP17
    + rb" - (?:DEBUG - \[[!-\\^-~]{1,100}\]: |"
    + _LOUD
    + _QUIET_FUNC
    + _QUIET_MSG
    + rb")",
    # The year-less console layout: no level and no function name, so no template is ruled
    # out by them; a `#` anywhere is left to the `#N - ` pattern, as in a DEBUG line.
    # Without a function name, websocket-client's echoes are told by their text alone.
    "less": _STAMP14
    + rb" - (?!\[|DEBUG - |"
    + _LOUD
    + rb"|"
    + _TEMPLATE_START
    + rb"|error from callback|tearing down)(?!.*(?: - goodbye| - reconnect|"
    + _ANYWHERE
    + rb"))",
}
# For the C filter; "none": no line is plain, every one that may be a record is read.
_LAYOUT_CODE = {"file": 0, "console": 1, "less": 2, "none": 3}
_PLAIN_AT = {layout: re.compile(p) for layout, p in _PLAIN.items()}
_LAYOUT_PROBE = 64  # lines looked at for a chunk's layout

# -- lines that cannot be records ------------------------------------------------------------
# A newline bomb (a file of empty lines) or junk between records must not cost line() a call a
# line: a line that layouts.split_line cannot make a record of is counted by the kind line()
# would count it as (blank, continuation, unrecognized) and never read, but for the first few
# unrecognized ones (the input's samples). No record form lacks a ` - ` after a time with a
# date before it, a level word or `#` and 1-12 digits, and an escape line() strips could join
# one: a line with neither is inert. Only Python can tell whether a line of spaces and
# non-ASCII bytes is blank (Unicode spaces): such a line is read. _lines.c's inert_kind
# mirrors these patterns; tests/test_lines.py holds the two equal.
_RECORDISH = (
    rb"\d[ T]\d\d:\d\d:\d\d(?:[.,]\d{1,6})? - |(?:DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL) - |#\d{1,12} - |"
    + _ESCAPES
)
_SPACES = rb"\t\x0b\x0c\r\x1c-\x1f "  # str.isspace() of an ASCII byte
_INERT_TEXT = rb"(?:(?!" + _RECORDISH + rb")[^\n]){0,%d}(?=\n)" % MAX_LINE  # a longer line is too long
_ASCII_TEXT = rb"(?=[%s\x80-\xff]{0,%d}[^%s\x80-\xff\n])" % (_SPACES, MAX_LINE, _SPACES)
_CONTINUATION = (  # layouts.is_continuation
    rb"(?:[ \t]|Traceback \(most recent call last\):|During handling of the above exception"
    rb"|The above exception was the direct cause"
    rb"|[A-Za-z_][\w.]{0,200}(?:Error|Exception|Exit|Interrupt|Warning)(?!\w))"
)
_BLANK_LINE = rb"[%s]{0,%d}(?=\n)" % (_SPACES, MAX_LINE)
_CONTINUATION_LINE = rb"(?=" + _CONTINUATION + rb")" + _ASCII_TEXT + _INERT_TEXT
_UNRECOGNIZED_LINE = rb"(?!" + _CONTINUATION + rb")" + _ASCII_TEXT + _INERT_TEXT
_KINDS = ("blank", "continuation", "unrecognized")
_KIND_CODE = {"continuation": 2, "unrecognized": 3}  # the C filter's as_kind
_RUN = 1023  # lines of one kind per match: a longer run costs re memory per line


def _runs(line: bytes, kind: str) -> bytes:
    """Up to _RUN + 1 lines of one kind in a row (the last one's newline is not taken)."""
    return rb"(?P<%s>(?:%s\n){0,%d}%s)" % (kind.encode(), line, _RUN, line)


_INERT_RUNS = b"|".join(
    _runs(line, kind)
    for line, kind in zip((_BLANK_LINE, _CONTINUATION_LINE, _UNRECOGNIZED_LINE), _KINDS, strict=True)
)
# The regex filter: at each line start, a run of inert lines (a group per kind) or an odd line
# (the empty alternative). A year-less chunk has no plain lines there: all of it is read.
_NOT_PLAIN = {layout: rb"(?!" + p + rb")" for layout, p in _PLAIN.items()}
_NOT_PLAIN["less"] = _NOT_PLAIN["none"] = b""
_ODD_AT = {layout: re.compile(np + rb"(?:" + _INERT_RUNS + rb"|)") for layout, np in _NOT_PLAIN.items()}
_ODD_LINE = {layout: re.compile(rb"\n" + p.pattern) for layout, p in _ODD_AT.items()}


# -- the times of a chunk, for --since/--until (timefilter.Window.place) ----------------------
# A line that starts with the standard `dd/mm/yy HH:MM:SS - ` has that stamp's time. Any other
# line may hold a time (layouts.split_line) behind a junk, Docker or other wrapper prefix, a
# TAB, a space, or a colour reset that strip_ansi removes (`ESC[0m` before the miner's stamp on
# the console): every miner stamp has `HH:MM:SS`, and an escape sequence could join one. A line
# with neither holds no time. _lines.c's line_stamps mirrors these patterns.
_HIDDEN = rb"(?!" + _STAMP17 + rb" - )[^\n]*?(?:\d\d:\d\d:\d\d|" + _ESCAPES + rb")"
# The newline in front lets re scan for it fast; line 0 is looked at apart.
_MAY_HIDE_TIME = re.compile(rb"\n" + _HIDDEN)
_MAY_HIDE_AT = re.compile(_HIDDEN)
_LINE_STAMP = re.compile(rb"\n(" + _STAMP17 + rb") - ")


def line_stamps(chunk: bytes | bytearray, end: int) -> set[bytes] | None:
    """The standard stamps that start lines of ``chunk[:end]`` (whole, newline-normalised
    lines), or None when another line may hold a time: then the stamps are not all its times."""
    if _lines is not None:
        found: list[bytes] | None = _lines.line_stamps(chunk, end)
        return None if found is None else set(found)
    if _MAY_HIDE_AT.match(chunk, 0, end) or _MAY_HIDE_TIME.search(chunk, 0, end):
        return None
    stamps = set(_LINE_STAMP.findall(chunk, 0, end))
    first = _LINE_STAMP.match(b"\n" + bytes(chunk[: min(end, _STAMP_LEN + 3)]))  # line 0
    if first:
        stamps.add(first.group(1))
    return stamps


@dataclass
class _Found:
    """What a filter pass found in ``chunk[start:end]`` (see Scanner._candidates)."""

    lines: int  # newlines
    starts: list[int]  # lines that may matter
    inert: list[int]  # lines that cannot be records, counted by kind: blank, continuation, unrecognized
    samples: list[int]  # the first MAX_SAMPLES of the unrecognized ones, for their samples
    first_plain: int  # the first and last line skipped as plain (-1: none)
    last_plain: int


def _layout_of(chunk: Buffer, end: int, begin: int = 0) -> str:
    """The layout of the first plain line near the start of ``chunk[begin:end]`` (default file)."""
    pos = begin
    for _ in range(_LAYOUT_PROBE):
        for layout, pattern in _PLAIN_AT.items():
            if pattern.match(chunk, pos, end - 1):
                return layout
        pos = chunk.find(b"\n", pos, end) + 1
        if not pos:
            break
    return "file"


# Payloads of a known connection that say nothing but "alive"; whole lines where more text
# could change the record (a `Send:` line with `"LISTEN"` in it, a `Received:` one with an error).
# MESSAGE_FRAME is `Received: {"type":"` and `MESSAGE"`: the frame types share that prefix here.
_FRAME = MESSAGE_FRAME.encode().removesuffix(b'MESSAGE"')
_ALIVE = (
    rb'(?:Send: \{"type":"PING"\}\n|'
    + _FRAME
    + rb'(?:MESSAGE"|PONG" ?\}\n|RESPONSE","error":"","nonce":"[A-Za-z0-9]{0,64}"\}\n))'
)
# The LISTEN of a topic: a sign of life with a time, read by line() unless it sits inside a
# burst of LISTENs already known (see Scanner._listens).
_LISTEN_HEAD = b' - Send: {"type":"LISTEN","nonce":"'
_LISTEN = rb"(?P<listen>\d{1,5})" + re.escape(_LISTEN_HEAD) + rb'[A-Za-z0-9]{0,64}"'
_MAX_KNOWN = 512  # beyond this many ids every `#N - ` is read (hostile input)
_EAGER_IDS = 64  # up to this many ids the `#N - ` pattern learns each new one at once ...
_STALE_READS = 32  # ... then only after this many heartbeat-like lines were read
_MAX_BURSTS = 4096  # LISTEN prefixes remembered (hostile input)
_MAX_TAILS = 4096  # LISTEN payloads remembered per prefix
_MEMO_LINE = 1024  # longest line whose record is remembered ...
_MEMO_SIZE = 4096  # ... and how many (the memo starts afresh when full)
_RECENT_STAMPS = 64  # stamps _stamp_time remembers
_LESS_STAMPED = re.compile(_STAMP14 + rb" - ")
_STAMPED = re.compile(_STAMP17 + rb" - ")
_UNSEEN = datetime.min  # not a day's time: marks a day not parsed yet


def _regex_filter(chunk: bytes | bytearray, start: int, end: int, layout: str, as_kind: str | None) -> _Found:
    """The C filter's pass with regexes, but for `#N - ` (see Scanner._candidates): odd lines,
    and runs of inert lines counted by kind; the plain lines are the gaps between them."""
    found = _Found(chunk.count(b"\n", start, end), [], [0, 0, 0], [], -1, -1)
    at = start  # the first line not accounted for yet

    def gap(upto: int) -> None:
        """Lines from ``at`` to ``upto`` are plain."""
        if upto > at:
            if found.first_plain < 0:
                found.first_plain = at
            found.last_plain = max(at, chunk.rfind(b"\n", at, upto - 1) + 1)

    first = _ODD_AT[layout].match(chunk, start, end)
    # The finditer goes on after line 0, or after the run that starts there.
    after = first.end() if first is not None and first.lastgroup else start
    matches = itertools.chain([first], _ODD_LINE[layout].finditer(chunk, after, end))
    for n, m in enumerate(matches):
        if m is None:
            continue
        line = m.start() + (n > 0)  # a finditer match starts at the newline before its line
        if line >= end:
            continue
        gap(line)
        kind = m.lastgroup
        if kind is None:
            found.starts.append(line)
            at = chunk.find(b"\n", line, end) + 1 or end
            continue
        lines = chunk.count(b"\n", line, m.end()) + 1
        if as_kind is not None:
            kind = as_kind
        found.inert[_KINDS.index(kind)] += lines
        sample = line
        while kind == "unrecognized" and len(found.samples) < MAX_SAMPLES and sample <= m.end():
            found.samples.append(sample)
            sample = chunk.find(b"\n", sample, end) + 1
        at = m.end() + 1
    gap(end)
    return found


def _trie(words: Iterable[bytes]) -> bytes:
    """A regex matching exactly ``words``, factored by prefix so that a miss costs one byte."""
    tree: dict[int, Any] = {}
    for word in words:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[-1] = {}

    def emit(node: dict[int, Any]) -> bytes:
        parts = [re.escape(bytes([ch])) + emit(sub) for ch, sub in sorted(node.items()) if ch >= 0]
        if not parts:
            return b""
        body = parts[0] if len(parts) == 1 else b"(?:" + b"|".join(parts) + b")"
        if -1 in node:
            return b"(?:" + body + b")?" if len(parts) == 1 else body + b"?"
        return body

    return emit(tree)


def _ws_pattern(known: set[int]) -> re.Pattern[bytes]:
    """`#N - ` that may matter: any but an alive payload of a known id, and `#N` that an escape
    sequence might split (line() strips those, which could join a `#N - ` that is not in the bytes).
    """
    alive = b""
    if known and len(known) <= _MAX_KNOWN:
        ids = _trie(str(i).encode() for i in known)
        alive = rb"(?!" + ids + rb" - " + _ALIVE + rb")"
    return re.compile(
        rb"#" + alive + rb"(?:" + _LISTEN + rb"|\d{1,12} - |[\d -]{0,15}[\x1b\xc2])"
    )


#: Any `#N - ` that may matter to some set of known ids: looked for in the lines the C filter
#: returns, whose ids it has checked already.
_WS_ANY = _ws_pattern(set())
_RESCAN_STALE = 256  # heartbeat-like lines read before the C filter passes again ...
_RESCAN_MIN = 256  # ... over the rest of a chunk with this many candidates left


def scanner_maps() -> bool:
    """Whether Scanner.chunk reads a map of a file in place (its C filter can)."""
    return _lines is not None


def guard_map(window: mmap.mmap) -> bool:
    """Guard a map of a file against the file being cut short while it is read (_lines.c): the
    pages past its new end read as zeros instead of killing the process. False if it cannot be
    (then the file must not be read through a map)."""
    return _lines is not None and bool(_lines.map_guard(window))


def map_was_cut() -> bool:
    """End the guard of guard_map(); True if the file was cut short meanwhile."""
    return _lines is not None and bool(_lines.map_unguard())


def _year_less(chunk: Buffer, start: int) -> bool:
    """A stamped line's stamp is `dd/mm HH:MM:SS` (not `dd/mm/yy HH:MM:SS`)."""
    return chunk[start + 5] != 0x2F


def _id_bitmap(known: set[int]) -> bytes:
    """``known`` as the C filter takes it, a bit per id; none past _MAX_KNOWN (see _ws_pattern)."""
    bits = bytearray((MAX_ID + 8) // 8 if known and len(known) <= _MAX_KNOWN else 0)
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
    """LISTEN lines of one connection with one `module - [func]: ` prefix.

    On (re)connecting the miner sends a LISTEN per topic, one line each, back to back. A LISTEN
    is a sign of life at its time, so the first of a burst (it may end an outage) and the last
    (the latest sign) are read; the ones between only move "last seen alive" forward to the last
    one and repeat topics already known, so they are skipped when every one of them has been read
    before, byte for byte apart from the time and the nonce.
    """

    conn: int
    head: bytes  # what follows the stamp up to the nonce: prefix, `#N - Send: {"type":"LISTEN"...`
    run: re.Pattern[bytes]  # one or more such lines in a row
    line: re.Pattern[bytes]  # one such line; group "tail": everything after the nonce
    # tail -> the record (but for its time) of a line read before: nothing, OTHER or this LISTEN
    quiet: dict[bytes, _Template | None] = field(default_factory=dict)
    known: list[bytes] = field(default_factory=list)  # tails all in `quiet` (it never forgets)

    @classmethod
    def of(cls, prefix: bytes, conn: bytes) -> _Burst:
        head = prefix + b"#" + conn + _LISTEN_HEAD
        return cls(int(conn), head, *_burst_patterns(prefix))

    def lines(self, chunk: Buffer, start: int, end: int) -> tuple[int, list[bytes]]:
        """The burst's lines from ``start`` (whose first is one): where they end, and the tail
        of each."""
        if _lines is not None:
            less = _year_less(chunk, start)
            found: tuple[int, list[bytes]] = _lines.listens(chunk, start, end, self.head, less)
            return found
        assert not _year_less(chunk, start)  # year-less lines are all read without the C filter
        run = self.run.match(chunk, start, end)
        assert run is not None
        return run.end(), [tail for _, tail in self.line.findall(chunk, start, run.end())]


@functools.lru_cache(maxsize=64)
def _burst_patterns(prefix: bytes) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
    """A burst's patterns, for every id at once (compiling them costs milliseconds)."""

    def one(conn: bytes) -> bytes:
        return (
            _STAMP17
            + re.escape(prefix)
            + b"#"
            + conn
            + re.escape(_LISTEN_HEAD)
            + rb'[A-Za-z0-9]{0,64}"(?P<tail>[^\n]*)\n'
        )

    first = one(rb"(?P<conn>\d{1,5})")
    run = first + rb"(?:" + one(rb"(?P=conn)").replace(b"(?P<tail>", b"(?:") + rb")*"
    return re.compile(run), re.compile(first)


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
    _bursts: dict[bytes, _Burst] = field(default_factory=dict)  # by prefix and id
    _rec: Record | None = None  # the record the last line() built, if any
    _layout: str | None = None  # the layout of the last line(), if it was a record
    _layout_now: str = "file"  # the layout of the chunk being scanned: that of its plain lines
    # Record lines already read, by their bytes after a `dd/mm/yy HH:MM:SS` stamp: the same
    # bytes give the same layout and record but for the time (see _read).
    _memo: dict[bytes, tuple[str, _Template | None]] = field(default_factory=dict)
    _days: dict[bytes, datetime | None] = field(default_factory=dict)  # `dd/mm/yy ` -> 00:00
    _times: dict[bytes, datetime | None] = field(default_factory=dict)  # recent stamps
    _cut: tuple[int, int] = (0, 0)  # _read_original's place in a cut chunk, lines before it
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
        if not text.strip():
            stats.blank += 1
            return None
        line, assumed = split_line(text, self.years)
        if line.layout is None:
            if is_continuation(text):
                stats.continuation += 1
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
        service = b""  # a `docker compose logs` prefix every line has, cut off (_without_service)
        original = chunk
        in_place = begin or not isinstance(chunk, (bytes, bytearray))  # a map: no copy
        if in_place and (
            self.window is not None
            or _lines is None
            or chunk.find(b"\r", begin, end) != -1
            or chunk[end - 1] != 0x0A
            or _long_lines(chunk, end, begin)
            or _SERVICE.match(chunk, begin)
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
                if _layout_of(chunk, end) == "less":
                    self._read_all(chunk, end)  # years and window, line by line
                    return
                if self._windowed(chunk, end):
                    return
            elif not giants and isinstance(chunk, (bytes, bytearray)):
                original = chunk
                chunk, end, service = _without_service(chunk, end)
                self._cut = (0, 0)
        had_first = self.summary.first is not None
        self._begin = begin

        layout = self._layout_now = _layout_of(chunk, end, begin)
        pattern = self._pattern or _ws_pattern(self._known)
        # Behind a cut prefix every inert line is what the prefix makes it (never blank).
        as_kind = None
        if service:
            cont_prefix = is_continuation(service.decode("ascii", "replace"))
            as_kind = "continuation" if cont_prefix else "unrecognized"
        found = self._candidates(chunk, begin, end, layout, pattern, as_kind)
        nlines = found.lines
        self.stats.lines += nlines
        blank, cont, unrec = found.inert
        self.stats.blank += blank
        self.stats.continuation += cont
        self.stats.unrecognized += unrec
        first_plain, last_plain = found.first_plain, found.last_plain
        candidates, samples = self._with_samples(found)
        plain_at = _PLAIN_AT[layout]
        read: dict[int, datetime | None] = {}  # start -> time, of every line given to line()
        pos = begin  # lines before this were read already (a LISTEN burst reads ahead)
        i = 0
        less = layout == "less"
        years: list[tuple[int, tuple[int, bool, int | None]]] = [(begin, self.years.state())] if less else []
        while i < len(candidates):
            start = candidates[i]
            i += 1
            if start < pos:
                continue
            stop = chunk.find(b"\n", start) + 1
            if samples and start in samples:
                # An unrecognized line the filter counted: only its sample is taken.
                self._sample(original, service, chunk, start, stop)
                pos = stop
                continue
            if less:
                # Every candidate is read (the filter may have picked it to keep the years
                # right), a burst of LISTENs as a burst.
                plain = plain_at.match(chunk, start, end - 1)
                m = _WS_ANY.search(chunk, start, stop) if plain else None
                if m is not None and m.group("listen") is not None and _lines is not None:
                    stop = self._listens(chunk, end, start, m, read)
                elif plain or not service:
                    self._read(chunk, start, read)
                else:
                    self._read_original(original, service, chunk, start, stop, read)
                years.append((start, self.years.state()))
            elif plain_at.match(chunk, start, end - 1):
                # The C filter knows the ids it was given; the pattern knows those read since.
                m = (pattern if _lines is None else _WS_ANY).search(chunk, start, stop)
                if m is None:
                    continue  # a plain line after all
                if m.group("listen") is not None:
                    stop = self._listens(chunk, end, start, m, read)
                else:
                    self._read(chunk, start, read)
            elif service:
                self._read_original(original, service, chunk, start, stop, read)
            else:
                self._read(chunk, start, read)
            pos = stop
            if len(self._known) == len(self._compiled):
                continue
            if _lines is None:
                if len(self._compiled) < _EAGER_IDS or self._stale >= _STALE_READS:
                    # From here on the heartbeats of the new ids need no reading either. Past
                    # a real pool's size the pattern waits for a few such reads: thousands of
                    # bogus ids, each seen once, would otherwise cost a compile each.
                    self._stale = 0
                    self._compiled = set(self._known)
                    pattern = _ws_pattern(self._compiled)
            elif self._stale >= _RESCAN_STALE:
                # The C filter ran before these ids were known; once their heartbeats cost
                # more than a pass over the rest of the chunk, pass again.
                self._stale = 0
                self._compiled = set(self._known)
                if len(candidates) - i > _RESCAN_MIN:
                    # Its counts are the first pass's; its plain lines may be more.
                    again = self._candidates(chunk, pos, end, layout, pattern, as_kind)
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
            self.stats.layouts[layout] += skipped
        if skipped or self.window is not None:
            time_of = _less_time(years) if less else _plain_time
            first, last = _edges(chunk, begin, end, read, first_plain, last_plain, time_of)
            if skipped:
                if last is not None:
                    self.summary.last = last
                if not had_first:
                    self.summary.first = first
            if self.window is not None:
                self._last_time = last or self._last_time
        self._last_line = _tail_line(chunk, begin, end)

    def _with_samples(self, found: _Found) -> tuple[list[int], set[int]]:
        """The lines to look at: those that may matter and, while the input has fewer than
        MAX_SAMPLES samples, the counted unrecognized lines whose sample is still wanted."""
        if not found.samples or len(self.stats.samples) >= MAX_SAMPLES:
            return found.starts, set()
        return sorted(found.starts + found.samples), set(found.samples)

    def _sample(self, original: Buffer, service: bytes, chunk: Buffer, start: int, stop: int) -> None:
        """Take the sample line() would take of an unrecognized line (counted by the filter)."""
        if len(self.stats.samples) >= MAX_SAMPLES:
            return
        if service:
            at, raw = self._original_line(original, service, chunk, start, stop)
            self._where = (original, at, 0)
        else:
            raw = bytes(chunk[start : stop - 1])
            self._where = (chunk, start, self._begin)
        self._take_sample(strip_ansi(raw.decode("utf-8", "replace")).rstrip("\r\n"))

    def _candidates(
        self,
        chunk: Buffer,
        start: int,
        end: int,
        layout: str,
        pattern: re.Pattern[bytes],
        as_kind: str | None = None,
    ) -> _Found:
        """What ``chunk[start:end]`` holds: its lines, the start of each line that may matter (an
        odd line, or a plain one where ``pattern`` finds a `#N - `), and the lines that cannot
        be records, counted by kind (of ``as_kind`` all of them, behind a cut prefix). More
        starts are harmless (each is looked at again); fewer are not. The C filter decides in
        one pass what the regexes decide in two, and knows the ids of ``_compiled``."""
        if _lines is not None:
            if start == 0 and len(self._compiled) != len(self._known):
                self._compiled = set(self._known)  # a new chunk: no pass to save
            if self._bitmap[0] is not self._compiled:
                self._bitmap = (self._compiled, _id_bitmap(self._compiled))
            lines, starts, blank, cont, unrec, samples, first, last = _lines.scan(
                chunk, start, end, _LAYOUT_CODE[layout], self._bitmap[1], _KIND_CODE.get(as_kind or "", 0)
            )
            return _Found(lines, starts, [blank, cont, unrec], samples, first, last)
        assert isinstance(chunk, (bytes, bytearray))  # chunk() maps only for the C filter
        found = _regex_filter(chunk, start, end, layout, as_kind)
        if layout in _PLAIN:
            # Plain lines with a `#N - ` that may matter (the others were looked at already:
            # odd ones are in the starts, inert ones counted).
            plain_at = _PLAIN_AT[layout]
            hashes: list[int] = []
            for m in pattern.finditer(chunk, start, end):
                line = max(start, chunk.rfind(b"\n", 0, m.start()) + 1)
                if (not hashes or hashes[-1] != line) and plain_at.match(chunk, line, end - 1):
                    hashes.append(line)
            if hashes:
                found.starts = sorted(set(found.starts).union(hashes))
        return found

    def _windowed(self, chunk: Buffer, end: int) -> bool:
        """--since/--until: scan a chunk that is not wholly inside the window; False if it is.

        Skipping lines unread is right when every time in the chunk (and the one untimed records
        before its first stamp inherit) is inside the window. When all are outside, the fast
        path of another scanner counts the lines into a summary that is thrown away; a chunk with
        times on both sides is read line by line, but for lines that cannot be records.
        """
        assert self.window is not None and isinstance(chunk, (bytes, bytearray))
        if _STAMPED.match(chunk, 0, end):
            self._last_time = _plain_time(chunk, 0) or self._last_time
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
        found = self._candidates(chunk, 0, end, "none", _WS_ANY)
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
                self._sample(chunk, b"", chunk, start, stop)
                continue
            self._where = (chunk, start, 0)
            self.line(chunk[start : stop - 1])
        self._last_line = _tail_line(chunk, 0, end)

    def _original_line(
        self, original: Buffer, service: bytes, chunk: Buffer, start: int, stop: int
    ) -> tuple[int, bytes]:
        """Where the line at ``start`` of a chunk cut by _without_service starts in the chunk
        as it was, and that line, prefix and all (lines are visited in order)."""
        assert isinstance(chunk, bytes)  # the cut copy
        pos, nth = self._cut
        nth += chunk.count(b"\n", pos, start)  # lines before it, each cut as much
        self._cut = (start, nth)
        at = start + len(service) * nth
        return at, bytes(original[at : at + len(service) + stop - 1 - start])

    def _read_original(
        self,
        original: Buffer,
        service: bytes,
        chunk: Buffer,
        start: int,
        stop: int,
        read: dict[int, datetime | None],
    ) -> None:
        """line() for an odd line of a chunk cut by _without_service: on the line as it was,
        since its prefix may change what it is (a traceback line, an unrecognised one)."""
        at, raw = self._original_line(original, service, chunk, start, stop)
        self._where = (original, at, 0)
        read[start] = self.line(raw)

    def _read(
        self, chunk: Buffer, start: int, read: dict[int, datetime | None]
    ) -> Record | None:
        """line() for the line at ``start``; returns the record it built.

        A line whose bytes after the stamp were read before is not parsed again: the stamp
        alone gives the time, and the record is the one built then with that time.
        """
        stop = chunk.find(b"\n", start)
        key = None
        if stop - start <= _MEMO_LINE:
            if _STAMPED.match(chunk, start):
                key = bytes(chunk[start + _STAMP_LEN : stop])
            elif _LESS_STAMPED.match(chunk, start):
                key = b"\0" + bytes(chunk[start + _LESS_STAMP_LEN : stop])  # apart from the others
        if key is not None:
            hit = self._memo.get(key)
            if hit is not None:
                rec = self._replay(chunk, start, hit[0], hit[1], read)
                if rec is not None and rec.kind is Kind.OTHER:
                    self._stale += 1
                return rec
        self._where = (chunk, start, self._begin)
        read[start] = self.line(chunk[start:stop])
        rec = self._rec
        if key is not None and self._layout is not None:
            if len(self._memo) >= _MEMO_SIZE:
                self._memo.clear()
            self._memo[key] = (self._layout, None if rec is None else _template(rec))
        if rec is not None and rec.kind is Kind.OTHER:
            self._stale += 1
        return rec

    def _replay(
        self,
        chunk: Buffer,
        start: int,
        layout: str,
        template: _Template | None,
        read: dict[int, datetime | None],
    ) -> Record | None:
        """What line() does for a stamped record line whose record (but for the time) is known."""
        t = self._time(chunk, start)
        self.stats.records += 1
        self.stats.layouts[layout] += 1
        self._layout = layout
        read[start] = t
        self._fold(None if template is None else _at(template, t), t)
        return self._rec

    def _time(self, chunk: Buffer, start: int) -> datetime | None:
        """The time line() gives a stamped line (dated or year-less, told by the byte after the
        month); a year-less one takes its year from the resolver, in order, as in line()."""
        if not _year_less(chunk, start):
            return self._stamp_time(chunk, start)
        text = chunk[start : start + _LESS_STAMP_LEN + 3].decode("ascii", "replace")
        stamped, assumed = split_line(text, self.years)
        if assumed:
            self.summary.year_assumed = True
        return stamped.time

    def _stamp_time(self, chunk: Buffer, start: int) -> datetime | None:
        """_plain_time() of a stamped line: a valid day (parsed once) plus H:M:S. The lines read
        come in clusters (a burst, a cascade), so the last few stamps are remembered whole."""
        stamp = bytes(chunk[start : start + _STAMP_LEN])
        t = self._times.get(stamp, _UNSEEN)
        if t is not _UNSEEN:
            return t
        day = stamp[:9]  # `dd/mm/yy `
        base = self._days.get(day, _UNSEEN)
        if base is _UNSEEN:
            base = _plain_time(day + b"00:00:00 - ", 0)
            if len(self._days) >= _MEMO_SIZE:
                self._days.clear()
            self._days[day] = base
        h, m, s = int(stamp[9:11]), int(stamp[12:14]), int(stamp[15:17])
        if base is None or h > 23 or m > 59 or s > 59:
            t = _plain_time(chunk, start)
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
        less = _year_less(chunk, start)
        conn = m.group("listen")
        prefix = bytes(chunk[start + (_LESS_STAMP_LEN if less else _STAMP_LEN) : m.start()])
        key = (b"\0" if less else b"") + prefix + b"#" + conn
        burst = self._bursts.get(key)
        if burst is None:
            if _ESCAPE.search(prefix) or len(self._bursts) >= _MAX_BURSTS:
                # An escape sequence before `#` could swallow text: read it like any line.
                self._read(chunk, start, read)
                return chunk.find(b"\n", start) + 1
            burst = self._bursts[key] = _Burst.of(prefix, conn)
        stop, tails = burst.lines(chunk, start, end)
        assert tails  # the line is plain and m matched its LISTEN
        first_up = self._listen(burst, chunk, start, tails[0], read)
        if len(tails) == 1:
            return stop
        # The start of the burst's last line (the LF before the one ending it).
        last = chunk.rfind(b"\n", start, stop - 1) + 1
        known = burst.quiet.get(tails[-1])
        last_up = (
            known is not None and known[0] is Kind.LISTEN and self._time(chunk, last) is not None
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
        if tail in burst.quiet:
            template = burst.quiet[tail]
            if template is not None and template[0] is Kind.LISTEN and burst.conn <= MAX_ID:
                # The commonest line of a DEBUG log that is read: its topics are known, so
                # all it adds is its time, to the connection's uptime and the span.
                t = self._time(chunk, start)
                self.stats.records += 1
                self.stats.layouts[self._layout_now] += 1
                read[start] = t
                self.summary.listened_again(burst.conn, t)
                self.summary.observe_span(t, t)
                return t is not None
            rec = self._replay(chunk, start, self._layout_now, template, read)
        else:
            rec = self._read(chunk, start, read)
            # A payload longer than a memo line is not remembered: it (and the topics of its
            # record) would hold megabytes (a real LISTEN names one topic in ~200 bytes).
            if len(burst.quiet) < _MAX_TAILS and len(tail) <= _MEMO_LINE and (
                rec is None or rec.kind is Kind.OTHER or (rec.kind is Kind.LISTEN and rec.conn == burst.conn)
            ):
                # Its record repeats harmlessly inside a burst: nothing, an id, or topics known.
                burst.quiet[tail] = None if rec is None else _template(rec)
        return (
            rec is not None and rec.kind is Kind.LISTEN and rec.conn == burst.conn and rec.time is not None
        )


# The service name `docker compose logs` puts before every line (layouts._DOCKER's), with
# the space after the bar: what follows is then the miner's line as it was written.
_SERVICE = re.compile(rb"[A-Za-z0-9][A-Za-z0-9_.-]{0,127} {0,32}\| ")


def _without_service(chunk: bytes | bytearray, end: int) -> tuple[Buffer, int, bytes]:
    """``chunk[:end]`` without the service prefix that starts every one of its lines, if one
    does (the prefix, else b""). Cut, a plain line is the same record (split_line skips the
    prefix, and no plain line starts with a space it could also take); odd lines are read as
    they were (_read_original)."""
    m = _SERVICE.match(chunk, 0, end)
    if m is None:
        return chunk, end, b""
    service = m.group()
    lines = chunk.count(b"\n", 0, end)
    if chunk.count(b"\n" + service, 0, end - 1) != lines - 1:
        return chunk, end, b""
    cut = bytes(memoryview(chunk)[len(service) : end]).replace(b"\n" + service, b"\n")
    return cut, len(cut), service


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


def _stamp_text(chunk: Buffer, start: int) -> str:
    """Where a line's stamp would be: its first bytes, never those of the next line."""
    stop = start + _STAMP_LEN + 3
    nl = chunk.find(b"\n", start, stop)
    return chunk[start : stop if nl == -1 else nl].decode("ascii", "replace")


def _plain_time(chunk: Buffer, start: int) -> datetime | None:
    """Time of a plain line: its `dd/mm/yy HH:MM:SS - ` alone decides it (no year to guess)."""
    return split_line(_stamp_text(chunk, start), YearResolver(2000, False))[0].time


def _less_time(
    years: list[tuple[int, tuple[int, bool, int | None]]],
) -> Callable[[Buffer, int], datetime | None]:
    """_plain_time for a year-less line that was not read: its year is the one the resolver
    had after the last line read before it (the lines between do not change it)."""
    starts = [start for start, _ in years]

    def time_of(chunk: Buffer, start: int) -> datetime | None:
        resolver = YearResolver(*years[bisect.bisect_right(starts, start) - 1][1])
        return split_line(_stamp_text(chunk, start), resolver)[0].time

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
    time_of: Callable[[Buffer, int], datetime | None] = _plain_time,
) -> datetime | None:
    """Time of the first (or, ``reverse``, the last) line of ``chunk[begin:end]`` that has one."""
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
    start = begin
    while start < end:
        t = read[start] if start in read else time_of(chunk, start)
        if t is not None:
            return t
        start = chunk.find(b"\n", start, end) + 1
    return None
