"""Message templates of the miner and websocket-client (FORMATS.md sections 2 and 3), in one table.

Each :class:`Template` says where it sits in a message, the text it starts with, the record it
yields, and what a line filter must look for so that it never skips a line the template reads.
:func:`to_record` reads a message by the table; :data:`SIEVE`, derived from it, is what the fast
path's filters are built from (:mod:`wsdiag.read.linefilter`, the C ``_lines.Filter``). Adding a
template is adding an entry: tests/test_templates.py reads every entry's example through
to_record and through both filters.

Every wording the miner ever used maps to the same kind, so a 2021 log and a 2025 log are
counted alike.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from wsdiag.parse import forks
from wsdiag.parse.forks import HERMES_KEEPALIVE, HERMES_NOTIFICATION, HERMES_SUBSCRIBED, UUID
from wsdiag.parse.records import Kind, Line, Record
from wsdiag.parse.redact import record_text as _safe
from wsdiag.read.shapes import Shape, shape


class Place(Enum):
    """Where a template sits in a message."""

    AFTER_ID = "after_id"  # after the connection prefix (ID_PREFIX): `#3 - WebSocket closed`
    OWN_ID = "own_id"  # at the start, holding the id itself (group `conn`): Hermes' irregular lines
    START = "start"  # at the start (after a console `[user] `), no id: `Reconnecting to ...`
    ANYWHERE = "anywhere"  # anywhere in the message: `... Loading data for 12 streamers ...`
    END = "end"  # at the end, after some text: websocket-client's `<error> - goodbye`


# -- where the id sits -----------------------------------------------------------------------

#: What follows the digits of `#N` in the connection prefix, then (Hermes) the client's uuid. A
#: shape (wsdiag.read.shapes), so that the fast path's alive payloads can follow it too.
AFTER_DIGITS = r" - (?:" + UUID + r" - )?"
#: The console username (`console_username=True`) that may precede a message.
USER = r"\[[^\]\s]{1,64}\] "
#: Text that may come before a message's first word, as literals: mpforce1's logger variant C
#: writes a space before every INFO+ message (FORKS-2026.md 1.1), `]:  #0 - ...`.
LEADS: tuple[str, ...] = ("", " ")
#: A message whose text carries an id starts with `#`: the fast path looks for every `#N` that
#: is followed by one of these (and by more than an alive payload of a known id).
ID_SEPS: tuple[str, ...] = (" - ",)



def _prefixes(leads: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The connection prefix and the console user's name, each after one of ``leads``."""
    lead = "(?:" + "|".join(re.escape(x) for x in sorted(leads, key=len, reverse=True)) + ")"
    # Variant C with `console_username=True` writes `[name]  #0` (two spaces).
    user = "(?:" + USER + "(?:" + lead + "))?"
    conn = re.compile(lead + user + r"#(?P<conn>\d{1,12}) - (?:(?P<uuid>" + UUID + r") - )?", re.ASCII)
    return conn, re.compile(lead + user)

# -- building records ------------------------------------------------------------------------

# The list may not contain `[`: then a line of many `"topics":[` without `]` costs one scan
# per opening bracket up to the next one (linear), not one scan to the end of the line each.
_TOPICS = re.compile(r'"topics":\s?\[(?P<list>[^\[\]]{0,100000})\]')
# Topic names are `kind.channel_id`; anything else in the list is not a topic (and could be
# hostile text that would otherwise leave the parser uncleaned).
_TOPIC = re.compile(r'"([A-Za-z0-9._-]{1,200})"')
# websocket-client 1.4.0 names only the exception class (`WebSocketConnectionClosedException -
# goodbye`) right after on_error, which the miner always logs as `#N - WebSocket error: <text>`:
# such an echo cannot be matched by text and never stands for an event of its own.
_BARE_EXCEPTION = re.compile(r"[A-Za-z_][\w.]{0,200}(?:Exception|Error)")
#: A PubSub MESSAGE frame: data pushed on a topic, never the answer to a LISTEN, whatever quoted
#: words its payload carries (and so an alive payload: see the `received` template).
MESSAGE_FRAME = r'Received: \{ ?"type": ?"MESSAGE"'
_MESSAGE_FRAME = re.compile(MESSAGE_FRAME)




@dataclass(frozen=True)
class Match:
    """A template found in a message: the text from the template's place, where it matched."""

    text: str
    start: int
    end: int
    time: datetime | None
    conn: int | None
    uuid: str | None = None  # a Hermes client's id the template's own regex holds (OWN_ID)


#: Builds a template's record from where it matched (None: the line carries nothing after all).
Reader = Callable[["Template", Match], "Record | None"]


