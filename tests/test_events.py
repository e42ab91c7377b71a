"""`wsdiag events`: one line per counted failure, in log order, streamed; totals equal analyze's."""

from __future__ import annotations

import io
import json
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import ROOT, SAMPLES
from wsdiag.cli import app
from wsdiag.commands.events import EventStream, in_log_order
from wsdiag.diagnose.diagnosis import Diagnosis
from wsdiag.parse.records import FailureEvent
from wsdiag.pipeline import Options, analyze
from wsdiag.read.sources import resolve

sys.path.insert(0, str(ROOT / "benchmarks"))
import genlog

runner = CliRunner()
EXPECTED: dict[str, dict[str, Any]] = json.loads((SAMPLES / "EXPECTED.json").read_text())
SAMPLE_NAMES = sorted(EXPECTED)


def events_cli(*args: str) -> list[dict[str, Any]]:
    result = runner.invoke(app, ["events", "--year", "2025", *args])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def analyze_doc(*paths: Path, year: int | None = 2025) -> dict[str, Any]:
    summary = analyze(resolve([str(p) for p in paths]), Options(year=year, jobs=1))
    return Diagnosis.of(summary).to_dict()


def stream(*paths: Path, year: int | None = 2025) -> tuple[list[FailureEvent], EventStream]:
    opts = Options(year=year, jobs=1)
    s = EventStream(in_log_order(resolve([str(p) for p in paths]), opts), opts)
    return list(s), s


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_total_equals_analyze_on_every_sample(name: str) -> None:
    """The number of event lines is analyze's failures.total, class by class and connection by connection."""
    evs = events_cli(str(SAMPLES / name))
    doc = analyze_doc(SAMPLES / name)
    assert len(evs) == doc["failures"]["total"] == EXPECTED[name]["failures_total"]
    by_class = {c: sum(1 for e in evs if e["class"] == c) for c in doc["failures"]["by_class"]}
    assert by_class == doc["failures"]["by_class"]
    for conn, stats in doc["connections"]["per_connection"].items():
        assert sum(1 for e in evs if e["connection"] == int(conn)) == stats["failures"], conn
    assert sum(1 for e in evs if e["connection"] is None) == doc["failures"]["without_connection"]


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_events_are_in_time_order(name: str) -> None:
    """Event times never go backwards (null times are placed where their line is)."""
    times = [e["time"] for e in events_cli(str(SAMPLES / name)) if e["time"] is not None]
    assert times == sorted(times)


def test_total_equals_analyze_on_the_corpus(corpus: Path) -> None:
    """Every real log of the corpus: events total equals analyze's failures.total."""
    logs = sorted(corpus.glob("*.log"))
    assert logs
    for log in logs:
        evs, s = stream(log, year=None)
        assert len(evs) == analyze_doc(log, year=None)["failures"]["total"], log.name
        assert s.summary.failures_total == len(evs), log.name
        assert s.mismatch == 0, log.name


def test_generated_log_with_outages_and_echoes(tmp_path: Path) -> None:
    """A generated DEBUG log with echoes, tracebacks and outages: exact total, in order, no mismatch."""
    buf = io.BytesIO()
    cfg = genlog.GenConfig(seed=7, size=1_500_000, failure_rate=0.02, outages=2, connections=12)
    expected = genlog.generate(cfg, buf)
    path = tmp_path / "gen.log"
    path.write_bytes(buf.getvalue())
    evs, s = stream(path, year=None)
    assert len(evs) == expected.failures_total == analyze_doc(path, year=None)["failures"]["total"]
    assert expected.failures_total > 100
    assert s.mismatch == 0
    times = [e.time for e in evs if e.time is not None]
    assert times == sorted(times)


def test_several_inputs_in_either_order_give_the_whole_logs_events(tmp_path: Path) -> None:
    """Halves of a log, given second half first, export exactly the whole log's event lines."""
    src = SAMPLES / "storm_37conn.log"
    lines = src.read_bytes().splitlines(keepends=True)
    a, b = tmp_path / "a.log", tmp_path / "b.log"
    a.write_bytes(b"".join(lines[:9]))  # cut between `#25 - WebSocket error` and its echo
    b.write_bytes(b"".join(lines[9:]))
    assert events_cli(str(b), str(a)) == events_cli(str(src))


def test_tsv_has_the_same_rows_as_jsonl() -> None:
    """tsv: time, connection, class, message per line; empty cells for null."""
    name = str(SAMPLES / "outage.log")
    rows = runner.invoke(app, ["events", "--format", "tsv", name]).stdout.splitlines()
    evs = events_cli(name)
    assert len(rows) == len(evs) == 17
    for row, ev in zip(rows, evs, strict=True):
        time_, conn, cls, message = row.split("\t")
        assert time_ == (ev["time"] or "")
        assert conn == ("" if ev["connection"] is None else str(ev["connection"]))
        assert (cls, message) == (ev["class"], ev["message"])
    assert rows[0] == "2025-06-14T20:41:04\t3\tdns\t[Errno -3] Temporary failure in name resolution"


def test_class_and_connection_filters() -> None:
    """--class and --connection (repeatable) keep only matching events."""
    name = str(SAMPLES / "storm_37conn.log")
    assert len(events_cli(name, "--class", "ping_pong")) == 38
    assert len(events_cli(name, "--class", "ssl", "--class", "broken_pipe")) == 4
    assert len(events_cli(name, "--connection", "12")) == 6
    only = events_cli(name, "--connection", "12", "--connection", "0", "--class", "ping_pong")
    assert {e["connection"] for e in only} <= {0, 12}
    assert all(e["class"] == "ping_pong" for e in only)


