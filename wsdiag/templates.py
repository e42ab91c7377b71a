"""Message templates of the miner and websocket-client (FORMATS.md sections 2 and 3).

:func:`to_record` turns the message part of one line into a :class:`Record`, or ``None`` when the
line is not about the PubSub WebSockets. Every wording the miner ever used maps to the same kind,
so a 2021 log and a 2025 log are counted alike.
"""

from __future__ import annotations

import re
from datetime import datetime

from wsdiag.classify import classify
from wsdiag.records import Kind, Line, Record
from wsdiag.redact import clean

# `[username] ` console prefix, then `#N - `, then (mpforce1 Hermes) an optional client uuid.
_WS = re.compile(
    r"(?:\[[^\]\s]{1,64}\] )?#(?P<conn>\d{1,12}) - "
    r"(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12} - )?"
)
_USER = re.compile(r"\[[^\]\s]{1,64}\] ")

_ERROR = re.compile(r"WebSocket error: ?")
_CLOSED = re.compile(r"WebSocket closed\b")
_RECONNECT = re.compile(r"Reconnecting to Twitch (?:PubSub|Hermes) server\b")
_NO_INTERNET = re.compile(r"No internet connection available!")
_PONG = re.compile(r"The last (?:PONG|pong) was received more than")
_PING = re.compile(r"The last (?:PING|ping) was sent more than")
_RECONNECTION = re.compile(r"Reconnection required")
_SEND = re.compile(r"Send: ")
_RECEIVED = re.compile(r"Received: ")
_AUTH_ERROR = re.compile(r"Authentication error\b")
_LISTEN_ERROR = re.compile(r"Error while trying to listen for a topic: ?")
_BADAUTH_HINT = re.compile(r"Received the ERR_BADAUTH error")
_CALLBACK = re.compile(r"error from callback <[^>]{0,300}>: ?")
_ECHO_TAIL = re.compile(r" - (?:goodbye|reconnecting|reconnect)\s*$")
_TEARDOWN = re.compile(r"tearing down on exception ")
_STREAMERS = re.compile(r"Loading data for (?P<n>\d{1,9}) streamers")

_TOPICS = re.compile(r'"topics":\s?\[(?P<list>[^\]]{0,100000})\]')
_TOPIC = re.compile(r'"([^"\\]{1,200})"')
_RESPONSE_ERROR = re.compile(r"""["']error["']:\s?["'](?P<code>[A-Z_]{1,64})["']""")
_BOUNDED = 2000  # longest message text kept in a record

# websocket-client's own ERROR lines carry funcName `error`; in "less" there is no funcName.
_ECHO_FUNCS = frozenset({"error", "warning", "info", None})


def _norm(text: str) -> str:
    return " ".join(text.split())[:_BOUNDED]


def _listen_code(text: str) -> str:
    m = _RESPONSE_ERROR.search(text)
    if m:
        return m.group("code")
    return text.strip().split(" ", 1)[0][:64] or "UNKNOWN"


def _error_record(kind: Kind, time: datetime | None, conn: int | None, raw: str) -> Record:
    text = clean(_norm(raw))
    if _LISTEN_ERROR.match(raw):
        code = _listen_code(raw[_LISTEN_ERROR.match(raw).end() :])  # type: ignore[union-attr]
        cls = "bad_auth" if code == "ERR_BADAUTH" else "other"
        return Record(kind, time, conn, cls, text, key="listen:" + code)
    return Record(kind, time, conn, classify(raw), text, key=text)


def to_record(line: Line) -> Record | None:
    """Build the WebSocket record for one recognised line, or None when it carries nothing."""
    msg = line.message
    time = line.time
    ws = _WS.match(msg)
    if ws:
        conn = int(ws.group("conn"))
        rest = msg[ws.end() :]
        if _ERROR.match(rest):
            return _error_record(Kind.ERROR, time, conn, rest[_ERROR.match(rest).end() :])  # type: ignore[union-attr]
        if _CLOSED.match(rest):
            return Record(Kind.CLOSED, time, conn)
        if _RECONNECT.match(rest):
            return Record(Kind.RECONNECT, time, conn)
        if _NO_INTERNET.match(rest):
            return Record(Kind.FAILURE, time, conn, "no_internet", clean(_norm(rest)))
        if _PONG.match(rest):
            return Record(Kind.FAILURE, time, conn, "pong_timeout", clean(_norm(rest)))
        if _PING.match(rest):
            return Record(Kind.FAILURE, time, conn, "ping_stalled", clean(_norm(rest)))
        if _RECONNECTION.match(rest):
            return Record(Kind.FAILURE, time, conn, "reconnect_requested", clean(_norm(rest)))
        if _AUTH_ERROR.match(rest):
            return Record(
                Kind.ERROR, time, conn, "bad_auth", clean(_norm(rest)), key="listen:ERR_BADAUTH"
            )
        if _SEND.match(rest):
            if '"LISTEN"' in rest:
                topics = _TOPICS.search(rest)
                if topics:
                    found = tuple(_TOPIC.findall(topics.group("list")))
                    return Record(Kind.LISTEN, time, conn, topics=found)
            return Record(Kind.OTHER, time, conn)
        if _RECEIVED.match(rest):
            if '"RESPONSE"' in rest or "'RESPONSE'" in rest:
                m = _RESPONSE_ERROR.search(rest)
                if m:
                    code = m.group("code")
                    cls = "bad_auth" if code == "ERR_BADAUTH" else "other"
                    return Record(
                        Kind.RESPONSE_ERROR,
                        time,
                        conn,
                        cls,
                        clean(_norm(rest)),
                        key="listen:" + code,
                    )
            return Record(Kind.OTHER, time, conn)
        return Record(Kind.OTHER, time, conn)

    # Id-less lines. A DEBUG record without #N is never about the PubSub pool (old 2021
    # `Send:`/`Received:` lines included), which keeps boring DEBUG lines free to skip.
    if line.level == "DEBUG":
        return None
    user = _USER.match(msg)
    if user:
        msg = msg[user.end() :]
    if _RECONNECT.match(msg):
        return Record(Kind.RECONNECT, time, None)
    if _PONG.match(msg):
        return Record(Kind.FAILURE, time, None, "pong_timeout", clean(_norm(msg)))
    if _PING.match(msg):
        return Record(Kind.FAILURE, time, None, "ping_stalled", clean(_norm(msg)))
    if _RECONNECTION.match(msg):
        return Record(Kind.FAILURE, time, None, "reconnect_requested", clean(_norm(msg)))
    if _LISTEN_ERROR.match(msg):
        return _error_record(Kind.LISTEN_ERROR, time, None, msg)
    if _BADAUTH_HINT.match(msg):
        return Record(Kind.BADAUTH_HINT, time, None, "bad_auth", clean(_norm(msg)))
    m = _STREAMERS.search(msg)
    if m:
        return Record(Kind.STREAMERS, time, None, number=int(m.group("n")))
    if line.func not in _ECHO_FUNCS:
        return None
    cb = _CALLBACK.match(msg)
    if cb:
        return _error_record(Kind.ECHO, time, None, msg[cb.end() :])
    td = _TEARDOWN.match(msg)
    if td:
        return _error_record(Kind.ECHO, time, None, msg[td.end() :])
    tail = _ECHO_TAIL.search(msg)
    if tail and tail.start() > 0:
        return _error_record(Kind.ECHO, time, None, msg[: tail.start()])
    return None
