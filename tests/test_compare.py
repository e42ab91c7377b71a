"""Tests of `wsdiag compare`: before/after deltas and a verdict judged on rates, not counts."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

import wsdiag
from tests.conftest import ROOT, SAMPLES, run_cli
from tests.minerlog import Log, make_log
from wsdiag.cli import app
from wsdiag.commands.compare import compare, judge_rate, rate_z
from wsdiag.diagnose.diagnosis import Diagnosis
from wsdiag.report.compare import render_markdown, render_text


def _diag(tmp_path: Path, log: Log | str, name: str) -> Diagnosis:
    path = tmp_path / name
    path.write_text(log if isinstance(log, str) else log.text)
    return wsdiag.diagnose(str(path), year=2025, jobs=1)


def test_rate_z_is_zero_for_equal_rates_and_signed_by_direction() -> None:
    """Equal rates over different spans give z = 0; a higher later rate gives z > 0."""
    assert rate_z(100, 4.0, 25, 1.0) == pytest.approx(rate_z(25, 1.0, 100, 4.0) * -1)
    assert abs(rate_z(100, 4.0, 25, 1.0)) < 0.1
    assert rate_z(10, 1.0, 40, 1.0) > 3
    assert rate_z(40, 1.0, 10, 1.0) < -3


def test_small_counts_are_noise_not_a_change() -> None:
    """0 vs 3 failures in an hour is not significant; 0 vs 30 is."""
    assert judge_rate(0, 1.0, 3, 1.0)[0] == "unchanged"
    assert judge_rate(0, 1.0, 30, 1.0)[0] == "worse"
    assert judge_rate(30, 1.0, 0, 1.0)[0] == "better"
    assert judge_rate(5, None, 3, 1.0) == ("unknown", None)


def test_same_rate_over_different_spans_is_unchanged(tmp_path: Path) -> None:
    """180 failures in 6 h and 45 in 1.5 h are both 30/h: unchanged, though the count fell 4x."""
    before = make_log(6.0, {"connection_reset": 20, "ping_pong": 10})
    after = make_log(1.5, {"connection_reset": 20, "ping_pong": 10})
    assert (before.failures, after.failures) == (180, 45)
    c = compare(_diag(tmp_path, before, "b.log"), _diag(tmp_path, after, "a.log"))
    assert c.verdict == "unchanged"
    m = c.metric("failures_per_hour")
    assert (m.before_count, m.after_count) == (180, 45)
    assert m.before == pytest.approx(30.0)
    assert m.after == pytest.approx(30.0)
    assert m.status == "unchanged"
    assert c.metric("reconnects_per_hour").after == pytest.approx(30.0)
    assert c.better == ()
    assert c.worse == ()


def test_more_failures_at_a_lower_rate_is_better(tmp_path: Path) -> None:
    """40 failures in 1 h, then 80 in 10 h: twice the count, a fifth of the rate: better."""
    before = make_log(1.0, {"connection_reset": 40})
    after = make_log(10.0, {"connection_reset": 8})
    c = compare(_diag(tmp_path, before, "b.log"), _diag(tmp_path, after, "a.log"))
    assert c.verdict == "better"
    m = c.metric("failures_per_hour")
    assert (m.before_count, m.after_count) == (40, 80)
    assert m.before == pytest.approx(40.0)
    assert m.after == pytest.approx(8.0)
    assert m.change_pct == pytest.approx(-80.0)
    assert c.metric("failures_per_hour.connection_reset").status == "better"
    assert any("failures per hour 40.00 → 8.00" in r for r in c.better)


def test_fewer_failures_at_a_higher_rate_is_worse(tmp_path: Path) -> None:
    """40 ping/pong failures in 10 h, then 30 in 1 h: fewer events, 7.5x the rate: worse."""
    before = make_log(10.0, {"ping_pong": 4})
    after = make_log(1.0, {"ping_pong": 30})
    c = compare(_diag(tmp_path, before, "b.log"), _diag(tmp_path, after, "a.log"))
    assert c.verdict == "worse"
    assert c.metric("failures_per_hour").status == "worse"
    assert c.metric("failures_per_hour.ping_pong").after == pytest.approx(30.0)
    changes = {f.id: (f.state, f.before, f.after, f.kind) for f in c.findings}
    # 4 an hour on 4 connections is Twitch's background; 30 an hour, the host not keeping up.
    assert changes["twitch-closes"] == ("cleared", "info", None, "cause")
    assert changes["host-stalled"] == ("appeared", None, "warning", "cause")
    assert changes["ping-pong-failures"] == ("persisting", "info", "warning", "symptom")
    assert changes["reconnect-storm"] == ("appeared", None, "warning", "symptom")
    assert [f.id for f in c.causes] == ["host-stalled", "twitch-closes"]  # causes come first
    # Symptoms never vote, and a warning cause does not either: the rates already did.
    assert "failures per hour 4.00 → 30.00" in c.worse
    assert "ping_pong per hour 4.00 → 30.00" in c.worse
    assert not [r for r in c.worse if "ping-pong-failures" in r or "reconnect-storm" in r]
    assert c.delta()["primary"] == {"before": "twitch-closes", "after": "host-stalled"}


def test_shrinking_the_pool_below_the_limit_is_better(tmp_path: Path) -> None:
    """37 connections -> 8 at the same failure rate: too-many-connections clears, verdict better."""
    before = make_log(2.0, {"connection_reset": 6}, conns=37)
    after = make_log(3.0, {"connection_reset": 6}, conns=8)
    c = compare(_diag(tmp_path, before, "b.log"), _diag(tmp_path, after, "a.log"))
    pool = c.metric("pool_size")
    assert (pool.before, pool.after, pool.status) == (37.0, 8.0, "better")
    assert c.metric("failures_per_hour").status == "unchanged"
    cleared = {f.id: f for f in c.findings if f.state == "cleared"}
    assert cleared["too-many-connections"].before == "error"
    assert "cause too-many-connections cleared" in c.better
    assert c.verdict == "better"
    assert c.delta()["causes"]["cleared"][0]["id"] == "too-many-connections"


def test_mixed_changes_are_decided_by_the_failure_rate(tmp_path: Path) -> None:
    """Pool grows past the limit (worse) but failures fall 10x (better): the failure rate decides."""
    before = make_log(1.0, {"timeout": 50}, conns=8)
    after = make_log(4.0, {"timeout": 5}, conns=12)
    c = compare(_diag(tmp_path, before, "b.log"), _diag(tmp_path, after, "a.log"))
    assert c.metric("pool_size").status == "worse"
    assert "new cause too-many-connections" in c.worse
    assert c.better
    assert c.worse
    assert c.verdict == "better"


def test_delta_json_shape(tmp_path: Path) -> None:
    """The delta names the verdict, rates per metric and class, spans and finding changes."""
    before = make_log(2.0, {"connection_reset": 15, "ssl": 5})
    after = make_log(4.0, {"connection_reset": 3})
    doc = compare(_diag(tmp_path, before, "b.log"), _diag(tmp_path, after, "a.log")).to_dict()
    assert set(doc) == {"before", "after", "delta"}
    assert doc["before"]["schema"] == doc["after"]["schema"] == "wsdiag/1"
    d = doc["delta"]
    assert d["verdict"] == "better"
    assert d["span_hours"] == {"before": 2.0, "after": 4.0}
    assert d["metrics"]["failures_per_hour"]["before"] == 20.0
    assert d["metrics"]["failures_per_hour"]["after"] == 3.0
    assert d["failures_per_hour_by_class"]["ssl"] == {
        "label": "ssl per hour",
        "before": 5.0,
        "after": 0.0,
        "change": -5.0,
        "change_pct": -100.0,
        "before_count": 10,
        "after_count": 0,
        "z": d["failures_per_hour_by_class"]["ssl"]["z"],
        "status": "better",
    }
    assert d["metrics"]["pool_size"]["before"] == 4.0
    assert isinstance(d["findings"]["cleared"], list)


def _console() -> Console:
    return Console(file=io.StringIO(), width=120, no_color=True, color_system=None, markup=False)


def test_text_and_markdown_show_both_sides(tmp_path: Path) -> None:
    """Text and Markdown list every metric with before, after and change, and the verdict."""
    before = make_log(1.0, {"connection_reset": 40})
    after = make_log(10.0, {"connection_reset": 8})
    c = compare(_diag(tmp_path, before, "b.log"), _diag(tmp_path, after, "a.log"))
    text = render_text(c, _console())
    assert " BETTER " in text
    assert "failures per hour" in text
    assert "40.00" in text
    assert "8.00" in text
    assert "-80%" in text
    assert "b.log" in text
    assert "a.log" in text
    md = render_markdown(c)
    assert md.startswith("## wsdiag compare: **better**")
    assert "| failures per hour | 40.00 | 8.00 | -32.00 (-80%) | ▼ better |" in md


def test_generated_logs_with_known_rates(tmp_path: Path) -> None:
    """genlog logs: a 10x lower failure_rate over a longer span compares as better, rates exact."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    genlog = pytest.importorskip("genlog")
    logs = {}
    for name, rate, size in (("b.log", 0.02, 300_000), ("a.log", 0.002, 900_000)):
        buf = io.BytesIO()
        exp = genlog.generate(
            genlog.GenConfig(seed=5, size=size, level="INFO", connections=8, failure_rate=rate), buf
        )
        (tmp_path / name).write_bytes(buf.getvalue())
        logs[name] = exp
    c = compare(
        _diag(tmp_path, (tmp_path / "b.log").read_text(), "b.log"),
        _diag(tmp_path, (tmp_path / "a.log").read_text(), "a.log"),
    )
    from datetime import datetime

    for name, m_value in (
        ("b.log", c.metric("failures_per_hour").before),
        ("a.log", c.metric("failures_per_hour").after),
    ):
        exp = logs[name]
        hours = (datetime.fromisoformat(exp.last) - datetime.fromisoformat(exp.first)).total_seconds() / 3600
        assert m_value == pytest.approx(exp.failures_total / hours)
    b, a = logs["b.log"], logs["a.log"]
    assert a.failures_total > 0
    assert b.failures_total > 0
    assert c.verdict == "better"
    assert c.metric("failures_per_hour").status == "better"


