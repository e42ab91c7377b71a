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
from wsdiag.redact import MARGIN, clean

# `[username] ` console prefix, then `#N - `, then (mpforce1 Hermes) an optional client uuid.
_WS = re.compile(
    r"(?:\[[^\]\s]{1,64}\] )?#(?P<conn>\d{1,12}) - "
    r"(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12} - )?",
    re.ASCII,
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
_ECHO_TAIL = re.compile(r" - (?:goodbye|reconnecting|reconnect)\s{0,64}$")
_TEARDOWN = re.compile(r"tearing down on exception ")
# websocket-client 1.4.0 names only the exception class (`WebSocketConnectionClosedException -
# goodbye`) right after on_error, which the miner always logs as `#N - WebSocket error: <text>`:
# such an echo cannot be matched by text and never stands for an event of its own.
_BARE_EXCEPTION = re.compile(r"[A-Za-z_][\w.]{0,200}(?:Exception|Error)")
_STREAMERS = re.compile(r"Loading data for (?P<n>\d{1,9}) streamers", re.ASCII)
#: A PubSub MESSAGE frame: data pushed on a topic, never the answer to a LISTEN, whatever quoted
#: words its payload carries. The fast scan (wsdiag.scan) skips these lines by this same prefix.
MESSAGE_FRAME = r'Received: \{ ?"type": ?"MESSAGE"'
_MESSAGE_FRAME = re.compile(MESSAGE_FRAME)

# The list may not contain `[`: then a line of many `"topics":[` without `]` costs one scan
# per opening bracket up to the next one (linear), not one scan to the end of the line each.
_TOPICS = re.compile(r'"topics":\s?\[(?P<list>[^\[\]]{0,100000})\]')
# Topic names are `kind.channel_id`; anything else in the list is not a topic (and could be
# hostile text that would otherwise leave the parser uncleaned).
_TOPIC = re.compile(r'"([A-Za-z0-9._-]{1,200})"')
_RESPONSE_ERROR = re.compile(r"""["']error["']:\s?["'](?P<code>[A-Z_]{1,64})["']""")
_BOUNDED = 2000  # longest message text kept in a record
_CLASSIFY_MAX = 8192  # longest error text prefix searched for a failure signature

# websocket-client's own ERROR lines carry funcName `error`; in "less" there is no funcName.
_ECHO_FUNCS = frozenset({"error", "warning", "info", None})


def _safe(text: str) -> str:
    """The record text: whitespace collapsed, cleaned (redacted), then cut to _BOUNDED."""
    return clean(" ".join(text[: _BOUNDED + MARGIN].split()), _BOUNDED)


def _listen_code(text: str) -> str:
    m = _RESPONSE_ERROR.search(text)
    if m:
        return m.group("code")
    return clean(text.strip().split(" ", 1)[0], 64) or "UNKNOWN"


#: Failure class of an ERR_* code Twitch answers a LISTEN with (anything else: ``other``).
_ANSWER_CLASSES = {"ERR_BADAUTH": "bad_auth", "ERR_BADMESSAGE": "rejected", "ERR_BADTOPIC": "rejected"}


def _answer_class(code: str) -> str:
    return _ANSWER_CLASSES.get(code, "other")


def _error_record(kind: Kind, time: datetime | None, conn: int | None, raw: str) -> Record:
    text = _safe(raw)
    if _LISTEN_ERROR.match(raw):
        code = _listen_code(raw[_LISTEN_ERROR.match(raw).end() :])  # type: ignore[union-attr]
        return Record(kind, time, conn, _answer_class(code), text, key="listen:" + code)
    # Signatures sit at the start of an error text; a 64 KB hostile one is not searched whole.
    return Record(kind, time, conn, classify(raw[:_CLASSIFY_MAX]), text, key=text)


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
            return Record(Kind.FAILURE, time, conn, "no_internet", _safe(rest))
        if _PONG.match(rest):
            return Record(Kind.FAILURE, time, conn, "pong_timeout", _safe(rest))
        if _PING.match(rest):
            return Record(Kind.FAILURE, time, conn, "ping_stalled", _safe(rest))
        if _RECONNECTION.match(rest):
            return Record(Kind.FAILURE, time, conn, "reconnect_requested", _safe(rest))
        if _AUTH_ERROR.match(rest):
            return Record(
                Kind.ERROR, time, conn, "bad_auth", _safe(rest), key="listen:ERR_BADAUTH"
            )
        if _SEND.match(rest):
            if '"LISTEN"' in rest:
                topics = _TOPICS.search(rest)
                if topics:
                    found = tuple(_TOPIC.findall(topics.group("list")))
                    return Record(Kind.LISTEN, time, conn, topics=found)
            return Record(Kind.OTHER, time, conn)
        if _RECEIVED.match(rest):
            if ('"RESPONSE"' in rest or "'RESPONSE'" in rest) and not _MESSAGE_FRAME.match(rest):
                m = _RESPONSE_ERROR.search(rest)
                if m:
                    code = m.group("code")
                    return Record(
                        Kind.RESPONSE_ERROR,
                        time,
                        conn,
                        _answer_class(code),
                        _safe(rest),
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
        return Record(Kind.FAILURE, time, None, "pong_timeout", _safe(msg))
    if _PING.match(msg):
        return Record(Kind.FAILURE, time, None, "ping_stalled", _safe(msg))
    if _RECONNECTION.match(msg):
        return Record(Kind.FAILURE, time, None, "reconnect_requested", _safe(msg))
    if _LISTEN_ERROR.match(msg):
        return _error_record(Kind.LISTEN_ERROR, time, None, msg)
    if _BADAUTH_HINT.match(msg):
        return Record(Kind.BADAUTH_HINT, time, None, "bad_auth", _safe(msg))
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
        if _BARE_EXCEPTION.fullmatch(msg, 0, tail.start()):
            return None
        return _error_record(Kind.ECHO, time, None, msg[: tail.start()])
    return None
