"""Recognise the line layouts of the miner's log handlers (FORMATS.md section 1).

A line is split into an optional Docker prefix, the miner's timestamp, level, function and the
message. Layout is decided per line, so one file may mix layouts.

* file     ``25/11/26 21:08:01 - ERROR - TwitchChannelPointsMiner.classes.WebSocketsPool - [on_error]: msg``
* console  ``25/11/26 21:08:01 - ERROR - [on_error]: msg``
* less     ``19/11 13:45:58 - msg`` (no level; no year except in the zarmstrong fork)
* bare     a record whose prefix was cut off: ``ERROR - [on_error]: msg`` or just ``#0 - WebSocket closed``,
           or a message pasted alone that starts as a template does: ``error from callback <...>: ...``
* basic    Python's BASIC_FORMAT, before the miner sets up its logging (FORKS-2026.md 1.1):
           ``ERROR:TwitchChannelPointsMiner.TwitchChannelPointsMiner:msg``; and ``Miner shut down``
"""

from __future__ import annotations

import re
from datetime import datetime

from wsdiag.parse.records import Line
from wsdiag.parse.templates import TEMPLATES, Place
from wsdiag.read.stamps import (
    DOCKER,
    INSIDE_MAX,
    JUNK,
    MAX_YEAR,
    MIN_YEAR,
    PREFIXES,
    STAMP,
    STAMP_INSIDE,
    YearResolver,
    docker_time,
    stamp_time,
)

__all__ = [
    "LEVELS",
    "MAX_YEAR",
    "MIN_YEAR",
    "YearResolver",
    "is_continuation",
    "is_fence",
    "non_record_kind",
    "split_line",
]

#: The miner's log levels (logging's names; `WARN` from old `logger.warn` calls).
LEVELS: tuple[str, ...] = ("DEBUG", "INFO", "WARNING", "WARN", "ERROR", "CRITICAL")
_LEVEL = re.compile(r"(?P<level>" + "|".join(LEVELS) + r") - ")
# `module - [func]: ` (file) or `[func]: ` (console). Module names are dotted identifiers.
_FUNC = re.compile(r"(?:(?P<module>[A-Za-z_][\w.]{0,200}) - )?\[(?P<func>[^\]\s]{1,100})\]: ", re.ASCII)
#: The same two pieces as shapes (wsdiag.read.shapes) for the fast path, which takes fewer function
#: names (printable ASCII only): a line it does not take is read by the parser.
MODULE_SHAPE = r"[A-Za-z_][A-Za-z0-9_.]{0,200} - "
FUNC_SHAPE = r"\[[!-\\^-~]{1,100}\]: "
# A bare WebSocket message pasted without any prefix.
_BARE = re.compile(r"(?:\[[^\]\s]{1,64}\] )?#\d{1,12} - ", re.ASCII)
_PASTED = [t for t in TEMPLATES if t.place in (Place.START, Place.OWN_ID) and t.text != "#"]
#: The texts a message pasted alone (no stamp, level or `#N`) starts with when a template reads
#: it: the templates that sit at a message's start without an id ...
PASTE_STARTS: tuple[str, ...] = tuple(dict.fromkeys(t.text for t in _PASTED))
#: ... and their regexes (layouts.split_line).
PASTE = re.compile("|".join(f"(?:{t.regex})" for t in _PASTED))
#: Python's BASIC_FORMAT `%(levelname)s:%(name)s:%(message)s`.
_BASIC = re.compile(
    r"(?P<level>" + "|".join(LEVELS) + r"):(?P<module>[A-Za-z_][\w.]{0,200}):", re.ASCII
)
#: What the miner prints without logging (mpforce1 1a0a3d37 at shutdown).
BARE_LINES: tuple[str, ...] = ("Miner shut down",)
#: A traceback frame's path as mpforce1's anonymiser writes it: the log is anonymised.
ANONYMISED_PATH = "[PATH REDACTED]"
#: What makes a line without a stamp, level or `#N - ` a record (a paste of a message, a
#: BASIC_FORMAT line, a bare print) or a telling continuation: the fast path's filters read a
#: line holding one (linefilter.MARK_BYTES).
MARKS: tuple[str, ...] = (*PASTE_STARTS, *(level + ":" for level in LEVELS), *BARE_LINES, ANONYMISED_PATH)


def _unquoted(text: str, pos: int) -> str:
    """A pasted message from ``pos``, without the backticks that close its Markdown quote."""
    return text[pos:].rstrip("`") if text.endswith("`") else text[pos:]


