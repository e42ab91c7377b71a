"""The C line filter returns exactly the lines the regexes built from the same patterns look at."""

from __future__ import annotations

import dataclasses
import io
import os
import re
import sys
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from wsdiag.diagnose.diagnosis import Diagnosis
from wsdiag.parse.templates import TEMPLATES, Place, Table, Template
from wsdiag.read import linefilter, shapes, timefilter
from wsdiag.read.layouts import YearResolver
from wsdiag.read.linefilter import FILTERS, Filters, Format
from wsdiag.read.listen_bursts import Burst
from wsdiag.read.regex_filter import regex_filter
from wsdiag.read.scan import MAX_LINE, Scanner, _id_bitmap
from wsdiag.read.stamps import FILE_STAMP, LESS_STAMP, NO_WRAPPER, STAMPS, WRAPPERS
from wsdiag.summary.inputs import MAX_SAMPLES
from wsdiag.summary.summary import Summary

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import genlog

needs_c = pytest.mark.skipif(not FILTERS.use_c, reason="the C line filter is not built here")
WRAPPER = {w.name: w for w in (NO_WRAPPER, *WRAPPERS)}
ISO = STAMPS[(4, "-", 2, 2)]


def test_built_in_ci() -> None:
    """CI installs with a compiler: the filter must be there, or the fast path silently slows."""
    if os.environ.get("CI") and not os.environ.get("WSDIAG_PURE_PYTHON"):
        assert linefilter._lines is not None, "wsdiag._lines did not build"


_KIND_AT = [re.compile(p) for p in (linefilter.BLANK_LINE, linefilter.CONTINUATION_LINE, linefilter.UNRECOGNIZED_LINE)]


def _kind(data: bytes, pos: int) -> int | None:
    """The inert kind of the line at ``pos`` by the regexes (0 blank, 1 continuation, 2
    unrecognized), None if it may be a record."""
    return next((k for k, pattern in enumerate(_KIND_AT) if pattern.match(data, pos)), None)


class _Model:
    """What the filter must return, line by line, by the regexes it mirrors."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.inert = [0, 0, 0]
        self.samples: list[int] = []
        self.skipped: list[int] = []  # plain lines without a `#N` that matters
        self.plain: list[int] = []  # plain lines (the regex filter's gaps)

    def odd(self, data: bytes, pos: int) -> None:
        kind = _kind(data, pos)
        if kind is None:
            self.starts.append(pos)
            return
        self.inert[kind] += 1
        if kind == 2 and len(self.samples) < MAX_SAMPLES:
            self.samples.append(pos)

    def c_view(self, lines: int) -> tuple[object, ...]:
        edges = (self.skipped[0], self.skipped[-1]) if self.skipped else (-1, -1)
        return (lines, self.starts, *self.inert, self.samples, *edges)


def _model(filters: Filters, fmt: Format, data: bytes, known: set[int]) -> _Model:
    """Every odd line and every plain one with a `#N` match; inert lines counted by kind."""
    pattern = filters.ws_pattern(known)
    model, pos = _Model(), 0
    while pos < len(data):
        stop = data.find(b"\n", pos) + 1
        if fmt.plain.match(data, pos, len(data) - 1):
            model.plain.append(pos)
            if pattern.search(data, pos, stop):
                model.starts.append(pos)
            else:
                model.skipped.append(pos)
        else:
            model.odd(data, pos)
        pos = stop
    return model


def _same(data: bytes, known: set[int], formats: list[Format], filters: Filters = FILTERS) -> None:
    """The C filter equals the line-by-line model, and so does the regex filter (in one pass,
    runs of inert lines at a time), and what the scanner takes from it."""
    lines = data.count(b"\n")
    regexes = Filters(filters.sieve, c=False)
    for fmt in formats:
        model = _model(filters, fmt, data, known)
        what = (fmt.wrapper.name, fmt.stamp.name, fmt.layout)
        assert tuple(fmt.c.scan(data, 0, len(data), _id_bitmap(known))) == model.c_view(lines), what
        found = regex_filter(fmt.odd, data, 0, len(data))
        plain_edges = (model.plain[0], model.plain[-1]) if model.plain else (-1, -1)
        hashless = [s for s in model.starts if s not in model.plain]
        assert (found.lines, found.starts, found.inert, found.samples) == (lines, hashless, model.inert, model.samples), what
        assert (found.first_plain, found.last_plain) == plain_edges, what
        # What the scanner takes from the regexes (plain lines with a `#N` added) is the C
        # filter's: no line is both looked at and counted unread.
        summary = Summary()
        scanner = Scanner(summary, summary.input("x"), YearResolver.for_log(2025))
        twin = regexes.format_for(fmt.wrapper, fmt.stamp, fmt.layout)
        full = scanner._candidates(data, 0, len(data), twin, regexes.ws_pattern(known))
        assert (full.starts, full.inert, full.samples) == (model.starts, model.inert, model.samples), what


def _formats(filters: Filters = FILTERS) -> list[Format]:
    """Dated formats of every layout, behind some collectors' prefixes, and another stamp."""
    out = [
        filters.format_for(WRAPPER[w], FILE_STAMP, layout)
        for w in ("none", "docker-t", "journald", "compose")
        for layout in ("file", "console", "less")
    ]
    return [*out, filters.format_for(NO_WRAPPER, ISO, "file"), filters.format_for(WRAPPER["fly"], ISO, "console")]


