"""The evidence a diagnosis rests on, built once from a finished Summary.

An expert reading a miner log asks, for every failure, *in which situation* it happened: in a
network-wide outage (many connections down together), on a connection that never came back
(every attempt failing until the log ends), in a stall of the host (the miner's own PING/PONG
watchdogs firing on many connections at once, with no network error near), or alone. That
situation is the failure's :class:`Context`; :attr:`Evidence.cells` counts failures by context
and class, and :mod:`wsdiag.diagnose.causes` attributes them to causes from there.

Besides the failures: the pool size (:mod:`wsdiag.diagnose.pool`), the finer kinds of TLS and
refusal failures (``Summary.hints``), the close loop (connections closing and reconnecting with
no error line, :class:`Loop`), the network-wide outages (:mod:`wsdiag.diagnose.cascades`) and the
per-connection health (:mod:`wsdiag.diagnose.health`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum

from wsdiag.diagnose.cascades import WINDOW, Cascades, cascades, floor_for
from wsdiag.diagnose.health import Health, health
from wsdiag.diagnose.limits import Limits, limits
from wsdiag.diagnose.minute_index import Fails, MinuteIndex, index_of
from wsdiag.diagnose.pool import pool_of
from wsdiag.diagnose.thresholds import Thresholds
from wsdiag.parse.records import (
    NETWORK_CLASSES,
    NOT_CONNECTION_FAILURES,
    WATCHDOG_CLASSES,
)
from wsdiag.summary.minutes import minute_of
from wsdiag.summary.summary import Summary

# A failed attempt follows the one before by the miner's reconnect delay (~30 s), the connect
# timeout (up to ~2 min) or a `Retry after Xm` of 1-3 minutes: failures of one connection this
# many minutes apart (or less) are one unbroken run; a longer gap means the socket was up between.
PERSIST_GAP = 4
PERSIST_MIN = 3  # failures in a run that reaches the log's end: the failure never went away
PERSIST_MIN_FROM_START = 2  # ... or this many, when the run began with the log (never connected)
LOOP_WINDOW = 15  # minutes in which the closes of a close loop come ...
LOOP_MIN = 3  # ... in at least this many distinct minutes
_EPOCH = datetime(1970, 1, 1)


class Context(str, Enum):
    """The situation a failure happened in."""

    NETWORK_OUTAGE = "network-outage"  # a network-wide outage (cascade of kind network)
    HOST_OUTAGE = "host-outage"  # a cascade of missed PINGs/PONGs (kind host)
    SERVER = "server"  # Twitch told many connections to reconnect at once
    PERSISTENT = "persistent"  # a connection failing at every attempt until the log ends
    STALL = "stall"  # watchdogs on many connections together, no network error near
    ISOLATED = "isolated"  # none of the above


def at(minute: int) -> datetime:
    """The start of a minute key of :attr:`Summary.minutes`."""
    return _EPOCH + timedelta(minutes=minute)


@dataclass(frozen=True)
class Run:
    """A connection failing at every attempt from ``first`` until the log ends."""

    conn: int
    first: int  # minute keys of the run's first and last failure
    last: int
    by_class: dict[str, int]
    from_start: bool  # the run starts with the log: the connection never connected
    minutes: frozenset[int] = field(repr=False)

    @property
    def failures(self) -> int:
        return sum(self.by_class.values())

    @property
    def top_class(self) -> str:
        return max(self.by_class.items(), key=lambda kv: kv[1])[0]


@dataclass(frozen=True)
class Stall:
    """PING/PONG watchdogs on many connections within a few minutes, with no network error."""

    first: int  # minute keys
    last: int
    connections: tuple[int, ...]
    failures: int
    cells: frozenset[tuple[int, int, str]] = field(repr=False)


@dataclass(frozen=True)
class Loop:
    """`WebSocket closed` + `Reconnecting` with no failure before them, again and again."""

    closes: int  # such closes in the whole log
    minutes: int  # distinct minutes they fell in
    first: datetime | None
    last: datetime | None
    connections: tuple[int, ...]  # connections with more closes than failures (when known)


@dataclass(frozen=True)
class Evidence:
    summary: Summary
    thresholds: Thresholds
    limits: Limits
    cascades: Cascades
    health: dict[int, Health]
    pool: int | None
    hours: float | None
    cells: dict[tuple[Context, str], int]  # failures by context and class
    runs: tuple[Run, ...]
    stalls: tuple[Stall, ...]
    loop: Loop | None
    conns_by_class: dict[str, frozenset[int]]  # the connections that had each class

    @property
    def by_class(self) -> Counter[str]:
        return self.summary.by_class

    @property
    def hints(self) -> Counter[str]:
        return self.summary.hints

    def count(self, *classes: str) -> int:
        return sum(self.summary.by_class.get(c, 0) for c in classes)

    def rate(self, n: int) -> float | None:
        """``n`` per hour of log (None without a span)."""
        return None if not self.hours else n / self.hours

    def frequent(self, n: int, least: int, per_hour: float) -> bool:
        """At least ``least`` events, and (when the log has a span) at ``per_hour`` or more."""
        rate = self.rate(n)
        return n >= least and (rate is None or rate >= per_hour)

    @classmethod
    def of(
        cls,
        s: Summary,
        th: Thresholds | None = None,
        cas: Cascades | None = None,
        hs: dict[int, Health] | None = None,
        lim: Limits | None = None,
        idx: MinuteIndex | None = None,
    ) -> Evidence:
        th = th or Thresholds()
        idx = idx if idx is not None else index_of(s)
        cas = cas if cas is not None else cascades(s, idx)
        hs = hs if hs is not None else health(s)
        lim = lim if lim is not None else limits(s, th)
        rows = idx.fails
        runs = _runs(s, rows)
        in_cascade = {cell: _CASCADE_CONTEXT[c.kind] for c in cas.items for cell in c.cells}
        stalls = _stalls(s, rows, in_cascade)
        cells, conns = _place(rows, in_cascade, runs, stalls)
        _place_unseen(s, cells, conns)
        return cls(
            s,
            th,
            lim,
            cas,
            hs,
            pool_of(s),
            s.span_hours,
            {k: n for k, n in cells.items() if n},
            runs,
            stalls,
            _loop(s, idx),
            {k: frozenset(v) for k, v in conns.items()},
        )


_CASCADE_CONTEXT = {"network": Context.NETWORK_OUTAGE, "host": Context.HOST_OUTAGE, "server": Context.SERVER}


def _place(
    rows: Fails,
    in_cascade: dict[tuple[int, int, str], Context],
    runs: tuple[Run, ...],
    stalls: tuple[Stall, ...],
) -> tuple[Counter[tuple[Context, str]], dict[str, set[int]]]:
    """The failures of each (context, class) cell, and the connections of each class."""
    stalled = {cell for st in stalls for cell in st.cells}
    persistent = {r.conn: r.minutes for r in runs}
    cells: Counter[tuple[Context, str]] = Counter()
    conns: dict[str, set[int]] = {}
    for conn, rs in rows.items():
        for kls in {kls: None for _, kls, _ in rs}:  # each class once, in the order they came
            conns.setdefault(kls, set()).add(conn)
        run = persistent.get(conn, frozenset())
        for k, kls, n in rs:
            cell = (k, conn, kls)
            where = in_cascade.get(cell)
            if where is None:
                if k in run and kls not in NOT_CONNECTION_FAILURES:
                    where = Context.PERSISTENT
                elif cell in stalled:
                    where = Context.STALL
                else:
                    where = Context.ISOLATED
            cells[(where, kls)] += n
    return cells, conns


def _place_unseen(s: Summary, cells: Counter[tuple[Context, str]], conns: dict[str, set[int]]) -> None:
    """Failures without a connection id or a minute: alone, as far as anyone can tell; and the
    connections of failures past the timeline's cap."""
    placed = Counter[str]()
    for (_, kls), n in cells.items():
        placed[kls] += n
    for kls, n in s.by_class.items():
        if n > placed[kls]:
            cells[(Context.ISOLATED, kls)] += n - placed[kls]
    for conn, cs in s.conns.items():
        for kls, n in cs.by_class.items():
            if n:
                conns.setdefault(kls, set()).add(conn)


