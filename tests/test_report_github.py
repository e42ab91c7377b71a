"""GitHub Actions reporter: one workflow command per finding, escaped as the runner requires."""

from __future__ import annotations

from dataclasses import replace

import wsdiag
from tests.conftest import SAMPLES
from wsdiag.commands.check import evaluate
from wsdiag.diagnose.diagnosis import Diagnosis
from wsdiag.diagnose.finding import Finding
from wsdiag.report import github


def diagnose(name: str) -> Diagnosis:
    return wsdiag.diagnose(str(SAMPLES / name), year=2025, jobs=1)


def test_escaping_matches_the_runner() -> None:
    """Data escapes %, CR and LF; properties also : and ,."""
    assert github.escape_data("50% a\r\nb:c,d") == "50%25 a%0D%0Ab:c,d"
    assert github.escape_property("50% a\r\nb:c,d") == "50%25 a%0D%0Ab%3Ac%2Cd"
    # % first, so an escape in the input is not mistaken for one of ours
    assert github.escape_data("%0A") == "%250A"


def test_one_command_per_finding() -> None:
    """One line per cause, its severity as the command (info as notice), primary first; symptoms
    are notices that name their causes."""
    d = diagnose("storm_37conn.log")
    out = github.render(d)
    lines = out.splitlines()
    assert len(lines) == len(d.findings) >= 2
    kinds = {"error": "error", "warning": "warning", "info": "notice"}
    for f, line in zip(d.findings, lines, strict=True):
        if f.kind == "cause":
            assert line.startswith(f"::{kinds[f.severity]} title=wsdiag {f.id}::{f.title}%0A• ")
        else:
            assert line.startswith(f"::notice title=wsdiag {f.id}::{f.title} (symptom of ")
    assert [line.split("::")[1] for line in lines] == [
        "error title=wsdiag too-many-connections",
        "notice title=wsdiag twitch-reconnects",
        "notice title=wsdiag ping-pong-failures",
        "notice title=wsdiag reconnect-storm",
    ]
    assert lines[0].startswith(
        "::error title=wsdiag too-many-connections::37 PubSub connections open; Twitch allows 10 per IP%0A"
        "• pool size 37 (connection ids up to #36); Twitch allows 10 per IP%0A"
    )
    assert "%0AFix: Keep at most 124 streamers" in lines[0]


def test_healthy_log_gives_no_commands() -> None:
    """No finding, no annotation."""
    d = diagnose("healthy_2conn.log")
    assert github.render(replace(d, findings=())) == ""


def test_log_text_cannot_start_a_command() -> None:
    """Line breaks, :: and control characters in log text stay inside one escaped command."""
    d = diagnose("outage.log")
    evil = "x\n::add-mask::secret\r\n::set-output name=a::b\x1b[31m 100%, a:b"
    finding = Finding("network-instability", "info", evil, (evil,), evil)
    out = github.render(replace(d, findings=(finding,)))
    assert out.count("\n") == 1
    assert out.startswith("::notice title=wsdiag network-instability::")
    assert "\x1b" not in out
    assert "\r" not in out
    assert "x%0A::add-mask::secret%0A::set-output name=a::b\\x1b[31m" in out
    assert "100%25, a:b" in out


def test_check_violations_are_errors() -> None:
    """With a check, failing findings and thresholds are ::error, the rest keep their severity."""
    d = diagnose("storm_37conn.log")
    result = evaluate(d, "error", 10.0)
    out = github.render(d, result)
    assert out.count("::error ") == len(result.violations)
    assert "::error title=wsdiag max-reconnects-per-hour::15.2 reconnects/hour, limit 10 " in out
    assert out.count("::warning ") == 0  # the warning is a symptom: a notice
    assert out.count("::notice ") == 3
    strict = evaluate(d, "warning")
    failing = [f for f in d.causes if f.severity in ("error", "warning")]
    assert github.render(d, strict).count("::error ") == len(failing) == len(strict.violations)
