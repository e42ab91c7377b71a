"""One run of the Hermes generator: its failure events, startup and expected counts."""

from __future__ import annotations

from datetime import timedelta

from .config import (
    _EXCEPTIONS,
    _HERMES_LOST_ODDS,
    _K_CLOSE,
    _K_FAIL,
    _K_LISTEN,
    _K_NONE,
    _K_RECON,
    _PING_CLOSE_ODDS,
    _RECONNECT_CLOSE_ODDS,
    _TRACEBACK_FRAMES,
    M_MINER,
    M_WSC,
    Expected,
    _Fact,
    _Line,
)
from .hermes_world import (
    _K_FAIL_OUTAGE,
    _K_OPEN,
    H_CLIENT,
    H_POOL,
    HERMES_AUTH_ERROR,
    HERMES_LOST,
    HERMES_URL,
    HERMES_VERSION,
    _HermesWorld,
)


class _HermesGenerator(_HermesWorld):
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

    def _late_close(self, n: int, t: int) -> None:
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
        self._late_close(n, t + rng.randint(0, 1))
        self._reopen(n, t + 30 + rng.randint(0, 3), 0)

    def _stale(self, lines: list[_Line], n: int, t: int, cls: str) -> None:
        """No frame for too long: the client is stale and reconnects."""
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
        self._reconnect_later(lines, n, t, _PING_CLOSE_ODDS, (0, 2))

    def _reconnect_request(self, lines: list[_Line], n: int, t: int, cls: str) -> None:
        """A reconnect frame; the new client (refused for bad_auth)."""
        d = self._describe(n)
        frame = (
            f'{{"id":"{self._rid()}","type":"reconnect","timestamp":"{self._stamp(t)}",'
            f'"reconnect":{{"url":"{HERMES_URL}&reconnect={self.session}"}}}}'
        )
        msg = f"{d} - Received: {frame}"
        self._add(lines, t, "DEBUG", H_CLIENT, "on_message", msg, _Fact(n, _K_FAIL, "reconnect_requested"))
        self._reconnect_later(lines, n, t, _RECONNECT_CLOSE_ODDS, (0, 2), bad_auth=cls == "bad_auth")

    # -------------------------------------------------------------------- run
    def _startup_lines(self) -> list[_Line]:
        rng = self.rng
        lines: list[_Line] = []
        banner = f"Twitch Channel Points Miner-{HERMES_VERSION} (fork by mpforce1)"
        self._add(lines, 0, "INFO", M_MINER, "__init__", banner, cut=True)
        self._loading_lines(lines)
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
