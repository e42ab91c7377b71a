"""The template table's entries for the lines of the PubSub-era miner and of websocket-client
(FORMATS.md sections 2 and 3): the connection lines Hermes clients write too (`WebSocket error:`,
`WebSocket closed`, `Send:`, `Received:`), the PubSub-only ones, their 2021 id-less wordings, the
start lines, and websocket-client's echoes. :mod:`wsdiag.parse.templates` orders them.
"""

from __future__ import annotations

import re

from wsdiag.parse import forks
from wsdiag.parse.forks import HERMES_ALIVE
from wsdiag.parse.records import FailureClass, Kind, Record
from wsdiag.parse.redact import record_text as _safe
from wsdiag.parse.template import (
    ECHO_FUNCS,
    Match,
    Place,
    Template,
    error_after,
    error_before,
    error_from,
    number,
    with_text,
)

# The list may not contain `[`: then a line of many `"topics":[` without `]` costs one scan
# per opening bracket up to the next one (linear), not one scan to the end of the line each.
_TOPICS = re.compile(r'"topics":\s?\[(?P<list>[^\[\]]{0,100000})\]')
# Topic names are `kind.channel_id`; anything else in the list is not a topic (and could be
# hostile text that would otherwise leave the parser uncleaned).
_TOPIC = re.compile(r'"([A-Za-z0-9._-]{1,200})"')
#: A PubSub MESSAGE frame: data pushed on a topic, never the answer to a LISTEN, whatever quoted
#: words its payload carries (and so an alive payload: see the `received` template).
MESSAGE_FRAME = r'Received: \{ ?"type": ?"MESSAGE"'
_MESSAGE_FRAME = re.compile(MESSAGE_FRAME)


def listen_topics(t: Template, m: Match) -> Record | None:
    """`Send: {"type":"LISTEN",...,"topics":[...]}` gives its topics (also in the string form of
    mpforce1's `redact_secrets`, which marks it redacted), a Hermes `subscribe` its topic; other
    requests nothing."""
    text = m.text
    if '"LISTEN"' in text:
        topics = _TOPICS.search(text)
        if topics:
            found = tuple(_TOPIC.findall(topics.group("list")))
            redacted = forks.REDACTED_TOKEN.search(text) is not None
            return Record(Kind.LISTEN, m.time, m.conn, topics=found, client="pubsub", redacted=redacted)
        return forks.string_topics(m)
    return forks.hermes_request(m)


def response_error(t: Template, m: Match) -> Record | None:
    """A RESPONSE frame with an error code refuses a LISTEN; any other frame says nothing."""
    rest = m.text
    if ('"RESPONSE"' in rest or "'RESPONSE'" in rest) and not _MESSAGE_FRAME.match(rest):
        found = forks.RESPONSE_ERROR.search(rest)
        if found:
            code = found.group("code")
            cls = forks.answer_class(code)
            return Record(
                Kind.RESPONSE_ERROR, m.time, m.conn, cls, _safe(rest), key="listen:" + code, client="pubsub"
            )
        return Record(Kind.OTHER, m.time, m.conn, client="pubsub")
    return forks.hermes_frame(m)


#: A LISTEN's answer that took its topic: alive, whatever its nonce (read.line_reader's memo key
#: leaves the nonce out).
ALIVE_RESPONSE = r'Received: \{ ?"type": ?"RESPONSE","error":"","nonce":"[A-Za-z0-9]{0,64}"\}$'

