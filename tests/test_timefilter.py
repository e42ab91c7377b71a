"""--since / --until: ISO times and durations back from the last record; outside is not counted."""

from __future__ import annotations

import gzip
import io
import json
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tests.conftest import ROOT, SAMPLES, run_cli
from wsdiag.cli import app
from wsdiag.diagnose.diagnosis import Diagnosis
from wsdiag.pipeline import Options, scan_source
from wsdiag.read.layouts import YearResolver
from wsdiag.read.scan import Scanner
from wsdiag.read.sources import blocks, resolve
from wsdiag.read.timefilter import Window, last_time, parse_bound
from wsdiag.summary.summary import Summary

sys.path.insert(0, str(ROOT / "benchmarks"))
import genlog

runner = CliRunner()
STORM = SAMPLES / "storm_37conn.log"  # 2025-11-21 19:00:03 -> 22:01:36, 46 failures


def doc(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["analyze", "--format", "json", "--year", "2025", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_parse_durations_and_times() -> None:
    """Durations (s, m, h, d, w, combined) and ISO date-times of several shapes are accepted."""
    assert parse_bound("24h", "--since") == timedelta(hours=24)
    assert parse_bound("90m", "--since") == timedelta(minutes=90)
    assert parse_bound("7d", "--since") == timedelta(days=7)
    assert parse_bound("1h30m", "--since") == timedelta(minutes=90)
    assert parse_bound("1.5h", "--since") == timedelta(minutes=90)
    assert parse_bound("2025-11-29T18:30:00", "--since") == datetime(2025, 11, 29, 18, 30)
    assert parse_bound("2025-11-29 18:30", "--since") == datetime(2025, 11, 29, 18, 30)
    assert parse_bound("2025-11-29", "--until") == datetime(2025, 11, 29)


@pytest.mark.parametrize("bad", ["yesterday", "24", "0h", "2025-11-29T18:30:00+02:00", "h24", ""])
def test_parse_rejects(bad: str) -> None:
    """Words, unitless numbers, zero durations and time zones are refused with the option's name."""
    with pytest.raises(ValueError, match="--since"):
        parse_bound(bad, "--since")


def test_window_is_half_open() -> None:
    """since is inside, until is outside; a record before any time is inside only without since."""
    t = datetime(2025, 1, 1, 12)
    w = Window(since=t, until=t + timedelta(hours=1))
    assert w.contains(t)
    assert not w.contains(t + timedelta(hours=1))
    assert not w.contains(t - timedelta(seconds=1))
    assert not w.contains(None)
    assert Window(until=t).contains(None)


def test_until_and_since_split_the_log_into_parts_that_add_up() -> None:
    """--until T and --since T count every failure, reconnect and close exactly once."""
    whole, before, after = doc(str(STORM)), doc(str(STORM), "--until", "2025-11-21T21:00"), doc(
        str(STORM), "--since", "2025-11-21T21:00"
    )
    for cls, n in whole["failures"]["by_class"].items():
        assert before["failures"]["by_class"][cls] + after["failures"]["by_class"][cls] == n, cls
    assert (before["failures"]["total"], after["failures"]["total"]) == (30, 16)
    assert before["reconnects"]["count"] + after["reconnects"]["count"] == 46
    assert before["closes"] + after["closes"] == 46
    assert before["span"]["last"] < "2025-11-21T21:00:00" <= after["span"]["first"]
    assert after["window"] == {"since": "2025-11-21T21:00:00", "until": None}
    assert whole["window"] is None


def test_duration_counts_back_from_the_last_record() -> None:
    """--since 1h means one hour before the log's last record (22:01:36), not before now."""
    by_duration = doc(str(STORM), "--since", "1h")
    assert by_duration["window"]["since"] == "2025-11-21T21:01:36"
    assert by_duration == doc(str(STORM), "--since", "2025-11-21T21:01:36")
    assert by_duration["failures"]["total"] == 15
    assert doc(str(STORM), "--until", "1h")["failures"]["total"] == 31


def test_text_report_names_the_window() -> None:
    """The text report's header says which records were left out."""
    result = runner.invoke(app, ["analyze", str(STORM), "--since", "1h"])
    assert "only records since 2025-11-21 21:01:36" in " ".join(result.stdout.split())


def test_duration_on_stdin_and_compressed_input(tmp_path: Path) -> None:
    """A duration works on stdin (copied to a temporary file) and on a compressed file."""
    gz = tmp_path / "storm.log.gz"
    gz.write_bytes(gzip.compress(STORM.read_bytes()))
    assert doc(str(gz), "--since", "90m")["failures"]["total"] == doc(str(STORM), "--since", "90m")[
        "failures"
    ]["total"]
    proc = run_cli("analyze", "-f", "json", "--since", "1h", "-", stdin=STORM.read_bytes())
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["failures"]["total"] == 15


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.glob("*.log")))
def test_tail_read_agrees_with_a_full_pass(name: str) -> None:
    """The last record found from a file's tail is the one a full analysis ends with."""
    (source,) = resolve([str(SAMPLES / name)])
    opts = Options(year=2025, jobs=1)
    assert last_time(source, opts) == scan_source(source, opts).last


