"""Failure taxonomy: one test per class, on the texts the miner and websocket-client print."""

from __future__ import annotations

import pytest

from wsdiag.parse.classify import classify, close_code, signature


@pytest.mark.parametrize(
    "text",
    ["fin=1 opcode=8 data=b'\\x10\\x04ping pong failed'", "Connection closed (code 4100): ping pong failed"],
)
def test_ping_pong(text: str) -> None:
    """Server close frames for missed pings are ping_pong."""
    assert classify(text) == "ping_pong"


@pytest.mark.parametrize(
    ("text", "code", "cls"),
    [
        ("fin=1 opcode=8 data=b'\\x03\\xe9going away'", 1001, "reconnect_requested"),
        ("fin=1 opcode=8 data=b'\\x0f\\xa0'", 4000, "other"),
        ("fin=1 opcode=8 data=b'\\x0f\\xa1server restart'", 4001, "other"),
        ("fin=1 opcode=8 data=b'\\x10\\x1a'", 4122, "rejected"),
        ('fin=1 opcode=8 data=b"\\x03\\xe8"', 1000, "reconnect_requested"),
        ("fin=1 opcode=8 data=b'\\x03\\xf0policy'", 1008, "rejected"),
        ("fin=1 opcode=8 data=b'\\x10A'", 4161, "other"),  # a printable second byte
        ("fin=1 opcode=8 data=b''", None, "other"),  # a close without a code
        ("Connection closed (code 1001): going away", 1001, "reconnect_requested"),
        ("Connection closed (code 4000): ", 4000, "other"),
    ],
)
def test_close_frames_are_classified_by_their_code(text: str, code: int | None, cls: str) -> None:
    """A close frame's class comes from its code (the first two bytes of `data`): only 4100 is
    a ping-pong failure; going away is Twitch closing on purpose; 4000 is no missed ping."""
    assert close_code(text) == code
    assert classify(text) == cls


def test_pong_timeout() -> None:
    """The PONG watchdog text is pong_timeout."""
    assert classify("The last PONG was received more than 5 minutes ago") == "pong_timeout"


def test_ping_stalled() -> None:
    """The PING watchdog text is ping_stalled."""
    assert classify("The last PING was sent more than 10 minutes ago. Reconnecting to the WebSocket...") == "ping_stalled"


def test_broken_pipe() -> None:
    """`[Errno 32] Broken pipe` is broken_pipe."""
    assert classify("[Errno 32] Broken pipe") == "broken_pipe"


@pytest.mark.parametrize(
    "text",
    [
        "[SSL: BAD_LENGTH] bad length (_ssl.c:2483)",
        "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (_ssl.c:1125)",
        "EOF occurred in violation of protocol (_ssl.c:992)",
        "SSLEOFError(8, 'x')",
    ],
)
def test_ssl(text: str) -> None:
    """TLS failures are ssl."""
    assert classify(text) == "ssl"


@pytest.mark.parametrize(
    "text",
    [
        "[Errno 104] Connection reset by peer",
        "[WinError 10054] An existing connection was forcibly closed by the remote host",
        "Connection to remote host was lost.",
        "socket is already closed.",
        "Connection is already closed.",
    ],
)
def test_connection_reset(text: str) -> None:
    """Resets and lost connections are connection_reset."""
    assert classify(text) == "connection_reset"


@pytest.mark.parametrize(
    "text",
    [
        "[Errno 60] Operation timed out",
        "[Errno 110] Connection timed out",
        "[WinError 10060] A connection attempt failed because the connected party did not properly respond",
    ],
)
def test_timeout(text: str) -> None:
    """Timeouts are timeout."""
    assert classify(text) == "timeout"


@pytest.mark.parametrize(
    "text",
    [
        "[Errno 11001] getaddrinfo failed",
        "[Errno -2] Name or service not known",
        "[Errno -3] Temporary failure in name resolution",
    ],
)
def test_dns(text: str) -> None:
    """Name-resolution failures are dns."""
    assert classify(text) == "dns"


def test_bad_auth() -> None:
    """An ERR_BADAUTH answer is bad_auth."""
    assert classify("Error while trying to listen for a topic: {'type': 'RESPONSE', 'error': 'ERR_BADAUTH'}") == "bad_auth"


@pytest.mark.parametrize(
    "text",
    [
        "Handshake status 503 Service Unavailable -+-+- {} -+-+- b''",
        "Handshake status 403 Forbidden -+-+- {'content-length': '0'} -+-+- b''",
        "Error while trying to listen for a topic: {'type': 'RESPONSE', 'error': 'ERR_BADMESSAGE', 'nonce': 'n'}",
        "Error while trying to listen for a topic: ERR_BADTOPIC",
    ],
)
def test_rejected(text: str) -> None:
    """Twitch refusing the client (ERR_BADMESSAGE/ERR_BADTOPIC, handshake 4xx/5xx) is rejected."""
    assert classify(text) == "rejected"


@pytest.mark.parametrize(
    ("cls", "text", "sig"),
    [
        ("ssl", "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (_ssl.c:1125)", "certificate"),
        ("ssl", "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate in certificate chain (_ssl.c:1006)", "certificate"),
        ("ssl", "[SSL: BAD_LENGTH] bad length (_ssl.c:2483)", "bad_length"),
        ("ssl", "EOF occurred in violation of protocol (_ssl.c:2427)", "eof"),
        ("ssl", "[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)", "wrong_version"),
        ("rejected", "Handshake status 503 Service Unavailable -+-+- {} -+-+- b''", "handshake_5xx"),
        ("rejected", "Handshake status 401 Unauthorized -+-+- {} -+-+- b''", "handshake_4xx"),
        ("rejected", 'Received: {"type":"RESPONSE","error":"ERR_BADMESSAGE","nonce":"x"}', "bad_message"),
        ("rejected", "Error while trying to listen for a topic: ERR_BADTOPIC", "bad_topic"),
        ("connection_reset", "[SSL: CERTIFICATE_VERIFY_FAILED]", None),  # only TLS and refusals have kinds
        ("ssl", "[SSL] unknown error", None),
    ],
)
def test_signature(cls: str, text: str, sig: str | None) -> None:
    """The finer kind of a TLS failure or a refusal is read from its text."""
    assert signature(cls, text) == sig


def test_other() -> None:
    """Anything else is other."""
    assert classify("'NoneType' object has no attribute 'sock'") == "other"
    assert classify("Handshake status 200 OK") == "other"
