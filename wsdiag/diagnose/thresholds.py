"""The limits the diagnosis uses: one value each, every one settable on the command line."""

from __future__ import annotations

from dataclasses import dataclass

#: Severities, most severe first.
SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Thresholds:
    """Limits the causes and symptoms use; every one can be overridden on the command line."""

    max_connections: int = 10  # Twitch: at most 10 PubSub connections per IP
    topics_per_connection: int = 50  # Twitch: at most 50 topics per connection
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
    return SEVERITIES.index(severity) <= SEVERITIES.index(floor)
