"""What ``wsdiag events`` does between its arguments and its output: the events of
:mod:`wsdiag.commands.events`, filtered, written batch by batch while the log is read (to
stdout, or to ``-o FILE`` replaced only once whole), then the warnings."""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

from wsdiag.cli.io import fail, warn_all, write

if TYPE_CHECKING:
    from wsdiag.parse.records import FailureEvent
    from wsdiag.report.events import EventFormat


def chooser(classes: list[str] | None, connections: list[int] | None) -> Callable[[FailureEvent], bool]:
    """Whether an event is one of ``classes`` and of ``connections`` (None or empty: any);
    exit 2 naming an unknown class."""
    from wsdiag.parse.records import FAILURE_CLASSES

    wanted = set(classes or [])
    unknown = sorted(wanted - set(FAILURE_CLASSES))
    if unknown:
        fail(f"unknown class {', '.join(unknown)}; classes: {', '.join(FAILURE_CLASSES)}")
    conns = set(connections or [])
    return lambda ev: (not wanted or ev.cls in wanted) and (not conns or ev.conn in conns)


def export(
    given: list[str],
    chosen: Callable[[FailureEvent], bool],
    fmt: EventFormat,
    output: Path | None,
    since: str | None,
    until: str | None,
    year: int | None,
) -> None:
    """Write the chosen events of ``given`` in ``fmt``; exit 2 on unusable input."""
    from wsdiag.cli import output as outputs
    from wsdiag.cli.io import refuse_inputs, stdout
    from wsdiag.commands.events import export as exported
    from wsdiag.commands.events import nothing_read
    from wsdiag.commands.inputs import readable, warnings
    from wsdiag.pipeline import Options
    from wsdiag.read.sources import InputError, shown_name
    from wsdiag.report.events import render

    try:
        with (
            readable(
                given,
                Options(year=year, jobs=1),
                since,
                until,
                reread_many=True,
                guard=lambda sources: refuse_inputs([output], sources),
            ) as (sources, opts),
            nullcontext(stdout()) if output is None else outputs.replacing(output) as sink,
        ):
            stream, repeated = exported(sources, opts)
            for batch in stream.batches():
                text = render(fmt, [ev for ev in batch if chosen(ev)])
                if text and not write(sink, text):
                    return
            error = nothing_read(stream, given)
            if error is not None:
                raise error  # inside the block: an -o FILE is left as it was
    except InputError as exc:
        fail(str(exc))
    except outputs.OutputError as exc:
        fail(f"{shown_name(str(output))}: {exc}")
    warn_all([*warnings(list(stream.summary.inputs.values()), "exported what was read"), *repeated])
    if stream.mismatch:
        sys.stderr.write(
            f"wsdiag: warning: the log's time runs backwards; {stream.mismatch} exported "
            "event(s) were folded into earlier errors by analyze\n"
        )
