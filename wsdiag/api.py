"""The Python API: what the CLI does, as functions that return values instead of printing.

:func:`diagnose` reads logs and returns a :class:`~wsdiag.diagnose.diagnosis.Diagnosis` (its
``to_dict()`` is the JSON document ``wsdiag analyze --format json`` writes); :func:`events`
yields the failure events ``wsdiag events`` writes, in log order, while the logs are read.
Both raise :class:`~wsdiag.read.sources.InputError` (a one-line message naming the input or the
argument) for input they cannot read or arguments they cannot use.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator

from wsdiag.commands.events import export
from wsdiag.commands.inputs import readable
from wsdiag.diagnose.diagnosis import Diagnosis
from wsdiag.diagnose.thresholds import Thresholds
from wsdiag.parse.records import FailureEvent
from wsdiag.pipeline import Options, analyze

#: One path, or several: files, folders (their ``*.log*`` files), archives, or ``-`` for stdin.
Paths = str | os.PathLike[str] | Iterable[str | os.PathLike[str]]


def _given(paths: Paths) -> list[str]:
    if isinstance(paths, (str, os.PathLike)):
        return [os.fspath(paths)]
    return [os.fspath(p) for p in paths]


def diagnose(
    paths: Paths,
    *,
    year: int | None = None,
    since: str | None = None,
    until: str | None = None,
    thresholds: Thresholds | None = None,
    jobs: int | None = None,
) -> Diagnosis:
    """Read the logs as one miner's log and diagnose it.

    ``year`` is the year of a log whose timestamps have none (default: resolved from the files'
    dates); ``since`` and ``until`` take what ``--since``/``--until`` take (an ISO time, or a
    duration back from the last record); ``thresholds`` are the limits the ``--*-min`` options
    set; ``jobs`` is the number of processes that read a big file (default: one per CPU).
    An input that holds nothing recognisable gives a diagnosis with no records.
    """
    with readable(_given(paths), Options(year=year, jobs=jobs), since, until, reread_many=True) as (
        sources,
        opts,
    ):
        summary = analyze(sources, opts)
    return Diagnosis.of(summary, thresholds)


def events(
    paths: Paths,
    *,
    year: int | None = None,
    since: str | None = None,
    until: str | None = None,
) -> Iterator[FailureEvent]:
    """The failure events ``diagnose`` counts (``failures.total``), in log order, while read.

    Websocket-client's echoes of an error are folded into it, and the same run in two inputs is
    yielded once. Each event's ``to_dict()`` is a line of ``wsdiag events --format jsonl``.
    """
    with readable(_given(paths), Options(year=year, jobs=1), since, until, reread_many=True) as (
        sources,
        opts,
    ):
        stream, _ = export(sources, opts)
        yield from stream
