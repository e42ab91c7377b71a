"""Cascades: injected network-wide outages are found, isolated failures are not."""

from __future__ import annotations

import io
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, SAMPLES, diagnose_text
from tests.minerlog import MINER, POOL, failure, record
from wsdiag.diagnose.cascades import binomial_tail, cascades, coincidence_needed, floor_for
from wsdiag.pipeline import Options, analyze
from wsdiag.read.layouts import YearResolver
from wsdiag.read.scan import Scanner
from wsdiag.read.sources import resolve
from wsdiag.summary.summary import Summary

T0 = datetime(2025, 11, 29, 10, 0, 0)
sys.path.insert(0, str(ROOT / "benchmarks"))


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def no_internet(t: datetime, conn: int, minutes: int = 1) -> str:
    return record(
        t,
        "WARNING",
        POOL,
        "handle_reconnection",
        f"#{conn} - No internet connection available! Retry after {minutes}m",
    )


def edges(hours: float = 2) -> tuple[str, str]:
    return (
        record(T0, "INFO", MINER, "run", "Loading data for 40 streamers. Please wait..."),
        record(at(hours * 60), "INFO", MINER, "run", "Still mining"),
    )


def generated(
    seed: int, level: str, conns: int, outages: int, size: int, rate: float = 0.002
) -> tuple[Summary, Any]:
    genlog = pytest.importorskip("genlog")
    buf = io.BytesIO()
    cfg = genlog.GenConfig(
        seed=seed, size=size, level=level, connections=conns, outages=outages, failure_rate=rate
    )
    expected = genlog.generate(cfg, buf)
    s = Summary()
    Scanner(s, s.input("gen.log"), YearResolver.for_log(2025)).chunk(buf.getvalue())
    return s.finish(), expected


# Outages at least ~10 minutes apart: genlog drops the pending reconnections of an outage that
# begins while the previous one's connections are still offline, so those never come back.
CASES = [
    (1, "INFO", 2, 400_000),
    (2, "INFO", 3, 400_000),
    (3, "DEBUG", 4, 1_500_000),
    (4, "INFO", 10, 400_000),
    (5, "DEBUG", 10, 1_500_000),
    (6, "INFO", 37, 400_000),
    (7, "DEBUG", 37, 6_000_000),
]


@pytest.mark.parametrize(("seed", "level", "conns", "size"), CASES)
def test_every_injected_outage_is_one_cascade(seed: int, level: str, conns: int, size: int) -> None:
    """Each outage genlog injects (all connections down within a minute) is exactly one cascade."""
    s, exp = generated(seed, level, conns, 2, size)
    assert len(exp.outages) == 2
    found = cascades(s).items
    assert len(found) == len(exp.outages)
    for cascade, outage in zip(found, exp.outages, strict=True):
        start = datetime.fromisoformat(str(outage["start"]))
        end = datetime.fromisoformat(str(outage["end"]))
        assert cascade.start <= start + timedelta(seconds=1)
        assert cascade.end >= end
        assert cascade.end - cascade.start < timedelta(minutes=20)
        assert set(cascade.connections) >= set(outage["connections"])
        assert cascade.kind == "network"
        assert cascade.confirmed == conns  # every connection then reported no internet
        assert cascade.by_class.get("no_internet", 0) >= conns


@pytest.mark.parametrize(("seed", "level", "conns", "size"), CASES)
def test_isolated_failures_are_not_cascades(seed: int, level: str, conns: int, size: int) -> None:
    """The same logs, three times the failure rate, no outages: failures stay single, no cascade."""
    s, exp = generated(seed, level, conns, 0, size, rate=0.006)
    assert exp.failures_total >= 10
    result = cascades(s)
    assert result.items == ()
    assert result.explained == 0


def test_no_internet_retries_belong_to_the_cascade_they_follow() -> None:
    """outage.log: 4 connections fail in one minute; their 13 no-internet retries join the cascade."""
    s = analyze(resolve([str(SAMPLES / "outage.log")]), Options(jobs=1))
    result = cascades(s)
    assert len(result.items) == 1
    c = result.items[0]
    assert c.connections == (0, 1, 2, 3)
    assert c.by_class == {"connection_reset": 2, "timeout": 1, "dns": 1, "no_internet": 13}
    assert c.start == datetime(2025, 6, 14, 20, 40, 31)  # #3's close and reconnect
    assert c.end == datetime(2025, 6, 14, 20, 46, 52)  # #0's last no-internet retry
    assert (result.explained, result.total, result.share) == (17, 17, 1.0)


