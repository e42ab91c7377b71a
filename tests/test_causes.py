"""Each cause on a realistic log, and the negatives: what must NOT be concluded from it."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tests.conftest import diagnose_text
from tests.minerlog import MINER, POOL, SOCKET, bad_auth, failure, ping, record
from wsdiag.diagnose import TWITCH_SIDE

T0 = datetime(2025, 11, 29, 10, 0, 0)
CERT = (
    "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer "
    "certificate (_ssl.c:1018)"
)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def start(streamers: int = 30) -> str:
    return record(T0, "INFO", MINER, "run", f"Loading data for {streamers} streamers. Please wait...")


def end(minutes: float) -> str:
    return record(at(minutes), "INFO", MINER, "run", "still mining")


def error(t: datetime, conn: int, text: str, echo: bool = True) -> str:
    """`#N - WebSocket error`, websocket-client's echo, close and reconnect: one failure."""
    out = record(t, "ERROR", POOL, "on_error", f"#{conn} - WebSocket error: {text}")
    if echo:
        out += record(t, "ERROR", "websocket", "error", f"{text} - goodbye")
    out += record(t, "INFO", POOL, "on_close", f"#{conn} - WebSocket closed")
    out += record(t, "INFO", POOL, "handle_reconnection", f"#{conn} - Reconnecting to Twitch PubSub server in ~60 seconds")
    return out


def closed_loop(t: datetime, conn: int) -> str:
    return record(t, "INFO", POOL, "on_close", f"#{conn} - WebSocket closed") + record(
        t, "INFO", POOL, "handle_reconnection", f"#{conn} - Reconnecting to Twitch PubSub server in ~60 seconds"
    )


def no_internet(t: datetime, conn: int, minutes: int) -> str:
    msg = f"#{conn} - No internet connection available! Retry after {minutes}m"
    return record(t, "WARNING", POOL, "handle_reconnection", msg)


def pong_watchdog(t: datetime, conn: int) -> str:
    msg = f"#{conn} - The last PONG was received more than 5 minutes ago"
    return record(t, "INFO", POOL, "run", msg) + record(
        t, "INFO", POOL, "handle_reconnection", f"#{conn} - Reconnecting to Twitch PubSub server in ~60 seconds"
    )


def server_reconnect(t: datetime, conn: int) -> str:
    return (
        record(t, "DEBUG", POOL, "on_message", f'#{conn} - Received: {{"type":"RECONNECT"}}')
        + record(t, "INFO", POOL, "on_message", f"#{conn} - Reconnection required")
        + record(t, "INFO", POOL, "handle_reconnection", f"#{conn} - Reconnecting to Twitch PubSub server in ~60 seconds")
    )


def listen(t: datetime, conn: int, topic: str) -> str:
    msg = f'#{conn} - Send: {{"type":"LISTEN","nonce":"n{conn}x","data":{{"topics":["{topic}"]}}}}'
    return record(t, "DEBUG", SOCKET, "send", msg)


def pings(conns: range, until: float, every: float = 4) -> str:
    out, m = "", 0.0
    while m <= until:
        out += "".join(ping(at(m), c) for c in conns)
        m += every
    return out


def by_id(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["id"]: f for f in doc["findings"]}


def causes(doc: dict[str, Any]) -> list[str]:
    return list(doc["diagnosis"]["causes"])


def all_text(doc: dict[str, Any]) -> str:
    return "\n".join(
        " ".join([f["title"], *f["evidence"], f["recommendation"]]) for f in doc["findings"]
    )


def user_side(doc: dict[str, Any]) -> bool:
    return any(c not in TWITCH_SIDE for c in causes(doc))


def test_certificate_failure_on_the_only_connection_is_an_error(tmp_path: Path) -> None:
    """Two CERTIFICATE_VERIFY_FAILED on the only connection: tls-certificate, an error, and
    neither the network nor Twitch's side."""
    text = error(at(0), 0, CERT) + error(at(0.5), 0, CERT)
    doc = diagnose_text(tmp_path, text)
    assert doc["verdict"] == "error"
    assert causes(doc) == ["tls-certificate"]
    cert = by_id(doc)["tls-certificate"]
    assert cert["title"] == "certificate verification fails on the only connection"
    assert cert["explains"] == 2
    assert cert["kind"] == "cause"
    assert "#0 never connected: 2 attempts failed in a row (certificate verification)" in cert["evidence"][1]
    assert "certifi" in cert["recommendation"]
    assert "antivirus" in cert["recommendation"]


def test_one_certificate_failure_is_already_an_error(tmp_path: Path) -> None:
    """One certificate failure in a long healthy log still makes the verdict an error."""
    text = start() + pings(range(3), 360) + error(at(200), 1, CERT) + end(360)
    doc = diagnose_text(tmp_path, text)
    assert doc["verdict"] == "error"
    assert doc["diagnosis"] == {"primary": "tls-certificate", "causes": ["tls-certificate"]}
    assert by_id(doc)["tls-certificate"]["title"] == "certificate verification fails on 1 of 3 connections"


