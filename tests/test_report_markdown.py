"""Markdown reporter: GitHub-flavoured headings and tables, with log text escaped."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

import pytest

import wsdiag
from tests.conftest import SAMPLES
from wsdiag.commands.check import evaluate
from wsdiag.diagnose.diagnosis import Diagnosis
from wsdiag.diagnose.finding import Finding
from wsdiag.report import markdown
from wsdiag.summary.clients import RECONNECTS_UNKNOWN

EXPECTED: dict[str, dict[str, Any]] = json.loads((SAMPLES / "EXPECTED.json").read_text())


def diagnose(name: str) -> Diagnosis:
    return wsdiag.diagnose(str(SAMPLES / name), year=2025, jobs=1)


def tables(text: str) -> list[list[str]]:
    """Each GFM table as its lines."""
    out: list[list[str]] = []
    current: list[str] = []
    for line in text.splitlines():
        if line.startswith("|"):
            current.append(line)
        elif current:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def cells(row: str) -> int:
    """Number of cells in a table row; an escaped pipe does not end a cell."""
    return len(re.split(r"(?<!\\)\|", row)) - 2


def test_storm_report_sections_and_numbers() -> None:
    """Verdict heading, findings, failure and connection tables carry the storm log's numbers."""
    md = markdown.render(diagnose("storm_37conn.log"))
    assert md.startswith(
        "## ❌ wsdiag: ERROR · cause: 37 PubSub connections open; Twitch allows 10 per IP\n\n"
        "37 connections · 46 failures · 46 reconnects · causes: `too-many-connections` (error), "
        "`twitch-reconnects` (info)\n"
    )
    causes, symptoms = md.index("### Causes (most important first)"), md.index("### Symptoms")
    assert causes < md.index("`too-many-connections` —") < symptoms < md.index("`reconnect-storm` —")
    assert "*Symptom of:* `too-many-connections`, `twitch-reconnects`" in md
    assert "**Span:** 3h02m, 2025-11-21 19:00 → 2025-11-21 22:01" in md
    assert "#### ❌ error: `too-many-connections` — 37 PubSub connections open; Twitch allows 10 per IP" in md
    assert "| `ping_pong` | 38 | 12.6 |" in md
    assert "| **total** | **46** | 15.2 |" in md
    assert "| #12 | 6 | `ping_pong` | 6 | – |" in md
    assert "… and 25 more connections." in md
    assert "keep **≤124 streamers** (now 900)" in md


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_tables_are_well_formed_and_tokens_absent(name: str) -> None:
    """Every table row has as many cells as its header; planted tokens never appear."""
    md = markdown.render(diagnose(name))
    found = tables(md)
    assert len(found) >= 2
    for table in found:
        assert re.fullmatch(r"\|( :?-{3}:? \|)+", table[1]), table[1]
        assert {cells(row) for row in table} == {cells(table[0])}, table
    for token in EXPECTED[name]["tokens"]:
        assert token not in md


def test_log_text_cannot_inject_markdown_html_or_mentions() -> None:
    """Pipes, HTML, links, emphasis and @mentions from a log print literally and stay in their cell."""
    d = diagnose("outage.log")
    hostile = "evil | <script>alert(1)</script> [x](http://e.test) **b** `c` @octocat\nnext"
    finding = Finding("network-instability", "warning", hostile, (hostile,), hostile)
    st = next(iter(d.summary.inputs.values()))
    st.path = hostile
    md = markdown.render(replace(d, findings=(finding,)))
    assert "<script>" not in md
    assert "&lt;script&gt;" in md
    assert "[x](http" not in md
    assert "\\[x\\](http" in md
    assert "**b**" not in md
    assert "\\*\\*b\\*\\*" in md
    assert "@octocat" not in md
    assert "@\u2060octocat" in md
    assert "\nnext" not in md
    inputs = tables(md)[-1]
    assert {cells(row) for row in inputs} == {6}


def test_escape_function() -> None:
    """md() escapes inline syntax and HTML, and joins lines."""
    assert markdown.md("a_b *c* |d| <e> & `f`\r\ng") == "a\\_b \\*c\\* \\|d\\| &lt;e&gt; &amp; \\`f\\` g"


def test_check_section_passed_and_failed() -> None:
    """With a check result, a passed or failed section comes first, failing rules in a table."""
    healthy = diagnose("healthy_2conn.log")
    md = markdown.render(healthy, evaluate(healthy))
    assert "### ✅ Check passed: no cause at or above `error`, no limit exceeded" in md
    storm = diagnose("storm_37conn.log")
    md = markdown.render(storm, evaluate(storm, "error", 10.0), exit_zero=True)
    assert "— not failing the job (`--exit-zero`)" in md
    assert md.index("### ❌ Check failed") < md.index("### Causes")
    assert "| `too-many-connections` | 37 connections | 10 (`--max-connections`) |" in md


def test_window_is_shown() -> None:
    """An analysis limited by --since/--until says so next to the span."""
    d = diagnose("storm_37conn.log")
    d.summary.window = (None, d.summary.last)
    assert "; only records until 2025-11-21 22:01:36" in markdown.render(d)


def _connection_cells(report: str, column: str) -> list[str]:
    """The cells of one column of the connections table."""
    table = next(t for t in tables(report) if t[0].startswith("| Connection |"))
    head = [c.strip() for c in table[0].strip("|").split("|")]
    return [row.strip("|").split("|")[head.index(column)].strip() for row in table[2:]]


def test_reconnects_a_log_cannot_show_are_unknown_not_zero() -> None:
    """An INFO-only Hermes log: the connections table's reconnects are "?", not 0, and the
    reason is written once (under the failures table)."""
    report = markdown.render(diagnose("hermes_console_info.log"))
    assert _connection_cells(report, "Reconnects") == ["?", "?"]
    assert report.count(RECONNECTS_UNKNOWN) == 1


def test_reconnects_a_log_shows_are_numbers() -> None:
    """A Hermes DEBUG log: each connection's reconnects are counted."""
    report = markdown.render(diagnose("hermes_file.log"))
    counts = _connection_cells(report, "Reconnects")
    assert all(c.isdigit() for c in counts)
    assert any(int(c) for c in counts)
    assert RECONNECTS_UNKNOWN not in report
