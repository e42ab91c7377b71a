"""Cascades: many connections going down together, the signature of a host- or network-wide event.

When the operator's network drops, every connection of the pool starts an outage within a minute
or two; when Twitch or an overloaded host is the cause, failures hit single connections spread
over time. A *cascade* is a window of :data:`WINDOW` minutes in which at least half of the
connections seen (at least 3; all of a pool of 2 or 3) start an outage, and either

* more of them than the log's background rate of outage onsets explains by chance (binomial
  tail over the connections, times the number of windows in the log, below
  :data:`FALSE_ALARMS`; the background is measured outside candidate bursts), or
* that many of them then report ``No internet connection available!``: the miner's own check
  confirms the host was offline, however busy the rest of the log is.

Onsets are counted per connection (an outage's first sign, see :mod:`wsdiag.summary.outages`), so the
close/reconnect loop of one connection or the ``No internet connection available!`` retries of
an outage never start a cascade themselves. Those retries, and every other failure of a
connection until its next outage begins (or until it has been quiet for :data:`FOLLOW_GAP`
minutes), belong to the cascade that took the connection down.
"""

from __future__ import annotations

import bisect
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from wsdiag.diagnose.minute_index import Fails, MinuteIndex, index_of
from wsdiag.diagnose.windows import distinct_counts, window_ends
from wsdiag.parse.records import FAILURE_CLASSES, PING_CLASSES, FailureClass
from wsdiag.summary.summary import Summary

WINDOW = 3  # minute buckets in which the onsets of one cascade must fall
SHARE = 0.5  # of the connections seen
FALSE_ALARMS = 0.01  # expected chance cascades in the whole log that we accept
FOLLOW_GAP = 5  # quiet minutes after which a connection's later failures are a new story
MIN_FLOOR = 3  # connections a cascade needs at the least (all of a smaller pool)
MIN_POOL = 2  # one connection alone never makes a cascade
RATE_ROUNDS = 5  # times the background rate is measured again without the bursts found
_EPOCH = datetime(1970, 1, 1)


@dataclass(frozen=True)
class Cascade:
    start: datetime
    end: datetime
    connections: tuple[int, ...]
    by_class: dict[str, int]
    kind: str  # network | host | server: what the failure classes point to
    confirmed: int = 0  # connections whose outage reported "No internet connection available!"
    # The (minute, connection, class) failure cells it took, for the diagnosis to attribute.
    cells: frozenset[tuple[int, int, str]] = field(default=frozenset(), compare=False, repr=False)

    @property
    def failures(self) -> int:
        return sum(self.by_class.values())

    def to_dict(self) -> dict[str, object]:
        return {
            "start": self.start.isoformat(timespec="seconds"),
            "end": self.end.isoformat(timespec="seconds"),
            "connections": list(self.connections),
            "by_class": dict(self.by_class),
            "failures": self.failures,
            "kind": self.kind,
            "no_internet_connections": self.confirmed,
        }


@dataclass(frozen=True)
class Cascades:
    items: tuple[Cascade, ...] = ()
    explained: int = 0  # failures that belong to a cascade
    total: int = 0  # all failures of the summary
    needed: int | None = None  # connections a window needs by coincidence alone (None: never)

    @property
    def share(self) -> float | None:
        return None if not self.total else self.explained / self.total

    def by_class(self) -> Counter[str]:
        out: Counter[str] = Counter()
        for c in self.items:
            out.update(c.by_class)
        return out


def floor_for(pool: int) -> int:
    """Connections that must go down together, whatever the background: half (at least 3)."""
    if pool <= MIN_FLOOR:
        return pool
    return max(MIN_FLOOR, math.ceil(pool * SHARE))


def binomial_tail(n: int, p: float, k: int) -> float:
    """P(X >= k) for X ~ Binomial(n, p)."""
    if k <= 0:
        return 1.0
    if k > n or p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    lp, lq = math.log(p), math.log1p(-p)
    top = math.lgamma(n + 1)
    total = 0.0
    for i in range(k, n + 1):
        term = math.exp(top - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * lp + (n - i) * lq)
        total += term
        # Past the mode the terms only shrink: stop once they no longer count.
        if i > n * p and term <= total * 1e-12:
            break
    return min(1.0, total)


