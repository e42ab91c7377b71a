"""Failure taxonomy: ordered rules from an error text to one class of the JSON contract.

The first rule that matches wins, so specific signatures (a close frame, ERR_BADAUTH, an SSL
tag) come before generic words ("timed out") that they may also contain.
"""

from __future__ import annotations

import re

_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("bad_auth", re.compile(r"ERR_BADAUTH|Authentication error")),
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


def classify(text: str) -> str:
    """Return the failure class of a WebSocket error text (``other`` when no rule matches)."""
    for name, pattern in _RULES:
        if pattern.search(text):
            return name
    return "other"
