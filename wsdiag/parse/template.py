"""The types of the template table (:mod:`wsdiag.parse.templates`): where a template sits in a
message (:class:`Place`), what it is (:class:`Template`), where it matched (:class:`Match`), and
the readers that build most templates' records from a match.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from wsdiag.parse import forks
from wsdiag.parse.forks import UUID
from wsdiag.parse.records import FailureClass, Kind, Record
from wsdiag.parse.redact import record_text as _safe


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


# -- building records ------------------------------------------------------------------------

# websocket-client 1.4.0 names only the exception class (`WebSocketConnectionClosedException -
# goodbye`) right after on_error, which the miner always logs as `#N - WebSocket error: <text>`:
# such an echo cannot be matched by text and never stands for an event of its own.
_BARE_EXCEPTION = re.compile(r"[A-Za-z_][\w.]{0,200}(?:Exception|Error)")


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
    cls: FailureClass | None = None  # failure class of the records it yields (with_text)
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


#: The client id of the examples of Hermes templates.
EXAMPLE_UUID = "3f6c2b1e-0b1a-4c39-9d35-2a1f5f0c6e11"