FORMATS = _formats() if FILTERS.use_c else []
STAMP = "25/11/26 21:08:01"
MODULE = "TwitchChannelPointsMiner.classes.WebSocketsPool"
UUID = "3f6c2b1e-0b1a-4c39-9d35-2a1f5f0c6e11"
# Pieces of real lines (FORMATS.md) and of their near misses, put together at random below.
wrappers = st.sampled_from([
    "", "2025-11-29T18:00:00.123456789Z ", "2025-11-29T18:00:00Z ", "2025-11-29 18:00:00 ",
    "2025-11-29T18:00:00.1234567890Z ", "2025-11-29T18:00:0Z ", "Nov 29 18:00:00 raspberrypi python3[812]: ",
    "Nov  9 18:00:00 pi python3[812]: ", "Nov 29 18:00:00 pi python3: ", "nov 29 18:00:00 pi python3[1]: ",
    "miner  | ", "miner-1 | ", "miner  |", "a" * 129 + " | ", "-miner | ", "2025-11-29T18:00:00Z app[3d8d9e1b] ams [info]",
    "2025-11-29T18:00:00Z app[3d8d9e1b] ams [INFO]", "\x1b[0m", "> ",
])
stamps = st.sampled_from([STAMP, "99/99/99 99:99:99", "25/11 21:08:01", "2025-11-26 21:08:01", "25/11/26 21:08", "25/11/26 21:08:01.5", ""])
levels = st.sampled_from(["DEBUG", "INFO", "WARNING", "WARN", "ERROR", "CRITICAL", "TRACE", "debug"])
modules = st.sampled_from([MODULE, "websocket", "urllib3.connectionpool", "_x", "9bad", "a" * 201, "a" * 202, ""])
funcs = st.sampled_from(["on_message", "send", "error", "warning", "info", "errors", "x" * 100, "x" * 101, "a]b", "a b", ""])
ids = st.sampled_from(["0", "3", "12", "012", "99999", "100000", "1234567", "12345678901234", ""])
payloads = st.sampled_from([
    'Send: {"type":"PING"}',
    'Send: {"type":"PING"} ',
    'Received: {"type":"PONG"}',
    'Received: { "type": "PONG" }',
    'Received: {"type": "PONG" }',
    'Received: {"type":"PONG"}x',
    'Received: {"type":"MESSAGE","data":{"topic":"x","message":"#3 - y"}}',
    'Received: {"type":"MESSAGE","data":"# - #\x1b[0m #12 - "}',
    'Received: {"type":"RESPONSE","error":"","nonce":"abc123"}',
    'Received: {"type":"RESPONSE","error":"","nonce":"' + "a" * 64 + '"}',
    'Received: {"type":"RESPONSE","error":"","nonce":"' + "a" * 65 + '"}',
    'Received: {"type":"RESPONSE","error":"ERR_BADAUTH","nonce":"abc"}',
    'Send: {"type":"LISTEN","nonce":"n1","data":{"topics":["raid.1"],"auth_token":"tok"}}',
    f'{UUID} - Received: {{"type":"PONG"}}',
    f'{UUID[:-1]} - Received: {{"type":"PONG"}}',
    f'{UUID} - {UUID} - Received: {{"type":"PONG"}}',
    "WebSocket error: [Errno 32] Broken pipe",
    "Reconnecting to Twitch PubSub server in ~60 seconds",
])
messages = st.one_of(
    st.builds(lambda i, p: f"#{i} - {p}", ids, payloads),
    st.sampled_from([
        "+10 → streamer (1.2k points) - Reason: WATCH.",
        "Loading data for 12 streamers. Please wait...",
        "Reconnecting to Twitch PubSub server in ~60 seconds",
        "Reconnecting to Twitch",
        "The last PONG was received more than 10 minutes ago",
        "Error while trying to listen for a topic",
        "Error while trying to listen for a topic: ERR_BADAUTH",
        "Received the ERR_BADAUTH error",
        "[user] #3 - WebSocket closed",
        "streamer is Online!",
        "a # b",
        "#5abc",
        "# 5",
        "#-",
        "#12 - ",
        "#1 \x1b[0m",
        "#\x1b",
        "#" + " " * 15 + "\x1b",
        "#" + " " * 16 + "\x1b",
        "#\xc2\x9b",
        "colour \x1b[32m",
        "csi \xc2\x9b",
        "osc \xc2\x9d",
        "osc \x9d0;t\x07",
        "\x9d0;t\x07The last PONG was received more than 5 minutes ago",
        "error from callback <f>: boom",
        "tearing down on exception x",
        "connection lost - goodbye",
        "x - reconnecting  ",
        "",
    ]),
    st.text(alphabet="#0123456789 -x\x1b\xc2\x9b\x9d[]:", max_size=24),
)


