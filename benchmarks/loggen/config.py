"""The generator's knobs (`GenConfig`), what it promises (`Expected`), and the PubSub
miner's texts, topics and odds that every generated log draws from."""

from __future__ import annotations

import math
import string
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

#: Failure classes of the JSON contract, in report order (same as wsdiag.parse.records).
FAILURE_CLASSES: tuple[str, ...] = (
    "ping_pong",
    "pong_timeout",
    "ping_stalled",
    "broken_pipe",
    "ssl",
    "connection_reset",
    "timeout",
    "dns",
    "no_internet",
    "reconnect_requested",
    "bad_auth",
    "rejected",
    "other",
)

LAYOUTS: tuple[str, ...] = ("file", "console", "less")
LEVELS: tuple[str, ...] = ("DEBUG", "INFO")
#: What a log collector may put before every line (FORMATS.md 1.9): none; `docker compose logs`
#: (`miner  | `); the same with -t (`miner  | 2025-11-29T18:00:00.123456789Z `); Docker Desktop
#: (`2025-11-29 18:00:00 miner-1  | `); `docker logs -t` (`2025-11-29T18:00:00.123456789Z `);
#: journald (`Nov 29 18:00:00 raspberrypi python3[812]: `); Fly.io
#: (`2025-11-29T18:00:00Z app[3d8d9e1b] ams [info]`).
WRAPPERS: tuple[str, ...] = ("none", "compose", "compose-t", "desktop", "docker-t", "journald", "fly")
#: Which WebSocket client wrote the log: RDV 2.0.4's PubSub pool or mpforce1 1.x's Hermes pool.
CLIENTS: tuple[str, ...] = ("pubsub", "hermes")
#: mpforce1 logger variants (FORKS-2026.md 1.1): A writes messages as logged; C starts every
#: INFO+ message with a space (the empty username) and puts the console's emoji in the file too.
LOGGERS: tuple[str, ...] = ("A", "C")

M_POOL = "TwitchChannelPointsMiner.classes.WebSocketsPool"
M_WS = "TwitchChannelPointsMiner.classes.TwitchWebSocket"
M_MINER = "TwitchChannelPointsMiner.TwitchChannelPointsMiner"
M_STREAMER = "TwitchChannelPointsMiner.classes.entities.Streamer"
M_WSC = "websocket"
M_HTTP = "urllib3.connectionpool"

CHANNEL_TOPICS: tuple[str, ...] = (
    "video-playback-by-id",
    "raid",
    "predictions-channel-v1",
    "community-moments-channel-v1",
)
USER_TOPICS: tuple[str, ...] = ("community-points-user-v1", "predictions-user-v1")
TOPICS_PER_CONNECTION = 50
TOKEN_LENGTH = 30
NONCE_LENGTH = 30

_ALNUM = string.ascii_letters + string.digits
_TOKEN_CHARS = string.ascii_lowercase + string.digits
_HMS: list[str] = [f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]
_HMS_B: list[bytes] = [x.encode() for x in _HMS]
_FLUSH_BYTES = 4 << 20
_INF = 1 << 62
_DAY = 86400  # seconds
_MAX_GAP = 3600  # seconds between two non-empty seconds of the body, at most
#: How likely each of these is (the odds shape the log, and a seed must give the same bytes).
_NAME_NUMBER_ODDS = 0.2  # a streamer name ends in a number
_TRACEBACK_ODDS = 0.12  # an error is followed by its traceback
_PING_CLOSE_ODDS = 0.85  # a ping failure's connection logs its close
_RECONNECT_CLOSE_ODDS = 0.7  # a reconnect request's connection logs its close
_HERMES_LOST_ODDS = 0.4  # a Hermes connection reset reconnects at once (PE1)

#: WebSocket error texts (T1 payloads) per failure class.
ERROR_TEXTS: dict[str, tuple[str, ...]] = {
    "ping_pong": (
        "fin=1 opcode=8 data=b'\\x10\\x04ping pong failed'",  # websocket-client 1.9.0
        "Connection closed (code 4100): ping pong failed",  # websocket-client 1.9.2
    ),
    "broken_pipe": ("[Errno 32] Broken pipe",),
    "ssl": (
        "[SSL: BAD_LENGTH] bad length (_ssl.c:2483)",
        "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
        "unable to get local issuer certificate (_ssl.c:1018)",
    ),
    "connection_reset": ("[Errno 104] Connection reset by peer", "Connection to remote host was lost."),
    "timeout": ("[Errno 110] Connection timed out",),
    "dns": ("[Errno -3] Temporary failure in name resolution",),
    "rejected": ("Handshake status 503 Service Unavailable -+-+- {} -+-+- b''",),
    "other": ("'NoneType' object has no attribute 'sock'",),
}

