"""Per-connection health from the outage history a finished Summary keeps for each connection.

Definitions (the observed window is the log's span, first to last record):

* an **outage** runs from a connection's first sign of trouble (an error, a failure line,
  ``Reconnecting``; a ``WebSocket closed`` only extends one) to its recovery: the next LISTEN it
  sends (DEBUG logs) or, without one, the time the miner opens the new socket (~30 s after
  ``Reconnecting``, X minutes after ``Retry after Xm``); signs within a minute of that recovery
  mean the new socket failed too (same outage);
  watchdog lines (``The last PONG was received more than 5 minutes ago``) start the outage
  those minutes earlier (see :mod:`wsdiag.summary.outages`);
* ``down_seconds``: the total length of its outages, clipped to the window;
* ``uptime_ratio`` = 1 - down_seconds / window seconds (None when the window is empty);
* ``mtbf_seconds`` (mean time between failures) = up seconds / outages (None without outages).
"""

from __future__ import annotations

from dataclasses import dataclass

from wsdiag.parse.records import FAILURE_CLASSES
from wsdiag.summary.outages import Outage
from wsdiag.summary.summary import Summary


@dataclass(frozen=True)
class Health:
    """One connection's failures, reconnects and outages over the log's window."""

    conn: int
    by_class: dict[str, int]
    reconnects: int | None  # None: the log cannot show reconnects (Summary.reconnects_unknown)
    closes: int
    topics: int | None
    outages: int
    down_seconds: float
    window_seconds: float
    longest_outage_seconds: float
    down_at_end: bool  # the log ends inside an outage of this connection

    @property
    def failures(self) -> int:
        return sum(self.by_class.values())

    @property
    def up_seconds(self) -> float:
        return max(0.0, self.window_seconds - self.down_seconds)

    @property
    def uptime_ratio(self) -> float | None:
        if self.window_seconds <= 0:
            return None
        return max(0.0, min(1.0, 1.0 - self.down_seconds / self.window_seconds))

    @property
    def mtbf_seconds(self) -> float | None:
        if not self.outages or self.window_seconds <= 0:
            return None
        return self.up_seconds / self.outages

    @property
    def top_class(self) -> str | None:
        if not self.by_class:
            return None
        return max(self.by_class.items(), key=lambda kv: (kv[1], -FAILURE_CLASSES.index(kv[0])))[0]

    def to_dict(self) -> dict[str, object]:
        ratio = self.uptime_ratio
        mtbf = self.mtbf_seconds
        return {
            "failures": self.failures,
            "by_class": dict(self.by_class),
            "reconnects": self.reconnects,
            "outages": self.outages,
            "down_seconds": round(self.down_seconds, 1),
            "up_seconds": round(self.up_seconds, 1),
            "uptime_ratio": None if ratio is None else round(ratio, 4),
            "longest_outage_seconds": round(self.longest_outage_seconds, 1),
            "mtbf_seconds": None if mtbf is None else round(mtbf, 1),
            "down_at_end": self.down_at_end,
            "topics": self.topics,
        }


_RANK: dict[str, int] = {c: i for i, c in enumerate(FAILURE_CLASSES)}


def _order(item: tuple[str, int]) -> int:
    return _RANK.get(item[0], len(_RANK))


def health(s: Summary) -> dict[int, Health]:
    """Health of every connection id seen, by id."""
    lo, hi = s.first, s.last
    window = 0.0 if lo is None or hi is None else max(0.0, (hi - lo).total_seconds())
    known = s.reconnects_unknown is None
    out: dict[int, Health] = {}
    for conn in sorted(s.ids | set(s.conns)):
        cs = s.conns.get(conn)
        if cs is None:
            out[conn] = Health(conn, {}, 0 if known else None, 0, None, 0, 0.0, window, 0.0, False)
            continue
        up = cs.uptime
        outages, down, longest = up.outages, up.down, up.longest
        # The head and tail outages are still open to merging: counted here, once if one.
        edges: list[Outage] = [o for o in (up.head, up.tail) if o is not None]
        if up.head is up.tail:
            edges = edges[:1]
        for o in edges:
            secs = o.seconds(lo, hi)
            outages += 1
            down += secs
            longest = max(longest, secs)
        by_class = {c: n for c, n in sorted(cs.by_class.items(), key=_order) if n}
        out[conn] = Health(
            conn,
            by_class,
            s.conn_reconnects(conn) if known else None,  # as reconnects.count counts them
            cs.closes,
            len(cs.topics) if cs.topics else None,
            outages,
            min(down, window) if window else down,
            window,
            longest,
            up.tail is not None and up.tail.open and hi is not None and up.tail.end > hi,
        )
    return out


def worst_first(hs: dict[int, Health]) -> list[Health]:
    """Lowest uptime first, then most failures, most reconnects, lowest id."""
    return sorted(
        hs.values(),
        key=lambda h: (
            h.uptime_ratio if h.uptime_ratio is not None else 1.0,
            -h.failures,
            -(h.reconnects or 0),
            h.conn,
        ),
    )
