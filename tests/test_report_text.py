"""The terminal report, rendered at a fixed width without colour."""

from __future__ import annotations

import io

from rich.console import Console

from tests.conftest import SAMPLES
from wsdiag.diagnosis import Diagnosis
from wsdiag.pipeline import Options, analyze
from wsdiag.report import text
from wsdiag.sources import resolve


def _render(name: str, width: int = 100) -> str:
    summary = analyze(resolve([str(SAMPLES / name)]), Options(year=2025, jobs=1))
    console = Console(file=io.StringIO(), width=width, no_color=True, force_terminal=False, color_system=None)
    return text.render(Diagnosis.of(summary), console)


def test_storm_report_reads_in_ten_seconds() -> None:
    """Verdict first, then findings by severity, the failure table and the limits."""
    out = _render("storm_37conn.log")
    verdict = next(line for line in out.splitlines() if line.startswith(" ERROR "))
    assert verdict.startswith(" ERROR   37 connections · 46 failures · 46 reconnects")
    assert out.index("too-many-connections") < out.index("ping-pong-failures")
    assert "ping_pong" in out and "Failures by class" in out
    assert "Recommended limits: ≤10 connections per IP" in out
    assert "\x1b" not in out


def test_healthy_report_says_no_problems() -> None:
    """A healthy miner gets an OK verdict and no findings panel."""
    out = _render("healthy_2conn.log")
    assert any(line.startswith(" OK ") for line in out.splitlines())
    assert "no problems found" in out
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
