"""The mergeable summary: everything a report needs, built from records in bounded memory.

A :class:`Summary` is fed lines (through :mod:`wsdiag.scan`) and can be merged with the summary
of the next part of the same log, of another chunk, another process or another file. Memory is
bounded by the number of connections, topics and minutes with events, never by the file size.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from wsdiag.dedupe import Deduper
from wsdiag.records import FAILURE_CLASSES, FailureEvent, Kind, Record

MAX_ID = 99_999  # a pool slot above this would need five million topics: not a miner id
MAX_TOPICS = 200_000
MAX_MINUTES = 500_000
MAX_SAMPLES = 3
MAX_UNKNOWN = 200
_EPOCH = datetime(1970, 1, 1)


def minute_of(t: datetime) -> int:
    return int((t - _EPOCH).total_seconds() // 60)


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

    def merge(self, other: InputStats) -> None:
        self.read_error = self.read_error or other.read_error
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

    def merge(self, other: ConnStats) -> None:
        self.by_class.update(other.by_class)
        self.reconnects += other.reconnects
        self.closes += other.closes
        if len(self.topics) < MAX_TOPICS:
            self.topics |= other.topics


@dataclass
class Minute:
    """Events of one minute: the raw material of timelines and cascades."""

    by_class: Counter[str] = field(default_factory=Counter)
    reconnects: int = 0
    closes: int = 0
    conns: set[int] = field(default_factory=set)

    def merge(self, other: Minute) -> None:
        self.by_class.update(other.by_class)
        self.reconnects += other.reconnects
        self.closes += other.closes
        self.conns |= other.conns


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
    streamers: int | None = None
    badauth_hint: bool = False
    minutes: dict[int, Minute] = field(default_factory=dict)
    unknown: dict[str, list[object]] = field(default_factory=dict)  # template -> [count, example]
    dedupe: Deduper = field(default_factory=Deduper)
    finished: bool = False

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
            self.ids.add(rec.conn)
            if self.max_id is None or rec.conn > self.max_id:
                self.max_id = rec.conn
        kind = rec.kind
        if kind is Kind.OTHER:
            return
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
        elif kind is Kind.CLOSED:
            self.closes += 1
            if rec.conn is not None:
                self._conn(rec.conn).closes += 1
            m = self._minute(rec.time)
            if m is not None:
                m.closes += 1
        elif kind is Kind.LISTEN:
            for topic in rec.topics:
                if len(self.topics) < MAX_TOPICS:
                    self.topics.add(topic)
                if rec.conn is not None:
                    topics = self._conn(rec.conn).topics
                    if len(topics) < MAX_TOPICS:
                        topics.add(topic)
        elif kind is Kind.STREAMERS:
            if rec.number is not None:
                self.streamers = rec.number
        elif kind is Kind.BADAUTH_HINT:
            self.badauth_hint = True

    def _count(self, events: list[FailureEvent]) -> None:
        for ev in events:
            self.by_class[ev.cls] += 1
            if ev.conn is None:
                self.idless_failures += 1
            else:
                self._conn(ev.conn).by_class[ev.cls] += 1
            m = self._minute(ev.time)
            if m is not None:
                m.by_class[ev.cls] += 1
                if ev.conn is not None:
                    m.conns.add(ev.conn)
            if ev.cls == "other" and ev.message:
                self._unknown(ev.message)

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
        for conn, cs in later.conns.items():
            self._conn(conn).merge(cs)
        self.by_class.update(later.by_class)
        self.idless_failures += later.idless_failures
        self.reconnects += later.reconnects
        self.closes += later.closes
        if len(self.topics) < MAX_TOPICS:
            self.topics |= later.topics
        if later.streamers is not None:
            self.streamers = later.streamers
        self.badauth_hint = self.badauth_hint or later.badauth_hint
        for key, minute in later.minutes.items():
            mine = self.minutes.get(key)
            if mine is None:
                self.minutes[key] = minute
            else:
                mine.merge(minute)
        for tpl, (count, example) in later.unknown.items():
            entry = self.unknown.setdefault(tpl, [0, example])
            entry[0] = int(entry[0]) + int(count)  # type: ignore[call-overload]
        self._count(self.dedupe.merge(later.dedupe))
        return self

    def finish(self) -> Summary:
        """Close open dedupe runs; call once, after the last part was merged or fed."""
        if not self.finished:
            self._count(self.dedupe.finish())
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
        if self.first is None or self.last is None:
            return None
        return (self.last - self.first).total_seconds() / 3600.0

    def class_counts(self) -> dict[str, int]:
        return {c: int(self.by_class.get(c, 0)) for c in FAILURE_CLASSES}
