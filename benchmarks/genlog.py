#!/usr/bin/env python3
"""Seeded generator of realistic Twitch Channel Points Miner logs with exact expected counts.

The generator writes a log in one of the miner's three layouts (``file``, ``console``, ``less``)
and returns an :class:`Expected` summary that follows the analyzer's counting contract:

* ``ids``: distinct ``N`` of ``#N - `` in WebSocket records; ``pool_size`` = max(ids) + 1;
* ``by_class``: every failure event counted once in its class (a websocket-client
  ``<err> - goodbye`` echo never counts; the three lines of an ERR_BADAUTH count once);
* ``reconnects`` / ``closes``: ``Reconnecting to Twitch PubSub server`` / ``WebSocket closed`` lines;
* ``topics_listened``: distinct topics in LISTEN lines (None without LISTEN lines);
* ``streamers``: N of ``Loading data for N streamers``;
* ``lines``: physical lines written; ``first``/``last``: time of the first/last record.

Only lines that were actually written are counted, so the summary is exact even when the size
target cuts the log. The output stops at the first line boundary at or past ``size`` bytes,
except that a multi-line failure event is always written whole.

Model (see FORMATS.md for the templates): the pool opens ``connections`` WebSockets of 50 topics
each (#0 also carries the two user topics, whose LISTEN lines hold the auth token) and every
reconnection LISTENs its topics again. Failure events start at ``failure_rate`` per body item:
an error event is ``#N - WebSocket error`` (+ optional traceback, + echo), ``WebSocket closed``
and ``Reconnecting ...``; a reconnection that finds no network logs one ``No internet`` event per
retry; ``bad_auth`` is a server RECONNECT (counted as ``reconnect_requested``) whose re-LISTEN of
the user topic is refused. An outage makes every connection fail within 60 s, keeps the body
silent while ``No internet`` retries repeat, then reconnects; ``Expected.outages`` holds the
time of the first and last outage error and the connections that failed in it.

Pure standard library; usable as a module (``generate``) or a CLI::

    python benchmarks/genlog.py --size 1G --layout file --seed 1 -o big.log --expected big.json
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import json
import math
import random
import re
import string
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import BinaryIO, NamedTuple, cast

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


class _Generator:
    """One run of the generator; see :func:`generate`."""

    #: The texts of `#N - WebSocket error: <text>` by class (the Hermes client's differ).
    error_texts: dict[str, tuple[str, ...]] = ERROR_TEXTS

    class_weights: dict[str, float] = CLASS_WEIGHTS

    def __init__(self, cfg: GenConfig, out: BinaryIO) -> None:
        _check(cfg)
        self.cfg = cfg
        self.out = out
        self.rng = random.Random(cfg.seed)
        self.debug = cfg.level == "DEBUG"
        self.layout = cfg.layout
        self.size = cfg.size

        # accounting (only for lines actually written)
        self.by_class: dict[str, int] = dict.fromkeys(FAILURE_CLASSES, 0)
        self.closes = 0
        self.reconnects = 0
        self.ids: set[int] = set()
        self.topics: set[str] = set()
        self.listen_seen = False
        self.streamers_seen: int | None = None
        self.token_written = False
        self.outages: list[dict[str, object]] = []
        self.outage_conns: list[list[int]] = []
        self.first_t: int | None = None
        self.last_t = 0
        self.written = 0
        self.lines = 0
        self.done = False
        self.parts: list[bytes] = []
        self.plen = 0
        self.wrap = (
            _Wrapper(cfg.wrapper, cfg.layout, cfg.start.year, cfg.seed) if cfg.wrapper != "none" else None
        )
        self.out_bytes = 0  # bytes written to out (the wrapper's included)

        # simulation state
        self.now = 0  # time of the next body tick, seconds since the start
        self.heap: list[tuple[int, int, list[_Line]]] = []
        self.seq = 0
        self.busy: list[int] = [0] * cfg.connections
        self.outage_until = -1
        self.nonce_pool = "".join(self.rng.choices(_ALNUM, k=1 << 16))

        self._build_world()
        self._build_population()
        self._build_ticks()

    # ------------------------------------------------------------------ world
    def _build_world(self) -> None:
        rng = self.rng
        cfg = self.cfg
        conns = cfg.connections
        tps = cfg.topics_per_streamer
        fill = rng.randint(10, TOPICS_PER_CONNECTION)
        target = TOPICS_PER_CONNECTION * (conns - 1) + fill
        n = max(1, math.ceil((target - len(USER_TOPICS)) / tps))
        while len(USER_TOPICS) + n * tps > TOPICS_PER_CONNECTION * conns:
            n -= 1
        self.n_streamers = n

        names: list[str] = []
        seen: set[str] = set()
        while len(names) < n:
            name = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3)))
            name += rng.choice(_NAME_SUFFIXES)
            if rng.random() < _NAME_NUMBER_ODDS:
                name += str(rng.randint(1, 99))
            if name not in seen:
                seen.add(name)
                names.append(name)
        self.names = names
        ids = rng.sample(range(20_000_000, 999_999_999), n + 1)
        self.user_id = ids[0]
        self.channel_ids = ids[1:]
        self.username = "".join(rng.choice(_SYLLABLES) for _ in range(3)) + str(rng.randint(1, 999))
        self.token = "".join(rng.choices(_TOKEN_CHARS, k=TOKEN_LENGTH))
        self.points = [rng.choice((rng.randint(0, 999), rng.randint(1000, 250_000))) for _ in names]

        topics: list[tuple[str, bool]] = [(f"{t}.{self.user_id}", True) for t in USER_TOPICS]
        for cid in self.channel_ids:
            topics.extend((f"{t}.{cid}", False) for t in CHANNEL_TOPICS[:tps])
        self.conn_topics: list[list[tuple[str, bool]]] = [
            topics[i : i + TOPICS_PER_CONNECTION] for i in range(0, len(topics), TOPICS_PER_CONNECTION)
        ]
        assert len(self.conn_topics) == conns
        # streamers whose stream is live: they produce viewcount/points messages
        live = max(1, n // 8)
        self.live = sorted(rng.sample(range(n), min(n, live)))

    # --------------------------------------------------------------- formatting
    def _fmt(self, level: str, module: str, func: str, msg: str, emoji: str = "") -> str:
        """The part of a record after the timestamp, in this run's layout."""
        if self.layout == "file":
            return f" - {level} - {module} - [{func}]: {msg}"
        if emoji:
            msg = f"{emoji}  {msg}"
        if self.layout == "console":
            return f" - {level} - [{func}]: {msg}"
        return f" - {msg}"

    def _add(
        self,
        lines: list[_Line],
        t: int,
        level: str,
        module: str,
        func: str,
        msg: str,
        fact: _Fact = _NO_FACT,
        cut: bool = False,
    ) -> None:
        """The line ``msg`` at ``t`` (unless it is DEBUG and the log INFO), and what it counts."""
        if level == "DEBUG" and not self.debug:
            return
        lines.append((t, self._fmt(level, module, func, msg), fact.conn, fact.kind, fact.arg, cut))

    def _streamer_str(self, i: int) -> str:
        return f"{self.names[i]} ({_millify(self.points[i])} points)"

    def _nonce(self) -> str:
        o = self.rng.randrange(len(self.nonce_pool) - NONCE_LENGTH)
        return self.nonce_pool[o : o + NONCE_LENGTH]

    # ------------------------------------------------------------ body content
    def _viewcount_items(self) -> list[str]:
        rng = self.rng
        st = self.epoch + self.now
        items = []
        for i in self.live:
            cid = self.channel_ids[i]
            topic_idx = len(USER_TOPICS) + i * self.cfg.topics_per_streamer
            conn = topic_idx // TOPICS_PER_CONNECTION
            inner = (
                '{\\"type\\":\\"viewcount\\",\\"server_time\\":'
                f"{st + rng.random() * 30:.6f}"
                ',\\"viewers\\":'
                f"{rng.randint(3, 40_000)}}}"
            )
            msg = (
                f'#{conn} - Received: {{"type":"MESSAGE","data":{{"topic":'
                f'"video-playback-by-id.{cid}","message":"{inner}"}}}}'
            )
            items.append(self._fmt("DEBUG", M_POOL, "on_message", msg))
        return items

    def _build_population(self) -> None:
        """Body lines are drawn from a weighted population of pre-formatted record tails."""
        rng = self.rng
        self.epoch = self.cfg.start.replace(tzinfo=timezone.utc).timestamp()
        cats: list[tuple[list[str], float]] = []
        points: list[str] = []
        for i in self.live[:60]:
            for reason, earned in rng.sample(_POINT_REASONS, 3):
                self.points[i] += earned
                line = self._fmt(
                    "INFO",
                    M_POOL,
                    "on_message",
                    f"+{earned} → {self._streamer_str(i)} - Reason: {reason}.",
                    emoji="🚀",
                )
                if self.debug:
                    cid = self.channel_ids[i]
                    inner = (
                        '{\\"type\\":\\"points-earned\\",\\"data\\":{\\"channel_id\\":\\"'
                        f'{cid}\\",\\"point_gain\\":{{\\"user_id\\":\\"{self.user_id}'
                        f'\\",\\"channel_id\\":\\"{cid}\\",\\"total_points\\":{earned},'
                        f'\\"reason_code\\":\\"{reason}\\"}},\\"balance\\":{{\\"balance\\":'
                        f"{self.points[i]}}}}}}}"
                    )
                    recv = self._fmt(
                        "DEBUG",
                        M_POOL,
                        "on_message",
                        f'#0 - Received: {{"type":"MESSAGE","data":{{"topic":'
                        f'"community-points-user-v1.{self.user_id}","message":"{inner}"}}}}',
                    )
                    line = recv + "\x00" + line
                points.append(line)
        onoff: list[str] = []
        for i in self.live[:20]:
            onoff.append(
                self._fmt("INFO", M_STREAMER, "set_online", f"{self._streamer_str(i)} is Online!", "🥳")
            )
            onoff.append(
                self._fmt("INFO", M_STREAMER, "set_offline", f"{self._streamer_str(i)} is Offline!", "😴")
            )
        if self.debug:
            self.n_viewcount = len(self.live)
            cats.append((self._viewcount_items(), 60.0))
            pingpong = [
                self._fmt("DEBUG", M_WS, "send", f'#{n} - Send: {{"type":"PING"}}')
                + "\x00"
                + self._fmt("DEBUG", M_POOL, "on_message", f'#{n} - Received: {{ "type": "PONG" }}')
                for n in range(self.cfg.connections)
            ]
            cats.append((pingpong, 22.0))
            cats.append((points, 8.0))
            http = [
                self._fmt(
                    "DEBUG", M_HTTP, "_new_conn", "Starting new HTTPS connection (1): gql.twitch.tv:443"
                ),
                self._fmt(
                    "DEBUG",
                    M_HTTP,
                    "_make_request",
                    'https://gql.twitch.tv:443 "POST /integrity HTTP/1.1" 200 None',
                ),
                self._fmt(
                    "DEBUG",
                    M_HTTP,
                    "_make_request",
                    'https://gql.twitch.tv:443 "POST /gql HTTP/1.1" 200 None',
                ),
                self._fmt(
                    "DEBUG", M_HTTP, "_new_conn", "Starting new HTTPS connection (1): spade.twitch.tv:443"
                ),
            ]
            cats.append((http, 6.0))
            cats.append((onoff, 1.0))
            self.rate = max(0.05, 0.11 * self.cfg.connections)  # body items per second
        else:
            self.n_viewcount = 0
            cats.append((points, 90.0))
            cats.append((onoff, 10.0))
            self.rate = max(0.01, 0.0045 * self.cfg.connections)
        # body items are kept encoded; "\x00" separates the two lines of a pair (PING+PONG)
        pop: list[bytes] = []
        cum: list[float] = []
        total = 0.0
        for items, weight in cats:
            for item in items:
                total += weight / len(items)
                pop.append(item.encode())
                cum.append(total)
        self.pop = pop
        self.cum = cum
        self.pairs = any(b"\x00" in item for item in pop)
        self.ibuf: list[bytes] = []
        self.ipos = 0
        self.next_refresh = 0  # rebuild viewcount lines once the start time is final

    def _build_ticks(self) -> None:
        """Pre-sample (lines, gap) ticks of a Poisson process with ``self.rate`` items/s."""
        rng = self.rng
        lam = self.rate
        p0 = math.exp(-lam)
        table: list[tuple[int, int]] = []
        for _ in range(4096):
            # zero-truncated Poisson count for this second
            while True:
                k, p, limit = 0, 1.0, p0
                while True:
                    p *= rng.random()
                    if p <= limit:
                        break
                    k += 1
                if k:
                    break
            # seconds until the next non-empty second
            gap = 1
            while rng.random() < p0 and gap < _MAX_GAP:
                gap += 1
            table.append((k, gap))
        self.ticks = table
        self.tbuf: list[tuple[int, int]] = []
        self.tpos = 0
        mean_bytes = 0.0
        ts_len = len(self._date_fmt(datetime(2025, 1, 1))) + 8
        prev = 0.0
        for item, c in zip(self.pop, self.cum, strict=True):
            n_lines = item.count(b"\x00") + 1
            mean_bytes += (c - prev) * (len(item) + n_lines * (ts_len + 1))
            prev = c
        mean_bytes /= self.cum[-1]
        self.body_bps = lam * mean_bytes

    # ------------------------------------------------------------------ clock
    def _date_fmt(self, d: datetime) -> str:
        return d.strftime("%d/%m " if self.layout == "less" else "%d/%m/%y ")

    def _set_start(self, start: datetime) -> None:
        self.start = start
        self.midnight = datetime(start.year, start.month, start.day)
        self.base = int((start - self.midnight).total_seconds())
        self.day = -1
        self.daystr = ""
        self.bday0 = _INF  # body clock: time of the current day's midnight and its date bytes
        self.bdaystr = b""
        self.epoch = start.replace(tzinfo=timezone.utc).timestamp()

    def _ts(self, t: int) -> str:
        d, s = divmod(self.base + t, _DAY)
        if d != self.day:
            self.day = d
            self.daystr = self._date_fmt(self.midnight + timedelta(days=d))
        return self.daystr + _HMS[s]

    def _body_day(self, t: int) -> tuple[int, bytes]:
        """Midnight (seconds since the start) of the day of ``t`` and its encoded date."""
        d = (self.base + t) // _DAY
        self.bday0 = d * _DAY - self.base
        self.bdaystr = self._date_fmt(self.midnight + timedelta(days=d)).encode()
        return self.bday0, self.bdaystr

    def _iso(self, t: int) -> str:
        return (self.start + timedelta(seconds=t)).isoformat()

    # ----------------------------------------------------------------- output
    def _write(self, b: bytes) -> None:
        self.parts.append(b)
        self.plen += len(b)
        self.written += len(b)
        if self.plen >= _FLUSH_BYTES:
            self._flush()

    def _flush(self) -> None:
        if self.parts:
            blob = b"".join(self.parts)
            self.lines += blob.count(b"\n")
            if self.wrap is not None:
                blob = self.wrap.lines(blob)
            self.out_bytes += len(blob)
            self.out.write(blob)
            self.parts = []
            self.plen = 0

    def _emit(self, lines: list[_Line]) -> None:
        """Write generated lines, keep time monotonic and account for each written line."""
        size = self.size
        for when, text, conn, kind, arg, cut in lines:
            t = when
            if t is None:
                s = text + "\n"
            else:
                t = max(t, self.last_t)
                s = self._ts(t) + text + "\n"
                self.last_t = t
                if self.first_t is None:
                    self.first_t = t
            self._write(s.encode())
            if conn >= 0:
                self.ids.add(conn)
            if kind:
                self._account(kind, arg, self.last_t, conn)
            if cut and self.written >= size:
                self.done = True
                break
        self.now = max(self.now, self.last_t)

    def _account(self, kind: int, arg: str | int, t: int, conn: int) -> None:
        if kind == _K_FAIL:
            self.by_class[cast(str, arg)] += 1
        elif kind == _K_CLOSE:
            self.closes += 1
        elif kind == _K_RECON:
            self.reconnects += 1
        elif kind == _K_RECON_OUTAGE:
            # last line of one connection's outage failure: extend the outage window
            self.reconnects += 1
            conns = self.outage_conns[cast(int, arg)]
            if not conns:
                self.outages.append({"start": self._iso(t), "end": "", "connections": conns})
            conns.append(conn)
            conns.sort()
            self.outages[-1]["end"] = self._iso(t)
        elif kind in (_K_LISTEN, _K_LISTEN_TOKEN):
            self.topics.add(cast(str, arg))
            self.listen_seen = True
            if kind == _K_LISTEN_TOKEN:
                self.token_written = True
        elif kind == _K_STREAMERS:
            self.streamers_seen = cast(int, arg)

    def _schedule(self, t: int, lines: list[_Line], atomic: bool = True) -> None:
        if not lines:
            return
        if atomic:
            last = lines[-1]
            lines[-1] = (last[0], last[1], last[2], last[3], last[4], True)
        heapq.heappush(self.heap, (t, self.seq, lines))
        self.seq += 1

    # ------------------------------------------------------------------- body
    def _refill_items(self) -> None:
        if self.n_viewcount and self.now >= self.next_refresh:
            self.pop[: self.n_viewcount] = [x.encode() for x in self._viewcount_items()]
            self.next_refresh = self.now + 1800
        self.ibuf = self.rng.choices(self.pop, cum_weights=self.cum, k=8192)
        self.ipos = 0

    # The hot loop keeps its state in locals and stores it back once: split into calls, it
    # would pay them per tick (it writes a GiB of log), hence its many statements.
    def _body(self, until: int, max_items: int, limit: int) -> int:  # noqa: PLR0915
        """Write body ticks until ``until``, ``max_items`` items or ``limit`` bytes (the hot loop)."""
        produced = 0
        size = self.size
        ibuf, ipos, nib = self.ibuf, self.ipos, len(self.ibuf)
        tbuf, tpos, ntb = self.tbuf, self.tpos, len(self.tbuf)
        now = self.now
        last = self.last_t
        parts = self.parts
        written = self.written
        plen = self.plen
        pairs = self.pairs
        hms = _HMS_B
        day0, daystr = self.bday0, self.bdaystr
        day = _DAY
        done = False
        while now < until and produced < max_items and written < limit:
            if tpos >= ntb:
                tbuf = self.tbuf = self.rng.choices(self.ticks, k=4096)
                tpos, ntb = 0, len(tbuf)
            c, gap = tbuf[tpos]
            tpos += 1
            if ipos + c > nib:
                self.now = now
                self._refill_items()
                ibuf, ipos, nib = self.ibuf, 0, len(self.ibuf)
            sec = now - day0
            if not 0 <= sec < day:
                day0, daystr = self._body_day(now)
                sec = now - day0
            ts = daystr + hms[sec]
            if c == 1:
                b = ts + ibuf[ipos] + b"\n"
                if pairs:
                    b = b.replace(b"\x00", b"\n" + ts)
            else:
                sep = b"\n" + ts
                b = ts + sep.join(ibuf[ipos : ipos + c]) + b"\n"
                if pairs:
                    b = b.replace(b"\x00", sep)
            ipos += c
            n = len(b)
            if written + n >= size:
                b = b[: b.find(b"\n", size - written - 1) + 1]
                n = len(b)
                done = True
            parts.append(b)
            written += n
            plen += n
            produced += c
            last = now
            now += gap
            if plen >= _FLUSH_BYTES:
                self.plen = plen
                self._flush()
                parts, plen = self.parts, 0
            if done:
                break
        self.done = done
        self.written = written
        self.plen = plen
        self.last_t = last
        self.now = now
        self.ipos = ipos
        self.tpos = tpos
        return produced

    # --------------------------------------------------------------- failures
    def _traceback(self, lines: list[_Line], err: str) -> None:
        exc = _EXCEPTIONS.get(err)
        if exc is None or not self.cfg.tracebacks or self.rng.random() >= _TRACEBACK_ODDS:
            return
        lines.append((None, "Traceback (most recent call last):", -1, _K_NONE, "", False))
        for frame in self.rng.choice(_TRACEBACK_FRAMES):
            lines.append((None, frame, -1, _K_NONE, "", False))
        lines.append((None, f"{exc}: {err}", -1, _K_NONE, "", False))

    def _error_lines(self, lines: list[_Line], n: int, t: int, cls: str, err: str, outage: int = -1) -> None:
        """T1 (+traceback, +echo), T2, T3: one failure event, one close, one reconnect."""
        self._add(
            lines, t, "ERROR", M_POOL, "on_error", f"#{n} - WebSocket error: {err}", _Fact(n, _K_FAIL, cls)
        )
        self._traceback(lines, err)
        if self.cfg.echoes:
            self._add(lines, t, "ERROR", M_WSC, "error", f"{err} - goodbye")
        self._closed(lines, t, n)
        self._reconnecting(lines, t, n, outage)

    def _closed(self, lines: list[_Line], t: int, n: int) -> None:
        self._add(lines, t, "INFO", M_POOL, "on_close", f"#{n} - WebSocket closed", _Fact(n, _K_CLOSE))

    def _reconnecting(self, lines: list[_Line], t: int, n: int, outage: int = -1) -> None:
        """`Reconnecting`: the last line of a failure (of the outage ``outage``, if any)."""
        msg = f"#{n} - Reconnecting to Twitch PubSub server in ~60 seconds"
        kind = _K_RECON if outage < 0 else _K_RECON_OUTAGE
        self._add(lines, t, "INFO", M_POOL, "handle_reconnection", msg, _Fact(n, kind, max(outage, 0)))

    def _listen_lines(self, n: int, t: int, bad_auth: bool = False) -> list[_Line]:
        """LISTEN requests of connection ``n`` on open and their RESPONSE acks."""
        lines: list[_Line] = []
        nonces: list[str] = []
        if not self.debug:  # LISTEN and RESPONSE lines are DEBUG: only a refusal shows
            if bad_auth:
                self._bad_auth_lines(lines, n, t, "")
            return lines
        for topic, user in self.conn_topics[n]:
            nonce = self._nonce()
            nonces.append(nonce)
            if user and self.cfg.tokens:
                msg = (
                    f'#{n} - Send: {{"type":"LISTEN","nonce":"{nonce}","data":{{"topics":'
                    f'["{topic}"],"auth_token":"{self.token}"}}}}'
                )
                kind = _K_LISTEN_TOKEN
            else:
                msg = f'#{n} - Send: {{"type":"LISTEN","nonce":"{nonce}","data":{{"topics":["{topic}"]}}}}'
                kind = _K_LISTEN
            self._add(lines, t, "DEBUG", M_WS, "send", msg, _Fact(n, kind, topic), cut=True)
        tr = t + self.rng.randint(0, 1)
        for i, nonce in enumerate(nonces):
            if bad_auth and i == 0:
                self._bad_auth_lines(lines, n, tr, nonce)
            else:
                self._add(
                    lines,
                    tr,
                    "DEBUG",
                    M_POOL,
                    "on_message",
                    f'#{n} - Received: {{"type":"RESPONSE","error":"","nonce":"{nonce}"}}',
                    _Fact(n),
                    cut=True,
                )
        return lines

    def _bad_auth_lines(self, lines: list[_Line], n: int, t: int, nonce: str) -> None:
        """ERR_BADAUTH RESPONSE (DEBUG), listen error and cookie hint: one bad_auth event."""
        self._add(
            lines,
            t,
            "DEBUG",
            M_POOL,
            "on_message",
            f'#{n} - Received: {{"type":"RESPONSE","error":"ERR_BADAUTH","nonce":"{nonce}"}}',
            _Fact(n),
        )
        self._add(
            lines,
            t,
            "ERROR",
            M_POOL,
            "on_message",
            "Error while trying to listen for a topic: ERR_BADAUTH",
            _Fact(-1, _K_FAIL, "bad_auth"),
        )
        self._add(
            lines,
            t,
            "ERROR",
            M_POOL,
            "on_message",
            "Received the ERR_BADAUTH error, most likely you have an outdated cookie file "
            f'"cookies\\{self.username}.pkl". Delete this file and try again.',
            cut=True,
        )

    def _reopen(self, n: int, t: int, offline_until: int, bad_auth: bool = False) -> None:
        """Schedule the reconnection of ``n``: T4 while offline, then the re-LISTEN."""
        while t < offline_until:
            k = self.rng.randint(1, 3)
            lines: list[_Line] = []
            self._add(
                lines,
                t,
                "WARNING",
                M_POOL,
                "handle_reconnection",
                f"#{n} - No internet connection available! Retry after {k}m",
                _Fact(n, _K_FAIL, "no_internet"),
            )
            self._schedule(t, lines)
            t += 60 * k + self.rng.randint(0, 2)
        self._schedule(t, self._listen_lines(n, t, bad_auth), atomic=False)
        self.busy[n] = max(self.busy[n], t + 2)

    def _victim(self, cls: str, t: int) -> int | None:
        """The connection that fails at ``t`` (bad_auth: the first), or None when the ones
        tried are still busy with their last failure."""
        if cls == "bad_auth":
            return None if self.busy[0] > t else 0
        for _ in range(8):
            n = self.rng.randrange(self.cfg.connections)
            if self.busy[n] <= t:
                return n
        return None

    def _start_failure(self) -> None:
        t = self.now
        cls = self.rng.choices(self.class_names, cum_weights=self.class_cum)[0]
        n = self._victim(cls, t)
        if n is None:
            return
        lines: list[_Line] = []
        if cls in self.error_texts:
            self._socket_error(lines, n, t, cls)
        elif cls == "no_internet":
            self._offline(lines, n, t)
        elif cls in ("pong_timeout", "ping_stalled"):
            self._ping_failure(lines, n, t, cls)
        else:  # reconnect_requested, bad_auth (a RECONNECT whose re-LISTEN is refused)
            self._reconnect_request(lines, n, t, cls)

    def _socket_error(self, lines: list[_Line], n: int, t: int, cls: str) -> None:
        """`WebSocket error: <text>` of ``cls``, then the reconnection 30 s later."""
        rng = self.rng
        self._error_lines(lines, n, t, cls, rng.choice(self.error_texts[cls]))
        self._schedule(t, lines)
        self._reopen(n, t + 30 + rng.randint(0, 3), 0)

    def _offline(self, lines: list[_Line], n: int, t: int) -> None:
        """A reset or timeout, then no internet for a while, then the reconnection."""
        rng = self.rng
        err_cls = rng.choice(("connection_reset", "timeout"))
        self._error_lines(lines, n, t, err_cls, rng.choice(self.error_texts[err_cls]))
        self._schedule(t, lines)
        t2 = t + 30 + rng.randint(0, 3)
        self._reopen(n, t2, t2 + rng.randint(30, 200))

    def _ping_failure(self, lines: list[_Line], n: int, t: int, cls: str) -> None:
        """A PONG not received or a PING not sent in time; the close (mostly); the reconnection."""
        rng = self.rng
        if cls == "pong_timeout":
            self._add(
                lines,
                t,
                "INFO",
                M_POOL,
                "run",
                f"#{n} - The last PONG was received more than 5 minutes ago",
                _Fact(n, _K_FAIL, cls),
            )
        else:
            self._add(
                lines,
                t,
                "INFO",
                M_MINER,
                "run",
                f"#{n} - The last PING was sent more than 10 minutes ago. Reconnecting to the WebSocket...",
                _Fact(n, _K_FAIL, cls),
            )
        self._reconnecting(lines, t, n)
        self._schedule(t, lines)
        if rng.random() < _PING_CLOSE_ODDS:
            closed: list[_Line] = []
            tc = t + rng.randint(0, 2)
            self._closed(closed, tc, n)
            self._schedule(tc, closed)
        self._reopen(n, t + 30 + rng.randint(0, 3), 0)

    def _reconnect_request(self, lines: list[_Line], n: int, t: int, cls: str) -> None:
        """Twitch's RECONNECT; the close (mostly); the re-LISTEN (refused for bad_auth)."""
        rng = self.rng
        self._add(
            lines, t, "DEBUG", M_POOL, "on_message", f'#{n} - Received: {{"type":"RECONNECT"}}', _Fact(n)
        )
        self._add(
            lines,
            t,
            "INFO",
            M_POOL,
            "on_message",
            f"#{n} - Reconnection required",
            _Fact(n, _K_FAIL, "reconnect_requested"),
        )
        self._reconnecting(lines, t, n)
        self._schedule(t, lines)
        if rng.random() < _RECONNECT_CLOSE_ODDS:
            closed: list[_Line] = []
            tc = t + rng.randint(40, 75)
            self._closed(closed, tc, n)
            self._schedule(tc, closed)
            self.busy[n] = max(self.busy[n], tc + 1)
        self._reopen(n, t + 30 + rng.randint(0, 3), 0, bad_auth=cls == "bad_auth")

    def _start_outage(self) -> None:
        """All connections fail within ~60 s, stay offline for minutes, then reconnect."""
        rng = self.rng
        t0 = self.now
        self.heap.clear()  # pending reconnections are overtaken by the outage
        conns = list(range(self.cfg.connections))
        rng.shuffle(conns)
        offsets = sorted(rng.randint(0, 59) for _ in conns)
        t_end = t0 + 60 + rng.randint(150, 600)
        self.outage_conns.append([])
        idx = len(self.outage_conns) - 1
        for n, off in zip(conns, offsets, strict=True):
            cls = rng.choices(("connection_reset", "timeout", "dns"), weights=(5, 3, 2))[0]
            lines: list[_Line] = []
            self._error_lines(lines, n, t0 + off, cls, rng.choice(self.error_texts[cls]), idx)
            self._schedule(t0 + off, lines)
        self.busy = [0] * self.cfg.connections
        for n, off in zip(conns, offsets, strict=True):
            self._reopen(n, t0 + off + 30 + rng.randint(0, 3), t_end)
        self.outage_until = t_end

    # -------------------------------------------------------------------- run
    def _startup_lines(self) -> list[_Line]:
        rng = self.rng
        lines: list[_Line] = []
        lines.append(
            (
                0,
                self._fmt(
                    "INFO",
                    M_MINER,
                    "run",
                    f"Loading data for {self.n_streamers} streamers. Please wait...",
                    "🤓",
                ),
                -1,
                _K_STREAMERS,
                self.n_streamers,
                True,
            )
        )
        for t in (0, 1, 1):
            self._add(
                lines,
                t,
                "DEBUG",
                M_HTTP,
                "_new_conn",
                "Starting new HTTPS connection (1): gql.twitch.tv:443",
                cut=True,
            )
            self._add(
                lines,
                t,
                "DEBUG",
                M_HTTP,
                "_make_request",
                'https://gql.twitch.tv:443 "POST /gql HTTP/1.1" 200 None',
                cut=True,
            )
        t = 2
        for n in range(self.cfg.connections):
            lines.extend(self._listen_lines(n, t))
            t += rng.randint(0, 1)
        return lines

    def _rollover_start(self, startup: list[_Line]) -> datetime:
        """A start on 31/12 such that midnight falls about halfway through the log."""
        cfg = self.cfg
        ts_len = len(self._date_fmt(cfg.start)) + 8
        s_bytes = 0
        offset = 0
        for line in startup:
            s_bytes += len(line[1].encode()) + ts_len + 1
            if not offset and s_bytes >= cfg.size / 2:
                offset = max(1, line[0] or 0)
        if not offset:
            s_dur = max((line[0] or 0) for line in startup)
            offset = int(s_dur + (cfg.size / 2 - s_bytes) / self.body_bps)
        offset = min(_DAY - 1, offset)
        return datetime(cfg.start.year, 12, 31) + timedelta(days=1) - timedelta(seconds=offset)

    def run(self) -> Expected:
        cfg = self.cfg
        self.class_names = list(self.class_weights)
        self.class_cum = list(itertools.accumulate(self.class_weights[name] for name in self.class_names))

        startup = self._startup_lines()
        self._set_start(self._rollover_start(startup) if cfg.year_rollover else cfg.start)

        if cfg.size > 0:
            self._emit(startup)
            self.now = self.last_t + 1
        outage_at = [cfg.size * (k + 1) // (cfg.outages + 1) for k in range(cfg.outages)]
        k_out = 0
        rate = cfg.failure_rate
        gap = 1 + int(self.rng.expovariate(rate)) if rate > 0 else _INF
        while not self.done and cfg.size > 0:
            due = self.heap[0][0] if self.heap else _INF
            if self.now < self.outage_until:
                if due <= self.outage_until:
                    self._emit(heapq.heappop(self.heap)[2])
                else:
                    self.now = self.outage_until
                continue
            if k_out < len(outage_at) and self.written >= outage_at[k_out]:
                k_out += 1
                self._start_outage()
                continue
            if due <= self.now:
                self._emit(heapq.heappop(self.heap)[2])
                continue
            limit = min(cfg.size, outage_at[k_out] if k_out < len(outage_at) else cfg.size)
            gap -= self._body(due, gap, limit)
            if gap <= 0 and not self.done:
                self._start_failure()
                gap = 1 + int(self.rng.expovariate(rate))
        self._flush()
        return self._expected()

    def _expected(self) -> Expected:
        ids = sorted(self.ids)
        by_class = dict(self.by_class)
        return Expected(
            ids=ids,
            pool_size=ids[-1] + 1 if ids else None,
            by_class=by_class,
            failures_total=sum(by_class.values()),
            reconnects=self.reconnects,
            closes=self.closes,
            topics_listened=len(self.topics) if self.listen_seen else None,
            streamers=self.streamers_seen,
            lines=self.lines,
            bytes=self.out_bytes,
            first=self._iso(self.first_t) if self.first_t is not None else None,
            last=self._iso(self.last_t) if self.first_t is not None else None,
            outages=self.outages,
            tokens=[self.token] if self.token_written else [],
        )


# --------------------------------------------------------------------------------- Hermes
H_POOL = "TwitchChannelPointsMiner.classes.websocket.hermes.Pool"
H_CLIENT = "TwitchChannelPointsMiner.classes.websocket.hermes.Client"
H_HANDLER = "TwitchChannelPointsMiner.classes.PubSub"
HERMES_VERSION = "1.3.0"
HERMES_URL = "wss://hermes.twitch.tv/v1?clientId=kimne78kx3ncx6brgo4mv6wki5h1ko"
#: mpforce1 1.x subscribes these per user and per streamer (FORKS-2026.md 1.8); the weekly
#: rewards topic has three parts (user id, channel id).
HERMES_USER_TOPICS: tuple[str, ...] = (
    "community-points-user-v1",
    "predictions-user-v1",
    "onsite-notifications",
)
HERMES_CHANNEL_TOPICS: tuple[str, ...] = (
    "video-playback-by-id",
    "weekly-rewards",
    "raid",
    "predictions-channel-v1",
)
#: PE2 texts (ERROR `WebSocket error: ...`) per failure class; Hermes sends no pings, so there is
#: no "ping pong failed", and a lost connection is PE1 (DEBUG), not PE2.
HERMES_ERROR_TEXTS: dict[str, tuple[str, ...]] = {
    "broken_pipe": ERROR_TEXTS["broken_pipe"],
    "ssl": ERROR_TEXTS["ssl"],
    "connection_reset": ("[Errno 104] Connection reset by peer",),
    "timeout": ERROR_TEXTS["timeout"],
    "dns": ERROR_TEXTS["dns"],
    "rejected": ERROR_TEXTS["rejected"],
    "other": ERROR_TEXTS["other"],
}
#: PE1 (DEBUG): a WebSocketConnectionClosedException, which reconnects by itself.
HERMES_LOST = "Connection to remote host was lost."
HERMES_CLASS_WEIGHTS: dict[str, float] = {
    "connection_reset": 24,
    "reconnect_requested": 18,
    "pong_timeout": 14,
    "ssl": 8,
    "timeout": 7,
    "broken_pipe": 5,
    "dns": 4,
    "no_internet": 4,
    "rejected": 2,
    "other": 1,
    "bad_auth": 1,
}
#: The rendered DataError of a refused authentication (HP7); the values are illustrative.
HERMES_AUTH_ERROR = "{'result': 'error', 'error': 'invalid token', 'error_code': 'unauthorized'}"
_ID_CHARS = _ALNUM + "_-"
_K_OPEN = 8  # `Hermes client opened`: the slot's new uuid from here on ("<slot> <uuid>")
_K_FAIL_OUTAGE = 9  # a failure of an outage ("<class> <outage index>")


class _HermesGenerator(_Generator):
    """mpforce1 1.x's Hermes pool (FORKS-2026.md 1.2-1.6): same model, Hermes lines.

    Counting contract, in addition to the module docstring's: ``#N`` with or without the uuid
    is an id; ``by_class`` counts PE1/PE2 ``WebSocket error`` by their text, ``Stale due to no
    recent messages`` as ``pong_timeout``, a ``reconnect`` frame as ``reconnect_requested``,
    ``Authentication error`` as ``bad_auth`` and ``No internet connection available! Retrying``
    as ``no_internet``; ``reconnects`` counts ``Reconnecting to Twitch Hermes server`` (DEBUG) and
    is None in an INFO log, which cannot show them; ``closes`` counts ``WebSocket closed: <code>
    - <reason>``; ``topics_listened`` counts the distinct topics of ``subscribe`` requests.
    A reconnection gives the slot a new uuid (HP1 creates the client, HP5 names the old one,
    HC14 opens the new one).
    """

    error_texts = HERMES_ERROR_TEXTS

    class_weights = HERMES_CLASS_WEIGHTS

    # ------------------------------------------------------------------ world
    def _build_world(self) -> None:
        rng = self.rng
        cfg = self.cfg
        self.less = cfg.layout == "less"
        self.c_logger = cfg.logger == "C"
        self.id_pool = "".join(rng.choices(_ID_CHARS, k=1 << 14))
        conns = cfg.connections
        tps = cfg.topics_per_streamer
        users = len(HERMES_USER_TOPICS)
        fill = rng.randint(10, TOPICS_PER_CONNECTION)
        target = TOPICS_PER_CONNECTION * (conns - 1) + fill
        n = max(1, math.ceil((target - users) / tps))
        while users + n * tps > TOPICS_PER_CONNECTION * conns:
            n -= 1
        self.n_streamers = n
        names: list[str] = []
        seen: set[str] = set()
        while len(names) < n:
            name = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3)))
            name += rng.choice(_NAME_SUFFIXES)
            if name not in seen:
                seen.add(name)
                names.append(name)
        self.names = names
        ids = rng.sample(range(20_000_000, 999_999_999), n + 1)
        self.user_id = ids[0]
        self.channel_ids = ids[1:]
        self.username = "".join(rng.choice(_SYLLABLES) for _ in range(3)) + str(rng.randint(1, 999))
        self.token = ""
        self.points = [rng.choice((rng.randint(0, 999), rng.randint(1000, 250_000))) for _ in names]
        topics: list[tuple[str, bool]] = [(f"{t}.{self.user_id}", True) for t in HERMES_USER_TOPICS]
        for cid in self.channel_ids:
            for t in HERMES_CHANNEL_TOPICS[:tps]:
                topic = f"{t}.{self.user_id}.{cid}" if t == "weekly-rewards" else f"{t}.{cid}"
                topics.append((topic, False))
        self.conn_topics = [
            topics[i : i + TOPICS_PER_CONNECTION] for i in range(0, len(topics), TOPICS_PER_CONNECTION)
        ]
        assert len(self.conn_topics) == conns
        live = max(1, n // 8)
        self.live = sorted(rng.sample(range(n), min(n, live)))
        self.uuids = [self._uuid() for _ in range(conns)]  # the open client of each slot
        self.sids: dict[str, str] = {t: self._rid() for t, _ in topics}  # topic -> subscription id
        self.session = self._rid()

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def _rid(self) -> str:
        """A 21-character request/subscription id (`create_random_id(21)`)."""
        o = self.rng.randrange(len(self.id_pool) - 21)
        return self.id_pool[o : o + 21]

    def _stamp(self, t: int) -> str:
        """`format_timestamp`: UTC with milliseconds, as in Hermes frames."""
        start = getattr(self, "start", self.cfg.start)
        when = start + timedelta(seconds=t)
        return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{self.rng.randrange(1000):03d}Z"

    def _describe(self, n: int, u: str | None = None) -> str:
        """`describe()`: `#N - <uuid>`, or `#N` with `less=True` (the file log too)."""
        return f"#{n}" if self.less else f"#{n} - {u if u is not None else self.uuids[n]}"

    # --------------------------------------------------------------- formatting
    def _fmt(self, level: str, module: str, func: str, msg: str, emoji: str = "") -> str:
        if self.c_logger and level != "DEBUG":
            # logger C: the console formatter prefixes the (empty) username and the emoji and,
            # running first, leaves both in the record that the file handler writes
            msg = f" {emoji}  {msg}" if emoji else f" {msg}"
            emoji = ""
        return super()._fmt(level, module, func, msg, emoji)

    # ------------------------------------------------------------ body content
    def _received(self, n: int, frame: str, u: str | None = None) -> str:
        return self._fmt("DEBUG", H_CLIENT, "on_message", f"{self._describe(n, u)} - Received: {frame}")

    def _notification(self, n: int, topic: str, inner: str, t: int) -> str:
        frame = (
            f'{{"notification":{{"subscription":{{"id":"{self.sids[topic]}"}},"type":"pubsub",'
            f'"pubsub":"{inner}"}},"id":"{self._rid()}","type":"notification","timestamp":"{self._stamp(t)}"}}'
        )
        return self._received(n, frame)

    def _viewcount_items(self) -> list[str]:
        rng = self.rng
        st = self.epoch + self.now
        items = []
        users = len(HERMES_USER_TOPICS)
        for i in self.live:
            cid = self.channel_ids[i]
            conn = (users + i * self.cfg.topics_per_streamer) // TOPICS_PER_CONNECTION
            inner = (
                '{\\"type\\":\\"viewcount\\",\\"server_time\\":'
                f"{st + rng.random() * 30:.6f}"
                ',\\"viewers\\":'
                f"{rng.randint(3, 40_000)}}}"
            )
            items.append(self._notification(conn, f"video-playback-by-id.{cid}", inner, self.now))
        return items

    def _keepalive_items(self) -> list[str]:
        frames = (
            f'{{"id":"{self._rid()}","type":"keepalive","timestamp":"{self._stamp(self.now)}"}}'
            for _ in range(self.cfg.connections)
        )
        return [self._received(n, f) for n, f in enumerate(frames)]

    def _points_items(self) -> list[str]:
        rng = self.rng
        topic = f"community-points-user-v1.{self.user_id}"
        items: list[str] = []
        for i in self.live[:60]:
            for reason, earned in self.point_draws[i]:
                line = self._fmt(
                    "INFO",
                    H_HANDLER,
                    "on_message",
                    f"+{earned} → {self._streamer_str(i)} - Reason: {reason}.",
                    emoji="🚀",
                )
                if self.debug:
                    cid = self.channel_ids[i]
                    inner = (
                        '{\\"type\\":\\"points-earned\\",\\"data\\":{\\"timestamp\\":\\"'
                        f'{self._stamp(self.now)}\\",\\"channel_id\\":\\"{cid}\\",\\"point_gain\\":'
                        f'{{\\"user_id\\":\\"{self.user_id}\\",\\"channel_id\\":\\"{cid}\\",'
                        f'\\"total_points\\":{earned},\\"reason_code\\":\\"{reason}\\"}},'
                        f'\\"balance\\":{{\\"balance\\":{self.points[i] + rng.randint(0, 500)}}}}}}}'
                    )
                    line = self._notification(0, topic, inner, self.now) + "\x00" + line
                items.append(line)
        return items

    def _categories(self) -> list[tuple[list[str], float]]:
        """Body items by category, in a fixed order and number (the weights never change)."""
        onoff: list[str] = []
        for i in self.live[:20]:
            onoff.append(
                self._fmt("INFO", M_STREAMER, "set_online", f"{self._streamer_str(i)} is Online!", "🥳")
            )
            onoff.append(
                self._fmt("INFO", M_STREAMER, "set_offline", f"{self._streamer_str(i)} is Offline!", "😴")
            )
        if not self.debug:
            return [(self._points_items(), 90.0), (onoff, 10.0)]
        http = [
            self._fmt("DEBUG", M_HTTP, "_new_conn", "Starting new HTTPS connection (1): gql.twitch.tv:443"),
            self._fmt(
                "DEBUG", M_HTTP, "_make_request", 'https://gql.twitch.tv:443 "POST /gql HTTP/1.1" 200 None'
            ),
            self._fmt("DEBUG", M_HTTP, "_new_conn", "Starting new HTTPS connection (1): spade.twitch.tv:443"),
        ]
        stale = [self._fmt("DEBUG", H_POOL, "check_stale_connections", "Checking stale connections")]
        return [
            (self._keepalive_items(), 60.0),
            (self._viewcount_items(), 22.0),
            (self._points_items(), 8.0),
            (http, 6.0),
            (stale, 2.0),
            (onoff, 2.0),
        ]

    def _build_population(self) -> None:
        rng = self.rng
        self.epoch = self.cfg.start.replace(tzinfo=timezone.utc).timestamp()
        self.point_draws = {i: rng.sample(_POINT_REASONS, 3) for i in self.live[:60]}
        for i, draws in self.point_draws.items():
            self.points[i] += sum(earned for _, earned in draws)
        cats = self._categories()
        pop: list[bytes] = []
        cum: list[float] = []
        total = 0.0
        for items, weight in cats:
            for item in items:
                total += weight / len(items)
                pop.append(item.encode())
                cum.append(total)
        self.pop = pop
        self.cum = cum
        self.pairs = any(b"\x00" in item for item in pop)
        self.ibuf = []
        self.ipos = 0
        self.n_viewcount = 0
        # Hermes keepalives come every ~10 s per connection: the bulk of a DEBUG log
        self.rate = (
            max(0.05, 0.17 * self.cfg.connections) if self.debug else max(0.01, 0.0045 * self.cfg.connections)
        )

    def _refill_items(self) -> None:
        """Re-render the body items (fresh uuids after reconnections, frame times), then draw."""
        if self.debug:
            self.pop = [item.encode() for items, _ in self._categories() for item in items]
        self.ibuf = self.rng.choices(self.pop, cum_weights=self.cum, k=8192)
        self.ipos = 0

    # ----------------------------------------------------------------- output
    def _account(self, kind: int, arg: str | int, t: int, conn: int) -> None:
        if kind == _K_OPEN:
            slot, u = cast(str, arg).split(" ")
            if self.uuids[int(slot)] != u:
                self.uuids[int(slot)] = u
                self.ipos = len(self.ibuf)  # body lines of this slot carry the new uuid from now on
        elif kind == _K_FAIL_OUTAGE:
            cls, idx = cast(str, arg).split(" ")
            self.by_class[cls] += 1
            conns = self.outage_conns[int(idx)]
            if not conns:
                self.outages.append({"start": self._iso(t), "end": "", "connections": conns})
            conns.append(conn)
            conns.sort()
            self.outages[-1]["end"] = self._iso(t)
        else:
            super()._account(kind, arg, t, conn)

    # --------------------------------------------------------------- failures
    def _traceback(self, lines: list[_Line], err: str) -> None:
        """PE2 logs with exc_info unless less=True (mpforce1 04e5cc2b)."""
        exc = _EXCEPTIONS.get(err)
        if exc is None or not self.cfg.tracebacks or self.less:
            return
        lines.append((None, "Traceback (most recent call last):", -1, _K_NONE, "", False))
        for frame in self.rng.choice(_TRACEBACK_FRAMES):
            lines.append((None, frame, -1, _K_NONE, "", False))
        lines.append((None, f"{exc}: {err}", -1, _K_NONE, "", False))

    def _error_lines(self, lines: list[_Line], n: int, t: int, cls: str, err: str, outage: int = -1) -> None:
        """PE2 (+traceback, +echo), then the closed socket's HC19 and its reconnection (HP1, HP5)."""
        msg = f"{self._describe(n)} - WebSocket error: {err}"
        if outage < 0:
            self._add(lines, t, "ERROR", H_POOL, "on_error", msg, _Fact(n, _K_FAIL, cls))
        else:
            self._add(lines, t, "ERROR", H_POOL, "on_error", msg, _Fact(n, _K_FAIL_OUTAGE, f"{cls} {outage}"))
        self._traceback(lines, err)
        if self.cfg.echoes:
            self._add(lines, t, "ERROR", M_WSC, "error", f"{err} - goodbye")
        self._closed(lines, t, n)
        self._reconnecting(lines, t, n)

    def _closed(self, lines: list[_Line], t: int, n: int) -> None:
        msg = f"{self._describe(n)} - WebSocket closed: None - None"
        self._add(lines, t, "DEBUG", H_CLIENT, "on_close", msg, _Fact(n, _K_CLOSE))

    def _reconnecting(self, lines: list[_Line], t: int, n: int, outage: int = -1) -> None:
        """HP1 (the replacement client) and HP5 (named by the old client)."""
        self._add(lines, t, "DEBUG", H_POOL, "__create_new_client", f"Creating new HermesClient at index {n}")
        msg = f"{self._describe(n)} - Reconnecting to Twitch Hermes server in ~30 seconds"
        self._add(lines, t, "DEBUG", H_POOL, "__reconnect", msg, _Fact(n, _K_RECON))

    def _second_trigger(self, n: int, t: int) -> None:
        """The old socket's close arrives after the reconnection started: HC19, then HP4."""
        lines: list[_Line] = []
        self._closed(lines, t, n)
        self._add(
            lines, t, "DEBUG", H_POOL, "__reconnect", f"{self._describe(n)} already reconnecting", _Fact(n)
        )
        self._schedule(t, lines)
        self.busy[n] = max(self.busy[n], t + 1)

    def _listen_lines(self, n: int, t: int, bad_auth: bool = False) -> list[_Line]:
        return self._open_lines(n, t, self._uuid(), bad_auth)

    def _open_lines(self, n: int, t: int, u: str, bad_auth: bool = False) -> list[_Line]:
        """HC14, welcome, authenticate and one subscribe per topic of the slot (with ``u``)."""
        lines: list[_Line] = []
        d = self._describe(n, u)
        opened = f"Hermes client opened: index={n}, id='{u}'"
        self._add(lines, t, "DEBUG", H_CLIENT, "on_open", opened, _Fact(-1, _K_OPEN, f"{n} {u}"))
        welcome = (
            f'{{"welcome":{{"keepaliveSec":10,"recoveryUrl":"{HERMES_URL}&reconnect={self.session}",'
            f'"sessionId":"{self.session}"}},"id":"{self._rid()}","type":"welcome","timestamp":"{self._stamp(t)}"}}'
        )
        self._add(lines, t, "DEBUG", H_CLIENT, "on_message", f"{d} - Received: {welcome}", _Fact(n), cut=True)
        auth_id = self._rid()
        auth = (
            f'{{"id":"{auth_id}","type":"authenticate","authenticate":{{"token":"REDACTED"}},'
            f'"timestamp":"{self._stamp(t)}"}}'
        )
        self._add(lines, t, "DEBUG", H_CLIENT, "__send_request", f"{d} - Send: {auth}", _Fact(n), cut=True)
        ta = t + self.rng.randint(0, 1)
        if bad_auth:
            frame = (
                '{"authenticateResponse":{"result":"error","error":"invalid token","errorCode":"unauthorized"},'
                f'"id":"{self._rid()}","parentId":"{auth_id}","type":"authenticateResponse",'
                f'"timestamp":"{self._stamp(ta)}"}}'
            )
            self._add(lines, ta, "DEBUG", H_CLIENT, "on_message", f"{d} - Received: {frame}", _Fact(n))
            when = getattr(self, "start", self.cfg.start) + timedelta(seconds=ta)
            response = (
                f"<AuthenticateResponse: {{'id': '{self._rid()}', 'type': 'authenticateResponse', "
                f"'timestamp': datetime.datetime({when.year}, {when.month}, {when.day}, {when.hour}, "
                f"{when.minute}, {when.second}, {self.rng.randrange(1000) * 1000}, tzinfo=tzutc()), "
                f"'parent_id': '{auth_id}', 'authenticate_response': <DataError: {HERMES_AUTH_ERROR}>}}>"
            )
            msg = f"{d} - Authentication error, {response}"
            self._add(lines, ta, "ERROR", H_POOL, "on_authenticate", msg, _Fact(n, _K_FAIL, "bad_auth"))
            self._add(
                lines,
                ta,
                "DEBUG",
                H_CLIENT,
                "on_close",
                f"{d} - WebSocket closed: None - None",
                _Fact(n, _K_CLOSE),
            )
            self._add(
                lines, ta, "DEBUG", H_POOL, "__create_new_client", f"Creating new HermesClient at index {n}"
            )
            msg = f"{d} - Reconnecting to Twitch Hermes server in ~30 seconds"
            self._add(lines, ta, "DEBUG", H_POOL, "__reconnect", msg, _Fact(n, _K_RECON), cut=True)
            return lines
        frame = (
            f'{{"authenticateResponse":{{"result":"ok"}},"id":"{self._rid()}","parentId":"{auth_id}",'
            f'"type":"authenticateResponse","timestamp":"{self._stamp(ta)}"}}'
        )
        self._add(lines, ta, "DEBUG", H_CLIENT, "on_message", f"{d} - Received: {frame}", _Fact(n), cut=True)
        self._add(
            lines, ta, "DEBUG", H_POOL, "on_authenticate", f"{d} - Authentication success", _Fact(n), cut=True
        )
        requests: list[tuple[str, str]] = []
        for topic, _user in self.conn_topics[n]:
            rid, sid = self._rid(), self._rid()
            self.sids[topic] = sid
            requests.append((rid, sid))
            send = (
                f'{{"type":"subscribe","id":"{rid}","subscribe":{{"id":"{sid}","type":"pubsub",'
                f'"pubsub":{{"topic":"{topic}"}}}},"timestamp":"{self._stamp(ta)}"}}'
            )
            self._add(
                lines,
                ta,
                "DEBUG",
                H_CLIENT,
                "__send_request",
                f"{d} - Send: {send}",
                _Fact(n, _K_LISTEN, topic),
                cut=True,
            )
        tr = ta + self.rng.randint(0, 1)
        for rid, sid in requests:
            frame = (
                f'{{"subscribeResponse":{{"subscription":{{"id":"{sid}"}},"result":"ok"}},"id":"{self._rid()}",'
                f'"parentId":"{rid}","type":"subscribeResponse","timestamp":"{self._stamp(tr)}"}}'
            )
            self._add(
                lines, tr, "DEBUG", H_CLIENT, "on_message", f"{d} - Received: {frame}", _Fact(n), cut=True
            )
        return lines

    def _reopen(self, n: int, t: int, offline_until: int, bad_auth: bool = False) -> None:
        """HP6 (named by the old client) while offline, then the new client opens."""
        while t < offline_until:
            k = self.rng.randint(1, 3)
            lines: list[_Line] = []
            msg = f"{self._describe(n)} - No internet connection available! Retrying websocket reconnection after {k}m"
            self._add(lines, t, "WARNING", H_POOL, "__reconnect", msg, _Fact(n, _K_FAIL, "no_internet"))
            self._schedule(t, lines)
            t += 60 * k + self.rng.randint(0, 2)
        u = self._uuid()
        self._schedule(t, self._open_lines(n, t, u, bad_auth), atomic=False)
        self.busy[n] = max(self.busy[n], t + 2)
        if bad_auth:  # the refused client closes and its replacement opens 30 s later
            t2 = t + 31 + self.rng.randint(0, 3)
            self._schedule(t2, self._open_lines(n, t2, self._uuid()), atomic=False)
            self.busy[n] = max(self.busy[n], t2 + 2)

    def _start_failure(self) -> None:
        rng = self.rng
        t = self.now
        cls = rng.choices(self.class_names, cum_weights=self.class_cum)[0]
        n = self._victim(cls, t)
        if n is None:
            return
        lines: list[_Line] = []
        if cls == "connection_reset" and rng.random() < _HERMES_LOST_ODDS:  # PE1: reconnects at once
            self._lost(lines, n, t, cls)
        elif cls in self.error_texts:
            self._socket_error(lines, n, t, cls)
        elif cls == "no_internet":
            self._offline(lines, n, t)
        elif cls == "pong_timeout":  # HC12: no frame for keepaliveSec + 5
            self._stale(lines, n, t, cls)
        else:  # reconnect_requested, bad_auth (a reconnect frame whose new client is refused)
            self._reconnect_request(lines, n, t, cls)

    def _lost(self, lines: list[_Line], n: int, t: int, cls: str) -> None:
        """The connection is lost and the client reconnects at once."""
        rng = self.rng
        d = self._describe(n)
        msg = f"{d} - WebSocket error: {HERMES_LOST}"
        self._add(lines, t, "DEBUG", H_POOL, "on_error", msg, _Fact(n, _K_FAIL, cls))
        self._reconnecting(lines, t, n)
        self._schedule(t, lines)
        self._second_trigger(n, t + rng.randint(0, 1))
        self._reopen(n, t + 30 + rng.randint(0, 3), 0)

    def _stale(self, lines: list[_Line], n: int, t: int, cls: str) -> None:
        """No frame for too long: the client is stale and reconnects."""
        rng = self.rng
        d = self._describe(n)
        self._add(
            lines,
            t,
            "DEBUG",
            H_CLIENT,
            "stale",
            f"{d} - Stale due to no recent messages",
            _Fact(n, _K_FAIL, cls),
        )
        self._reconnecting(lines, t, n)
        self._schedule(t, lines)
        if rng.random() < _PING_CLOSE_ODDS:
            self._second_trigger(n, t + rng.randint(0, 2))
        self._reopen(n, t + 30 + rng.randint(0, 3), 0)

    def _reconnect_request(self, lines: list[_Line], n: int, t: int, cls: str) -> None:
        """A reconnect frame; the new client (refused for bad_auth)."""
        rng = self.rng
        d = self._describe(n)
        frame = (
            f'{{"id":"{self._rid()}","type":"reconnect","timestamp":"{self._stamp(t)}",'
            f'"reconnect":{{"url":"{HERMES_URL}&reconnect={self.session}"}}}}'
        )
        msg = f"{d} - Received: {frame}"
        self._add(lines, t, "DEBUG", H_CLIENT, "on_message", msg, _Fact(n, _K_FAIL, "reconnect_requested"))
        self._reconnecting(lines, t, n)
        self._schedule(t, lines)
        if rng.random() < _RECONNECT_CLOSE_ODDS:
            self._second_trigger(n, t + rng.randint(0, 2))
        self._reopen(n, t + 30 + rng.randint(0, 3), 0, bad_auth=cls == "bad_auth")

    # -------------------------------------------------------------------- run
    def _startup_lines(self) -> list[_Line]:
        rng = self.rng
        lines: list[_Line] = []
        banner = f"Twitch Channel Points Miner-{HERMES_VERSION} (fork by mpforce1)"
        self._add(lines, 0, "INFO", M_MINER, "__init__", banner, cut=True)
        loading = self._fmt(
            "INFO", M_MINER, "run", f"Loading data for {self.n_streamers} streamers. Please wait...", "🤓"
        )
        lines.append((0, loading, -1, _K_STREAMERS, self.n_streamers, True))
        for t in (0, 1, 1):
            self._add(
                lines,
                t,
                "DEBUG",
                M_HTTP,
                "_new_conn",
                "Starting new HTTPS connection (1): gql.twitch.tv:443",
                cut=True,
            )
            self._add(
                lines,
                t,
                "DEBUG",
                M_HTTP,
                "_make_request",
                'https://gql.twitch.tv:443 "POST /gql HTTP/1.1" 200 None',
                cut=True,
            )
        t = 2
        self._add(lines, t, "DEBUG", H_POOL, "start", "Starting Hermes WebSocket Pool", cut=True)
        for n in range(self.cfg.connections):
            self._add(
                lines, t, "DEBUG", H_POOL, "__create_new_client", f"Creating new HermesClient at index {n}"
            )
            lines.extend(self._open_lines(n, t, self.uuids[n]))
            t += rng.randint(0, 1)
        return lines

    def _expected(self) -> Expected:
        exp = super()._expected()
        exp.client = "hermes"
        if not self.debug:
            exp.reconnects = None  # Hermes reconnections are DEBUG records only
        return exp


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class _Wrapper:
    """Puts a log collector's prefix before every line, with the time of the line's record
    (continuation lines take the time of the record above them)."""

    def __init__(self, kind: str, layout: str, year: int, seed: int) -> None:
        self.kind = kind
        self.less = layout == "less"
        self.year = year
        self.month = 0
        self.rng = random.Random(seed)  # its own stream: the log's lines stay the same
        self.stamp = b""
        self.when = datetime(year, 1, 1)
        self.service = b"twitch-miner-1  | " if kind == "desktop" else b"twitch-miner  | "

    def _time(self, line: bytes) -> None:
        n = 14 if self.less else 17
        stamp = line[:n]
        if stamp == self.stamp or len(line) < n + 3 or line[n : n + 3] != b" - ":
            return
        try:
            if self.less:
                day, month = int(stamp[:2]), int(stamp[3:5])
                if self.month and month < self.month:
                    self.year += 1
                self.month = month
                when = datetime(self.year, month, day, int(stamp[6:8]), int(stamp[9:11]), int(stamp[12:14]))
            else:
                when = datetime.strptime(stamp.decode(), "%d/%m/%y %H:%M:%S")
        except ValueError:
            return
        self.stamp, self.when = stamp, when

    def _prefix(self) -> bytes:
        w = self.when
        iso = w.strftime("%Y-%m-%dT%H:%M:%S")
        if self.kind == "compose":
            return self.service
        if self.kind == "compose-t":
            return self.service + f"{iso}.{self.rng.randrange(10**9):09d}Z ".encode()
        if self.kind == "desktop":
            return w.strftime("%Y-%m-%d %H:%M:%S ").encode() + self.service
        if self.kind == "docker-t":
            return f"{iso}.{self.rng.randrange(10**9):09d}Z ".encode()
        if self.kind == "journald":
            return f"{_MONTHS[w.month - 1]} {w.day:02d} {w.strftime('%H:%M:%S')} raspberrypi python3[812]: ".encode()
        return f"{iso}Z app[3d8d9e1b] ams [info]".encode()  # fly

    def lines(self, blob: bytes) -> bytes:
        out: list[bytes] = []
        for line in blob.split(b"\n")[:-1]:
            self._time(line)
            out.append(self._prefix() + line + b"\n")
        return b"".join(out)


def generate(cfg: GenConfig, out: BinaryIO) -> Expected:
    """Write a log for ``cfg`` to ``out`` and return the exact expected analysis."""
    if cfg.client == "hermes":
        return _HermesGenerator(cfg, out).run()
    return _Generator(cfg, out).run()


_SIZE_RE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*", re.IGNORECASE)


def parse_size(text: str) -> int:
    """``500K`` / ``200M`` / ``1G`` (binary multiples) or a plain byte count."""
    m = _SIZE_RE.fullmatch(text)
    if m is None:
        raise argparse.ArgumentTypeError(f"bad size {text!r} (use e.g. 500K, 200M, 1G)")
    mult = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}[m.group(2).lower()]
    return int(float(m.group(1)) * mult)


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--size", type=parse_size, default=GenConfig.size, help="target size: 500K, 200M, 1G")
    p.add_argument("--layout", choices=LAYOUTS, default="file")
    p.add_argument("--level", choices=LEVELS, default="DEBUG")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--connections", type=int, default=37)
    p.add_argument("--topics-per-streamer", type=int, default=2)
    p.add_argument("--failure-rate", type=float, default=0.002)
    p.add_argument("--outages", type=int, default=0)
    p.add_argument("--start", type=datetime.fromisoformat, default=None, help="ISO start time")
    p.add_argument("--year-rollover", action="store_true")
    p.add_argument("--no-echoes", action="store_true")
    p.add_argument("--no-tracebacks", action="store_true")
    p.add_argument("--no-tokens", action="store_true")
    p.add_argument("--wrapper", choices=WRAPPERS, default="none", help="a log collector's line prefix")
    p.add_argument(
        "--client", choices=CLIENTS, default="pubsub", help="PubSub (RDV) or Hermes (mpforce1) lines"
    )
    p.add_argument(
        "--logger", choices=LOGGERS, default="A", help="mpforce1 logger variant (C: with --client hermes)"
    )
    p.add_argument("-o", "--output", default="-", help="log file (default: stdout)")
    p.add_argument("--expected", default=None, help="write the Expected JSON here")
    p.add_argument("-v", "--verbose", action="store_true", help="print size and speed to stderr")
    a = p.parse_args(argv)
    cfg = GenConfig(
        seed=a.seed,
        size=a.size,
        layout=a.layout,
        level=a.level,
        connections=a.connections,
        topics_per_streamer=a.topics_per_streamer,
        failure_rate=a.failure_rate,
        outages=a.outages,
        year_rollover=a.year_rollover,
        echoes=not a.no_echoes,
        tracebacks=not a.no_tracebacks,
        tokens=not a.no_tokens,
        wrapper=a.wrapper,
        client=a.client,
        logger=a.logger,
    )
    if a.start is not None:
        cfg.start = a.start
    t0 = time.perf_counter()
    try:
        if a.output == "-":
            exp = generate(cfg, sys.stdout.buffer)
            sys.stdout.buffer.flush()
        else:
            with open(a.output, "wb") as fh:
                exp = generate(cfg, fh)
    except ValueError as e:
        p.error(str(e))
    except BrokenPipeError:  # e.g. `genlog.py | head`
        sys.stderr.close()
        return 1
    dt = time.perf_counter() - t0
    if a.expected:
        with open(a.expected, "w", encoding="utf-8") as fh:
            json.dump(exp.to_json(), fh, indent=2)
            fh.write("\n")
    if a.verbose:
        mb = exp.bytes / 1e6
        print(
            f"{exp.bytes} bytes, {exp.lines} lines in {dt:.2f}s ({mb / max(dt, 1e-9):.1f} MB/s)",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
