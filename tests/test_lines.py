"""The C line filter returns exactly the lines the fast path's regexes would look at."""

from __future__ import annotations

import io
import os
import re
import sys
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from wsdiag import scan

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import genlog

lines_c = scan._lines
needs_c = pytest.mark.skipif(lines_c is None, reason="the C line filter is not built here")


def test_built_in_ci() -> None:
    """CI installs with a compiler: the filter must be there, or the fast path silently slows."""
    if os.environ.get("CI") and not os.environ.get("WSDIAG_PURE_PYTHON"):
        assert lines_c is not None, "wsdiag._lines did not build"


_KIND_AT = [re.compile(p) for p in (scan._BLANK_LINE, scan._CONTINUATION_LINE, scan._UNRECOGNIZED_LINE)]
_AS_KIND = {None: None, "continuation": 1, "unrecognized": 2}


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
        self.skipped: list[int] = []  # plain lines without a `#N - ` that matters
        self.plain: list[int] = []  # plain lines (the regex filter's gaps)

    def odd(self, data: bytes, pos: int, as_kind: str | None) -> None:
        kind = _kind(data, pos)
        if kind is None:
            self.starts.append(pos)
            return
        kind = _AS_KIND[as_kind] if as_kind else kind
        self.inert[kind] += 1
        if kind == 2 and len(self.samples) < 3:
            self.samples.append(pos)

    def c_view(self, lines: int) -> tuple[object, ...]:
        edges = (self.skipped[0], self.skipped[-1]) if self.skipped else (-1, -1)
        return (lines, self.starts, *self.inert, self.samples, *edges)


def _regex_model(data: bytes, layout: str, known: set[int], as_kind: str | None = None) -> _Model:
    """Every odd line and every plain one with a `#N - ` match; inert lines counted by kind."""
    pattern = scan._ws_pattern(known)
    plain = scan._PLAIN_AT[layout]
    model, pos = _Model(), 0
    while pos < len(data):
        stop = data.find(b"\n", pos) + 1
        if plain.match(data, pos, len(data) - 1):
            model.plain.append(pos)
            if pattern.search(data, pos, stop):
                model.starts.append(pos)
            else:
                model.skipped.append(pos)
        else:
            model.odd(data, pos, as_kind)
        pos = stop
    return model


def _c_scan(data: bytes, layout: str, known: set[int], as_kind: str | None = None) -> tuple[object, ...]:
    assert lines_c is not None
    code = scan._KIND_CODE.get(as_kind or "", 0)
    return tuple(lines_c.scan(data, 0, len(data), scan._LAYOUT_CODE[layout], scan._id_bitmap(known), code))


def _same(data: bytes, known: set[int], as_kind: str | None = None) -> None:
    """The C filter equals the line-by-line model, and so does the regex filter (in one pass,
    runs of inert lines at a time)."""
    for layout in ("file", "console"):
        model = _regex_model(data, layout, known, as_kind)
        assert _c_scan(data, layout, known, as_kind) == model.c_view(data.count(b"\n")), layout
        found = scan._regex_filter(data, 0, len(data), layout, as_kind)
        plain_edges = (model.plain[0], model.plain[-1]) if model.plain else (-1, -1)
        hashless = [s for s in model.starts if s not in model.plain]
        assert (found.lines, found.starts, found.inert, found.samples) == (
            data.count(b"\n"), hashless, model.inert, model.samples
        ), layout
        assert (found.first_plain, found.last_plain) == plain_edges, layout
        # What the scanner takes from the regexes (plain lines with a `#N - ` added) is the C
        # filter's: no line is both looked at and counted unread.
        full = _regex_candidates(data, layout, known, as_kind)
        assert (full.starts, full.inert, full.samples) == (model.starts, model.inert, model.samples), layout