def test_one_connection_without_internet_is_no_cascade(tmp_path: Path) -> None:
    """A single connection retrying for minutes while the other three hold is not network-wide."""
    head, tail = edges()
    text = head + failure(at(30), 2, "timeout")
    text += "".join(no_internet(at(30.5 + i), 2) for i in range(6))
    text += failure(at(70), 0, "connection_reset") + failure(at(95), 1, "ssl")
    text += record(at(100), "INFO", POOL, "on_close", "#3 - WebSocket closed")
    doc = diagnose_text(tmp_path, text + tail)
    assert doc["cascades"] == []
    assert doc["cascades_explain"]["failures"] == 0
    assert "network-outages" not in [f["id"] for f in doc["findings"]]


def test_small_pool_dropping_together_with_no_internet_is_a_cascade(tmp_path: Path) -> None:
    """Both connections of a 2-pool fail within seconds and report no internet: a cascade."""
    head, tail = edges()
    text = head + failure(at(30), 0, "timeout") + failure(at(30.2), 1, "connection_reset")
    text += no_internet(at(30.6), 0, 2) + no_internet(at(30.8), 1, 2)
    text += failure(at(80), 1, "ssl")  # later and alone: not part of it
    doc = diagnose_text(tmp_path, text + tail)
    assert len(doc["cascades"]) == 1
    c = doc["cascades"][0]
    assert c["connections"] == [0, 1]
    assert c["by_class"] == {"connection_reset": 1, "timeout": 1, "no_internet": 2}
    assert c["no_internet_connections"] == 2
    # Two connections are too few to rule out chance; the miner's no-internet check decides.
    assert doc["cascades_explain"] == {
        "failures": 4,
        "of": 5,
        "share": 0.8,
        "connections_needed": None,
    }


def test_twitch_reconnect_wave_is_a_server_cascade(tmp_path: Path) -> None:
    """All connections told `Reconnection required` within a minute: Twitch's side, not the network."""
    head, tail = edges()
    text = head
    for c in range(6):
        text += record(at(40 + c / 10), "INFO", POOL, "on_message", f"#{c} - Reconnection required")
    text += failure(at(90), 2, "connection_reset")
    doc = diagnose_text(tmp_path, text + tail)
    assert [c["kind"] for c in doc["cascades"]] == ["server"]
    assert doc["cascades"][0]["connections"] == [0, 1, 2, 3, 4, 5]
    ids = [f["id"] for f in doc["findings"]]
    assert "twitch-reconnects" in ids
    assert "network-outages" not in ids


def test_mixed_unrelated_failures_at_once_are_not_one_event(tmp_path: Path) -> None:
    """A RECONNECT on one connection and a reset on the other in the same minute: two stories."""
    head, tail = edges(6)
    text = head + record(at(200), "INFO", POOL, "on_message", "#0 - Reconnection required")
    text += failure(at(200.3), 1, "ping_pong")
    doc = diagnose_text(tmp_path, text + tail)
    assert doc["cascades"] == []


def test_spread_storm_on_37_connections_has_no_cascade() -> None:
    """storm_37conn.log: 46 failures over 3 hours on 37 connections never fall together."""
    s = analyze(resolve([str(SAMPLES / "storm_37conn.log")]), Options(jobs=1))
    result = cascades(s)
    assert result.items == ()
    assert result.needed == 19  # half of the 37 connections at least


def test_cascade_needs_half_the_pool() -> None:
    """The floor: every connection of pools up to 3, half (at least 3) of bigger ones."""
    assert [floor_for(n) for n in (2, 3, 4, 5, 10, 37)] == [2, 3, 3, 3, 5, 19]


def test_busy_background_raises_the_bar() -> None:
    """The more outages a log has anyway, the more connections a coincidence must involve."""
    quiet = coincidence_needed(37, rate=0.001, windows=100)
    busy = coincidence_needed(37, rate=0.2, windows=100)
    assert quiet == 19
    assert busy is not None
    assert busy > quiet
    assert coincidence_needed(37, rate=1.0, windows=100) is None  # everything fails all the time
    assert coincidence_needed(2, rate=0.0001, windows=100) == 2


def test_binomial_tail_matches_direct_sums() -> None:
    """P(X >= k) for a binomial, checked against exact small cases."""
    assert binomial_tail(2, 0.5, 2) == pytest.approx(0.25)
    assert binomial_tail(3, 0.1, 1) == pytest.approx(1 - 0.9**3)
    assert binomial_tail(5, 0.2, 0) == 1.0
    assert binomial_tail(5, 0.2, 6) == 0.0
