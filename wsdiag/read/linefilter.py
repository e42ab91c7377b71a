"""Which lines of a chunk may matter: the fast path's filter, built from the template table.

A chunk is scanned in the :class:`Format` of its first plain line: a collector's prefix
(:data:`wsdiag.read.stamps.WRAPPERS`, or none), a stamp (:data:`wsdiag.read.stamps.STAMPS`) and a layout
(file, console or less). A *plain* line of the format is a record that no template could read
(:data:`wsdiag.parse.templates.SIEVE` says what one would start with or hold), but for a `#N` in it;
a `#N` matters unless it is a known id's alive payload. Every other line is *odd* and read.

Both decisions are built here, from the same patterns, twice: as a C ``_lines.Filter`` (one
pass at memchr speed) and as two regexes (the pure-Python path, and the reference the C filter
is tested against in tests/test_lines.py; the regexes' pass is regex_filter's). Nothing in either
is written by hand for a template.
"""

from __future__ import annotations

import functools
import itertools
import os
import re
import types
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from wsdiag.parse.redact import ESCAPE_INTRODUCERS
from wsdiag.parse.templates import AFTER_DIGITS, SIEVE, Sieve
from wsdiag.read.layouts import FUNC_SHAPE, LEVELS, MARKS, MODULE_SHAPE
from wsdiag.read.shape_algebra import concat, union
from wsdiag.read.shapes import Shape, shape
from wsdiag.read.stamps import (
    FILE_STAMP,
    LESS_STAMP,
    NO_WRAPPER,
    PREFIX_BYTES,
    STAMP,
    WRAPPERS,
    Stamp,
    Wrapper,
    stamp_of,
)

_lines: types.ModuleType | None
try:  # the optional C line filter (see _lines.c); the regexes decide alike without it
    from wsdiag import _lines
except ImportError:  # pragma: no cover - an install without a C compiler
    _lines = None
if os.environ.get("WSDIAG_PURE_PYTHON"):  # to measure or test the regex passes alone
    _lines = None

LAYOUTS: tuple[str, ...] = ("file", "console", "less")
#: Lines longer than this are not parsed; they are counted as too long.
MAX_LINE = 64 * 1024

# -- the pieces, as bytes ------------------------------------------------------------------

#: Escape sequences (strip_ansi) could join text the bytes do not show: a line holding one is read.
HAZARDS: tuple[bytes, ...] = tuple(c.encode() for c in ESCAPE_INTRODUCERS)
_DEBUG = b"DEBUG - "
_LOUD = tuple(level.encode() + b" - " for level in LEVELS if level != "DEBUG")
_MODULE = shape(MODULE_SHAPE)
_FUNC = shape(FUNC_SHAPE)
_SEP = shape(" - ")
_AFTER_DIGITS = shape(AFTER_DIGITS)
_HAZARD_FIRST = b"[" + b"".join(re.escape(h[:1]) for h in sorted(set(HAZARDS))) + b"]"
MAX_KNOWN = 512  # beyond this many ids every `#N` is read (hostile input)

# Bytes that are common in log text: a literal is searched for by its least common byte.
_COMMON = b" -eE\"taoinsrhldcu:/.,_0123456789pmfgwyb"


def _anchor(lit: bytes) -> int:
    return max(range(len(lit)), key=lambda i: _COMMON.find(lit[i]) if lit[i] in _COMMON else 99)


def _anchored(lits: Iterable[bytes]) -> list[tuple[bytes, int]]:
    return [(lit, _anchor(lit)) for lit in lits]


def _alt(lits: Iterable[bytes]) -> bytes:
    return b"(?:" + b"|".join(re.escape(x) for x in lits) + b")"


def _not_starting(lits: tuple[bytes, ...]) -> bytes:
    return b"(?!" + _alt(lits) + b")" if lits else b""


def _not_holding(lits: tuple[bytes, ...]) -> bytes:
    return b"(?!.*" + _alt(lits) + b")" if lits else b""


def _encoded(xs: Iterable[str]) -> tuple[bytes, ...]:
    return tuple(x.encode() for x in xs)


def _positions(s: Shape) -> bytes:
    """A fixed-width shape as the C filter checks it: a 32-byte bitmap per position."""
    out = bytearray()
    for allowed in s.positions():
        bitmap = bytearray(32)
        for c in allowed:
            bitmap[c >> 3] |= 1 << (c & 7)
        out += bitmap
    return bytes(out)


def trie(words: Iterable[bytes]) -> bytes:
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


# -- formats -------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Head:
    """What a line of a format starts with: the collector's prefix, the stamp and ` - `."""

    wrapper: Wrapper
    stamp: Stamp
    regex: re.Pattern[bytes]
    tag: bytes  # tells memo keys of different heads apart


_TAGS = itertools.count(1)