def _regex_candidates(data: bytes, layout: str, known: set[int], as_kind: str | None) -> scan._Found:
    from wsdiag.analyze import Summary
    from wsdiag.layouts import YearResolver

    summary = Summary()
    scanner = scan.Scanner(summary, summary.input("x"), YearResolver.for_log(2025))
    saved, scan._lines = scan._lines, None
    try:
        return scanner._candidates(data, 0, len(data), layout, scan._ws_pattern(known), as_kind)
    finally:
        scan._lines = saved


STAMP = "25/11/26 21:08:01"
MODULE = "TwitchChannelPointsMiner.classes.WebSocketsPool"
# Pieces of real lines (FORMATS.md) and of their near misses, put together at random below.
stamps = st.sampled_from([STAMP, "99/99/99 99:99:99", "25/11 21:08:01", "2025-11-26 21:08:01", "25/11/26 21:08", ""])
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
    "WebSocket error: [Errno 32] Broken pipe",
    "Reconnecting to Twitch PubSub server in ~60 seconds",
])
messages = st.one_of(
    st.builds(lambda i, p: f"#{i} - {p}", ids, payloads),
    st.sampled_from([
        "+10 → streamer (1.2k points) - Reason: WATCH.",
        "Loading data for 12 streamers. Please wait...",
        "Reconnecting to Twitch PubSub server in ~60 seconds",
        "The last PONG was received more than 10 minutes ago",
        "Error while trying to listen for a topic",
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
        "osc \x9d0;t\x07",
        "\x9d0;t\x07The last PONG was received more than 5 minutes ago",
        "",
    ]),
    st.text(alphabet="#0123456789 -x\x1b\xc2\x9b\x9d[]:", max_size=24),
)


@st.composite
def record_lines(draw: st.DrawFn) -> str:
    stamp, level, module, func, message = (
        draw(stamps), draw(levels), draw(modules), draw(funcs), draw(messages)
    )
    head = f"{stamp} - {level} - " if stamp else f"{level} - "
    where = draw(st.sampled_from(["file", "console", "none"]))
    if where == "file":
        head += f"{module} - [{func}]: "
    elif where == "console":
        head += f"[{func}]: "
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


@needs_c
@settings(max_examples=600, deadline=None)
@given(
    st.lists(any_line, min_size=1, max_size=12),
    # Ids the scanner knows: never above MAX_ID (99999), which it counts as implausible.
    st.sets(st.sampled_from([0, 3, 12, 99999]), max_size=4),
)
@example([f"{STAMP} - DEBUG - {MODULE} - [on_message]: #3 - Received: {{\"type\":\"PONG\"}}"], {3})
@example([f"{STAMP} - DEBUG - {MODULE} - [on_message]: #012 - Received: {{\"type\":\"PONG\"}}"], {12})
def test_same_lines_as_the_regexes(lines: list[str], known: set[int]) -> None:
    """Any mix of real, near-miss and random lines: the same lines, for both layouts."""
    data = ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")
    _same(data, known)
    _same(data, known, "unrecognized")


# Messages on each side of an edge of the patterns the filter mirrors.
EDGES = [
    "#" + " " * 15 + "\x1b[0m", "#" + " " * 16 + "\x1b[0m", "#1-2 3\xc2", "#\x1b", "#5abc", "# 5", "#-",
    "#3 - " + 'Received: {"type":"RESPONSE","error":"","nonce":"' + "a" * 64 + '"}',
    "#3 - " + 'Received: {"type":"RESPONSE","error":"","nonce":"' + "a" * 65 + '"}',
    "#3 - " + 'Received: {"type":"RESPONSE","error":"","nonce":""}',
    "#3 - Received: {\"type\":\"PONG\" }", "#3 - Received: {\"type\":\"PONG\"  }",
    "#3 - Received: { \"type\": \"MESSAGE\", #4 - x", "#3 - Received: {\"type\":\"PONG\"}x",
    "#3 - Send: {\"type\":\"PING\"}x", "#3 - Send: {\"type\":\"PING\"}",
    "#03 - Send: {\"type\":\"PING\"}", "#30 - Send: {\"type\":\"PING\"}", "#" + "9" * 12 + " - x",
    "#" + "9" * 13 + " - x", "#3", "#", "plain words", "Loading data for 3 streamers", "a\x1bb", "a\xc2\x9bb", "a\x9db",
    "Reconnecting", "[user] hi", "The last PONG", "Error while trying", "Received the ERR_BADAUTH",
]
EDGE_HEADS = [
    f"{STAMP} - DEBUG - {MODULE} - [on_message]: ",
    f"{STAMP} - INFO - {MODULE} - [on_message]: ",
    f"{STAMP} - DEBUG - [on_message]: ",
    f"{STAMP} - WARNING - [on_message]: ",
    *(f"{STAMP} - INFO - {MODULE} - [{func}]: " for func in ("info", "error", "warning", "infos", "x" * 100, "x" * 101)),
    *(f"{STAMP} - ERROR - {module} - [f]: " for module in ("a" * 201, "a" * 202, "_a.b9", "a-b")),
    *(f"{STAMP} - CRITICAL - [{func}]: " for func in ("info", "x" * 100, "x" * 101)),
]