def coincidence_needed(pool: int, rate: float, windows: float) -> int | None:
    """Fewest connections whose onsets in one window the background rate cannot explain.

    ``rate`` is onsets per connection per minute; ``windows`` the number of windows in the log.
    None when even the whole pool could fall together by chance.
    """
    p = 1.0 - math.exp(-rate * WINDOW)
    lo, hi = floor_for(pool), pool
    if windows * binomial_tail(pool, p, hi) > FALSE_ALARMS:
        return None
    while lo < hi:  # the tail falls as k grows: bisect (a hostile log may have 100,000 ids)
        mid = (lo + hi) // 2
        if windows * binomial_tail(pool, p, mid) <= FALSE_ALARMS:
            hi = mid
        else:
            lo = mid + 1
    return lo


def _bursts(
    keys: list[int], ends: list[int], counts: list[int], needed: int | None, net: list[int] | None, floor: int
) -> set[int]:
    """Onset minutes in a window of WINDOW minutes that holds a cascade: ``counts`` connections
    began an outage in the window of each key (:mod:`wsdiag.diagnose.windows`), ``net`` of them
    confirmed offline."""
    marked: set[int] = set()
    for i, j in enumerate(ends):
        if (needed is not None and counts[i] >= needed) or (net is not None and net[i] >= floor):
            marked.update(keys[i:j])
    return marked


def _kind(family: str, by_class: Counter[str]) -> str:
    if family == "server":
        return "server"
    total = sum(by_class.values())
    if total and sum(by_class.get(c, 0) for c in PING_CLASSES) * 2 >= total:
        return "host"
    return "network"


def _background_needed(
    onsets: dict[int, set[int]], keys: list[int], windows: tuple[list[int], list[int]], pool: int, span: int
) -> int | None:
    """Connections a window needs beyond the background rate of onsets, measured outside the
    bursts it cannot explain: start from all onsets (a bar too high, if anything) and lower it
    while bursts come out of the count."""
    n_onsets = sum(len(v) for v in onsets.values())
    n_windows = max(1.0, span / WINDOW)
    bursts: set[int] = set()
    needed: int | None = None
    for _ in range(RATE_ROUNDS):
        rest = n_onsets - sum(len(onsets[k]) for k in bursts)
        rate = rest / max(1, span - WINDOW * len(bursts)) / pool
        needed = coincidence_needed(pool, rate, n_windows)
        found = _bursts(keys, *windows, needed, None, pool + 1)
        if found == bursts:
            break
        bursts = found
    return needed


def _cores(s: Summary, idx: MinuteIndex) -> tuple[list[tuple[str, list[int]]], int | None]:
    """The onset minutes of each cascade, by family, in time order; and the connections a
    network window needs.

    Network-wide events and Twitch-wide RECONNECTs are told apart: a connection told to
    reconnect by Twitch and another one losing its socket at the same time are no one event.
    Refused LISTENs (bad auth) never make a cascade: that is the login, not the connections.
    """
    pool = len(s.ids)
    floor = floor_for(pool)
    cores: list[tuple[str, list[int]]] = []
    needed_network: int | None = floor
    for family in ("network", "server"):
        onsets = idx.by_cause.get(family)
        if not onsets:
            continue
        keys = sorted(onsets)
        ends = window_ends(keys, WINDOW)
        counts = distinct_counts(keys, ends, onsets)
        net = None
        if family == "network":
            net = distinct_counts(keys, ends, _confirmed(onsets, idx.onsets, idx.fails))
        needed = _background_needed(onsets, keys, (ends, counts), pool, idx.span)
        if family == "network":
            needed_network = needed
        for k in sorted(_bursts(keys, ends, counts, needed, net, floor)):
            if cores and cores[-1][0] == family and k - cores[-1][1][-1] < WINDOW:
                cores[-1][1].append(k)
            else:
                cores.append((family, [k]))
    cores.sort(key=lambda fc: fc[1][0])
    return cores, needed_network


