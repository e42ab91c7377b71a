"""Message templates: every wording of the miner's history counts the same; traps do not count."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import diagnose_text

F = "25/11/25 10:00:{s:02d} - {lvl} - TwitchChannelPointsMiner.classes.WebSocketsPool - [{fn}]: {msg}\n"


def _log(*msgs: tuple[str, str, str]) -> str:
    return "".join(F.format(s=i, lvl=lvl, fn=fn, msg=msg) for i, (lvl, fn, msg) in enumerate(msgs))


def test_every_reconnect_wording_counts(tmp_path: Path) -> None:
    """2021's `in 30 seconds`/`in 60 seconds` (with and without #N) and today's `~60` all count."""
    doc = diagnose_text(
        tmp_path,
        _log(
            ("INFO", "handle_reconnection", "Reconnecting to Twitch PubSub server in 30 seconds"),
            ("INFO", "handle_reconnection", "Reconnecting to Twitch PubSub server in 60 seconds"),
            ("INFO", "handle_reconnection", "#1 - Reconnecting to Twitch PubSub server in 30 seconds"),
            ("INFO", "handle_reconnection", "#2 - Reconnecting to Twitch PubSub server in ~60 seconds"),
        ),
    )
    assert doc["reconnects"]["count"] == 4
    assert doc["connections"]["ids"] == [1, 2]


def test_old_pong_and_ping_watchdog_wordings(tmp_path: Path) -> None:
    """Lower-case 2021 PONG/PING watchdog lines count as pong_timeout and ping_stalled."""
    doc = diagnose_text(
        tmp_path,
        _log(
            ("INFO", "run", "The last pong was received more than 15 minutes ago. Reconnect the WebSocket"),
            ("INFO", "run", "#0 - The last PONG was received more than 10 minutes ago. Reconnect the WebSocket"),
            ("INFO", "run", "#0 - The last PONG was received more than 5 minutes ago"),
            ("INFO", "run", "#1 - The last PING was sent more than 10 minutes ago. Reconnecting to the WebSocket..."),
            ("INFO", "run", "The last ping was sent more than 5 minutes ago. Reconnect the WebSocket"),
        ),
    )
    assert doc["failures"]["by_class"]["pong_timeout"] == 3
    assert doc["failures"]["by_class"]["ping_stalled"] == 2


def test_reconnection_required_old_and_new(tmp_path: Path) -> None:
    """`Reconnection required` (and its 2021 `and keep running is` form) is reconnect_requested."""
    doc = diagnose_text(
        tmp_path,
        _log(
            ("INFO", "on_message", "#0 - Reconnection required"),
            ("INFO", "on_message", "#1 - Reconnection required and keep running is: True"),
        ),
    )
    assert doc["failures"]["by_class"]["reconnect_requested"] == 2


def test_response_acks_are_not_failures(tmp_path: Path) -> None:
    """`Received: {"type":"RESPONSE","error":""}` acknowledges a LISTEN; it is not an error."""
    doc = diagnose_text(
        tmp_path,
        _log(
            ("DEBUG", "on_message", '#0 - Received: {"type":"RESPONSE","error":"","nonce":"abc"}'),
            ("DEBUG", "on_message", '#0 - Received: {"type":"RESPONSE","error":"","nonce":"def"}'),
        ),
    )
    assert doc["failures"]["total"] == 0
    assert doc["connections"]["ids"] == [0]


def test_generic_no_internet_and_http_errors_are_not_websocket_failures(tmp_path: Path) -> None:
    """The HTTP-side `No internet connection available!` (no #N) and HTTP SSL errors do not count."""
    doc = diagnose_text(
        tmp_path,
        _log(
            ("WARNING", "__check_connection_handler", "No internet connection available! Retry after 1m"),
            ("ERROR", "update_client_version", "Error with update_client_version: (Caused by SSLError(SSLEOFError(8, 'EOF occurred in violation of protocol')))"),
            ("WARNING", "handle_reconnection", "#0 - No internet connection available! Retry after 2m"),
        ),
    )
    assert doc["failures"]["by_class"]["no_internet"] == 1
    assert doc["failures"]["total"] == 1


def test_listen_topics_and_streamers(tmp_path: Path) -> None:
    """LISTEN lines give distinct topics per connection; `Loading data for N streamers` the count."""
    doc = diagnose_text(
        tmp_path,
        _log(
            ("INFO", "run", "Loading data for 2 streamers. Please wait..."),
            ("DEBUG", "send", '#0 - Send: {"type":"LISTEN","nonce":"a","data":{"topics":["raid.1"]}}'),
            ("DEBUG", "send", '#0 - Send: {"type":"LISTEN","nonce":"b","data":{"topics":["video-playback-by-id.1"]}}'),
            ("DEBUG", "send", '#1 - Send: {"type":"LISTEN","nonce":"c","data":{"topics":["raid.2"],"auth_token":"secretsecret"}}'),
            ("DEBUG", "send", '#1 - Send: {"type":"LISTEN","nonce":"d","data":{"topics":["raid.2"]}}'),
        ),
    )
    assert doc["topics"]["listened"] == 3
    assert doc["topics"]["per_connection"] == {"0": 2, "1": 1}
    assert doc["topics"]["streamers"] == 2
    assert doc["topics"]["estimate"] == {"low": 51, "high": 100}


def test_hermes_uuid_and_username_prefix(tmp_path: Path) -> None:
    """mpforce1 Hermes `#N - <uuid> - ` and console `[user] #N - ` prefixes keep the id."""
    doc = diagnose_text(
        tmp_path,
        "25/11/25 10:00:00 - ERROR - [on_error]: #3 - 3f6c2a1e-1111-4222-8333-944455556666 - WebSocket error: [Errno 32] Broken pipe\n"
        "25/11/25 10:00:01 - INFO - [on_close]: [someuser] #4 - WebSocket closed\n",
    )
    assert doc["connections"]["ids"] == [3, 4]
    assert doc["failures"]["by_class"]["broken_pipe"] == 1


def test_traceback_lines_are_not_records(tmp_path: Path) -> None:
    """Traceback lines after an error are continuation lines, not records or failures."""
    doc = diagnose_text(
        tmp_path,
        "25/11/25 10:00:00 - ERROR - [on_error]: #0 - WebSocket error: [Errno 32] Broken pipe\n"
        "Traceback (most recent call last):\n"
        '  File "/x/websocket/_app.py", line 400, in _callback\n'
        "    callback(self, *args)\n"
        "BrokenPipeError: [Errno 32] Broken pipe\n",
    )
    assert doc["inputs"][0]["records"] == 1
    assert doc["inputs"][0]["continuation"] == 4
    assert doc["inputs"][0]["unrecognized"] == 0
    assert doc["failures"]["total"] == 1


def test_listen_excerpt_does_not_count_streamers(tmp_path: Path) -> None:
    """A few LISTEN lines of a big pool do not pretend to count the streamers."""
    doc = diagnose_text(
        tmp_path,
        _log(
            ("DEBUG", "send", '#13 - Send: {"type":"LISTEN","nonce":"a","data":{"topics":["raid.1"]}}'),
            ("DEBUG", "send", '#13 - Send: {"type":"LISTEN","nonce":"b","data":{"topics":["raid.2"]}}'),
        ),
    )
    assert doc["topics"]["listened"] == 2
    assert doc["topics"]["streamers"] is None
    assert doc["connections"]["pool_size"] == 14