@needs_c
@pytest.mark.parametrize("head", EDGE_HEADS)
def test_same_lines_at_the_edges(head: str) -> None:
    """Each edge of the mirrored patterns (lengths, spellings, look-aheads): the same lines."""
    data = "".join(head + message + "\n" for message in EDGES).encode()
    _same(data, {3})


@needs_c
@pytest.mark.parametrize("layout", ["file", "console"])
def test_same_lines_on_generated_logs(layout: str) -> None:
    """A realistic DEBUG log: the same lines, and heartbeats of known ids are not among them."""
    buf = io.BytesIO()
    genlog.generate(genlog.GenConfig(seed=7, size=3_000_000, connections=8, layout=layout, failure_rate=0.02), buf)
    data = buf.getvalue()
    known = set(range(8))
    _same(data, known)
    heartbeat = re.compile(rb'#[0-7] - (?:Send: \{"type":"PING"\}\n|Received: \{ ?"type": ?"(?:PONG|MESSAGE)")')
    beats = {data.rfind(b"\n", 0, m.start()) + 1 for m in heartbeat.finditer(data)}
    starts = _c_scan(data, layout, known)[1]
    assert len(beats) > data.count(b"\n") // 4
    assert not beats & set(starts)  # type: ignore[arg-type]


@needs_c
def test_limits() -> None:
    """It counts from `start`, refuses a range outside the buffer, and sees more than 512 ids as none."""
    assert lines_c is not None
    data = b"a\nb\nc\n"
    assert lines_c.scan(data, 2, 6, 0, b"") == (2, [], 0, 0, 2, [2, 4], -1, -1)
    with pytest.raises(ValueError):
        lines_c.scan(data, 0, 7, 0, b"")
    with pytest.raises(ValueError):
        lines_c.scan(data, 0, 6, 0, b"", 1)  # as_kind: never blank
    assert (lines_c.MAX_LINE, lines_c.MAX_SAMPLES) == (scan.MAX_LINE, scan.MAX_SAMPLES)
    assert scan._id_bitmap(set(range(513))) == b""


PREFIX = b" - DEBUG - TwitchChannelPointsMiner.classes.TwitchWebSocket - [send]: "
listen_lines = st.builds(
    lambda stamp, prefix, conn, nonce, tail: stamp + prefix + b"#" + conn + b' - Send: {"type":"LISTEN","nonce":"' + nonce + b'"' + tail,
    st.sampled_from([STAMP.encode(), b"99/99/99 99:99:99", b"25/11/26 21:08:0x", b"25/11/26 21:08"]),
    st.sampled_from([PREFIX, PREFIX.replace(b"send", b"sent"), b" - DEBUG - [send]: "]),
    st.sampled_from([b"3", b"4", b"33"]),
    st.sampled_from([b"", b"abc", b"a" * 64, b"a" * 65, b"a-b", b"\xc3\xa9"]),
    st.sampled_from([b',"data":{"topics":["raid.1"]}}', b',"data":{"topics":["raid.2"]}}', b"", b'"', b"\x1b[0m"]),
)


