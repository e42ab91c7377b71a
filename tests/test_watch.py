"""Tests of `wsdiag watch`: following a growing, rotated and truncated log; live findings."""

from __future__ import annotations

import gzip
import io
import json
import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

import wsdiag
from tests.conftest import ROOT, SAMPLES, run_cli
from tests.minerlog import START, bad_auth, failure, make_log, ping, record
from wsdiag.cli import app
from wsdiag.cli.sinks import JsonlSink
from wsdiag.commands import watch
from wsdiag.commands.watch import Watcher
from wsdiag.diagnose.diagnosis import Diagnosis
from wsdiag.read.follow import Follower, LineSplitter, Notice
from wsdiag.read.scan import MAX_LINE
from wsdiag.report import watch as shown


def _items(f: Follower) -> list[bytes | Notice]:
    return list(f.poll())


def _data(items: list[bytes | Notice]) -> bytes:
    return b"".join(i for i in items if isinstance(i, bytes))


def _states(items: list[bytes | Notice]) -> list[str]:
    return [i.state for i in items if isinstance(i, Notice)]


# -- reading -------------------------------------------------------------------------------------


def test_splitter_holds_partial_lines_and_crlf_halves() -> None:
    """Only complete lines come out; a CR at the end waits for a possible LF."""
    s = LineSplitter()
    assert s.feed(b"one\ntw") == b"one\n"
    assert s.feed(b"o\r") == b""
    assert s.feed(b"\nthree") == b"two\r\n"
    assert s.flush() == b"three\n"
    assert s.flush() == b""


def test_splitter_never_holds_a_giant_line() -> None:
    """A line longer than MAX_LINE becomes one placeholder the scanner counts as too long."""
    s = LineSplitter()
    out = s.feed(b"x" * (MAX_LINE + 10))
    assert out == b""
    assert s.carry == b""
    assert s.giant
    assert s.feed(b"y" * MAX_LINE) == b""
    out = s.feed(b"zz\nnext\n")
    assert out == b"\0" * (MAX_LINE + 1) + b"\n" + b"next\n"
    w = Watcher("x")
    w.feed(out)
    assert (w.stats.too_long, w.stats.lines) == (1, 2)


def test_follower_appends_rotation_and_truncation(tmp_path: Path) -> None:
    """tail -F: appended lines, the old file's last lines after a rename, a new file, truncation."""
    log = tmp_path / "miner.log"
    log.write_bytes(b"a1\na2\npart")
    f = Follower(log)
    items = _items(f)
    assert _states(items) == ["opened"]
    assert _data(items) == b"a1\na2\n"
    assert _items(f) == []
    with log.open("ab") as fh:
        fh.write(b"ial\na3\n")
    assert _data(_items(f)) == b"partial\na3\n"
    # daily rotation: rename, the miner's last write still lands in the old file, then a new one
    os.rename(log, tmp_path / "miner.log.2025-11-29")
    items = _items(f)
    assert _states(items) == ["missing"]
    with (tmp_path / "miner.log.2025-11-29").open("ab") as fh:
        fh.write(b"a4\nunterminated")
    log.write_bytes(b"b1\nb2\n")
    items = _items(f)
    assert [i if isinstance(i, bytes) else i.state for i in items] == [
        b"a4\n",
        b"unterminated\n",
        "rotated",
        b"b1\nb2\n",
    ]
    # copytruncate: the file shrinks under the reader; it starts again from the top
    with log.open("ab") as fh:
        fh.write(b"b3-long-line\n")
    assert _data(_items(f)) == b"b3-long-line\n"
    log.write_bytes(b"c1\n")
    items = _items(f)
    assert _states(items) == ["truncated"]
    assert _data(items) == b"c1\n"
    f.close()


def test_follower_waits_for_a_missing_file_and_can_start_at_the_end(tmp_path: Path) -> None:
    """A path that does not exist yet is waited for; start_at_end skips only the first file's past."""
    log = tmp_path / "later.log"
    f = Follower(log)
    assert _states(_items(f)) == ["missing"]
    assert _items(f) == []  # said once
    log.write_bytes(b"x1\n")
    assert _data(_items(f)) == b"x1\n"
    g = Follower(log, start_at_end=True)
    assert _data(_items(g)) == b""
    with log.open("ab") as fh:
        fh.write(b"x2\n")
    assert _data(_items(g)) == b"x2\n"


