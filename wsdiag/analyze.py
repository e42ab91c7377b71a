"""The mergeable summary: everything a report needs, built from records in bounded memory.

A :class:`Summary` is fed lines (through :mod:`wsdiag.scan`) and can be merged with the summary
of the next part of the same log, of another chunk, another process or another file. Memory is
bounded by the number of connections, topics and minutes with events, never by the file size.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from wsdiag.classify import SIGNATURE_CLASSES, signature
from wsdiag.dedupe import Deduper
from wsdiag.records import FAILURE_CLASSES, FailureEvent, Kind, Record
from wsdiag.words import plural

if TYPE_CHECKING:
    from wsdiag.summary.same_run import SameRun

MAX_ID = 99_999  # a pool slot above this would need five million topics: not a miner id
# Topics kept: in the log's set, and in all connections' sets together (a real pool has a few
# thousand). Past this the counts are lower bounds (Summary.topics_capped), and memory stays
# ~40 MB however many connections a hostile log invents (20 x 200,000 topics took 640 MB).
MAX_TOPICS = 200_000
MAX_MINUTES = 50_000  # five weeks of minutes with events: two summaries that full (forked
# workers merging) and the allocator's high-water stay under 100 MiB on the worst log we built
MAX_SAMPLES = 3
MAX_UNKNOWN = 200
MAX_UUIDS = 100_000  # Hermes client ids kept (all connections): one per (re)connect
#: Why `reconnects.count` is null: a Hermes log that shows neither the DEBUG reconnect line nor
#: the client ids a new connection would be told by (FORKS-2026.md 1.5).
RECONNECTS_UNKNOWN = (
    "Hermes logs its reconnects at DEBUG level only, and this log shows no client ids "
    "(less=True), so reconnects cannot be counted"
)
# Topic suffixes no larger than this are taken for the anonymiser's small integers (real
# Twitch user and channel ids have five digits or more).
ANONYMISED_ID_MAX = 999
_EPOCH = datetime(1970, 1, 1)


def minute_of(t: datetime) -> int:
    return int((t - _EPOCH).total_seconds() // 60)


# -- outages -------------------------------------------------------------------------------
# An outage of one connection runs from its first sign of trouble (an error, a failure line,
# `Reconnecting`) to its recovery: observed when the connection sends LISTEN
# again (DEBUG logs; up to LISTEN_GRACE after the estimate), otherwise estimated from the last
# sign: the miner sleeps ~30 s after `Reconnecting` before it opens a new socket, and
# `Retry after Xm` sleeps X minutes. A sign up to OUTAGE_GRACE after the estimated recovery means
# the new socket failed too: the same outage.
# Watchdog lines (`The last PONG was received more than 5 minutes ago`) move the start back by
# those minutes, since the socket was silent all that time, but never before the previous
# recovery.
#
# `WebSocket closed` only extends an outage: the miner follows a close that starts an outage with
# `Reconnecting`, while a close with nothing after it is a socket already replaced (after a
# server RECONNECT) or the miner stopping.
#
# Whether a sign continues the current outage depends only on the sign before it, so two parts
# of a log are joined exactly: each part keeps its first outage (`head`, which may continue the
# previous part's last one) and its last (`tail`) apart, and only totals of the others.

RECONNECT_DELAY = timedelta(seconds=30)
OUTAGE_GRACE = timedelta(seconds=60)
LISTEN_GRACE = timedelta(minutes=5)  # a LISTEN this late still dates the recovery
_RETRY = re.compile(r"(?:Retry|Retrying websocket reconnection) after (\d{1,3}) ?m")
_SILENT = re.compile(r"more than (\d{1,3}) minutes")
_SILENT_DEFAULT = {"pong_timeout": 5, "ping_stalled": 10}
_SIGNS = frozenset(
    {Kind.ERROR, Kind.RESPONSE_ERROR, Kind.FAILURE, Kind.CLOSED, Kind.RECONNECT, Kind.LISTEN}
)


def refused_listen(rec: Record) -> bool:
    """A LISTEN answered with an ERR_* code (ERR_BADAUTH, ERR_BADMESSAGE...): Twitch refused a
    topic on a socket that stays open, so it is no sign of trouble for the connection's uptime.
    (Hermes' `Authentication error` is different: the miner closes that client.)"""
    return rec.kind is Kind.RESPONSE_ERROR or (
        rec.key.startswith("listen:") and not rec.text.startswith("Authentication error")
    )


def cause_of(rec: Record) -> str:
    """`server` for a RECONNECT Twitch asked for, `auth` for a refused LISTEN, else `network`."""
    if rec.cls == "reconnect_requested":
        return "server"
    if rec.kind is Kind.RESPONSE_ERROR or rec.cls == "bad_auth":
        return "auth"
    return "network"


def _sign_times(rec: Record) -> tuple[timedelta, timedelta]:
    """(expected time to recovery, time the socket was already dead) for one sign of trouble."""
    if rec.kind is Kind.FAILURE and rec.cls == "no_internet":
        m = _RETRY.search(rec.text)
        return timedelta(minutes=int(m.group(1)) if m else 1), timedelta(0)
    if rec.kind is Kind.FAILURE and rec.cls in _SILENT_DEFAULT and not rec.text.startswith("Stale"):
        m = _SILENT.search(rec.text)
        silent = int(m.group(1)) if m else _SILENT_DEFAULT[rec.cls]
        return RECONNECT_DELAY, timedelta(minutes=silent)
    return RECONNECT_DELAY, timedelta(0)


@dataclass
class Outage:
    """One connection down: from ``start`` to ``end`` (observed or estimated recovery)."""

    onset: datetime  # first logged sign: when the outage became visible
    start: datetime  # onset, or earlier for watchdog lines
    end: datetime
    open: bool = True  # no LISTEN closed it yet: a later sign may still extend it
    cause: str = "network"  # what its first sign points to (see :func:`cause_of`)

    def seconds(self, lo: datetime | None = None, hi: datetime | None = None) -> float:
        """Duration, clipped to [lo, hi] when given."""
        start = self.start if lo is None else max(self.start, lo)
        end = self.end if hi is None else min(self.end, hi)
        return max(0.0, (end - start).total_seconds())


@dataclass
class Uptime:
    """Mergeable outage history of one connection (see the comment above :class:`Outage`)."""

    first: datetime | None = None  # first sign (of trouble or of life) in this part
    first_up: bool = False  # ... and it was a LISTEN
    lead_first: datetime | None = None  # closes before `first`: they can only extend the
    lead_last: datetime | None = None  # previous part's outage (last one of a connected chain)
    last_up: datetime | None = None  # last LISTEN
    head: Outage | None = None  # outage begun by the first sign: may continue the previous part's
    tail: Outage | None = None  # latest outage (may be ``head``)
    outages: int = 0  # finished outages other than head and tail
    down: float = 0.0  # their seconds
    longest: float = 0.0

    def retire(self, outage: Outage) -> None:
        """Fold a finished outage into the totals (the head stays apart until the log ends)."""
        if outage is self.head:
            return
        secs = outage.seconds()
        self.outages += 1
        self.down += secs
        self.longest = max(self.longest, secs)


@dataclass
class InputStats:
    """How much of one input could be read, and in which layout."""

    path: str
    lines: int = 0
    records: int = 0
    continuation: int = 0
    unrecognized: int = 0
    too_long: int = 0
    blank: int = 0
    layouts: Counter[str] = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)
    implausible_ids: int = 0
    read_error: str | None = None  # why reading stopped early (truncated archive, I/O error)
    # The fork and version its (last) start banner names; "C" when mpforce1's logger variant C
    # shows (a space before INFO+ messages).
    fork: str | None = None
    fork_version: str | None = None
    logger: str | None = None

    def merge(self, other: InputStats) -> None:
        self.read_error = self.read_error or other.read_error
        if other.fork is not None:
            self.fork, self.fork_version = other.fork, other.fork_version
        self.logger = self.logger or other.logger
        self.lines += other.lines
        self.records += other.records
        self.continuation += other.continuation
        self.unrecognized += other.unrecognized
        self.too_long += other.too_long
        self.blank += other.blank
        self.layouts.update(other.layouts)
        self.implausible_ids += other.implausible_ids
        for s in other.samples:
            if len(self.samples) < MAX_SAMPLES:
                self.samples.append(s)

    @property
    def empty(self) -> bool:
        """Nothing but blank lines, or no line at all (a log just rotated), and read to its end."""
        return self.lines == self.blank and self.read_error is None

    @property
    def layout(self) -> str:
        kinds = [k for k in ("file", "console", "less") if self.layouts.get(k)]
        if not kinds:
            return "unknown"
        return kinds[0] if len(kinds) == 1 else "mixed"