def test_unknown_class_exits_2() -> None:
    """A misspelt class is exit 2 naming the valid ones."""
    result = runner.invoke(app, ["events", "--class", "pingpong", str(SAMPLES / "outage.log")])
    assert result.exit_code == 2
    assert "unknown class pingpong" in result.stderr
    assert "ping_pong" in result.stderr


def test_tokens_are_redacted() -> None:
    """Planted OAuth tokens never appear in exported messages."""
    for name in SAMPLE_NAMES:
        for fmt in ("jsonl", "tsv"):
            out = runner.invoke(app, ["events", "--format", fmt, str(SAMPLES / name)]).stdout
            for token in EXPECTED[name]["tokens"]:
                assert token not in out, name


def test_since_window_applies_to_events() -> None:
    """--since keeps the events analyze counts in the same window."""
    evs = events_cli(str(SAMPLES / "storm_37conn.log"), "--since", "1h")
    assert len(evs) == 15
    assert min(e["time"] for e in evs) >= "2025-11-21T21:01:36"


def test_output_file(tmp_path: Path) -> None:
    """-o writes the events to a file and nothing to stdout."""
    out = tmp_path / "events.jsonl"
    result = runner.invoke(app, ["events", "-o", str(out), str(SAMPLES / "bad_auth.log")])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert [json.loads(line)["class"] for line in out.read_text().splitlines()] == ["bad_auth"] * 3


def _events_on_a_pipe() -> subprocess.Popen[bytes]:
    """`wsdiag events` reading a pipe that the test writes to."""
    return subprocess.Popen(
        [sys.executable, "-m", "wsdiag", "events", "--year", "2025"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )


def test_events_stream_before_the_input_ends() -> None:
    """A live pipe (`tail -f log | wsdiag events`): events come out while stdin is still open."""
    proc = _events_on_a_pipe()
    assert proc.stdin is not None
    assert proc.stdout is not None
    try:
        # Up to 19:25:12: #25's error at 19:22:28 is more than SETTLE_SECONDS in the past.
        head = b"".join((SAMPLES / "storm_37conn.log").read_bytes().splitlines(keepends=True)[:18])
        proc.stdin.write(head)
        proc.stdin.flush()
        ready, _, _ = select.select([proc.stdout], [], [], 30)
        assert ready, "no event before the end of input"
        first = json.loads(proc.stdout.readline())
        assert first["time"] == "2025-11-21T19:22:28"
        assert first["connection"] == 25
        assert proc.poll() is None  # still waiting for more input
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)
        proc.stdout.close()
        assert proc.stderr is not None
        proc.stderr.close()
    assert proc.returncode == 0


def test_time_running_backwards_is_reported(tmp_path: Path) -> None:
    """If the clock jumps back onto a run already released, the difference to analyze is warned about."""
    echo = "21/11/25 {} - ERROR - websocket - [error]: [Errno 104] Connection reset by peer - goodbye\n"
    closed = (
        "21/11/25 {} - INFO - TwitchChannelPointsMiner.classes.WebSocketsPool - [on_close]: "
        "#1 - WebSocket closed\n"
    )
    error = (
        "21/11/25 {} - ERROR - TwitchChannelPointsMiner.classes.WebSocketsPool - [on_error]: "
        "#0 - WebSocket error: [Errno 104] Connection reset by peer\n"
    )
    head = echo.format("10:00:00") + closed.format("11:00:00")
    tail = error.format("10:00:02")  # 2 s after the echo: analyze folds the two into one event
    log = tmp_path / "clock.log"
    log.write_text(head + tail)
    assert analyze_doc(log)["failures"]["total"] == 1
    proc = _events_on_a_pipe()
    assert proc.stdin is not None
    assert proc.stdout is not None
    proc.stdin.write(head.encode())
    proc.stdin.flush()
    ready, _, _ = select.select([proc.stdout], [], [], 30)
    assert ready  # the echo's run was settled by the 11:00 line and released
    proc.stdin.write(tail.encode())
    proc.stdin.close()
    assert proc.stderr is not None
    out, err = proc.stdout.read(), proc.stderr.read()
    proc.stdout.close()
    proc.stderr.close()
    assert proc.wait(timeout=30) == 0
    assert len(out.splitlines()) == 2
    assert b"time runs backwards; 1 exported event(s)" in err


def test_broken_pipe_is_quiet(tmp_path: Path) -> None:
    """The reader closing early (`| head -1`) ends events with exit 0 and nothing on stderr."""
    big = tmp_path / "big.log"
    line = (
        "21/11/25 {:02d}:{:02d}:{:02d} - ERROR - TwitchChannelPointsMiner.classes.WebSocketsPool - "
        "[on_error]: #{} - WebSocket error: [Errno 32] Broken pipe\n"
    )
    big.write_text("".join(line.format(i // 3600, i // 60 % 60, i % 60, i % 9) for i in range(6000)))
    proc = subprocess.Popen(
        [sys.executable, "-m", "wsdiag", "events", str(big)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    assert json.loads(proc.stdout.readline())["class"] == "broken_pipe"
    time.sleep(0.2)
    proc.stdout.close()  # 6000 lines (~600 KB) cannot fit in the pipe: the writer must see EPIPE
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 0
    assert err == b""
