"""The fast chunk path, block reading and parallel scans give exactly what the reference path gives."""

from __future__ import annotations

import io
import os
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, cast

import pytest

from wsdiag import pipeline
from wsdiag.cli.progress import SHOW_FROM, bar
from wsdiag.diagnose.diagnosis import Diagnosis
from wsdiag.parse.templates import SIEVE
from wsdiag.pipeline import Options, analyze
from wsdiag.read import linefilter, scan
from wsdiag.read.file_parts import mapped_blocks
from wsdiag.read.layouts import YearResolver
from wsdiag.read.linefilter import Filters
from wsdiag.read.scan import MAX_LINE, Scanner
from wsdiag.read.sources import Source, blocks, chunks, resolve
from wsdiag.read.timefilter import Window
from wsdiag.summary.summary import Summary

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import genlog

from .conftest import run_cli


@pytest.fixture(autouse=True, params=["c", "regex"])
def line_filter(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test here runs with the C line filter and with the regex passes it stands in for."""
    if request.param == "c" and not linefilter.FILTERS.use_c:
        pytest.skip("the C line filter is not built here")
    if request.param == "regex":
        monkeypatch.setattr("wsdiag.read.scan.FILTERS", Filters(SIEVE, c=False))
    return str(request.param)


# Read sizes that put block ends inside lines, inside LISTEN bursts and inside tracebacks.
SIZES = (1 << 20, 4096, 1009, 257)


def _gen(**kw: Any) -> bytes:
    buf = io.BytesIO()
    genlog.generate(genlog.GenConfig(**kw), buf)
    return buf.getvalue()


def _doc(summary: Summary) -> dict[str, Any]:
    return Diagnosis.of(summary.finish()).to_dict()


def _scan(data: bytes, size: int | None, fast: bool = True) -> dict[str, Any]:
    """Scan ``data`` read in blocks of ``size`` (None: the reference path on the whole text)."""
    summary = Summary()
    scanner = Scanner(summary, summary.input("miner.log"), YearResolver.for_log(2025))
    if size is None:
        scanner.simple(data)
    else:
        for buf, n in blocks(io.BytesIO(data), size):
            if fast:
                scanner.chunk(buf, n)
            else:
                scanner.simple(bytes(memoryview(buf)[:n]))
    return _doc(summary)


def _scan_mapped(data: bytes, size: int) -> dict[str, Any]:
    """Scan ``data`` from a file, read in place through windows of a map of about ``size`` bytes."""
    summary = Summary()
    scanner = Scanner(summary, summary.input("miner.log"), YearResolver.for_log(2025))
    with tempfile.TemporaryFile() as fh:
        fh.write(data)
        fh.flush()
        for window, begin, end in mapped_blocks(cast(BinaryIO, fh), 0, len(data), size):
            scanner.chunk(window, end, begin)
    return _doc(summary)


# Map windows: one for all, one per few lines (each at another offset in its page), and windows
# smaller than some lines, which hand the rest over to blocks().
MAP_SIZES = (1 << 20, 70_000, 5_000)


def _same_everywhere(data: bytes) -> dict[str, Any]:
    want = _scan(data, None)
    for size in SIZES:
        assert _scan(data, size) == want, f"fast path differs with {size}-byte blocks"
    if data:
        for size in MAP_SIZES:
            assert _scan_mapped(data, size) == want, f"fast path differs with {size}-byte map windows"
    return want


CONFIGS = [
    pytest.param({"seed": 1, "size": 300_000, "connections": 6, "failure_rate": 0.01}, id="file-debug"),
    pytest.param(
        {"seed": 2, "size": 250_000, "connections": 6, "failure_rate": 0.02, "outages": 2},
        id="many-failures",
    ),
    pytest.param({"seed": 3, "size": 200_000, "connections": 6, "level": "INFO"}, id="file-info"),
    pytest.param(
        {"seed": 4, "size": 300_000, "connections": 6, "layout": "console", "failure_rate": 0.02},
        id="console",
    ),
    pytest.param(
        {"seed": 5, "size": 300_000, "connections": 6, "layout": "less", "year_rollover": True,
         "failure_rate": 0.02},
        id="less",
    ),
    pytest.param({"seed": 6, "size": 1_000_000, "connections": 40, "failure_rate": 0.03}, id="big-pool"),
    pytest.param(
        {"seed": 7, "size": 400_000, "connections": 6, "failure_rate": 0.02, "outages": 1, "client": "hermes"},
        id="hermes-file-debug",
    ),
    pytest.param(
        {"seed": 8, "size": 200_000, "connections": 6, "failure_rate": 0.03, "level": "INFO",
         "layout": "console", "logger": "C", "client": "hermes"},
        id="hermes-console-info-c",
    ),
    pytest.param(
        {"seed": 9, "size": 300_000, "connections": 6, "failure_rate": 0.02, "layout": "less",
         "client": "hermes"},
        id="hermes-less-debug",
    ),
]


@pytest.mark.parametrize("cfg", CONFIGS)
def test_fast_path_equals_reference_on_generated_logs(cfg: dict[str, Any]) -> None:
    """Generated logs give the reference document whatever the block size."""
    doc = _same_everywhere(_gen(**cfg))
    assert doc["failures"]["total"] > 0
    assert doc["inputs"][0]["lines"] > 500


@pytest.mark.parametrize("layout", ["file", "less"])
def test_fast_path_reads_few_lines(monkeypatch: pytest.MonkeyPatch, layout: str) -> None:
    """Past the startup (a LISTEN per topic) a DEBUG log of a big pool is nearly all skipped,
    a year-less one too (its dates do not change month often)."""
    data = _gen(seed=8, size=3_000_000, connections=37, layout=layout)
    half = data.index(b"\n", len(data) // 2) + 1
    parsed = _parsed_lines(monkeypatch)
    summary = Summary()
    scanner = Scanner(summary, summary.input("miner.log"), YearResolver.for_log(2025))
    scanner.chunk(data[:half])
    first = parsed[0]
    scanner.chunk(data[half:])
    lines = data.count(b"\n")
    assert first < lines * 0.25
    assert parsed[0] - first < (lines - data[:half].count(b"\n")) * 0.03


def _parsed_lines(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the lines Scanner.line parses from here on (the list's one item)."""
    parsed = [0]
    real = Scanner.line

    def counting(self: Scanner, raw: bytes | bytearray) -> Any:
        parsed[0] += 1
        return real(self, raw)

    monkeypatch.setattr(Scanner, "line", counting)
    return parsed


@pytest.mark.parametrize(
    ("layout", "level", "logger"),
    [("file", "DEBUG", "A"), ("file", "DEBUG", "C"), ("console", "DEBUG", "A"), ("less", "DEBUG", "A"),
     ("file", "INFO", "A"), ("console", "INFO", "C"), ("less", "INFO", "C")],
)
def test_generated_hermes_counts_are_exact(layout: str, level: str, logger: str) -> None:
    """Generated Hermes logs: the document holds the generator's exact counts, in 4 KiB blocks."""
    buf = io.BytesIO()
    cfg = genlog.GenConfig(
        seed=11, size=600_000 if level == "DEBUG" else 150_000, connections=5, failure_rate=0.03,
        outages=1, layout=layout, level=level, client="hermes", logger=logger,
    )
    exp = genlog.generate(cfg, buf)
    doc = _scan(buf.getvalue(), 4096)
    assert doc["client"] == "hermes"
    assert doc["inputs"][0]["lines"] == exp.lines
    assert doc["connections"]["ids"] == exp.ids
    assert doc["connections"]["pool_size"] == exp.pool_size
    assert doc["failures"]["by_class"] == exp.by_class
    assert doc["closes"] == exp.closes
    assert doc["topics"]["listened"] == exp.topics_listened
    assert doc["topics"]["streamers"] == exp.streamers
    assert doc["reconnects"]["count"] == exp.reconnects


def test_generated_counts_survive_the_fast_path() -> None:
    """The fast path reports the generator's exact counts, not just the reference's."""
    buf = io.BytesIO()
    exp = genlog.generate(genlog.GenConfig(seed=7, size=400_000, connections=8, failure_rate=0.01), buf)
    doc = _scan(buf.getvalue(), 4096)
    assert doc["inputs"][0]["lines"] == exp.lines
    assert doc["connections"]["ids"] == exp.ids
    assert doc["failures"]["total"] == exp.failures_total
    assert doc["failures"]["by_class"] == exp.by_class


POOL = "TwitchChannelPointsMiner.classes.WebSocketsPool"
DEBUG = "25/11/26 21:08:{s:02d} - DEBUG - " + POOL + " - [on_message]: {msg}"
SEND = "25/11/26 21:08:{s:02d} - DEBUG - TwitchChannelPointsMiner.classes.TwitchWebSocket - [send]: {msg}"
INFO = "25/11/26 21:08:{s:02d} - INFO - " + POOL + " - [{func}]: {msg}"


def _listen(conn: int, topic: str, s: int, nonce: str = "abc") -> str:
    data = f'{{"topics":["{topic}"],"auth_token":"tok"}}'
    msg = f'#{conn} - Send: {{"type":"LISTEN","nonce":"{nonce}","data":{data}}}'
    return SEND.format(s=s, msg=msg)


def _heartbeats(conns: range, s: int) -> list[str]:
    out = []
    for c in conns:
        out.append(SEND.format(s=s, msg=f'#{c} - Send: {{"type":"PING"}}'))
        out.append(DEBUG.format(s=s, msg=f'#{c} - Received: {{ "type": "PONG" }}'))
        message = f'#{c} - Received: {{"type":"MESSAGE","data":{{"topic":"raid.{c}"}}}}'
        out.append(DEBUG.format(s=s, msg=message))
    return out


def _lines(*parts: list[str] | str) -> bytes:
    out: list[str] = []
    for p in parts:
        out.extend([p] if isinstance(p, str) else p)
    return ("\n".join(out) + "\n").encode()


def test_lines_that_only_look_like_heartbeats_are_read() -> None:
    """Payloads with more after PING/PONG, hidden ids and escape sequences reach line()."""
    data = _lines(
        _heartbeats(range(3), 1),
        SEND.format(s=2, msg='#1 - Send: {"type":"PING"} "LISTEN" "topics":["raid.99"]'),
        DEBUG.format(s=3, msg='#2 - Received: { "type": "PONG" } "RESPONSE" "error":"ERR_BADAUTH"'),
        DEBUG.format(s=4, msg="#\x1b[0m1 - WebSocket error: [Errno 104] Connection reset by peer"),
        DEBUG.format(s=5, msg="#1\x1b[0m - WebSocket closed"),
        DEBUG.format(s=6, msg='#2 - Received: {"type":"MESSAGE","x":"\'RESPONSE\' \'error\': \'ERR_X\'"}'),
        _heartbeats(range(3), 7),
        DEBUG.format(s=8, msg="#123456 - Received: { \"type\": \"PONG\" }"),
        DEBUG.format(s=9, msg="#123456 - Received: { \"type\": \"PONG\" }"),
        _heartbeats(range(3), 10),
    )
    doc = _same_everywhere(data)
    assert doc["topics"]["listened"] == 1
    assert doc["failures"]["total"] == 2
    assert doc["inputs"][0]["implausible_ids"] == 2


def test_quiet_and_telling_info_lines() -> None:
    """INFO lines are skipped only when no template could read them."""
    data = _lines(
        _heartbeats(range(2), 1),
        INFO.format(s=2, func="on_message", msg="+50 → someone (7.29k points) - Reason: CLAIM."),
        INFO.format(s=3, func="run", msg="\U0001f913 Loading data for 12 streamers. Please wait..."),
        INFO.format(s=4, func="on_message", msg="[bob] #1 - WebSocket closed"),
        INFO.format(s=5, func="run", msg="#1 - Reconnecting to Twitch PubSub server in ~60 seconds"),
        "25/11/26 21:08:06 - ERROR - websocket - [error]: Connection to remote host was lost. - goodbye",
        INFO.format(s=7, func="on_message", msg="Reconnecting to Twitch PubSub server in 30 seconds"),
        INFO.format(s=8, func="on_message", msg="plain \x1b[33mcolour\x1b[39m"),
        _heartbeats(range(2), 9),
    )
    doc = _same_everywhere(data)
    assert doc["topics"]["streamers"] == 12
    assert doc["reconnects"]["count"] == 2


def test_refusals_among_heartbeats_are_read() -> None:
    """ERR_BADMESSAGE/ERR_BADTOPIC answers and refused handshakes between heartbeats reach line()."""
    error = "25/11/26 21:08:{s:02d} - ERROR - " + POOL + " - [{func}]: {msg}"
    echo = "25/11/26 21:08:{s:02d} - ERROR - websocket - [error]: {msg} - goodbye"
    handshake = "Handshake status 503 Service Unavailable -+-+- {} -+-+- b''"
    data = _lines(
        _heartbeats(range(3), 1),
        DEBUG.format(s=2, msg='#1 - Received: {"type":"RESPONSE","error":"ERR_BADMESSAGE","nonce":"n1"}'),
        error.format(s=2, func="on_message", msg="Error while trying to listen for a topic: ERR_BADMESSAGE"),
        _heartbeats(range(3), 3),
        DEBUG.format(s=4, msg='#2 - Received: {"type":"RESPONSE","error":"ERR_BADTOPIC","nonce":"n2"}'),
        _heartbeats(range(3), 5),
        error.format(s=6, func="on_error", msg=f"#0 - WebSocket error: {handshake}"),
        echo.format(s=6, msg=handshake),
        INFO.format(s=6, func="on_close", msg="#0 - WebSocket closed"),
        _heartbeats(range(3), 7),
    )
    doc = _same_everywhere(data)
    assert doc["failures"]["by_class"]["rejected"] == 3
    assert doc["failures"]["by_class"]["other"] == 0
    assert doc["diagnosis"]["primary"] == "client-rejected"
    rejected = next(f for f in doc["findings"] if f["id"] == "client-rejected")
    assert rejected["explains"] == 3
    assert "1 ERR_BADMESSAGE answer to LISTEN" in rejected["evidence"]


@pytest.mark.parametrize(
    ("stamp", "level"),
    [("25/11/26 21:08:{s:02d} - ", "{level} - [{func}]: "), ("25/11 21:08:{s:02d} - ", "")],
    ids=["console", "less"],
)
def test_refusals_in_console_and_less_layouts_are_read(stamp: str, level: str) -> None:
    """The same refusals in the console and the year-less layouts, between plain lines."""
    def line(s: int, func: str, msg: str, lvl: str = "INFO") -> str:
        return stamp.format(s=s) + level.format(level=lvl, func=func) + msg

    handshake = "Handshake status 502 Bad Gateway -+-+- {} -+-+- b''"
    plain = [line(s, "on_message", f"+10 → Streamer(username=x{s}, channel_id={s}) - Reason: WATCH.") for s in range(1, 6)]
    data = _lines(
        plain,
        line(6, "on_message", "Error while trying to listen for a topic: ERR_BADTOPIC", "ERROR"),
        plain,
        line(7, "on_error", f"#1 - WebSocket error: {handshake}", "ERROR"),
        line(7, "on_close", "#1 - WebSocket closed"),
        plain,
    )
    doc = _same_everywhere(data)
    assert doc["failures"]["by_class"]["rejected"] == 2
    assert doc["diagnosis"]["primary"] == "client-rejected"


def test_templates_behind_8_bit_escapes_are_read() -> None:
    """An id-less template behind an 8-bit OSC (U+009D ... BEL) or CSI (U+009B) is counted on
    the fast path too: line() strips the sequence, so the filter must not skip the line."""
    pong = "The last PONG was received more than 5 minutes ago"
    data = _lines(
        _heartbeats(range(2), 1),
        *(INFO.format(s=2 + i, func="on_message", msg=f"{esc}{pong}") for i, esc in enumerate(
            ["\u009d0;title\u0007", "\u009d8;;https://x.example\u0007", "\u009b0m", "\u009d2;t\u009c"]
        )),
        "19/11 13:45:58 - \u009d0;t\u0007Reconnecting to Twitch PubSub server in ~60 seconds",
        "19/11 13:45:59 - \u009d0;t\u0007The last PONG was received more than 5 minutes ago",
        _heartbeats(range(2), 9),
    )
    doc = _same_everywhere(data)
    assert doc["failures"]["by_class"]["pong_timeout"] == 5
    assert doc["reconnects"]["count"] == 1


# Lines that are no records, of each kind line() counts: blank (ASCII and Unicode spaces),
# continuation, unrecognized (a few of which are samples), and near misses that may be records.
JUNK_LINES = [
    "", "", "", "   ", "\t", "\x0c \x1c", "\u00a0", "\u2003 ", "  File \"x.py\", line 1, in <module>",
    "Traceback (most recent call last):", "ValueError: boom", "a.b.FooError", "FooErrorx: no", "x", "junk",
    "auth_token:", "q9x8c7v6b5n4m3l2k1j0h9g8f7d6s5", "x - y", "12:00:00 - x", "#x - y", "é", "\x00\x01",
    "1 12:00:00 - not a stamp", "#1 - WebSocket closed", "ERROR - x", "INFO - [f]: x",
]  # fmt: skip


@pytest.mark.parametrize("service", ["", "miner  | ", "a.Error | "])
def test_junk_and_blank_lines_count_like_the_reference(service: str) -> None:
    """Blank, continuation and unrecognized lines among records (behind a compose prefix too):
    the fast path counts them unread, exactly as line() would, with the same samples."""
    rows = []
    for i in range(400):
        rows.append(JUNK_LINES[i * 7 % len(JUNK_LINES)])
        if i % 50 == 0:
            rows += _heartbeats(range(2), i % 60)
        if i % 97 == 0:
            rows.append(DEBUG.format(s=i % 60, msg="#1 - WebSocket error: [Errno 32] Broken pipe"))
    data = _lines(*(service + row for row in rows))
    doc = _same_everywhere(data)
    st = doc["inputs"][0]
    assert st["lines"] == len(rows)
    if service.startswith("a.Error"):  # the prefix makes every such line a continuation
        assert st["continuation"] > 300
        assert not st["unrecognized_samples"]
    else:
        assert st["unrecognized"] > 50
        assert len(st["unrecognized_samples"]) == 3
    if not service:
        assert st["blank"] > 50
        assert st["continuation"] > 30


@pytest.mark.parametrize("window", [None, "since", "until"])
@pytest.mark.parametrize("bomb", [b"\n", b"  \t\n", b"x\n", b"  File \"x.py\"\n", b"junk - line\n"])
def test_bombs_are_not_read_line_by_line(bomb: bytes, window: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    """200,000 lines that cannot be records cost line() a handful of calls (the samples), not one
    each: a newline bomb used to take 4 us and a list entry a line (4 MiB: 15 s, 440 MB)."""
    calls = 0
    line = Scanner.line

    def counting(self: Scanner, raw: bytes | bytearray) -> Any:
        nonlocal calls
        calls += 1
        return line(self, raw)

    monkeypatch.setattr(Scanner, "line", counting)
    head = _lines(_heartbeats(range(2), 1), DEBUG.format(s=2, msg="#1 - WebSocket closed"))
    data = head + bomb * 200_000 + head
    summary = Summary()
    bound = datetime(2026, 11, 25, 21, 8, 2)  # between the heartbeats and the close
    bounds: dict[str, Any] = {} if window is None else {window: bound}
    win = None if window is None else Window(**bounds)
    scanner = Scanner(summary, summary.input("miner.log"), YearResolver.for_log(2025), window=win)
    for buf, n in blocks(io.BytesIO(data), 1 << 20):
        scanner.chunk(buf, n)
    stats = summary.inputs["miner.log"]
    assert stats.lines == data.count(b"\n")
    assert stats.blank + stats.continuation + stats.unrecognized == 200_000
    assert calls <= 20, calls  # the records around the bomb and a few samples


def test_listen_bursts() -> None:
    """A burst of LISTENs is skipped in the middle only when nothing in it is new."""
    topics = [f"raid.{i}" for i in range(20)]
    first = [_listen(0, t, 1, nonce=f"n{i}") for i, t in enumerate(topics)]
    again = [_listen(0, t, 40, nonce=f"m{i}") for i, t in enumerate(topics)]
    new_middle = [*again[:10], _listen(0, "raid.77", 41), *again[10:]]
    bad_last = [*again[:-1], _listen(0, topics[-1], 1).replace("21:08:01", "21:08:99")]
    data = _lines(
        first,
        _heartbeats(range(1), 2),
        DEBUG.format(s=30, msg="#0 - WebSocket error: Connection to remote host was lost."),
        again,
        _heartbeats(range(1), 42),
        DEBUG.format(s=43, msg="#0 - WebSocket error: Connection to remote host was lost."),
        new_middle,
        DEBUG.format(s=50, msg="#0 - WebSocket closed"),
        bad_last,
        _heartbeats(range(1), 52),
    )
    doc = _same_everywhere(data)
    assert doc["topics"]["listened"] == 21


def test_span_comes_from_skipped_lines_too() -> None:
    """The first and last times count even when their lines are skipped or have no time."""
    data = _lines(
        "  File \"x.py\", line 1, in <module>",
        _heartbeats(range(2), 3),
        DEBUG.format(s=4, msg="#0 - WebSocket closed"),
        _heartbeats(range(2), 5),
        _heartbeats(range(2), 6)[0].replace("25/11/26", "31/02/26"),
        "",
    )
    doc = _same_everywhere(data)
    assert doc["span"]["first"] == "2026-11-25T21:08:03"
    assert doc["span"]["last"] == "2026-11-25T21:08:05"


def test_odd_bytes_long_lines_and_line_ends() -> None:
    """CRLF, lone CR, NUL, invalid UTF-8 and over-long lines read the same in both paths."""
    long_msg = "#0 - Received: {\"type\":\"MESSAGE\"" + "x" * (MAX_LINE + 10) + "}"
    base = _lines(
        _heartbeats(range(2), 1),
        DEBUG.format(s=2, msg=long_msg),
        DEBUG.format(s=3, msg="#1 - WebSocket error: \xff\x00 [Errno 32] Broken pipe"),
        _heartbeats(range(2), 4),
    )
    for data in (base, base.replace(b"\n", b"\r\n"), base.replace(b"\n", b"\r")):
        doc = _same_everywhere(data)
        assert doc["inputs"][0]["too_long"] == 1
        assert doc["failures"]["by_class"]["broken_pipe"] == 1


def test_blocks_end_at_line_ends_and_reuse_one_buffer() -> None:
    """blocks() yields whole lines from one buffer; chunks() gives the same bytes."""
    data = _lines(_heartbeats(range(5), 1), "x" * (MAX_LINE * 2), _heartbeats(range(5), 2))
    seen: list[bytes] = []
    buffers = set()
    for buf, n in blocks(io.BytesIO(data), 1000):
        buffers.add(id(buf))
        seen.append(bytes(memoryview(buf)[:n]))
    assert all(b.endswith(b"\n") for b in seen)
    assert seen == list(chunks(io.BytesIO(data), 1000))
    joined = b"".join(seen)
    assert joined.count(b"\n") == data.count(b"\n")
    assert b"\0" * (MAX_LINE + 1) + b"\n" in joined
    assert b"x" * 100 not in joined
    assert len(buffers) == 2  # the reused buffer and the too-long-line placeholder


@pytest.fixture
def big_log(tmp_path: Path) -> Path:
    path = tmp_path / "miner.log"
    path.write_bytes(_gen(seed=11, size=1_000_000, connections=10, failure_rate=0.01, outages=1))
    return path


def test_parallel_scan_equals_one_process(big_log: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Byte ranges scanned by forked workers merge into exactly the one-process result."""
    monkeypatch.setattr(pipeline, "PARALLEL_MIN", 1)
    want = Diagnosis.of(analyze(resolve([str(big_log)]), Options(jobs=1, year=2025))).to_dict()
    assert want == Diagnosis.of(analyze(resolve([str(big_log)]), Options(simple=True, year=2025))).to_dict()
    for jobs in (2, 3):
        ticks: list[int] = []
        got = analyze(resolve([str(big_log)]), Options(jobs=jobs, year=2025), ticks.append)
        assert Diagnosis.of(got).to_dict() == want, f"jobs={jobs}"
        assert sum(ticks) == big_log.stat().st_size


def test_mapped_windows_cover_the_range_at_line_ends(tmp_path: Path, line_filter: str) -> None:
    """Map windows hold whole lines of exactly the range; a line longer than a window ends the
    mapping and blocks() reads the rest. Without the C filter (which guards a map against the
    file being cut short) nothing is mapped."""
    data = _lines(_heartbeats(range(5), 1), "x" * 9000, _heartbeats(range(5), 2))
    path = tmp_path / "miner.log"
    path.write_bytes(data)
    start = data.index(b"\n", 100) + 1
    with path.open("rb") as fh:
        parts = [(type(b), bytes(b[begin:end])) for b, begin, end in mapped_blocks(fh, start, len(data), 4096)]
    assert b"".join(p for _, p in parts) == data[start:]
    assert all(p.endswith(b"\n") for _, p in parts)
    kinds = [k.__name__ for k, _ in parts]
    if line_filter == "regex":
        assert set(kinds) == {"bytearray"}
    else:
        assert kinds[0] == "mmap"
        assert kinds[-1] == "bytearray"


def test_analyze_maps_only_files_nobody_writes(big_log: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file untouched for a minute is read through a map, a fresh one is not; the same result."""
    want = Diagnosis.of(analyze(resolve([str(big_log)]), Options(simple=True, year=2025))).to_dict()
    mapped: list[int] = []
    real = pipeline.mapped_blocks  # type: ignore[attr-defined]

    def spy(*args: Any, **kw: Any) -> Any:
        mapped.append(1)
        return real(*args, **kw)

    monkeypatch.setattr(pipeline, "mapped_blocks", spy)
    fresh = Diagnosis.of(analyze(resolve([str(big_log)]), Options(jobs=1, year=2025))).to_dict()
    assert fresh == want
    assert not mapped
    old = big_log.stat().st_mtime - 3600
    os.utime(big_log, (old, old))
    monkeypatch.setattr(pipeline, "PARALLEL_MIN", 1)
    for jobs in (1, 2):
        mapped.clear()
        ticks: list[int] = []
        got = Diagnosis.of(analyze(resolve([str(big_log)]), Options(jobs=jobs, year=2025), ticks.append)).to_dict()
        assert got == want, f"jobs={jobs}"
        assert sum(ticks) == big_log.stat().st_size
        assert mapped == ([1] if scan.scanner_maps() else [])  # this process's range (workers fork)


def test_worker_errors_reach_the_caller(big_log: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An exception in a forked worker is raised in the parent, and no worker is left behind."""
    monkeypatch.setattr(pipeline, "PARALLEL_MIN", 1)
    real = pipeline._scan_part

    def failing(source: Source, opts: Options, start: int = 0, *a: Any, **kw: Any) -> Any:
        if start:
            raise ValueError("worker broke")
        return real(source, opts, start, *a, **kw)

    monkeypatch.setattr(pipeline, "_scan_part", failing)
    with pytest.raises(ValueError, match="worker broke"):
        analyze(resolve([str(big_log)]), Options(jobs=2))


def test_stdin_gives_the_file_result(big_log: Path) -> None:
    """`cat log | wsdiag analyze -` reports what `wsdiag analyze log` does."""
    from_file = run_cli("analyze", "--format", "json", "--year", "2025", str(big_log))
    from_pipe = run_cli("analyze", "--format", "json", "--year", "2025", "-", stdin=big_log.read_bytes())
    assert from_file.returncode == from_pipe.returncode == 0
    assert from_file.stdout.replace(str(big_log).encode(), b"<stdin>") == from_pipe.stdout
    assert b"analysing" not in from_file.stderr  # no progress bar into a pipe


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal_for_big_inputs() -> None:
    """The bar is drawn on a terminal stderr for big inputs, never into a pipe or for small ones."""
    big = [Source("big.log", Path("big.log"), SHOW_FROM + 1, None)]
    small = [Source("small.log", Path("small.log"), 1000, None)]
    with bar(big, io.StringIO(), _Tty()) as tick:
        assert tick is None
    with bar(small, _Tty(), _Tty()) as tick:
        assert tick is None
    err = _Tty()
    with bar(big, err, _Tty()) as tick:
        assert tick is not None
        tick(SHOW_FROM // 2)
    assert "analysing" in err.getvalue()


def test_stamp_times_parsed_once_a_day_match_the_parser() -> None:
    """A stamp's time from its day plus H:M:S is split_line()'s, invalid ones included, for
    every dated stamp shape, and behind a `docker logs -t` time that stands in for invalid ones."""
    from wsdiag.read.layouts import split_line
    from wsdiag.read.linefilter import head
    from wsdiag.read.stamps import NO_WRAPPER, STAMPS, WRAPPERS

    docker = next(w for w in WRAPPERS if w.name == "docker-t")
    summary = Summary()
    scanner = Scanner(summary, summary.input("x"), YearResolver.for_log(2025))
    stamps = [
        (f"{d}/{m}/{y} {h}:{mi}:{s} - DEBUG - x", (2, "/", 2, 2))
        for d in ("01", "29", "31", "13")
        for m in ("02", "12", "13", "11")
        for y in ("25", "00")
        for h in ("00", "23", "24")
        for mi in ("00", "59", "60")
        for s in ("00", "07", "59", "60", "99")
    ] + [
        (f"{y}-{m}-{d} {h}:07:59 - INFO - [f]: x", (4, "-", 2, 2))
        for y in ("2025", "0000", "9999") for m in ("02", "13") for d in ("28", "30") for h in ("23", "24")
    ] + [(f"{m}.{d}.26 10:00:00 - x", (2, ".", 2, 2)) for m in ("08", "13") for d in ("14", "31")]
    for text, key in stamps:
        for wrapper, before in ((NO_WRAPPER, ""), (docker, "2024-05-06T07:08:09.123456789Z ")):
            raw = (before + text).encode()
            want = split_line(raw.decode(), YearResolver(2025, False))[0].time
            assert scanner.time_at(raw, 0, head(wrapper, STAMPS[key])) == want, raw
    stood_in = scanner.time_at(b"2024-05-06T07:08:09Z 31/02/25 10:00:00 - x", 0, head(docker, STAMPS[(2, "/", 2, 2)]))
    assert stood_in is not None
    assert stood_in.year == 2024


def test_mixed_layouts_count_each_line_in_its_own() -> None:
    """File and console lines mixed in one log (and chunk) are counted in their own layouts."""
    import re

    lines = _gen(seed=9, size=300_000, connections=6, failure_rate=0.02).split(b"\n")
    module = re.compile(rb" - [A-Za-z_][\w.]* - \[")
    mixed = [module.sub(b" - [", line, count=1) if i % 7 < 3 else line for i, line in enumerate(lines)]
    doc = _same_everywhere(b"\n".join(mixed))
    assert doc["inputs"][0]["layout"] == "mixed"


def test_year_less_logs_keep_their_years() -> None:
    """Year-less lines skipped unread still get the year line() would give them, across New
    Year, impossible dates and lines of other shapes between them."""
    beat = '{d} {t} - #1 - Received: {{ "type": "PONG" }}'
    lines = [f"{d} 10:00:0{s} - #1 - Send: {{\"type\":\"LISTEN\",\"nonce\":\"n\",\"data\":{{\"topics\":[\"raid.1\"]}}}}" for d, s in [("30/12", 0)]]
    for day in ("30/12", "31/12", "00/12", "31/02", "1/01", "01/01", "15/13", "02/01"):
        lines += [beat.format(d=day, t=f"23:5{i}:00") for i in range(3)]
        lines.append("Traceback (most recent call last):")
        lines += [beat.format(d=day, t=f"23:5{i}:30") for i in range(3, 6)]
    lines.append("02/01 10:00:00 - #1 - WebSocket error: [Errno 32] Broken pipe")
    lines += [beat.format(d="02/01", t="10:00:01")] * 3
    data = ("\n".join(lines) + "\n").encode()
    doc = _same_everywhere(data)
    assert doc["failures"]["total"] == 1
    assert doc["span"]["last"].startswith("2026-01-02")
    assert doc["span"]["first"].startswith("2025-12-30")


def _prefixed(data: bytes, *services: bytes) -> bytes:
    """Each line behind a `docker compose logs` service name, taking turns between services."""
    lines = data.split(b"\n")[:-1]
    return b"".join(services[i % len(services)] + line + b"\n" for i, line in enumerate(lines))


@pytest.mark.parametrize(
    "cfg",
    [
        {"seed": 21, "size": 300_000, "connections": 6, "failure_rate": 0.03},
        {"seed": 22, "size": 300_000, "connections": 6, "layout": "console", "failure_rate": 0.03},
        {"seed": 23, "size": 200_000, "connections": 6, "layout": "less", "year_rollover": True, "failure_rate": 0.03},
    ],
    ids=["file", "console", "less"],
)
def test_docker_service_prefixes_are_cut_and_read_alike(cfg: dict[str, Any]) -> None:
    """A log behind `miner  | ` (tracebacks included) gives the reference document; so does one
    whose lines alternate between two services, which is not cut."""
    data = _gen(**cfg)
    plain = _same_everywhere(data)
    one = _same_everywhere(_prefixed(data, b"twitch-miner  | "))
    assert one["failures"] == plain["failures"]
    assert one["inputs"][0]["lines"] == plain["inputs"][0]["lines"]
    # `miner  |   File ...` is the traceback line it is without the prefix.
    assert one["inputs"][0]["continuation"] == plain["inputs"][0]["continuation"]
    assert plain["inputs"][0]["continuation"] > 0 or cfg.get("layout") == "less"  # the less logs have none
    assert one["inputs"][0]["unrecognized"] == plain["inputs"][0]["unrecognized"] == 0
    _same_everywhere(_prefixed(data, b"miner-1  | ", b"miner-2  | "))


@pytest.mark.parametrize("wrapper", [w for w in genlog.WRAPPERS if w != "none"])
@pytest.mark.parametrize("layout", ["file", "console", "less"])
def test_collectors_prefixes_are_read_alike(layout: str, wrapper: str) -> None:
    """A log behind each collector's prefix gives the reference document, and the counts of the
    same log without the prefix; the fast path skips its heartbeats all the same."""
    cfg = {"seed": 31, "size": 150_000, "connections": 6, "layout": layout, "failure_rate": 0.03,
           "wrapper": wrapper, "year_rollover": layout == "less"}  # fmt: skip
    data = _gen(**cfg)
    doc = _same_everywhere(data)
    bare = _scan(_gen(**{**cfg, "wrapper": "none"}), None)
    for key in ("failures", "reconnects", "closes", "topics", "span"):
        assert doc[key] == bare[key], key
    assert doc["inputs"][0]["lines"] == bare["inputs"][0]["lines"]
    for key in ("unrecognized", "continuation", "blank"):  # a traceback behind the prefix too
        assert doc["inputs"][0][key] == bare["inputs"][0][key], key
    assert doc["inputs"][0]["unrecognized"] == 0
    fmt = linefilter.FILTERS.format_of(data, len(data))
    assert (fmt.wrapper.name, fmt.layout) == (wrapper, layout)


@pytest.mark.parametrize("wrapper", [w for w in genlog.WRAPPERS if w != "none"])
def test_a_traceback_behind_a_collectors_prefix_is_a_continuation(wrapper: str) -> None:
    """Traceback lines behind each collector's prefix count as continuations, as they do without
    it, on both paths: none is unrecognized (they were, and `analyze` warned about them)."""
    cfg = {"seed": 22, "size": 300_000, "connections": 6, "layout": "console", "failure_rate": 0.03}
    doc = _same_everywhere(_gen(**cfg, wrapper=wrapper))["inputs"][0]
    bare = _scan(_gen(**cfg), None)["inputs"][0]
    assert bare["continuation"] == 16
    assert (doc["continuation"], doc["unrecognized"], doc["blank"]) == (16, 0, bare["blank"])


@pytest.mark.parametrize("wrapper", ["docker-t", "desktop", "fly", "journald", "compose-t"])
def test_a_collectors_time_stands_in_where_split_line_lets_it(wrapper: str) -> None:
    """Lines whose own stamp is not a date (31/02) take the time of a `docker logs -t`, Docker
    Desktop or Fly.io prefix, not that of journald or `compose logs -t`; alike in both paths,
    when they are read and when they are skipped."""
    before = {
        "docker-t": "2024-06-01T10:00:{s:02d}.5Z ", "desktop": "2024-06-01 10:00:{s:02d} miner-1  | ",
        "fly": "2024-06-01T10:00:{s:02d}Z app[ab12] ams [info]", "journald": "Jun 01 10:00:{s:02d} pi python3[9]: ",
        "compose-t": "miner-1  | 2024-06-01T10:00:{s:02d}.5Z ",
    }[wrapper]
    lines = []
    for s in range(0, 50, 2):
        day = "31/02/26" if s in (0, 2, 24, 48) else "25/11/26"
        lines.append(before.format(s=s) + SEND.format(s=s, msg='#1 - Send: {"type":"PING"}').replace("25/11/26", day))
        lines.append(before.format(s=s + 1) + DEBUG.format(s=s + 1, msg="#1 - Received: {\"type\":\"PONG\"}").replace("25/11/26", day))
        if s == 24:
            lines.append(before.format(s=s) + DEBUG.format(s=s, msg="#1 - WebSocket closed").replace("25/11/26", day))
    doc = _same_everywhere(("\n".join(lines) + "\n").encode())
    stands_in = wrapper in ("docker-t", "desktop", "fly")
    assert doc["span"]["first"] == ("2024-06-01T10:00:00" if stands_in else "2026-11-25T21:08:04")
    assert doc["span"]["last"] == ("2024-06-01T10:00:49" if stands_in else "2026-11-25T21:08:47")


def test_a_prefix_that_makes_a_line_too_long_is_not_cut() -> None:
    """A line that only the prefix pushes over MAX_LINE is counted too long, as line() counts it."""
    service = b"a-very-long-service-name-for-this-miner  | "
    long_msg = "#0 - Received: {\"type\":\"MESSAGE\"" + "x" * (MAX_LINE - 140) + "}"
    data = _lines(_heartbeats(range(2), 1), DEBUG.format(s=2, msg=long_msg), _heartbeats(range(2), 3))
    assert len(data.split(b"\n")[6]) <= MAX_LINE < len(service + data.split(b"\n")[6])
    doc = _same_everywhere(_prefixed(data, service))
    assert doc["inputs"][0]["too_long"] == 1


@pytest.mark.parametrize("year", [2025, None])
def test_year_less_logs_split_across_workers_equal_one_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, year: int | None) -> None:
    """A year-less log crossing New Year, cut into ranges for workers, each starting from the year
    the log has there (predicted from a dated line every few bytes), gives the one-pass result,
    with a given year or an assumed one; no range is read twice."""
    path = tmp_path / "miner.log"
    path.write_bytes(_gen(seed=41, size=600_000, connections=8, layout="less", year_rollover=True, failure_rate=0.02))
    monkeypatch.setattr(pipeline, "PARALLEL_MIN", 1)
    monkeypatch.setattr(pipeline, "CHUNK", 64 * 1024)
    want = Diagnosis.of(analyze(resolve([str(path)]), Options(jobs=1, year=year))).to_dict()
    assert want["span"]["first"][:4] != want["span"]["last"][:4]  # New Year inside
    calls: list[int] = []
    real = pipeline._scan_part

    def spy(*args: Any, **kw: Any) -> Any:
        calls.append(1)
        return real(*args, **kw)

    monkeypatch.setattr(pipeline, "_scan_part", spy)
    for jobs in (2, 3):
        calls.clear()
        got = Diagnosis.of(analyze(resolve([str(path)]), Options(jobs=jobs, year=year))).to_dict()
        assert got == want, f"jobs={jobs}"
        assert len(calls) == 1  # the parent's own range; the workers' ranges were right at once


@pytest.mark.parametrize("cut", [0.3, 0.96])  # New Year is at 93%
def test_rotated_year_less_files_split_across_workers_continue_each_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cut: float
) -> None:
    """The halves of a year-less log crossing New Year (before or after the cut), each cut into
    ranges for workers: the second half continues the year the first ended in, as one pass
    over both does."""
    data = _gen(seed=43, size=600_000, connections=8, layout="less", year_rollover=True, failure_rate=0.02)
    at = data.index(b"\n", int(len(data) * cut)) + 1
    (tmp_path / "miner.log.1").write_bytes(data[:at])
    (tmp_path / "miner.log").write_bytes(data[at:])
    names = [str(tmp_path / "miner.log"), str(tmp_path / "miner.log.1")]
    monkeypatch.setattr(pipeline, "PARALLEL_MIN", 1)
    monkeypatch.setattr(pipeline, "CHUNK", 64 * 1024)
    for year in (2025, None):
        want = Diagnosis.of(analyze(resolve(names), Options(jobs=1, year=year))).to_dict()
        assert want["span"]["first"][:4] != want["span"]["last"][:4]  # New Year inside
        for jobs in (2, 3):
            got = Diagnosis.of(analyze(resolve(names), Options(jobs=jobs, year=year))).to_dict()
            assert got == want, f"jobs={jobs} year={year}"


def test_a_wrongly_predicted_year_less_range_is_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the samples miss New Year (August, then December and January, then March in one
    range), the next range's predicted year is wrong: it is read again from the year the range
    before it ended in, and the result is the one-pass result."""
    beat = '{d} 10:00:{s:02d} - #1 - Received: {{"type":"PONG"}}'
    lines = [beat.format(d=d, s=s) for d, n in (("15/08", 10), ("20/12", 10), ("02/01", 10), ("10/03", 70)) for s in range(60) for _ in range(n)]
    lines.insert(len(lines) // 2 + 1, "10/03 10:00:00 - #1 - WebSocket error: [Errno 32] Broken pipe")
    path = tmp_path / "miner.log"
    path.write_bytes(("\n".join(lines) + "\n").encode())
    monkeypatch.setattr(pipeline, "PARALLEL_MIN", 1)
    monkeypatch.setattr(pipeline, "CHUNK", 1 << 30)  # sample only where the ranges start
    want = Diagnosis.of(analyze(resolve([str(path)]), Options(jobs=1, year=2025))).to_dict()
    calls: list[tuple[Any, ...]] = []
    real = pipeline._scan_part

    def spy(*args: Any, **kw: Any) -> Any:
        calls.append(args)
        return real(*args, **kw)

    monkeypatch.setattr(pipeline, "_scan_part", spy)
    got = Diagnosis.of(analyze(resolve([str(path)]), Options(jobs=2, year=2025))).to_dict()
    assert got == want
    assert want["span"]["last"].startswith("2026-03-10")
    assert want["failures"]["total"] == 1
    assert len(calls) == 2  # the parent's range, then the worker's again


HERMES = "25/11/26 21:{m:02d}:{s:02d} - DEBUG - TwitchChannelPointsMiner.classes.websocket.hermes.Client - [{func}]: {msg}"


def _hermes_id(*parts: int) -> str:
    return ("h" + "-".join(str(p) for p in parts) + "_x" * 10)[:21]


def _hermes_run(conn: int, uuid: str, run: int, topics: int, m: int, welcome: bool = True) -> list[str]:
    """One Hermes client of slot ``conn`` (mpforce1, FORKS-2026.md 1.6): a welcome, a subscribe
    per topic (new ids and timestamps each run) and its answer, keepalives and notifications."""
    d = f"#{conn} - {uuid}"
    stamp = f"2025-11-25T21:{m:02d}:01.{run:03d}Z"
    out = []
    if welcome:
        frame = f'{{"welcome":{{"keepaliveSec":10,"sessionId":"s{run}"}},"id":"{_hermes_id(run)}","type":"welcome","timestamp":"{stamp}"}}'
        out.append(HERMES.format(m=m, s=1, func="on_message", msg=f"{d} - Received: {frame}"))
    for i in range(topics):
        req, sub = _hermes_id(conn, run, i, 1), _hermes_id(conn, run, i, 2)
        send = (
            f'{{"type":"subscribe","id":"{req}","subscribe":{{"id":"{sub}","type":"pubsub","pubsub":'
            f'{{"topic":"video-playback-by-id.{conn}{i}"}}}},"timestamp":"{stamp}"}}'
        )
        out.append(HERMES.format(m=m, s=2, func="__send_request", msg=f"{d} - Send: {send}"))
    for i in range(topics):
        req, sub = _hermes_id(conn, run, i, 1), _hermes_id(conn, run, i, 2)
        result = "error" if (conn, run, i) == (1, 2, 0) else "ok"
        ok = (
            f'{{"subscribeResponse":{{"subscription":{{"id":"{sub}"}},"result":"{result}"}},"id":"{_hermes_id(run, i)}",'
            f'"parentId":"{req}","type":"subscribeResponse","timestamp":"{stamp}"}}'
        )
        out.append(HERMES.format(m=m, s=3, func="on_message", msg=f"{d} - Received: {ok}"))
    for s in range(4, 40, 10):
        keepalive = f'{{"id":"{_hermes_id(run, s)}","type":"keepalive","timestamp":"{stamp}"}}'
        out.append(HERMES.format(m=m, s=s, func="on_message", msg=f"{d} - Received: {keepalive}"))
        note = (
            f'{{"notification":{{"subscription":{{"id":"{_hermes_id(conn, run, 0, 2)}"}},"type":"pubsub",'
            f'"pubsub":"{{\\"type\\":\\"viewcount\\",\\"viewers\\":{s}}}"}},"id":"n{s}","type":"notification","timestamp":"{stamp}"}}'
        )
        out.append(HERMES.format(m=m, s=s + 1, func="on_message", msg=f"{d} - Received: {note}"))
    return out


UUIDS = [f"{i:08x}-0b1a-4c39-9d35-2a1f5f0c6e11" for i in range(12)]


def test_hermes_debug_log_equals_reference() -> None:
    """A Hermes DEBUG log (keepalives, notifications and accepted subscriptions skipped for a
    known id; subscribe requests that differ only by uuid, ids and timestamp replayed) gives the
    reference document whatever the block size: its topics, the refused subscription, each
    slot's reconnects."""
    parts = []
    for run in range(4):
        for conn in range(3):
            parts += _hermes_run(conn, UUIDS[run * 3 + conn], run, 5, m=run * 2 + 1)
            if run < 3:
                msg = f"#{conn} - {UUIDS[run * 3 + conn]} - Reconnecting to Twitch Hermes server in ~30 seconds"
                parts.append(HERMES.format(m=run * 2 + 2, s=conn, func="__reconnect", msg=msg))
    doc = _same_everywhere(_lines(parts))
    assert doc["client"] == "hermes"
    assert doc["topics"]["listened"] == 15
    assert doc["reconnects"]["count"] == 9
    assert doc["failures"]["by_class"]["rejected"] == 1


def test_hermes_reconnects_told_by_uuids_of_replayed_subscribes() -> None:
    """Where only subscribe requests carry a slot's new uuid (no reconnect line, no welcome), the
    fast path replays each request read before with its own line's uuid: new uuids are new
    connections on both paths."""
    parts = []
    for run in range(3):
        parts += _hermes_run(0, UUIDS[run], run, 4, m=run + 1, welcome=False)
    doc = _same_everywhere(_lines(parts))
    assert doc["reconnects"]["count"] == 2
    assert doc["connections"]["per_connection"]["0"]["reconnects"] == 2


def test_hermes_subscribe_bursts_read_new_topics_between_their_ends() -> None:
    """A reconnect's subscribe requests are skipped between the first and the last only when
    the slot has each one's topic already: a topic first sent in the middle is counted."""
    parts = _hermes_run(0, UUIDS[0], 0, 3, m=1) + _hermes_run(0, UUIDS[1], 1, 6, m=2) + _hermes_run(0, UUIDS[2], 2, 6, m=3)
    doc = _same_everywhere(_lines(parts))
    assert doc["topics"]["listened"] == 6


def test_hermes_subscribe_burst_ends_at_another_clients_line() -> None:
    """A burst of subscribe requests is one client's: a line of another client (another uuid)
    in the middle, even with a topic known, ends it and is read, so its new uuid is a new
    connection on both paths."""
    first = _hermes_run(0, UUIDS[0], 0, 4, m=1)
    again = _hermes_run(0, UUIDS[1], 1, 4, m=2)
    sends = [i for i, line in enumerate(again) if '"type":"subscribe"' in line]
    foreign = _hermes_run(0, UUIDS[5], 2, 4, m=2, welcome=False)
    other = next(line for line in foreign if '"type":"subscribe"' in line)
    again.insert(sends[2], other)
    doc = _same_everywhere(_lines(first + again))
    assert doc["topics"]["listened"] == 4
    # UUIDS[0] -> UUIDS[1] -> UUIDS[5]; back to UUIDS[1], a client seen already, is no new one.
    assert doc["connections"]["per_connection"]["0"]["reconnects"] == 2


def test_a_hermes_keepalive_of_an_id_known_from_pubsub_lines_is_read() -> None:
    """An alive payload names the client when it carries a Hermes uuid or frame: a filter that
    knows the id from earlier PubSub lines still reads the first such line, so that the log is
    a Hermes one on every path and in every chunking, as on the reference path."""
    pubsub = "25/11/26 21:00:{s:02d} - DEBUG - TwitchChannelPointsMiner.classes.WebSocketsPool - [on_message]: #0 - Received: {{\"type\":\"PONG\"}}"
    keepalive = f'#0 - {UUIDS[0]} - Received: {{"id":"k1","type":"keepalive","timestamp":"2025-11-26T21:05:00Z"}}'
    parts = [pubsub.format(s=s) for s in range(0, 60, 2)] + [HERMES.format(m=5, s=0, func="on_message", msg=keepalive)]
    doc = _same_everywhere(_lines(parts))
    assert doc["client"] == "hermes"


def test_answers_to_a_reconnects_listens_are_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A reconnect's LISTENs are answered one by one, each with its own nonce: for an id the
    filter does not know yet, the first answer is parsed and the others replay its record."""
    nonces = [f"N{i:03d}x{i * 7919 % 1000:03d}" for i in range(40)]
    answer = '#5 - Received: {{"type":"RESPONSE","error":"","nonce":"{n}"}}'
    data = _lines([DEBUG.format(s=i % 60, msg=answer.format(n=n)) for i, n in enumerate(nonces)])
    parsed = _parsed_lines(monkeypatch)
    summary = Summary()
    Scanner(summary, summary.input("miner.log"), YearResolver.for_log(2025)).chunk(data)
    assert parsed == [1]
    assert summary.ids == {5}
    monkeypatch.undo()
    _same_everywhere(data)


def test_a_line_read_for_one_id_is_not_parsed_again_for_another(monkeypatch: pytest.MonkeyPatch) -> None:
    """A line read for one connection gives the record of the same line of another but for its
    id: an error met on #1 is parsed once, and #2 to #6 each count their own failure."""
    error = "#{c} - WebSocket error: [Errno 104] Connection reset by peer"
    data = _lines([INFO.format(s=c, func="on_error", msg=error.format(c=c)) for c in range(1, 7)])
    parsed = _parsed_lines(monkeypatch)
    summary = Summary()
    Scanner(summary, summary.input("miner.log"), YearResolver.for_log(2025)).chunk(data)
    assert parsed == [1]
    assert {c: dict(s.by_class) for c, s in summary.conns.items()} == {
        c: {"connection_reset": 1} for c in range(1, 7)
    }
    monkeypatch.undo()
    doc = _same_everywhere(data)
    assert sorted(doc["connections"]["ids"]) == [1, 2, 3, 4, 5, 6]


def test_a_hermes_line_read_for_one_client_is_not_parsed_again_for_another(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A Hermes line names the client's uuid after the id, new on each reconnect: an error read
    for #1 and one client replays for #2 and another, with that line's id and uuid."""
    error = "#{c} - {u} - WebSocket error: [Errno 32] Broken pipe"
    data = _lines([HERMES.format(m=5, s=c, func="on_error", msg=error.format(c=c, u=UUIDS[c])) for c in range(1, 5)])
    parsed = _parsed_lines(monkeypatch)
    summary = Summary()
    Scanner(summary, summary.input("miner.log"), YearResolver.for_log(2025)).chunk(data)
    assert parsed == [1]
    assert {c: set(s.uuids) for c, s in summary.conns.items()} == {c: {UUIDS[c]} for c in range(1, 5)}
    monkeypatch.undo()
    _same_everywhere(data)


def test_an_id_in_another_spelling_is_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only an id in its own spelling stands for any other: `#07` is parsed (and read as 7)."""
    error = "#{c} - WebSocket error: [Errno 32] Broken pipe"
    data = _lines([INFO.format(s=i, func="on_error", msg=error.format(c=c)) for i, c in enumerate(["7", "07", "8"])])
    parsed = _parsed_lines(monkeypatch)
    summary = Summary()
    Scanner(summary, summary.input("miner.log"), YearResolver.for_log(2025)).chunk(data)
    assert parsed == [2]
    assert summary.conns[7].by_class == {"broken_pipe": 2}
    monkeypatch.undo()
    _same_everywhere(data)


def _one_listen(conn: int, topic: str, extra: str = "") -> str:
    payload = '{"type":"LISTEN","nonce":"n%s","data":{"topics":[%s]%s,"auth_token":"abc"}}'
    return SEND.format(s=conn, msg=f"#{conn} - Send: " + payload % (conn, topic, extra))


def test_a_listen_of_a_new_topic_is_replayed_from_its_burst(monkeypatch: pytest.MonkeyPatch) -> None:
    """A burst's LISTEN of a topic not met before differs from the burst's first in the topic
    alone: it is replayed with its own topic, not parsed, and every topic is counted."""
    topics = [f'"community-points-user-v1.{n}"' for n in range(1000, 1030)]
    topics += [f'"video-playback-by-id.{n}"' for n in range(5000, 5030)]
    data = _lines([_one_listen(3, t) for t in topics])
    parsed = _parsed_lines(monkeypatch)
    summary = Summary()
    Scanner(summary, summary.input("miner.log"), YearResolver.for_log(2025)).chunk(data)
    assert parsed == [1]
    assert len(summary.conns[3].topics) == 60
    monkeypatch.undo()
    doc = _same_everywhere(data)
    assert doc["topics"]["listened"] == 60


@pytest.mark.parametrize(
    ("topic", "extra", "listened"),
    [
        pytest.param('"raid.2","raid.3"', "", 12, id="two topics"),
        pytest.param('"Raid.2"', "", 11, id="upper case"),
        pytest.param('"raid.2"', ',"topics":["raid.9"]', 11, id="a second list"),
        pytest.param('"raid"', "", 11, id="no channel id"),
    ],
)
def test_a_listen_of_another_shape_is_parsed(topic: str, extra: str, listened: int) -> None:
    """A LISTEN that names more than one topic, or one not of the miner's shape, or holds a
    second topic list, is parsed: both paths and every chunking count its topics alike."""
    lines = [_one_listen(3, f'"raid.{n}"') for n in range(100, 110)]
    lines.insert(5, _one_listen(3, topic, extra))
    doc = _same_everywhere(_lines(lines))
    assert doc["topics"]["listened"] == listened


def test_no_text_found_anywhere_in_a_message_can_be_made_of_a_topic() -> None:
    """A topic of the miner's shape (lower-case words, digits, dots, dashes) cannot hold a text
    the table looks for anywhere in a message: so two LISTENs that differ in such a topic alone
    are read by the same template, and one's record is the other's but for the topic."""
    topic_bytes = set(b"abcdefghijklmnopqrstuvwxyz0123456789.-")
    f = linefilter.FILTERS
    for text in (*f.texts, *f.less_texts, *f.debug_texts):
        assert not set(text) <= topic_bytes, text
