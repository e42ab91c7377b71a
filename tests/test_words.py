"""Counts in words: every report agrees in number (1 failure, 1 line, 1 of 1 connection)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from tests.conftest import run_cli
from tests.minerlog import POOL, START, make_log, record
from wsdiag.common.words import noun, of, plural


def test_plural_and_of() -> None:
    """The noun follows the count; `of` follows the total."""
    assert [plural(n, "failure") for n in (0, 1, 2, 1204)] == [
        "0 failures", "1 failure", "2 failures", "1,204 failures",
    ]
    assert plural(1, "more kind") == "1 more kind"
    assert noun(3, "box", "boxes") == "boxes"
    assert of(1, 1, "connection") == "1 of 1 connection"
    assert of(1, 4, "connection") == "1 of 4 connections"


def test_a_log_of_one_of_everything_says_it_in_the_singular(tmp_path: Path) -> None:
    """One connection, one failure, one reconnect, one unknown error text: no `1 failures`,
    `(1 lines)`, `(1 kinds)` or `1 of 1 connections` in any format."""
    t = START + timedelta(minutes=5)
    text = record(START, "INFO", POOL, "on_open", "#0 - WebSocket opened")
    text += record(t, "ERROR", POOL, "on_error", "#0 - WebSocket error: something new happened")
    text += record(t, "INFO", POOL, "handle_reconnection", "#0 - Reconnecting to Twitch PubSub server in ~60 seconds")
    path = tmp_path / "one.log"
    path.write_text(text)
    wrong = re.compile(r"\b1 (failures|reconnects|lines|kinds|connections|errors|closes|streamers|user topics)\b"
                       r"|\bof 1 connections\b|\b0\.0 h\b")
    for fmt in ("text", "markdown", "html", "github"):
        raw = run_cli("analyze", "-f", fmt, str(path)).stdout.decode()
        for line in raw.splitlines():  # (the text timeline's rows end in a count: line by line)
            assert not wrong.search(line), (fmt, line)
        out = " ".join(raw.split())
        if fmt != "github":
            assert "1 failure" in out, fmt
    outage = make_log(1.0, {"timeout": 1}, conns=1).text
    path.write_text(outage)
    out = " ".join(run_cli("analyze", str(path)).stdout.decode().split())
    assert "1 connection · 1 failure · 1 reconnect" in out


def test_network_wide_outages_have_one_name_in_every_format() -> None:
    """No report says `cascade` (the JSON keys `cascades`, `cascades_per_hour` stay): text,
    markdown, github, html, and compare's text and markdown say `network-wide outage`."""
    from tests.conftest import SAMPLES

    outage, storm = str(SAMPLES / "outage.log"), str(SAMPLES / "storm_37conn.log")
    runs: list[tuple[str, ...]] = [("analyze", "-f", fmt, outage) for fmt in ("text", "markdown", "github", "html")]
    runs += [("compare", "-f", fmt, storm, outage) for fmt in ("text", "markdown")]
    for argv in runs:
        out = run_cli(*argv).stdout.decode().replace('id="cascades"', "")
        assert "ascade" not in out, argv
        assert "network-wide outage" in out.lower(), argv
    page = run_cli("analyze", "-f", "html", outage).stdout.decode()
    assert "<h2>Network-wide outages: 1</h2>" in page
