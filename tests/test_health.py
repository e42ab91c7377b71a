"""Per-connection health: outages, uptime, longest outage, MTBF, and exact merging of log parts."""

from __future__ import annotations

import io
import random
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLES, diagnose_text
from tests.minerlog import MINER, POOL, SOCKET, bad_auth, failure, record
from wsdiag.diagnose.health import health, worst_first
from wsdiag.pipeline import Options, analyze
from wsdiag.read.layouts import YearResolver
from wsdiag.read.scan import Scanner
from wsdiag.read.sources import resolve
from wsdiag.summary.summary import Summary

T0 = datetime(2025, 11, 29, 10, 0, 0)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def start_line(t: datetime = T0) -> str:
    return record(t, "INFO", MINER, "run", "Loading data for 10 streamers. Please wait...")


def end_line(t: datetime) -> str:
    return record(t, "INFO", MINER, "run", "Still mining")


def listen(t: datetime, conn: int, topic: str = "video-playback-by-id.1001") -> str:
    msg = f'#{conn} - Send: {{"type":"LISTEN","nonce":"n{conn}x","data":{{"topics":["{topic}"]}}}}'
    return record(t, "DEBUG", SOCKET, "send", msg)


def closed(t: datetime, conn: int) -> str:
    return record(t, "INFO", POOL, "on_close", f"#{conn} - WebSocket closed")


def reconnecting(t: datetime, conn: int) -> str:
    msg = f"#{conn} - Reconnecting to Twitch PubSub server in ~60 seconds"
    return record(t, "INFO", POOL, "handle_reconnection", msg)


def no_internet(t: datetime, conn: int, minutes: int) -> str:
    return record(
        t,
        "WARNING",
        POOL,
        "handle_reconnection",
        f"#{conn} - No internet connection available! Retry after {minutes}m",
    )


def conn_health(tmp_path: Path, text: str, conn: int = 0) -> dict[str, object]:
    doc = diagnose_text(tmp_path, text)
    return doc["connections"]["per_connection"][str(conn)]["health"]  # type: ignore[no-any-return]


def summary_of(data: bytes) -> Summary:
    s = Summary()
    Scanner(s, s.input("x"), YearResolver.for_log(2025)).chunk(data)
    return s


def test_outage_runs_from_the_failure_to_the_next_listen(tmp_path: Path) -> None:
    """A DEBUG log's re-LISTEN is the observed recovery: error at 10:10, LISTEN at 10:11:40."""
    text = (
        start_line()
        + listen(at(0), 0)
        + failure(at(10), 0, "connection_reset")
        + listen(at(11 + 40 / 60), 0)
        + end_line(at(60))
    )
    h = conn_health(tmp_path, text)
    assert h["outages"] == 1
    assert h["down_seconds"] == 100.0
    assert h["longest_outage_seconds"] == 100.0
    assert h["uptime_ratio"] == round(1 - 100 / 3600, 4)
    assert h["mtbf_seconds"] == 3500.0
    assert h["down_at_end"] is False


def test_outage_without_listen_is_estimated_from_the_retry_delays(tmp_path: Path) -> None:
    """INFO log: reconnect sleeps ~30 s, then `Retry after 2m` keeps it down two more minutes."""
    text = (
        start_line()
        + failure(at(10), 0, "timeout")
        + no_internet(at(10.5), 0, 2)
        + end_line(at(60))
    )
    h = conn_health(tmp_path, text)
    assert h["outages"] == 1
    assert h["down_seconds"] == 30 + 120.0
    assert h["by_class"] == {"timeout": 1, "no_internet": 1}


def test_failure_soon_after_recovery_is_the_same_outage(tmp_path: Path) -> None:
    """A new socket failing within a minute of the expected recovery continues the outage."""
    text = (
        start_line()
        + failure(at(10), 0, "ssl")
        + failure(at(11), 0, "ssl")  # 30 s after the reconnect was due
        + failure(at(30), 0, "ssl")  # much later: a new outage
        + end_line(at(60))
    )
    h = conn_health(tmp_path, text)
    assert h["outages"] == 2
    assert h["down_seconds"] == 90.0 + 30.0
    assert h["longest_outage_seconds"] == 90.0


def test_close_loop_without_errors_is_one_long_outage(tmp_path: Path) -> None:
    """The server closing every new socket (close/reconnect every 30 s) keeps the connection down."""
    text = start_line()
    for i in range(8):
        t = at(10 + i * 0.5)
        text += closed(t, 0) + reconnecting(t, 0)
    text += end_line(at(60))
    h = conn_health(tmp_path, text)
    assert h["outages"] == 1
    assert h["down_seconds"] == 7 * 30 + 30.0
    assert h["failures"] == 0
    assert h["reconnects"] == 8


