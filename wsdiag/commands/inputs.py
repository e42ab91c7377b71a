"""The inputs of a command: resolved, checked, windowed; and what is said about them.

Every command reads its inputs through :func:`readable` and raises :class:`Unusable` (an
:class:`~wsdiag.read.sources.InputError`) for what it cannot use; :func:`warnings` are the lines the
CLI writes on stderr once the report is out.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import replace

from wsdiag.common.words import plural
from wsdiag.pipeline import Options
from wsdiag.read.sources import InputError, Source, resolve
from wsdiag.read.timefilter import Bound, needs_anchor, parse_bound, spooled, window_for
from wsdiag.report import NAMED_INPUTS
from wsdiag.summary.inputs import InputStats

#: Called with the resolved inputs before any is read (the CLI refuses an -o that is one).
Guard = Callable[[list[Source]], None]


class Unusable(InputError):
    """Input or arguments a command cannot use; the message is one line, naming the input or
    the option. (An InputError raised while reading is one too.)"""


def bounds(since: str | None, until: str | None) -> tuple[Bound | None, Bound | None]:
    """``--since`` and ``--until``: an ISO time or a duration back from the last record."""
    try:
        return (
            None if since is None else parse_bound(since, "--since"),
            None if until is None else parse_bound(until, "--until"),
        )
    except ValueError as exc:
        raise Unusable(str(exc)) from None


@contextmanager
def readable(
    paths: list[str],
    opts: Options,
    since: str | None = None,
    until: str | None = None,
    *,
    reread_many: bool = False,
    guard: Guard | None = None,
) -> Iterator[tuple[list[Source], Options]]:
    """Resolved sources and options with the time window; stdin spooled when it must be read
    twice: a duration needs the last record before the analysis starts, and ``reread_many``
    inputs are read twice when there are several (to order them by their first record)."""
    lo, hi = bounds(since, until)
    sources = resolve(paths)
    if guard is not None:
        guard(sources)
    spool = needs_anchor(lo, hi) or (reread_many and len(sources) > 1)
    with spooled(sources) if spool else nullcontext(sources) as srcs:
        yield srcs, replace(opts, window=window_for(lo, hi, srcs, opts))


def names(paths: list[str]) -> str:
    """`a.log, b.log and 3 more`: at most NAMED_INPUTS named."""
    shown = ", ".join(paths[:NAMED_INPUTS])
    more = len(paths) - NAMED_INPUTS
    return shown + (f" and {more:,} more" if more > 0 else "")


def nothing_recognisable(stats: list[InputStats], paths: list[str]) -> Unusable:
    """The error for inputs without a single record, naming why reading stopped if it did."""
    broken = [st for st in stats if st.read_error]
    if broken:
        st = broken[0]
        return Unusable(
            f"{st.path}: cannot read ({st.read_error}); nothing recognisable as a Twitch Channel "
            "Points Miner log before that"
        )
    what = names([st.path for st in stats] or paths)
    return Unusable(f"{what}: nothing recognisable as a Twitch Channel Points Miner log")


def empty(stats: list[InputStats], what: str) -> Unusable:
    """The error for inputs that are all empty: `x.log: empty: no log lines to <what>`."""
    many = "empty" if len(stats) == 1 else "all empty"
    return Unusable(f"{names([st.path for st in stats])}: {many}: no log lines to {what}")


def warnings(stats: list[InputStats], what: str, empty_ok: bool = False) -> list[str]:
    """The warnings for stderr, at most NAMED_INPUTS named of each kind: inputs that are empty
    or hold no record, stopped early, or had lines that are not records (how many, and the
    first, quoted). ``what``: what was done with what was read (`analysed what was read`)."""
    kinds: list[tuple[list[InputStats], Callable[[InputStats], str], str]] = [
        (
            [st for st in stats if st.empty],
            lambda st: f"{st.path}: empty{': nothing to check' if empty_ok else ''}",
            "more inputs are empty",
        ),
        (
            [st for st in stats if not st.records and not st.empty],
            lambda st: f"{st.path}: no miner log records",
            "more inputs have no miner log records",
        ),
        (
            [st for st in stats if st.read_error],
            lambda st: f"{st.path}: reading stopped early ({st.read_error}); {what}",
            f"more inputs stopped early; {what}",
        ),
        (
            [st for st in stats if st.unrecognized and st.records],
            _unread,
            "more inputs have unrecognized lines",
        ),
    ]
    out = []
    for found, say, rest in kinds:
        out += [say(st) for st in found[:NAMED_INPUTS]]
        if len(found) > NAMED_INPUTS:
            out.append(f"{len(found) - NAMED_INPUTS:,} {rest}")
    return out


def _unread(st: InputStats) -> str:
    """`X: 2 unrecognized lines skipped; the first: "..."`."""
    text = f"{st.path}: {plural(st.unrecognized, 'unrecognized line')} skipped"
    if st.too_long:
        text += f" ({st.too_long:,} too long to read)"
    if st.samples:
        # A sample is log text: cleaned (redacted, controls escaped) when it was read.
        text += f"; the first: {json.dumps(st.samples[0], ensure_ascii=False)}"
    return text