@st.composite
def record_lines(draw: st.DrawFn) -> str:
    wrapper, stamp, level, module, func, message = (
        draw(wrappers), draw(stamps), draw(levels), draw(modules), draw(funcs), draw(messages)
    )
    head = wrapper + (f"{stamp} - " if stamp else "")
    where = draw(st.sampled_from(["file", "console", "less", "none"]))
    if where == "file":
        head += f"{level} - {module} - [{func}]: "
    elif where == "console":
        head += f"{level} - [{func}]: "
    elif where == "none":
        head += f"{level} - "
    return head + message


# Pieces of lines that are no records, and of near misses: blank (ASCII and Unicode spaces),
# traceback framing and exception names, ` - ` after almost a time, a level or an id.
JUNK = [
    "", " ", "\t", "\x0b", "\x0c", "\x1c", "\x1f", "\xa0", "\u2003", "\x85", "\u3000", "x", "é", "\ufeff", "\x00", "\x7f",
    "Traceback (most recent call last):", "During handling of the above exception", "The above exception was the direct cause",
    "ValueError", "a.b.FooError", "FooErrorx", "Error", "_Exit", "KeyboardInterrupt:", "x" * 199 + "Error", "x" * 201 + "Error",
    "9Error", "a-Error", "Warning.", "Interrupt_", "Exception ", "1 12:00:00 - ", "12:00:00 - ", "1T12:00:00.123 - ",
    "1 12:00:00.1234567 - ", "1 12:00:00, - ", "#1 - ", "#1234567890123 - ", "#x - ", "ERROR - ", "WARN - ", "INFO -",
    "xDEBUG - ", " - ", "-", "- ", "\x1b", "\x9b", "\x9d", "25/11 ", "[f]: ", "File \"x.py\"",
    "#\xa0", "#1 \xe9", "#12 - ",
]  # fmt: skip
junk_lines = st.lists(st.sampled_from(JUNK), max_size=6).map("".join)
any_line = st.one_of(
    record_lines(), junk_lines, st.text(max_size=60).map(lambda s: s.replace("\n", " ").replace("\r", " "))
)
#: Lines that are no records behind a collector's prefix (or a near miss of one).
wrapped_junk = st.tuples(wrappers, junk_lines).map("".join)


@needs_c
@settings(max_examples=500, deadline=None)
@given(
    st.lists(any_line, min_size=1, max_size=12),
    # Ids the scanner knows: never above MAX_ID (99999), which it counts as implausible.
    st.sets(st.sampled_from([0, 3, 12, 99999]), max_size=4),
)
@example([f"{STAMP} - DEBUG - {MODULE} - [on_message]: #3 - Received: {{\"type\":\"PONG\"}}"], {3})
@example([f"{STAMP} - DEBUG - {MODULE} - [on_message]: #012 - Received: {{\"type\":\"PONG\"}}"], {12})
@example([f"Nov 29 18:00:00 pi python3[1]: {STAMP} - INFO - [f]: #3 - {UUID} - Received: {{\"type\":\"PONG\"}}"], {3})
def test_same_lines_as_the_regexes(lines: list[str], known: set[int]) -> None:
    """Any mix of real, near-miss and random lines, behind any prefix: the same lines, in every
    dated format."""
    data = ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")
    _same(data, known, FORMATS)


