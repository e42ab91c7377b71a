"""Durations: one grammar, read by every duration option and written by every report."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from tests.conftest import SAMPLES, run_cli
from tests.minerlog import make_log
from wsdiag.cli import app
from wsdiag.durations import format_seconds, parse

runner = CliRunner()


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("45s", 45), ("5m", 300), ("1h30m", 5400), ("1.5h", 5400), ("7d", 604800), ("2w", 1209600),
     ("6m21s", 381), ("3h05m", 11100), (" 90m ", 5400)],
)
def test_parse(text: str, seconds: int) -> None:
    """Numbers with units, combined."""
    assert parse(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["5", "15min", "1 h", "-1h", "h", "", "5ms", "1h 30m"])
def test_parse_refuses_what_is_not_a_duration(text: str) -> None:
    """A number alone, other unit names and junk are refused, saying what a duration looks like."""
    with pytest.raises(ValueError, match="not a duration"):
        parse(text)
    assert parse("2.5", bare_seconds=True) == timedelta(seconds=2.5)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0s"), (45, "45s"), (59.6, "1m"), (381, "6m21s"), (3180, "53m"), (3599, "59m59s"),
     (3600, "1h"), (11100, "3h05m"), (86399, "1d"), (183600, "2d03h"), (None, "-")],
)
def test_format(seconds: float | None, text: str) -> None:
    """At most two units; under an hour in minutes and seconds (never `0.0 h`)."""
    assert format_seconds(seconds) == text


@given(st.floats(min_value=0, max_value=10 * 365 * 86400))
def test_what_is_written_reads_back(seconds: float) -> None:
    """Every printed duration parses back, to the precision it shows."""
    text = format_seconds(seconds)
    back = parse(text).total_seconds()
    unit = 1 if seconds < 3600 else 60 if seconds < 86400 else 3600
    assert abs(back - seconds) <= unit


def test_every_duration_option_takes_the_grammar(tmp_path: Path) -> None:
    """--since, --bucket, watch's --window, --interval, --exit-after and --idle-exit."""
    storm = str(SAMPLES / "storm_37conn.log")
    doc = json.loads(run_cli("analyze", "-f", "json", storm, "--since", "1h30m", "--bucket", "1h").stdout)
    assert doc["window"]["since"] == "2025-11-21T20:31:36"
    assert doc["timeline_info"]["bucket"] == "1h"
    log = tmp_path / "miner.log"
    log.write_text(make_log(0.5, {"timeout": 2}).text)
    proc = run_cli(
        "watch", str(log), "--format", "jsonl", "--window", "30m", "--interval", "0.1s",
        "--exit-after", "2s", "--idle-exit", "1s",
    )
    assert proc.returncode == 0, proc.stderr.decode()
    for option, bad in (("--bucket", "5"), ("--since", "5"), ("--bucket", "90s")):
        res = runner.invoke(app, ["analyze", storm, option, bad])
        assert res.exit_code == 2, res.stderr
        assert res.stderr.startswith(f"wsdiag: error: {option}"), res.stderr
    for option, bad in (("--interval", "soon"), ("--exit-after", "1x"), ("--window", "5")):
        res = runner.invoke(app, ["watch", str(log), option, bad])
        assert res.exit_code == 2, res.stderr
        assert res.stderr.startswith(f"wsdiag: error: {option}"), res.stderr


def test_reports_print_durations_in_the_grammar() -> None:
    """A two-minute log's span is `2m08s` in every format, never `0.0 h`."""
    path = str(SAMPLES / "cert_verify.log")
    for fmt in ("text", "markdown", "html"):
        out = run_cli("analyze", "-f", fmt, path).stdout.decode()
        assert "2m08s" in out, fmt
        assert "0.0 h" not in out, fmt
        assert " min)" not in out, fmt