@dataclass
class ConnStats:
    by_class: Counter[str] = field(default_factory=Counter)
    reconnects: int = 0
    closes: int = 0
    topics: set[str] = field(default_factory=set)
    uptime: Uptime = field(default_factory=Uptime)  # merged by Summary.merge (needs the minutes)
    hints: Counter[str] = field(default_factory=Counter)  # signatures of its failures
    uuids: set[str] = field(default_factory=set)  # Hermes client ids seen on it (Summary.merge's)

    @property
    def uuid_reconnects(self) -> int:
        """Connections after the first that its Hermes client ids show (a new id per client)."""
        return max(0, len(self.uuids) - 1)

    def merge(self, other: ConnStats) -> None:
        """Counts of the later part; its topics are Summary.merge's (they share one budget)."""
        self.by_class.update(other.by_class)
        self.hints.update(other.hints)
        self.reconnects += other.reconnects
        self.closes += other.closes


def _add_topics(into: set[str], topics: Iterable[str], room: int) -> tuple[int, bool]:
    """Add ``topics`` to ``into`` while ``room`` new ones fit: (how many were new, all fitted)."""
    before = len(into)
    if isinstance(topics, (set, frozenset)) and len(topics) <= room:
        into |= topics
        return len(into) - before, True
    for topic in topics:
        if topic not in into:
            if len(into) - before >= room:
                return len(into) - before, False
            into.add(topic)
    return len(into) - before, True


