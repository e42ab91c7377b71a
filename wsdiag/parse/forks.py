"""Readers of error texts (a refused LISTEN keyed by its code), and of the 2026 forks' lines
(FORKS-2026.md): Hermes requests and frames, its
authentication errors and stale checks, mpforce1's redacted LISTENs, start banners, and what a
line's logger name, client id and logger variant tell. The table (:mod:`wsdiag.parse.templates`)
names where each is read.
"""

from __future__ import annotations

import functools
import re
from datetime import datetime
from typing import TYPE_CHECKING

from wsdiag.parse.classify import CLASSIFY_MAX, classify
from wsdiag.parse.records import FailureClass, Kind, Line, Record
from wsdiag.parse.redact import clean, record_text

if TYPE_CHECKING:
    from wsdiag.parse.templates import Match, Template

_safe = record_text

# -- error texts (all forks) -----------------------------------------------------------------
_LISTEN_ERROR = re.compile(r"Error while trying to listen for a topic: ?")
RESPONSE_ERROR = re.compile(r"""["']error["']:\s?["'](?P<code>[A-Z_]{1,64})["']""")


def _listen_code(text: str) -> str:
    m = RESPONSE_ERROR.search(text)
    if m:
        return m.group("code")
    return clean(text.strip().split(" ", 1)[0], 64) or "UNKNOWN"


#: Failure class of an ERR_* code Twitch answers a LISTEN with (anything else: ``other``).
_ANSWER_CLASSES = {
    "ERR_BADAUTH": FailureClass.BAD_AUTH,
    "ERR_BADMESSAGE": FailureClass.REJECTED,
    "ERR_BADTOPIC": FailureClass.REJECTED,
}


def answer_class(code: str) -> FailureClass:
    return _ANSWER_CLASSES.get(code, FailureClass.OTHER)


def error_record(kind: Kind, time: datetime | None, conn: int | None, raw: str) -> Record:
    """A record of an error text, classified (a refused LISTEN keyed by its code)."""
    text = _safe(raw)
    listen = _LISTEN_ERROR.match(raw)
    if listen:
        code = _listen_code(raw[listen.end() :])
        return Record(kind, time, conn, answer_class(code), text, key="listen:" + code, client="pubsub")
    # Signatures sit at the start of an error text; a 64 KB hostile one is not searched whole.
    return Record(kind, time, conn, classify(raw[:CLASSIFY_MAX]), text, key=text)

# -- the 2026 forks ----------------------------------------------------------------------------

