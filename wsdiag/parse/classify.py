"""Failure taxonomy: ordered rules from an error text to one class of the JSON contract.

The first rule that matches wins, so specific signatures (a close frame, ERR_BADAUTH, an SSL
tag) come before generic words ("timed out") that they may also contain.
"""

from __future__ import annotations

import re

from wsdiag.parse.records import FailureClass

#: Twitch refusing the client or its messages: a LISTEN answered ERR_BADMESSAGE or ERR_BADTOPIC,
#: an opening handshake answered with an HTTP 4xx/5xx status.
REJECTED = r"ERR_BADMESSAGE|ERR_BADTOPIC|Handshake status [45]\d\d"

_RULES: tuple[tuple[FailureClass, re.Pattern[str]], ...] = (
    (FailureClass.BAD_AUTH, re.compile(r"ERR_BADAUTH|Authentication error")),
    (FailureClass.REJECTED, re.compile(REJECTED)),
    (FailureClass.PING_PONG, re.compile(r"ping pong failed", re.IGNORECASE)),
    (FailureClass.PONG_TIMEOUT, re.compile(r"ping/pong timed out|last PONG was received", re.IGNORECASE)),
    (FailureClass.PING_STALLED, re.compile(r"last PING was sent", re.IGNORECASE)),
    (FailureClass.BROKEN_PIPE, re.compile(r"\[Errno 32\]|Broken pipe|BrokenPipeError", re.IGNORECASE)),
    (
        FailureClass.SSL,
        re.compile(
            r"\[SSL|SSLError|SSLEOFError|SSLZeroReturnError|CERTIFICATE_VERIFY_FAILED"
            r"|EOF occurred in violation of protocol|_ssl\.c",
        ),
    ),
    (
        FailureClass.CONNECTION_RESET,
        re.compile(
            r"Connection reset by peer|\[Errno 104\]|\[Errno 54\]|\[WinError 1005[34]\]"
            r"|Connection to remote host was lost|Connection is already closed"
            r"|socket is already closed|ConnectionResetError|ConnectionAbortedError"
            r"|forcibly closed by the remote host",
            re.IGNORECASE,
        ),
    ),
    (
        FailureClass.TIMEOUT,
        re.compile(
            r"timed out|\[WinError 10060\]|\[Errno 60\]|\[Errno 110\]|TimeoutError"
            r"|connection attempt failed",
            re.IGNORECASE,
        ),
    ),
    (
        FailureClass.DNS,
        re.compile(
            r"getaddrinfo failed|Name or service not known|Temporary failure in name resolution"
            r"|\[Errno -[235]\]|\[Errno 11001\]|\[Errno 8\] nodename|No address associated with"
            r"|Failed to resolve|NameResolutionError",
            re.IGNORECASE,
        ),
    ),
)


#: Finer kinds of some classes, which the diagnosis needs and the class contract does not carry:
#: (class, signature, pattern); the first that matches an event's text names it.
_SIGNATURES: tuple[tuple[FailureClass, str, re.Pattern[str]], ...] = (
    (
        FailureClass.SSL,
        "certificate",
        re.compile(
            r"CERTIFICATE_VERIFY_FAILED|certificate verify failed|self[- ]signed certificate",
            re.IGNORECASE,
        ),
    ),
    (FailureClass.SSL, "bad_length", re.compile(r"BAD_LENGTH")),
    (FailureClass.SSL, "eof", re.compile(r"UNEXPECTED_EOF|EOF occurred in violation|SSLEOFError")),
    (FailureClass.SSL, "wrong_version", re.compile(r"WRONG_VERSION_NUMBER")),
    (FailureClass.SSL, "decryption", re.compile(r"DECRYPTION_FAILED|BAD_RECORD_MAC")),
    (FailureClass.REJECTED, "bad_message", re.compile(r"ERR_BADMESSAGE")),
    (FailureClass.REJECTED, "bad_topic", re.compile(r"ERR_BADTOPIC")),
    (FailureClass.REJECTED, "handshake_5xx", re.compile(r"Handshake status 5\d\d")),
    (FailureClass.REJECTED, "handshake_4xx", re.compile(r"Handshake status 4\d\d")),
)
SIGNATURE_CLASSES = frozenset(cls for cls, _, _ in _SIGNATURES)
#: The longest prefix of an error text searched for a failure signature (one sits at its start;
#: a 64 KB hostile text is not searched whole).
CLASSIFY_MAX = 8192
_SIGNATURE_MAX = 2048  # an event's text is searched this far (the kind is named near its start)


