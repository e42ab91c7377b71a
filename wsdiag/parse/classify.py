"""Failure taxonomy: ordered rules from an error text to one class of the JSON contract.

The first rule that matches wins, so specific signatures (a close frame, ERR_BADAUTH, an SSL
tag) come before generic words ("timed out") that they may also contain.
"""

from __future__ import annotations

import re

#: Twitch refusing the client or its messages: a LISTEN answered ERR_BADMESSAGE or ERR_BADTOPIC,
#: an opening handshake answered with an HTTP 4xx/5xx status.
REJECTED = r"ERR_BADMESSAGE|ERR_BADTOPIC|Handshake status [45]\d\d"

_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("bad_auth", re.compile(r"ERR_BADAUTH|Authentication error")),
    ("rejected", re.compile(REJECTED)),
    (
        "ping_pong",
        re.compile(r"ping pong failed|opcode=8\b|Connection closed \(code 4100\)", re.IGNORECASE),
    ),
    ("pong_timeout", re.compile(r"ping/pong timed out|last PONG was received", re.IGNORECASE)),
    ("ping_stalled", re.compile(r"last PING was sent", re.IGNORECASE)),
    ("broken_pipe", re.compile(r"\[Errno 32\]|Broken pipe|BrokenPipeError", re.IGNORECASE)),
    (
        "ssl",
        re.compile(
            r"\[SSL|SSLError|SSLEOFError|SSLZeroReturnError|CERTIFICATE_VERIFY_FAILED"
            r"|EOF occurred in violation of protocol|_ssl\.c",
        ),
    ),
    (
        "connection_reset",
        re.compile(
            r"Connection reset by peer|\[Errno 104\]|\[Errno 54\]|\[WinError 1005[34]\]"
            r"|Connection to remote host was lost|Connection is already closed"
            r"|socket is already closed|ConnectionResetError|ConnectionAbortedError"
            r"|forcibly closed by the remote host",
            re.IGNORECASE,
        ),
    ),
    (
        "timeout",
        re.compile(
            r"timed out|\[WinError 10060\]|\[Errno 60\]|\[Errno 110\]|TimeoutError"
            r"|connection attempt failed",
            re.IGNORECASE,
        ),
    ),
    (
        "dns",
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
_SIGNATURES: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    (
        "ssl",
        "certificate",
        re.compile(
            r"CERTIFICATE_VERIFY_FAILED|certificate verify failed|self[- ]signed certificate",
            re.IGNORECASE,
        ),
    ),
    ("ssl", "bad_length", re.compile(r"BAD_LENGTH")),
    ("ssl", "eof", re.compile(r"UNEXPECTED_EOF|EOF occurred in violation|SSLEOFError")),
    ("ssl", "wrong_version", re.compile(r"WRONG_VERSION_NUMBER")),
    ("ssl", "decryption", re.compile(r"DECRYPTION_FAILED|BAD_RECORD_MAC")),
    ("rejected", "bad_message", re.compile(r"ERR_BADMESSAGE")),
    ("rejected", "bad_topic", re.compile(r"ERR_BADTOPIC")),
    ("rejected", "handshake_5xx", re.compile(r"Handshake status 5\d\d")),
    ("rejected", "handshake_4xx", re.compile(r"Handshake status 4\d\d")),
)
SIGNATURE_CLASSES = frozenset(cls for cls, _, _ in _SIGNATURES)
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


def classify(text: str) -> str:
    """Return the failure class of a WebSocket error text (``other`` when no rule matches)."""
    for name, pattern in _RULES:
        if pattern.search(text):
            return name
    return "other"
