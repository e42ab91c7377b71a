"""The PubSub generator's clock, output and body: timestamps, accounting, the hot loop."""

from __future__ import annotations

import heapq
from datetime import datetime, timedelta, timezone
from typing import cast

from .config import (
    _DAY,
    _FLUSH_BYTES,
    _HMS,
    _HMS_B,
    _INF,
    _K_CLOSE,
    _K_FAIL,
    _K_LISTEN,
    _K_LISTEN_TOKEN,
    _K_RECON,
    _K_RECON_OUTAGE,
    _K_STREAMERS,
    _Line,
)
from .pubsub_world import _World


class _Writer(_World):
    """The clock, the output buffer and the body's hot loop."""

    # ------------------------------------------------------------------ clock
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