def _follow(
    rows: list[tuple[int, str, int]], core: list[int], nxt: int | None
) -> list[tuple[int, str, int]]:
    """A member's failure cells that belong to the cascade of ``core``: from its first minute
    until the member's next outage, or until it has been quiet for FOLLOW_GAP minutes."""
    m0, m1 = core[0], core[-1]
    prev = m1
    out = []
    for minute, cls, n in rows[bisect.bisect_left(rows, (m0, "", 0)) :]:
        if nxt is not None and minute >= nxt:
            break
        if minute > m1 and minute - prev > FOLLOW_GAP:
            break
        prev = max(prev, minute)
        out.append((minute, cls, n))
    return out


def _cascade(
    s: Summary,
    family: str,
    core: list[int],
    idx: MinuteIndex,
    claimed: set[tuple[int, int, str]],
) -> Cascade:
    """The cascade of one core: its members and the failure cells no earlier cascade took."""
    fails, conn_onsets = idx.fails, idx.onsets
    m0, m1 = core[0], core[-1]
    begun = idx.by_cause[family]
    members = sorted({c for k in core for c in begun[k]})
    by_class: Counter[str] = Counter()
    touched = set(core)
    mine: set[tuple[int, int, str]] = set()
    net = 0
    for conn in members:
        starts = conn_onsets[conn]
        nxt_i = bisect.bisect_right(starts, m1)
        cells = _follow(fails.get(conn, []), core, starts[nxt_i] if nxt_i < len(starts) else None)
        net += any(cls == FailureClass.NO_INTERNET for _, cls, _ in cells)
        for minute, cls, n in cells:
            if (minute, conn, cls) in claimed:
                continue
            claimed.add((minute, conn, cls))
            mine.add((minute, conn, cls))
            by_class[cls] += n
            touched.add(minute)
    firsts = [t for k in core if (t := s.minutes[k].first) is not None]
    lasts = [t for k in touched if (t := s.minutes[k].last) is not None]
    start = min(firsts) if firsts else _EPOCH + timedelta(minutes=m0)
    end = max(lasts) if lasts else _EPOCH + timedelta(minutes=m1 + 1)
    ordered: dict[str, int] = {c: by_class[c] for c in FAILURE_CLASSES if by_class.get(c)}
    kind = _kind(family, by_class)
    return Cascade(start, max(start, end), tuple(members), ordered, kind, net, frozenset(mine))


def cascades(s: Summary, idx: MinuteIndex | None = None) -> Cascades:
    """Cascades of a finished summary, and the share of failures they explain; ``idx``: its
    minutes read once (:func:`~wsdiag.diagnose.minute_index.index_of`), when at hand."""
    total = s.failures_total
    pool = len(s.ids)
    if pool < MIN_POOL:
        return Cascades((), 0, total, None)
    idx = idx if idx is not None else index_of(s)
    if not idx.onsets:
        return Cascades((), 0, total, floor_for(pool))
    cores, needed_network = _cores(s, idx)
    claimed: set[tuple[int, int, str]] = set()
    items = tuple(_cascade(s, family, core, idx, claimed) for family, core in cores)
    explained = sum(x.failures for x in items)
    return Cascades(items, explained, total, needed_network)


def _confirmed(
    onsets: dict[int, set[int]],
    conn_onsets: dict[int, list[int]],
    fails: Fails,
) -> dict[int, set[int]]:
    """Onsets whose connection then reports "No internet connection available!" (the miner's
    own connectivity check) before its next outage: minute -> connections."""
    offline = FailureClass.NO_INTERNET
    out: dict[int, set[int]] = {}
    for conn, starts in conn_onsets.items():
        retries = [m for m, cls, _ in fails.get(conn, ()) if cls == offline]
        if not retries:
            continue
        for i, k in enumerate(starts):  # one outage per minute and connection: the next is i + 1
            if conn not in onsets.get(k, ()):
                continue
            j = bisect.bisect_left(retries, k)
            if (
                j < len(retries)
                and retries[j] - k <= FOLLOW_GAP
                and (i + 1 == len(starts) or retries[j] < starts[i + 1])
            ):
                out.setdefault(k, set()).add(conn)
    return out
