"""The 2026 forks (FORKS-2026.md): every Hermes and mpforce1 PubSub format string, in every
layout, logger variant and `less` setting, yields its record; the summary tells the client, the
fork, reconnects (or why they are unknown), topics and redacted LISTENs; both scan paths agree."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from tests.conftest import diagnose_text
from wsdiag.diagnose.diagnosis import Diagnosis
from wsdiag.parse.records import Kind, Record
from wsdiag.parse.templates import SIEVE, to_record
from wsdiag.read.layouts import YearResolver, split_line
from wsdiag.read.linefilter import FILTERS, Filters
from wsdiag.read.scan import Scanner
from wsdiag.read.sources import blocks
from wsdiag.report import html, markdown, text
from wsdiag.summary.clients import RECONNECTS_UNKNOWN
from wsdiag.summary.summary import Summary

U = "3f6c2b1e-0b1a-4c39-9d35-2a1f5f0c6e11"
U2 = "9a0d77c4-5e6f-4a1b-8c2d-3e4f5a6b7c8d"
HC = "TwitchChannelPointsMiner.classes.websocket.hermes.Client"
HP = "TwitchChannelPointsMiner.classes.websocket.hermes.Pool"
PP = "TwitchChannelPointsMiner.classes.websocket.pubsub.Pool"
PC = "TwitchChannelPointsMiner.classes.websocket.pubsub.Client"
MINER = "TwitchChannelPointsMiner.TwitchChannelPointsMiner"
D = "{d}"  # where describe() goes: `#0 - <uuid>`, or `#0` with less=True

AUTH = '{"id":"abcdefghijklmnopqrstu","type":"authenticate","authenticate":{"token":"REDACTED"},"timestamp":"2026-06-28T12:00:01.123Z"}'
SUBSCRIBE = (
    '{"type":"subscribe","id":"sub1","subscribe":{"id":"sub1","type":"pubsub","pubsub":'
    '{"topic":"video-playback-by-id.123456"}},"timestamp":"2026-06-28T12:00:01.123Z"}'
)
KEEPALIVE = '{"id":"k1","type":"keepalive","timestamp":"2026-06-28T12:00:11.000Z"}'
RECONNECT = '{"id":"r1","type":"reconnect","timestamp":"2026-06-28T12:00:11.000Z","reconnect":{"url":"wss://x"}}'
SUB_REFUSED = (
    '{"subscribeResponse":{"subscription":{"id":"sub1"},"result":"error"},"id":"s1","parentId":"sub1",'
    '"type":"subscribeResponse","timestamp":"2026-06-28T12:00:01.123Z"}'
)
SUB_OK = SUB_REFUSED.replace('"result":"error"', '"result":"ok"')
NOTIFICATION = (
    '{"notification":{"subscription":{"id":"sub1"},"type":"pubsub","pubsub":"{\\"type\\":\\"points-earned\\"}"},'
    '"id":"n1","type":"notification","timestamp":"2026-06-28T12:00:11.000Z"}'
)
AUTH_RESPONSE = (
    "<AuthenticateResponse: {'id': 'x', 'type': 'authenticateResponse', 'timestamp': "
    "datetime.datetime(2026, 6, 28, 12, 0, 1, 123000, tzinfo=tzutc()), 'parent_id': 'y', "
    "'authenticate_response': <DataError: {'result': 'error', 'error': 'invalid token', 'error_code': 'unauthorized'}>}>"
)
STRING_LISTEN = '{"type":"LISTEN","nonce":"n1","data":{"topics":"[\'community-points-user-v1.1","auth_token":"REDACTED"}}'


@dataclass(frozen=True)
class Call:
    """One logging call of FORKS-2026.md and the record its line must yield."""

    ref: str  # the table row (HC4, HP7, T10 ...)
    level: str
    func: str
    logger: str
    msg: str  # with {d} where describe() goes
    kind: Kind | None  # None: no record
    cls: str | None = None
    client: str | None = None  # what the wording alone says (a uuid or logger name may add one)
    conn: int | None = 0
    topics: tuple[str, ...] = ()
    # A frame that says only that a known id is alive: the filters skip it, so its record holds
    # nothing but the id (no client, uuid or DEBUG fact that a skip would lose).
    alive: bool = False


CALLS: tuple[Call, ...] = (
    # Hermes client (1.3)
    Call("HC1", "WARNING", "open", HC, "SSL certificate verification is disabled! Be aware!", None),
    Call("HC2", "WARNING", "open", HC, D + ": Cannot open Client, thread already running", Kind.OTHER, client="hermes"),
    Call("HC3", "WARNING", "open", HC, D + ": Cannot open Client, wrong state: Unopened", Kind.OTHER, client="hermes"),
    Call("HC4-auth", "DEBUG", "__send_request", HC, D + " - Send: " + AUTH, Kind.OTHER, client="hermes"),
    Call("HC4-auth-pr728", "DEBUG", "__send_request", HC, D + " - Send: AuthenticateRequest(REDACTED)", Kind.OTHER,
         client="hermes"),
    Call("HC4-subscribe", "DEBUG", "__send_request", HC, D + " - Send: " + SUBSCRIBE, Kind.LISTEN, client="hermes",
         topics=("video-playback-by-id.123456",)),
    Call("HC5", "WARNING", "__send_request", HC, D + " - Cannot send, WebSocket is closed", Kind.OTHER),
    Call("HC6", "WARNING", "send_request", HC, D + " - Cannot send, WebSocket is not yet open: Unauthenticated",
         Kind.OTHER),
    Call("HC8", "WARNING", "authenticate", HC, D + " - Failed to send Authentication request", Kind.OTHER),
    Call("HC9", "WARNING", "authenticate", HC, D + " - Cannot authenticate, wrong state Open", Kind.OTHER),
    Call("HC10", "DEBUG", "stale", HC, D + " - Stale due to being closed", Kind.OTHER, client="hermes"),
    Call("HC11", "DEBUG", "stale", HC, D + " - Stale due to being Unopened and sitting idle too long", Kind.FAILURE,
         "pong_timeout", "hermes"),
    Call("HC12", "DEBUG", "stale", HC, D + " - Stale due to no recent messages", Kind.FAILURE, "pong_timeout", "hermes"),
    Call("HC13", "WARNING", "subscribe_pending", HC, D + " - Cannot subscribe to pending subscriptions, state is Closed",
         Kind.OTHER),
    # HC14 is not read (hermes_entries.py says why): its slot's `#N - <uuid>` DEBUG lines tell the same
    Call("HC14", "DEBUG", "on_open", HC, f"Hermes client opened: index=0, id='{U}'", None),
    Call("HC15-keepalive", "DEBUG", "on_message", HC, D + " - Received: " + KEEPALIVE, Kind.OTHER, alive=True),
    Call("HC15-notification", "DEBUG", "on_message", HC, D + " - Received: " + NOTIFICATION, Kind.OTHER, alive=True),
    Call("HC15-reconnect", "DEBUG", "on_message", HC, D + " - Received: " + RECONNECT, Kind.FAILURE,
         "reconnect_requested", "hermes"),
    Call("HC15-refused", "DEBUG", "on_message", HC, D + " - Received: " + SUB_REFUSED, Kind.RESPONSE_ERROR, "rejected",
         "hermes"),
    Call("HC15-ok", "DEBUG", "on_message", HC, D + " - Received: " + SUB_OK, Kind.OTHER, alive=True),
    Call("HC16", "ERROR", "on_message", HC, D + " - Unknown response: <Response: {}>", Kind.OTHER),
    Call("HC17", "ERROR", "on_message", HC, D + " - Exception raised for topic: raid.1 and message: {}", Kind.OTHER),
    Call("HC18", "ERROR", "on_message", HC, D + " - Exception raised for response: <KeepaliveResponse: {}>", Kind.OTHER),
    Call("HC19", "DEBUG", "on_close", HC, D + " - WebSocket closed: None - None", Kind.CLOSED),
    Call("HC19-code", "DEBUG", "on_close", HC, D + " - WebSocket closed: 4122 - invalid challenge", Kind.CLOSED),
    Call("HC20", "ERROR", "on_error", HC, D + " - Error while handling another error - 'boom'", Kind.OTHER),
    # Hermes pool (1.4)
    Call("HP1", "DEBUG", "__create_new_client", HP, "Creating new HermesClient at index 0", None),
    Call("HP2", "ERROR", "__create_new_client", HP, "Failed to create new Hermes WebSocket client", None),
    Call("HP3", "DEBUG", "submit", HP, "Already subscribed to topic, raid.1", None),
    Call("HP4", "DEBUG", "__reconnect", HP, D + " already reconnecting", Kind.OTHER, client="hermes"),
    Call("HP5", "DEBUG", "__reconnect", HP, D + " - Reconnecting to Twitch Hermes server in ~30 seconds", Kind.RECONNECT,
         client="hermes"),
    Call("HP6", "WARNING", "__reconnect", HP,
         D + " - No internet connection available! Retrying websocket reconnection after 2m", Kind.FAILURE,
         "no_internet", "hermes"),
    Call("HP7", "ERROR", "on_authenticate", HP, D + " - Authentication error, " + AUTH_RESPONSE, Kind.ERROR, "bad_auth",
         "hermes"),
    Call("HP7-refused", "ERROR", "on_authenticate", HP,
         D + " - Authentication error, <AuthenticateResponse: {'error': 'invalid challenge'}>", Kind.ERROR, "rejected",
         "hermes"),
    Call("HP8", "DEBUG", "on_authenticate", HP, D + " - Authentication success", Kind.OTHER),
    Call("HP9", "WARNING", "on_notification", HP,
         D + f" - Unable to find topic for subscription Hermes Subscription {U2}", Kind.OTHER),
    Call("HP10", "WARNING", "on_notification", HP, D + " - Received unknown notification type <class 'x'>", Kind.OTHER),
    Call("PE1", "DEBUG", "on_error", HP, D + " - WebSocket error: Connection to remote host was lost.", Kind.ERROR,
         "connection_reset"),
    Call("PE2", "ERROR", "on_error", HP, D + " - WebSocket error: [Errno 104] Connection reset by peer", Kind.ERROR,
         "connection_reset"),
    Call("PE2-close", "ERROR", "on_error", HP, D + " - WebSocket error: fin=1 opcode=8 data=b'\\x10\\x1a'", Kind.ERROR,
         "rejected"),
    Call("PE2-decode", "ERROR", "on_error", HP, D + " - WebSocket error: Invalid type foo when decoding Response.",
         Kind.ERROR, "other"),
    Call("HP11", "DEBUG", "start", HP, "Starting Hermes WebSocket Pool", None),
    Call("HP12", "DEBUG", "end", HP, "Closing Hermes WebSocket Pool", None),
    Call("HP13", "ERROR", "end", HP, D + " - Error closing client", Kind.OTHER),
    Call("HP14", "DEBUG", "check_stale_connections", HP, "Checking stale connections", None),
    # Armi1014's Hermes pool (4)
    Call("Armi-sub", "ERROR", "on_subscribe", HP, D + " - Subscription error for raid.123456: ERR_BADTOPIC",
         Kind.RESPONSE_ERROR, "rejected", "hermes"),
    Call("Armi-keepalive", "DEBUG", "on_message", HP, D + " - Received keepalive", Kind.OTHER),
    # Other connection-related calls (1.8)
    Call("1.8-wait", "ERROR", "__init__", MINER, "Waiting for Twitch.tv connectivity...", None),
    Call("1.8-stale", "ERROR", "websocket_task", MINER, "Error when checking stale websocket connections: boom", None),
    Call("1.8-tasks", "ERROR", "run", MINER,
         "Background task(s) ['WebSocket check stale connections'] have stopped working. Stopping application.", None),
    Call("1.8-http", "WARNING", "__check_connection_handler", "TwitchChannelPointsMiner.classes.Twitch",
         "No internet connection available! Retry after 2m", None),
    Call("1.8-banner", "INFO", "__init__", MINER, "Twitch Channel Points Miner-1.3.0 (fork by mpforce1)", Kind.BANNER,
         conn=None),
    # mpforce1's PubSub pool and client (2)
    Call("T1", "ERROR", "on_error", PP, "#0 - WebSocket error: [Errno 32] Broken pipe", Kind.ERROR, "broken_pipe"),
    Call("T2", "INFO", "on_close", PP, "#0 - WebSocket closed", Kind.CLOSED),
    Call("T3", "INFO", "handle_reconnection", PP, "#0 - Reconnecting to Twitch PubSub server in ~60 seconds",
         Kind.RECONNECT, client="pubsub"),
    Call("T4", "WARNING", "handle_reconnection", PP, "#0 - No internet connection available! Retry after 2m",
         Kind.FAILURE, "no_internet"),
    Call("T5", "INFO", "run", PP, "#0 - The last PONG was received more than 5 minutes ago", Kind.FAILURE,
         "pong_timeout", "pubsub"),
    Call("T6", "INFO", "on_message", PP, "#0 - Reconnection required", Kind.FAILURE, "reconnect_requested", "pubsub"),
    Call("T7", "DEBUG", "on_message", PP, "#0 - Received: REDACTED", Kind.OTHER),
    Call("T8", "DEBUG", "send", PC, "#0 - Send: " + STRING_LISTEN, Kind.LISTEN, client="pubsub",
         topics=("community-points-user-v1.1",)),
    Call("T9", "INFO", "check_stale_connections", PP,
         "#0 - The last PING was sent more than 10 minutes ago. Reconnecting to the WebSocket...", Kind.FAILURE,
         "ping_stalled", "pubsub"),
    Call("T10", "ERROR", "on_message", PP, "Error while trying to listen for a topic: ERR_BADMESSAGE",
         Kind.LISTEN_ERROR, "rejected", "pubsub", conn=None),
    Call("T11", "ERROR", "on_message", PP,
         'Received the ERR_BADAUTH error, most likely you have an outdated cookie file "cookies\\[your username].pkl". '
         "Delete this file and try again.", Kind.BADAUTH_HINT, "bad_auth", "pubsub", conn=None),
    Call("Armi-drop", "WARNING", "on_message", PP, "#0 - Dropping invalid PubSub topic after ERR_BADTOPIC: raid.1",
         Kind.OTHER),
)


@dataclass(frozen=True)
class Rendering:
    """How the miner wrote the line: layout, `less`, logger variant (and console username)."""

    layout: str  # file, console, less
    less: bool
    variant: str  # A or C
    user: bool = False  # console_username=True (console only)

    @property
    def name(self) -> str:
        return f"{self.layout}-{'less' if self.less else 'full'}-{self.variant}{'-user' if self.user else ''}"

    def line(self, call: Call, s: int = 1) -> str:
        msg = call.msg.replace(D, "#0" if self.less else f"#0 - {U}")
        if call.level != "DEBUG":  # the console formatter touches INFO+ records only
            if self.user:
                msg = ("[someuser]  " if self.variant == "C" else "[someuser] ") + msg
            elif self.variant == "C":
                msg = " " + msg
        if self.layout == "less":
            return f"28/06 12:00:{s:02d} - {msg}"
        if self.layout == "file":
            return f"28/06/26 12:00:{s:02d} - {call.level} - {call.logger} - [{call.func}]: {msg}"
        return f"28/06/26 12:00:{s:02d} - {call.level} - [{call.func}]: {msg}"


RENDERINGS = tuple(
    Rendering(layout, less, variant, user)
    for layout in ("file", "console", "less")
    for less in (False, True)
    for variant in ("A", "C")
    for user in (False, True)
    if not (layout == "less" and not less) and not (user and layout == "file")
)


def _expected_client(call: Call, r: Rendering) -> str | None:
    if call.client is not None:
        return call.client
    if call.kind is Kind.BANNER:
        return None
    if D in call.msg and not r.less:
        return "hermes"  # the uuid after `#N`
    if r.layout == "file":
        return "hermes" if ".hermes." in call.logger else "pubsub" if ".pubsub." in call.logger else None
    return None


@pytest.mark.parametrize("r", RENDERINGS, ids=[r.name for r in RENDERINGS])
@pytest.mark.parametrize("call", CALLS, ids=[c.ref for c in CALLS])
def test_every_format_string_yields_its_record(call: Call, r: Rendering) -> None:
    """Each logging call of FORKS-2026.md, in each layout, `less` setting and logger variant,
    yields the record its table row says: kind, class, connection, client, uuid, topics."""
    text = r.line(call)
    line, _ = split_line(text, YearResolver(2026, False))
    assert line.layout == r.layout, text
    rec = to_record(line)
    if call.kind is None:
        assert rec is None, text
        return
    assert rec is not None, text
    if call.alive:  # Hermes' frames: the id, and that the client is Hermes'
        assert rec == Record(Kind.OTHER, line.time, 0, client="hermes", debug=line.level == "DEBUG"), text
        return
    assert (rec.kind, rec.cls, rec.conn) == (call.kind, call.cls, call.conn), text
    assert rec.client == _expected_client(call, r), text
    uuid = U if D in call.msg and not r.less else None
    assert rec.uuid == uuid, text
    assert rec.topics == call.topics, text
    shows_c = r.variant == "C" and call.level != "DEBUG"
    assert rec.variant == ("C" if shows_c else None), text
    if call.ref == "T8":
        assert rec.redacted
    if call.ref == "T7":
        assert rec.anonymised
    if call.kind is Kind.BANNER:
        assert rec.fork == ("mpforce1", "1.3.0")


@pytest.mark.parametrize("r", RENDERINGS, ids=[r.name for r in RENDERINGS])
def test_no_filter_skips_a_line_that_yields_a_record(r: Rendering) -> None:
    """Neither fast-path filter (C and regex) skips a line of FORKS-2026.md that yields a record,
    with its id known; both skip the Hermes frames that say only that it is alive (a keepalive,
    a notification, an accepted subscription)."""
    from tests.test_templates import _read_by

    for call in CALLS:
        if call.kind is None:
            continue
        text = r.line(call)
        # _read_by builds lines of its own stamp; swap ours for it.
        ours = text.replace("28/06/26 12:00:01", "25/11/26 21:08:01").replace("28/06 12:00:01", "25/11 21:08:01")
        assert _read_by(FILTERS, "none", r.layout, ours.replace("#0", "#3")) != call.alive, ours


def _scan(data: bytes, size: int | None, filters: Filters | None = None) -> dict[str, Any]:
    summary = Summary()
    scanner = Scanner(summary, summary.input("miner.log"), YearResolver.for_log(2026))
    with pytest.MonkeyPatch.context() as mp:
        if filters is not None:
            mp.setattr("wsdiag.read.scan.FILTERS", filters)
        if size is None:
            scanner.simple(data)
        else:
            for buf, n in blocks(io.BytesIO(data), size):
                scanner.chunk(buf, n)
    return Diagnosis.of(summary.finish()).to_dict()


def _log(r: Rendering, calls: tuple[Call, ...] = CALLS, repeat: int = 3) -> bytes:
    lines = [r.line(c, s=(i % 50) + 1) for _ in range(repeat) for i, c in enumerate(calls)]
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize("r", RENDERINGS, ids=[r.name for r in RENDERINGS])
def test_both_scan_paths_agree(r: Rendering) -> None:
    """A log of every call, in each rendering, gives the same JSON on the reference path and on
    the fast path (C filter and regex filter), whatever the block size."""
    data = _log(r)
    want = _scan(data, None)
    for size in (1 << 20, 4096, 333):
        if FILTERS.use_c:
            assert _scan(data, size) == want, size
        assert _scan(data, size, Filters(SIEVE, c=False)) == want, size


def _hermes_debug_log() -> str:
    """Two slots of a DEBUG file log: slot 0 reconnects twice (HP5 each time, new uuids)."""
    u = [U, U2, "11111111-2222-4333-8444-555555555555"]
    out = [
        f"28/06/26 11:59:59 - INFO - {MINER} - [__init__]: Twitch Channel Points Miner-1.3.0 (fork by mpforce1)",
        f"28/06/26 12:00:00 - DEBUG - {HC} - [on_open]: Hermes client opened: index=0, id='{u[0]}'",
        f"28/06/26 12:00:00 - DEBUG - {HC} - [__send_request]: #0 - {u[0]} - Send: {SUBSCRIBE}",
        f"28/06/26 12:00:00 - DEBUG - {HC} - [on_open]: Hermes client opened: index=1, id='{u[2]}'",
        f"28/06/26 12:00:00 - DEBUG - {HC} - [__send_request]: #1 - {u[2]} - Send: "
        + SUBSCRIBE.replace("video-playback-by-id.123456", "weekly-rewards.111111.654321"),
    ]
    for i, (old, new) in enumerate(((u[0], u[1]), (u[1], U.replace("3f", "4f")))):
        m = 10 * (i + 1)
        out += [
            f"28/06/26 12:{m:02d}:00 - ERROR - {HP} - [on_error]: #0 - {old} - WebSocket error: [Errno 104] Connection reset by peer",
            f"28/06/26 12:{m:02d}:00 - DEBUG - {HP} - [__create_new_client]: Creating new HermesClient at index 0",
            f"28/06/26 12:{m:02d}:00 - DEBUG - {HP} - [__reconnect]: #0 - {old} - Reconnecting to Twitch Hermes server in ~30 seconds",
            f"28/06/26 12:{m:02d}:01 - DEBUG - {HC} - [on_close]: #0 - {old} - WebSocket closed: None - None",
            f"28/06/26 12:{m:02d}:01 - DEBUG - {HP} - [__reconnect]: #0 - {old} already reconnecting",
            f"28/06/26 12:{m:02d}:30 - DEBUG - {HC} - [on_open]: Hermes client opened: index=0, id='{new}'",
        ]
    return "\n".join(out) + "\n"


def test_hermes_debug_log_counts(tmp_path: Path) -> None:
    """A Hermes DEBUG file log: its reconnect lines count (not the uuids again), subscribe
    requests are topics (a three-part topic's channel is its last part), the banner names the
    fork, and the client is hermes."""
    doc = diagnose_text(tmp_path, _hermes_debug_log(), year=None)
    assert doc["client"] == "hermes"
    assert doc["reconnects"] == {"count": 2, "per_hour": doc["reconnects"]["per_hour"], "unknown": None}
    assert doc["connections"]["ids"] == [0, 1]
    assert doc["connections"]["per_connection"]["0"]["reconnects"] == 2
    assert doc["failures"]["by_class"]["connection_reset"] == 2
    assert doc["closes"] == 2
    assert doc["topics"]["listened"] == 2
    assert doc["topics"]["anonymised"] is False
    assert doc["inputs"][0]["fork"] == {"name": "mpforce1", "version": "1.3.0", "logger": None}


def _hermes_info_log(less: bool) -> str:
    """An INFO console log of a Hermes miner (logger variant C): errors only."""
    d0 = "#0" if less else f"#0 - {U}"
    d1 = "#0" if less else f"#0 - {U2}"
    stamp = "28/06 12:{m:02d}:00 - " if less else "28/06/26 12:{m:02d}:00 - ERROR - [on_error]: "
    return "".join(
        stamp.format(m=m) + f" {d} - WebSocket error: [Errno 104] Connection reset by peer\n"
        for m, d in ((0, d0), (5, d0), (10, d1))
    )


def test_info_hermes_log_without_ids_has_unknown_reconnects(tmp_path: Path) -> None:
    """An INFO-only Hermes log with `less=True` shows no reconnect: the count is null with the
    reason, and the text, Markdown and HTML reports say "reconnects unknown" and why."""
    log = _hermes_info_log(less=True) + "28/06 12:20:00 -  #0 - Authentication error, <AuthenticateResponse: {}>\n"
    doc = diagnose_text(tmp_path, log)
    assert doc["client"] == "hermes"
    assert doc["reconnects"] == {"count": None, "per_hour": None, "unknown": RECONNECTS_UNKNOWN}
    assert doc["inputs"][0]["fork"] == {"name": None, "version": None, "logger": "C"}
    path = tmp_path / "miner.log"
    from wsdiag.pipeline import Options, analyze
    from wsdiag.read.sources import resolve

    d = Diagnosis.of(analyze(resolve([str(path)]), Options(year=2026, jobs=1)))
    report = text.render(d, Console(width=200, color_system=None, force_terminal=False))
    assert "reconnects unknown" in report
    assert RECONNECTS_UNKNOWN in report
    assert "0 reconnects" not in report
    assert "Reconnects unknown: " + RECONNECTS_UNKNOWN in markdown.render(d)
    assert "reconnects unknown" in html.render(d)


def test_debug_hermes_log_without_reconnects_counts_none(tmp_path: Path) -> None:
    """A Hermes DEBUG log (less=True: no uuids) that shows no reconnect line had none: 0, not
    unknown. (Its keepalives say only that #0 is alive: the authenticate request, a line the
    filters always read, is what shows Hermes DEBUG lines.)"""
    log = (
        "28/06 12:00:00 - #0 - Send: " + AUTH + "\n28/06 12:00:10 - #0 - Received: " + KEEPALIVE
        + "\n28/06 12:00:20 - #0 - Received: " + KEEPALIVE + "\n"
    )
    doc = diagnose_text(tmp_path, log)
    assert doc["client"] == "hermes"
    assert doc["reconnects"]["count"] == 0
    assert doc["reconnects"]["unknown"] is None


def test_info_hermes_log_with_ids_has_unknown_reconnects(tmp_path: Path) -> None:
    """An INFO log's new uuids are no count: a client shows its id only when it logs an error."""
    doc = diagnose_text(tmp_path, _hermes_info_log(less=False))
    assert doc["client"] == "hermes"
    assert doc["reconnects"]["count"] is None
    assert "no DEBUG line" in doc["reconnects"]["unknown"]


def test_client_is_told_by_the_lines_only_one_client_writes(tmp_path: Path) -> None:
    """pubsub, hermes, mixed, or null when nothing tells (`#0 - WebSocket error` is both's)."""
    pubsub = "28/06/26 12:00:00 - INFO - [handle_reconnection]: #0 - Reconnecting to Twitch PubSub server in ~60 seconds\n"
    hermes = f"28/06/26 12:00:01 - ERROR - [on_error]: #1 - {U} - WebSocket error: [Errno 104] Connection reset by peer\n"
    either = "28/06/26 12:00:02 - ERROR - [on_error]: #2 - WebSocket error: [Errno 104] Connection reset by peer\n"
    assert diagnose_text(tmp_path, pubsub + either)["client"] == "pubsub"
    assert diagnose_text(tmp_path, hermes + either)["client"] == "hermes"
    assert diagnose_text(tmp_path, pubsub + hermes)["client"] == "mixed"
    assert diagnose_text(tmp_path, either)["client"] is None


@pytest.mark.parametrize(
    ("banner", "fork", "version"),
    [
        ("Twitch Channel Points Miner-1.3.0 (fork by mpforce1)", "mpforce1", "1.3.0"),
        ("Twitch Channel Points Miner v2-2.0.4 (fork by rdavydov)", "rdavydov", "2.0.4"),
        ("Twitch Channel Points Miner v2.1.6 (fork by Armi1014)", "Armi1014", "2.1.6"),
        ("👋  Twitch Channel Points Miner v2-2.0.7 (fork by rdavydov)", "rdavydov", "2.0.7"),
    ],
)
def test_start_banner_names_fork_and_version(tmp_path: Path, banner: str, fork: str, version: str) -> None:
    """Each fork's start banner gives inputs[i].fork and the merged forks."""
    log = f"28/06/26 12:00:00 - INFO - [__init__]: {banner}\n"
    doc = diagnose_text(tmp_path, log)
    assert doc["inputs"][0]["fork"] == {"name": fork, "version": version, "logger": None}


def test_redacted_listens_and_anonymised_ids(tmp_path: Path) -> None:
    """LISTENs sent as mpforce1's redacted copy are counted (each, also inside a burst), their
    string-form topics read; small-integer ids say the log is anonymised."""
    lines = [
        f'28/06/26 12:00:{s:02d} - DEBUG - {PC} - [send]: #0 - Send: '
        + STRING_LISTEN.replace("n1", f"n{s}").replace("v1.1", f"v1.{s % 3 + 1}")
        for s in range(12)
    ]
    doc = diagnose_text(tmp_path, "\n".join(lines) + "\n")
    assert doc["topics"]["redacted_listens"] == 12
    assert doc["topics"]["listened"] == 3
    assert doc["topics"]["anonymised"] is True
    plain = '28/06/26 12:00:00 - DEBUG - [send]: #0 - Send: {"type":"LISTEN","nonce":"a","data":{"topics":["raid.48855519"],"auth_token":"x"}}\n'
    doc = diagnose_text(tmp_path, plain)
    assert doc["topics"]["redacted_listens"] == 0
    assert doc["topics"]["anonymised"] is False


def test_anonymised_text_note(tmp_path: Path) -> None:
    """`Received: REDACTED` marks the log anonymised; the text report says counts are per run."""
    log = "28/06/26 12:00:00 - DEBUG - [on_message]: #0 - Received: REDACTED\n"
    path = tmp_path / "miner.log"
    path.write_text(log)
    from wsdiag.pipeline import Options, analyze
    from wsdiag.read.sources import resolve

    d = Diagnosis.of(analyze(resolve([str(path)]), Options(year=2026, jobs=1)))
    assert d.to_dict()["topics"]["anonymised"] is True
    assert "this run only" in text.render(d, Console(width=200, color_system=None, force_terminal=False))


@pytest.mark.parametrize(
    "paste",
    [
        "error from callback <function WebSocketsPool.on_message at 0x7bb7d480e0>: Error while trying to listen "
        "for a topic: {'type': 'RESPONSE', 'error': 'ERR_BADAUTH', 'nonce': '4h9MbX4W6eIkXU5XNW56vENfJ4zj7N'}",
        "`Error while trying to listen for a topic: ERR_BADAUTH`",
        "```\nError while trying to listen for a topic: ERR_BADAUTH\n```",
        "```log\nError while trying to listen for a topic: ERR_BADAUTH\n```",
        "```text \nError while trying to listen for a topic: ERR_BADAUTH\n```",
    ],
)
def test_a_pasted_message_is_analysed(tmp_path: Path, paste: str) -> None:
    """One miner line without a timestamp (bare, in backticks, in a fence) is a record: the
    analysis finds the refused token instead of rejecting the input; fence lines are no
    unrecognized lines (they count as blank)."""
    for filters in (None, Filters(SIEVE, c=False)):
        doc = _scan((paste + "\n").encode(), 4096, filters)
        assert doc["inputs"][0]["records"] == 1
        assert doc["inputs"][0]["unrecognized"] == 0
        assert doc["inputs"][0]["blank"] == paste.count("```")
        assert doc["failures"]["by_class"]["bad_auth"] == 1
        assert doc["diagnosis"]["primary"] == "bad-auth"
    doc = diagnose_text(tmp_path, paste + "\n")
    assert doc["diagnosis"]["primary"] == "bad-auth"


def test_lines_before_logging_and_at_shutdown_are_miner_output() -> None:
    """BASIC_FORMAT lines (no timestamp) and `Miner shut down` are records, not unrecognized,
    on both paths."""
    data = (
        b"ERROR:TwitchChannelPointsMiner.TwitchChannelPointsMiner:Waiting for Twitch.tv connectivity...\n"
        b"INFO:TwitchChannelPointsMiner.classes.events.managers:Creating event manager\n"
        b"28/06/26 12:00:00 - INFO - [on_close]: #0 - WebSocket closed\n"
        b"Miner shut down\n"
    )
    want = _scan(data, None)
    assert want["inputs"][0]["records"] == 4
    assert want["inputs"][0]["unrecognized"] == 0
    for filters in (None, Filters(SIEVE, c=False)):
        assert _scan(data, 4096, filters) == want


def test_split_and_merge_keeps_the_new_facts() -> None:
    """Summaries of a Hermes log split at every line merge into the whole: client, forks,
    uuids (reconnects), redacted LISTENs, logger variant."""
    data = (
        _hermes_debug_log()
        + _hermes_info_log(less=False).replace("28/06/26 12:", "28/06/26 13:")
        + f'28/06/26 14:00:00 - DEBUG - {PC} - [send]: #2 - Send: {STRING_LISTEN}\n'
    ).encode()
    whole = _scan(data, None)
    lines = data.splitlines(keepends=True)
    for cut in range(1, len(lines)):
        parts = [b"".join(lines[:cut]), b"".join(lines[cut:])]
        merged = Summary()
        for part in parts:
            s = Summary()
            sc = Scanner(s, s.input("miner.log"), YearResolver.for_log(2026))
            sc.simple(part)
            merged.merge(s)
        assert Diagnosis.of(merged.finish()).to_dict() == whole, cut
    assert whole["client"] == "mixed"
    assert whole["topics"]["redacted_listens"] == 1
    # The log shows Hermes' reconnect line: that counts, not the uuids of its INFO part again.
    assert whole["reconnects"]["count"] == 2


def test_records_keep_their_defaults_for_pubsub_lines() -> None:
    """A PubSub console line with no client wording carries no client, uuid or variant."""
    line, _ = split_line("28/06/26 12:00:00 - ERROR - [on_error]: #0 - WebSocket error: x", YearResolver(2026, False))
    rec = to_record(line)
    assert rec is not None
    extra = ("client", "uuid", "fork", "variant", "redacted", "anonymised", "debug")
    assert [getattr(rec, name) for name in extra] == [None, None, None, None, False, False, False]


def test_anonymised_traceback_paths_mark_the_log_on_both_paths() -> None:
    """A traceback frame under `[PATH REDACTED]` (logger variant C) marks the log anonymised;
    the fast path reads that continuation line too."""
    data = (
        f"28/06/26 12:00:00 - ERROR - {HP} - [on_error]:  #0 - WebSocket error: boom\n"
        "Traceback (most recent call last):\n"
        '  File "[PATH REDACTED]/TwitchChannelPointsMiner/classes/websocket/hermes/Pool.py", line 1, in on_error\n'
        "ValueError: boom\n"
    ).encode()
    want = _scan(data, None)
    assert want["topics"]["anonymised"] is True
    assert want["inputs"][0]["continuation"] == 3
    for filters in (None, Filters(SIEVE, c=False)):
        assert _scan(data, 4096, filters) == want


def test_new_topic_kinds_and_three_part_topics_count_streamers(tmp_path: Path) -> None:
    """mpforce1's newest topics: `weekly-rewards.<user>.<channel>` is a channel topic of its
    last part; `onsite-notifications`, `user-subscribe-events-v1`, `viewer-milestones` are the
    account's, not streamers."""
    topics = [
        "community-points-user-v1.111111", "onsite-notifications.111111", "user-subscribe-events-v1.111111",
        "viewer-milestones.111111", "video-playback-by-id.222222", "weekly-rewards.111111.222222",
        "video-playback-by-id.333333", "weekly-rewards.111111.333333",
    ]
    log = "".join(
        f"28/06/26 12:00:{i:02d} - DEBUG - {HC} - [__send_request]: #0 - {U} - Send: "
        + SUBSCRIBE.replace("video-playback-by-id.123456", t) + "\n"
        for i, t in enumerate(topics)
    )
    doc = diagnose_text(tmp_path, log)
    assert doc["topics"]["listened"] == 8
    assert doc["topics"]["streamers"] == 2
    assert doc["limits"]["user_topics"] == 4
    assert doc["limits"]["topic_kinds"] == {"video-playback-by-id": 2, "weekly-rewards": 2}


@pytest.mark.parametrize("describe", [f"#0 - {U}", "#0"], ids=["uuid", "less"])
def test_an_excerpt_of_keepalives_is_a_hermes_log(describe: str) -> None:
    """A log of nothing but Hermes keepalive frames says client `hermes` on both paths, whatever
    the block size (the filters skip the frames of a known id as alive: the first says it)."""
    data = "".join(
        f"28/06/26 12:00:{s:02d} - DEBUG - [on_message]: {describe} - Received: {KEEPALIVE}\n" for s in range(0, 60, 10)
    ).encode()
    want = _scan(data, None)
    assert want["client"] == "hermes"
    for size in (1 << 20, 100):
        for filters in (None, Filters(SIEVE, c=False)):
            assert _scan(data, size, filters) == want, size


@pytest.mark.parametrize(
    ("name", "anonymised"),
    [("Streamer1", True), ("Streamer 37", True), ("streamer1", False), ("Streamerfan", False), ("bramblecrest", False)],
)
def test_anonymised_usernames_mark_the_log_on_both_paths(name: str, anonymised: bool) -> None:
    """A streamer named by mpforce1's anonymiser (`Streamer1`, RandomAnonymiser's `Streamer 37`)
    marks the log anonymised on both paths, as small-integer ids do; a real name does not."""
    data = (
        f"28/06/26 12:00:00 - INFO - [on_message]: 🚀  +10 → Streamer(username={name}, channel_id=1, "
        "channel_points=320) - Reason: WATCH.\n"
        "28/06/26 12:00:05 - INFO - [on_close]: #0 - WebSocket closed\n"
    ).encode()
    want = _scan(data, None)
    assert want["topics"]["anonymised"] is anonymised
    assert want["inputs"][0]["records"] == 2
    for filters in (None, Filters(SIEVE, c=False)):
        assert _scan(data, 4096, filters) == want


@pytest.mark.parametrize(
    "last",
    [
        "socket.gaierror: [Errno -3] Temporary failure in name resolution",
        "socket.timeout: timed out",
        "ssl.SSLError: [SSL: BAD_LENGTH] bad length (_ssl.c:2483)",
        "websocket._exceptions.WebSocketConnectionClosedException: Connection to remote host was lost.",
    ],
)
def test_a_tracebacks_last_line_is_part_of_it_on_both_paths(last: str) -> None:
    """The last line of a traceback, a lower-case exception (`socket.gaierror: ...`) too, is a
    continuation, not an unrecognized line; the counts stay those of the records."""
    data = (
        "28/06/26 12:00:00 - ERROR - [on_error]: #0 - WebSocket error: boom\n"
        "Traceback (most recent call last):\n"
        '  File "/usr/lib/python3.11/socket.py", line 955, in getaddrinfo\n'
        f"{last}\n"
        "28/06/26 12:00:01 - INFO - [on_close]: #0 - WebSocket closed\n"
    ).encode()
    want = _scan(data, None)
    assert (want["inputs"][0]["continuation"], want["inputs"][0]["unrecognized"]) == (3, 0)
    assert want["failures"]["total"] == 1
    for filters in (None, Filters(SIEVE, c=False)):
        for size in (4096, 60):
            assert _scan(data, size, filters) == want
