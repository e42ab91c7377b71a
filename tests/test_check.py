"""`wsdiag check`: the CI gate's exit status, violation lines and formats."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import wsdiag
from tests.conftest import SAMPLES
from wsdiag.cli import app
from wsdiag.commands.check import evaluate
from wsdiag.diagnose.diagnosis import Diagnosis
from wsdiag.pipeline import Options, analyze
from wsdiag.read.sources import resolve

runner = CliRunner()
EXPECTED: dict[str, dict[str, Any]] = json.loads((SAMPLES / "EXPECTED.json").read_text())
STORM = str(SAMPLES / "storm_37conn.log")  # 37 connections, 46 reconnects in 3.03 h
HEALTHY = str(SAMPLES / "healthy_2conn.log")  # 2 connections, 1 reconnect in 6.1 h


def check(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["check", "--year", "2025", *args])
    return result.exit_code, result.stdout


def severities(name: str) -> set[str]:
    summary = analyze(resolve([str(SAMPLES / name)]), Options(year=2025, jobs=1))
    return {f.severity for f in Diagnosis.of(summary).causes}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_exit_status_follows_fail_on(name: str) -> None:
    """Exit 1 exactly when a cause is at or above --fail-on (error by default, or warning)."""
    sev = severities(name)
    assert check(str(SAMPLES / name))[0] == (1 if "error" in sev else 0)
    assert check(str(SAMPLES / name), "--fail-on", "warning")[0] == (1 if sev & {"error", "warning"} else 0)
    if EXPECTED[name]["no_error_finding"]:
        assert check(str(SAMPLES / name))[0] == 0


def test_violation_lines_name_rule_value_and_limit() -> None:
    """One FAIL line per violation with the rule, the measured value and the limit; a verdict line last."""
    code, out = check(STORM, "--max-reconnects-per-hour", "10")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == (
        "FAIL too-many-connections: 37 connections, limit 10 (--max-connections): "
        "37 PubSub connections open; Twitch allows 10 per IP"
    )
    assert (
        "FAIL max-reconnects-per-hour: 15.2 reconnects/hour, limit 10 (--max-reconnects-per-hour): "
        "46 reconnects in 3h02m"
    ) in lines
    fails = [line for line in lines if line.startswith("FAIL ")]
    assert len(fails) == 2  # the one error cause, and the reconnect threshold
    assert "note ping-pong-failures: symptom of too-many-connections: 41 ping/pong failures" in lines
    assert lines[-1] == f"wsdiag check: failed: {len(fails)} violations ({STORM})"


def test_symptoms_never_fail_a_check() -> None:
    """Only causes gate: an error symptom without a failing cause passes, and is a note."""
    d = wsdiag.diagnose(STORM, year=2025, jobs=1)
    symptom = next(f for f in d.findings if f.id == "ping-pong-failures")
    assert symptom.kind == "symptom"
    assert symptom.severity == "error"
    only = replace(d, findings=(symptom,))
    result = evaluate(only, "warning")
    assert result.passed
    assert result.below == (symptom,)


def test_certificate_failure_fails_the_check(tmp_path: Path) -> None:
    """One CERTIFICATE_VERIFY_FAILED is an error cause: the check fails on it."""
    log = tmp_path / "cert.log"
    log.write_text(
        "25/04/21 22:17:22 - ERROR - [on_error]: #0 - WebSocket error: [SSL: CERTIFICATE_VERIFY_FAILED] "
        "certificate verify failed: unable to get local issuer certificate (_ssl.c:1125)\n"
    )
    code, out = check(str(log))
    assert code == 1
    assert out.startswith(
        "FAIL tls-certificate: error cause, limit error (--fail-on): "
        "certificate verification fails on the only connection"
    )


def test_reconnect_threshold_alone_fails_a_healthy_log() -> None:
    """--max-reconnects-per-hour fails a log with no error finding when its rate is above the limit."""
    passed = f"wsdiag check: passed: no cause at or above error, no limit exceeded ({HEALTHY})\n"
    note = "note twitch-closes: info cause (below --fail-on error): 1 isolated close on single connections: Twitch's background\n"
    assert check(HEALTHY) == (0, note + passed)
    code, out = check(HEALTHY, "--max-reconnects-per-hour", "0.1")
    assert code == 1
    assert out.startswith("FAIL max-reconnects-per-hour: 0.2 reconnects/hour, limit 0.1 ")
    assert check(HEALTHY, "--max-reconnects-per-hour", "1")[0] == 0


def test_max_connections_is_the_connection_limit() -> None:
    """--max-connections moves the too-many-connections limit either way."""
    assert "too-many-connections" not in check(STORM, "--max-connections", "40")[1]
    code, out = check(HEALTHY, "--max-connections", "1")
    assert code == 1
    assert out.startswith("FAIL too-many-connections: 2 connections, limit 1 (--max-connections)")


def test_exit_zero_reports_without_failing() -> None:
    """--exit-zero prints the same violations and exits 0."""
    code, out = check(STORM, "--exit-zero")
    assert code == 0
    assert out.startswith("FAIL too-many-connections")
    assert out.splitlines()[-1].endswith("(exit status 0: --exit-zero)")


def test_unmeasurable_rate_is_a_note_not_a_failure(tmp_path: Path) -> None:
    """A log without times cannot exceed a per-hour limit: a note, exit 0."""
    log = tmp_path / "pasted.log"
    log.write_text("#0 - WebSocket error: [Errno 32] Broken pipe\n#0 - WebSocket closed\n")
    code, out = check(str(log), "--max-reconnects-per-hour", "1")
    assert code == 0
    assert "note max-reconnects-per-hour: not measured, the log has no time span (0 reconnects)" in out


def test_unusable_input_exits_2() -> None:
    """A missing file is exit 2 (not 1, not 0), even with --exit-zero."""
    result = runner.invoke(app, ["check", "--exit-zero", "no/such.log"])
    assert result.exit_code == 2
    assert result.stderr == "wsdiag: error: no/such.log: no such file or directory\n"


def test_json_has_the_check_result() -> None:
    """--format json is the wsdiag/1 document plus a check object with every violation."""
    code, out = check(STORM, "--format", "json", "--max-reconnects-per-hour", "10")
    assert code == 1
    doc = json.loads(out)
    assert doc["schema"] == "wsdiag/1"
    assert doc["failures"]["total"] == 46
    assert doc["check"]["passed"] is False
    assert doc["check"]["fail_on"] == "error"
    rules = {v["rule"]: v for v in doc["check"]["violations"]}
    assert rules["max-reconnects-per-hour"] == {
        "rule": "max-reconnects-per-hour",
        "kind": "threshold",
        "severity": "error",
        "measured": "15.2 reconnects/hour",
        "limit": "10",
        "option": "--max-reconnects-per-hour",
        "message": "46 reconnects in 3h02m",
    }
    assert rules["too-many-connections"]["measured"] == "37 connections"


def test_markdown_and_github_formats() -> None:
    """markdown has a failed-check table; github has one ::error per violation and exit 1 either way."""
    code, md = check(STORM, "--format", "markdown", "--max-reconnects-per-hour", "10")
    assert code == 1
    assert "### ❌ Check failed:" in md
    assert "| `max-reconnects-per-hour` | 15.2 reconnects/hour | 10 (`--max-reconnects-per-hour`) |" in md
    code, gh = check(STORM, "--format", "github", "--max-reconnects-per-hour", "10")
    assert code == 1
    assert gh.count("::error title=wsdiag max-reconnects-per-hour::") == 1
    assert gh.count("::error title=wsdiag too-many-connections::") == 1


def test_evaluate_rejects_info_as_fail_on() -> None:
    """Only error and warning can fail a check."""
    d = wsdiag.diagnose(HEALTHY, year=2025, jobs=1)
    with pytest.raises(ValueError, match="fail_on"):
        evaluate(d, "info")