def test_a_refused_listen_is_not_downtime(tmp_path: Path) -> None:
    """ERR_BADAUTH (the RDV triple, the TKD `#N - WebSocket error` form) and ERR_BADMESSAGE
    answers leave the socket open: no outage, uptime 100 %."""
    tkd = (
        "#0 - WebSocket error: Error while trying to listen for a topic: "
        "{'type': 'RESPONSE', 'error': 'ERR_BADAUTH', 'nonce': 'n1'}"
    )
    text = (
        start_line()
        + listen(at(0), 0)
        + bad_auth(at(5))
        + record(at(20), "ERROR", POOL, "on_error", tkd)
        + record(at(30), "DEBUG", POOL, "on_message", '#0 - Received: {"type":"RESPONSE","error":"ERR_BADMESSAGE","nonce":"n2"}')
        + end_line(at(60))
    )
    h = conn_health(tmp_path, text)
    assert h["by_class"] == {"bad_auth": 2, "rejected": 1}
    assert h["outages"] == 0
    assert h["down_seconds"] == 0.0
    assert h["uptime_ratio"] == 1.0


def test_hermes_authentication_error_closes_its_client(tmp_path: Path) -> None:
    """Hermes' `Authentication error` closes the client (it reconnects in 30 s): that is downtime."""
    uuid = "0f6c7a52-3f5e-4c1b-9d7e-2b8a1c4d5e6f"
    text = (
        start_line()
        + record(at(10), "ERROR", POOL, "on_authenticate", f"#0 - {uuid} - Authentication error, <AuthenticateResponse: {{}}>")
        + end_line(at(60))
    )
    h = conn_health(tmp_path, text)
    assert h["by_class"] == {"bad_auth": 1}
    assert h["outages"] == 1
    assert h["down_seconds"] == 30.0


def test_pong_watchdog_starts_the_outage_minutes_earlier(tmp_path: Path) -> None:
    """`The last PONG was received more than 5 minutes ago`: the socket was silent for those 5 min."""
    text = (
        start_line()
        + record(at(20), "INFO", POOL, "run", "#0 - The last PONG was received more than 5 minutes ago")
        + reconnecting(at(20), 0)
        + end_line(at(60))
    )
    h = conn_health(tmp_path, text)
    assert h["down_seconds"] == 5 * 60 + 30.0


def test_pong_watchdog_never_reaches_back_before_the_last_listen(tmp_path: Path) -> None:
    """A LISTEN two minutes before the watchdog line proves the socket was alive then."""
    text = (
        start_line()
        + listen(at(18), 0)
        + record(at(20), "INFO", POOL, "run", "#0 - The last PONG was received more than 5 minutes ago")
        + reconnecting(at(20), 0)
        + end_line(at(60))
    )
    assert conn_health(tmp_path, text)["down_seconds"] == 2 * 60 + 30.0


def test_stale_close_of_a_replaced_socket_is_no_outage(tmp_path: Path) -> None:
    """After a RECONNECT the old socket's `closed` comes after the new LISTEN: not a second outage."""
    text = (
        start_line()
        + listen(at(0), 0)
        + record(at(10), "INFO", POOL, "on_message", "#0 - Reconnection required")
        + reconnecting(at(10), 0)
        + listen(at(10.5), 0)
        + closed(at(11), 0)
        + end_line(at(60))
    )
    h = conn_health(tmp_path, text)
    assert h["outages"] == 1
    assert h["down_seconds"] == 30.0


def test_log_ending_inside_an_outage_is_clipped_and_flagged(tmp_path: Path) -> None:
    """An outage still running when the log ends counts up to the last record."""
    text = start_line() + failure(at(59), 0, "timeout") + no_internet(at(59.5), 0, 3) + end_line(at(60))
    h = conn_health(tmp_path, text)
    assert h["down_seconds"] == 60.0
    assert h["down_at_end"] is True


def test_healthy_sample_has_full_uptime_on_the_quiet_connection() -> None:
    """healthy_2conn.log: #0 never failed (100%), #1 had one 30 s outage after its reset."""
    s = analyze(resolve([str(SAMPLES / "healthy_2conn.log")]), Options(jobs=1))
    hs = health(s)
    assert hs[0].outages == 0
    assert hs[0].uptime_ratio == 1.0
    assert hs[1].outages == 1
    assert hs[1].down_seconds == 30.0
    assert hs[1].by_class == {"connection_reset": 1}
    assert hs[0].topics == 50
    assert hs[1].topics == 31


