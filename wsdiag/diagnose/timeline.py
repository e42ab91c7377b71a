"""Failures and reconnects per time bucket, from the per-minute buckets of a finished Summary.

The bucket size follows the span (one minute for an hour of log, hours for a week) unless the
user chose one. Buckets are aligned to the clock (5-minute buckets start at :00, :05, ...; day
buckets at midnight; week buckets on Mondays), cover the whole span including quiet stretches,
and their counts plus the ``untimed`` counts add up to the totals of the summary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from wsdiag import durations
from wsdiag.diagnose.minute_index import MinuteIndex, index_of
from wsdiag.parse.records import FAILURE_CLASSES
from wsdiag.summary.summary import Summary

#: Bucket sizes in minutes the automatic choice picks from.
LADDER: tuple[int, ...] = (1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080)
MAX_AUTO_BUCKETS = 90  # the chart fits a terminal line
MAX_BUCKETS = 5000  # a --bucket that would make more is widened (and the report says so)
_EPOCH = datetime(1970, 1, 1)
_MINUTE_S = 60  # seconds
_HOUR = 60  # bucket sizes are in minutes
_DAY = 1440
_WEEK = 10080
_MONDAY = 4 * _DAY  # 1970-01-01 was a Thursday: week buckets start on Mondays


def parse_bucket(text: str) -> int:
    """A duration of whole minutes (`5m`, `2h`, `1d`, `1w`, `1h30m`) -> minutes; ValueError
    when it is not one (see :mod:`wsdiag.durations`)."""
    try:
        seconds = durations.parse(text).total_seconds()
    except ValueError:
        raise ValueError(f"bad bucket size {text!r} (use e.g. 5m, 1h, 1d)") from None
    if seconds < _MINUTE_S or seconds % _MINUTE_S:
        raise ValueError(f"bad bucket size {text!r}: a bucket is whole minutes (e.g. 5m, 1h, 1d)")
    return int(seconds // _MINUTE_S)


def label(minutes: int) -> str:
    """5 -> `5m`, 120 -> `2h`, 1440 -> `1d`."""
    if minutes % _WEEK == 0:
        return f"{minutes // _WEEK}w"
    if minutes % _DAY == 0:
        return f"{minutes // _DAY}d"
    if minutes % _HOUR == 0:
        return f"{minutes // _HOUR}h"
    return f"{minutes}m"


def choose_bucket(span_minutes: int, most: int = MAX_AUTO_BUCKETS) -> int:
    """The smallest ladder size that shows ``span_minutes`` in at most ``most`` buckets."""
    for size in LADDER:
        if span_minutes / size <= most:
            return size
    weeks = -(-span_minutes // (most * _WEEK))
    return weeks * _WEEK


@dataclass(frozen=True)
class Bucket:
    start: datetime
    minutes: int
    by_class: dict[str, int]
    reconnects: int
    closes: int
    connections: int  # distinct connections with a failure in the bucket

    @property
    def failures(self) -> int:
        return sum(self.by_class.values())

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.minutes)


@dataclass(frozen=True)
class Timeline:
    bucket_minutes: int
    buckets: tuple[Bucket, ...]
    untimed: dict[str, int] = field(default_factory=dict)  # failure class -> events off the chart
    untimed_reconnects: int = 0
    untimed_closes: int = 0
    requested: int | None = None  # --bucket, when given
    widened: bool = False  # the requested size would have made more than MAX_BUCKETS buckets

    @property
    def label(self) -> str:
        return label(self.bucket_minutes)

    def series(self, cls: str | None) -> list[int]:
        """Counts per bucket of one class, of all failures (None), or of `reconnects`."""
        if cls == "reconnects":
            return [b.reconnects for b in self.buckets]
        if cls is None:
            return [b.failures for b in self.buckets]
        return [b.by_class.get(cls, 0) for b in self.buckets]


def _offset(size: int) -> int:
    """Where the buckets of ``size`` minutes begin, past the epoch: weeks on Mondays."""
    return _MONDAY if size % _WEEK == 0 else 0


def _key(minute: int, size: int) -> int:
    return (minute - _offset(size)) // size


def _start(key: int, size: int) -> datetime:
    return _EPOCH + timedelta(minutes=key * size + _offset(size))


def timeline(s: Summary, bucket_minutes: int | None = None, idx: MinuteIndex | None = None) -> Timeline:
    """The timeline of a finished summary; ``bucket_minutes`` overrides the automatic size;
    ``idx``: its minutes read once (:func:`~wsdiag.diagnose.minute_index.index_of`), when at hand."""
    idx = idx if idx is not None else index_of(s)
    untimed = {c: n for c, n in s.untimed.items() if n}
    if idx.lo is None or idx.hi is None:
        return Timeline(
            bucket_minutes or 1,
            (),
            untimed,
            s.untimed_reconnects,
            s.untimed_closes,
            bucket_minutes,
        )
    span = idx.span
    widened = False
    if bucket_minutes is None:
        size = choose_bucket(span)
    else:
        size = bucket_minutes
        if span / size > MAX_BUCKETS:
            size = choose_bucket(span, MAX_BUCKETS)
            widened = True
    counts = _counts(s, idx, size)
    buckets = tuple(
        Bucket(
            _start(k, size),
            size,
            {c: n for c in FAILURE_CLASSES if (n := counts.cells.get((k, c), 0))},
            counts.reconnects.get(k, 0),
            counts.closes.get(k, 0),
            counts.connections.get(k, 0),
        )
        for k in range(_key(idx.lo, size), _key(idx.hi, size) + 1)
    )
    return Timeline(
        size, buckets, untimed, s.untimed_reconnects, s.untimed_closes, bucket_minutes, widened
    )


@dataclass(frozen=True)
class _Counts:
    cells: dict[tuple[int, str], int]  # (bucket key, class) -> failures
    reconnects: dict[int, int]
    closes: dict[int, int]
    connections: dict[int, int]  # bucket key -> distinct connections with a failure


def _counts(s: Summary, idx: MinuteIndex, size: int) -> _Counts:
    """What each bucket key of ``size`` holds (the keys of :func:`_key`)."""
    offset = _offset(size)
    cells: dict[tuple[int, str], int] = {}
    connections: dict[int, int] = {}
    for rows in idx.fails.values():
        last = None  # a connection's rows are in time order: its buckets come one after another
        for minute, cls, n in rows:
            k = (minute - offset) // size
            cells[(k, cls)] = cells.get((k, cls), 0) + n
            if k != last:
                connections[k] = connections.get(k, 0) + 1
                last = k
    reconnects: dict[int, int] = {}
    closes: dict[int, int] = {}
    for minute, m in s.minutes.items():
        k = (minute - offset) // size
        if m.idless:
            for cls, n in m.idless.items():
                cells[(k, cls)] = cells.get((k, cls), 0) + n
        if m.reconnects:
            reconnects[k] = reconnects.get(k, 0) + m.reconnects
        if m.closes:
            closes[k] = closes.get(k, 0) + m.closes
    return _Counts(cells, reconnects, closes, connections)


def squeeze(values: list[int], width: int) -> tuple[list[int], int]:
    """At most ``width`` values, neighbours summed; also how many buckets each one holds."""
    if len(values) <= width or width <= 0:
        return values, 1
    per = -(-len(values) // width)
    return [sum(values[i : i + per]) for i in range(0, len(values), per)], per


def sparkline(values: list[int], width: int) -> str:
    """Values as block characters, ``width`` at most (neighbours summed when squeezed).

    Zero is a blank, any non-zero count at least the lowest block, so one event stays visible.
    """
    values, _ = squeeze(values, width)
    if not values:
        return ""
    top = max(values)
    blocks = "▁▂▃▄▅▆▇█"
    return "".join(" " if v <= 0 else blocks[min(7, -(-v * 8 // top) - 1)] for v in values)