@functools.cache
def head(wrapper: Wrapper, stamp: Stamp) -> Head:
    prefix = b"" if wrapper.shape is None else wrapper.shape.bytes_regex
    regex = re.compile(prefix + stamp.shape.bytes_regex + b" - ")
    return Head(wrapper, stamp, regex, next(_TAGS).to_bytes(2, "big"))


FILE_HEAD = head(NO_WRAPPER, FILE_STAMP)
LESS_HEAD = head(NO_WRAPPER, LESS_STAMP)


# -- lines that cannot be records ------------------------------------------------------------
# A newline bomb (a file of empty lines) or junk between records must not cost line() a call a
# line: a line that layouts.split_line cannot make a record of is counted by the kind line()
# would count it as (blank, continuation, unrecognized) and never read, but for the first few
# unrecognized ones (the input's samples). No record form lacks a ` - ` after a time with a
# date before it, a level word or `#` and 1-12 digits, and an escape line() strips could join
# one: a line with neither is inert. Only Python can tell whether a line of spaces and
# non-ASCII bytes is blank (Unicode spaces): such a line is read. The record forms without any
# of those (a pasted message, Python's BASIC_FORMAT) start with one of layouts.MARKS: a line
# holding one is read too. _lines.c's inert_kind mirrors these patterns; tests/test_lines.py
# holds the two equal.
_LEVEL_WORDS = _alt(level.encode() for level in LEVELS)
_TIME = rb"\d[ T]\d\d:\d\d:\d\d(?:[.,]\d{1,6})? - "  # the end of any stamp STAMP reads
MARK_BYTES: tuple[bytes, ...] = tuple(m.encode() for m in MARKS)
RECORDISH = _TIME + b"|" + _LEVEL_WORDS + rb" - |#\d{1,12} - |" + _alt(HAZARDS) + b"|" + _alt(MARK_BYTES)
_SPACES = rb"\t\x0b\x0c\r\x1c-\x1f "  # str.isspace() of an ASCII byte
_INERT_TEXT = rb"(?:(?!" + RECORDISH + rb")[^\n]){0,%d}(?=\n)" % MAX_LINE  # a longer line is too long
_ASCII_TEXT = rb"(?=[%s\x80-\xff]{0,%d}[^%s\x80-\xff\n])" % (_SPACES, MAX_LINE, _SPACES)
CONTINUATION = (  # layouts.is_continuation
    rb"(?:[ \t]|Traceback \(most recent call last\):|During handling of the above exception"
    rb"|The above exception was the direct cause"
    rb"|[A-Za-z_][\w.]{0,200}(?:Error|Exception|Exit|Interrupt|Warning)(?!\w)"
    rb"|[A-Za-z_][\w.]{0,200}(?:error|timeout)(?=[:\n]))"
)
FENCE = rb"```[A-Za-z]{0,16}[ \t]{0,64}(?=\n)"  # layouts.is_fence: counted as blank
_BLANK_TEXT = rb"(?:[%s]{0,%d}|%s)(?=\n)" % (_SPACES, MAX_LINE, FENCE)
# Behind a collector's prefix (layouts.non_record_kind; any prefix that matches, which the
# regex's backtracking tries): what is left is blank (ASCII spaces or a fence), holds no ASCII
# text but other bytes (only Python can tell Unicode spaces: the line is read), or a continuation.
_NO_ASCII_TEXT = rb"(?![%s\x80-\xff]{0,%d}[^%s\x80-\xff\n])" % (_SPACES, MAX_LINE, _SPACES)
_BLANK_BEHIND = rb"(?!" + CONTINUATION + rb")(?=" + PREFIX_BYTES + _BLANK_TEXT + rb")" + _INERT_TEXT
_NO_TEXT_BEHIND = PREFIX_BYTES + rb"(?:" + _NO_ASCII_TEXT + rb"|" + FENCE + rb")"  # blank, or Python's
_CONTINUATION_BEHIND = rb"(?!" + _NO_TEXT_BEHIND + rb")" + PREFIX_BYTES + _ASCII_TEXT + CONTINUATION
BLANK_LINE = rb"(?:" + _BLANK_TEXT + rb"|" + _BLANK_BEHIND + rb")"
CONTINUATION_LINE = rb"(?=" + CONTINUATION + rb"|" + _CONTINUATION_BEHIND + rb")" + _ASCII_TEXT + _INERT_TEXT
UNRECOGNIZED_LINE = (
    rb"(?!" + CONTINUATION + rb"|" + FENCE + rb"|" + _NO_TEXT_BEHIND + rb"|" + PREFIX_BYTES + CONTINUATION
    + rb")" + _ASCII_TEXT + _INERT_TEXT
)
#: The kinds of line that cannot be records, as the filters count them (Found.inert).
KINDS = ("blank", "continuation", "unrecognized")
_RUN = 1023  # lines of one kind per match: a longer run costs re memory per line


