"""This log's headline numbers next to those of a healthy miner log."""

from __future__ import annotations

from dataclasses import dataclass

from wsdiag.diagnose.client import client_facts
from wsdiag.diagnose.evidence import Evidence
from wsdiag.diagnose.pool import per_connection_hour
from wsdiag.parse.records import PING_CLASSES, FailureClass

HEALTHY_RECONNECTS_PER_CONN_HOUR = 0.5  # at most one reconnect per connection every 2 h
HEALTHY_UPTIME = 0.99


@dataclass(frozen=True)
class Change:
    """One difference between this log and a healthy one."""

    metric: str
    now: str
    healthy: str
    ok: bool


def changes(ev: Evidence) -> list[Change]:
    """This log's headline numbers next to a healthy miner's; rates per connection divide by
    the pool size (:mod:`wsdiag.diagnose.pool`), as every finding does."""
    s, th, lim = ev.summary, ev.thresholds, ev.limits
    out: list[Change] = []
    pool = ev.pool
    if pool is not None:
        out.append(
            Change("connections", str(pool), f"<= {th.max_connections}", pool <= th.max_connections)
        )
    if lim.streamers is not None:
        out.append(
            Change(
                "streamers",
                str(lim.streamers),
                f"<= {lim.max_streamers}",
                lim.streamers <= lim.max_streamers,
            )
        )
    # a log that cannot show reconnects has no rate of them, not a rate of 0
    rate = None if client_facts(s).reconnects_unknown else per_connection_hour(s.reconnects, s)
    if rate is not None:
        out.append(
            Change(
                "reconnects per connection per hour",
                f"{rate:.2f}",
                f"<= {HEALTHY_RECONNECTS_PER_CONN_HOUR:g}",
                rate <= HEALTHY_RECONNECTS_PER_CONN_HOUR,
            )
        )
    ratios = sorted(r for h in ev.health.values() if (r := h.uptime_ratio) is not None)
    if ratios:
        low = ratios[0]
        out.append(
            Change("lowest uptime", f"{low:.1%}", f">= {HEALTHY_UPTIME:.0%}", low >= HEALTHY_UPTIME)
        )
    ping = ev.count(*PING_CLASSES)
    out.append(Change("ping/pong failures", str(ping), "0", ping == 0))
    net = sum(1 for c in ev.cascades.items if c.kind != "server")
    out.append(Change("network-wide outages", str(net), "0", net == 0))
    bad = s.by_class.get(FailureClass.BAD_AUTH, 0)
    out.append(Change("ERR_BADAUTH", str(bad), "0", bad == 0))
    return out
