"""Durations in one grammar, read and written: `45s`, `6m21s`, `1h30m`, `1.5h`, `7d`, `2w`.

Every option that takes a duration (--since/--until, --bucket, watch's --window, --interval,
--exit-after, --idle-exit) reads it with :func:`parse`, and every report prints one with
:func:`format_seconds`, whose output :func:`parse` reads back.
"""

from __future__ import annotations

import re
from datetime import timedelta

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DURATION = re.compile(r"(?:\d+(?:\.\d+)?[smhdw])+")
_PART = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")
_NUMBER = re.compile(r"\d{1,9}(?:\.\d{1,9})?")
#: What an error message shows as examples of the grammar.
EXAMPLES = "e.g. 90s, 5m, 1h30m, 7d"


def is_duration(text: str) -> bool:
    """Whether ``text`` is written in the grammar (units required)."""
    return _DURATION.fullmatch(text.strip()) is not None


def parse(text: str, *, bare_seconds: bool = False) -> timedelta:
    """`1h30m` -> 1.5 hours; ValueError when ``text`` is not a duration.

    ``bare_seconds``: a number without a unit is seconds (for options that always took seconds).
    """
    raw = text.strip()
    if bare_seconds and _NUMBER.fullmatch(raw):
        try:
            return timedelta(seconds=float(raw))
        except OverflowError:
            raise ValueError(f"{text!r}: too long a duration") from None
    if not _DURATION.fullmatch(raw):
        unit = " (a number alone is not one: add its unit)" if _NUMBER.fullmatch(raw) else ""
        raise ValueError(f"{text!r} is not a duration{unit}; {EXAMPLES}")
    try:
        return timedelta(seconds=sum(float(n) * UNITS[u] for n, u in _PART.findall(raw)))
    except OverflowError:  # beyond timedelta's 999,999,999 days
        raise ValueError(f"{text!r}: too long a duration") from None


def format_seconds(seconds: float | None) -> str:
    """`45s`, `6m21s`, `53m`, `3h05m`, `2d04h`: at most two units, rounded to the smaller one.

    ``None`` is `-` (unknown). Under a minute it is seconds, under an hour minutes and seconds,
    so a short span is never `0.0 h`.
    """
    if seconds is None:
        return "-"
    secs = max(0, round(seconds))
    if secs < UNITS["m"]:
        return f"{secs}s"
    # Round to the smaller unit first; that may reach the next unit (59m59.6s is 1h).
    small = next(small for big, small in _STEPS if secs >= big)
    secs = round(secs / small) * small
    big, small = next((big, small) for big, small in _STEPS if secs >= big)
    whole, rest = divmod(secs, big)
    return f"{whole}{_NAMES[big]}" + (f"{rest // small:02d}{_NAMES[small]}" if rest else "")


_STEPS = ((86400, 3600), (3600, 60), (60, 1))  # (unit, the smaller unit shown with it)
_NAMES = {86400: "d", 3600: "h", 60: "m", 1: "s"}
