"""Diagnosis of the 2026 miners' logs: Hermes clients, redact_secrets, throttling forks
(issue 14, item 4), on realistic logs built from FORKS-2026.md's format strings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SAMPLES, diagnose_text
from tests.minerlog import MINER, record
from wsdiag.diagnose.diagnosis import Diagnosis
from wsdiag.pipeline import Options, analyze
from wsdiag.read.sources import resolve
from wsdiag.summary.summary import Summary

T0 = datetime(2026, 6, 28, 12, 0, 0)
H_POOL = "TwitchChannelPointsMiner.classes.websocket.hermes.Pool"
H_CLIENT = "TwitchChannelPointsMiner.classes.websocket.hermes.Client"
P_POOL = "TwitchChannelPointsMiner.classes.websocket.pubsub.Pool"
P_CLIENT = "TwitchChannelPointsMiner.classes.websocket.pubsub.Client"
UUIDS = [f"3f6c2b1e-0b1a-4c39-9d35-2a1f5f0c{i:04x}" for i in range(400)]
AUTH_ERROR = (
    "<AuthenticateResponse: {'id': 'Vq0m3YpLx2Hf8sQzR1tWd', 'type': 'authenticateResponse', "
    "'timestamp': datetime.datetime(2026, 6, 28, 12, 0, 1, 123000, tzinfo=tzutc()), "
    "'parent_id': 'kX9r2LmQ4wZ7tB1nC5vYh', 'authenticate_response': <DataError: "
    "{'result': 'error', 'error': 'invalid token', 'error_code': 'unauthorized'}>}>"
)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def banner(fork: str = "mpforce1", version: str = "1.3.0") -> str:
    text = (
        f"Twitch Channel Points Miner-{version} (fork by mpforce1)"
        if fork == "mpforce1"
        else f"Twitch Channel Points Miner v{version} (fork by {fork})"
    )
    return record(T0, "INFO", MINER, "__init__", text)


def hermes_open(t: datetime, slot: int, u: str, topics: list[str]) -> str:
    d = f"#{slot} - {u}"
    out = record(t, "DEBUG", H_CLIENT, "on_open", f"Hermes client opened: index={slot}, id='{u}'")
    out += record(t, "DEBUG", H_CLIENT, "__send_request", f'{d} - Send: {{"id":"a{slot}","type":"authenticate",'
                  '"authenticate":{"token":"REDACTED"},"timestamp":"2026-06-28T12:00:01.123Z"}')
    out += record(t, "DEBUG", H_POOL, "on_authenticate", f"{d} - Authentication success")
    for i, topic in enumerate(topics):
        out += record(t, "DEBUG", H_CLIENT, "__send_request", f'{d} - Send: {{"type":"subscribe","id":"r{slot}x{i}",'
                      f'"subscribe":{{"id":"s{slot}x{i}","type":"pubsub","pubsub":{{"topic":"{topic}"}}}},'
                      '"timestamp":"2026-06-28T12:00:01.200Z"}')
    return out


def hermes_auth_error(t: datetime, slot: int, u: str) -> str:
    """HP7, then the refused client closes and the pool reconnects it (DEBUG)."""
    d = f"#{slot} - {u}"
    return (
        record(t, "ERROR", H_POOL, "on_authenticate", f"{d} - Authentication error, {AUTH_ERROR}")
        + record(t, "DEBUG", H_CLIENT, "on_close", f"{d} - WebSocket closed: None - None")
        + record(t, "DEBUG", H_POOL, "__create_new_client", f"Creating new HermesClient at index {slot}")
        + record(t, "DEBUG", H_POOL, "__reconnect", f"{d} - Reconnecting to Twitch Hermes server in ~30 seconds")
    )


def by_id(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["id"]: f for f in doc["findings"]}


def causes(doc: dict[str, Any]) -> list[str]:
    return list(doc["diagnosis"]["causes"])


def all_text(doc: dict[str, Any]) -> str:
    return " ".join(f["title"] + " " + " ".join(f["evidence"]) + " " + f["recommendation"] for f in doc["findings"])


# -- redact_secrets=True: LISTENs sent redacted, refused -------------------------------------------


def redacted_pubsub_log(listens: int = 6) -> str:
    """mpforce1 on PubSub with redact_secrets=True and the ConsistentAnonymiser: each LISTEN is
    sent as logged (topics as a string, "auth_token":"REDACTED") and answered ERR_BADAUTH
    (user topics) or ERR_BADMESSAGE, each with its listen error (and the cookie hint)."""
    out = banner()
    for i in range(listens):
        t = at(5 + i)
        user = i % 2 == 0
        topic = "community-points-user-v1.1" if user else f"video-playback-by-id.{i + 1}"
        data = f'"topics":"[\'{topic}","auth_token":"REDACTED"' if user else f'"topics":"[\'{topic}\']"'
        out += record(t, "DEBUG", P_CLIENT, "send", f'#0 - Send: {{"type":"LISTEN","nonce":"n{i}","data":{{{data}}}}}')
        code = "ERR_BADAUTH" if user else "ERR_BADMESSAGE"
        out += record(t, "DEBUG", P_POOL, "on_message", f'#0 - Received: {{"type":"RESPONSE","error":"{code}","nonce":"n{i}"}}')
        out += record(t, "ERROR", P_POOL, "on_message", f"Error while trying to listen for a topic: {code}")
        if user:
            out += record(t, "ERROR", P_POOL, "on_message",
                          'Received the ERR_BADAUTH error, most likely you have an outdated cookie file '
                          '"cookies\\[your username].pkl". Delete this file and try again.')
    return out + record(at(600), "INFO", MINER, "run", "still mining")


def test_redacted_listens_refused_are_client_rejected_not_bad_auth(tmp_path: Path) -> None:
    """LISTENs sent with "auth_token":"REDACTED" and refused: client-rejected naming redact_secrets,
    and no cookie advice (the cookie is fine)."""
    doc = diagnose_text(tmp_path, redacted_pubsub_log())
    assert doc["topics"]["redacted_listens"] == 6
    assert doc["failures"]["by_class"]["bad_auth"] == 3
    assert doc["failures"]["by_class"]["rejected"] == 3
    assert causes(doc) == ["client-rejected"]
    f = by_id(doc)["client-rejected"]
    assert f["explains"] == 6
    assert "redact_secrets=True" in f["title"]
    assert "redact_secrets=False" in f["recommendation"]
    assert "use_hermes=True" in f["recommendation"]
    assert "answered with 3 ERR_BADAUTH, 3 ERR_BADMESSAGE (Twitch refuses the request, not the cookie)" in f["evidence"]
    assert "bad-auth" not in by_id(doc)
    assert "Stop the miner, delete" not in all_text(doc)


def test_redacted_listens_take_bad_auth_from_the_cookie_advice(tmp_path: Path) -> None:
    """Given redacted LISTENs (a fixture summary), ERR_BADAUTH answers go to client-rejected."""
    path = tmp_path / "miner.log"
    path.write_text(redacted_pubsub_log())
    summary = analyze(resolve([str(path)]), Options(year=2026, jobs=1))
    plain = Diagnosis.of(summary).to_dict()
    assert summary.redacted_listens == 6
    assert causes(plain) == ["client-rejected"]
    summary.redacted_listens = 0  # without the fact: the cookie advice
    assert causes(Diagnosis.of(summary).to_dict())[0] == "bad-auth"
    summary.redacted_listens = 6
    doc = Diagnosis.of(summary).to_dict()
    assert causes(doc) == ["client-rejected"]
    assert "redact_secrets=False" in by_id(doc)["client-rejected"]["recommendation"]


# -- ERR_BADMESSAGE on PubSub -------------------------------------------------------------------------


def test_err_badmessage_without_listen_lines_mentions_redact_secrets(tmp_path: Path) -> None:
    """An INFO log of ERR_BADMESSAGE cannot show how LISTENs were sent: the advice says to switch
    to Hermes and names redact_secrets as the other suspect."""
    body = banner()
    for i in range(5):
        body += record(at(10 * i), "ERROR", P_POOL, "on_message", "Error while trying to listen for a topic: ERR_BADMESSAGE")
    doc = diagnose_text(tmp_path, body)
    f = by_id(doc)["client-rejected"]
    assert f["recommendation"].startswith("Twitch refuses this PubSub client: switch to a Hermes-capable version")
    assert "redact_secrets=True, set it to False" in f["recommendation"]


# -- Hermes authentication errors -----------------------------------------------------------------


def test_hermes_auth_errors_are_bad_auth_with_hermes_evidence(tmp_path: Path) -> None:
    """Hermes `Authentication error` repeating every ~30 s: bad-auth, cookie advice, Hermes wording."""
    text = banner() + hermes_open(at(1), 0, UUIDS[0], ["community-points-user-v1.1"])
    for i in range(6):
        t = at(60 + 31 * i)
        text += hermes_auth_error(t, 0, UUIDS[i])
        text += record(t + timedelta(seconds=30), "DEBUG", H_CLIENT, "on_open",
                       f"Hermes client opened: index=0, id='{UUIDS[i + 1]}'")
    doc = diagnose_text(tmp_path, text + record(at(600), "INFO", MINER, "run", "still mining"))
    assert doc["client"] == "hermes"
    assert doc["failures"]["by_class"]["bad_auth"] == 6
    assert causes(doc)[0] == "bad-auth"
    f = by_id(doc)["bad-auth"]
    assert f["title"] == "Twitch rejects the login token (Hermes authentication error)"
    assert "6 Hermes authentication errors ('Authentication error, ...')" in f["evidence"]
    assert "ERR_BADAUTH" not in f["title"] + " ".join(f["evidence"])
    assert "cookies/<your username>.pkl" in f["recommendation"]


# -- the pool limit with Hermes ---------------------------------------------------------------------


def test_hermes_pool_over_the_limit(tmp_path: Path) -> None:
    """12 Hermes clients of 50 subscriptions: too-many-connections, worded for Hermes."""
    text = banner()
    for slot in range(12):
        topics = [f"video-playback-by-id.{1000 + slot * 50 + i}" for i in range(50)]
        text += hermes_open(at(1 + slot), slot, UUIDS[slot], topics)
    for i in range(12):  # a reset now and then on single clients
        t = at(300 + 120 * i)
        slot = (i * 5) % 12
        d = f"#{slot} - {UUIDS[slot]}"
        text += record(t, "ERROR", H_POOL, "on_error", f"{d} - WebSocket error: [Errno 104] Connection reset by peer")
        text += record(t, "DEBUG", H_CLIENT, "on_close", f"{d} - WebSocket closed: None - None")
        text += record(t, "DEBUG", H_POOL, "__reconnect", f"{d} - Reconnecting to Twitch Hermes server in ~30 seconds")
    doc = diagnose_text(tmp_path, text)
    assert doc["connections"]["pool_size"] == 12
    assert causes(doc)[0] == "too-many-connections"
    f = by_id(doc)["too-many-connections"]
    assert f["title"].startswith("12 Hermes connections open; Twitch allows 10 per IP")
    assert any("no cap on their number" in e for e in f["evidence"])
    assert "PubSub" not in f["title"]


def test_pubsub_pool_title_unchanged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A PubSub pool (or one whose client the log does not name) keeps its PubSub wording."""
    path = tmp_path / "miner.log"
    text = "".join(
        record(at(i), "ERROR", P_POOL, "on_error", f"#{i} - WebSocket error: [Errno 104] Connection reset by peer")
        for i in range(12)
    )
    path.write_text(text)
    summary = analyze(resolve([str(path)]), Options(year=2026, jobs=1))
    f = by_id(Diagnosis.of(summary).to_dict())["too-many-connections"]
    assert f["title"].startswith("12 PubSub connections open")
    monkeypatch.setattr(Summary, "client", property(lambda self: "hermes"))
    f = by_id(Diagnosis.of(summary).to_dict())["too-many-connections"]
    assert f["title"].startswith("12 Hermes connections open")