def _runs(line: bytes, kind: str) -> bytes:
    """Up to _RUN + 1 lines of one kind in a row (the last one's newline is not taken)."""
    return rb"(?P<%s>(?:%s\n){0,%d}%s)" % (kind.encode(), line, _RUN, line)


_INERT_RUNS = b"|".join(
    _runs(line, kind)
    for line, kind in zip((BLANK_LINE, CONTINUATION_LINE, UNRECOGNIZED_LINE), KINDS, strict=True)
)


def _odd(not_plain: bytes) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
    """At a line start, and after a newline: a line that is not plain (``not_plain``), as a run
    of inert lines (a group per kind) or alone (the empty alternative)."""
    at = not_plain + rb"(?:" + _INERT_RUNS + rb"|)"
    return re.compile(at), re.compile(rb"\n" + at)


@functools.cache
def all_lines() -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
    """Every line that may be a record (none is plain), and runs of those that cannot: compiled
    on first use (--since/--until, the regex filter), not at every start (milliseconds)."""
    return _odd(b"")


@dataclass(frozen=True, eq=False)
class Format:
    """How the plain lines of a chunk look, and the filters that find its other lines."""

    head: Head
    layout: str  # file, console or less
    plain: re.Pattern[bytes]  # a plain line, at its start
    c: Any  # the C filter (_lines.Filter), or None

    @functools.cached_property
    def odd(self) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
        """A line that is not plain (see _odd), for the regex filter: compiled on first use,
        which the C filter's path never makes (it costs tens of milliseconds a format)."""
        return _odd(rb"(?!" + self.plain.pattern + rb")")

    @property
    def stamp(self) -> Stamp:
        return self.head.stamp

    @property
    def wrapper(self) -> Wrapper:
        return self.head.wrapper


_PROBE = 64  # lines looked at for a chunk's format
_STAMP_BYTES = re.compile(STAMP.pattern.encode())
_WRAPPERS: tuple[tuple[Wrapper, re.Pattern[bytes] | None], ...] = (
    (NO_WRAPPER, None),
    *((w, re.compile(w.shape.bytes_regex)) for w in WRAPPERS if w.shape is not None),
)


