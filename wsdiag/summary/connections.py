"""What the summary keeps of each connection (a pool slot ``#N``): its failures, reconnects,
closes, topics, outages and Hermes client ids; and the capped set union both use."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from wsdiag.summary.outages import Uptime


@dataclass
class ConnStats:
    """One connection's counts and sets, merged part by part like the summary."""

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


def add_capped(into: set[str], topics: Iterable[str], room: int) -> tuple[int, bool]:
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
