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


def _regex_starts(data: bytes, layout: str, known: set[int]) -> list[int]:
    """What the regex passes look at: every odd line and every plain one with a `#N - ` match."""
    pattern = scan._ws_pattern(known)
    plain = scan._PLAIN_AT[layout]
    out, pos = [], 0
    while pos < len(data):
        stop = data.find(b"\n", pos) + 1
        if not plain.match(data, pos, len(data) - 1) or pattern.search(data, pos, stop):
            out.append(pos)
        pos = stop
    return out


def _c_starts(data: bytes, layout: str, known: set[int]) -> tuple[int, list[int]]:
    assert lines_c is not None
    return lines_c.scan(data, 0, len(data), layout == "console", scan._id_bitmap(known))


def _same(data: bytes, known: set[int]) -> None:
    for layout in ("file", "console"):
        lines, starts = _c_starts(data, layout, known)
        assert lines == data.count(b"\n")
        assert starts == _regex_starts(data, layout, known), layout


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


any_line = st.one_of(record_lines(), st.text(max_size=60).map(lambda s: s.replace("\n", " ").replace("\r", " ")))


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
    _, starts = _c_starts(data, layout, known)
    assert len(beats) > data.count(b"\n") // 4
    assert not beats & set(starts)


@needs_c
def test_limits() -> None:
    """It counts from `start`, refuses a range outside the buffer, and sees more than 512 ids as none."""
    assert lines_c is not None
    data = b"a\nb\nc\n"
    assert lines_c.scan(data, 2, 6, False, b"") == (2, [2, 4])
    with pytest.raises(ValueError):
        lines_c.scan(data, 0, 7, False, b"")
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


def _less_model(data: bytes, known: set[int]) -> list[int]:
    """The year-less rule of _lines.c in Python: a plain line is skipped only where the year
    resolver would not move (same month as the last dated line, or no valid date)."""
    pattern, plain = scan._ws_pattern(known), scan._PLAIN_AT["less"]
    dated_at = re.compile(rb"\d\d/\d\d \d\d:\d\d:\d\d - ")
    out: list[int] = []
    pos, month = 0, None
    while pos < len(data):
        stop = data.find(b"\n", pos) + 1
        dated = dated_at.match(data, pos) is not None
        resolves = dated and 1 <= int(data[pos + 3 : pos + 5]) <= 12 and 1 <= int(data[pos : pos + 2]) <= 31
        same = not resolves or data[pos + 3 : pos + 5] == month
        plain_line = plain.match(data, pos, len(data) - 1) is not None
        if not (dated and same and plain_line and not pattern.search(data, pos, stop)):
            out.append(pos)
        if resolves:
            month = data[pos + 3 : pos + 5]
        elif not dated:
            month = None
        pos = stop
    return out


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
    assert lines_c is not None
    count, starts = lines_c.scan(data, 0, len(data), 2, scan._id_bitmap(known))
    assert count == data.count(b"\n")
    assert starts == _less_model(data, known)


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
