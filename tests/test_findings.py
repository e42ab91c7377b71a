"""Findings say which explanation the evidence supports: network-wide events, one connection,
Twitch's side or overload."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tests.conftest import SAMPLES, diagnose_text
from tests.minerlog import MINER, POOL, failure, record
from wsdiag.diagnosis import Diagnosis
from wsdiag.findings import SEVERITIES
from wsdiag.pipeline import Options, analyze
from wsdiag.sources import resolve

T0 = datetime(2025, 11, 29, 10, 0, 0)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def sample(name: str) -> dict[str, Any]:
    return Diagnosis.of(analyze(resolve([str(SAMPLES / name)]), Options(jobs=1))).to_dict()


def by_id(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["id"]: f for f in doc["findings"]}


def framed(body: str, hours: float = 6) -> str:
    return (
        record(T0, "INFO", MINER, "run", "Loading data for 30 streamers. Please wait...")
        + body
        + record(at(hours * 60), "INFO", MINER, "run", "still mining")
    )


def test_outage_log_points_to_the_network() -> None:
    """outage.log: one network-wide outage explains every failure; the pattern says network."""
    f = by_id(sample("outage.log"))
    outage = f["network-outages"]
    assert outage["severity"] == "warning"
    assert outage["title"] == "1 network-wide outage: connections dropped together"
    assert outage["evidence"][0] == (
        "2025-06-14 20:40-20:46 (6 min): 4 of 4 connections went down, 17 failures, "
        "4 reported no internet"
    )
    assert outage["evidence"][-1] == "these outages explain 17 of 17 failures (100%)"
    assert "router/modem" in outage["recommendation"]
    assert f["failure-pattern"]["title"].startswith("Most failures (100%) came in network-wide outages")
    assert "17 of 17 came in 1 network-wide outage(s) (100%)" in f["network-instability"]["evidence"]


def test_storm_points_to_overload_not_the_network() -> None:
    """storm_37conn.log: failures spread over 37 connections with ping/pong failures: overload."""
    f = by_id(sample("storm_37conn.log"))
    assert "network-outages" not in f
    pattern = f["failure-pattern"]
    assert pattern["severity"] == "info"
    assert pattern["title"] == (
        "Failures are spread over time and connections (never network-wide): overload, not your network"
    )
    assert pattern["evidence"][0] == "no network-wide outage: 19 connections never went down within 3 minutes"
    assert "37 of 37 connections had failures" in pattern["evidence"]
    assert "the worst, #12, had 6 (13%); mostly ping_pong" in pattern["evidence"]


def test_spread_resets_on_a_small_pool_point_to_twitch(tmp_path: Path) -> None:
    """Resets now and then on single connections of a 4-pool: Twitch's side, not the network."""
    body = "".join(failure(at(17 + 41 * i), i % 4, "connection_reset") for i in range(8))
    f = by_id(diagnose_text(tmp_path, framed(body)))
    assert f["failure-pattern"]["title"] == (
        "Failures are spread over time on single connections (never network-wide): Twitch's side, "
        "not your network"
    )
    assert "network-outages" not in f


def test_failures_on_one_connection_are_called_out(tmp_path: Path) -> None:
    """Six of seven failures on #2: the finding names that connection."""
    body = "".join(failure(at(20 + 30 * i), 2, "ssl") for i in range(6))
    body += failure(at(300), 0, "connection_reset")
    f = by_id(diagnose_text(tmp_path, framed(body)))
    assert f["failure-pattern"]["title"] == "Failures concentrate on connection #2 (86%), not on the network"
    assert "its ssl failures" in f["failure-pattern"]["recommendation"]


def test_repeated_network_outages_are_an_error(tmp_path: Path) -> None:
    """Three outages of all 5 connections explaining most failures: an error, listed per outage."""
    body = ""
    for k, minute in enumerate((60, 150, 240)):
        for c in range(5):
            body += failure(at(minute + c / 6), c, "timeout")
            body += record(
                at(minute + 0.5 + c / 6),
                "WARNING",
                POOL,
                "handle_reconnection",
                f"#{c} - No internet connection available! Retry after {k + 1}m",
            )
    body += failure(at(330), 1, "connection_reset")
    doc = diagnose_text(tmp_path, framed(body))
    f = by_id(doc)
    assert f["network-outages"]["severity"] == "error"
    assert f["network-outages"]["title"] == "3 network-wide outages: connections dropped together"
    assert len([e for e in f["network-outages"]["evidence"] if "5 of 5 connections" in e]) == 3
    assert doc["cascades_explain"]["failures"] == 30 and doc["cascades_explain"]["of"] == 31
    assert doc["findings"][0]["id"] == "network-outages"


def test_findings_stay_sorted_by_severity() -> None:
    """Every sample's findings come error first, then warning, then info."""
    for path in sorted(SAMPLES.glob("*.log")):
        sev = [SEVERITIES.index(f["severity"]) for f in sample(path.name)["findings"]]
        assert sev == sorted(sev), path.name


def test_quiet_logs_get_no_pattern_finding() -> None:
    """One failure in six hours is not a pattern: the healthy sample stays free of findings."""
    doc = sample("healthy_2conn.log")
    assert doc["findings"] == []
    assert doc["verdict"] == "ok"