def test_cli_compare_formats(tmp_path: Path) -> None:
    """`wsdiag compare` prints text, JSON ({before, after, delta}) and Markdown; exit 0."""
    (tmp_path / "b.log").write_text(make_log(1.0, {"connection_reset": 40}).text)
    (tmp_path / "a.log").write_text(make_log(10.0, {"connection_reset": 8}).text)
    b, a = str(tmp_path / "b.log"), str(tmp_path / "a.log")
    proc = run_cli("compare", b, a, "--format", "json")
    assert proc.returncode == 0, proc.stderr.decode()
    doc = json.loads(proc.stdout)
    assert doc["delta"]["verdict"] == "better"
    assert doc["before"]["failures"]["total"] == 40
    assert doc["after"]["failures"]["total"] == 80
    runner = CliRunner()
    res = runner.invoke(app, ["compare", b, a])
    assert res.exit_code == 0
    assert " BETTER " in res.stdout
    assert "\x1b" not in res.stdout
    res = runner.invoke(app, ["compare", b, a, "--format", "markdown", "-o", str(tmp_path / "c.md")])
    assert res.exit_code == 0
    assert res.stdout == ""
    assert (tmp_path / "c.md").read_text().startswith("## wsdiag compare: **better**")


def test_cli_compare_unusable_input_exits_2(tmp_path: Path) -> None:
    """A missing log is one line on stderr and exit 2."""
    proc = run_cli("compare", str(SAMPLES / "outage.log"), str(tmp_path / "missing.log"))
    assert proc.returncode == 2
    assert proc.stderr.decode().count("\n") == 1
    assert "missing.log" in proc.stderr.decode()


