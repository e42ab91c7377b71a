"""The PubSub generator's world: streamers, topics, the body's pre-formatted lines and ticks."""

from __future__ import annotations

import math
import random
from datetime import datetime, timezone
from typing import BinaryIO

from .config import (
    _ALNUM,
    _MAX_GAP,
    _NAME_NUMBER_ODDS,
    _NAME_SUFFIXES,
    _NO_FACT,
    _POINT_REASONS,
    _SYLLABLES,
    _TOKEN_CHARS,
    CHANNEL_TOPICS,
    CLASS_WEIGHTS,
    ERROR_TEXTS,
    FAILURE_CLASSES,
    M_HTTP,
    M_POOL,
    M_STREAMER,
    M_WS,
    NONCE_LENGTH,
    TOKEN_LENGTH,
    TOPICS_PER_CONNECTION,
    USER_TOPICS,
    GenConfig,
    _check,
    _Fact,
    _Line,
    _millify,
)
from .wrappers import _Wrapper


class _World:
    """A run's fixed world: its streamers, topics and pre-formatted body lines; its state."""

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
        n = self.n_streamers = self._streamer_count(len(USER_TOPICS))
        self.names = self._streamer_names(n, numbered=True)
        self._draw_ids(n)
        self.token = "".join(rng.choices(_TOKEN_CHARS, k=TOKEN_LENGTH))
        self._draw_points()

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

    def _streamer_count(self, users: int) -> int:
        """How many streamers fill the pool's last connection with 10 to 50 topics."""
        conns = self.cfg.connections
        tps = self.cfg.topics_per_streamer
        fill = self.rng.randint(10, TOPICS_PER_CONNECTION)
        target = TOPICS_PER_CONNECTION * (conns - 1) + fill
        n = max(1, math.ceil((target - users) / tps))
        while users + n * tps > TOPICS_PER_CONNECTION * conns:
            n -= 1
        return n

    def _streamer_names(self, n: int, numbered: bool) -> list[str]:
        """``n`` distinct streamer names (some ending in a number if ``numbered``)."""
        rng = self.rng
        names: list[str] = []
        seen: set[str] = set()
        while len(names) < n:
            name = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3)))
            name += rng.choice(_NAME_SUFFIXES)
            if numbered and rng.random() < _NAME_NUMBER_ODDS:
                name += str(rng.randint(1, 99))
            if name not in seen:
                seen.add(name)
                names.append(name)
        return names

    def _draw_ids(self, n: int) -> None:
        """The user's and ``n`` channels' ids and the username."""
        rng = self.rng
        ids = rng.sample(range(20_000_000, 999_999_999), n + 1)
        self.user_id = ids[0]
        self.channel_ids = ids[1:]
        self.username = "".join(rng.choice(_SYLLABLES) for _ in range(3)) + str(rng.randint(1, 999))

    def _draw_points(self) -> None:
        """Each streamer's channel points balance at the start."""
        rng = self.rng
        self.points = [rng.choice((rng.randint(0, 999), rng.randint(1000, 250_000))) for _ in self.names]

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
    def _onoff_items(self) -> list[str]:
        """`is Online!` and `is Offline!` of the first 20 live streamers (both clients)."""
        onoff: list[str] = []
        for i in self.live[:20]:
            onoff.append(
                self._fmt("INFO", M_STREAMER, "set_online", f"{self._streamer_str(i)} is Online!", "🥳")
            )
            onoff.append(
                self._fmt("INFO", M_STREAMER, "set_offline", f"{self._streamer_str(i)} is Offline!", "😴")
            )
        return onoff

    def _earned_line(self, module: str, i: int, earned: int, reason: str) -> str:
        """The INFO record of points earned by streamer ``i`` (logged by ``module``)."""
        msg = f"+{earned} → {self._streamer_str(i)} - Reason: {reason}."
        return self._fmt("INFO", module, "on_message", msg, emoji="🚀")

    def _viewcount_inner(self, st: float) -> str:
        """A viewcount message's escaped JSON (server time within 30 s after ``st``)."""
        rng = self.rng
        return (
            '{\\"type\\":\\"viewcount\\",\\"server_time\\":'
            f"{st + rng.random() * 30:.6f}"
            ',\\"viewers\\":'
            f"{rng.randint(3, 40_000)}}}"
        )

    def _viewcount_items(self) -> list[str]:
        st = self.epoch + self.now
        items = []
        for i in self.live:
            cid = self.channel_ids[i]
            topic_idx = len(USER_TOPICS) + i * self.cfg.topics_per_streamer
            conn = topic_idx // TOPICS_PER_CONNECTION
            inner = self._viewcount_inner(st)
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
                line = self._earned_line(M_POOL, i, earned, reason)
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
        onoff = self._onoff_items()
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
        self._set_population(cats)
        self.next_refresh = 0  # rebuild viewcount lines once the start time is final

    def _set_population(self, cats: list[tuple[list[str], float]]) -> None:
        """The body's items and cumulative weights (``weight`` shared by a category's items)."""
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

    def _date_fmt(self, d: datetime) -> str:
        return d.strftime("%d/%m " if self.layout == "less" else "%d/%m/%y ")