def test_worst_connections_come_first(tmp_path: Path) -> None:
    """Lowest uptime first; the connection that never failed last."""
    text = (
        start_line()
        + failure(at(5), 2, "ssl")
        + failure(at(10), 1, "timeout")
        + no_internet(at(10.5), 1, 3)
        + record(at(20), "INFO", POOL, "on_message", "#0 - Reconnection required")
        + end_line(at(60))
    )
    text += record(at(60), "DEBUG", SOCKET, "send", '#3 - Send: {"type":"PING"}')
    s = summary_of(text.encode()).finish()
    # #1 was down 3.5 min; #2 and #0 30 s each (#2 reconnected, #0 did not log it); #3 never.
    assert [h.conn for h in worst_first(health(s))] == [1, 2, 0, 3]


def _genlog(seed: int, level: str, conns: int, size: int = 500_000, outages: int = 2) -> bytes:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    genlog = pytest.importorskip("genlog")
    buf = io.BytesIO()
    genlog.generate(
        genlog.GenConfig(seed=seed, size=size, level=level, connections=conns, outages=outages), buf
    )
    return buf.getvalue()


def _cuts(data: bytes, rng: random.Random, parts: int) -> list[bytes]:
    ends = [i + 1 for i, b in enumerate(data) if b == 0x0A][:-1]
    cuts = sorted(rng.sample(ends, min(len(ends), parts - 1)))
    return [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]


HAND = (
    start_line()
    + listen(at(0), 0)
    + listen(at(0), 1)
    + closed(at(1), 0)
    + failure(at(2), 1, "ssl")
    + no_internet(at(2.5), 1, 1)
    + listen(at(3.6), 1)
    + closed(at(3.7), 1)
    + record(at(4), "INFO", POOL, "run", "#0 - The last PONG was received more than 5 minutes ago")
    + reconnecting(at(4), 0)
    + failure(at(4.9), 0, "timeout")
    + listen(at(6), 0)
    + failure(at(8), 0, "connection_reset")
    + failure(at(8), 1, "connection_reset")
    + closed(at(8.2), 0)
    + end_line(at(12))
)


def test_merging_parts_cut_at_every_line_equals_one_pass() -> None:
    """Cut anywhere, the merged halves give the same outages, onsets and health as the whole."""
    data = HAND.encode()
    whole = summary_of(data).finish()
    ends = [i + 1 for i, b in enumerate(data) if b == 0x0A][:-1]
    for cut in ends:
        merged = summary_of(data[:cut]).merge(summary_of(data[cut:])).finish()
        assert health(merged) == health(whole), cut
        assert merged.minutes == whole.minutes, cut
        assert {c: cs.uptime for c, cs in merged.conns.items()} == {
            c: cs.uptime for c, cs in whole.conns.items()
        }, cut


@pytest.mark.parametrize(("seed", "level", "conns"), [(1, "INFO", 37), (2, "DEBUG", 4), (3, "DEBUG", 2)])
def test_merging_generated_logs_in_random_parts_equals_one_pass(seed: int, level: str, conns: int) -> None:
    """Generated logs with outages, cut into 2-5 parts at random lines, merge exactly."""
    data = _genlog(seed, level, conns)
    whole = summary_of(data).finish()
    rng = random.Random(seed)
    for _ in range(6):
        parts = _cuts(data, rng, rng.randint(2, 5))
        merged = summary_of(parts[0])
        for part in parts[1:]:
            merged.merge(summary_of(part))
        merged.finish()
        assert health(merged) == health(whole)
        assert merged.minutes == whole.minutes


def test_fast_and_reference_paths_agree_on_health() -> None:
    """The chunk fast path and the line-by-line path give identical outage histories."""
    data = _genlog(4, "DEBUG", 3, size=300_000)
    fast = summary_of(data).finish()
    slow = Summary()
    Scanner(slow, slow.input("x"), YearResolver.for_log(2025)).simple(data)
    slow.finish()
    assert health(fast) == health(slow)
    assert fast.minutes == slow.minutes


def test_hermes_reconnects_told_by_uuids_are_each_connections_in_its_health(tmp_path: Path) -> None:
    """Where a Hermes DEBUG log counts reconnects by new uuids (no reconnect line), each
    connection's health carries the same count as its row and as reconnects.count adds up."""
    text = "".join(
        line for line in (SAMPLES / "hermes_file.log").read_text(encoding="utf-8").splitlines(keepends=True)
        if "Reconnecting to Twitch Hermes" not in line
    )
    doc = diagnose_text(tmp_path, text, year=None)
    per = doc["connections"]["per_connection"]
    assert {k: (v["reconnects"], v["health"]["reconnects"]) for k, v in per.items()} == {
        "0": (1, 1), "1": (2, 2), "2": (2, 2),
    }
    assert doc["reconnects"]["count"] == 5