@needs_c
@settings(max_examples=400, deadline=None)
@given(st.lists(listen_lines, min_size=1, max_size=8), st.booleans())
@example([STAMP.encode() + PREFIX + b'#3 - Send: {"type":"LISTEN","nonce":"' + b"a" * n + b'"}' for n in (64, 65)], False)
@example([STAMP.encode() + PREFIX + b'#3 - Send: {"type":"LISTEN","nonce":"' + b"a" * 65 + b'"}'], False)
@example([STAMP.encode() + PREFIX + b'#3 - Send: {"type":"LISTEN","nonce":"a"}'], True)
def test_same_listen_bursts_as_the_regexes(lines: list[bytes], cut: bool) -> None:
    """A burst's extent and tails: the C reading equals the regexes' for any run of lines."""
    data = STAMP.encode() + PREFIX + b'#3 - Send: {"type":"LISTEN","nonce":"n","data":1}\n'
    data += b"\n".join(lines) + (b"" if cut else b"\n")
    burst = scan._Burst.of(PREFIX, b"3")
    assert lines_c is not None
    got = lines_c.listens(data, 0, len(data), burst.head)
    run = burst.run.match(data, 0, len(data))
    assert run is not None
    assert got == (run.end(), [tail for _, tail in burst.line.findall(data, 0, run.end())])


def _less_model(data: bytes, known: set[int]) -> _Model:
    """The year-less rule of _lines.c in Python: a plain line is skipped only where the year
    resolver would not move (same month as the last dated line, or no valid date)."""
    pattern, plain = scan._ws_pattern(known), scan._PLAIN_AT["less"]
    dated_at = re.compile(rb"\d\d/\d\d \d\d:\d\d:\d\d - ")
    model = _Model()
    pos, month = 0, None
    while pos < len(data):
        stop = data.find(b"\n", pos) + 1
        dated = dated_at.match(data, pos) is not None
        resolves = dated and 1 <= int(data[pos + 3 : pos + 5]) <= 12 and 1 <= int(data[pos : pos + 2]) <= 31
        same = not resolves or data[pos + 3 : pos + 5] == month
        plain_line = plain.match(data, pos, len(data) - 1) is not None
        if dated and same and plain_line and not pattern.search(data, pos, stop):
            model.skipped.append(pos)
        else:
            model.odd(data, pos, None)
        if resolves:
            month = data[pos + 3 : pos + 5]
        elif not dated:
            month = None
        pos = stop
    return model


less_stamps = st.sampled_from(["29/11 18:00:00", "30/11 23:59:59", "01/12 00:00:00", "00/12 10:00:00", "15/13 10:00:00", "1/12 10:00:00", "29/11 18:00:00.5"])
less_messages = st.one_of(
    messages,
    st.sampled_from([
        "INFO - x", "WARN - x", "WARNING - x", "connection lost - goodbye", "x - reconnecting  ",
        "error from callback <f>: boom", "tearing down on exception x", "a -goodbye", "a - goodbyes",
        "🚀  +12 → spafe (129.66k points) - Reason: WATCH.",
    ]),
)
less_lines = st.one_of(
    st.builds(lambda stamp, msg: f"{stamp} - {msg}", less_stamps, less_messages),
    st.sampled_from(["Traceback (most recent call last):", "  File \"x.py\", line 1", "", "25/11/26 21:08:01 - DEBUG - m - [f]: x"]),
)


