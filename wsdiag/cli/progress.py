"""A progress bar on stderr for long analyses, only where a person is watching."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from wsdiag.read.sources import Source

#: Inputs smaller than this finish before a bar would be worth looking at.
SHOW_FROM = 50 * 1000 * 1000
_REFRESH = 0.1  # seconds between redraws


def _interactive(*streams: TextIO | None) -> bool:
    for stream in streams:
        try:
            if stream is None or not stream.isatty():
                return False
        except (AttributeError, ValueError, OSError):
            return False
    return True


@contextmanager
def bar(
    sources: list[Source], stderr: TextIO | None = None, stdout: TextIO | None = None
) -> Iterator[Callable[[int], None] | None]:
    """Yield a callback taking the bytes just scanned, or None when no bar is to be shown.

    The bar (bytes, MB/s, time left) is drawn on stderr when both stderr and stdout are
    terminals: never into a pipe or a file, nor while a report goes to a pipe. Plain,
    uncompressed files give the total; for stdin or compressed input the bar appears once
    SHOW_FROM bytes were read, without a total.
    """
    err = sys.stderr if stderr is None else stderr
    out = sys.stdout if stdout is None else stdout
    sizes = [s.size if s.codec is None else None for s in sources]
    total = None if None in sizes else sum(s for s in sizes if s is not None)
    if not _interactive(err, out) or (total is not None and total < SHOW_FROM):
        yield None
        return

    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    # No refresh thread (auto_refresh=False): worker processes are forked while the bar is up.
    progress = Progress(
        TextColumn("analysing"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=Console(file=err, highlight=False, markup=False, emoji=False),
        auto_refresh=False,
        transient=True,
    )
    task = progress.add_task("analysing", total=total)
    done, drawn, started = 0, 0.0, False

    def advance(n: int) -> None:
        nonlocal done, drawn, started
        done += n
        progress.update(task, advance=n)
        if not started:
            if total is None and done < SHOW_FROM:
                return
            progress.start()
            started = True
        now = time.monotonic()
        if now - drawn >= _REFRESH:
            drawn = now
            progress.refresh()

    try:
        yield advance
    finally:
        if started:
            progress.stop()