# -- analysis ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.glob("*.log")))
def test_incremental_counts_equal_analyze(name: str) -> None:
    """Fed in random pieces through the splitter, every sample log counts exactly as analyze."""
    data = (SAMPLES / name).read_bytes()
    rng = random.Random(name)
    split = LineSplitter()
    w = Watcher(name, year=2025)
    events = 0
    pos = 0
    while pos < len(data):
        step = rng.randint(1, 700)
        lines = split.feed(data[pos : pos + step])
        pos += step
        if lines:
            events += len(w.feed(lines))
    events += len(w.feed(split.flush()))
    final = w.final().to_dict()
    ref = wsdiag.diagnose(str(SAMPLES / name), year=2025, jobs=1).to_dict()
    assert final["failures"] == ref["failures"]
    assert final["connections"]["ids"] == ref["connections"]["ids"]
    assert final["reconnects"] == ref["reconnects"]
    assert final["span"] == ref["span"]
    assert [f["id"] for f in final["findings"]] == [f["id"] for f in ref["findings"]]
    # every event was reported as it was counted (finish() only closes what the log left open)
    assert events <= final["failures"]["total"]
    assert final["failures"]["total"] - events <= 1


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.glob("*.log")))
@pytest.mark.parametrize("window", [None, timedelta(days=7)], ids=["all", "week"])
def test_a_window_over_the_whole_log_finds_what_analyze_finds(name: str, window: timedelta | None) -> None:
    """Live findings over a window that holds the whole log are analyze's findings, to the
    letter (the window is a finished snapshot of the summary, not a look-alike), before the
    watch ends and after."""
    w = Watcher(str(SAMPLES / name), window=window, year=2025)
    w.feed((SAMPLES / name).read_bytes())
    w.check()
    ref = wsdiag.diagnose(str(SAMPLES / name), year=2025, jobs=1)
    assert tuple(w.current.values()) == ref.findings
    assert Diagnosis.of(w.checked).to_dict() == ref.to_dict()
    assert w.summary.finished is False  # the live summary goes on
    assert Diagnosis.of(w.final().summary).to_dict() == ref.to_dict()


def test_the_window_counts_each_connections_reconnects_and_closes() -> None:
    """In a window shorter than the log, a connection's reconnects and closes are the lines it
    logged in the window's minutes, as analyze counts them in a log cut there."""
    text = make_log(3.0, {"connection_reset": 10, "ssl": 2}, conns=6).text
    w = Watcher("x", window=timedelta(hours=1))
    w.feed(text.encode())
    v = w.view()
    log = "".join(line for line in text.splitlines(keepends=True) if line[9:14] >= "20:00")
    want: dict[int, tuple[int, int]] = {}
    for line in log.splitlines():
        for word, i in (("Reconnecting", 0), ("WebSocket closed", 1)):
            if word in line:
                conn = int(line.split("#")[1].split(" ")[0])
                pair = list(want.get(conn, (0, 0)))
                pair[i] += 1
                want[conn] = (pair[0], pair[1])
    got = {c: (cs.reconnects, cs.closes) for c, cs in v.conns.items() if cs.reconnects or cs.closes}
    assert got == want
    assert sum(r for r, _ in got.values()) == v.reconnects == 12


def test_findings_appear_and_clear_with_the_window() -> None:
    """Failures raise findings; an hour of quiet log later they clear."""
    w = Watcher("x", window=timedelta(hours=1))
    w.feed(make_log(0.5, {"connection_reset": 14}).text.encode())
    appeared = {c.finding.id: (c.state, c.finding.severity) for c in w.check()}
    assert appeared["network-instability"] == ("appeared", "error")
    assert appeared["reconnect-storm"] == ("appeared", "warning")  # 14 reconnects/h on the pool
    assert {f.severity for f in w.current.values()} <= {"error", "warning", "info"}
    t = START + timedelta(minutes=31)
    evs = w.feed((bad_auth(t) + ping(t + timedelta(seconds=20), 0)).encode())  # settled: 15 s
    assert [(e.cls, e.conn) for e in evs] == [("bad_auth", 0)]
    assert [(c.state, c.finding.id) for c in w.check() if c.state != "changed"] == [("appeared", "bad-auth")]
    assert w.check() == []  # nothing new
    quiet = "".join(ping(t + timedelta(minutes=m), 0) for m in range(5, 200, 5))
    w.feed(quiet.encode())
    cleared = {c.finding.id for c in w.check() if c.state == "cleared"}
    assert {"bad-auth", "network-instability", "reconnect-storm"} <= cleared
    assert w.current == {}  # an hour without failures: nothing to report
    # the final report is about everything watched, not only the window: 7 resets in 3.3 h
    # are no longer frequent, and beside bad auth they are not Twitch's background either
    final = w.final()
    assert [f.id for f in final.causes] == ["bad-auth"]
    assert final.summary.failures_total == 8