def _runs(s: Summary, rows: Fails) -> tuple[Run, ...]:
    """Connections whose failures go on, unbroken, until the log ends.

    A run is the connection's last stretch of failures with at most PERSIST_GAP minutes between
    them, the last within PERSIST_GAP of the log's end, and no LISTEN (a sign the socket came up)
    after its first minute. It says the failure never went away when it has PERSIST_MIN failures,
    or two from the start of the log (the connection never connected).
    """
    if s.first is None or s.last is None:
        return ()
    start, end = minute_of(s.first), minute_of(s.last)
    out: list[Run] = []
    for conn, all_rs in sorted(rows.items()):
        rs = [r for r in all_rs if r[1] not in NOT_CONNECTION_FAILURES]
        if not rs or end - rs[-1][0] > PERSIST_GAP:
            continue
        i = len(rs) - 1
        while i > 0 and rs[i][0] - rs[i - 1][0] <= PERSIST_GAP:
            i -= 1
        run = rs[i:]
        first = run[0][0]
        cs = s.conns.get(conn)
        up = cs.uptime.last_up if cs is not None else None
        if up is not None and minute_of(up) > first:
            continue  # it came up again after the run began
        by_class: Counter[str] = Counter()
        for _, kls, n in run:
            by_class[kls] += n
        failures = sum(by_class.values())
        from_start = first - start <= PERSIST_GAP
        if failures >= PERSIST_MIN or (failures >= PERSIST_MIN_FROM_START and from_start):
            minutes = frozenset(k for k, _, _ in run)
            out.append(Run(conn, first, run[-1][0], dict(by_class), from_start, minutes))
    return tuple(out)


