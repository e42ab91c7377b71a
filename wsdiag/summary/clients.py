"""What a log tells about the client that wrote it (FORKS-2026.md): PubSub or Hermes, the
forks of its banners, LISTENs sent redacted, anonymised ids, and whether its reconnects can be
counted at all. :class:`ClientFacts` holds these facts of a :class:`~wsdiag.summary.summary.Summary`
(which feeds them) and merges them with a later part's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from wsdiag.common.words import plural

if TYPE_CHECKING:
    from wsdiag.summary.summary import Summary

MAX_UUIDS = 100_000  # Hermes client ids kept (all connections): one per (re)connect
#: Why `reconnects.count` is null: a Hermes log that shows neither the DEBUG reconnect line nor
#: the client ids a new connection would be told by (FORKS-2026.md 1.5).
RECONNECTS_UNKNOWN = (
    "Hermes logs its reconnects at DEBUG level only and this log has no DEBUG line, so "
    "reconnects cannot be counted (a new client id shows only where a client logged an error)"
)
# Topic suffixes no larger than this are taken for the anonymiser's small integers (real
# Twitch user and channel ids have five digits or more).
ANONYMISED_ID_MAX = 999


@dataclass
class ClientFacts:
    """The client facts of a summary (its base): evidence, derived values, merging."""

    # Which client wrote the log (FORKS-2026.md): evidence of each, see :attr:`client`.
    hermes_seen: bool = False
    pubsub_seen: bool = False
    hermes_reconnect_lines: int = 0  # `Reconnecting to Twitch Hermes server` (DEBUG)
    hermes_debug: bool = False  # a Hermes line at DEBUG level: its reconnect lines would show
    uuid_count: int = 0  # Hermes client ids held in all ConnStats.uuids (at most MAX_UUIDS)
    forks: dict[str, str | None] = field(default_factory=dict)  # fork -> version (banners)
    # PubSub LISTENs sent as their redacted log copy (mpforce1 `redact_secrets=True`).
    redacted_listens: int = 0
    anonymised_seen: bool = False  # the anonymiser's mark: `Received: REDACTED`, paths, `Streamer1`

    @property
    def _summary(self) -> Summary:
        return cast("Summary", self)  # the only subclass: it holds conns, topics, reconnects

    def merge_clients(self, later: ClientFacts) -> None:
        """Add the facts of the part that follows this one."""
        self.hermes_seen = self.hermes_seen or later.hermes_seen
        self.pubsub_seen = self.pubsub_seen or later.pubsub_seen
        self.hermes_reconnect_lines += later.hermes_reconnect_lines
        self.hermes_debug = self.hermes_debug or later.hermes_debug
        self.forks.update(later.forks)
        self.redacted_listens += later.redacted_listens
        self.anonymised_seen = self.anonymised_seen or later.anonymised_seen

    @property
    def client(self) -> str | None:
        """"pubsub", "hermes" or "mixed" by the lines only one client writes; None: unknown."""
        if self.hermes_seen:
            return "mixed" if self.pubsub_seen else "hermes"
        return "pubsub" if self.pubsub_seen else None

    @property
    def uuid_reconnects(self) -> int:
        """Reconnects told by new Hermes client ids on a connection (its first is no reconnect)."""
        return sum(cs.uuid_reconnects for cs in self._summary.conns.values())

    def conn_reconnects(self, conn: int) -> int:
        """One connection's reconnects, as :attr:`reconnect_count` counts them."""
        cs = self._summary.conns[conn]
        return cs.reconnects + (cs.uuid_reconnects if self.hermes_reconnect_lines == 0 else 0)

    @property
    def reconnects_unknown(self) -> str | None:
        """Why reconnects cannot be counted (None: they can): Hermes logs them at DEBUG level
        only. New client ids are no count without DEBUG lines: at INFO a client shows its id
        only when it logs an error, so most reconnections leave no trace (a lower bound
        presented as a count would mislead)."""
        if self.hermes_seen and not (self.hermes_debug or self.hermes_reconnect_lines):
            return RECONNECTS_UNKNOWN
        return None

    @property
    def reconnect_count(self) -> int | None:
        """Reconnects: the `Reconnecting to ...` lines; in a Hermes log without its (DEBUG) line,
        plus those its new client ids show; None when the log cannot show them."""
        if self.reconnects_unknown is not None:
            return None
        return self._summary.reconnects + (self.uuid_reconnects if self.hermes_reconnect_lines == 0 else 0)

    @property
    def anonymised(self) -> bool:
        """Ids replaced by mpforce1's anonymiser: an emptied line or path, a `StreamerN` name, or
        only small-integer ids in the topics (then streamer counts hold for this run only)."""
        if self.anonymised_seen:
            return True
        ids = [t.rsplit(".", 1)[-1] for t in self._summary.topics]
        ids = [i for i in ids if i.isdigit()]
        return bool(ids) and all(int(i) <= ANONYMISED_ID_MAX for i in ids)


def reconnect_words(s: ClientFacts) -> str:
    """`3 reconnects`, or `reconnects unknown` when the log cannot show them."""
    n = s.reconnect_count
    return "reconnects unknown" if n is None else plural(n, "reconnect")