# Messages on each side of an edge of the patterns the filter mirrors.
EDGES = [
    "#" + " " * 15 + "\x1b[0m", "#" + " " * 16 + "\x1b[0m", "#1-2 3\xc2", "#\x1b", "#5abc", "# 5", "#-",
    "#3 - " + 'Received: {"type":"RESPONSE","error":"","nonce":"' + "a" * 64 + '"}',
    "#3 - " + 'Received: {"type":"RESPONSE","error":"","nonce":"' + "a" * 65 + '"}',
    "#3 - " + 'Received: {"type":"RESPONSE","error":"","nonce":""}',
    "#3 - Received: {\"type\":\"PONG\" }", "#3 - Received: {\"type\":\"PONG\"  }",
    "#3 - Received: { \"type\": \"MESSAGE\", #4 - x", "#3 - Received: {\"type\":\"PONG\"}x",
    "#3 - Send: {\"type\":\"PING\"}x", "#3 - Send: {\"type\":\"PING\"}", f"#3 - {UUID} - Send: {{\"type\":\"PING\"}}",
    f"#3 - {UUID.upper()} - Send: {{\"type\":\"PING\"}}", f"#3 - {UUID}x - Send: {{\"type\":\"PING\"}}",
    "#03 - Send: {\"type\":\"PING\"}", "#30 - Send: {\"type\":\"PING\"}", "#" + "9" * 12 + " - x",
    "#" + "9" * 13 + " - x", "#3", "#", "plain words", "Loading data for 3 streamers", "a\x1bb", "a\xc2\x9bb",
    "a\xc2\x9db", "Reconnecting", "Reconnecting to Twitch ", "[user] hi", "The last PONG", "Error while trying",
    "Received the ERR_BADAUTH", "Received the ERR_BADAUTH error",
]
EDGE_HEADS = [
    f"{STAMP} - DEBUG - {MODULE} - [on_message]: ",
    f"{STAMP} - INFO - {MODULE} - [on_message]: ",
    f"{STAMP} - DEBUG - [on_message]: ",
    f"{STAMP} - WARNING - [on_message]: ",
    f"{STAMP} - ",
    f"2025-11-29T18:00:00.123Z {STAMP} - INFO - [on_message]: ",
    f"Nov 29 18:00:00 pi python3[812]: {STAMP} - DEBUG - {MODULE} - [f]: ",
    *(f"{STAMP} - INFO - {MODULE} - [{func}]: " for func in ("info", "error", "warning", "infos", "x" * 100, "x" * 101)),
    *(f"{STAMP} - ERROR - {module} - [f]: " for module in ("a" * 201, "a" * 202, "_a.b9", "a-b")),
    *(f"{STAMP} - CRITICAL - [{func}]: " for func in ("info", "x" * 100, "x" * 101)),
]


@needs_c
@pytest.mark.parametrize("head", EDGE_HEADS)
def test_same_lines_at_the_edges(head: str) -> None:
    """Each edge of the mirrored patterns (lengths, spellings, look-aheads): the same lines."""
    data = "".join(head + message + "\n" for message in EDGES).encode()
    _same(data, {3}, FORMATS)


@needs_c
@pytest.mark.parametrize("layout", ["file", "console", "less"])
@pytest.mark.parametrize("wrapper", ["none", "compose", "docker-t", "journald", "fly"])
def test_same_lines_on_generated_logs(layout: str, wrapper: str) -> None:
    """A realistic DEBUG log, behind a collector's prefix: the same lines (year-less ones are
    held to the year model), and heartbeats of known ids are not among them."""
    buf = io.BytesIO()
    cfg = genlog.GenConfig(seed=7, size=1_000_000, connections=8, layout=layout, failure_rate=0.02, wrapper=wrapper)
    genlog.generate(cfg, buf)
    data = buf.getvalue()
    known = set(range(8))
    fmt = FILTERS.format_of(data, len(data))
    assert (fmt.wrapper.name, fmt.layout) == (wrapper, layout)
    if fmt.stamp.year_less:
        model = _less_model(fmt, data, known)
        assert tuple(fmt.c.scan(data, 0, len(data), _id_bitmap(known))) == model.c_view(data.count(b"\n"))
    else:
        _same(data, known, [fmt])
    heartbeat = re.compile(rb'#[0-7] - (?:Send: \{"type":"PING"\}\n|Received: \{ ?"type": ?"(?:PONG|MESSAGE)")')
    beats = {data.rfind(b"\n", 0, m.start()) + 1 for m in heartbeat.finditer(data)}
    starts = fmt.c.scan(data, 0, len(data), _id_bitmap(known))[1]
    assert len(beats) > data.count(b"\n") // 4
    assert len(beats & set(starts)) < len(beats) // 100  # only where a year-less month changes


