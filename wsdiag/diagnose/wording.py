"""How findings word their evidence: counts per hour, connection lists, time spans, shares,
the runs of failures, and the name of each failure class."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from wsdiag.common.words import of, plural
from wsdiag.diagnose.evidence import Run, at
from wsdiag.diagnose.limits import BACKOFF_FIRST_S, BACKOFF_MAX_S
from wsdiag.durations import format_seconds
from wsdiag.parse.records import FailureClass

#: How evidence lines name each failure class.
LABELS: dict[str, str] = {
    FailureClass.PING_PONG: "ping/pong failures (close code 4100)",
    FailureClass.PONG_TIMEOUT: "missed PONGs (watchdog)",
    FailureClass.PING_STALLED: "PINGs not sent (watchdog)",
    FailureClass.BROKEN_PIPE: "broken pipes",
    FailureClass.SSL: "TLS errors",
    FailureClass.CONNECTION_RESET: "connection resets",
    FailureClass.TIMEOUT: "timeouts",
    FailureClass.DNS: "DNS failures",
    FailureClass.NO_INTERNET: "'No internet connection' retries",
    FailureClass.RECONNECT_REQUESTED: "RECONNECT requests",
    FailureClass.BAD_AUTH: "ERR_BADAUTH answers",
    FailureClass.REJECTED: "refusals",
    FailureClass.OTHER: "unclassified errors",
}

BACKOFF = (
    f"the miner reconnects on its own (about every 30s; backoff of {format_seconds(BACKOFF_FIRST_S)} "
    f"doubling to {format_seconds(BACKOFF_MAX_S)}, with jitter, is kinder to Twitch)"
)


def per_hour(n: int, hours: float | None) -> str:
    return f"{n:,}" if not hours else f"{n:,} ({n / hours:.1f}/h)"


def conns(ids: Iterable[int], most: int = 6) -> str:
    """`#0, #2 and #5`, at most ``most`` named."""
    ids = sorted(ids)
    names = [f"#{c}" for c in ids[:most]]
    if len(ids) > most:
        return ", ".join(names) + f" and {len(ids) - most} more"
    if len(names) > 1:
        return ", ".join(names[:-1]) + " and " + names[-1]
    return names[0] if names else "no connection id"


def when(a: datetime, b: datetime) -> str:
    mins = max(1, round((b - a).total_seconds() / 60))
    end = f"{b:%H:%M}" if a.date() == b.date() else f"{b:%Y-%m-%d %H:%M}"
    return f"{a:%Y-%m-%d %H:%M}-{end} ({format_seconds(mins * 60)})"


def classes(counts: dict[str, int]) -> list[str]:
    """`timeout: 3` lines, most first."""
    return [f"{k}: {n:,}" for k, n in sorted(counts.items(), key=lambda kv: -kv[1]) if n]


def hourly(n: int, hours: float | None) -> str:
    return "" if not hours else f", {n / hours:.1f} per hour"


def share(n: int, total: int) -> str:
    return f"{of(n, total, 'failure')} ({n / total:.0%})" if total else plural(n, "failure")


def run_lines(runs: Iterable[Run], label: str | None = None) -> list[str]:
    """One line per kind of unbroken run: `#0 and #2 never connected: ...`."""
    groups: dict[tuple[bool, str, int], list[Run]] = {}
    for r in runs:
        top = label or LABELS.get(r.top_class, r.top_class)
        key = (r.from_start, top, 0 if r.from_start else r.first)
        groups.setdefault(key, []).append(r)
    out = []
    for (from_start, top, first), group in groups.items():
        who = conns(r.conn for r in group)
        counts = sorted({r.failures for r in group})
        n = plural(counts[0], "attempt") if len(counts) == 1 else f"{counts[0]}-{counts[-1]} attempts"
        each = " each" if len(group) > 1 else ""
        if from_start:
            out.append(
                f"{who} never connected: {n}{each} failed in a row ({top}) from the start of the "
                "log to its end"
            )
        else:
            out.append(
                f"{who} failed at every attempt from {at(first):%Y-%m-%d %H:%M} to the end of the "
                f"log: {n}{each} in a row ({top})"
            )
    return out
