"""The minutes of a finished Summary read once, in time order, into what cascades, evidence and
the timeline all need: each connection's failure cells and outage onsets, the connections whose
outage each minute began (by cause), and each minute's failures.

Every one of those used to walk all minutes on its own (five passes over tens of thousands of
them); the diagnosis builds this once and hands it to each (see ``Diagnosis.of``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

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
        for conn, cls, n in _cells(m.packed_cells):
            try:
                fails[conn].append((k, cls, n))
            except KeyError:
                fails[conn] = [(k, cls, n)]
            total += n
        failures.append(total)
        o = m.packed_onsets
        if not o:
            continue
        for conn, cause in _pairs(o):
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


# The packed tuples of a Minute are read here, not through Minute.cell_items()/onset_items():
# those slice and zip each tuple, which costs half this pass over tens of thousands of minutes.
# Most minutes hold one cell and one onset: the packed tuple is then itself that row.
_CELL, _ONSET = 3, 2  # fields of a packed cell (conn, class, failures), onset (conn, cause)


def _cells(c: tuple[Any, ...] | Mapping[tuple[int, str], int]) -> Iterable[tuple[int, str, int]]:
    """(conn, class, failures) rows of Minute.packed_cells."""
    if not isinstance(c, tuple):
        return ((conn, cls, n) for (conn, cls), n in c.items())
    if len(c) == _CELL:
        return (c,)
    it = iter(c)
    return zip(it, it, it, strict=False)  # whole triples by construction


def _pairs(o: tuple[Any, ...] | Mapping[int, str]) -> Iterable[tuple[int, str]]:
    """(conn, cause) pairs of Minute.packed_onsets."""
    if not isinstance(o, tuple):
        return o.items()
    if len(o) == _ONSET:
        return (o,)
    it = iter(o)
    return zip(it, it, strict=False)  # whole pairs by construction