def plain(t: Template, m: Match) -> Record | None:
    """The template's kind, nothing more: `WebSocket closed`, `Reconnecting ...`."""
    return Record(t.kind, m.time, m.conn, client=t.client, uuid=m.uuid)


def with_text(t: Template, m: Match) -> Record | None:
    """The kind, class and key with the message text: the single-line failures."""
    return Record(t.kind, m.time, m.conn, t.cls, _safe(m.text), key=t.key, client=t.client)




def error_after(t: Template, m: Match) -> Record | None:
    """An error whose text follows the template: `WebSocket error: <text>`."""
    return forks.error_record(t.kind, m.time, m.conn, m.text[m.end :])


def error_from(t: Template, m: Match) -> Record | None:
    """An error that is the whole text: `Error while trying to listen for a topic: ERR_X`."""
    return forks.error_record(t.kind, m.time, m.conn, m.text)


def error_before(t: Template, m: Match) -> Record | None:
    """An error whose text comes before the template: `<text> - goodbye`."""
    if m.start == 0 or _BARE_EXCEPTION.fullmatch(m.text, 0, m.start):
        return None
    return forks.error_record(t.kind, m.time, m.conn, m.text[: m.start])


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


_STREAMER_COUNT = re.compile(r"\d{1,9}", re.ASCII)


def number(t: Template, m: Match) -> Record | None:
    """The count in `Loading data for N streamers`."""
    n = _STREAMER_COUNT.search(m.text, m.start)
    assert n is not None
    return Record(t.kind, m.time, None, number=int(n.group()))


# -- the table -------------------------------------------------------------------------------

#: The functions websocket-client logs from (its `_logging.error()` wrapper, FORMATS.md 1.1);
#: None where the layout names no function (less).
ECHO_FUNCS: frozenset[str | None] = frozenset({"error", "warning", "info", None})


@dataclass(frozen=True)
class Template:
    """One template: where it sits, the text every match starts with, and what it yields."""

    name: str
    place: Place
    text: str  # the literal every match starts with
    rest: str = ""  # a regex for what follows the literal
    kind: Kind = Kind.OTHER
    cls: str | None = None  # failure class of the records it yields (with_text)
    key: str = ""  # their dedupe key (with_text)
    read: Reader = plain
    example: str = ""  # a message it reads (tests build a line of it at `level` from `func`)
    level: str = "INFO"
    func: str = "on_message"
    debug: bool = False  # without an id: also read on DEBUG lines (id lines always are)
    funcs: frozenset[str | None] | None = None  # only lines from these functions (None: any)
    look_for: tuple[str, ...] = ()  # ANYWHERE/END: the texts a filter looks for (default: text)
    id_seps: tuple[str, ...] = ()  # OWN_ID: what may follow `#N` in it
    alive: tuple[str, ...] = ()  # AFTER_ID: payloads (shapes) that only say a known id is alive
    burst: str = ""  # AFTER_ID: the start of requests sent in bursts, one per topic (LISTEN)
    client: str | None = None  # "hermes" or "pubsub": only that client writes it (plain, with_text)

    @property
    def regex(self) -> str:
        return re.escape(self.text) + self.rest

    @property
    def texts(self) -> tuple[str, ...]:
        return self.look_for or (self.text,)


_EXAMPLE_UUID = "3f6c2b1e-0b1a-4c39-9d35-2a1f5f0c6e11"
_ALIVE_RESPONSE = r'Received: \{ ?"type": ?"RESPONSE","error":"","nonce":"[A-Za-z0-9]{0,64}"\}$'