_FEW = 8  # a minute keeps up to this many cells (and onsets) in a flat tuple, more in a dict
_MASK = (1 << 64) - 1
#: The signature's names of what is not a failure class.
RECONNECT, CLOSE = "reconnect", "close"
_MARK_CODES = {name: i for i, name in enumerate((*FAILURE_CLASSES, RECONNECT, CLOSE))}


def mark(t: datetime, conn: int | None, what: str) -> int:
    """A 64-bit hash of one event: its second, connection and class (splitmix64 of the three).

    Python's hash() of strings differs between processes; this is the same everywhere, so
    signatures of forked or spawned workers add up.
    """
    secs = int((t - _EPOCH).total_seconds())
    slot = conn if conn is not None else MAX_ID + 1
    x = ((secs * 131_072 + slot) * 32 + _MARK_CODES.get(what, 31)) & _MASK
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


@dataclass(slots=True, eq=False)
class Minute:
    """Events of one minute: the raw material of timelines and cascades.

    There is one per minute with events, so a long log holds tens of thousands, nearly all with
    a cell or two: the cells and onsets live in flat tuples (a dict costs 220 bytes even for
    one entry) until they outgrow _FEW, and by_class and conns are derived from the cells.
    """

    reconnects: int = 0
    closes: int = 0
    # (conn, class) -> failures: conn, class, failures, conn, ... or, past _FEW cells, a Counter
    packed_cells: tuple[Any, ...] | Counter[tuple[int, str]] = ()
    idless: Counter[str] | None = None  # class -> failures without an id
    # connection -> cause of the (first) outage it began this minute: conn, cause, ... or a dict
    packed_onsets: tuple[Any, ...] | dict[int, str] = ()
    first: datetime | None = None  # earliest failure or onset in this minute
    last: datetime | None = None
    # Sum of mark() of its failures, reconnects and closes (their second, connection and
    # class), modulo 2**64: two logs of the same run have equal ones (summary/same_run.py).
    sig: int = 0

    def __eq__(self, other: object) -> bool:
        """The same counts, in whatever order they were packed (merged parts add them later)."""
        if not isinstance(other, Minute):
            return NotImplemented
        return self._facts() == other._facts()

    def _facts(self) -> tuple[object, ...]:
        idless = +Counter(self.idless) if self.idless else Counter[str]()
        cells, onsets = dict(self.cells), dict(self.onsets)
        return (self.reconnects, self.closes, cells, idless, onsets, self.first, self.last, self.sig)

    def cell_items(self) -> Iterable[tuple[tuple[int, str], int]]:
        """((conn, class), failures) pairs, without building a dict."""
        c = self.packed_cells
        if isinstance(c, tuple):
            return zip(zip(c[0::3], c[1::3], strict=True), c[2::3], strict=True)
        return c.items()

    def onset_items(self) -> Iterable[tuple[int, str]]:
        """(conn, cause) pairs, without building a dict."""
        o = self.packed_onsets
        return zip(o[0::2], o[1::2], strict=True) if isinstance(o, tuple) else o.items()

    @property
    def cells(self) -> Mapping[tuple[int, str], int]:
        """(conn, class) -> failures."""
        c = self.packed_cells
        if isinstance(c, tuple):
            return dict(zip(zip(c[0::3], c[1::3], strict=True), c[2::3], strict=True))
        return c

    @property
    def onsets(self) -> Mapping[int, str]:
        """Connection -> cause of the outage it began this minute."""
        o = self.packed_onsets
        return dict(zip(o[0::2], o[1::2], strict=True)) if isinstance(o, tuple) else o

    @property
    def by_class(self) -> Counter[str]:
        """Failures by class."""
        out: Counter[str] = Counter(self.idless)
        for (_, cls), n in self.cell_items():
            out[cls] += n
        return out

    @property
    def conns(self) -> set[int]:
        """Connections with failures."""
        c = self.packed_cells
        return set(c[0::3]) if isinstance(c, tuple) else {conn for conn, _ in c}

    def failed(self, conn: int | None, cls: str, n: int = 1) -> None:
        if conn is None:
            if self.idless is None:
                self.idless = Counter()
            self.idless[cls] += n
            return
        c = self.packed_cells
        if isinstance(c, tuple):
            for i in range(0, len(c), 3):
                if c[i] == conn and c[i + 1] == cls:
                    self.packed_cells = (*c[: i + 2], c[i + 2] + n, *c[i + 3 :])
                    return
            if len(c) < 3 * _FEW:
                self.packed_cells = (*c, conn, cls, n)
                return
            c = self.packed_cells = Counter(self.cells)
        c[(conn, cls)] += n

    def onset(self, conn: int, cause: str) -> None:
        o = self.packed_onsets
        if isinstance(o, tuple):
            if conn in o[0::2]:
                return
            if len(o) < 2 * _FEW:
                self.packed_onsets = (*o, conn, cause)
                return
            o = self.packed_onsets = dict(self.onsets)
        o.setdefault(conn, cause)

    def merge(self, other: Minute) -> None:
        self.reconnects += other.reconnects
        self.closes += other.closes
        self.sig = (self.sig + other.sig) & _MASK
        for (conn, cls), n in other.cells.items():
            self.failed(conn, cls, n)
        if other.idless:
            if self.idless is None:
                self.idless = Counter()
            self.idless.update(other.idless)
        for conn, cause in other.onsets.items():
            self.onset(conn, cause)
        for t in (other.first, other.last):
            if t is not None:
                self.seen(t)

    def marked(self, t: datetime | None, conn: int | None, what: str) -> None:
        """Add one event to the signature (events without a time are not on any minute)."""
        if t is not None:
            self.sig = (self.sig + mark(t, conn, what)) & _MASK

    @property
    def busy(self) -> bool:
        """Whether anything was marked on this minute (a failure, reconnect or close)."""
        return bool(self.packed_cells or self.idless or self.reconnects or self.closes)

    def seen(self, t: datetime) -> None:
        if self.first is None or t < self.first:
            self.first = t
        if self.last is None or t > self.last:
            self.last = t


