"""Deterministic miner logs (file layout) with exactly known counts, spans and rates, for tests."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

POOL = "TwitchChannelPointsMiner.classes.WebSocketsPool"
SOCKET = "TwitchChannelPointsMiner.classes.TwitchWebSocket"
MINER = "TwitchChannelPointsMiner.TwitchChannelPointsMiner"
START = datetime(2025, 11, 29, 18, 0, 0)

#: The `#N - WebSocket error: <text>` payload of each failure class used by the tests.
ERRORS = {
    "connection_reset": "[Errno 104] Connection reset by peer",
    "ping_pong": "fin=1 opcode=8 data=b'\\x10\\x04ping pong failed'",
    "broken_pipe": "[Errno 32] Broken pipe",
    "ssl": "[SSL: BAD_LENGTH] bad length (_ssl.c:2483)",
    "timeout": "[Errno 110] Connection timed out",
}


def stamp(t: datetime) -> str:
    return t.strftime("%d/%m/%y %H:%M:%S")


def record(t: datetime, level: str, module: str, func: str, message: str) -> str:
    return f"{stamp(t)} - {level} - {module} - [{func}]: {message}\n"


def failure(t: datetime, conn: int, cls: str) -> str:
    """One failure as the miner logs it: error, close, reconnect (one event, one reconnect)."""
    return (
        record(t, "ERROR", POOL, "on_error", f"#{conn} - WebSocket error: {ERRORS[cls]}")
        + record(t, "INFO", POOL, "on_close", f"#{conn} - WebSocket closed")
        + record(
            t,
            "INFO",
            POOL,
            "handle_reconnection",
            f"#{conn} - Reconnecting to Twitch PubSub server in ~60 seconds",
        )
    )


def ping(t: datetime, conn: int) -> str:
    return record(t, "DEBUG", SOCKET, "send", f'#{conn} - Send: {{"type":"PING"}}')


def bad_auth(t: datetime, conn: int = 0) -> str:
    """The RDV 2.x ERR_BADAUTH triple: one bad_auth event."""
    return (
        record(
            t,
            "DEBUG",
            POOL,
            "on_message",
            f'#{conn} - Received: {{"type":"RESPONSE","error":"ERR_BADAUTH",'
            '"nonce":"VerYk2WNZM4SJ7sy4WdwFxqmqWkgQF"}',
        )
        + record(t, "ERROR", POOL, "on_message", "Error while trying to listen for a topic: ERR_BADAUTH")
        + record(
            t,
            "ERROR",
            POOL,
            "on_message",
            "Received the ERR_BADAUTH error, most likely you have an outdated cookie file "
            '"cookies\\exampleuser.pkl". Delete this file and try again.',
        )
    )


@dataclass
class Log:
    """A generated log and what an analyzer must find in it."""

    text: str
    hours: float
    conns: int
    by_class: dict[str, int] = field(default_factory=dict)

    @property
    def failures(self) -> int:
        return sum(self.by_class.values())

    def rate(self) -> float:
        return self.failures / self.hours


def make_log(
    hours: float,
    per_hour: Mapping[str, float],
    conns: int = 4,
    start: datetime = START,
    ping_every: timedelta = timedelta(minutes=4),
) -> Log:
    """``hours`` of log on ``conns`` connections with ``round(rate * hours)`` evenly spaced failures
    per class; PINGs of every connection from the first second to the last keep the span exact."""
    end = start + timedelta(hours=hours)
    events: list[tuple[datetime, int, str]] = []
    by_class: dict[str, int] = {}
    for cls, rate in per_hour.items():
        n = round(rate * hours)
        by_class[cls] = n
        for i in range(n):
            t = start + timedelta(seconds=(i + 0.5) * hours * 3600 / n)
            events.append((t.replace(microsecond=0), i % conns, cls))
    lines: list[tuple[datetime, int, str]] = [
        (
            start,
            -1,
            record(start, "INFO", MINER, "run", f"Loading data for {conns * 10} streamers. Please wait..."),
        )
    ]
    t = start
    while t <= end:
        for c in range(conns):
            lines.append((t, 0, ping(t, c)))
        t += ping_every
    for c in range(conns):
        lines.append((end, 2, ping(end, c)))
    lines += [(t, 1, failure(t, conn, cls)) for t, conn, cls in events]
    lines.sort(key=lambda x: (x[0], x[1]))
    return Log("".join(text for _, _, text in lines), hours, conns, by_class)


def console_of(text: str, less: bool = False) -> str:
    """The console handler's copy of a file log's records: INFO and above, in the console
    layout (`dd/mm/yy HH:MM:SS - LEVEL - [func]: msg`) or, ``less``, the year-less one
    (`dd/mm HH:MM:SS - msg`), as the miner writes both from one run."""
    out = []
    for line in text.splitlines():
        stamp, _, rest = line.partition(" - ")
        level, _, rest = rest.partition(" - ")
        if level not in ("INFO", "WARNING", "ERROR"):
            continue
        _module, _, rest = rest.partition(" - ")  # the file layout's logger name
        if less:
            day, clock = stamp.split(" ")
            out.append(f"{day[:5]} {clock} - {rest.partition(': ')[2]}")
        else:
            out.append(f"{stamp} - {level} - {rest}")
    return "\n".join(out) + "\n"
