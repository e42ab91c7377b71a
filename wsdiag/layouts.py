"""Recognise the line layouts of the miner's log handlers (FORMATS.md section 1).

A line is split into an optional Docker prefix, the miner's timestamp, level, function and the
message. Layout is decided per line, so one file may mix layouts.

* file     ``25/11/26 21:08:01 - ERROR - TwitchChannelPointsMiner.classes.WebSocketsPool - [on_error]: msg``
* console  ``25/11/26 21:08:01 - ERROR - [on_error]: msg``
* less     ``19/11 13:45:58 - msg`` (no level; no year except in the zarmstrong fork)
* bare     a record whose prefix was cut off: ``ERROR - [on_error]: msg`` or just ``#0 - WebSocket closed``
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from wsdiag.records import Line

# Optional wrapper added by `docker compose logs [-t]` / Docker Desktop / `docker logs -t`.
_DOCKER = re.compile(
    r"(?:(?P<dts>\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d)(?:\.\d{1,9})?Z? )?"
    r"(?:(?P<svc>[A-Za-z0-9][\w.-]{0,127}) {0,32}\| ?)?",
    re.ASCII,
)

# The miner's timestamp: dd/mm/yy, dd/mm (less), or any zarmstrong date_format permutation.
_STAMP = re.compile(
    r"(?P<a>\d{1,4})(?P<sep>[/.-])(?P<b>\d{1,2})(?:(?P=sep)(?P<c>\d{1,4}))?"
    r"[ T](?P<H>\d\d):(?P<M>\d\d):(?P<S>\d\d)(?:[.,]\d{1,6})? - ",
    re.ASCII,
)
_LEVEL = re.compile(r"(?P<level>DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL) - ")
# `module - [func]: ` (file) or `[func]: ` (console). Module names are dotted identifiers.
_FUNC = re.compile(r"(?:(?P<module>[A-Za-z_][\w.]{0,200}) - )?\[(?P<func>[^\]\s]{1,100})\]: ", re.ASCII)
# A bare WebSocket message pasted without any prefix.
_BARE = re.compile(r"(?:\[[^\]\s]{1,64}\] )?#\d{1,12} - ", re.ASCII)

# The miner's timestamp somewhere inside an unknown wrapper, not glued to a longer number.
_STAMP_INSIDE = re.compile(
    r"(?<![\w/.:-])\d{1,4}[/.-]\d{1,2}(?:[/.-]\d{1,4})?[ T]\d\d:\d\d:\d\d(?:[.,]\d{1,6})? - ",
    re.ASCII,
)
_WRAPPER_MAX = 200  # longest wrapper prefix looked through

# Things users and terminals glue to the front of a line.
# A UTF-8 byte order mark (Notepad) counts as junk too, so the first line of such a file parses.
_JUNK_PREFIX = re.compile(r"(?:\ufeff|\^C|`{1,3}|> ?){1,16}")


@dataclass
class YearResolver:
    """Gives year-less ("less") timestamps a year and keeps them in order across New Year."""

    year: int
    assumed: bool
    _last_month: int | None = None

    @classmethod
    def for_log(cls, year: int | None, today: date | None = None) -> YearResolver:
        if year is not None:
            return cls(year=year, assumed=False)
        today = today or date.today()
        return cls(year=today.year, assumed=True, _last_month=None)

    def state(self) -> tuple[int, bool, int | None]:
        """Everything resolve() depends on: YearResolver(*state) continues from here."""
        return self.year, self.assumed, self._last_month

    def resolve(self, month: int, day: int) -> int:
        if self._last_month is None:
            # A guessed year must not put the first record in the future.
            today = date.today()
            if self.assumed and (month, day) > (today.month, today.day):
                self.year -= 1
        elif month < self._last_month and self._last_month - month >= 6:
            self.year += 1  # 31/12 -> 01/01
        self._last_month = month
        return self.year


# Times outside these years are corrupt (the miner dates from 2021; two-digit years are 20yy).
# Refusing them keeps every later `time + delay` and bucket boundary far from datetime's limits.
MIN_YEAR, MAX_YEAR = 1970, 2199


def _plausible(t: datetime) -> datetime | None:
    return t if MIN_YEAR <= t.year <= MAX_YEAR else None


def _make_time(
    a: str, b: str, c: str | None, hms: tuple[str, str, str], years: YearResolver
) -> tuple[datetime | None, bool]:
    """Build the datetime; returns (time, used_assumed_year). Impossible dates give None."""
    h, m, s = (int(x) for x in hms)
    try:
        if c is None:  # dd/mm (less)
            day, month = int(a), int(b)
            if not (1 <= month <= 12 and 1 <= day <= 31):
                return None, False
            year = years.resolve(month, day)
            return _plausible(datetime(year, month, day, h, m, s)), years.assumed
        if len(a) == 4:  # yyyy-mm-dd
            return _plausible(datetime(int(a), int(b), int(c), h, m, s)), False
        year = int(c) + (2000 if len(c) <= 2 else 0)
        first, second = int(a), int(b)
        if second > 12 >= first:  # mm/dd/yy permutation of the zarmstrong fork
            first, second = second, first
        return _plausible(datetime(year, second, first, h, m, s)), False
    except (ValueError, OverflowError):  # 31/02, 25:61:00, year 0 or beyond 9999 ...
        return None, False


def split_line(text: str, years: YearResolver) -> tuple[Line, bool]:
    """Split one decoded, ANSI-free line into layout and message.

    Returns the Line and whether its time used an assumed year. A line that is not a miner
    record comes back with ``layout=None`` and the whole text as message.
    """
    pos = 0
    junk = _JUNK_PREFIX.match(text)
    if junk:
        pos = junk.end()
    docker = _DOCKER.match(text, pos)
    docker_time: datetime | None = None
    if (
        docker
        and docker.end() > pos
        # An ISO time alone may be the miner's own (zarmstrong date_format); a wrapper's
        # time is followed by a service name or by the miner's timestamp.
        and (docker.group("svc") or (docker.group("dts") and not _STAMP.match(text, pos)))
    ):
        if docker.group("dts"):
            try:
                docker_time = _plausible(
                    datetime.fromisoformat(docker.group("dts").replace("T", " "))
                )
            except ValueError:
                docker_time = None
        pos = docker.end()
    stamp = _STAMP.match(text, pos)
    if stamp is None and not _LEVEL.match(text, pos) and not _BARE.match(text, pos):
        # Other wrappers (journald `Nov 25 21:08:01 pi python3[812]: `, Fly.io `app[..] ams
        # [info]`, line numbers): the miner's own timestamp followed by " - " starts the record.
        inner = _STAMP_INSIDE.search(text, pos, pos + _WRAPPER_MAX)
        if inner is not None:
            pos = inner.start()
            stamp = _STAMP.match(text, pos)
    time: datetime | None = None
    assumed = False
    if stamp:
        time, assumed = _make_time(
            stamp.group("a"),
            stamp.group("b"),
            stamp.group("c"),
            (stamp.group("H"), stamp.group("M"), stamp.group("S")),
            years,
        )
        pos = stamp.end()
    level_m = _LEVEL.match(text, pos)
    if level_m:
        level = level_m.group("level")
        func_m = _FUNC.match(text, level_m.end())
        if func_m:
            layout = "file" if func_m.group("module") else "console"
            return Line(
                layout, time or docker_time, level, func_m.group("func"), text[func_m.end() :]
            ), assumed
        if stamp:
            # `ts - LEVEL - rest`: a file line whose module part we do not need to understand.
            return Line("file", time or docker_time, level, None, text[level_m.end() :]), assumed
        return Line(None, None, None, None, text), False
    if stamp:
        return Line("less", time or docker_time, None, None, text[pos:]), assumed
    if _BARE.match(text, pos):
        return Line("bare", docker_time, None, None, text[pos:]), False
    return Line(None, None, None, None, text), False


_CONTINUATION = re.compile(
    r"[ \t]"  # indented traceback frames and code lines
    r"|Traceback \(most recent call last\):"
    r"|During handling of the above exception"
    r"|The above exception was the direct cause"
    r"|[A-Za-z_][\w.]{0,200}(?:Error|Exception|Exit|Interrupt|Warning)\b",
    re.ASCII,
)


def is_continuation(text: str) -> bool:
    """A traceback or other continuation line that belongs to the record above it."""
    return _CONTINUATION.match(text) is not None