def test_untimed_records_follow_the_record_above(tmp_path: Path) -> None:
    """Pasted lines without a time count with the timed record above them, or as the log's start."""
    log = tmp_path / "mixed.log"
    log.write_text(
        "#0 - WebSocket error: [Errno 104] Connection reset by peer\n"  # before any time
        "21/11/25 10:00:00 - INFO - [on_open]: #0 - WebSocket opened\n"
        "21/11/25 11:00:00 - ERROR - [on_error]: #0 - WebSocket error: [Errno 32] Broken pipe\n"
        "#1 - WebSocket error: [Errno 110] Connection timed out\n"  # belongs to 11:00
    )
    late = doc(str(log), "--since", "2025-11-21T10:30")["failures"]["by_class"]
    assert (late["broken_pipe"], late["timeout"], late["connection_reset"]) == (1, 1, 0)
    early = doc(str(log), "--until", "2025-11-21T10:30")["failures"]["by_class"]
    assert (early["broken_pipe"], early["timeout"], early["connection_reset"]) == (0, 0, 1)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "2026-01-01"], "no records in the time window (since 2026-01-01 00:00:00)"),
        (["--since", "2h", "--until", "3h"], "the time window is empty"),
        (["--until", "soon"], "--until 'soon': expected an ISO date-time"),
        (["--since", "99999999999999d"], "--since '99999999999999d': too long a duration"),
        (["--until", "2000000d"], "no records in the time window (until 0001-01-01 00:00:00)"),
        (["--until", "3000000d", "--since", "2025-11-21T20:00"], "the time window is empty"),
    ],
)
def test_unusable_windows_exit_2(args: list[str], message: str) -> None:
    """An empty window or a bad bound is exit 2 with one line saying why."""
    result = runner.invoke(app, ["analyze", str(STORM), *args])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert message in result.stderr


def test_a_duration_back_past_the_year_1_means_everything() -> None:
    """--since 3000000d reaches back before the year 1: every record is in the window."""
    assert doc(str(STORM), "--since", "3000000d")["failures"] == doc(str(STORM))["failures"]


def test_duration_needs_timestamps(tmp_path: Path) -> None:
    """A duration on a log without any time is exit 2, not a silent empty report."""
    log = tmp_path / "pasted.log"
    log.write_text("#0 - WebSocket error: [Errno 32] Broken pipe\n#0 - WebSocket closed\n")
    result = runner.invoke(app, ["analyze", str(log), "--since", "1h"])
    assert result.exit_code == 2
    assert "no timestamps" in result.stderr


# -- the fast path under a window --------------------------------------------------------------
WINDOW_LOGS = [
    pytest.param({"seed": 11, "size": 400_000, "failure_rate": 0.02, "outages": 1}, id="file"),
    pytest.param({"seed": 12, "size": 200_000, "layout": "console", "failure_rate": 0.02}, id="console"),
    pytest.param({"seed": 13, "size": 200_000, "layout": "less", "failure_rate": 0.02}, id="less"),
]


def _windowed(data: bytes, window: Window, size: int | None) -> dict[str, Any]:
    """Scan with a window, in blocks of ``size`` on the fast path (None: reference path)."""
    summary = Summary()
    scanner = Scanner(summary, summary.input("miner.log"), YearResolver.for_log(2025), window=window)
    if size is None:
        scanner.simple(data)
    else:
        for buf, n in blocks(io.BytesIO(data), size):
            scanner.chunk(buf, n)
    return Diagnosis.of(summary.finish()).to_dict()