#: Every template, in the order they are tried (the first that matches decides).
TEMPLATES: tuple[Template, ...] = (
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
    # Hermes HP5 (DEBUG: a console never shows it)
    Template(
        "reconnecting_hermes", Place.AFTER_ID, "Reconnecting to Twitch Hermes server", r"\b", Kind.RECONNECT,
        client="hermes", level="DEBUG", func="__reconnect",
        example=f"#3 - {_EXAMPLE_UUID} - Reconnecting to Twitch Hermes server in ~30 seconds",
    ),
    # Hermes HP6, then T4 (T13, the HTTP side's line without an id, is not about the WebSockets)
    Template(
        "no_internet_hermes", Place.AFTER_ID, "No internet connection available! Retrying websocket", "",
        Kind.FAILURE, "no_internet", read=with_text, client="hermes", level="WARNING", func="__reconnect",
        example="#3 - No internet connection available! Retrying websocket reconnection after 2m",
    ),
    Template(
        "no_internet", Place.AFTER_ID, "No internet connection available!", "", Kind.FAILURE, "no_internet",
        read=with_text, level="WARNING", func="handle_reconnection",
        example="#3 - No internet connection available! Retry after 2m",
    ),
    # Hermes HC10-HC12: the stale check
    Template(
        "stale", Place.AFTER_ID, "Stale due to ", read=forks.stale, level="DEBUG", func="stale",
        example=f"#3 - {_EXAMPLE_UUID} - Stale due to no recent messages",
    ),
    # Armi1014's Hermes pool: a subscription Twitch refused
    Template(
        "subscription_error", Place.AFTER_ID, "Subscription error for ", "", Kind.RESPONSE_ERROR, "rejected",
        key="listen:subscribe", read=with_text, client="hermes", level="ERROR", func="on_subscribe",
        example=f"#3 - {_EXAMPLE_UUID} - Subscription error for raid.123456: ERR_BADTOPIC",
    ),
    # T5 (and 2021's lower-case `pong`)
    Template(
        "pong_timeout", Place.AFTER_ID, "The last ", r"(?:PONG|pong) was received more than", Kind.FAILURE,
        "pong_timeout", read=with_text, func="run", client="pubsub",
        example="#3 - The last PONG was received more than 5 minutes ago",
    ),
    # T9
    Template(
        "ping_stalled", Place.AFTER_ID, "The last ", r"(?:PING|ping) was sent more than", Kind.FAILURE,
        "ping_stalled", read=with_text, func="run", client="pubsub",
        example="#3 - The last PING was sent more than 10 minutes ago. Reconnecting to the WebSocket...",
    ),
    # T6 (and 2021's `... and keep running is: True`)
    Template(
        "reconnect_requested", Place.AFTER_ID, "Reconnection required", "", Kind.FAILURE,
        "reconnect_requested", read=with_text, client="pubsub", example="#3 - Reconnection required",
    ),
    # Hermes HP7
    Template(
        "auth_error", Place.AFTER_ID, "Authentication error", r"\b", Kind.ERROR, "bad_auth",
        key="listen:ERR_BADAUTH", read=forks.auth_error, level="ERROR", func="on_authenticate",
        example=f"#3 - {_EXAMPLE_UUID} - Authentication error, <AuthenticateResponse>",
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
            MESSAGE_FRAME, r'Received: \{ ?"type": ?"PONG" ?\}$', _ALIVE_RESPONSE,
            HERMES_KEEPALIVE, HERMES_NOTIFICATION, HERMES_SUBSCRIBED,
        ),
    ),
    # the 2021 id-less wordings of T3, T5, T9 and T6
    Template(
        "reconnecting_idless", Place.START, "Reconnecting to Twitch PubSub server", r"\b",
        Kind.RECONNECT, client="pubsub", example="Reconnecting to Twitch PubSub server in 30 seconds",
    ),
    Template(
        "pong_timeout_idless", Place.START, "The last ", r"(?:PONG|pong) was received more than",
        Kind.FAILURE, "pong_timeout", read=with_text, func="run",
        example="The last pong was received more than 15 minutes ago. Reconnect the WebSocket",
    ),
    Template(
        "ping_stalled_idless", Place.START, "The last ", r"(?:PING|ping) was sent more than", Kind.FAILURE,
        "ping_stalled", read=with_text, func="run",
        example="The last ping was sent more than 5 minutes ago. Reconnect the WebSocket",
    ),
    Template(
        "reconnect_requested_idless", Place.START, "Reconnection required", "", Kind.FAILURE,
        "reconnect_requested", read=with_text, example="Reconnection required and keep running is: True",
    ),
    # T10
    Template(
        "listen_error", Place.START, "Error while trying to listen for a topic:", " ?", Kind.LISTEN_ERROR,
        read=error_from, level="ERROR", example="Error while trying to listen for a topic: ERR_BADAUTH",
    ),
    # T11
    Template(
        "badauth_hint", Place.START, "Received the ERR_BADAUTH error", "", Kind.BADAUTH_HINT, "bad_auth",
        read=with_text, level="ERROR", client="pubsub",
        example="Received the ERR_BADAUTH error, most likely you have an outdated cookie file",
    ),
    Template(
        "streamers", Place.ANYWHERE, "Loading data for ", r"\d{1,9} streamers", Kind.STREAMERS,
        read=number, func="run", example="🤓  Loading data for 12 streamers. Please wait...",
    ),
    # The start banner (FORKS-2026.md 1.8, 4): `-1.3.0 (fork by mpforce1)`, ` v2-2.0.4 (fork by
    # rdavydov)`, ` v2.1.6 (fork by Armi1014)`
    Template(
        "banner", Place.ANYWHERE, "Twitch Channel Points Miner", "", Kind.BANNER, read=forks.banner,
        func="__init__", example="Twitch Channel Points Miner-1.3.0 (fork by mpforce1)",
    ),
    # Hermes lines whose id is not followed by ` - ` (FORKS-2026.md 1.2): HC2/HC3, HP4. (HC14,
    # `Hermes client opened: index=N, id='<uuid>'`, is not read: it is a DEBUG line without `#`,
    # which would cost the filters a look into every DEBUG line, and it tells nothing that the
    # same log's DEBUG `#N - <uuid> - ` lines and reconnect line do not.)
    Template(
        "cannot_open", Place.OWN_ID, "#",
        r"(?P<conn>\d{1,12})(?: - (?P<uuid>" + UUID + r"))?: Cannot open Client",
        client="hermes", id_seps=(": ",), level="WARNING", func="open",
        example=f"#3 - {_EXAMPLE_UUID}: Cannot open Client, wrong state: Closed",
    ),
    Template(
        "already_reconnecting", Place.OWN_ID, "#",
        r"(?P<conn>\d{1,12})(?: - (?P<uuid>" + UUID + r"))? already reconnecting",
        client="hermes", id_seps=(" already reconnecting",), level="DEBUG", func="__reconnect",
        example=f"#3 - {_EXAMPLE_UUID} already reconnecting",
    ),
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


