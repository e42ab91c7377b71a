"""`wsdiag analyze` (and what ``check`` and ``compare`` diagnose): inputs to diagnoses.

:func:`diagnoses` reads the inputs as one miner's log (or, ``per_file``, each on its own),
diagnoses them and returns the diagnoses with the warnings for stderr; what it cannot use it
raises as :class:`~wsdiag.commands.inputs.Unusable`.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from wsdiag.commands.inputs import Guard, Unusable, empty, nothing_recognisable, readable, warnings
from wsdiag.diagnose.diagnosis import Diagnosis
from wsdiag.diagnose.thresholds import Thresholds
from wsdiag.diagnose.timeline import parse_bucket
from wsdiag.pipeline import Options, Progress
from wsdiag.pipeline import analyze as summarise
from wsdiag.read.sources import Source

if TYPE_CHECKING:
    from wsdiag.summary.inputs import InputStats
    from wsdiag.summary.summary import Summary

#: Shows the progress of reading these sources: a context giving the callback to tick, or None.
ProgressBar = Callable[[list[Source]], AbstractContextManager[Progress | None]]


def _no_bar(sources: list[Source]) -> AbstractContextManager[Progress | None]:
    return nullcontext(None)


@dataclass(frozen=True)
class Request:
    """What to diagnose and how: the options every command that diagnoses takes."""

    paths: list[str]
    options: Options = field(default_factory=Options)
    thresholds: Thresholds = field(default_factory=Thresholds)
    since: str | None = None
    until: str | None = None
    bucket: str | None = None  # the timeline's bucket size (a duration of whole minutes)
    per_file: bool = False  # each input on its own
    empty_ok: bool = False  # inputs that are all empty give the diagnosis of nothing (check)
    strict: bool = False  # every input must hold miner records


def diagnoses(
    req: Request, guard: Guard | None = None, progress: ProgressBar = _no_bar
) -> tuple[list[Diagnosis], list[str]]:
    """One diagnosis of all inputs (``per_file``: one per input file) and the warnings.

    Raises Unusable when they hold nothing to diagnose: no record in any (an empty input too,
    unless ``empty_ok``), none in the time window, or (``strict``) one input without records.
    ``guard`` sees the resolved inputs before any is read.
    """
    try:
        minutes = None if req.bucket is None else parse_bucket(req.bucket)
    except ValueError as exc:
        raise Unusable(f"--bucket: {exc}") from None
    with (
        readable(req.paths, req.options, req.since, req.until, reread_many=True, guard=guard) as (
            sources,
            opts,
        ),
        progress(sources) as tick,  # on stderr, on a terminal, for big inputs
    ):
        if req.per_file:
            summaries = [summarise([src], opts, tick) for src in sources]
        else:
            summaries = [summarise(sources, opts, tick)]
    stats = [st for summary in summaries for st in summary.inputs.values()]
    _usable(req, stats)
    said = warnings(stats, "analysed what was read", req.empty_ok)
    out = [
        Diagnosis.of(summary, req.thresholds, bucket=minutes)
        for summary in summaries
        if _diagnosable(req, opts, summary, said)
    ]
    if not out:
        assert opts.window is not None
        raise Unusable(f"no records in the time window ({opts.window.describe()})")
    return out, said


def _usable(req: Request, stats: list[InputStats]) -> None:
    """Raise Unusable unless the inputs hold records (or are all empty and ``empty_ok``); with
    ``strict``, unless each input holds records."""
    if req.strict:
        for st in stats:
            if not st.records:
                what = "empty" if st.empty else "nothing recognisable as a miner log"
                raise Unusable(f"{st.path}: {what} (--strict: every input must be a miner log)")
    if not any(st.records for st in stats):
        if not stats or not all(st.empty for st in stats):
            raise nothing_recognisable(stats, req.paths)
        if not req.empty_ok:
            raise empty(stats, "analyse")


def _diagnosable(req: Request, opts: Options, summary: Summary, said: list[str]) -> bool:
    """Whether ``summary`` gets a diagnosis. Per file, one without records was named in a
    warning already, and one without records in the time window is named in ``said``; for all
    inputs together, none in the window raises Unusable."""
    has = any(st.records for st in summary.inputs.values())
    if not has:
        return req.empty_ok and all(st.empty for st in summary.inputs.values())
    if opts.window is not None and summary.first is None and not summary.ids:
        if not req.per_file:
            raise Unusable(f"no records in the time window ({opts.window.describe()})")
        said.append(f"{', '.join(summary.inputs)}: no records in the time window")
        return False
    return True