@pytest.mark.parametrize("cfg", WINDOW_LOGS)
@pytest.mark.parametrize("crlf", [False, True], ids=["lf", "crlf"])
def test_fast_path_under_a_window_equals_the_reference(cfg: dict[str, Any], crlf: bool) -> None:
    """Blocks wholly inside, wholly outside or across a bound: the same document as line by line."""
    buf = io.BytesIO()
    genlog.generate(genlog.GenConfig(connections=6, **cfg), buf)
    data = buf.getvalue().replace(b"\n", b"\r\n") if crlf else buf.getvalue()
    whole = _windowed(data, Window(), None)
    first = datetime.fromisoformat(whole["span"]["first"])
    last = datetime.fromisoformat(whole["span"]["last"])
    third = (last - first) / 3
    windows = (Window(since=first + third), Window(until=last - third), Window(first + third, last - third))
    for window in windows:
        want = _windowed(data, window, None)
        assert 0 < want["failures"]["total"] < whole["failures"]["total"]
        for size in (1 << 20, 16384):
            assert _windowed(data, window, size) == want, (window, size)


# A console capture (`docker compose logs` with the service prefix cut): the miner's colour reset
# after a red ERROR line, a TAB or a space can come before a stamp; each such line has its time.
HIDDEN_STAMPS = [
    "25/11/26 10:00:00 - INFO - [run]: Loading data for 3 streamers. Please wait...",
    "\x1b[0m25/11/26 12:00:00 - ERROR - [on_error]: #0 - WebSocket error: [SSL: BAD_LENGTH] bad length (_ssl.c:2483)",
    "\t25/11/26 12:00:01 - INFO - [handle_reconnection]: #0 - Reconnecting to Twitch PubSub server in ~60 seconds",
    " 25/11/26 12:00:02 - INFO - [on_close]: #0 - WebSocket closed",
    "\xc2\x9b0m25/11/26 12:00:03 - ERROR - [on_error]: #1 - WebSocket error: [Errno 32] Broken pipe",
    "25/11/26 10:00:04 - INFO - [run]: 7 streamers online",
]


@pytest.mark.parametrize("window", [Window(since=datetime(2026, 11, 25, 11)), Window(until=datetime(2026, 11, 25, 11))])
def test_stamps_behind_a_colour_reset_tab_or_space_keep_their_time(window: Window, tmp_path: Path) -> None:
    """A block whose plain stamps are all outside the window is not skipped when another line
    hides a stamp inside it (behind ESC[0m, an 8-bit CSI, a TAB or a space)."""
    data = ("\n".join(HIDDEN_STAMPS) + "\n").encode("latin-1")
    want = _windowed(data, window, None)
    for size in (1 << 20, 64):
        assert _windowed(data, window, size) == want, size
    assert want["failures"]["total"] == (2 if window.since else 0)
    path = tmp_path / "capture.log"
    path.write_bytes(data)
    bound = "--since" if window.since else "--until"
    result = runner.invoke(app, ["analyze", str(path), "--format", "json", bound, "2026-11-25T11:00"])
    if window.since:
        got = json.loads(result.stdout)
        assert (got["failures"]["total"], got["reconnects"]["count"], got["closes"]) == (2, 1, 1)
    else:
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["failures"]["total"] == 0


_WRAPPERS = ["", "", "", "\x1b[0m", "\t", " ", "\xc2\x9b0m", "miner  | ", "\x1b[31m", "2025-11-21T19:00:00.5Z "]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(_WRAPPERS)), min_size=1, max_size=150),
    st.floats(0.05, 0.95),
    st.sampled_from(["since", "until", "both"]),
)
def test_wrapped_and_escaped_stamps_under_any_window(
    picks: list[tuple[int, str]], where: float, bound: str
) -> None:
    """Real lines in any order, some behind a wrapper, colour reset or whitespace: under any
    window the fast path (small blocks and one) gives the reference document."""
    lines = STORM.read_bytes().splitlines()  # picked out of order: blocks straddle the bounds
    data = b"".join(wrap.encode("latin-1") + lines[at % len(lines)] + b"\n" for at, wrap in picks)
    whole = _windowed(data, Window(), None)
    if whole["span"]["first"] is None or whole["span"]["first"] >= whole["span"]["last"]:
        return
    first = datetime.fromisoformat(whole["span"]["first"])
    cut = first + (datetime.fromisoformat(whole["span"]["last"]) - first) * where
    window = {"since": Window(since=cut), "until": Window(until=cut), "both": Window(first, cut)}[bound]
    want = _windowed(data, window, None)
    for size in (1 << 20, 512):
        assert _windowed(data, window, size) == want, size