@dataclass(frozen=True)
class _Stage:
    """Consecutive templates tried as one regex (only anchored ones share a stage)."""

    templates: dict[int, Template]  # by the number of its outer group in `regex`
    regex: re.Pattern[str]
    search: bool  # ANYWHERE/END: searched, not matched at the start
    debug: bool
    funcs: frozenset[str | None] | None


def _stage(group: list[Template]) -> _Stage:
    # Each template is an outer group: a match's `lastindex` names it, whatever groups it holds.
    numbers, n = [], 1
    for t in group:
        numbers.append(n)
        n += 1 + re.compile(t.regex).groups
    return _Stage(
        dict(zip(numbers, group, strict=True)),
        re.compile("|".join(f"({t.regex})" for t in group)),
        group[0].place in (Place.ANYWHERE, Place.END),
        group[0].debug,
        group[0].funcs,
    )


def _stages(templates: list[Template]) -> tuple[_Stage, ...]:
    groups: list[list[Template]] = []
    for t in templates:
        last = groups[-1][-1] if groups else None
        if (
            last is not None
            and t.place not in (Place.ANYWHERE, Place.END, Place.OWN_ID)
            and last.place not in (Place.ANYWHERE, Place.END)
            and (last.debug, last.funcs) == (t.debug, t.funcs)
        ):
            groups[-1].append(t)
        else:
            groups.append([t])
    return tuple(_stage(g) for g in groups)


def _find(
    stages: tuple[_Stage, ...],
    text: str,
    line: Line,
    conn: int | None,
    ids: bool = False,
    own: bool = False,
) -> tuple[bool, Record | None]:
    """The record of the first template of ``stages`` found in ``text`` (found, record). Lines
    with an id (``ids``) are read at every level; others at DEBUG only by `debug` templates."""
    debug = line.level == "DEBUG" and not ids
    for stage in stages:
        if (debug and not stage.debug) or (stage.funcs is not None and line.func not in stage.funcs):
            continue
        m = stage.regex.search(text) if stage.search else stage.regex.match(text)
        if m is None:
            continue
        assert m.lastindex is not None
        t = stage.templates[m.lastindex]
        uuid = None
        if own:
            found = re.compile(t.regex).match(text)
            assert found is not None
            conn = int(found.group("conn"))
            uuid = found.groupdict().get("uuid")
        return True, t.read(t, Match(text, m.start(), m.end(), line.time, conn, uuid))
    return False, None


# -- what a line filter must look for ---------------------------------------------------------


@dataclass(frozen=True)
class Sieve:
    """What the table tells a line filter: a line with none of these cannot yield a record."""

    starts: tuple[str, ...]  # a message starting with one may matter (at any level but DEBUG)
    texts: tuple[str, ...]  # ... or holding one
    debug_starts: tuple[str, ...]  # a DEBUG message starting with one may matter
    debug_texts: tuple[str, ...]  # ... or holding one
    funcs: tuple[str, ...]  # a line from one of these functions may be an echo
    echo_starts: tuple[str, ...]  # where no function is named (less), a message starting so ...
    echo_texts: tuple[str, ...]  # ... or holding one of these may be an echo
    id_seps: tuple[str, ...]  # `#N` followed by one is an id (and the line may matter)
    alive: tuple[Shape, ...]  # after a known `#N` and AFTER_DIGITS: payloads that only say "alive"
    listen: str  # after `#N - `: the start of a LISTEN request (read as bursts)


