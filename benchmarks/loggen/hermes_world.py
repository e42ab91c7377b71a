"""mpforce1 1.x's Hermes client: its texts, topics and the world and body lines of its log."""

from __future__ import annotations

import uuid
from datetime import timedelta, timezone
from typing import cast

from .config import (
    _ALNUM,
    _POINT_REASONS,
    CLASS_WEIGHTS,
    ERROR_TEXTS,
    M_HTTP,
    TOPICS_PER_CONNECTION,
    USER_TOPICS,
)
from .pubsub import _Generator

H_POOL = "TwitchChannelPointsMiner.classes.websocket.hermes.Pool"
H_CLIENT = "TwitchChannelPointsMiner.classes.websocket.hermes.Client"
H_HANDLER = "TwitchChannelPointsMiner.classes.PubSub"
HERMES_VERSION = "1.3.0"
HERMES_URL = "wss://hermes.twitch.tv/v1?clientId=kimne78kx3ncx6brgo4mv6wki5h1ko"
#: mpforce1 1.x subscribes these per user and per streamer (FORKS-2026.md 1.8); the weekly
#: rewards topic has three parts (user id, channel id).
HERMES_USER_TOPICS: tuple[str, ...] = (*USER_TOPICS, "onsite-notifications")
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
#: PubSub's weights without the ping classes (Hermes sends no pings); a stale client
#: (pong_timeout) is more common. The order of the keys is that of the draws.
HERMES_CLASS_WEIGHTS: dict[str, float] = {
    cls: w for cls, w in CLASS_WEIGHTS.items() if cls not in ("ping_pong", "ping_stalled")
} | {"pong_timeout": 14}
#: The rendered DataError of a refused authentication (HP7); the values are illustrative.
HERMES_AUTH_ERROR = "{'result': 'error', 'error': 'invalid token', 'error_code': 'unauthorized'}"
_ID_CHARS = _ALNUM + "_-"
_K_OPEN = 8  # `Hermes client opened`: the slot's new uuid from here on ("<slot> <uuid>")
_K_FAIL_OUTAGE = 9  # a failure of an outage ("<class> <outage index>")


class _HermesWorld(_Generator):
    """The Hermes pool's world and body lines (uuids, frames, keepalives)."""

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
        n = self.n_streamers = self._streamer_count(len(HERMES_USER_TOPICS))
        self.names = self._streamer_names(n, numbered=False)
        self._draw_ids(n)
        self.token = ""
        self._draw_points()
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
        st = self.epoch + self.now
        items = []
        users = len(HERMES_USER_TOPICS)
        for i in self.live:
            cid = self.channel_ids[i]
            conn = (users + i * self.cfg.topics_per_streamer) // TOPICS_PER_CONNECTION
            inner = self._viewcount_inner(st)
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
                line = self._earned_line(H_HANDLER, i, earned, reason)
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
        onoff = self._onoff_items()
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
        self._set_population(self._categories())
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