#: Exception class printed on the last line of a traceback, per error text.
_EXCEPTIONS: dict[str, str] = {
    "[Errno 32] Broken pipe": "BrokenPipeError",
    "[SSL: BAD_LENGTH] bad length (_ssl.c:2483)": "ssl.SSLError",
    ERROR_TEXTS["ssl"][1]: "ssl.SSLCertVerificationError",
    "[Errno 104] Connection reset by peer": "ConnectionResetError",
    "Connection to remote host was lost.": "websocket._exceptions.WebSocketConnectionClosedException",
    "[Errno 110] Connection timed out": "TimeoutError",
    "[Errno -3] Temporary failure in name resolution": "socket.gaierror",
    ERROR_TEXTS["rejected"][0]: "websocket._exceptions.WebSocketBadStatusException",
    ERROR_TEXTS["other"][0]: "AttributeError",
}

_SITE = "/usr/local/lib/python3.11/site-packages/websocket"
_TRACEBACK_FRAMES: tuple[tuple[str, ...], ...] = (
    (
        f'  File "{_SITE}/_app.py", line 470, in read',
        "    op_code, frame = self.sock.recv_data_frame(True)",
        f'  File "{_SITE}/_core.py", line 398, in recv_data_frame',
        "    frame = self.recv_frame()",
        f'  File "{_SITE}/_socket.py", line 118, in recv',
        "    bytes_ = _recv()",
    ),
    (
        f'  File "{_SITE}/_app.py", line 519, in run_forever',
        "    self.sock.connect(",
        f'  File "{_SITE}/_core.py", line 256, in connect',
        "    self.sock, addrs = connect(",
        "                       ^^^^^^^^",
        f'  File "{_SITE}/_http.py", line 145, in connect',
        "    sock = _open_socket(addrinfo_list, options.sockopt, options.timeout)",
    ),
)

#: Relative frequency of the primary failure events sprinkled into the body.
CLASS_WEIGHTS: dict[str, float] = {
    "connection_reset": 24,
    "reconnect_requested": 18,
    "ping_pong": 14,
    "pong_timeout": 10,
    "ssl": 8,
    "timeout": 7,
    "broken_pipe": 5,
    "dns": 4,
    "no_internet": 4,
    "rejected": 2,
    "other": 1,
    "ping_stalled": 2,
    "bad_auth": 1,
}

_SYLLABLES = (
    "ka",
    "zu",
    "mi",
    "ro",
    "ven",
    "tal",
    "shi",
    "dor",
    "lex",
    "pio",
    "nar",
    "qua",
    "bel",
    "rin",
    "tos",
    "gal",
    "fe",
    "yor",
    "wix",
    "hun",
    "spa",
    "cle",
    "mo",
    "vik",
)
_NAME_SUFFIXES = ("", "", "", "tv", "_", "live", "gg", "x")
_POINT_REASONS: tuple[tuple[str, int], ...] = (
    ("WATCH", 10),
    ("WATCH", 12),
    ("WATCH", 20),
    ("CLAIM", 50),
    ("CLAIM", 60),
    ("WATCH_STREAK", 450),
    ("RAID", 250),
)

# Accounting kinds carried by generated lines.
_K_NONE = 0
_K_FAIL = 1
_K_CLOSE = 2
_K_RECON = 3
_K_RECON_OUTAGE = 4
_K_LISTEN = 5
_K_LISTEN_TOKEN = 6
_K_STREAMERS = 7

# (time or None for a continuation line, text after the timestamp, conn or -1,
#  accounting kind, accounting argument, may the output stop after this line)
_Line = tuple[int | None, str, int, int, "str | int", bool]


class _Fact(NamedTuple):
    """What a line counts: its connection id (-1: none), the kind of record, and the kind's
    argument (a failure's class, a topic, an outage's index)."""

    conn: int = -1
    kind: int = _K_NONE
    arg: str | int = ""


_NO_FACT = _Fact()