# -- throttling forks ---------------------------------------------------------------------------------


def _const(value: str | None) -> Callable[[Summary], str | None]:
    """A getter that always answers ``value`` (to stand in for a Summary property)."""

    def get(_summary: Summary) -> str | None:
        return value

    return get


def armi_pubsub_log() -> str:
    out = banner("Armi1014", "2.1.6")
    for i in range(6):
        t = at(40 * i)
        out += record(t, "ERROR", "TwitchChannelPointsMiner.classes.WebSocketsPool", "on_error",
                      f"#{i % 3} - WebSocket error: [Errno 104] Connection reset by peer")
    return out


def test_throttling_fork_counts_are_lower_bounds(tmp_path: Path) -> None:
    """Armi1014's PubSub log: a note and JSON `failures.counts_are_lower_bounds` say so."""
    doc = diagnose_text(tmp_path, armi_pubsub_log())
    assert doc["failures"]["counts_are_lower_bounds"] is True
    note = by_id(doc)["counts-lower-bounds"]
    assert note["kind"] == "note"
    assert note["severity"] == "info"
    assert note["title"] == "Armi1014's fork 2.1.6 throttles its error lines: the failure counts are lower bounds"


def test_counts_are_lower_bounds_only_for_a_throttling_forks_pubsub(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rule on fixture summaries: Armi1014 on PubSub yes; its Hermes client, or mpforce1, no."""
    path = tmp_path / "miner.log"
    path.write_text(armi_pubsub_log())
    summary = analyze(resolve([str(path)]), Options(year=2026, jobs=1))
    cases: list[tuple[dict[str, str | None], str | None, bool]] = [
        ({"Armi1014": "2.1.6"}, "pubsub", True),
        ({"Armi1014": "2.1.6"}, None, True),
        ({"Armi1014": "2.1.6"}, "hermes", False),
        ({"mpforce1": "1.3.0"}, "pubsub", False),
        ({}, "pubsub", False),
    ]
    for forks, client, lower in cases:
        summary.forks = forks
        monkeypatch.setattr(Summary, "client", property(_const(client)))
        doc = Diagnosis.of(summary).to_dict()
        assert doc["failures"]["counts_are_lower_bounds"] is lower, (forks, client)
        assert ("counts-lower-bounds" in by_id(doc)) is lower


# -- reconnects that cannot be counted ------------------------------------------------------------


def hermes_info_console(errors: int = 30, less: bool = False) -> str:
    """An INFO console log of a Hermes miner, logger variant C: errors every 30 s, each followed
    by a reconnection that only DEBUG would show; ``less``: without time of year and uuid."""
    out = f"{T0:%d/%m/%y %H:%M:%S} - INFO - [__init__]:  Twitch Channel Points Miner-1.3.0 (fork by mpforce1)\n"
    for i in range(errors):
        t = at(30 * i)
        if less:
            out += f"{t:%d/%m %H:%M:%S} -  #{i % 2} - WebSocket error: [Errno 104] Connection reset by peer\n"
            out += (f"{t:%d/%m %H:%M:%S} -  #{i % 2} - No internet connection available! Retrying websocket "
                    "reconnection after 1m\n")
        else:
            out += (f"{t:%d/%m/%y %H:%M:%S} - ERROR - [on_error]:  #{i % 2} - {UUIDS[i]} - WebSocket error: "
                    "[Errno 104] Connection reset by peer\n")
    return out


def test_unknown_reconnects_make_no_storm_and_no_rate(tmp_path: Path) -> None:
    """INFO Hermes log (less): reconnects null with a reason; no storm, no reconnect rate compared,
    although 30 errors in 15 minutes would make one with counted reconnects."""
    doc = diagnose_text(tmp_path, hermes_info_console(less=True), year=2026)
    assert doc["client"] == "hermes"
    assert doc["reconnects"]["count"] is None
    assert doc["reconnects"]["unknown"]
    assert "reconnect-storm" not in by_id(doc)
    metrics = {c["metric"] for c in doc["limits"]["changes"]}
    assert "reconnects per connection per hour" not in metrics
    assert "0 reconnects" not in all_text(doc)


def test_info_hermes_console_with_uuids_has_unknown_reconnects(tmp_path: Path) -> None:
    """An INFO console log shows a client's uuid only when it fails, not each reconnection:
    the reconnects are unknown, not the number of uuids."""
    doc = diagnose_text(tmp_path, hermes_info_console(), year=2026)
    assert doc["reconnects"]["count"] is None


def test_storm_needs_countable_reconnects(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rule on a fixture summary: a storm of counted reconnects disappears once they are unknown."""
    path = tmp_path / "miner.log"
    text = ""
    for i in range(40):
        t = at(30 * i)
        text += record(t, "INFO", P_POOL, "on_close", f"#{i % 2} - WebSocket closed")
        text += record(t, "INFO", P_POOL, "handle_reconnection", f"#{i % 2} - Reconnecting to Twitch PubSub server in ~60 seconds")
    path.write_text(text)
    summary = analyze(resolve([str(path)]), Options(year=2026, jobs=1))
    doc = Diagnosis.of(summary).to_dict()
    assert "reconnect-storm" in by_id(doc)
    assert "reconnects per connection per hour" in {c["metric"] for c in doc["limits"]["changes"]}
    monkeypatch.setattr(Summary, "reconnects_unknown", property(lambda self: "INFO-only Hermes log"))
    doc = Diagnosis.of(summary).to_dict()
    assert "reconnect-storm" not in by_id(doc)
    assert "reconnects per connection per hour" not in {c["metric"] for c in doc["limits"]["changes"]}


# -- topics per streamer of mpforce1 1.x --------------------------------------------------------------


def test_three_part_and_user_topics_in_the_limits(tmp_path: Path) -> None:
    """weekly-rewards.<user>.<channel> is a channel topic of the last id; onsite-notifications is
    a user topic: 2 topics per streamer, 3 user topics."""
    topics = ["community-points-user-v1.77", "predictions-user-v1.77", "onsite-notifications.77"]
    for cid in range(100, 120):
        topics += [f"video-playback-by-id.{cid}", f"weekly-rewards.77.{cid}"]
    text = banner() + hermes_open(at(1), 0, UUIDS[0], topics)
    doc = diagnose_text(tmp_path, text + record(at(60), "INFO", MINER, "run", "still mining"))
    lim = doc["limits"]
    assert lim["topics_per_streamer"] == 2
    assert lim["topics_per_streamer_observed"] is True
    assert lim["user_topics"] == 3
    assert lim["topic_kinds"] == {"video-playback-by-id": 20, "weekly-rewards": 20}


def _reconnect_counts(doc: dict[str, Any]) -> set[object]:
    """Every reconnect count of the JSON document but the total: per connection (and its
    health), per timeline bucket, and untimed."""
    per = doc["connections"]["per_connection"].values()
    return (
        {v["reconnects"] for v in per}
        | {v["health"]["reconnects"] for v in per}
        | {b["reconnects"] for b in doc["timeline"]}
        | {doc["timeline_info"]["untimed"]["reconnects"]}
    )


def test_reconnects_a_log_cannot_show_are_null_everywhere() -> None:
    """An INFO-only Hermes log: reconnects.count is null with its reason, and so is every
    per-connection, health, timeline and untimed reconnect count (null, never 0)."""
    doc = Diagnosis.of(analyze(resolve([str(SAMPLES / "hermes_console_info.log")]), Options(jobs=1))).to_dict()
    assert doc["reconnects"]["count"] is None
    assert doc["reconnects"]["unknown"]
    assert len(doc["connections"]["per_connection"]) == 2
    assert _reconnect_counts(doc) == {None}


def test_reconnects_a_log_shows_are_numbers_everywhere() -> None:
    """A Hermes DEBUG log: every reconnect count is a number, and some are not 0."""
    doc = Diagnosis.of(analyze(resolve([str(SAMPLES / "hermes_file.log")]), Options(jobs=1))).to_dict()
    counts = _reconnect_counts(doc)
    assert all(isinstance(c, int) for c in counts)
    assert max(c for c in counts if isinstance(c, int)) > 0