#: After the connection prefix `#N - `, in the order they are tried.
CONNECTION: tuple[Template, ...] = (
    # T1 and Hermes PE1/PE2
    Template(
        "ws_error", Place.AFTER_ID, "WebSocket error:", " ?", Kind.ERROR, read=error_after,
        level="ERROR", func="on_error", example="#3 - WebSocket error: [Errno 104] Connection reset by peer",
    ),
    Template(
        "ws_closed", Place.AFTER_ID, "WebSocket closed", r"\b", Kind.CLOSED,
        func="on_close", example="#3 - WebSocket closed",
    ),
    # T3 (2021's `in 30 seconds` and `in 60 seconds` too)
    Template(
        "reconnecting", Place.AFTER_ID, "Reconnecting to Twitch PubSub server", r"\b", Kind.RECONNECT,
        client="pubsub", func="handle_reconnection",
        example="#3 - Reconnecting to Twitch PubSub server in ~60 seconds",
    ),
    Template(
        "no_internet", Place.AFTER_ID, "No internet connection available!", "", Kind.FAILURE,
        FailureClass.NO_INTERNET,
        read=with_text, level="WARNING", func="handle_reconnection",
        example="#3 - No internet connection available! Retry after 2m",
    ),
    # T5 (and 2021's lower-case `pong`)
    Template(
        "pong_timeout", Place.AFTER_ID, "The last ", r"(?:PONG|pong) was received more than", Kind.FAILURE,
        FailureClass.PONG_TIMEOUT, read=with_text, func="run", client="pubsub",
        example="#3 - The last PONG was received more than 5 minutes ago",
    ),
    # T9
    Template(
        "ping_stalled", Place.AFTER_ID, "The last ", r"(?:PING|ping) was sent more than", Kind.FAILURE,
        FailureClass.PING_STALLED, read=with_text, func="run", client="pubsub",
        example="#3 - The last PING was sent more than 10 minutes ago. Reconnecting to the WebSocket...",
    ),
    # T6 (and 2021's `... and keep running is: True`)
    Template(
        "reconnect_requested", Place.AFTER_ID, "Reconnection required", "", Kind.FAILURE,
        FailureClass.RECONNECT_REQUESTED, read=with_text, client="pubsub",
        example="#3 - Reconnection required",
    ),
    # T8: LISTEN requests name the topics; PINGs say a known connection is alive
    Template(
        "send", Place.AFTER_ID, "Send: ", read=listen_topics, level="DEBUG", func="send",
        example='#3 - Send: {"type":"LISTEN","nonce":"n1","data":{"topics":["raid.1"]}}',
        alive=(r'Send: \{"type":"PING"\}$',), burst='Send: {"type":"LISTEN","nonce":"',
    ),
    # T7: RESPONSEs refuse LISTENs; PONGs, acknowledgements and MESSAGEs say a known id is alive,
    # and so do Hermes keepalives, notifications and accepted subscriptions
    Template(
        "received", Place.AFTER_ID, "Received: ", read=response_error, level="DEBUG",
        example='#3 - Received: {"type":"RESPONSE","error":"ERR_BADAUTH","nonce":"n1"}',
        alive=(
            MESSAGE_FRAME, r'Received: \{ ?"type": ?"PONG" ?\}$', ALIVE_RESPONSE,
            *HERMES_ALIVE,
        ),
    ),
)

#: Without an id, at the start of a message or anywhere in it, in the order they are tried.
IDLESS: tuple[Template, ...] = (
    # the 2021 id-less wordings of T3, T5, T9 and T6
    Template(
        "reconnecting_idless", Place.START, "Reconnecting to Twitch PubSub server", r"\b",
        Kind.RECONNECT, client="pubsub", example="Reconnecting to Twitch PubSub server in 30 seconds",
    ),
    Template(
        "pong_timeout_idless", Place.START, "The last ", r"(?:PONG|pong) was received more than",
        Kind.FAILURE, FailureClass.PONG_TIMEOUT, read=with_text, func="run",
        example="The last pong was received more than 15 minutes ago. Reconnect the WebSocket",
    ),
    Template(
        "ping_stalled_idless", Place.START, "The last ", r"(?:PING|ping) was sent more than", Kind.FAILURE,
        FailureClass.PING_STALLED, read=with_text, func="run",
        example="The last ping was sent more than 5 minutes ago. Reconnect the WebSocket",
    ),
    Template(
        "reconnect_requested_idless", Place.START, "Reconnection required", "", Kind.FAILURE,
        FailureClass.RECONNECT_REQUESTED, read=with_text,
        example="Reconnection required and keep running is: True",
    ),
    # T10
    Template(
        "listen_error", Place.START, "Error while trying to listen for a topic:", " ?", Kind.LISTEN_ERROR,
        read=error_from, level="ERROR", example="Error while trying to listen for a topic: ERR_BADAUTH",
    ),
    # T11
    Template(
        "badauth_hint", Place.START, "Received the ERR_BADAUTH error", "", Kind.BADAUTH_HINT,
        FailureClass.BAD_AUTH,
        read=with_text, level="ERROR", client="pubsub",
        example="Received the ERR_BADAUTH error, most likely you have an outdated cookie file",
    ),
    Template(
        "streamers", Place.ANYWHERE, "Loading data for ", r"\d{1,9} streamers", Kind.STREAMERS,
        read=number, func="run", example="🤓  Loading data for 12 streamers. Please wait...",
    ),
)

#: websocket-client's echoes of an error the miner logged already (FORMATS.md 3).
ECHOES: tuple[Template, ...] = (
    # websocket-client's echoes of an error the miner logged already (FORMATS.md 3)
    Template(
        "callback_echo", Place.START, "error from callback <", r"[^>]{0,300}>: ?", Kind.ECHO,
        read=error_after, funcs=ECHO_FUNCS, level="ERROR", func="error",
        example="error from callback <function WebSocketsPool.on_message at 0x7f>: boom",
    ),
    Template(
        "teardown_echo", Place.START, "tearing down on exception ", "", Kind.ECHO,
        read=error_after, funcs=ECHO_FUNCS, func="info",
        example="tearing down on exception [Errno 32] Broken pipe",
    ),
    Template(
        "goodbye_echo", Place.END, " - ", r"(?:goodbye|reconnecting|reconnect)\s{0,64}$", Kind.ECHO,
        read=error_before, funcs=ECHO_FUNCS, look_for=(" - goodbye", " - reconnect"),
        level="ERROR", func="error", example="[Errno 32] Broken pipe - goodbye",
    ),
)
