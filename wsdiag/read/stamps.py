"""Timestamps and the prefixes log collectors put before them, each defined once.

The miner stamps every record (FORMATS.md 1.1-1.4): ``dd/mm/yy HH:MM:SS`` in the file and console
logs, ``dd/mm HH:MM:SS`` in the year-less ("less") console, any permutation of ``dd``, ``mm`` and
``yy``/``yyyy`` (``/``, ``-`` or ``.`` between them) in the zarmstrong fork. A collector may put
its own prefix before each line (FORMATS.md 1.9): ``docker compose logs`` a service name, ``-t``
an RFC 3339 time, journald a syslog head, Fly.io its instance and region.

Each is given here twice, from the same pieces: as the ``str`` regexes the parser reads every
line with (:func:`wsdiag.read.layouts.split_line`), and as :mod:`wsdiag.read.shapes` (``bytes`` regexes and
the C filter's programs) with which the fast path recognises the lines it may skip. A wrapper's
shape is exactly a prefix the parser cuts the same way (the reasoning is beside each one), so a
line skipped behind it is the record it is without it; a line whose prefix has another shape is
simply read.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, datetime

from wsdiag.read.shapes import Shape, shape

# -- the miner's stamp, as the parser reads it -----------------------------------------------

#: ``dd/mm/yy``, ``dd/mm`` (less) or any zarmstrong date_format permutation, then the clock and
#: the separator before the level or message.
STAMP = re.compile(
    r"(?P<a>\d{1,4})(?P<sep>[/.-])(?P<b>\d{1,2})(?:(?P=sep)(?P<c>\d{1,4}))?"
    r"[ T](?P<H>\d\d):(?P<M>\d\d):(?P<S>\d\d)(?:[.,]\d{1,6})? - ",
    re.ASCII,
)
#: The miner's stamp inside an unknown prefix, not glued to a longer number.
STAMP_INSIDE = re.compile(
    r"(?<![\w/.:-])\d{1,4}[/.-]\d{1,2}(?:[/.-]\d{1,4})?[ T]\d\d:\d\d:\d\d(?:[.,]\d{1,6})? - ",
    re.ASCII,
)
#: How far into a line an unknown prefix is looked through for the miner's stamp.
INSIDE_MAX = 200

# -- the prefixes, as the parser reads them -------------------------------------------------

_ISO = r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d"
_SERVICE = r"[A-Za-z0-9][\w.-]{0,127} {0,32}\|"
#: ``docker compose logs`` / Docker Desktop / ``docker logs -t``: an optional RFC 3339 time, an
#: optional service name and bar. Its time stands in when the miner's own is missing or invalid.
DOCKER = re.compile(
    r"(?:(?P<dts>" + _ISO + r")(?:\.\d{1,9})?Z? )?(?:(?P<svc>[A-Za-z0-9][\w.-]{0,127}) {0,32}\| ?)?",
    re.ASCII,
)
#: What users and terminals glue to the front of a line: a byte order mark (Notepad), ``^C``,
#: Markdown backticks, quote marks.
JUNK = re.compile(r"(?:\ufeff|\^C|`{1,3}|> ?){1,16}")
#: What a junk prefix starts with, as a bytes regex (UTF-8).
JUNK_START = rb"(?:[>^`]|\xef\xbb\xbf)"
#: A line starting with a service name and bar (``name  | ``), as bytes.
SERVICE_BYTES = _SERVICE.encode()

# -- times ---------------------------------------------------------------------------------

# Times outside these years are corrupt (the miner dates from 2021; two-digit years are 20yy).
# Refusing them keeps every later `time + delay` and bucket boundary far from datetime's limits.
MIN_YEAR, MAX_YEAR = 1970, 2199


def plausible(t: datetime) -> datetime | None:
    return t if MIN_YEAR <= t.year <= MAX_YEAR else None


MONTHS = 12
MAX_DAY = 31  # the largest day of any month: a finer check is datetime's
#: A month this far (or more) before the last one read is the next year's (December -> January),
#: not a record written out of order: logs interleave by minutes, not by half a year.
_NEW_YEAR_DROP = 6
_LONG_YEAR = 4  # digits of a four-digit year (yyyy-mm-dd, dd/mm/yyyy)
_SHORT_YEAR = 2  # ... and of a two-digit one, which is this century's
_CENTURY = 2000


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

    def restore(self, state: tuple[int, bool, int | None]) -> None:
        """Continue from ``state`` (another resolver's state())."""
        self.year, self.assumed, self._last_month = state

    def resolve(self, month: int, day: int) -> int:
        if self._last_month is None:
            # A guessed year must not put the first record in the future.
            today = date.today()
            if self.assumed and (month, day) > (today.month, today.day):
                self.year -= 1
        elif month < self._last_month and self._last_month - month >= _NEW_YEAR_DROP:
            self.year += 1  # 31/12 -> 01/01
        self._last_month = month
        return self.year


def stamp_time(m: re.Match[str], years: YearResolver) -> tuple[datetime | None, bool]:
    """The time of a :data:`STAMP` match and whether it used an assumed year. Impossible
    dates give None (a year-less one still moves the resolver, as it did when it was read)."""
    a, b, c = m.group("a"), m.group("b"), m.group("c")
    h, mi, s = int(m.group("H")), int(m.group("M")), int(m.group("S"))
    if c is None:  # dd/mm (less)
        return year_less_time(int(a), int(b), h, mi, s, years)
    try:
        if len(a) == _LONG_YEAR:  # yyyy-mm-dd
            return plausible(datetime(int(a), int(b), int(c), h, mi, s)), False
        year = int(c) + (_CENTURY if len(c) <= _SHORT_YEAR else 0)
        first, second = int(a), int(b)
        if second > MONTHS >= first:  # mm/dd/yy permutation of the zarmstrong fork
            first, second = second, first
        return plausible(datetime(year, second, first, h, mi, s)), False
    except (ValueError, OverflowError):  # 31/02, 25:61:00, year 0 or beyond 9999 ...
        return None, False


def year_less_time(
    day: int, month: int, h: int, mi: int, s: int, years: YearResolver
) -> tuple[datetime | None, bool]:
    """The time of a year-less date and clock, and whether it used an assumed year. An
    impossible day or month leaves the resolver as it is; any other date moves it, in order,
    even where the date or the clock is impossible (31/02, 25:61:00: no time)."""
    if not (1 <= month <= MONTHS and 1 <= day <= MAX_DAY):
        return None, False
    year = years.resolve(month, day)
    try:
        return plausible(datetime(year, month, day, h, mi, s)), years.assumed
    except (ValueError, OverflowError):
        return None, False


def docker_time(dts: str) -> datetime | None:
    try:
        return plausible(datetime.fromisoformat(dts.replace("T", " ")))
    except ValueError:
        return None


# -- the fast path's shapes -----------------------------------------------------------------


@dataclass(frozen=True)
class Stamp:
    """A fixed-width stamp the fast path skips lines by (no fraction of a second).

    Its shape is built when first used: a run meets one or two of the STAMPS, and building
    them all cost every start-up a millisecond."""

    name: str  # "dd/mm/yy", "yyyy-mm-dd", "dd/mm" ...
    source: str  # the shape's source (a regex of fixed width)
    year_less: bool
    day_at: int  # where the day's and month's digits start (the C filter follows the
    month_at: int  # year resolver of a year-less log by them)

    @functools.cached_property
    def shape(self) -> Shape:
        """The stamp without the " - " after it."""
        return shape(self.source)

    @functools.cached_property
    def width(self) -> int:
        assert self.shape.width is not None
        return self.shape.width

    @property
    def clock_at(self) -> int:
        return self.width - 8


def _stamps() -> dict[tuple[int, str, int, int], Stamp]:
    out = {}
    for sep in "/-.":
        for a, c in ((2, 2), (2, 4), (4, 2), (2, 0)):
            digits = {2: r"\d\d", 4: r"\d{4}", 0: ""}
            s = "\\" + sep if sep == "." else sep
            src = digits[a] + s + r"\d\d" + (s + digits[c] if c else "") + r" \d\d:\d\d:\d\d"
            parts = ("yyyy", "mm", "dd") if a == _LONG_YEAR else ("dd", "mm", {2: "yy", 4: "yyyy", 0: ""}[c])
            name = sep.join(p for p in parts if p)
            out[(a, sep, 2, c)] = Stamp(name, src, c == 0, 0, 3)
    return out


#: Every fixed-width stamp the fast path knows, by (digits before the first separator, the
#: separator, digits after it, digits after the second one or 0).
STAMPS = _stamps()
FILE_STAMP = STAMPS[(2, "/", 2, 2)]  # dd/mm/yy HH:MM:SS (file and console logs)
LESS_STAMP = STAMPS[(2, "/", 2, 0)]  # dd/mm HH:MM:SS (the year-less console)


def stamp_of(m: re.Match[str] | re.Match[bytes]) -> Stamp | None:
    """The fast path's stamp of a :data:`STAMP` match (str or bytes), if it has a fixed width."""
    if m.end("S") != m.end() - 3 or m.string[m.start("H") - 1] not in (" ", 0x20):  # a fraction, `T`
        return None
    a, sep, b, c = m.group("a", "sep", "b", "c")
    sep = sep if isinstance(sep, str) else sep.decode()
    return STAMPS.get((len(a), sep, len(b), len(c) if c else 0))


@dataclass(frozen=True)
class Wrapper:
    """A collector's prefix on every line, as the fast path recognises it."""

    name: str
    shape: Shape | None  # None: no prefix
    example: str  # a line behind it
    searched: int = 0  # the longest part of it that split_line looks through for the stamp


# Why the parser cuts each prefix exactly where its shape ends (split_line):
# * compose: DOCKER takes `name  | ` as the service (no time can start a name: no `:`).
# * compose-t: the same; then the RFC 3339 time is no miner stamp (`Z` or nanoseconds where the
#   stamp needs ` - `), so STAMP_INSIDE finds the miner's, the first one not glued to a number.
#   The time after the bar is not Docker's time: it does not stand in.
# * desktop: DOCKER takes the time and the service; the time stands in.
# * docker-t: DOCKER takes the time (no service: a stamp holds no bar) and STAMP does not
#   match at the line start (`Z` or nanoseconds again); the time stands in.
# * journald: no DOCKER (a month is no year, a host no bar), STAMP, level or `#`: STAMP_INSIDE
#   finds the miner's stamp, since no piece of the head has a `:` between digits but the clock,
#   which has no date before it. INSIDE_MAX bounds the head (checked below).
# * fly: DOCKER takes the time; the instance, region and level hold no `:`, so STAMP_INSIDE
#   finds the stamp right after `[level]`. The time stands in.
_ISO_SHAPE = r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d{1,9})?Z? "
_ISO_T_SHAPE = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z? "
_SERVICE_SHAPE = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127} {0,32}\| "
_MINER = "29/11/25 18:00:00 - INFO - [on_close]: #3 - WebSocket closed"