def test_window_counts_only_recent_failures() -> None:
    """The window holds the last hour's failures (to the minute, however the log was read) and
    the pool of everything seen."""
    text = make_log(3.0, {"connection_reset": 10, "ssl": 2}, conns=6).text  # 1 reset per 6 min
    for pieces in (1, 7, 500):
        w = Watcher("x", window=timedelta(hours=1))
        lines = text.splitlines(keepends=True)
        for i in range(0, len(lines), pieces):
            w.feed("".join(lines[i : i + pieces]).encode())
        v = w.view()
        assert w.summary.failures_total == 36
        assert v.by_class == {"connection_reset": 10, "ssl": 2}  # 20:03 ... 20:57, 20:15, 20:45
        assert v.reconnects == 12
        assert v.closes == 12
        assert v.pool_size == 6
        assert v.span_hours == 1.0
        assert sum(sum(cs.by_class.values()) for cs in v.conns.values()) == 12
        assert w.summary.by_class == {"connection_reset": 30, "ssl": 6}  # untouched


def test_memory_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Old minute buckets are dropped and dedupe keeps the runs of the last minutes only, not one
    per distinct error text."""
    monkeypatch.setattr(watch, "KEEP_MINUTES", 120)
    w = Watcher("x", window=timedelta(minutes=30))
    pool = "TwitchChannelPointsMiner.classes.WebSocketsPool"
    for i in range(3000):  # 50 hours, one distinct unknown error a minute
        t = START + timedelta(minutes=i)
        w.feed(record(t, "ERROR", pool, "on_error", f"#1 - WebSocket error: odd failure {i} here").encode())
        w.feed(record(t, "INFO", "websocket", "error", f"odd failure {i} here - goodbye").encode())
    assert w.summary.failures_total == 3000
    assert w.summary.by_class["other"] == 3000
    assert len(w.summary.minutes) <= 121
    # runs are closed ten minutes of log after their last line (dedupe.FORGET_SECONDS)
    assert not w.summary.dedupe.first_runs
    assert len(w.summary.dedupe.last_runs) <= 12
    assert len(w.recent) == watch.RECENT


def test_panel_shows_findings_connections_and_recent_failures() -> None:
    """The live panel lists current findings, the worst connections and the latest failures."""
    w = Watcher("miner.log")
    w.feed(make_log(0.5, {"ping_pong": 24, "ssl": 8}, conns=3).text.encode())
    w.check()
    console = Console(file=io.StringIO(), width=110, no_color=True, color_system=None, markup=False)
    with console.capture() as cap:
        console.print(shown.panel(w, "miner.log", "rotated at 12:00:00"))
    out = cap.get()
    assert "wsdiag watch miner.log" in out
    lines = out.splitlines()
    assert lines[1].startswith("│ cause: the host does not keep up: 12 ping/pong failures on 3 connections")
    assert "ping-pong-failures" in out
    assert "tls-errors" in out
    assert "(symptom of host-stalled)" in out
    assert "pool: 3 (highest id + 1)" in out
    assert "[SSL: BAD_LENGTH] bad length" in out
    assert "16 failures · 16 reconnects since start" in out
    assert "Connections, last 1h" in out
    assert "file: rotated at 12:00:00" in out


def test_panel_says_reconnects_are_unknown_when_the_log_cannot_show_them() -> None:
    """An INFO-only Hermes log in the live panel: the connections' reconnects are "?" and the
    footer says "reconnects unknown", not 0."""
    w = Watcher("miner.log")
    w.feed((SAMPLES / "hermes_console_info.log").read_bytes())
    w.check()
    console = Console(file=io.StringIO(), width=110, no_color=True, color_system=None, markup=False)
    with console.capture() as cap:
        console.print(shown.panel(w, "miner.log"))
    out = cap.get()
    assert "12 failures · reconnects unknown since start" in out
    table = out[out.index("Connections, ") :].splitlines()
    rows = [[c.strip() for c in line.strip("│ ").split("│")] for line in table[3:5]]
    assert [r[0] for r in rows] == ["1", "0"]
    assert [r[3] for r in rows] == ["?", "?"]


def test_run_reports_jsonl_and_stops_after_exit_after(tmp_path: Path) -> None:
    """run(): existing lines are context, new ones become events; exit-after stops it."""
    log = tmp_path / "miner.log"
    log.write_text(make_log(0.5, {"connection_reset": 24}).text)  # 12 resets: frequent
    out: list[str] = []
    appended = False

    def clock() -> float:
        nonlocal appended
        if not appended and out:  # after the first poll: the miner writes a failure
            appended = True
            with log.open("a") as fh:
                fh.write(failure(START + timedelta(minutes=40), 2, "ssl"))
        return time.monotonic()

    reason = watch.run(
        Follower(log),
        Watcher(str(log)),
        JsonlSink(out.append, lambda: None),
        pace=watch.Pace(interval=0.01, exit_after=0.3, clock=clock),
        handle_signals=False,
    )
    assert reason == "exit-after"
    docs = [json.loads(line) for line in out]
    assert docs[0]["event"] == "watching"
    assert docs[0]["lines"] > 0
    assert "network-instability" in [f["id"] for f in docs[0]["findings"]]
    fails = [d for d in docs if d["event"] == "failure"]
    assert fails == [
        {
            "event": "failure",
            "time": "2025-11-29T18:40:00",
            "connection": 2,
            "class": "ssl",
            "message": "[SSL: BAD_LENGTH] bad length (_ssl.c:2483)",
        }
    ]
    assert docs[-1]["event"] == "summary"
    assert docs[-1]["reason"] == "exit-after"
    assert docs[-1]["report"]["failures"]["total"] == 13
    assert docs[0]["primary"] == "network-instability"
    assert {"kind", "explains", "because_of"} <= set(docs[0]["findings"][0])


# -- the command ---------------------------------------------------------------------------------


class Proc:
    """`python -m wsdiag watch ...` with its stdout read line by line in a thread."""

    def __init__(self, *args: str) -> None:
        self.p = subprocess.Popen(
            [sys.executable, "-m", "wsdiag", "watch", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=ROOT,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[dict[str, Any]] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.p.stdout is not None
        for raw in self.p.stdout:
            self.lines.put(raw.decode())
        self.lines.put(None)

    def until_text(self, text: str, timeout: float = 8.0) -> str:
        """Raw output up to and including the first line containing ``text``."""
        got: list[str] = []
        deadline = time.monotonic() + timeout
        while not got or text not in got[-1]:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                self.p.kill()
                pytest.fail(f"timed out waiting for {text!r}; got {got}")
            if line is None:
                pytest.fail(f"watch ended early; got {got}")
            got.append(line)
        return "".join(got)

    def until(self, pred: Any, timeout: float = 8.0) -> list[dict[str, Any]]:
        """Lines up to and including the first that satisfies ``pred``."""
        got: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                self.p.kill()
                pytest.fail(f"timed out; got {got}")
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            if line is None:
                pytest.fail(f"watch ended early; got {got}; stderr {self.p.stderr.read()!r}")  # type: ignore[union-attr]
            doc = json.loads(line)
            got.append(doc)
            self.seen.append(doc)
            if pred(doc):
                return got


def _is(event: str, **kw: Any) -> Any:
    return lambda d: d["event"] == event and all(d.get(k) == v for k, v in kw.items())


def test_watch_command_follows_rotation_and_truncation_then_stops_on_sigint(tmp_path: Path) -> None:
    """The real command: context, appends, rotation, truncation, findings appear/clear, SIGINT."""
    started = time.monotonic()
    log = tmp_path / "miner.log"
    log.write_text(make_log(0.5, {"connection_reset": 24}).text)  # 12 resets: frequent
    w = Proc(str(log), "--format", "jsonl", "--interval", "0.05")
    first = w.until(_is("watching"))
    assert len(first) == 1  # the existing lines are context: no events for them
    assert "network-instability" in [f["id"] for f in first[0]["findings"]]

    t = START + timedelta(minutes=31)
    with log.open("a") as fh:
        fh.write(failure(t, 2, "ssl"))
    got = w.until(_is("failure"))
    assert (got[-1]["class"], got[-1]["connection"], got[-1]["time"]) == ("ssl", 2, "2025-11-29T18:31:00")

    # daily rotation: rename, one more write to the old file, then the new file
    rotated = tmp_path / "miner.log.2025-11-29"
    os.rename(log, rotated)
    with rotated.open("a") as fh:
        fh.write(failure(t + timedelta(minutes=1), 3, "broken_pipe"))
    log.write_text(
        failure(t + timedelta(minutes=2), 1, "timeout")
        + "".join(ping(t + timedelta(minutes=2, seconds=s), 0) for s in range(1, 20))
    )
    got = w.until(_is("failure", **{"class": "timeout"}))
    order = [d["class"] if d["event"] == "failure" else d["state"] for d in got]
    assert [x for x in order if x != "missing"] == ["broken_pipe", "rotated", "timeout"]

    # copytruncate: the file is emptied and written again from the top
    log.write_text(failure(t + timedelta(minutes=3), 0, "ping_pong"))
    got = w.until(_is("failure", **{"class": "ping_pong"}))
    assert [d.get("state") for d in got if d["event"] == "file"] == ["truncated"]

    # a finding appears, then everything clears after an hour of quiet log
    with log.open("a") as fh:
        fh.write(bad_auth(t + timedelta(minutes=4)) + ping(t + timedelta(minutes=4, seconds=10), 0))
    w.until(_is("finding", id="bad-auth", state="appeared"))
    with log.open("a") as fh:
        fh.write("".join(ping(t + timedelta(minutes=m), 0) for m in range(10, 200, 5)))
    cleared: set[str] = set()

    def both_cleared(d: dict[str, Any]) -> bool:
        if d["event"] == "finding" and d["state"] == "cleared":
            cleared.add(d["id"])
        return {"bad-auth", "network-instability"} <= cleared

    w.until(both_cleared)

    w.p.send_signal(signal.SIGINT)
    summary = w.until(_is("summary"))[-1]
    assert w.p.wait(timeout=10) == 0
    assert w.p.stderr is not None
    assert w.p.stderr.read() == b""
    assert summary["reason"] == "signal"
    report = summary["report"]
    assert report["schema"] == "wsdiag/1"
    by_class = {k: v for k, v in report["failures"]["by_class"].items() if v}
    assert by_class == {
        "connection_reset": 12,
        "ssl": 1,
        "broken_pipe": 1,
        "timeout": 1,
        "ping_pong": 1,
        "bad_auth": 1,
    }
    # every failure after the start was announced exactly once
    announced = [d["class"] for d in w.seen if d["event"] == "failure"]
    assert sorted(announced) == sorted(["ssl", "broken_pipe", "timeout", "ping_pong", "bad_auth"])
    assert time.monotonic() - started < 20


def test_watch_command_sigterm_and_text_output(tmp_path: Path) -> None:
    """SIGTERM stops a text-mode watch cleanly; stdout (a pipe) gets plain lines at once, then
    the report of everything watched."""
    log = tmp_path / "miner.log"
    log.write_text(make_log(0.5, {"ping_pong": 24}).text)
    w = Proc(str(log), "--interval", "0.05")
    head = w.until_text("finding present: warning ping-pong-failures")
    assert "finding present: warning host-stalled" in head  # the cause comes first
    assert head.startswith(f"-- watching {log} (")
    with log.open("a") as fh:
        fh.write(failure(START + timedelta(minutes=35), 1, "ssl"))
    line = w.until_text("[SSL: BAD_LENGTH]")
    assert line.splitlines()[-1].startswith("2025-11-29 18:35:00    #1  ssl ")
    w.p.send_signal(signal.SIGTERM)
    rest = w.until_text("Recommended limits")
    assert w.p.wait(timeout=10) == 0
    assert "-- stopped (signal); report of everything watched:" in rest
    assert " WARNING   cause: the host does not keep up" in rest
    assert "13 failures" in rest
    assert "\x1b" not in head + line + rest


def test_watch_command_replay_idle_exit_and_stdin(tmp_path: Path) -> None:
    """--existing replay reports old lines; --idle-exit ends it; `-` follows a pipe to its end."""
    log = tmp_path / "miner.log"
    log.write_text(make_log(1.0, {"timeout": 3}).text)
    proc = run_cli(
        "watch",
        str(log),
        "--format",
        "jsonl",
        "--existing",
        "replay",
        "--idle-exit",
        "0.3",
        "--interval",
        "0.05",
    )
    assert proc.returncode == 0, proc.stderr.decode()
    docs = [json.loads(x) for x in proc.stdout.decode().splitlines()]
    assert docs[0] == {"event": "file", "state": "opened", "path": str(log)}
    assert [d["class"] for d in docs if d["event"] == "failure"] == ["timeout"] * 3
    # three timeouts an hour, one at a time on a pool of 4: Twitch's background
    assert any(d["event"] == "finding" and d["id"] == "twitch-closes" for d in docs)
    assert docs[-1]["event"] == "summary"
    assert docs[-1]["reason"] == "idle-exit"

    proc = run_cli(
        "watch",
        "-",
        "--format",
        "jsonl",
        "--existing",
        "replay",
        "--interval",
        "0.05",
        stdin=log.read_bytes(),
    )
    assert proc.returncode == 0, proc.stderr.decode()
    docs = [json.loads(x) for x in proc.stdout.decode().splitlines()]
    assert [d["class"] for d in docs if d["event"] == "failure"] == ["timeout"] * 3
    assert docs[-1]["reason"] == "eof"
    assert docs[-1]["report"]["failures"]["total"] == 3


def test_watch_command_skip_and_missing_file(tmp_path: Path) -> None:
    """--existing skip ignores the past; a missing file is waited for; a directory is exit 2."""
    log = tmp_path / "miner.log"
    log.write_text(make_log(1.0, {"timeout": 3}).text)
    proc = run_cli("watch", str(log), "--format", "jsonl", "--existing", "skip", "--exit-after", "0.3")
    assert proc.returncode == 0
    docs = [json.loads(x) for x in proc.stdout.decode().splitlines()]
    assert [d["event"] for d in docs] == ["file", "watching", "summary"]
    assert docs[-1]["report"]["failures"]["total"] == 0

    proc = run_cli("watch", str(tmp_path / "nope.log"), "--format", "jsonl", "--exit-after", "0.3")
    assert proc.returncode == 0
    assert proc.stderr.decode() == f"wsdiag: waiting for {tmp_path / 'nope.log'} to appear\n"
    docs = [json.loads(x) for x in proc.stdout.decode().splitlines()]
    assert docs[0] == {"event": "file", "state": "missing", "path": str(tmp_path / "nope.log")}


def test_watch_command_rejects_what_it_cannot_follow(tmp_path: Path) -> None:
    """A directory, a compressed file or a bad --window is one line on stderr and exit 2."""
    runner = CliRunner()
    res = runner.invoke(app, ["watch", str(tmp_path)])
    assert res.exit_code == 2
    assert "is a directory" in res.stderr
    gz = tmp_path / "miner.log.gz"
    gz.write_bytes(gzip.compress(b"x\n"))
    res = runner.invoke(app, ["watch", str(gz)])
    assert res.exit_code == 2
    assert "a gzip archive does not grow" in res.stderr
    for bad in ("soon", "30d"):
        res = runner.invoke(app, ["watch", str(SAMPLES / "outage.log"), "--window", bad])
        assert res.exit_code == 2, res.stderr
        assert res.stderr.startswith("wsdiag: error: --window"), res.stderr


def test_watch_jsonl_into_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    """`wsdiag watch --format jsonl | head -1` ends with exit 0 and nothing on stderr."""
    log = tmp_path / "miner.log"
    log.write_text(make_log(0.5, {"timeout": 30}).text)
    cmd = (
        f"{sys.executable} -m wsdiag watch {log} --format jsonl --existing replay --interval 0.05 "
        "--exit-after 5 | head -1"
    )
    proc = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], capture_output=True, timeout=30, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == b""
    assert json.loads(proc.stdout)["event"] == "file"


def test_watch_stdin_without_a_descriptor(tmp_path: Path) -> None:
    """`watch -` on a stream with no file descriptor (a test runner's) reads it to its end."""
    text = make_log(1.0, {"timeout": 3}).text
    res = CliRunner().invoke(app, ["watch", "-", "--format", "jsonl", "--existing", "replay"], input=text)
    assert res.exit_code == 0, res.output
    docs = [json.loads(x) for x in res.stdout.splitlines()]
    assert [d["class"] for d in docs if d["event"] == "failure"] == ["timeout"] * 3
    assert docs[-1]["event"] == "summary"
    assert docs[-1]["reason"] == "eof"


def test_window_has_its_own_certificate_failures() -> None:
    """A certificate failure raises tls-certificate as the window's primary cause; an hour of
    quiet log later it clears, while the whole-log report keeps it."""
    cert = "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate in certificate chain (_ssl.c:1006)"
    pool = "TwitchChannelPointsMiner.classes.WebSocketsPool"
    w = Watcher("x", window=timedelta(hours=1))
    w.feed((ping(START, 0) + record(START + timedelta(minutes=1), "ERROR", pool, "on_error", f"#0 - WebSocket error: {cert}")).encode())
    appeared = {c.finding.id for c in w.check() if c.state == "appeared"}
    assert "tls-certificate" in appeared
    top = watch.primary(w)
    assert top is not None
    assert top.id == "tls-certificate"
    w.feed("".join(ping(START + timedelta(minutes=m), 0) for m in range(5, 130, 5)).encode())
    assert "tls-certificate" in {c.finding.id for c in w.check() if c.state == "cleared"}
    assert watch.primary(w) is None
    assert [f.id for f in w.final().causes] == ["tls-certificate"]


# -- what watch must survive (issue #11) -------------------------------------------------------


def test_follower_sees_a_truncation_written_past_the_old_offset(tmp_path: Path) -> None:
    """copytruncate, then more written than was there before the next poll: the file did not get
    shorter, yet it was rewritten; the new lines are read from the top, none lost."""
    log = tmp_path / "miner.log"
    log.write_bytes(b"a1\na2\n")
    f = Follower(log)
    assert _data(_items(f)) == b"a1\na2\n"
    log.write_bytes(b"b1 written after copytruncate\nb2\n")  # longer than before
    items = _items(f)
    assert _states(items) == ["truncated"]
    assert _data(items) == b"b1 written after copytruncate\nb2\n"
    with log.open("ab") as fh:
        fh.write(b"b3\n")
    assert _data(_items(f)) == b"b3\n"


@pytest.mark.parametrize("what", ["fifo", "dev-zero", "directory", "unreadable-name"])
def test_follower_never_blocks_on_what_the_path_becomes(tmp_path: Path, what: str) -> None:
    """The path replaced by a FIFO, a symlink to /dev/zero, a directory, or a name too long: the
    old file is read to its end, then the path is reported and waited on; a regular file put
    back is followed again. Nothing blocks, nothing reads forever, no traceback."""
    log = tmp_path / "miner.log"
    log.write_bytes(b"a1\n")
    f = Follower(log)
    assert _data(_items(f)) == b"a1\n"
    log.unlink()
    if what == "fifo":
        os.mkfifo(log)
    elif what == "dev-zero":
        log.symlink_to("/dev/zero")
    elif what == "directory":
        log.mkdir()
    else:
        f = Follower(tmp_path / ("x" * 300))  # stat() says ENAMETOOLONG
    started = time.monotonic()
    items = _items(f) + _items(f)
    assert time.monotonic() - started < 5
    states = _states(items)
    assert states.count("unreadable") + states.count("missing") == 1, items
    if what != "unreadable-name":
        assert [i.path for i in items if isinstance(i, Notice)] == [f"{log} (not a regular file)"]
        (log.rmdir if what == "directory" else log.unlink)()
        log.write_bytes(b"b1\n")
        assert _data(_items(f)) == b"b1\n"


def test_follower_reads_utf16_and_utf32_as_they_grow(tmp_path: Path) -> None:
    """A UTF-16 log (PowerShell's `>`), with or without a BOM, and UTF-32 are followed: lines
    come out as UTF-8, CJK included, also when a character is split between two polls."""
    for codec in ("utf-16", "utf-16-le", "utf-32"):
        log = tmp_path / f"{codec}.log"
        log.write_bytes("25/11/26 21:08:01 - 一行目\n".encode(codec))
        f = Follower(log, read_size=7)
        assert _data(_items(f)) == "25/11/26 21:08:01 - 一行目\n".encode()
        bomless = {"utf-16": "utf-16-le", "utf-32": "utf-32-le"}.get(codec, codec)
        more = "25/11/26 21:08:02 - 二行目\n".encode(bomless)
        with log.open("ab") as fh:
            fh.write(more[:3])
            fh.flush()
            assert _data(_items(f)) == b""
            fh.write(more[3:])
        assert _data(_items(f)) == "25/11/26 21:08:02 - 二行目\n".encode(), codec


@pytest.mark.parametrize("value", ["inf", "1e10", "nan", "0", "-1"])
def test_watch_rejects_unusable_intervals(value: str) -> None:
    """--interval inf|1e10|nan|0 and --exit-after/--idle-exit nan: one line naming the option,
    exit 2 (sleep() raised OverflowError or ValueError)."""
    for option in ("--interval", "--exit-after", "--idle-exit"):
        if option != "--interval" and value in ("0", "1e10", "inf"):
            continue  # 0, long and endless are fine limits there
        res = CliRunner().invoke(app, ["watch", str(SAMPLES / "outage.log"), option, value])
        assert res.exit_code == 2, (option, value, res.output)
        assert res.stderr.startswith(f"wsdiag: error: {option} ")
        assert res.stderr.count("\n") == 1


def _wait_until_open(pid: int, path: Path, timeout: float = 20.0) -> None:
    """Until process ``pid`` holds ``path`` open (its follower is reading it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            fds = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
        except OSError:  # a descriptor closed while listed
            fds = []
        if str(path) in fds:
            return
        time.sleep(0.02)
    pytest.fail(f"{path} never opened by {pid}")


@pytest.mark.parametrize("stop", ["SIGINT", "SIGTERM", "exit-after"])
def test_watch_stops_while_reading_a_file_that_never_ends(tmp_path: Path, stop: str) -> None:
    """A regular file whose catch-up never ends (here a sparse terabyte): the watch still stops
    on SIGINT, SIGTERM or --exit-after, with its report (a poll read to the end, which never
    came, and ignored all three)."""
    log = tmp_path / "miner.log"
    log.write_bytes(make_log(1.0, {"timeout": 3}).text.encode())
    os.truncate(log, 1 << 40)  # zeros without end, taking no disk space
    args = ["--format", "jsonl", "--interval", "0.05"] + (["--exit-after", "1"] if stop == "exit-after" else [])
    w = Proc(str(log), *args)
    if stop != "exit-after":
        # Signal once it reads the file (not during start-up, which on a loaded machine can
        # take longer than any fixed sleep): SIGTERM there ends it with no report.
        _wait_until_open(w.p.pid, log)
        time.sleep(0.3)
        w.p.send_signal(getattr(signal, stop))
    summary = w.until(_is("summary"))[-1]
    assert w.p.wait(timeout=20) == 0
    assert summary["reason"] == ("exit-after" if stop == "exit-after" else "signal")
    assert summary["report"]["failures"]["by_class"]["timeout"] == 3


def test_watch_command_follows_a_utf16_log(tmp_path: Path) -> None:
    """`watch` on a UTF-16 log follows it (it said "a utf-16 archive does not grow")."""
    log = tmp_path / "ps.log"
    text = make_log(1.0, {"timeout": 3}).text
    log.write_bytes(text.encode("utf-16"))
    res = CliRunner().invoke(
        app, ["watch", str(log), "--format", "jsonl", "--existing", "replay", "--idle-exit", "0", "--interval", "0.05"]
    )
    assert res.exit_code == 0, res.output
    docs = [json.loads(x) for x in res.stdout.splitlines()]
    assert [d["class"] for d in docs if d["event"] == "failure"] == ["timeout"] * 3