def test_other_tls_errors_are_not_certificates(tmp_path: Path) -> None:
    """Recurring EOF/WRONG_VERSION errors on single connections: tls-errors, not tls-certificate."""
    eof = "[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation of protocol (_ssl.c:2427)"
    body = "".join(error(at(20 + 25 * i), i % 3, eof) for i in range(6))
    doc = diagnose_text(tmp_path, start() + pings(range(3), 180) + body + end(180))
    assert causes(doc) == ["tls-errors"]
    f = by_id(doc)["tls-errors"]
    assert f["severity"] == "warning"
    assert f["explains"] == 6
    assert "6 EOF in violation of protocol" in f["evidence"]
    assert "HTTPS scanning" in f["recommendation"]


def test_dns_failing_on_every_connection_is_the_network(tmp_path: Path) -> None:
    """`getaddrinfo failed` on every slot (rdavydov #800): network-instability, never OK."""
    dns = "[Errno 11001] getaddrinfo failed"
    body = "".join(error(at(1 + c / 6), c, dns) for c in range(3))
    doc = diagnose_text(tmp_path, start() + body)
    assert doc["verdict"] != "ok"
    assert doc["diagnosis"]["primary"] == "network-instability"
    f = by_id(doc)["network-instability"]
    assert f["title"] == "name resolution (DNS) fails: the host cannot find Twitch's servers"
    assert "1.1.1.1" in f["recommendation"]


def test_persistent_timeouts_are_the_network_not_twitch(tmp_path: Path) -> None:
    """Three [Errno 60] timeouts in a row on the only connection (corpus 015's shape)."""
    body = "".join(error(at(1.77 * i), 0, "[Errno 60] Operation timed out", echo=False) for i in range(3))
    doc = diagnose_text(tmp_path, body)
    assert causes(doc) == ["network-instability"]
    f = by_id(doc)["network-instability"]
    assert f["title"] == "connection #0 fails at every attempt (timeouts)"
    assert f["evidence"][0].startswith("#0 never connected: 3 attempts failed in a row (timeouts)")
    assert "VPN" in f["recommendation"]
    assert "twitch-closes" not in causes(doc)
    assert "host-stalled" not in causes(doc)


def test_a_connection_that_never_comes_back_is_a_warning_whatever_the_rates(tmp_path: Path) -> None:
    """Ten hours of healthy log, then #2 fails at each of three attempts until the log ends:
    far below every rate threshold, still at least a warning on first sight."""
    body = "".join(error(at(596 + i), 2, "[Errno 110] Connection timed out") for i in range(3))
    doc = diagnose_text(tmp_path, start() + pings(range(3), 595) + body)
    assert doc["verdict"] == "warning"
    f = by_id(doc)["network-instability"]
    assert f["evidence"][0] == (
        "#2 failed at every attempt from 2025-11-29 19:56 to the end of the log: "
        "3 attempts in a row (timeouts)"
    )


def test_no_internet_on_a_small_pool_gets_no_pool_advice(tmp_path: Path) -> None:
    """A 3-connection miner whose host lost its network for 40 s: the network, and never
    "reduce the pool" (the issue's first complaint)."""
    body = ""
    for c in range(3):
        body += error(at(30 + c / 4), c, "Connection to remote host was lost.", echo=False)
        body += no_internet(at(30.6 + c / 4), c, 1)
    for c in range(3):
        body += pong_watchdog(at(31 + c / 6), c)
    doc = diagnose_text(tmp_path, start() + pings(range(3), 60) + body + end(60))
    assert doc["diagnosis"]["primary"] == "network-instability"
    assert "too-many-connections" not in causes(doc)
    assert "host-stalled" not in causes(doc)  # the missed PONGs came with a network error
    text = all_text(doc)
    assert "Reduce the pool" not in text
    assert "reduce the pool" not in text
    assert "fewer streamers" not in text
    assert "Keep at most" not in text


def test_bad_auth_on_a_small_pool_gets_no_pool_advice_and_no_downtime(tmp_path: Path) -> None:
    """ERR_BADAUTH on a 2-connection DEBUG log: bad-auth only; both sockets stay up (uptime 100 %)."""
    text = start() + listen(at(0), 0, "community-points-user-v1.1") + listen(at(0), 1, "raid.2")
    text += bad_auth(at(0.1)) + pings(range(2), 120) + bad_auth(at(60)) + end(120)
    doc = diagnose_text(tmp_path, text)
    assert causes(doc) == ["bad-auth"]
    assert doc["findings"][0]["recommendation"].startswith("Twitch rejects the login token")
    assert "Keep at most" not in all_text(doc)
    assert "new server" not in all_text(doc)
    health = doc["connections"]["per_connection"]["0"]["health"]
    assert health["uptime_ratio"] == 1.0
    assert health["outages"] == 0
    changes = {c["metric"]: c for c in doc["limits"]["changes"]}
    assert changes["lowest uptime"]["ok"] is True