def split_line(text: str, years: YearResolver) -> tuple[Line, bool]:
    """Split one decoded, ANSI-free line into layout and message.

    Returns the Line and whether its time used an assumed year. A line that is not a miner
    record comes back with ``layout=None`` and the whole text as message.
    """
    pos, wrapper_time = _unwrap(text)
    stamp = STAMP.match(text, pos)
    if stamp is None and not _LEVEL.match(text, pos) and not _BARE.match(text, pos):
        # Other wrappers (journald `Nov 25 21:08:01 pi python3[812]: `, Fly.io `app[..] ams
        # [info]`, line numbers): the miner's own timestamp followed by " - " starts the record.
        inner = STAMP_INSIDE.search(text, pos, pos + INSIDE_MAX)
        if inner is not None:
            pos = inner.start()
            stamp = STAMP.match(text, pos)
    if stamp is None:
        return _unstamped(text, pos, wrapper_time), False
    time, assumed = stamp_time(stamp, years)
    return _stamped(text, stamp.end(), time or wrapper_time), assumed


def _unwrap(text: str) -> tuple[int, datetime | None]:
    """Where a line starts past pasted junk and a Docker prefix, and the prefix's time."""
    pos = 0
    junk = JUNK.match(text)
    if junk:
        pos = junk.end()
    docker = DOCKER.match(text, pos)
    if (
        docker
        and docker.end() > pos
        # An ISO time alone may be the miner's own (zarmstrong date_format); a wrapper's
        # time is followed by a service name or by the miner's timestamp.
        and (docker.group("svc") or (docker.group("dts") and not STAMP.match(text, pos)))
    ):
        wrapper_time = docker_time(docker.group("dts")) if docker.group("dts") else None
        return docker.end(), wrapper_time
    return pos, None


def _leveled(text: str, level_m: re.Match[str], time: datetime | None, stamped: bool) -> Line:
    """A line from its level on: `LEVEL - [module - ][func]: msg`."""
    level = level_m.group("level")
    func_m = _FUNC.match(text, level_m.end())
    if func_m:
        layout = "file" if func_m.group("module") else "console"
        return Line(layout, time, level, func_m.group("func"), text[func_m.end() :], func_m.group("module"))
    if stamped:
        # `ts - LEVEL - rest`: a file line whose module part we do not need to understand.
        return Line("file", time, level, None, text[level_m.end() :])
    return Line(None, None, None, None, text)


def _stamped(text: str, pos: int, time: datetime | None) -> Line:
    """A line from just past the miner's stamp: a level (file, console) or not (less)."""
    level_m = _LEVEL.match(text, pos)
    if level_m:
        return _leveled(text, level_m, time, True)
    return Line("less", time, None, None, text[pos:])


def _unstamped(text: str, pos: int, wrapper_time: datetime | None) -> Line:
    """A line without the miner's stamp: a record whose prefix was cut off, a pasted message,
    Python's BASIC_FORMAT, a bare print, or no record."""
    level_m = _LEVEL.match(text, pos)
    if level_m:
        return _leveled(text, level_m, wrapper_time, False)
    basic = None if _BARE.match(text, pos) else _BASIC.match(text, pos)
    if basic:
        level = basic.group("level")
        return Line("basic", wrapper_time, level, None, text[basic.end() :], basic.group("module"))
    if _BARE.match(text, pos) or PASTE.match(text, pos):
        return Line("bare", wrapper_time, None, None, _unquoted(text, pos))
    if text[pos:].rstrip("` \t") in BARE_LINES:
        return Line("basic", wrapper_time, None, None, text[pos:])
    return Line(None, None, None, None, text)


_CONTINUATION = re.compile(
    r"[ \t]"  # indented traceback frames and code lines
    r"|Traceback \(most recent call last\):"
    r"|During handling of the above exception"
    r"|The above exception was the direct cause"
    r"|[A-Za-z_][\w.]{0,200}(?:Error|Exception|Exit|Interrupt|Warning)\b"
    # a traceback's last line naming a lower-case exception: `socket.gaierror: [Errno -3] ...`
    r"|[A-Za-z_][\w.]{0,200}(?:error|timeout)(?::|$)",
    re.ASCII,
)


#: A Markdown code fence around a pasted log (```, ```log, ```text): formatting, not a line of it.
_FENCE = re.compile(r"```[A-Za-z]{0,16}[ \t]{0,64}", re.ASCII)


def is_fence(text: str) -> bool:
    """A Markdown code fence line, counted as blank (linefilter.FENCE, _lines.c fence())."""
    return _FENCE.fullmatch(text) is not None


def is_continuation(text: str) -> bool:
    """A traceback or other continuation line that belongs to the record above it."""
    return _CONTINUATION.match(text) is not None


def non_record_kind(text: str) -> str:
    """What a line that is no record (split_line gave no layout) counts as: ``continuation``,
    ``blank`` or ``unrecognized``. A line behind a collector's prefix counts as what is behind
    it, under any prefix that matches (a traceback behind ``name  | ``, an empty line behind
    journald's head); a continuation without a prefix is one whatever it starts with.
    linefilter.BLANK_LINE/CONTINUATION_LINE and _lines.c inert_kind() decide alike."""
    if is_continuation(text):
        return "continuation"
    rests = [text[m.end() :] for m in (p.match(text) for p in PREFIXES) if m is not None]
    if any(not rest.strip() or is_fence(rest) for rest in rests):
        return "blank"
    if any(is_continuation(rest) for rest in rests):
        return "continuation"
    return "unrecognized"
