"""Findings: causes first (ranked), then the symptoms they explain, then notes; the evidence
decides between the network, the host, the settings and Twitch's side."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import wsdiag
from tests.conftest import SAMPLES, diagnose_text
from tests.minerlog import MINER, POOL, failure, record
from wsdiag.diagnose.causes import CAUSES, TIERS
from wsdiag.diagnose.thresholds import SEVERITIES

T0 = datetime(2025, 11, 29, 10, 0, 0)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def sample(name: str) -> dict[str, Any]:
    return wsdiag.diagnose(str(SAMPLES / name), jobs=1).to_dict()


def by_id(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["id"]: f for f in doc["findings"]}


def framed(body: str, hours: float = 6) -> str:
    return (
        record(T0, "INFO", MINER, "run", "Loading data for 30 streamers. Please wait...")
        + body
        + record(at(hours * 60), "INFO", MINER, "run", "still mining")
    )


def test_outage_log_points_to_the_network() -> None:
    """outage.log: one network-wide outage explains every failure: network-instability first,
    network-outages its symptom."""
    doc = sample("outage.log")
    assert doc["diagnosis"] == {"primary": "network-instability", "causes": ["network-instability"]}
    f = by_id(doc)
    net = f["network-instability"]
    assert net["title"] == "the host or its network dropped connections: 1 network-wide outage"
    assert net["evidence"][0] == (
        "2025-06-14 20:40-20:46 (6m): 4 of 4 connections went down together, 17 failures, "
        "4 said 'No internet connection'"
    )
    assert net["explains"] == 17
    assert net["recommendation"].startswith("Look at what happened at these times: the router/modem")
    # the classes all came inside the outage: no separate DNS or timeout advice
    assert "1.1.1.1" not in net["recommendation"]
    assert "VPN, proxy or firewall" not in net["recommendation"]
    outage = f["network-outages"]
    assert (outage["kind"], outage["because_of"]) == ("symptom", ["network-instability"])
    assert outage["evidence"][-1] == "this outage takes in 17 of 17 failures (100%)"


def test_storm_points_to_the_pool_not_the_network() -> None:
    """storm_37conn.log: failures spread over 37 connections: the oversized pool explains them."""
    doc = sample("storm_37conn.log")
    f = by_id(doc)
    assert "network-outages" not in f
    assert "network-instability" not in f
    assert doc["diagnosis"]["causes"] == ["too-many-connections", "twitch-reconnects"]
    assert f["too-many-connections"]["explains"] == 45
    assert f["twitch-reconnects"]["explains"] == 1
    assert f["ping-pong-failures"]["because_of"] == ["too-many-connections"]
    assert f["reconnect-storm"]["because_of"] == ["too-many-connections", "twitch-reconnects"]


def test_failures_on_one_connection_are_not_twitchs_background(tmp_path: Path) -> None:
    """Six TLS errors on #2 in five hours: tls-errors names the connection; no Twitch's side."""
    body = "".join(failure(at(20 + 30 * i), 2, "ssl") for i in range(6))
    body += failure(at(300), 0, "connection_reset")
    doc = diagnose_text(tmp_path, framed(body))
    f = by_id(doc)
    assert doc["diagnosis"]["causes"] == ["tls-errors"]
    assert f["tls-errors"]["evidence"][1] == "6 (1.0/h) TLS errors on #2, not in a network outage"


def test_repeated_network_outages_are_an_error(tmp_path: Path) -> None:
    """Three outages of all 5 connections explaining most failures: an error cause, listed per
    outage, and the lone reset beside them is the same network."""
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
    net = f["network-instability"]
    assert net["severity"] == "error"
    assert net["title"] == "the host or its network dropped connections: 3 network-wide outages"
    assert len([e for e in net["evidence"] if "5 of 5 connections went down together" in e]) == 3
    assert net["explains"] == 31  # the 30 of the outages and the reset
    assert doc["cascades_explain"]["failures"] == 30
    assert doc["cascades_explain"]["of"] == 31
    assert f["network-outages"]["severity"] == "error"
    assert doc["findings"][0]["id"] == "network-instability"


def test_findings_come_causes_first_ranked() -> None:
    """Every sample: causes first (by severity, then tier), then symptoms, then notes; the
    primary is the first cause; the verdict is the worst cause."""
    for path in sorted(SAMPLES.glob("*.log")):
        doc = sample(path.name)
        kinds = [f["kind"] for f in doc["findings"]]
        assert kinds == sorted(kinds, key=["cause", "symptom", "note"].index), path.name
        found = [f for f in doc["findings"] if f["kind"] == "cause"]
        keys = [(SEVERITIES.index(f["severity"]), TIERS[f["id"]]) for f in found]
        assert keys == sorted(keys), path.name
        assert doc["diagnosis"]["causes"] == [f["id"] for f in found]
        assert doc["diagnosis"]["primary"] == (found[0]["id"] if found else None)
        assert set(doc["diagnosis"]["causes"]) <= set(CAUSES)
        worst = min((SEVERITIES.index(f["severity"]) for f in found), default=2)
        assert doc["verdict"] == ("error", "warning", "ok")[worst], path.name


def test_quiet_log_has_only_twitchs_background() -> None:
    """One reset in six hours: Twitch's background, an info cause; the verdict stays ok."""
    doc = sample("healthy_2conn.log")
    assert doc["diagnosis"] == {"primary": "twitch-closes", "causes": ["twitch-closes"]}
    assert doc["verdict"] == "ok"
    assert [f["severity"] for f in doc["findings"]] == ["info"]