def test_err_badmessage_is_client_rejected_with_hermes_advice(tmp_path: Path) -> None:
    """MPF on PubSub: every LISTEN answered ERR_BADMESSAGE: client-rejected, not unknown, not bad-auth."""
    body = ""
    for i in range(8):
        t = at(i * 0.5)
        body += record(t, "DEBUG", POOL, "on_message", f'#{i % 2} - Received: {{"type":"RESPONSE","error":"ERR_BADMESSAGE","nonce":"n{i}"}}')
        body += record(t, "ERROR", POOL, "on_message", "Error while trying to listen for a topic: ERR_BADMESSAGE")
    doc = diagnose_text(tmp_path, start() + body + end(10))
    assert doc["failures"]["by_class"]["rejected"] == 8
    assert doc["failures"]["by_class"]["other"] == 0
    assert causes(doc) == ["client-rejected"]
    f = by_id(doc)["client-rejected"]
    assert f["title"] == "Twitch refuses the client (ERR_BADMESSAGE)"
    assert "use_hermes=True" in f["recommendation"]
    assert not any(x["id"] == "unknown-errors" for x in doc["findings"])
    assert doc["connections"]["per_connection"]["0"]["health"]["uptime_ratio"] == 1.0


def test_handshake_503_is_twitchs_server(tmp_path: Path) -> None:
    """Opening handshakes answered 503: client-rejected whose advice is to wait."""
    hs = "Handshake status 503 Service Unavailable -+-+- {'content-length': '0'} -+-+- b''"
    body = "".join(error(at(0.5 * i), 0, hs) for i in range(4))
    doc = diagnose_text(tmp_path, body)
    f = by_id(doc)["client-rejected"]
    assert f["title"] == "Twitch's server answers the connection with an error (handshake 5xx)"
    assert "4 opening handshakes answered 5xx (Twitch's server)" in f["evidence"]
    assert "wait" in f["recommendation"]


def test_close_loop_without_errors(tmp_path: Path) -> None:
    """`WebSocket closed` + `Reconnecting` every ~30 s with no error line: close-loop, and the
    storm it makes is its symptom."""
    body = "".join(closed_loop(at(0.5 * i), 0) for i in range(9))
    doc = diagnose_text(tmp_path, start() + body)
    assert causes(doc) == ["close-loop"]
    loop = by_id(doc)["close-loop"]
    assert loop["severity"] == "error"
    assert loop["explains"] == 0
    assert loop["evidence"][:2] == [
        "9 closes followed by 'Reconnecting' with no error line before them",
        "from 2025-11-29 10:00 to 10:04: 1.8 a minute, in 5 distinct minutes",
    ]
    storm = by_id(doc)["reconnect-storm"]
    assert storm["kind"] == "symptom"
    assert storm["because_of"] == ["close-loop"]


def test_restart_closes_are_not_a_loop(tmp_path: Path) -> None:
    """A restart closes every socket at once with no Reconnecting: no close loop."""
    body = "".join(record(at(30), "INFO", POOL, "on_close", f"#{c} - WebSocket closed") for c in range(6))
    doc = diagnose_text(tmp_path, start() + pings(range(6), 60) + body + pings(range(6), 60) + end(60))
    assert causes(doc) == []
    assert doc["verdict"] == "ok"


def test_storm_of_errors_follows_their_cause(tmp_path: Path) -> None:
    """A storm whose closes all carried resets on a small pool: because_of network-instability,
    and no word of an outdated miner or cookies."""
    body = "".join(error(at(2 * i), i % 3, "[Errno 104] Connection reset by peer") for i in range(30))
    doc = diagnose_text(tmp_path, start() + body + end(60))
    storm = by_id(doc)["reconnect-storm"]
    assert storm["because_of"] == ["network-instability"]
    assert "cookie" not in storm["recommendation"]
    assert "outdated" not in storm["recommendation"]
    assert "30 failures of network-instability" in storm["evidence"][-1]


def test_storm_of_twitch_reconnects_needs_no_change(tmp_path: Path) -> None:
    """A storm of RECONNECTs Twitch asked for: because_of twitch-reconnects, nothing to change."""
    body = "".join(server_reconnect(at(3 * i), i % 2) for i in range(12))
    doc = diagnose_text(tmp_path, start() + pings(range(2), 40) + body + end(40))
    assert causes(doc) == ["twitch-reconnects"]
    assert doc["verdict"] == "ok"
    storm = by_id(doc)["reconnect-storm"]
    assert storm["because_of"] == ["twitch-reconnects"]
    assert storm["severity"] == "info"
    assert "nothing to change" in storm["recommendation"]
    assert "cookie" not in storm["recommendation"]