@needs_c
def test_limits() -> None:
    """It counts from `start`, refuses a range outside the buffer, sees more than 512 ids as none,
    and counts lines no longer than the scanner does."""
    data = b"a\nb\nc\n"
    assert FILTERS.default.c.scan(data, 2, 6, b"") == (2, [], 0, 0, 2, [2, 4], -1, -1)
    assert FILTERS.default.c.scan(data, 2, 6, b"", True) == (2, [], 0, 0, 2, [2, 4], -1, -1)
    with pytest.raises(ValueError, match="out of range"):
        FILTERS.default.c.scan(data, 0, 7, b"")
    assert linefilter._lines is not None
    assert (linefilter._lines.MAX_LINE, linefilter._lines.MAX_SAMPLES) == (MAX_LINE, MAX_SAMPLES)
    assert _id_bitmap(set(range(513))) == b""


@needs_c
def test_refuses_malformed_patterns() -> None:
    """A Filter checks its byte patterns: a bad program, literal or stamp is a ValueError, no crash."""
    assert linefilter._lines is not None
    good = {
        "wrapper": None, "stamp": bytes(32) * 17, "module": None, "func": shapes.shape("x").program,
        "debug": [b"DEBUG - "], "levels": [b"INFO - "], "funcs": [], "starts": [], "texts": [],
        "debug_starts": [], "debug_texts": [], "id_seps": [b" - "], "hazards": [(b"\x1b", 0)],
        "alive": [shapes.shape(" - ").program],
    }
    linefilter._lines.Filter(**good)
    for key, bad in [
        ("wrapper", b"\x01\xff\xff"), ("func", b"\x09"), ("stamp", bytes(31)), ("texts", [(b"ab", 2)]),
        ("starts", [b""]), ("id_seps", [b"1"]), ("alive", [b"\x02"]), ("alive", [None]), ("alive", [b"\x05\x02\x00"]),
    ]:
        with pytest.raises((ValueError, TypeError)):
            linefilter._lines.Filter(**{**good, key: bad})


def _less_model(fmt: Format, data: bytes, known: set[int], filters: Filters = FILTERS) -> _Model:
    """The year-less rule of _lines.c in Python: a plain line is skipped only where the year
    resolver would not move (same month as the last dated line, or no valid date)."""
    pattern = filters.ws_pattern(known)
    model = _Model()
    pos, month = 0, None
    while pos < len(data):
        stop = data.find(b"\n", pos) + 1
        at = fmt.head.regex.match(data, pos)
        s = at.end() - 3 - fmt.stamp.width if at else 0
        resolves = bool(at) and 1 <= int(data[s + 3 : s + 5]) <= 12 and 1 <= int(data[s : s + 2]) <= 31
        same = not resolves or data[s + 3 : s + 5] == month
        plain_line = fmt.plain.match(data, pos, len(data) - 1) is not None
        if at and same and plain_line and not pattern.search(data, pos, stop):
            model.skipped.append(pos)
        else:
            model.odd(data, pos)
        if resolves:
            month = data[s + 3 : s + 5]
        elif not at:
            month = None
        pos = stop
    return model


less_stamps = st.sampled_from(["29/11 18:00:00", "30/11 23:59:59", "01/12 00:00:00", "31/12 23:59:59", "01/01 00:00:01", "15/06 12:00:00", "00/12 10:00:00", "15/13 10:00:00", "1/12 10:00:00", "29/11 18:00:00.5"])
less_messages = st.one_of(
    messages,
    st.sampled_from([
        "INFO - x", "WARN - x", "WARNING - x", "connection lost - goodbye", "x - reconnecting  ",
        "error from callback <f>: boom", "tearing down on exception x", "a -goodbye", "a - goodbyes",
        "🚀  +12 → spafe (129.66k points) - Reason: WATCH.",
    ]),
)
less_lines = st.one_of(
    st.builds(lambda w, stamp, msg: f"{w}{stamp} - {msg}", st.sampled_from(["", "2025-11-29T18:00:00Z "]), less_stamps, less_messages),
    st.sampled_from(["Traceback (most recent call last):", "  File \"x.py\", line 1", "", "25/11/26 21:08:01 - DEBUG - m - [f]: x"]),
)


