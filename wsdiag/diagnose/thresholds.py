"""The limits the diagnosis uses: one value each, every one settable on the command line."""

from __future__ import annotations

from dataclasses import dataclass

from wsdiag.common.choices import StrEnum


class Severity(StrEnum):
    """How much a finding matters. Ordered by how severe: ``Severity.ERROR > Severity.WARNING``;
    a plain str compares as the severity it names."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for the most severe."""
        return SEVERITIES.index(self)

    def _other(self, other: object) -> int:
        if not isinstance(other, str):
            raise TypeError(f"cannot order a Severity and {type(other).__name__}")
        return Severity(other).rank

    # A lower rank is more severe, so the comparisons run the other way round from rank's.
    def __lt__(self, other: object) -> bool:
        return self.rank > self._other(other)

    def __le__(self, other: object) -> bool:
        return self.rank >= self._other(other)

    def __gt__(self, other: object) -> bool:
        return self.rank < self._other(other)

    def __ge__(self, other: object) -> bool:
        return self.rank <= self._other(other)

    __hash__ = StrEnum.__hash__


#: Severities, most severe first.
SEVERITIES: tuple[Severity, ...] = tuple(Severity)
#: Twitch's own rules; the defaults of the options that set them.
TWITCH_MAX_CONNECTIONS = 10  # PubSub connections per IP
TWITCH_TOPICS_PER_CONNECTION = 50
#: Network-wide outages make network instability an error (not a warning) when there are at
#: least this many and they hold at least this share of all failures.
OUTAGES_FOR_ERROR = 3
OUTAGE_SHARE_FOR_ERROR = 0.5


@dataclass(frozen=True)
class Thresholds:
    """Limits the causes and symptoms use; every one can be overridden on the command line."""

    max_connections: int = TWITCH_MAX_CONNECTIONS
    topics_per_connection: int = TWITCH_TOPICS_PER_CONNECTION
    network_min: int = 3  # network (or TLS) failures before a rate of them means something
    network_error_per_hour: float = 10.0
    ping_min: int = 3  # ping/pong failures before ping-pong-failures is reported
    ping_error_per_hour: float = 10.0
    storm_min: int = 5  # reconnects before a storm can be declared
    storm_per_conn_hour: float = 6.0  # reconnects per connection per hour
    storm_error_per_conn_hour: float = 30.0
    storm_pool_per_hour: float = 12.0  # reconnects per hour across the pool (one every 5 min)
    storm_error_pool_per_hour: float = 60.0


def at_least(severity: str, floor: str) -> bool:
    """Whether ``severity`` is ``floor`` or more severe."""
    return Severity(severity) >= Severity(floor)


def connection_rule(th: Thresholds) -> str:
    """`Twitch allows 10 per IP`, or the user's own limit (--max-connections) named as theirs:
    a limit given on the command line is never presented as Twitch's rule."""
    if th.max_connections == TWITCH_MAX_CONNECTIONS:
        return f"Twitch allows {TWITCH_MAX_CONNECTIONS} per IP"
    return (
        f"your limit is {th.max_connections} (--max-connections; Twitch allows "
        f"{TWITCH_MAX_CONNECTIONS} per IP)"
    )


def connection_limit(th: Thresholds) -> str:
    """`Twitch's limit of 10`, or `your limit of 20 (--max-connections)`."""
    if th.max_connections == TWITCH_MAX_CONNECTIONS:
        return f"Twitch's limit of {TWITCH_MAX_CONNECTIONS}"
    return f"your limit of {th.max_connections} (--max-connections)"