# mpforce1's `redact_secrets=True` logs (and sends) the topics list as a string:
# `"topics":"['raid.1']"`, or cut, `"topics":"['community-points-user-v1.1","auth_token":...`.
_STRING_TOPICS = re.compile(r'"topics":\s?"\[(?P<list>[^"\[\]]{0,100000})')
_QUOTED_TOPIC = re.compile(r"'([A-Za-z0-9._-]{1,200})'?")
REDACTED_TOKEN = re.compile(r'"auth_token":\s?"REDACTED"')
# Hermes requests (FORKS-2026.md 1.6): a subscribe names one topic; an authenticate none.
_HERMES_TOPIC = re.compile(r'"pubsub":\s?\{"topic":\s?"(?P<topic>[A-Za-z0-9._-]{1,200})"')
#: A Hermes client's id (mpforce1 `describe()`, not in less mode): a uuid4.
UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
#: A Hermes subscribe request after `#N - <uuid> - `, whole, as mpforce1 encodes it (FORKS-2026.md
#: 1.6): its client's uuid (group 1, kept as the record's uuid), request id, subscription id and
#: timestamp (2-4) change nothing else in its record, so a reader may remember the record of one
#: such line for every other that differs only there (scan's memo). None of them can hold a
#: quote or a space: no template can start or end inside them.
HERMES_SUBSCRIBE = re.compile(
    rb"(" + UUID.encode() + rb') - Send: \{"type":"subscribe","id":"([0-9A-Za-z_-]{1,64})","subscribe":'
    rb'\{"id":"([0-9A-Za-z_-]{1,64})","type":"pubsub","pubsub":\{"topic":"[A-Za-z0-9._-]{1,200}"\}\},'
    rb'"timestamp":"([0-9T:.Z-]{1,40})"\}\Z'
)
# Hermes frames that say no more than "alive" (FORKS-2026.md 1.6), in the encoder's key order:
# a keepalive, whole; pushed data (a notification, like PubSub's MESSAGE, whatever its payload
# holds); a subscription accepted, whole (a refused one is read: its `result` is not ok). The
# welcome, authenticate and reconnect frames are read, and so is any frame of another shape.
_HERMES_ID = r'"[0-9A-Za-z_-]{1,64}"'
_HERMES_STAMP = r',"timestamp":"[0-9T:.Z-]{1,40}"\}$'
HERMES_KEEPALIVE = r'Received: \{"id":' + _HERMES_ID + r',"type":"keepalive"' + _HERMES_STAMP
HERMES_NOTIFICATION = r'Received: \{"notification":'
HERMES_SUBSCRIBED = (
    r'Received: \{"subscribeResponse":\{"subscription":\{"id":' + _HERMES_ID + r'\},"result":"ok"\},"id":'
    + _HERMES_ID + r',"parentId":' + _HERMES_ID + r',"type":"subscribeResponse"' + _HERMES_STAMP
)
#: The alive payloads only a Hermes client receives: they tell the client too.
HERMES_ALIVE = (HERMES_KEEPALIVE, HERMES_NOTIFICATION, HERMES_SUBSCRIBED)
# The type of a Hermes frame (its own, not one inside a notification's escaped payload).
_HERMES_FRAME = re.compile(
    r'(?<!\\)"type":\s?"(?P<type>welcome|keepalive|reconnect|notification|authenticateResponse'
    r'|subscribeResponse|unsubscribeResponse)"'
)
_HERMES_RESULT = re.compile(r'"result":\s?"(?P<result>[^"]{0,64})"')


def string_topics(m: Match) -> Record:
    """A LISTEN whose topics are a string: mpforce1's redacted copy, sent as it is logged."""
    topics = _STRING_TOPICS.search(m.text)
    if topics is None:
        return Record(Kind.OTHER, m.time, m.conn)
    found = tuple(_QUOTED_TOPIC.findall(topics.group("list")))
    return Record(Kind.LISTEN, m.time, m.conn, topics=found, client="pubsub", redacted=True)


def hermes_request(m: Match) -> Record:
    """A Hermes `subscribe` gives its topic; an authenticate request nothing but the client."""
    text = m.text
    if '"subscribe"' in text:
        topic = _HERMES_TOPIC.search(text)
        if topic:
            return Record(Kind.LISTEN, m.time, m.conn, topics=(topic["topic"],), client="hermes", debug=True)
    elif '"authenticate"' in text or "AuthenticateRequest(" in text:
        return Record(Kind.OTHER, m.time, m.conn, client="hermes", debug=True)
    return Record(Kind.OTHER, m.time, m.conn)


def hermes_frame(m: Match) -> Record:
    """A received frame other than PubSub's: emptied by the anonymiser, or Hermes' (a reconnect
    Twitch asks for, a refused subscription, or one that only says the client is Hermes)."""
    rest = m.text
    if rest.startswith("REDACTED", m.end):  # mpforce1's strict anonymiser
        return Record(Kind.OTHER, m.time, m.conn, anonymised=True)
    frame = _HERMES_FRAME.search(rest, m.end, m.end + CLASSIFY_MAX)
    if frame is None:
        return Record(Kind.OTHER, m.time, m.conn)
    kind = frame.group("type")
    if kind == "reconnect":  # Twitch asks the client to reconnect (PubSub's RECONNECT)
        return Record(
            Kind.FAILURE, m.time, m.conn, FailureClass.RECONNECT_REQUESTED, _safe(rest),
            key="hermes:reconnect", client="hermes", debug=True,
        )
    if kind == "subscribeResponse":
        result = _HERMES_RESULT.search(rest, m.end, m.end + CLASSIFY_MAX)
        if result and result.group("result") != "ok":
            return Record(
                Kind.RESPONSE_ERROR, m.time, m.conn, FailureClass.REJECTED, _safe(rest),
                key="listen:subscribe", client="hermes", debug=True,
            )
    return Record(Kind.OTHER, m.time, m.conn, client="hermes", debug=True)