@dataclass
class Summary:
    """Mergeable facts about one or more logs."""

    inputs: dict[str, InputStats] = field(default_factory=dict)
    first: datetime | None = None
    last: datetime | None = None
    year_assumed: bool = False
    ids: set[int] = field(default_factory=set)
    max_id: int | None = None
    conns: dict[int, ConnStats] = field(default_factory=dict)
    by_class: Counter[str] = field(default_factory=Counter)
    idless_failures: int = 0
    reconnects: int = 0
    closes: int = 0
    topics: set[str] = field(default_factory=set)
    conn_topics: int = 0  # topics held in all ConnStats.topics together (at most MAX_TOPICS)
    topics_capped: bool = False  # a topic was left out of a set: topic counts are lower bounds
    streamers: int | None = None
    badauth_hint: bool = False
    # Finer kinds of failures (classify.signature): "certificate", "bad_message"... -> events
    hints: Counter[str] = field(default_factory=Counter)
    minutes: dict[int, Minute] = field(default_factory=dict)
    unknown: dict[str, list[object]] = field(default_factory=dict)  # template -> [count, example]
    dedupe: Deduper = field(default_factory=Deduper)
    finished: bool = False
    window: tuple[datetime | None, datetime | None] | None = None  # --since/--until, if given
    # Events that cannot be placed on the timeline: no time, or past MAX_MINUTES.
    untimed: Counter[str] = field(default_factory=Counter)  # failure class -> events
    untimed_reconnects: int = 0
    untimed_closes: int = 0
    # Inputs that repeat others (the same run in two layouts), counted once: set by
    # pipeline.analyze (summary/same_run.SameRun), empty for a single input.
    same_run: list[SameRun] = field(default_factory=list)
    # Which client wrote the log (FORKS-2026.md): evidence of each, see :attr:`client`.
    hermes_seen: bool = False
    pubsub_seen: bool = False
    hermes_reconnect_lines: int = 0  # `Reconnecting to Twitch Hermes server` (DEBUG)
    uuid_count: int = 0  # Hermes client ids held in all ConnStats.uuids (at most MAX_UUIDS)
    forks: dict[str, str | None] = field(default_factory=dict)  # fork -> version (banners)
    # PubSub LISTENs sent as their redacted log copy (mpforce1 `redact_secrets=True`).
    redacted_listens: int = 0
    anonymised_seen: bool = False  # a line the anonymiser emptied (`Received: REDACTED`)

    # -- feeding -------------------------------------------------------------------------
    def input(self, path: str) -> InputStats:
        stats = self.inputs.get(path)
        if stats is None:
            stats = self.inputs[path] = InputStats(path)
        return stats

    def observe_span(self, first: datetime | None, last: datetime | None) -> None:
        """Times of records in log order: the first ever seen and the latest seen."""
        if first is not None and self.first is None:
            self.first = first
        if last is not None:
            self.last = last

    def _conn(self, conn: int) -> ConnStats:
        stats = self.conns.get(conn)
        if stats is None:
            stats = self.conns[conn] = ConnStats()
        return stats

    def _minute(self, t: datetime | None) -> Minute | None:
        if t is None:
            return None
        key = minute_of(t)
        m = self.minutes.get(key)
        if m is None:
            if len(self.minutes) >= MAX_MINUTES:
                return None
            m = self.minutes[key] = Minute()
        return m

    def add(self, rec: Record, stats: InputStats) -> None:
        """Fold one WebSocket record into the summary."""
        if rec.conn is not None:
            if rec.conn > MAX_ID:
                stats.implausible_ids += 1
                return
            self._saw(rec.conn)
        if rec.client is not None or rec.variant is not None or rec.anonymised:
            self._client(rec, stats)
        kind = rec.kind
        if kind is Kind.OTHER:
            return
        if (
            kind in _SIGNS
            and rec.conn is not None
            and rec.time is not None
            and not refused_listen(rec)
        ):
            self._sign(rec.conn, rec.time, rec)
        if kind in (Kind.ERROR, Kind.ECHO, Kind.LISTEN_ERROR, Kind.RESPONSE_ERROR):
            self._count(self.dedupe.add(rec))
        elif kind is Kind.FAILURE:
            self._count([FailureEvent(rec.time, rec.conn, rec.cls or "other", rec.text)])
        elif kind is Kind.RECONNECT:
            self.reconnects += 1
            if rec.conn is not None:
                self._conn(rec.conn).reconnects += 1
            m = self._minute(rec.time)
            if m is not None:
                m.reconnects += 1
                m.marked(rec.time, rec.conn, RECONNECT)
            else:
                self.untimed_reconnects += 1
        elif kind is Kind.CLOSED:
            self.closes += 1
            if rec.conn is not None:
                self._conn(rec.conn).closes += 1
            m = self._minute(rec.time)
            if m is not None:
                m.closes += 1
                m.marked(rec.time, rec.conn, CLOSE)
            else:
                self.untimed_closes += 1
        elif kind is Kind.LISTEN:
            self._listened(rec.conn, rec.topics)
        elif kind is Kind.STREAMERS:
            if rec.number is not None:
                self.streamers = rec.number
        elif kind is Kind.BADAUTH_HINT:
            self.badauth_hint = True
        elif kind is Kind.BANNER and rec.fork is not None:
            stats.fork, stats.fork_version = rec.fork
            self.forks[rec.fork[0]] = rec.fork[1]

    def _client(self, rec: Record, stats: InputStats) -> None:
        """What a record says about the client, its connections and the logger."""
        if rec.client == "hermes":
            self.hermes_seen = True
            if rec.kind is Kind.RECONNECT:
                self.hermes_reconnect_lines += 1
            if rec.uuid is not None and rec.conn is not None and rec.conn <= MAX_ID:
                self._uuid(rec.conn, {rec.uuid})
        elif rec.client == "pubsub":
            self.pubsub_seen = True
            if rec.redacted:
                self.redacted_listens += 1
        if rec.anonymised:
            self.anonymised_seen = True
        if rec.variant is not None:
            stats.logger = rec.variant

    def _uuid(self, conn: int, uuids: set[str]) -> None:
        """Keep the Hermes client ids of a connection, within the budget of MAX_UUIDS."""
        # Past the budget a log invents ids: the reconnects they show are a lower bound.
        self.uuid_count += _add_topics(self._conn(conn).uuids, uuids, MAX_UUIDS - self.uuid_count)[0]

    def _listened(self, conn: int | None, topics: Iterable[str]) -> None:
        """Keep the topics of a LISTEN (or a later part), within the budget of MAX_TOPICS."""
        _, fitted = _add_topics(self.topics, topics, MAX_TOPICS - len(self.topics))
        if conn is not None:
            added, fitted_conn = _add_topics(
                self._conn(conn).topics, topics, MAX_TOPICS - self.conn_topics
            )
            self.conn_topics += added
            fitted = fitted and fitted_conn
        if not fitted:
            self.topics_capped = True

    def _count(self, events: list[FailureEvent]) -> None:
        for ev in events:
            self.by_class[ev.cls] += 1
            if ev.conn is None:
                self.idless_failures += 1
            else:
                self._conn(ev.conn).by_class[ev.cls] += 1
            m = self._minute(ev.time)
            if m is not None:
                m.failed(ev.conn, ev.cls)
                if ev.time is not None:
                    m.seen(ev.time)
                    m.marked(ev.time, ev.conn, ev.cls)
            else:
                self.untimed[ev.cls] += 1
            if ev.cls == "other" and ev.message:
                self._unknown(ev.message)
            elif ev.cls in SIGNATURE_CLASSES:
                sig = signature(ev.cls, ev.message)
                if sig is not None:
                    self.hints[sig] += 1
                    if ev.conn is not None:
                        self._conn(ev.conn).hints[sig] += 1

    def _unknown(self, message: str) -> None:
        from wsdiag.templating import template_of

        tpl = template_of(message)
        entry = self.unknown.get(tpl)
        if entry is None:
            if len(self.unknown) >= MAX_UNKNOWN:
                tpl = "<other templates>"
                entry = self.unknown.setdefault(tpl, [0, message])
            else:
                entry = self.unknown[tpl] = [0, message]
        entry[0] = int(entry[0]) + 1  # type: ignore[call-overload]

    # -- outages ------------------------------------------------------------------------
    def _sign(self, conn: int, t: datetime, rec: Record) -> None:
        """One sign of trouble (or, for LISTEN, of life) of a connection, in log order."""
        if rec.kind is Kind.LISTEN:
            self._up(conn, t)
            return
        up = self._conn(conn).uptime
        if rec.kind is Kind.CLOSED:
            self._closed(up, t)
            return
        first = up.first is None
        if first:
            up.first, up.first_up = t, False
        tail = up.tail
        delay, silent = _sign_times(rec)
        if tail is not None and tail.open and t <= tail.end + OUTAGE_GRACE:
            tail.end = max(t + delay, tail.start)
            return
        start = t - silent
        for bound in (tail.end if tail is not None else None, up.last_up):
            if bound is not None:
                start = max(start, bound)
        outage = Outage(t, min(start, t), t + delay, cause=cause_of(rec))
        if tail is not None:
            up.retire(tail)
        up.tail = outage
        if first:
            up.head = outage  # its onset is final only once we know it continues nothing
        else:
            self._onset(conn, outage)

    def _up(self, conn: int, t: datetime) -> None:
        """A LISTEN: the connection is (back) up."""
        up = self._conn(conn).uptime
        if up.first is None:
            up.first, up.first_up = t, True
        tail = up.tail
        if tail is not None and tail.open:
            if t <= tail.end + LISTEN_GRACE:
                tail.end = max(t, tail.start)
            tail.open = False
        up.last_up = t

    def _saw(self, conn: int) -> None:
        self.ids.add(conn)
        if self.max_id is None or conn > self.max_id:
            self.max_id = conn

    def listened_again(self, conn: int, t: datetime | None) -> None:
        """What add() does with a LISTEN of ``conn`` (at most MAX_ID) whose topics it has."""
        self._saw(conn)
        if t is not None:
            self._up(conn, t)

    @staticmethod
    def _closed(up: Uptime, t: datetime) -> None:
        if up.first is None:
            if up.lead_last is None:
                up.lead_first = up.lead_last = t
            elif t <= up.lead_last + RECONNECT_DELAY + OUTAGE_GRACE:
                up.lead_last = t
            return
        tail = up.tail
        if tail is not None and tail.open and t <= tail.end + OUTAGE_GRACE:
            tail.end = max(t + RECONNECT_DELAY, tail.start)

    def _onset(self, conn: int, outage: Outage) -> None:
        m = self._minute(outage.onset)
        if m is not None:
            m.onset(conn, outage.cause)
            m.seen(outage.onset)

    def _merge_uptime(self, conn: int, b: Uptime) -> None:
        """Append the later part's outage history of one connection."""
        cs = self._conn(conn)
        a = cs.uptime
        if b.lead_first is not None and b.lead_last is not None:
            if a.first is None:
                if a.lead_last is None:
                    a.lead_first, a.lead_last = b.lead_first, b.lead_last
                elif b.lead_first <= a.lead_last + RECONNECT_DELAY + OUTAGE_GRACE:
                    a.lead_last = b.lead_last
            elif a.tail is not None and a.tail.open and b.lead_first <= a.tail.end + OUTAGE_GRACE:
                a.tail.end = max(b.lead_last + RECONNECT_DELAY, a.tail.start)
        if b.first is None:
            return
        if a.first is None:
            # Its head may still continue an earlier part: it stays pending.
            b.lead_first, b.lead_last = a.lead_first, a.lead_last
            cs.uptime = b
            return
        tail, head = a.tail, b.head
        joined = False
        if tail is not None and tail.open:
            if b.first_up:
                if b.first <= tail.end + LISTEN_GRACE:
                    tail.end = max(b.first, tail.start)
                tail.open = False
            elif head is not None and b.first <= tail.end + OUTAGE_GRACE:
                tail.end, tail.open = max(head.end, tail.start), head.open
                joined = True
        if head is not None and not joined:
            for bound in (tail.end if tail is not None else None, a.last_up):
                if bound is not None:
                    head.start = min(max(head.start, bound), head.onset)
            self._onset(conn, head)
        if joined:
            if b.tail is not head:
                assert tail is not None
                a.retire(tail)
                a.tail = b.tail
        elif b.tail is not None:
            if tail is not None:
                a.retire(tail)
            if head is not None and head is not b.tail:
                a.retire(head)
            a.tail = b.tail
        a.outages += b.outages
        a.down += b.down
        a.longest = max(a.longest, b.longest)
        if b.last_up is not None:
            a.last_up = b.last_up

    # -- combining -----------------------------------------------------------------------
    def merge(self, later: Summary) -> Summary:
        """Append the summary of the part that follows this one; returns self."""
        for path, stats in later.inputs.items():
            self.input(path).merge(stats)
        if self.first is None:
            self.first = later.first
        if later.last is not None:
            self.last = later.last
        self.year_assumed = self.year_assumed or later.year_assumed
        self.ids |= later.ids
        if later.max_id is not None and (self.max_id is None or later.max_id > self.max_id):
            self.max_id = later.max_id
        # The later part's minutes before the outage onsets that joining the parts adds: one
        # pass makes those minutes first (its events come before the onset is known), so past
        # MAX_MINUTES the same minutes are kept.
        for key, minute in later.minutes.items():  # in the order they were first seen
            mine = self.minutes.get(key)
            if mine is not None:
                mine.merge(minute)
            elif len(self.minutes) < MAX_MINUTES:
                self.minutes[key] = minute
            else:
                # As _minute() does past the cap, so that parts merge into what one pass gives.
                self.untimed.update(minute.by_class)
                self.untimed_reconnects += minute.reconnects
                self.untimed_closes += minute.closes
        for conn, cs in later.conns.items():
            self._merge_uptime(conn, cs.uptime)
            self._conn(conn).merge(cs)
            if cs.topics:
                self._listened(conn, cs.topics)
            if cs.uuids:
                self._uuid(conn, cs.uuids)
        self.by_class.update(later.by_class)
        self.idless_failures += later.idless_failures
        self.reconnects += later.reconnects
        self.closes += later.closes
        self._listened(None, later.topics)
        self.topics_capped = self.topics_capped or later.topics_capped
        if later.streamers is not None:
            self.streamers = later.streamers
        self.badauth_hint = self.badauth_hint or later.badauth_hint
        self.hints.update(later.hints)
        self.hermes_seen = self.hermes_seen or later.hermes_seen
        self.pubsub_seen = self.pubsub_seen or later.pubsub_seen
        self.hermes_reconnect_lines += later.hermes_reconnect_lines
        self.forks.update(later.forks)
        self.redacted_listens += later.redacted_listens
        self.anonymised_seen = self.anonymised_seen or later.anonymised_seen
        for tpl, (count, example) in later.unknown.items():
            if tpl not in self.unknown and len(self.unknown) >= MAX_UNKNOWN:
                tpl = "<other templates>"  # the same cap as when scanning
            entry = self.unknown.setdefault(tpl, [0, example])
            entry[0] = int(entry[0]) + int(count)  # type: ignore[call-overload]
        self.untimed.update(later.untimed)
        self.untimed_reconnects += later.untimed_reconnects
        self.untimed_closes += later.untimed_closes
        self._count(self.dedupe.merge(later.dedupe))
        return self

    def finish(self) -> Summary:
        """Close open dedupe runs; call once, after the last part was merged or fed."""
        if not self.finished:
            self._count(self.dedupe.finish())
            for conn, cs in self.conns.items():
                # The first outage of each connection continues nothing: its onset is final.
                if cs.uptime.head is not None:
                    self._onset(conn, cs.uptime.head)
            self.finished = True
        return self

    # -- derived values ------------------------------------------------------------------
    @property
    def failures_total(self) -> int:
        return sum(self.by_class.values())

    @property
    def pool_size(self) -> int | None:
        return None if self.max_id is None else self.max_id + 1

    @property
    def span_hours(self) -> float | None:
        if self.first is None or self.last is None or self.last < self.first:
            return None  # a clock that ran backwards gives no usable span for rates
        return (self.last - self.first).total_seconds() / 3600.0

    @property
    def client(self) -> str | None:
        """"pubsub", "hermes" or "mixed" by the lines only one client writes; None: unknown."""
        if self.hermes_seen:
            return "mixed" if self.pubsub_seen else "hermes"
        return "pubsub" if self.pubsub_seen else None

    @property
    def uuid_reconnects(self) -> int:
        """Reconnects told by new Hermes client ids on a connection (its first is no reconnect)."""
        return sum(cs.uuid_reconnects for cs in self.conns.values())

    def conn_reconnects(self, conn: int) -> int:
        """One connection's reconnects, as :attr:`reconnect_count` counts them."""
        cs = self.conns[conn]
        return cs.reconnects + (cs.uuid_reconnects if self.hermes_reconnect_lines == 0 else 0)

    @property
    def reconnects_unknown(self) -> str | None:
        """Why reconnects cannot be counted (None: they can): Hermes reconnects leave a trace
        only at DEBUG level or in a new client id, and the log shows neither."""
        if self.hermes_seen and self.hermes_reconnect_lines == 0 and self.uuid_count == 0:
            return RECONNECTS_UNKNOWN
        return None

    @property
    def reconnect_count(self) -> int | None:
        """Reconnects: the `Reconnecting to ...` lines; in a Hermes log without its (DEBUG) line,
        plus those its new client ids show; None when the log cannot show them."""
        if self.reconnects_unknown is not None:
            return None
        return self.reconnects + (self.uuid_reconnects if self.hermes_reconnect_lines == 0 else 0)

    @property
    def anonymised(self) -> bool:
        """Ids replaced by mpforce1's anonymiser: an emptied line, or only small-integer ids in
        the topics (then streamer counts hold for this run only)."""
        if self.anonymised_seen:
            return True
        ids = [t.rsplit(".", 1)[-1] for t in self.topics]
        ids = [i for i in ids if i.isdigit()]
        return bool(ids) and all(int(i) <= ANONYMISED_ID_MAX for i in ids)

    def class_counts(self) -> dict[str, int]:
        return {c: int(self.by_class.get(c, 0)) for c in FAILURE_CLASSES}


def reconnect_words(s: Summary) -> str:
    """`3 reconnects`, or `reconnects unknown` when the log cannot show them."""
    n = s.reconnect_count
    return "reconnects unknown" if n is None else plural(n, "reconnect")