@dataclass
class GenConfig:
    """Knobs of one generated log."""

    seed: int = 1
    size: int = 1_000_000  # target bytes (stop at the first line boundary past it)
    layout: str = "file"  # "file" | "console" | "less"
    level: str = "DEBUG"  # "DEBUG" | "INFO" (INFO: no PING/PONG/Send/Received lines)
    connections: int = 37  # pool slots #0..#N-1
    topics_per_streamer: int = 2  # LISTEN topics per streamer (channel topics, 1..4)
    failure_rate: float = 0.002  # fraction of body lines that start a failure event
    outages: int = 0  # injected network-wide outages (all connections fail within ~1 minute)
    start: datetime = field(default_factory=lambda: datetime(2025, 11, 29, 18, 0, 0))
    year_rollover: bool = False  # start on 31/12 so that the log crosses New Year
    echoes: bool = True  # websocket-client "<err> - goodbye" echo after each WebSocket error
    tracebacks: bool = True  # occasional traceback continuation lines after an ERROR record
    tokens: bool = True  # LISTEN lines for user topics carry "auth_token":"<30 chars>"
    wrapper: str = "none"  # a collector's prefix on every line (WRAPPERS)
    client: str = "pubsub"  # "pubsub" (RDV 2.0.4 wording) | "hermes" (mpforce1 1.x Hermes client)
    logger: str = "A"  # mpforce1 logger variant: "A" | "C" (INFO+ messages start with a space)


@dataclass
class Expected:
    """What an analyzer must report for the generated log (see the module docstring)."""

    ids: list[int] = field(default_factory=list)
    pool_size: int | None = None
    by_class: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FAILURE_CLASSES, 0))
    failures_total: int = 0
    reconnects: int | None = 0
    closes: int = 0
    topics_listened: int | None = None
    streamers: int | None = None
    lines: int = 0
    bytes: int = 0
    first: str | None = None
    last: str | None = None
    outages: list[dict[str, object]] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    client: str = "pubsub"

    def to_json(self) -> dict[str, object]:
        """Return a JSON-serialisable dict (keys in declaration order)."""
        return {
            "ids": list(self.ids),
            "pool_size": self.pool_size,
            "by_class": dict(self.by_class),
            "failures_total": self.failures_total,
            "reconnects": self.reconnects,
            "closes": self.closes,
            "topics_listened": self.topics_listened,
            "streamers": self.streamers,
            "lines": self.lines,
            "bytes": self.bytes,
            "first": self.first,
            "last": self.last,
            "outages": [dict(o) for o in self.outages],
            "tokens": list(self.tokens),
            "client": self.client,
        }


def _millify(value: float, precision: int = 2) -> str:
    """The miner's points formatting (``1.23k``, ``750.0``)."""
    names = ("", "k", "M", "B", "T")
    idx = 0 if value == 0 else math.floor(math.log10(abs(value)) / 3)
    idx = max(0, min(len(names) - 1, idx))
    return f"{round(value / 10 ** (3 * idx), precision)}{names[idx]}"


def _check(cfg: GenConfig) -> None:
    """ValueError naming the first setting of ``cfg`` out of its range."""
    if cfg.layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}, not {cfg.layout!r}")
    if cfg.level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {cfg.level!r}")
    if cfg.connections < 1:
        raise ValueError("connections must be >= 1")
    if not 1 <= cfg.topics_per_streamer <= len(CHANNEL_TOPICS):
        raise ValueError(f"topics_per_streamer must be in 1..{len(CHANNEL_TOPICS)}")
    if not 0.0 <= cfg.failure_rate < 1.0:
        raise ValueError("failure_rate must be in [0, 1)")
    if cfg.outages < 0:
        raise ValueError("outages must be >= 0")
    if cfg.wrapper not in WRAPPERS:
        raise ValueError(f"wrapper must be one of {WRAPPERS}, not {cfg.wrapper!r}")
    if cfg.client not in CLIENTS:
        raise ValueError(f"client must be one of {CLIENTS}, not {cfg.client!r}")
    if cfg.logger not in LOGGERS:
        raise ValueError(f"logger must be one of {LOGGERS}, not {cfg.logger!r}")
    if cfg.logger != "A" and cfg.client != "hermes":
        raise ValueError("logger variant C is mpforce1's: use it with client='hermes'")
