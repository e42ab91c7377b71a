"""Hermes subscribe requests on the fast path (FORKS-2026.md 1.6): the memo key that lets a
request read before stand for one sent again on a reconnect, and bursts of them read by their
ends (scan.Scanner calls these; they read through line_reader.LineReader's public seam)."""

from __future__ import annotations

import functools
import re
from dataclasses import fields
from typing import TYPE_CHECKING, Any

from wsdiag.parse.forks import HERMES_SUBSCRIBE
from wsdiag.parse.records import Kind, Record
from wsdiag.read.linefilter import HAZARDS
from wsdiag.summary.summary import MAX_ID

if TYPE_CHECKING:
    from wsdiag.read.line_reader import LineReader, Times
    from wsdiag.read.whole_lines import Buffer

_UUID_BYTES = 36
_UUID_FIELD = [f.name for f in fields(Record)].index("uuid")
#: Where a Hermes subscribe request's id starts (forks.HERMES_SUBSCRIBE).
SUBSCRIBE = b' - Send: {"type":"subscribe","id":"'


def _subscribe(prefix: bytes, ident: bytes, topic: bytes) -> bytes:
    """One subscribe request line after its stamp's head: ``prefix`` (from the stamp's ` - ` up
    to `#`), ``ident`` (`#N - <uuid>`), the request whole, its topic as ``topic`` says."""
    request = HERMES_SUBSCRIBE.pattern
    request = request[request.index(b'","subscribe":') :].replace(b"\\Z", b"\n").replace(b"([", b"(?:[")
    name = b"[A-Za-z0-9._-]{1,200}"
    assert name in request
    return (
        re.escape(prefix) + ident + re.escape(SUBSCRIBE) + rb"[0-9A-Za-z_-]{1,64}"
        + request.replace(name, topic.replace(b"NAME", name), 1)
    )


_IDENT = rb"#\d{1,12}(?: - [0-9a-fA-F-]{36})?"


@functools.lru_cache(maxsize=64)
def subscribe_line(head: bytes, prefix: bytes) -> re.Pattern[bytes]:
    """One line of a burst of Hermes subscribe requests: ``head`` (a stamp's), ``prefix`` (from
    the stamp's ` - ` up to `#`), `#N - <uuid>` (group 1), the request whole (group 2: its
    topic)."""
    return re.compile(head + _subscribe(prefix, b"(" + _IDENT + b")", b"(NAME)"))


@functools.lru_cache(maxsize=64)
def subscribe_run(head: bytes, prefix: bytes) -> re.Pattern[bytes]:
    """One or more such lines in a row, all of one client (group ``ident``: the first one's
    `#N - <uuid>`): a burst matched in one call, not a call a line."""
    first = head + _subscribe(prefix, b"(?P<ident>" + _IDENT + b")", b"NAME")
    again = head + _subscribe(prefix, b"(?P=ident)", b"NAME")
    return re.compile(first + b"(?:" + again + b")*")


def subscribe_key(key: bytes) -> tuple[bytes, str | None]:
    """The memo key of a line (its bytes after the stamp) and, if it holds a Hermes subscribe
    request after a client's uuid (forks.HERMES_SUBSCRIBE), that uuid: the key then leaves out
    the uuid, ids and timestamp, which change nothing in its record but its uuid (each
    reconnect sends every topic again, with a new uuid and new ids)."""
    at = key.find(SUBSCRIBE, _UUID_BYTES) - _UUID_BYTES
    m = HERMES_SUBSCRIBE.match(key, at) if at >= 0 else None
    if m is None:
        return key, None
    cut = [key[: m.start(1)]]
    cut += [key[m.end(i) : m.start(i + 1)] for i in range(1, 4)]
    # A newline stands for each cut: no line's own key holds one.
    return b"\n".join([*cut, key[m.end(4) :]]), m.group(1).decode("ascii")


def with_uuid(
    template: tuple[Any, ...] | None, remembered: str | None, uuid: str | None
) -> tuple[Any, ...] | None:
    """A remembered record (scan's field tuple) of a subscribe request for a line of another
    client: its uuid is the line's where it was the remembered line's."""
    if uuid is None or template is None or template[_UUID_FIELD] != remembered or remembered == uuid:
        return template
    return (*template[:_UUID_FIELD], uuid, *template[_UUID_FIELD + 1 :])


def read_subscribes(
    reader: LineReader, chunk: Buffer, end: int, start: int, read: Times
) -> int:
    """Read a burst of Hermes subscribe requests from ``start``; return where it ends.

    On (re)connecting a Hermes client sends a subscribe per topic, one line each, back to
    back, with its uuid and new ids (forks.HERMES_SUBSCRIBE). As in a LISTEN burst
    (listen_bursts.Burst), the first line (it may end an outage) and the last (the latest sign
    of life) are read; the ones between, each of the first one's stamp shape and prefix (so
    of its client, uuid and layout), are skipped when the connection has each one's topic
    already: then each would only move "last seen alive" forward to the last one.
    """
    stop = chunk.find(b"\n", start) + 1
    rec = reader.read_at(chunk, start, read)
    fmt = reader.fmt
    at = fmt.head.regex.match(chunk, start)
    if (
        rec is None
        or rec.kind is not Kind.LISTEN
        or rec.conn is None
        or rec.conn > MAX_ID
        or read.get(start) is None
        or reader.layout != fmt.layout
        or at is None
    ):
        return stop
    cut = chunk.find(SUBSCRIBE, at.end(), stop)
    hash_at = chunk.rfind(b"#", at.end(), cut)
    prefix = bytes(chunk[at.end() : hash_at])
    ident = bytes(chunk[hash_at:cut])  # `#N - <uuid>`: the pattern is shared by all clients
    if hash_at < 0 or any(h in prefix for h in HAZARDS):
        return stop  # an escape sequence before `#` could swallow text
    run = subscribe_run(fmt.head.regex.pattern, prefix).match(chunk, stop, end)
    if run is None or run.group("ident") != ident:
        return stop
    pos = run.end()
    topics = subscribe_line(fmt.head.regex.pattern, prefix).findall(chunk, stop, pos)
    last = chunk.rfind(b"\n", stop, pos - 1) + 1 or stop
    conn = reader.summary.conns.get(rec.conn)
    names = {topic.decode() for _, topic in topics[:-1]}
    quiet = (
        conn is not None
        and names <= conn.topics
        and names <= reader.summary.topics
        and reader.time_at(chunk, last, fmt.head) is not None
    )
    if not quiet:
        at_line = stop
        while at_line < last:
            reader.read_at(chunk, at_line, read)
            at_line = chunk.find(b"\n", at_line) + 1
    reader.read_at(chunk, last, read)
    return pos