@needs_c
@settings(max_examples=500, deadline=None)
@given(st.lists(less_lines, min_size=1, max_size=14), st.sets(st.sampled_from([0, 3, 12]), max_size=3))
def test_same_year_less_lines_as_the_model(lines: list[str], known: set[int]) -> None:
    """Year-less lines: plain by the regex and read wherever the year resolver could move."""
    data = ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")
    assert _c_scan(data, "less", known) == _less_model(data, known).c_view(data.count(b"\n"))
    # The regex filter reads every year-less line that may be a record (no skipping there).
    found = scan._regex_filter(data, 0, len(data), "less", None)
    model = _Model()
    pos = 0
    while pos < len(data):
        model.odd(data, pos, None)
        pos = data.find(b"\n", pos) + 1
    assert (found.starts, found.inert, found.samples) == (model.starts, model.inert, model.samples)


def _less_burst_model(data: bytes, head: bytes) -> tuple[int, list[bytes]]:
    """listens(less=True) in Python: the burst's run, cut where the month or a valid date ends."""
    line_at = re.compile(rb"\d\d/\d\d \d\d:\d\d:\d\d" + re.escape(head) + rb'[A-Za-z0-9]{0,64}"([^\n]*)\n')
    pos, tails, month = 0, [], None
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


@needs_c
@settings(max_examples=300, deadline=None)
@given(st.lists(less_listen_lines, min_size=1, max_size=8))
def test_same_year_less_bursts_as_the_model(lines: list[str]) -> None:
    """A year-less burst: the lines the regex takes, cut where the year resolver could move."""
    data = ("\n".join(lines) + "\n").encode()
    head = b' - #3 - Send: {"type":"LISTEN","nonce":"'
    if not re.match(rb"\d\d/\d\d \d\d:\d\d:\d\d" + re.escape(head), data):
        return  # a burst starts on one of its lines
    assert lines_c is not None
    assert lines_c.listens(data, 0, len(data), head, True) == _less_burst_model(data, head)


@settings(max_examples=800, deadline=None)
@given(st.one_of(junk_lines, any_line))
def test_inert_kinds_are_what_line_counts(line: str) -> None:
    """A line the filters count without reading is counted as line() counts it (the reference):
    a blank, continuation or unrecognized line, never a record."""
    from wsdiag.analyze import Summary
    from wsdiag.layouts import YearResolver

    data = (line.replace("\n", " ").replace("\r", " ") + "\n").encode("utf-8", "surrogatepass")
    kind = _kind(data, 0)
    if lines_c is not None:
        assert _c_scan(data, "file", set())[2:5] == tuple(int(kind == k) for k in range(3))
    if kind is None:
        return
    summary = Summary()
    scanner = scan.Scanner(summary, summary.input("x"), YearResolver.for_log(2025))
    scanner.simple(data)
    st_ = summary.inputs["x"]
    counted = (st_.blank, st_.continuation, st_.unrecognized, st_.records, st_.too_long)
    assert counted == (*(int(kind == k) for k in range(3)), 0, 0), (line, kind, counted)


def _regex_line_stamps(data: bytes) -> set[bytes] | None:
    """scan.line_stamps by its regexes (as without the C filter)."""
    if scan._MAY_HIDE_AT.match(data, 0, len(data)) or scan._MAY_HIDE_TIME.search(data, 0, len(data)):
        return None
    stamps = set(scan._LINE_STAMP.findall(data))
    first = scan._LINE_STAMP.match(b"\n" + data[:20])
    return stamps | ({first.group(1)} if first else set())


_TIME_WRAPS = ["", "", "\x1b[0m", "\t", " ", "\xc2\x9b0m", "\x9d0;t\x07", "svc | ", "x 12:00:00", "> "]


@needs_c
@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_TIME_WRAPS), any_line), min_size=1, max_size=10))
def test_same_line_stamps_as_the_regexes(lines: list[tuple[str, str]]) -> None:
    """The stamps a chunk's lines start with, or None where a line may hide a time: the C
    helper equals the regexes (--since/--until skip chunks by them)."""
    data = ("\n".join(wrap + line for wrap, line in lines) + "\n").encode("utf-8", "surrogatepass")
    assert lines_c is not None
    found = lines_c.line_stamps(data, len(data))
    assert (None if found is None else set(found)) == _regex_line_stamps(data)
