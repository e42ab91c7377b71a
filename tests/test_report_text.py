"""The terminal report, rendered at a fixed width without colour."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from tests.conftest import SAMPLES
from wsdiag.diagnose.diagnosis import Diagnosis
from wsdiag.pipeline import Options, analyze
from wsdiag.read.sources import resolve
from wsdiag.report import text
from wsdiag.summary.clients import RECONNECTS_UNKNOWN


def _render(name: str, width: int = 100) -> str:
    summary = analyze(resolve([str(SAMPLES / name)]), Options(year=2025, jobs=1))
    console = Console(file=io.StringIO(), width=width, no_color=True, force_terminal=False, color_system=None)
    return text.render(Diagnosis.of(summary), console)


def test_storm_report_reads_in_ten_seconds() -> None:
    """Verdict first, then findings by severity, the failure table and the limits."""
    out = _render("storm_37conn.log")
    verdict = next(line for line in out.splitlines() if line.startswith(" ERROR "))
    assert verdict.startswith(" ERROR   cause: 37 PubSub connections open; Twitch allows 10 per IP")
    assert out.index("too-many-connections") < out.index("ping-pong-failures")
    assert "(symptom of too-many-connections)" in out
    assert "ping_pong" in out
    assert "Failures by class" in out
    assert "Recommended limits: ≤10 connections per IP" in out
    assert "\x1b" not in out


def test_healthy_report_names_twitch_background_and_is_ok() -> None:
    """A healthy miner with one reset gets an OK verdict that names Twitch's background."""
    out = _render("healthy_2conn.log")
    verdict = next(line for line in out.splitlines() if line.startswith(" OK "))
    assert verdict.startswith(" OK   cause: 1 isolated close on single connections: Twitch's background")
    assert "Nothing to change" in out


def test_clean_report_says_no_problems(tmp_path: Path) -> None:
    """A log without any failure gets an OK verdict, no cause and no findings panel."""
    path = tmp_path / "clean.log"
    path.write_text(
        "16/09/22 10:34:03 - DEBUG - TwitchChannelPointsMiner.classes.WebSocketsPool - [on_message]: "
        '#0 - Received: {"type":"RESPONSE","error":"","nonce":"51AOhFqvtWLf9rssFJlPmxLg36a2Pz"}\n'
    )
    summary = analyze(resolve([str(path)]), Options(year=2025, jobs=1))
    console = Console(file=io.StringIO(), width=100, no_color=True, force_terminal=False, color_system=None)
    out = text.render(Diagnosis.of(summary), console)
    assert any(line.startswith(" OK   1 connection · 0 failures · 0 reconnects · no problems found") for line in out.splitlines())
    assert "Findings" not in out


def test_report_fits_the_width() -> None:
    """No rendered line is wider than the console."""
    for name in ("storm_37conn.log", "outage.log", "docker_compose.log"):
        assert max(len(line) for line in _render(name, 90).splitlines()) <= 90


def test_markup_in_log_text_prints_literally(tmp_path: object) -> None:
    """Log text with rich markup such as [red] is not interpreted."""
    import pathlib

    path = pathlib.Path(str(tmp_path)) / "m.log"
    path.write_text("25/11/25 10:00:00 - ERROR - [on_error]: #0 - WebSocket error: [bold red]boom[/] [link=http://x]y\n" * 3)
    summary = analyze(resolve([str(path)]), Options(jobs=1))
    console = Console(file=io.StringIO(), width=120, no_color=True, force_terminal=False)
    out = text.render(Diagnosis.of(summary), console)
    assert "other" in out


def test_unclassified_errors_alone_are_no_cause_but_not_no_problem(tmp_path: Path) -> None:
    """Only errors without a class: no cause (verdict ok), and the verdict line does not claim
    there is no problem."""
    path = tmp_path / "odd.log"
    path.write_text(
        "".join(
            f"25/11/25 10:0{i}:00 - ERROR - [on_error]: #0 - WebSocket error: 'NoneType' object has no attribute 'sock'\n"
            for i in range(3)
        )
    )
    summary = analyze(resolve([str(path)]), Options(jobs=1))
    console = Console(file=io.StringIO(), width=120, no_color=True, force_terminal=False, color_system=None)
    out = text.render(Diagnosis.of(summary), console)
    verdict = next(line for line in out.splitlines() if line.startswith(" OK "))
    assert verdict == " OK   1 connection · 3 failures · 0 reconnects · no cause found"
    assert "unknown-errors" in out
    assert "no problems found" not in out


def test_reconnects_a_log_cannot_show_are_unknown_not_zero() -> None:
    """An INFO-only Hermes console log shows no reconnect: the connections table's reconn column
    and the timeline's reconnect row say "?", not 0, and the reason is printed once."""
    out = _render("hermes_console_info.log", width=400)
    table = out[out.index("Connections (worst first)") :].splitlines()
    head = [c.strip() for c in table[1].split("┃")]
    rows = [[c.strip() for c in line.split("│")] for line in table[3:5]]
    assert [r[0] for r in rows] == ["1", "0"]
    assert [r[head.index("reconn")] for r in rows] == ["?", "?"]
    timeline = out[out.index("Timeline (") :].splitlines()
    timeline_row = next(line for line in timeline if line.startswith("reconnects "))
    assert timeline_row.split()[1] == "?"
    assert "peak 0" not in timeline_row
    assert out.count(RECONNECTS_UNKNOWN) == 1


def test_reconnects_a_log_shows_are_counted_per_connection() -> None:
    """A Hermes DEBUG log shows its reconnects: numbers in the column and a sparkline row."""
    out = _render("hermes_file.log", width=400)
    table = out[out.index("Connections (worst first)") :].splitlines()
    head = [c.strip() for c in table[1].split("┃")]
    cells = [line.split("│")[head.index("reconn")].strip() for line in table[3:5]]
    assert all(c.isdigit() for c in cells)
    assert any(int(c) for c in cells)
    timeline = out[out.index("Timeline (") :].splitlines()
    timeline_row = next(line for line in timeline if line.startswith("reconnects "))
    assert "peak" in timeline_row
    assert RECONNECTS_UNKNOWN not in out