def _stalls(
    s: Summary,
    rows: Fails,
    in_cascade: dict[tuple[int, int, str], Context],
) -> tuple[Stall, ...]:
    """Watchdog failures (missed PONGs, PINGs not sent) on at least half the pool (all of a
    pool of 2-3) within WINDOW minutes, with no network failure from WINDOW minutes before to
    WINDOW minutes after: the whole host went quiet (sleep, CPU starvation), not the link."""
    dogs = sorted(
        (k, conn, kls, n)
        for conn, rs in rows.items()
        for k, kls, n in rs
        if kls in WATCHDOG_CLASSES and (k, conn, kls) not in in_cascade
    )
    if not dogs:
        return ()
    need = max(2, floor_for(len(s.ids)))
    groups: list[list[tuple[int, int, str, int]]] = [[dogs[0]]]
    for d in dogs[1:]:
        if d[0] - groups[-1][0][0] < WINDOW:
            groups[-1].append(d)
        else:
            groups.append([d])
    out: list[Stall] = []
    for g in groups:
        conns = {conn for _, conn, _, _ in g}
        if len(conns) < need:
            continue
        lo, hi = g[0][0] - WINDOW, g[-1][0] + WINDOW
        near = (s.minutes.get(k) for k in range(lo, hi + 1))
        noisy = any(m.by_class.get(c, 0) for m in near if m is not None for c in NETWORK_CLASSES)
        if noisy:
            continue
        out.append(
            Stall(
                g[0][0],
                g[-1][0],
                tuple(sorted(conns)),
                sum(n for *_, n in g),
                frozenset((k, conn, kls) for k, conn, kls, _ in g),
            )
        )
    return tuple(out)


def _loop(s: Summary, idx: MinuteIndex) -> Loop | None:
    """Closes the miner followed with `Reconnecting` although no failure came before them.

    Per minute: min(closes, reconnects) less the failures of that minute and the one before
    (a failure is followed by its close and reconnect within seconds). A loop when such closes
    fall in LOOP_MIN distinct minutes within LOOP_WINDOW minutes. A log without times falls back
    on the per-connection counts: LOOP_MIN closes beyond the failures on one connection.
    """
    bare: list[tuple[int, int]] = []  # (minute, closes)
    prev_key, prev_failures = None, 0
    minutes = s.minutes
    for k, failures in zip(idx.keys, idx.failures, strict=True):
        m = minutes[k]
        if m.closes and m.reconnects:  # else no close went without a failure
            before = prev_failures if prev_key == k - 1 else 0
            n = min(m.closes, m.reconnects) - failures - before
            if n > 0:
                bare.append((k, n))
        prev_key, prev_failures = k, failures
    extra = {
        conn: min(cs.closes, cs.reconnects) - sum(cs.by_class.values())
        for conn, cs in s.conns.items()
    }
    loopers = tuple(sorted(c for c, n in extra.items() if n > 0))
    dense = False
    j = 0
    for i in range(len(bare)):
        while bare[i][0] - bare[j][0] >= LOOP_WINDOW:
            j += 1
        if i - j + 1 >= LOOP_MIN:
            dense = True
            break
    if dense:
        closes = sum(n for _, n in bare)
        return Loop(closes, len(bare), at(bare[0][0]), at(bare[-1][0]), loopers)
    if not s.minutes and any(n >= LOOP_MIN for n in extra.values()):
        closes = sum(n for n in extra.values() if n > 0)
        return Loop(closes, 0, None, None, loopers)
    return None
