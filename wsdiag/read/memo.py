"""What the fast path remembers of a line read, and how it finds it again.

A line's record but for its time is kept as a :data:`Template` (its field values in order) and
rebuilt for another line by :func:`at`. The memo's key is the line's bytes after its stamp, less
what changes nothing in its record but one field, so that lines differing only there are not
parsed anew: an alive answer's nonce (:func:`nonce_free`), the connection's id and Hermes client
(:func:`id_cut`, the record then being that of :func:`any_id`), a LISTEN's topic
(read.listen_bursts) and a Hermes subscribe request's uuid and ids (read.hermes_bursts).
"""

from __future__ import annotations

import operator
import re
from dataclasses import fields
from datetime import datetime
from typing import Any

from wsdiag.parse.forks import UUID
from wsdiag.parse.pubsub_entries import ALIVE_RESPONSE
from wsdiag.parse.records import Record
from wsdiag.parse.template import AFTER_DIGITS

__all__ = [
    "Cut", "Template", "any_id", "at", "id_cut", "nonce_free", "template", "with_conn", "with_topics",
]

# A record but for its time, to rebuild it for another line with the same bytes but the stamp:
# its field values in order, the time's left as None (cheaper than dataclasses.replace).
Template = tuple[Any, ...]
_FIELDS = [f.name for f in fields(Record)]
_TIME = _FIELDS.index("time")
assert _FIELDS[0] == "kind" and all(f.init for f in fields(Record))
_VALUES = operator.attrgetter(*_FIELDS)  # one C call for every field, in order
_CONN, _TEXT, _KEY, _TOPICS, _UUID = (_FIELDS.index(f) for f in ("conn", "text", "key", "topics", "uuid"))

# `#9 - WebSocket error: X` of one connection and `#27 - WebSocket error: X` of another give one
# record but for its id, so the memo keys such a line without the digits (a newline stands for
# them: no line's own key holds one) and each connection's first such line is not parsed anew;
# workers that start mid-log met every (id, error) pair afresh. The same goes for the uuid a
# Hermes line names after the id (`#9 - <uuid> - `): each reconnect starts a client with a new
# one. Only an id in its own spelling, where the templates read it: the line's first `#`, after
# `]: `, `]:  `, `] ` or at its start (as in _NONCE). A regex searched for it would try every
# position of every line read.
_ID = re.compile(rb"#([1-9][0-9]{0,4}|0)(?= - )")
_BEFORE_ID = (b"]: ", b"]:  ", b"] ")
_CLIENT = re.compile(rb" - (" + UUID.encode() + rb") - ")

#: What a key leaves out of its line (see id_cut): the id, the Hermes client's uuid (or None),
#: and the line's own key (its bytes after the stamp), for a record that holds what was cut.
Cut = tuple[int, str | None, bytes]


def id_cut(rest: bytes) -> tuple[bytes, int, str | None] | None:
    """A line's bytes after its stamp without its id, and without the Hermes client's uuid after
    it (a newline stands for each), the id and the uuid; None if it has no id where the
    templates read it (see _ID)."""
    at = rest.find(b"#")
    if at < 0 or not (at == 0 or rest[:at] == b" " or rest.endswith(_BEFORE_ID, 0, at)):
        return None
    m = _ID.match(rest, at)
    if m is None:
        return None
    start, end = m.span(1)
    conn = int(m.group(1))
    u = _CLIENT.match(rest, end)
    if u is None:
        return rest[:start] + b"\n" + rest[end:], conn, None
    return rest[:start] + b"\n - \n" + rest[u.end(1) :], conn, u.group(1).decode("ascii")


# A reconnect's LISTENs are answered one by one, each answer with its own nonce, and the record
# of an answer that took its topic never holds the nonce (parse.table's _alive_record): the memo
# key leaves it out where the answer is the message, so each is not parsed anew.
_NONCE = re.compile(
    (r"(?:\A ?|\]: {1,2}|\] )#\d{1,12}" + AFTER_DIGITS).encode()
    + ALIVE_RESPONSE.replace("[A-Za-z0-9]{0,64}", "([A-Za-z0-9]{0,64})", 1).encode()
)


def nonce_free(rest: bytes) -> bytes:
    """A line's bytes after its stamp, an alive answer's nonce cut out (see _NONCE)."""
    if b'"RESPONSE"' in rest:
        m = _NONCE.search(rest)
        if m is not None:
            return rest[: m.start(1)] + rest[m.end(1) :]
    return rest


def any_id(template: Template | None, conn: int, client: str | None) -> bool:
    """Whether ``template``, read from a line with ``conn``'s id and the Hermes ``client`` uuid
    (see id_cut), is the record of the same line with any other id and uuid but for those two
    fields: its texts (the only fields a template fills from the message) do not hold them."""
    if template is None or template[_CONN] != conn or template[_UUID] != client:
        return False
    text, key = template[_TEXT], template[_KEY]
    if not text and not key:
        return True
    marks = (f"#{conn}", f"{conn} - ") if client is None else (f"#{conn}", f"{conn} - ", client)
    return not any(m in text or m in key for m in marks)


def template(rec: Record) -> Template:
    """``rec`` but for its time, to be rebuilt by :func:`at`."""
    values: Template = _VALUES(rec)
    return (*values[:_TIME], None, *values[_TIME + 1 :])


def with_topics(template: Template, topics: tuple[str, ...]) -> Template:
    """``template`` with other topics."""
    return (*template[:_TOPICS], topics, *template[_TOPICS + 1 :])


def at(template: Template, time: datetime | None) -> Record:
    """The record of ``template`` at ``time``."""
    args = list(template)
    args[_TIME] = time
    return Record(*args)


def with_conn(template: Template, conn: int) -> Template:
    """``template`` of another connection (see any_id)."""
    if template[_CONN] == conn:
        return template
    return (*template[:_CONN], conn, *template[_CONN + 1 :])