def signature(cls: str, text: str) -> str | None:
    """The finer kind of a failure of class ``cls`` from its text (None when it has none)."""
    if cls not in SIGNATURE_CLASSES:
        return None
    head = text[:_SIGNATURE_MAX]
    for name, sig, pattern in _SIGNATURES:
        if name == cls and pattern.search(head):
            return sig
    return None


# -- close frames ------------------------------------------------------------------------------
# websocket-client 1.9.0 hands the server's close frame to on_error, which the miner logs as
# `fin=1 opcode=8 data=b'\x10\x04ping pong failed'`; 1.9.2 renders the same close as
# `Connection closed (code 4100): ping pong failed` (FORMATS.md 3, FORKS-2026.md 1.6). The
# first two bytes of `data` are the close code (big-endian), the rest its reason: the code
# decides the class, not the shape. README "Failure classes" gives the reasons.
CLOSE_CLASSES: dict[int, FailureClass] = {
    4100: FailureClass.PING_PONG,  # PubSub: "ping pong failed", the client missed its PINGs
    1000: FailureClass.RECONNECT_REQUESTED,  # normal closure by the server
    1001: FailureClass.RECONNECT_REQUESTED,  # going away (server restart or maintenance)
    1012: FailureClass.RECONNECT_REQUESTED,  # service restart
    1013: FailureClass.RECONNECT_REQUESTED,  # try again later
    1008: FailureClass.REJECTED,  # policy violation: the server refuses what the client sent
    4122: FailureClass.REJECTED,  # Hermes "invalid challenge" during authentication
}
_FRAME = re.compile(r"opcode=8\b[^\n]{0,40}?data=b(?P<q>['\"])(?P<data>[^\n]{0,400})")
_CLOSED = re.compile(r"Connection closed \(code (?P<code>\d{1,5})\)")
# One byte in a Python bytes literal: an escape or a printable character.
_BYTE = re.compile(r"\\x(?P<hex>[0-9a-fA-F]{2})|\\(?P<esc>[tnr\\'\"])|(?P<ch>[^\\])")
_CODE_BYTES = 2  # a close code: two bytes, big-endian
_ESCAPES = {"t": 9, "n": 10, "r": 13, "\\": 92, "'": 39, '"': 34}


def _literal_bytes(data: str, n: int) -> list[int]:
    """The first ``n`` bytes of the inside of a Python bytes literal (fewer if it is cut)."""
    out: list[int] = []
    pos = 0
    while len(out) < n:
        m = _BYTE.match(data, pos)
        if m is None:
            break
        if m["hex"]:
            out.append(int(m["hex"], 16))
        elif m["esc"]:
            out.append(_ESCAPES[m["esc"]])
        else:
            out.append(ord(m["ch"]) & 0xFF)
        pos = m.end()
    return out


def close_code(text: str) -> int | None:
    """The close code of a close frame websocket-client logged as an error (None: no frame)."""
    closed = _CLOSED.search(text)
    if closed:
        return int(closed["code"])
    frame = _FRAME.search(text)
    if frame is None:
        return None
    data = frame["data"]
    quote = frame["q"]
    first = _literal_bytes(data, _CODE_BYTES)
    if len(first) < _CODE_BYTES or first[0] == ord(quote):
        return None  # an empty close frame (no code) or a cut one
    return first[0] << 8 | first[1]


def close_class(text: str) -> FailureClass | None:
    """The class of a close frame's code (None: the text is no close frame). A frame without a
    code, or with a code not in CLOSE_CLASSES, is ``other``; its reason still says ping pong
    failed when it does."""
    if "opcode=8" not in text and "Connection closed (code" not in text:
        return None
    code = close_code(text)
    if code is not None and code in CLOSE_CLASSES:
        return CLOSE_CLASSES[code]
    return FailureClass.PING_PONG if "ping pong failed" in text.lower() else FailureClass.OTHER


def classify(text: str) -> FailureClass:
    """Return the failure class of a WebSocket error text (``other`` when no rule matches)."""
    closed = close_class(text)
    if closed is not None:
        return closed
    for name, pattern in _RULES:
        if pattern.search(text):
            return name
    return FailureClass.OTHER