def test_storm_rates_divide_by_the_pool(tmp_path: Path) -> None:
    """The storm's evidence names the rate that fired over the pool (highest id + 1), whichever."""
    body = "".join(error(at(4 * i), 11, "[Errno 104] Connection reset by peer") for i in range(15))
    doc = diagnose_text(tmp_path, start() + pings(range(12), 60) + body + end(60))
    storm = by_id(doc)["reconnect-storm"]
    assert storm["evidence"][1] == "15.0 reconnects per hour across the pool (threshold 12)"
    assert not any("per connection per hour" in e for e in storm["evidence"])  # 1.25 did not fire
    changes = {c["metric"]: c for c in doc["limits"]["changes"]}
    assert changes["reconnects per connection per hour"]["this_log"] == "1.25"  # 15 / 1 h / 12


def test_host_stall_is_all_watchdogs_at_once_without_network_errors(tmp_path: Path) -> None:
    """Every connection's PONG watchdog within a minute and no network error: the host slept."""
    body = "".join(pong_watchdog(at(120 + c / 5), c) for c in range(4))
    doc = diagnose_text(tmp_path, start() + pings(range(4), 119) + body + end(240))
    assert causes(doc) == ["host-stalled"]
    f = by_id(doc)["host-stalled"]
    assert f["title"] == "the host stalled: 4 of 4 connections missed PINGs/PONGs together, with no network error"
    assert "sleep" in f["recommendation"]
    assert "network-instability" not in causes(doc)


def test_too_many_connections_without_failures(tmp_path: Path) -> None:
    """LISTENs on #13 and nothing else (corpus 002's shape): too-many-connections alone."""
    body = "".join(listen(at(0), 13, f"raid.{i}") for i in range(6))
    doc = diagnose_text(tmp_path, body)
    assert causes(doc) == ["too-many-connections"]
    assert doc["verdict"] == "error"


def test_isolated_resets_on_a_small_pool_are_twitch_background(tmp_path: Path) -> None:
    """Eight resets over six hours, one at a time on a pool of 4: twitch-closes, verdict ok."""
    body = "".join(failure(at(17 + 41 * i), i % 4, "connection_reset") for i in range(8))
    doc = diagnose_text(tmp_path, start() + pings(range(4), 360, 30) + body + end(360))
    assert causes(doc) == ["twitch-closes"]
    assert doc["verdict"] == "ok"
    f = by_id(doc)["twitch-closes"]
    assert f["explains"] == 8
    assert f["recommendation"].startswith("Nothing to change")


def test_twitch_side_never_stands_beside_a_user_side_cause(tmp_path: Path) -> None:
    """The same isolated resets beside a certificate failure, a bad login, a close loop or an
    oversized pool: no twitch-closes, and no "nothing to change" in any cause's advice."""
    resets = "".join(failure(at(17 + 41 * i), i % 4, "connection_reset") for i in range(8))
    extras = {
        "cert": error(at(100), 1, CERT),
        "auth": bad_auth(at(100)),
        "loop": "".join(closed_loop(at(200 + 0.5 * i), 2) for i in range(6)),
        "pool": "".join(ping(at(5), c) for c in range(4, 14)),
    }
    for name, extra in extras.items():
        doc = diagnose_text(tmp_path, start() + pings(range(4), 360, 30) + resets + extra + end(360), name=f"{name}.log")
        assert user_side(doc), name
        assert "twitch-closes" not in causes(doc), name
        for f in doc["findings"]:
            if f["kind"] == "cause" and f["id"] not in TWITCH_SIDE:
                assert "Nothing to change" not in f["recommendation"], name
        assert "nothing on your side" not in all_text(doc).lower(), name
        assert sum(f["explains"] for f in doc["findings"]) <= doc["failures"]["total"]


def test_network_outage_ranks_before_pool_advice_only_by_severity(tmp_path: Path) -> None:
    """Twelve connections and one outage of all of them: both causes; both are errors, the host
    tier comes before the settings."""
    body = ""
    for rnd, minute in enumerate((60, 150, 240)):
        for c in range(12):
            body += failure(at(minute + c / 20), c, "timeout") + no_internet(at(minute + 0.5 + c / 20), c, rnd + 1)
    doc = diagnose_text(tmp_path, start(500) + pings(range(12), 300, 30) + body + end(300))
    assert causes(doc)[:2] == ["network-instability", "too-many-connections"]
    assert [f["kind"] for f in doc["findings"]][:2] == ["cause", "cause"]
    outages = by_id(doc)["network-outages"]
    assert outages["kind"] == "symptom"
    assert outages["because_of"] == ["network-instability"]