@needs_c
@settings(max_examples=400, deadline=None)
@given(st.lists(less_lines, min_size=1, max_size=14), st.sets(st.sampled_from([0, 3, 12]), max_size=3))
def test_same_year_less_lines_as_the_model(lines: list[str], known: set[int]) -> None:
    """Year-less lines: plain by the regex and read wherever the year resolver could move. The
    regex filter takes the odd and `#N` lines, as for dated logs (the scanner adds the lines
    that could move the resolver as it goes): with either, the summary is the reference's."""
    data = ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")
    regexes = Filters(FILTERS.sieve, c=False)
    for wrapper in ("none", "docker-t"):
        fmt = FILTERS.format_for(WRAPPER[wrapper], LESS_STAMP, "less")
        model = _less_model(fmt, data, known)
        assert tuple(fmt.c.scan(data, 0, len(data), _id_bitmap(known))) == model.c_view(data.count(b"\n"))
        dated = _model(FILTERS, fmt, data, known)
        summary = Summary()
        scanner = Scanner(summary, summary.input("x"), YearResolver.for_log(2025))
        twin = regexes.format_for(fmt.wrapper, fmt.stamp, fmt.layout)
        full = scanner._candidates(data, 0, len(data), twin, regexes.ws_pattern(known))
        assert (full.starts, full.inert, full.samples) == (dated.starts, dated.inert, dated.samples)
    want = _doc_of(data, fast=False)
    assert _doc_of(data) == want
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("wsdiag.read.scan.FILTERS", regexes)
        assert _doc_of(data) == want


def _doc_of(data: bytes, fast: bool = True) -> dict[str, object]:
    """The document of ``data`` read by the fast path (or the reference path)."""
    summary = Summary()
    scanner = Scanner(summary, summary.input("x"), YearResolver.for_log(2025))
    if not fast:
        scanner.simple(data)
    else:
        scanner.chunk(bytearray(data), len(data))
    return Diagnosis.of(summary.finish()).to_dict()


PREFIX = b"DEBUG - TwitchChannelPointsMiner.classes.TwitchWebSocket - [send]: "
listen_lines = st.builds(
    lambda w, stamp, prefix, conn, nonce, tail: w + stamp + b" - " + prefix + b"#" + conn + b' - Send: {"type":"LISTEN","nonce":"' + nonce + b'"' + tail,
    st.sampled_from([b"", b"2025-11-29T18:00:00.5Z ", b"x "]),
    st.sampled_from([STAMP.encode(), b"99/99/99 99:99:99", b"25/11/26 21:08:0x", b"25/11/26 21:08"]),
    st.sampled_from([PREFIX, PREFIX.replace(b"send", b"sent"), b"DEBUG - [send]: "]),
    st.sampled_from([b"3", b"4", b"33"]),
    st.sampled_from([b"", b"abc", b"a" * 64, b"a" * 65, b"a-b", b"\xc3\xa9"]),
    st.sampled_from([b',"data":{"topics":["raid.1"]}}', b',"data":{"topics":["raid.2"]}}', b"", b'"', b"\x1b[0m"]),
)


@needs_c
@settings(max_examples=300, deadline=None)
@given(st.lists(listen_lines, min_size=1, max_size=8), st.booleans(), st.sampled_from(["none", "docker-t"]))
@example([STAMP.encode() + b" - " + PREFIX + b'#3 - Send: {"type":"LISTEN","nonce":"' + b"a" * n + b'"}' for n in (64, 65)], False, "none")
@example([STAMP.encode() + b" - " + PREFIX + b'#3 - Send: {"type":"LISTEN","nonce":"' + b"a" * 65 + b'"}'], False, "none")
@example([STAMP.encode() + b" - " + PREFIX + b'#3 - Send: {"type":"LISTEN","nonce":"a"}'], True, "none")
def test_same_listen_bursts_as_the_regexes(lines: list[bytes], cut: bool, wrapper: str) -> None:
    """A burst's extent and tails: the C reading equals the regexes' for any run of lines."""
    fmt = FILTERS.format_for(WRAPPER[wrapper], FILE_STAMP, "file")
    first = b"2025-11-29T18:00:00Z " if wrapper != "none" else b""
    data = first + STAMP.encode() + b" - " + PREFIX + b'#3 - Send: {"type":"LISTEN","nonce":"n","data":1}\n'
    data += b"\n".join(lines) + (b"" if cut else b"\n")
    burst = Burst.of(fmt, PREFIX, b"3")
    got = fmt.c.listens(data, 0, len(data), burst.head)
    run = burst.run.match(data, 0, len(data))
    assert run is not None
    assert got == (run.end(), [tail for _, tail in burst.line.findall(data, 0, run.end())])


def _less_burst_model(data: bytes, head: bytes) -> tuple[int, list[bytes]]:
    """listens() of a year-less format in Python: the burst's run, cut where the month or a valid
    date ends."""
    line_at = re.compile(rb"\d\d/\d\d \d\d:\d\d:\d\d - " + re.escape(head) + rb'[A-Za-z0-9]{0,64}"([^\n]*)\n')
    pos, month = 0, None
    tails: list[bytes] = []
    while True:
        m = line_at.match(data, pos)
        if m is None:
            break
        day, mon = int(data[pos : pos + 2]), int(data[pos + 3 : pos + 5])
        valid = 1 <= mon <= 12 and 1 <= day <= 31
        if tails and (not valid or data[pos + 3 : pos + 5] != month):
            break
        tails.append(m.group(1))
        pos = m.end()
        if len(tails) == 1:
            month = data[3:5]
            if not valid:
                break
    return pos, tails


