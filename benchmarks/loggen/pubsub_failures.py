"""The PubSub generator's failure events: errors, closes, reconnections, refusals, outages."""

from __future__ import annotations

from .config import (
    _EXCEPTIONS,
    _K_CLOSE,
    _K_FAIL,
    _K_LISTEN,
    _K_LISTEN_TOKEN,
    _K_NONE,
    _K_RECON,
    _K_RECON_OUTAGE,
    _PING_CLOSE_ODDS,
    _RECONNECT_CLOSE_ODDS,
    _TRACEBACK_FRAMES,
    _TRACEBACK_ODDS,
    M_MINER,
    M_POOL,
    M_WS,
    M_WSC,
    _Fact,
    _Line,
)
from .pubsub_output import _Writer


class _Failures(_Writer):
    """Failure events and outages, scheduled on the heap as whole events."""

    #: Set by ``run`` from ``class_weights``.
    class_names: list[str]
    class_cum: list[float]

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

    def _late_close(self, n: int, t: int) -> None:
        """The old socket's close, logged at ``t`` after its reconnection started."""
        closed: list[_Line] = []
        self._closed(closed, t, n)
        self._schedule(t, closed)
        # Matters only for a close after the reopening (a RECONNECT's), which keeps ``n`` busy.
        self.busy[n] = max(self.busy[n], t + 1)

    def _reconnect_later(
        self,
        lines: list[_Line],
        n: int,
        t: int,
        close_odds: float,
        close_after: tuple[int, int],
        bad_auth: bool = False,
    ) -> None:
        """`Reconnecting` after ``lines`` at ``t``, the old socket's late close with
        ``close_odds`` (``close_after`` s later), and the reopening ~30 s later."""
        rng = self.rng
        self._reconnecting(lines, t, n)
        self._schedule(t, lines)
        if rng.random() < close_odds:
            self._late_close(n, t + rng.randint(*close_after))
        self._reopen(n, t + 30 + rng.randint(0, 3), 0, bad_auth=bad_auth)

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
        self._reconnect_later(lines, n, t, _PING_CLOSE_ODDS, (0, 2))

    def _reconnect_request(self, lines: list[_Line], n: int, t: int, cls: str) -> None:
        """Twitch's RECONNECT; the close (mostly); the re-LISTEN (refused for bad_auth)."""
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
        self._reconnect_later(lines, n, t, _RECONNECT_CLOSE_ODDS, (40, 75), bad_auth=cls == "bad_auth")

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
