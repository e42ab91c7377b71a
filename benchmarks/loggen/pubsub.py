"""One run of the PubSub generator: the startup, the run loop and the expected counts."""

from __future__ import annotations

import heapq
import itertools
from datetime import datetime, timedelta

from .config import (
    _DAY,
    _INF,
    _K_STREAMERS,
    M_HTTP,
    M_MINER,
    Expected,
    _Line,
)
from .pubsub_failures import _Failures


class _Generator(_Failures):
    """One run of the generator; see :func:`generate`."""

    # -------------------------------------------------------------------- run
    def _loading_lines(self, lines: list[_Line]) -> None:
        """The miner's `Loading data for N streamers` and its first GQL requests (both clients)."""
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

    def _startup_lines(self) -> list[_Line]:
        rng = self.rng
        lines: list[_Line] = []
        self._loading_lines(lines)
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