less_listen_lines = st.builds(
    lambda stamp, conn, nonce, tail: f"{stamp} - #{conn} - Send: {{\"type\":\"LISTEN\",\"nonce\":\"{nonce}\"{tail}",
    st.sampled_from(["30/11 10:00:00", "30/11 10:00:01", "01/12 00:00:00", "00/11 10:00:00", "30/13 10:00:00", "30/11 1:00:00"]),
    st.sampled_from(["3", "4"]),
    st.sampled_from(["", "abc", "a" * 64, "a" * 65]),
    st.sampled_from([',"data":{"topics":["raid.1"]}}', ',"data":{"topics":["raid.2"]}}', ""]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(less_listen_lines, min_size=1, max_size=8))
def test_same_year_less_bursts_as_the_model(lines: list[str]) -> None:
    """A year-less burst: the lines the regex takes, cut where the year resolver could move,
    alike in C and in the regex path."""
    data = ("\n".join(lines) + "\n").encode()
    head = b'#3 - Send: {"type":"LISTEN","nonce":"'
    if not re.match(rb"\d\d/\d\d \d\d:\d\d:\d\d - " + re.escape(head), data):
        return  # a burst starts on one of its lines
    want = _less_burst_model(data, head)
    if FILTERS.use_c:
        fmt = FILTERS.format_for(NO_WRAPPER, LESS_STAMP, "less")
        assert fmt.c.listens(data, 0, len(data), head) == want
    regex = Filters(FILTERS.sieve, c=False).format_for(NO_WRAPPER, LESS_STAMP, "less")
    conn = re.search(rb"#(\d+)", data)
    assert conn is not None
    assert Burst.of(regex, b"", conn.group(1)).lines(data, 0, len(data)) == want


# A table with templates of the kinds issue #14 adds (FORKS-2026.md 1.2-1.4): an id-less DEBUG
# line, an id followed by `: ` or by a word, and a Hermes keepalive as an alive payload.
HERMES = (
    Template("hermes_opened", Place.OWN_ID, "Hermes client opened: index=", r"(?P<conn>\d{1,12}), id='", debug=True,
             level="DEBUG", func="on_open", example=f"Hermes client opened: index=3, id='{UUID}'"),
    Template("hermes_cannot_open", Place.OWN_ID, "#", r"(?P<conn>\d{1,12})(?: - [0-9a-f-]{36})?: Cannot open Client",
             id_seps=(": ",), level="WARNING", func="open", example="#3: Cannot open Client, wrong state: Closed"),
    Template("hermes_stale", Place.START, "Checking stale connections", debug=True, level="DEBUG",
             func="check_stale_connections", example="Checking stale connections"),
)
KEEPALIVE = r'Received: \{"id":"[A-Za-z0-9_-]{1,64}","type":"keepalive","timestamp":"[0-9T:.Z-]{1,40}"\}$'


def _extended() -> tuple[Template, ...]:
    out = []
    for t in TEMPLATES:
        out.append(dataclasses.replace(t, alive=(*t.alive, KEEPALIVE)) if t.name == "received" else t)
    return (*out, *HERMES)


@needs_c
@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(any_line, st.sampled_from([
    f"{STAMP} - DEBUG - {MODULE} - [on_open]: Hermes client opened: index=3, id='{UUID}'",
    f"{STAMP} - DEBUG - [on_open]: Hermes client opened: index=3, id='{UUID}'",
    f"{STAMP} - DEBUG - [on_open]: \x1b[0mHermes client opened: index=3, id='{UUID}'",
    f"{STAMP} - DEBUG - [on_open]: [u] Checking stale connections",
    f"{STAMP} - DEBUG - {MODULE} - [x]: Checking stale connections",
    f"{STAMP} - WARNING - [open]: #3: Cannot open Client, wrong state: Closed",
    f"{STAMP} - #3: Cannot open Client",
    f'{STAMP} - DEBUG - [on_message]: #3 - {UUID} - Received: {{"id":"abc","type":"keepalive","timestamp":"2026-06-28T12:00:01.123Z"}}',
])), min_size=1, max_size=10), st.sets(st.sampled_from([0, 3]), max_size=2))
def test_same_lines_with_a_table_that_reads_debug_lines(lines: list[str], known: set[int]) -> None:
    """With id-less DEBUG templates, ids followed by `: ` and more alive payloads in the table,
    both filters still take the same lines."""
    filters = Filters(Table(_extended()).sieve)
    data = ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")
    _same(data, known, _formats(filters), filters)


