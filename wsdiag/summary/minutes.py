"""Minutes with events: the per-minute counts that timelines, cascades and same-run detection read.

A :class:`Minute` holds the failures (by connection and class), reconnects, closes and outage
onsets of one minute of log time, packed small (a long log holds tens of thousands of them), and
a signature of its events (:func:`mark`) that is equal in two logs of the same run.
"""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from wsdiag.parse.records import FAILURE_CLASSES

_EPOCH = datetime(1970, 1, 1)
#: The slot :func:`mark` gives an event without a connection id: above every plausible id.
NO_CONN = 100_000


def minute_of(t: datetime) -> int:
    """The key of the minute ``t`` falls in (minutes since 1970)."""
    return int((t - _EPOCH).total_seconds() // 60)


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
    slot = conn if conn is not None else NO_CONN
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
    # connection -> (reconnects, closes) this minute: conn, reconnects, closes, ... or a dict
    packed_moves: tuple[Any, ...] | dict[int, tuple[int, int]] = ()
    # (connection or None, signature) -> failures: the finer kinds (classify.signature)
    hints: Counter[tuple[int | None, str]] | None = None
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

    __hash__ = None  # type: ignore[assignment]  # mutable: equal minutes may not hash alike

    def __reduce__(self) -> tuple[type[Minute], tuple[Any, ...]]:
        """Pickled (a forked worker sends its summary) and deep-copied as its fields in order:
        the default for slots pickles a dict of their names per minute, a quarter slower to
        dump and load (and a third bigger) for the tens of thousands a long log holds."""
        return (Minute, _fields_of(self))

    def _facts(self) -> tuple[object, ...]:
        idless = +Counter(self.idless) if self.idless else Counter[str]()
        cells, onsets, moves = dict(self.cells), dict(self.onsets), dict(self.moves)
        hints = +Counter(self.hints) if self.hints else Counter[tuple[int | None, str]]()
        facts = (self.reconnects, self.closes, cells, idless, onsets, moves, hints)
        return (*facts, self.first, self.last, self.sig)

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

    @property
    def moves(self) -> Mapping[int, tuple[int, int]]:
        """Connection -> (reconnects, closes) this minute."""
        o = self.packed_moves
        if isinstance(o, tuple):
            return {c: (r, k) for c, r, k in zip(o[0::3], o[1::3], o[2::3], strict=True)}
        return o

    def moved(self, conn: int, reconnect: bool, n: int = 1) -> None:
        """``n`` reconnects (``reconnect``) or closes of ``conn``."""
        r, k = (n, 0) if reconnect else (0, n)
        self._moves(conn, r, k)

    def _moves(self, conn: int, r: int, k: int) -> None:
        o = self.packed_moves
        if isinstance(o, tuple):
            for i in range(0, len(o), 3):
                if o[i] == conn:
                    self.packed_moves = (*o[:i], conn, o[i + 1] + r, o[i + 2] + k, *o[i + 3 :])
                    return
            if len(o) < 3 * _FEW:
                self.packed_moves = (*o, conn, r, k)
                return
            o = self.packed_moves = dict(self.moves)
        had = o.get(conn, (0, 0))
        o[conn] = (had[0] + r, had[1] + k)

    def hinted(self, conn: int | None, sig: str, n: int = 1) -> None:
        """``n`` failures of the finer kind ``sig`` on ``conn``."""
        if self.hints is None:
            self.hints = Counter()
        self.hints[(conn, sig)] += n

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
        for conn, (r, k) in other.moves.items():
            self._moves(conn, r, k)
        if other.hints:
            if self.hints is None:
                self.hints = Counter()
            self.hints.update(other.hints)
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


#: A minute's fields in the order Minute() takes them (see Minute.__reduce__).
_fields_of = operator.attrgetter(*(f.name for f in fields(Minute)))
