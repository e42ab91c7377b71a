"""What ``wsdiag watch`` does between its arguments and the live output: the window and pace
from their options, what to follow (a log file, which may not exist yet, or a pipe), the sink
that shows it (a live panel on a terminal, plain lines, or JSON lines), and the run."""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from wsdiag.cli.io import Color, console, fail, number
from wsdiag.cli.options import WatchFormat, seconds
from wsdiag.common.choices import assert_never

if TYPE_CHECKING:
    from wsdiag.commands.choices import Existing
    from wsdiag.commands.watch import Pace, Sink
    from wsdiag.diagnose.thresholds import Thresholds
    from wsdiag.read.follow import Followed


def window(text: str) -> timedelta | None:
    """``--window``: a duration of whole minutes; None (everything since the start) for 0."""
    from wsdiag import durations
    from wsdiag.diagnose.timeline import parse_bucket

    try:
        zero = text.strip() == "0" or (
            durations.is_duration(text) and not durations.parse(text).total_seconds()
        )
        return None if zero else timedelta(minutes=parse_bucket(text))
    except ValueError:
        fail(f"--window: {text!r} is not a duration of whole minutes (use e.g. 30m, 1h, 1d, or 0)")


def pace(interval: str, exit_after: str | None, idle_exit: str | None) -> Pace:
    """``--interval``, ``--exit-after`` and ``--idle-exit`` read; exit 2 naming one that is not a
    duration. Their ranges are checked by :func:`watch`."""
    from wsdiag.commands.watch import Pace

    every = seconds("--interval", interval)
    stop_after = None if exit_after is None else seconds("--exit-after", exit_after)
    stop_idle = None if idle_exit is None else seconds("--idle-exit", idle_exit)
    return Pace(every, stop_after, stop_idle)


def followed(path: str) -> Followed:
    """What watch follows: standard input (a pipe) or the log file at ``path`` (which may not
    exist yet); exit 2 for what cannot grow or cannot be followed."""
    from wsdiag.read import follow
    from wsdiag.read.sources import COMPRESSED, InputError, kind_of, resolve, shown_name

    if path == "-":
        if sys.stdin is None:
            fail("<stdin>: standard input is closed; give the log file the miner writes")
        return follow.StreamFollower(sys.stdin.buffer)
    p = Path(path)
    shown = shown_name(path)
    try:
        kind = kind_of(p, shown)
        if kind == "directory":
            fail(f"{shown}: is a directory; watch follows one log file (the one the miner writes)")
        if kind != "missing":
            resolved = resolve([path])[0]  # refuses a FIFO, a device
            if resolved.codec in COMPRESSED:
                fail(f"{shown}: a {resolved.codec} archive does not grow; use analyze for it")
    except InputError as exc:
        fail(str(exc))
    if kind == "missing":
        sys.stderr.write(f"wsdiag: waiting for {shown} to appear\n")
    return follow.Follower(p)


def sink(fmt: WatchFormat, color: Color, name: str) -> Sink:
    """Where the watch shows what it sees."""
    from wsdiag.cli import sinks
    from wsdiag.cli.diagnosing import terminal
    from wsdiag.report import text as text_report

    match fmt:
        case WatchFormat.jsonl:
            return sinks.JsonlSink(sys.stdout.write, sys.stdout.flush)
        case WatchFormat.text if terminal():
            return sinks.LiveSink(console(color, True, live=True), text_report.render, name)
        case WatchFormat.text:
            return sinks.TextSink(console(color, False, live=True), text_report.render)
        case _:
            assert_never(fmt)


def watch(
    path: str,
    fmt: WatchFormat,
    existing: Existing,
    span: timedelta | None,
    paced: Pace,
    year: int | None,
    color: Color,
    thresholds: Thresholds,
) -> None:
    """Follow ``path`` until stopped, showing what is seen in ``fmt``; exit 2 first when the
    pace is out of range."""
    from wsdiag.commands import watch as watching
    from wsdiag.commands.choices import Existing
    from wsdiag.read import follow

    number("--interval", paced.interval, 0.05, 3600)
    number("--exit-after", paced.exit_after, 0)
    number("--idle-exit", paced.idle_exit, 0)
    source = followed(path)
    if isinstance(source, follow.Follower) and existing is Existing.skip:
        source.start_at_end = True
    try:
        watcher = watching.Watcher(source.name, thresholds, span, year)
    except ValueError as exc:
        fail(f"--window: {exc}")
    reason = watching.run(source, watcher, sink(fmt, color, source.name), existing=existing, pace=paced)
    if reason == "output-closed":
        # `wsdiag watch ... | head -1`: the reader has what it wanted; stdout leads nowhere now.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
