"""The minutes of a finished Summary read once, in time order, into what cascades, evidence and
the timeline all need: each connection's failure cells and outage onsets, the connections whose
outage each minute began (by cause), and each minute's failures.

Every one of those used to walk all minutes on its own (five passes over tens of thousands of
them); the diagnosis builds this once and hands it to each (see ``Diagnosis.of``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from wsdiag.summary.minutes import minute_of
from wsdiag.summary.summary import Summary

#: Connection -> its failure cells (minute, class, failures), in time order.
Fails = dict[int, list[tuple[int, str, int]]]


@dataclass(frozen=True)
class MinuteIndex:
    keys: list[int]  # minute keys with events, in time order
    failures: list[int]  # failures of each of those minutes, with a connection id or without
    fails: Fails
    onsets: dict[int, list[int]]  # connection -> minutes its outages began, in time order
    # outage cause -> minute -> connections whose outage of that cause began then, in time order
    by_cause: dict[str, dict[int, set[int]]]
    # The first and last minute of the minutes and the log's first and last record (None: none).
    lo: int | None
    hi: int | None

    @property
    def span(self) -> int:
        """Minutes from the first to the last, both counted (0 without any)."""
        return 0 if self.lo is None or self.hi is None else self.hi - self.lo + 1


def index_of(s: Summary) -> MinuteIndex:
    """One pass over the minutes of ``s``, in time order."""
    keys = sorted(s.minutes)
    failures: list[int] = []
    fails: Fails = {}
    onsets: dict[int, list[int]] = {}
    by_cause: dict[str, dict[int, set[int]]] = {}
    minutes = s.minutes
    for k in keys:
        m = minutes[k]
        total = sum(m.idless.values()) if m.idless else 0
        # The packed tuples are read here, not through Minute.cell_items()/onset_items(): a
        # call per minute would cost a quarter of this pass over tens of thousands of minutes.
        # They hold whole triples (pairs); a strict zip would cost another tenth.
        c = m.packed_cells
        cells = zip(it := iter(c), it, it, strict=False) if isinstance(c, tuple) else _rows(c)
        for conn, cls, n in cells:
            try:
                fails[conn].append((k, cls, n))
            except KeyError:
                fails[conn] = [(k, cls, n)]
            total += n
        failures.append(total)
        o = m.packed_onsets
        if not o:
            continue
        for conn, cause in zip(it := iter(o), it, strict=False) if isinstance(o, tuple) else o.items():
            try:
                onsets[conn].append(k)
            except KeyError:
                onsets[conn] = [k]
            begun = by_cause.get(cause)
            if begun is None:
                begun = by_cause[cause] = {}
            conns = begun.get(k)
            if conns is None:
                begun[k] = {conn}
            else:
                conns.add(conn)
    edges = [minute_of(t) for t in (s.first, s.last) if t is not None]
    if keys:
        edges += (keys[0], keys[-1])
    lo, hi = (min(edges), max(edges)) if edges else (None, None)
    return MinuteIndex(keys, failures, fails, onsets, by_cause, lo, hi)


def _rows(cells: Mapping[tuple[int, str], int]) -> Iterator[tuple[int, str, int]]:
    return ((conn, cls, n) for (conn, cls), n in cells.items())