@settings(max_examples=800, deadline=None)
@given(st.one_of(junk_lines, any_line, wrapped_junk))
@example("2025-11-29T18:00:00Z app[3d8d9e1b] ams [info]Traceback (most recent call last):")
@example("miner  |   File \"x.py\", line 1, in <module>")
@example("Nov 29 18:00:00 raspberrypi python3[812]: ")
@example("miner-1  | 2025-11-29T18:00:00.123456789Z ```log")
@example("2025-11-29 18:00:00 miner-1  | \u3000")
@example("2025-11-29T18:00:00.5Z socket.gaierror: [Errno -3] Temporary failure in name resolution")
def test_inert_kinds_are_what_line_counts(line: str) -> None:
    """A line the filters count without reading is counted as line() counts it (the reference):
    a blank, continuation or unrecognized line, never a record; behind a collector's prefix too."""
    data = (line.replace("\n", " ").replace("\r", " ") + "\n").encode("utf-8", "surrogatepass")
    kind = _kind(data, 0)
    if FILTERS.use_c:
        assert FILTERS.default.c.scan(data, 0, len(data), b"")[2:5] == tuple(int(kind == k) for k in range(3))
    if kind is None:
        return
    summary = Summary()
    scanner = Scanner(summary, summary.input("x"), YearResolver.for_log(2025))
    scanner.simple(data)
    st_ = summary.inputs["x"]
    counted = (st_.blank, st_.continuation, st_.unrecognized, st_.records, st_.too_long)
    assert counted == (*(int(kind == k) for k in range(3)), 0, 0), (line, kind, counted)


_TIME_WRAPS = ["", "", "\x1b[0m", "\t", " ", "\xc2\x9b0m", "\x9d0;t\x07", "svc | ", "x 12:00:00", "> "]


@needs_c
@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_TIME_WRAPS), any_line), min_size=1, max_size=10))
def test_same_line_stamps_as_the_regexes(lines: list[tuple[str, str]]) -> None:
    """The stamps a chunk's lines start with, or None where a line may hide a time: the C
    filter equals the regexes (--since/--until skip chunks by them)."""
    data = ("\n".join(wrap + line for wrap, line in lines) + "\n").encode("utf-8", "surrogatepass")
    found = FILTERS.default.c.line_stamps(data, len(data))
    assert (None if found is None else set(found)) == timefilter.line_stamps_by_regex(data, len(data))


@needs_c
@pytest.mark.parametrize("wrapper", ["none", "journald"])
def test_a_payload_seen_alive_is_not_taken_for_a_longer_one(wrapper: str) -> None:
    """The filter remembers the alive payloads it found in a scan: a line that repeats one is
    skipped, one that only starts like it (more after a payload that ends the line, a nonce
    one longer, a character more before the end) is still read."""
    before = "" if wrapper == "none" else "Nov 29 18:00:00 pi python3[812]: "
    head = f"{before}{STAMP} - DEBUG - {MODULE} - [on_message]: #3 - "
    payloads = [
        'Received: { "type": "PONG" }', 'Received: { "type": "PONG" }x', 'Received: { "type": "PONG" } ',
        'Received: {"type":"RESPONSE","error":"","nonce":"' + "a" * 63 + '"}',
        'Received: {"type":"RESPONSE","error":"","nonce":"' + "a" * 63 + '"}}',
        'Received: {"type":"RESPONSE","error":"","nonce":"' + "a" * 64 + '"}',
        'Received: {"type":"RESPONSE","error":"","nonce":"' + "a" * 65 + '"}',
        'Received: {"type":"MESSAGE","data":1}', 'Received: {"type":"MESSAGE"', 'Received: {"type":"MESSAGES"',
        'Send: {"type":"PING"}', 'Send: {"type":"PING"}}', 'Send: {"type":"PING"}',
    ]
    data = "".join(head + p + "\n" for p in payloads * 2).encode()
    fmt = FILTERS.format_of(data, len(data))
    _same(data, {3}, [fmt])
    read = {data[s : data.index(b"\n", s)].split(b"#3 - ")[1] for s in fmt.c.scan(data, 0, len(data), _id_bitmap({3}))[1]}
    assert read == {p.encode() for p in payloads[1:3] + payloads[4:5] + payloads[6:7] + payloads[9:10] + payloads[11:12]}
