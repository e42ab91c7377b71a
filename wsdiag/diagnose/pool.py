"""The one definition of the pool that every per-connection rate divides by.

The pool is the miner's number of PubSub connections: its slots are numbered ``#0`` to
``#N-1`` and a reconnect reuses its slot, so the pool size is the highest id seen + 1
(``connections.pool_size``). Counting only the ids that show up would undercount it in an INFO
log, where a connection is named only when it fails. Findings, the healthy-log table, ``compare``
and ``watch`` all divide by this number.
"""

from __future__ import annotations

from wsdiag.summary.summary import Summary

#: How reports name the divisor of per-connection rates.
DEFINITION = "per connection = per slot of the pool (highest connection id + 1)"


def pool_of(s: Summary) -> int | None:
    """The pool size, or None when no connection id was seen."""
    return s.pool_size


def per_connection_hour(n: int, s: Summary) -> float | None:
    """``n`` events per connection of the pool per hour of log (None without a span or ids)."""
    hours, pool = s.span_hours, pool_of(s)
    if not hours or hours <= 0 or not pool:
        return None
    return n / hours / pool


def divisor(s: Summary) -> str:
    """`per connection = per slot of the pool: 37 (highest connection id #36 + 1)`."""
    pool = pool_of(s)
    if pool is None:
        return f"{DEFINITION}: unknown (no connection id)"
    return f"per connection = per slot of the pool: {pool} (highest connection id #{pool - 1} + 1)"


def describe(s: Summary) -> str:
    """`the pool of 37 connections (ids up to #36)`, for evidence lines."""
    pool = pool_of(s)
    if pool is None:
        return "no connection ids"
    word = "connection" if pool == 1 else "connections"
    return f"the pool of {pool} {word} (ids up to #{pool - 1})"
