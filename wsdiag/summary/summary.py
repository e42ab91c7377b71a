"""The mergeable summary: everything a report needs, built from records in bounded memory.

A :class:`Summary` is fed records (by :mod:`wsdiag.read.scan`) and can be merged with the summary
of the next part of the same log, of another chunk, another process or another file. Memory is
bounded by the number of connections, topics and minutes with events, never by the file size.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from wsdiag.parse.classify import SIGNATURE_CLASSES, signature
from wsdiag.parse.records import FAILURE_CLASSES, FailureClass, FailureEvent, Kind, Record
from wsdiag.summary.clients import MAX_UUIDS, ClientFacts
from wsdiag.summary.connections import ConnStats, add_capped
from wsdiag.summary.dedupe import DEDUPED, Deduper
from wsdiag.summary.inputs import InputStats
from wsdiag.summary.minutes import CLOSE, RECONNECT, Minute, minute_of
from wsdiag.summary.outages import SIGNS, Outage, refused_listen

if TYPE_CHECKING:
    from wsdiag.summary.same_run import SameRun

MAX_ID = 99_999  # a pool slot above this would need five million topics: not a miner id
# Topics kept: in the log's set, and in all connections' sets together (a real pool has a few
# thousand). Past this the counts are lower bounds (Summary.topics_capped), and memory stays
# ~40 MB however many connections a hostile log invents (20 x 200,000 topics took 640 MB).
MAX_TOPICS = 200_000
MAX_MINUTES = 50_000  # five weeks of minutes with events: two summaries that full (forked
# workers merging) and the allocator's high-water stay under 100 MiB on the worst log we built
MAX_UNKNOWN = 200
OTHER_TEMPLATES = "<other templates>"  # where unclassified texts past MAX_UNKNOWN are counted
# Enum members the per-record code tests, as module globals (why: parse.records' docstring).
_OTHER, _FAILURE, _LISTEN, _OTHER_CLASS = Kind.OTHER, Kind.FAILURE, Kind.LISTEN, FailureClass.OTHER
_RECONNECT, _CLOSED = Kind.RECONNECT, Kind.CLOSED


@dataclass
class Summary(ClientFacts):
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
    # Called with every failure event as it is counted: how `events` and `watch` stream them.
    on_event: Callable[[FailureEvent], None] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def streaming(cls, on_event: Callable[[FailureEvent], None] | None = None) -> Summary:
        """The summary of a log read from its start in one pass, ``on_event`` called with each
        failure event as it is counted; :meth:`settle` counts what can no longer change."""
        return cls(dedupe=Deduper(stream=True), on_event=on_event)

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
        conn = rec.conn
        if conn is not None:
            if conn > MAX_ID:
                stats.implausible_ids += 1
                return
            self._saw(conn)
        kind = rec.kind
        if rec.client is not None or rec.variant is not None or rec.anonymised:
            self._client(rec, stats)
        if kind is _OTHER:
            return
        refused = bool(rec.key) and refused_listen(rec)  # (it has a dedupe key; most records none)
        if kind in SIGNS and conn is not None and rec.time is not None and not refused:
            self._sign(conn, rec.time, rec)
        if kind in DEDUPED:
            self._count(self.dedupe.add(rec))
        elif kind is _FAILURE:
            self._count([FailureEvent(rec.time, rec.conn, rec.cls or _OTHER_CLASS, rec.text)])
        elif kind is _RECONNECT or kind is _CLOSED:
            self._moved(rec.conn, rec.time, kind is _RECONNECT)
        elif kind is _LISTEN:
            self._listened(rec.conn, rec.topics)
        else:
            self._noted(rec, stats)

    def _noted(self, rec: Record, stats: InputStats) -> None:
        """The records seen once or twice a run: the streamer count, the cookie hint, the banner."""
        kind = rec.kind
        if kind is Kind.STREAMERS:
            if rec.number is not None:
                self.streamers = rec.number
        elif kind is Kind.BADAUTH_HINT:
            self.badauth_hint = True
        elif kind is Kind.BANNER and rec.fork is not None:
            (stats.fork, stats.fork_version), self.forks[rec.fork[0]] = rec.fork, rec.fork[1]

    def _client(self, rec: Record, stats: InputStats) -> None:  # what it says of the client
        if rec.client == "hermes":
            self.hermes_seen = True
            self.hermes_debug = self.hermes_debug or rec.debug
            if rec.kind is Kind.RECONNECT:
                self.hermes_reconnect_lines += 1
            if rec.uuid is not None and rec.conn is not None and rec.conn <= MAX_ID:
                self._uuid(rec.conn, {rec.uuid})
        elif rec.client == "pubsub":
            self.pubsub_seen = True
            if rec.redacted:
                self.redacted_listens += 1
        self.anonymised_seen = self.anonymised_seen or rec.anonymised
        if rec.variant is not None:
            stats.logger = rec.variant

    def _uuid(self, conn: int, uuids: set[str]) -> None:
        """Keep a connection's Hermes client ids within MAX_UUIDS (past it: a lower bound)."""
        self.uuid_count += add_capped(self._conn(conn).uuids, uuids, MAX_UUIDS - self.uuid_count)[0]

    def _moved(self, conn: int | None, t: datetime | None, reconnect: bool) -> None:
        """`Reconnecting` (``reconnect``) or `WebSocket closed` of ``conn`` at ``t``."""
        if reconnect:
            self.reconnects += 1
        else:
            self.closes += 1
        if conn is not None:
            cs = self._conn(conn)
            if reconnect:
                cs.reconnects += 1
            else:
                cs.closes += 1
        m = self._minute(t)
        if m is None:
            if reconnect:
                self.untimed_reconnects += 1
            else:
                self.untimed_closes += 1
            return
        if reconnect:
            m.reconnects += 1
        else:
            m.closes += 1
        if conn is not None:
            m.moved(conn, reconnect)
        m.marked(t, conn, RECONNECT if reconnect else CLOSE)

    def _listened(self, conn: int | None, topics: Iterable[str]) -> None:
        """Keep the topics of a LISTEN (or a later part), within the budget of MAX_TOPICS."""
        _, fitted = add_capped(self.topics, topics, MAX_TOPICS - len(self.topics))
        if conn is not None:
            added, fitted_conn = add_capped(
                self._conn(conn).topics, topics, MAX_TOPICS - self.conn_topics
            )
            self.conn_topics += added
            fitted = fitted and fitted_conn
        if not fitted:
            self.topics_capped = True

    def _count(self, events: list[FailureEvent]) -> None:
        emit = self.on_event
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
            if ev.cls == _OTHER_CLASS and ev.message:
                self._unknown(ev.message)
            elif ev.cls in SIGNATURE_CLASSES:
                sig = signature(ev.cls, ev.message)
                if sig is not None:
                    self.hints[sig] += 1
                    if ev.conn is not None:
                        self._conn(ev.conn).hints[sig] += 1
                    if m is not None:
                        m.hinted(ev.conn, sig)
            if emit is not None:
                emit(ev)

    def _unknown(self, message: str) -> None:
        from wsdiag.parse.templating import template_of

        tpl = template_of(message)
        entry = self.unknown.get(tpl)
        if entry is None:
            if len(self.unknown) >= MAX_UNKNOWN:
                tpl = OTHER_TEMPLATES
                entry = self.unknown.setdefault(tpl, [0, message])
            else:
                entry = self.unknown[tpl] = [0, message]
        entry[0] = int(entry[0]) + 1  # type: ignore[call-overload]

    # -- outages ------------------------------------------------------------------------
    def _sign(self, conn: int, t: datetime, rec: Record) -> None:
        """One sign of trouble (or, for LISTEN, of life) of a connection, in log order."""
        onset = self._conn(conn).uptime.sign(t, rec)
        if onset is not None:
            self._onset(conn, onset)

    def _saw(self, conn: int) -> None:
        self.ids.add(conn)
        if self.max_id is None or conn > self.max_id:
            self.max_id = conn

    def listened_again(self, conn: int, t: datetime | None) -> None:
        """What add() does with a LISTEN of ``conn`` (at most MAX_ID) whose topics it has."""
        self._saw(conn)
        if t is not None:
            self._conn(conn).uptime.up(t)

    def _onset(self, conn: int, outage: Outage) -> None:
        """Put the start of one connection's outage on its minute (cascades count these)."""
        m = self._minute(outage.onset)
        if m is not None:
            m.onset(conn, outage.cause)
            m.seen(outage.onset)

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
        self._merge_minutes(later)
        for conn, cs in later.conns.items():
            held = self._conn(conn)
            held.uptime, onset = held.uptime.merge(cs.uptime)
            if onset is not None:
                self._onset(conn, onset)
            self._conn(conn).merge(cs)
            if cs.topics:
                self._listened(conn, cs.topics)
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
        self.merge_clients(later)
        self.hints.update(later.hints)
        self._merge_unknown(later)
        self.untimed.update(later.untimed)
        self.untimed_reconnects += later.untimed_reconnects
        self.untimed_closes += later.untimed_closes
        self._count(self.dedupe.merge(later.dedupe))
        return self

    def _merge_minutes(self, later: Summary) -> None:
        """The later part's minutes before the outage onsets that joining the parts adds: one
        pass makes those minutes first (its events come before the onset is known), so past
        MAX_MINUTES the same minutes are kept."""
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

    def _merge_unknown(self, later: Summary) -> None:
        """The later part's unclassified templates, under the same cap as when scanning."""
        for text, (count, example) in later.unknown.items():
            full = text not in self.unknown and len(self.unknown) >= MAX_UNKNOWN
            tpl = OTHER_TEMPLATES if full else text
            entry = self.unknown.setdefault(tpl, [0, example])
            entry[0] = int(entry[0]) + int(count)  # type: ignore[call-overload]

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

    def settle(self) -> None:
        """Count the events of dedupe runs that can no longer grow (a stream's summary, see
        :meth:`streaming`), the log's time being that of its latest record."""
        self._count(self.dedupe.settle(self.last))

    def snapshot(self) -> Summary:
        """A finished copy of what was read so far, for a report in the middle of a stream,
        while this summary goes on being fed. The topic sets and the input stats are shared,
        not copied: read the snapshot before feeding more."""
        if self.finished:
            return self
        memo: dict[int, object] = {id(self.topics): self.topics, id(self.inputs): self.inputs}
        memo.update((id(cs.topics), cs.topics) for cs in self.conns.values())
        if self.on_event is not None:
            memo[id(self.on_event)] = None  # the copy tells nobody
        return copy.deepcopy(self, memo).finish()

    def forget(self, before: int) -> None:
        """Drop the minutes before the minute key ``before`` (a watch that runs for months):
        timelines, cascades and windows then begin there; the totals keep every event. Minutes
        are kept in the order they began, so only a summary whose first minute is that old is
        looked through."""
        if self.minutes and next(iter(self.minutes)) < before:
            for key in [k for k in self.minutes if k < before]:
                del self.minutes[key]

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

    def class_counts(self) -> dict[str, int]:
        return {c: int(self.by_class.get(c, 0)) for c in FAILURE_CLASSES}