def test_compare_sample_logs_of_different_setups(tmp_path: Path) -> None:
    """The 37-connection storm log against the healthy 2-connection log: better."""
    b = wsdiag.diagnose(str(SAMPLES / "storm_37conn.log"), jobs=1)
    a = wsdiag.diagnose(str(SAMPLES / "healthy_2conn.log"), jobs=1)
    c = compare(b, a)
    assert c.verdict == "better"
    assert c.metric("pool_size").before == 37.0
    assert "cause too-many-connections cleared" in c.better
    assert compare(a, b).verdict == "worse"


def test_reconnects_per_connection_divide_by_the_pool_and_do_not_vote(tmp_path: Path) -> None:
    """The per-connection reconnect rate divides by each log's pool (highest id + 1); it is shown,
    but cutting an oversized pool (which raises it) cannot make the verdict worse."""
    before = make_log(2.0, {"connection_reset": 6}, conns=37)
    after = make_log(2.0, {"connection_reset": 6}, conns=8)
    c = compare(_diag(tmp_path, before, "b.log"), _diag(tmp_path, after, "a.log"))
    m = c.metric("reconnects_per_connection_hour")
    assert m.before == pytest.approx(6 / 37)
    assert m.after == pytest.approx(6 / 8)
    assert not m.votes
    assert not [r for r in c.worse if "per connection" in r]
    assert c.verdict == "better"


HOSTILE_NAME = "a`b <img src=x onerror=alert(1)> [x](javascript:alert(1)) @octocat | *b*.log"


def test_markdown_escapes_file_names_like_analyze(tmp_path: Path) -> None:
    """A file name with a backtick, HTML, a link, an @mention and a pipe is inert in compare's
    Markdown, escaped by the same function as analyze's (no code span for a backtick to end)."""
    from wsdiag.report.markdown import md

    path = tmp_path / HOSTILE_NAME
    path.write_text(make_log(1.0, {"connection_reset": 40}).text)
    runner = CliRunner()
    out = runner.invoke(app, ["compare", str(path), str(path), "--format", "markdown"]).stdout
    before = next(line for line in out.splitlines() if line.startswith("- before: "))
    assert md(str(path)) in before
    assert "<img" not in out
    assert "@octocat" not in out
    assert not re.search(r"(?<!\\)(?:`|\]\(|\|\s\*b)", before), before
    analyzed = runner.invoke(app, ["analyze", str(path), "--format", "markdown"]).stdout
    assert md(str(path)) in analyzed