def _unique(xs: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(xs))


def sieve_of(templates: tuple[Template, ...], leads: tuple[str, ...] = LEADS) -> Sieve:
    """What a filter must look for to never skip a line one of ``templates`` reads."""
    starts: list[str] = [lead + "[" for lead in leads]  # a console user's name
    texts: list[str] = []
    debug_starts: list[str] = []
    debug_texts: list[str] = []
    echo_starts: list[str] = []
    echo_texts: list[str] = []
    funcs: set[str] = set()
    seps = list(ID_SEPS)
    alive: list[Shape] = []
    bursts: list[str] = []
    for t in templates:
        if t.place is Place.AFTER_ID:
            alive += [shape(payload) for payload in t.alive]
            bursts += [t.burst] if t.burst else []
            continue
        at_start = t.place in (Place.START, Place.OWN_ID)
        if t.place is Place.OWN_ID:
            seps += t.id_seps
            if t.text.startswith("#"):
                continue  # the `#N` check finds it
        found = [lead + t.text for lead in leads] if at_start else list(t.texts)
        if t.funcs is not None:
            funcs |= {f for f in t.funcs if f is not None}
            if None in t.funcs:
                (echo_starts if at_start else echo_texts).extend(found)
            continue
        (starts if at_start else texts).extend(found)
        if t.debug or t.place is Place.OWN_ID:  # an own id is read at every level
            (debug_starts if at_start else debug_texts).extend(found)
    if debug_starts:
        debug_starts += [lead + "[" for lead in leads]
    assert len(bursts) == 1, "the fast path reads bursts of one request"
    return Sieve(
        _unique(starts), _unique(texts), _unique(debug_starts), _unique(debug_texts), tuple(sorted(funcs)),
        _unique(echo_starts), _unique(echo_texts), _unique(seps), tuple(alive), bursts[0],
    )


class Table:
    """A table of templates, ready to read messages by (:meth:`to_record`) and to build line
    filters from (:attr:`sieve`)."""

    def __init__(self, templates: tuple[Template, ...], leads: tuple[str, ...] = LEADS) -> None:
        self.templates = templates
        self._conn, self._user = _prefixes(leads)
        self._after_id = _stages([t for t in templates if t.place is Place.AFTER_ID])
        self._own_id = _stages([t for t in templates if t.place is Place.OWN_ID])
        self._idless = _stages([t for t in templates if t.place not in (Place.AFTER_ID, Place.OWN_ID)])
        self._debug = any(t.debug for t in templates if t.place is not Place.AFTER_ID)
        self.sieve = sieve_of(templates, leads)
        alive = [shape(p).regex for t in templates for p in t.alive]
        self._alive = re.compile("|".join(alive)) if alive else None


    def to_record(self, line: Line) -> Record | None:
        """Build the WebSocket record for one recognised line, or None when it carries nothing."""
        msg = line.message
        # mpforce1's logger variant C: a space before the message, or two after `[name]`.
        variant = "C" if msg[:1] == " " or _VARIANT_C_USER.match(msg) else None
        if self._own_id:
            lead = self._user.match(msg)
            text = msg[lead.end() if lead else 0 :]
            found, rec = _find(self._own_id, text, line, None, ids=True, own=True)
            if found:
                return forks.noted(rec, line, None, variant)
        ws = self._conn.match(msg)
        if ws:
            conn = int(ws.group("conn"))
            rest = msg[ws.end() :]
            if self._alive is not None and self._alive.match(rest):
                # What the filters may skip for a known id says nothing but the id, anywhere.
                return Record(Kind.OTHER, line.time, conn)
            found, rec = _find(self._after_id, rest, line, conn, ids=True)
            if not found:
                rec = Record(Kind.OTHER, line.time, conn)
            return forks.noted(rec, line, ws["uuid"], variant)
        # A DEBUG record without #N is never about the PubSub pool (old 2021 `Send:`/`Received:`
        # lines included) unless a template says so, which keeps boring DEBUG lines free to skip.
        if line.level == "DEBUG" and not self._debug:
            return None
        lead = self._user.match(msg)
        rec = _find(self._idless, msg[lead.end() if lead else 0 :], line, None)[1]
        return forks.noted(rec, line, None, variant)


_VARIANT_C_USER = re.compile(USER + " ")





TABLE = Table(TEMPLATES)
SIEVE = TABLE.sieve
to_record = TABLE.to_record