class Filters:
    """The filters of every format, built from what a template table looks for (a Sieve)."""

    def __init__(self, sieve: Sieve, c: bool = True) -> None:
        self.sieve = sieve
        self.use_c = c and _lines is not None
        self.funcs = tuple(b"[" + f.encode() + b"]" for f in sieve.funcs)
        self.starts = _encoded(sieve.starts)
        self.texts = _encoded(sieve.texts)
        # Without a level or function name (less), echoes are told by their text alone, and a
        # line that names a level is a record of another layout.
        self.less_starts = self.starts + _encoded(sieve.echo_starts) + (_DEBUG, *_LOUD)
        self.less_texts = self.texts + _encoded(sieve.echo_texts)
        self.debug_starts = _encoded(sieve.debug_starts)
        self.debug_texts = _encoded(sieve.debug_texts)
        self.id_seps = _encoded(sieve.id_seps)
        #: After ` - ` (following a stamp's `#N`): the LISTEN requests read as bursts.
        self.listen_head = b" - " + sieve.listen.encode()
        #: The LISTEN of a topic, after `#`: group `listen` is its id.
        self.listen = rb"(?P<listen>\d{1,5})" + re.escape(self.listen_head) + rb'[A-Za-z0-9]{0,64}"'
        #: After a known id's digits: what says no more than "alive" (the sieve's payloads after
        #: the id's separator and uuid, common beginnings shared) ...
        self.alive_shape = concat(_AFTER_DIGITS, union(list(sieve.alive)))
        self.alive = self.alive_shape.bytes_regex
        #: ... and what says nothing of the client either (scan.Scanner._teach): no Hermes uuid or frame.
        self.bare_alive_shape = concat(_SEP, union(list(sieve.bare_alive)))
        #: Any `#N` that may matter to some set of known ids: looked for in the lines the C
        #: filter returns, whose ids it has checked already.
        self.ws_any = self.ws_pattern(set())
        self._formats: dict[tuple[Wrapper, Stamp, str], Format] = {}
        #: Where a chunk shows no plain line: the file layout's (every line is then odd).
        self.default = self.format_for(NO_WRAPPER, FILE_STAMP, "file")

    def ws_pattern(self, known: set[int], every_alive: bool = True) -> re.Pattern[bytes]:
        """`#N` that may matter: any but an alive (or, without ``every_alive``, bare alive) payload of
        a known id, and `#N` an escape sequence might split (line() strips it, joining a `#N - `)."""
        alive = b""
        if known and len(known) <= MAX_KNOWN:
            payload = self.alive if every_alive else self.bare_alive_shape.bytes_regex
            alive = rb"(?!" + trie(str(i).encode() for i in known) + payload + rb")"
        return re.compile(
            rb"#" + alive + rb"(?:" + self.listen + rb"|\d{1,12}" + _alt(self.id_seps)
            + rb"|[\d -]{0,15}" + _HAZARD_FIRST + rb")"
        )

    def format_for(self, wrapper: Wrapper, stamp: Stamp, layout: str) -> Format:
        key = (wrapper, stamp, layout)
        fmt = self._formats.get(key)
        if fmt is None:
            h = head(wrapper, stamp)
            plain = self._plain_regex(h, layout)
            fmt = self._formats[key] = Format(h, layout, re.compile(plain), self._c_filter(h, layout))
        return fmt

    def _quiet(self, starts: tuple[bytes, ...], texts: tuple[bytes, ...]) -> bytes:
        """A message no template reads, but for a `#N` in it (quiet_message in _lines.c): an id
        message is read by the templates after an id alone, so only the `#N` pattern and an
        escape sequence can make it matter."""
        some_id = rb"#\d{1,12}" + _alt(self.id_seps)
        with_id = some_id + _not_holding(HAZARDS)
        without = b"(?!" + some_id + b")" + _not_holding(texts + HAZARDS)
        return _not_starting(starts) + b"(?:" + with_id + b"|" + without + b")"

    def _plain_regex(self, h: Head, layout: str) -> bytes:
        """The regex twin of the C filter's plain() (see _lines.c)."""
        start = h.regex.pattern
        if layout == "less":
            return start + self._quiet(self.less_starts, self.less_texts)
        module = _MODULE.bytes_regex if layout == "file" else b""
        if self.debug_starts or self.debug_texts:
            debug = (
                re.escape(_DEBUG) + _not_holding(HAZARDS) + module + _FUNC.bytes_regex
                + _not_starting(self.debug_starts) + _not_holding(self.debug_texts)
            )
        elif layout == "file":
            debug = re.escape(_DEBUG) + _MODULE.first_regex  # the first byte of a module name
        else:
            debug = re.escape(_DEBUG) + _FUNC.bytes_regex
        func = _not_starting(self.funcs) + _FUNC.bytes_regex
        loud = _alt(_LOUD) + module + func + self._quiet(self.starts, self.texts)
        return start + b"(?:" + debug + b"|" + loud + b")"

    def _c_filter(self, h: Head, layout: str) -> Any:
        if not self.use_c:
            return None
        assert _lines is not None
        less = layout == "less"
        return _lines.Filter(
            wrapper=None if h.wrapper.shape is None else h.wrapper.shape.program,
            stamp=_positions(h.stamp.shape) + _positions(_SEP),
            module=_MODULE.program if layout == "file" else None,
            func=None if less else _FUNC.program,
            debug=[_DEBUG],
            levels=list(_LOUD),
            funcs=list(self.funcs),
            starts=list(self.less_starts if less else self.starts),
            texts=_anchored((self.less_texts if less else self.texts) + HAZARDS),
            debug_starts=list(self.debug_starts),
            debug_texts=_anchored(self.debug_texts),
            id_seps=list(self.id_seps),
            hazards=_anchored(HAZARDS),
            marks=_anchored(MARK_BYTES),
            wrappers=[w.shape.program for w in WRAPPERS if w.shape is not None],
            alive=[self.bare_alive_shape.program, self.alive_shape.program],  # scan(every_alive=)
            day_at=h.stamp.day_at if h.stamp.year_less else -1,
            month_at=h.stamp.month_at if h.stamp.year_less else -1,
        )

    def _line_format(self, chunk: Any, pos: int, end: int) -> Format | None:
        """The format of which the line at ``pos`` is a plain line, if any."""
        for wrapper, regex in _WRAPPERS:
            at = pos
            if regex is not None:
                m = regex.match(chunk, pos, end)
                if m is None:
                    continue
                at = m.end()
            found = _STAMP_BYTES.match(chunk, at, end)
            if found is None:
                continue
            stamp = stamp_of(found)
            if stamp is None:
                continue
            for layout in ("less",) if stamp.year_less else LAYOUTS:
                fmt = self.format_for(wrapper, stamp, layout)
                if fmt.plain.match(chunk, pos, end - 1):
                    return fmt
        return None

    def format_of(self, chunk: Any, end: int, begin: int = 0) -> Format:
        """The format of the first plain line near the start of ``chunk[begin:end]`` (else the
        default one)."""
        pos = begin
        for _ in range(_PROBE):
            fmt = self._line_format(chunk, pos, end)
            if fmt is not None:
                return fmt
            pos = chunk.find(b"\n", pos, end) + 1
            if not pos:
                break
        return self.default


#: The filters of the miner's template table.
FILTERS = Filters(SIEVE)
