"""Log collectors' line prefixes (docker -t, journald, compose, desktop, fly)."""

from __future__ import annotations

import random
from datetime import datetime

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