#: Words of a Hermes `Authentication error, <AuthenticateResponse ...>` that say Twitch refused
#: the request itself rather than the token (FORKS-2026.md 1.4 HP7): then it is `rejected`.
_AUTH_REJECTED = re.compile(
    r"ERR_BADMESSAGE|bad request|malformed|invalid (?:request|message|challenge)|4122|rate.?limit",
    re.IGNORECASE,
)


def auth_error(t: Template, m: Match) -> Record | None:
    """Hermes' `Authentication error, <response>`: a refused token (`bad_auth`) unless the
    response says the request itself was refused (`rejected`)."""
    text = _safe(m.text)
    if _AUTH_REJECTED.search(m.text, m.end, m.end + CLASSIFY_MAX):
        return Record(
            t.kind, m.time, m.conn, FailureClass.REJECTED, text, key="auth:rejected", client="hermes"
        )
    return Record(t.kind, m.time, m.conn, FailureClass.BAD_AUTH, text, key=t.key, client="hermes")


def stale(t: Template, m: Match) -> Record | None:
    """Hermes' stale check: no frame for too long (or a connect that never completed) is the
    keepalive missed, `pong_timeout`; `Stale due to being closed` is bookkeeping."""
    if m.text.startswith("being closed", m.end):
        return Record(Kind.OTHER, m.time, m.conn, client="hermes", debug=True)
    return Record(
        Kind.FAILURE, m.time, m.conn, FailureClass.PONG_TIMEOUT, _safe(m.text), key="stale", client="hermes",
        debug=True,
    )


_BANNER = re.compile(r"(?: v2-|-| v)(?P<version>\d[\w.+-]{0,30}) \(fork by (?P<fork>[^()\s]{1,64})\)")


def banner(t: Template, m: Match) -> Record | None:
    """The start banner: which fork and version wrote the log."""
    found = _BANNER.match(m.text, m.end)
    if found is None:
        return None
    return Record(Kind.BANNER, m.time, None, fork=(clean(found["fork"], 64), clean(found["version"], 32)))


def anonymised(t: Template, m: Match) -> Record | None:
    """A line the anonymiser wrote (a streamer named `Streamer1`): the log is anonymised."""
    return Record(Kind.OTHER, m.time, None, anonymised=True)


@functools.lru_cache(maxsize=64)
def module_client(module: str) -> str | None:
    """The client a logger's name belongs to (FORKS-2026.md 1.1): mpforce1's
    `...websocket.hermes.*` / `...websocket.pubsub.*`, the older PubSub `WebSocketsPool` and
    `TwitchWebSocket`; None for any other logger."""
    if ".websocket.hermes." in module:
        return "hermes"
    if ".websocket.pubsub." in module or module.endswith((".WebSocketsPool", ".TwitchWebSocket")):
        return "pubsub"
    return None


def noted(rec: Record | None, line: Line, uuid: str | None, variant: str | None) -> Record | None:
    """``rec`` with what its line tells beyond the template: the Hermes client's id after `#N`,
    the client its logger's name belongs to, the logger variant, a Hermes line at DEBUG level."""
    module = line.module
    if rec is None or (module is None and uuid is None and variant is None and rec.client != "hermes"):
        return rec
    client = rec.client
    if client is None:
        client = "hermes" if uuid is not None else (module_client(module) if module else None)
    uuid = uuid or rec.uuid
    variant = variant or rec.variant
    debug = rec.debug or (client == "hermes" and line.level == "DEBUG")
    if (client, uuid, variant, debug) == (rec.client, rec.uuid, rec.variant, rec.debug):
        return rec
    # Not dataclasses.replace: this runs for most records, and replace costs three times as much.
    return Record(
        rec.kind, rec.time, rec.conn, rec.cls, rec.text, rec.key, rec.topics, rec.number,
        client, uuid, rec.fork, variant, rec.redacted, rec.anonymised, debug,
    )