NO_WRAPPER = Wrapper("none", None, _MINER)
WRAPPERS: tuple[Wrapper, ...] = (
    Wrapper(
        "compose-t",
        shape(_SERVICE_SHAPE + r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z "),
        "miner-1  | 2025-11-29T18:00:00.123456789Z " + _MINER,
        searched=31,
    ),
    Wrapper("compose", shape(_SERVICE_SHAPE), "miner  | " + _MINER),
    Wrapper(
        "desktop",
        shape(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{1,9})?Z? " + _SERVICE_SHAPE),
        "2025-11-29 18:00:00 miner-1  | " + _MINER,
    ),
    Wrapper("docker-t", shape(_ISO_SHAPE), "2025-11-29T18:00:00.123456789Z " + _MINER),
    Wrapper(
        "journald",
        shape(r"[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d [A-Za-z0-9.-]{1,64} [A-Za-z0-9_.-]{1,64}\[\d{1,10}\]: "),
        "Nov 29 18:00:00 raspberrypi python3[812]: " + _MINER,
        searched=159,
    ),
    Wrapper(
        "fly",
        shape(_ISO_T_SHAPE + r"[a-z]{1,16}\[[0-9a-f]{1,32}\] [a-z0-9]{1,16} \[[a-z]{1,16}\]"),
        "2025-11-29T18:00:00Z app[3d8d9e1b] ams [info]" + _MINER,
        searched=86,
    ),
)
# The stamp (19 bytes at most) and ` - ` must end within INSIDE_MAX of where the search starts.
assert all(w.searched + 19 + 3 <= INSIDE_MAX for w in WRAPPERS)

#: Every collector's prefix at a line's start, for what is behind it when the line is no record
#: (layouts.non_record_kind; linefilter and the C filter's Filter(wrappers=...) try the same
#: shapes): a traceback behind ``name  | `` is a continuation as it is without one. Shapes of
#: several wrappers may match one line (docker-t's time starts Fly.io's prefix): each is tried.
PREFIXES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(w.shape.regex, re.ASCII) for w in WRAPPERS if w.shape is not None
)
#: The same, as one bytes regex (any of them).
PREFIX_BYTES = b"(?:" + b"|".join(w.shape.bytes_regex for w in WRAPPERS if w.shape is not None) + b")"
