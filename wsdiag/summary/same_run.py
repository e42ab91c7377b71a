"""One miner run logged twice (the console log and the file log): counted once.

The miner writes every record to two handlers, the console (often captured with `docker logs`
or `> console.log`) and `logs/<user>.log`, in two layouts. Given both, a plain merge would count
every failure and reconnect twice. Two inputs are **the same run** when

* their time spans overlap, and
* in the whole minutes of the overlap, the minutes with a failure, reconnect or close carry the
  same events in both: the same second, connection and class (compared through
  :attr:`wsdiag.summary.minutes.Minute.sig`, a sum of one hash per event), in at least
  :data:`MIN_MATCH` minutes and :data:`SHARE` of the minutes that have events in either.

Two miners logging the same hours (two accounts on one host, even through one network outage)
do not match: their events fall on other seconds or other connections. A quiet pair with fewer
than :data:`MIN_MATCH` busy minutes in common is not recognised, and is counted twice as before.

Counting once: the inputs are ranked (file layout first, then console, then year-less; then the
most records); each input is counted only outside the spans of the higher-ranked inputs it is
the same run as, by reading it again with those spans left out. Its lines still count as read;
a note says which input it repeats, over which span, and how many events were not counted again.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from wsdiag.common.words import plural
from wsdiag.summary.minutes import mark, minute_of
from wsdiag.summary.summary import Summary

MIN_INPUTS = 2  # one input alone repeats nothing
MIN_MATCH = 3  # busy minutes with equal signatures
SHARE = 0.8  # of the busy minutes of the overlap, in either input
_LAYOUT_RANK = {"file": 0, "console": 1, "less": 2, "mixed": 3}

Span = tuple[datetime, datetime]
#: Read input ``i`` again, leaving out records in these spans; None when it cannot be re-read.
Rescan = Callable[[int, tuple[Span, ...]], "Summary | None"]


@dataclass(frozen=True)
class SameRun:
    """An input that repeats others over a span: only what lies outside their spans counts."""

    path: str
    same_as: tuple[str, ...]  # the inputs it repeats
    first: datetime  # the span they share
    last: datetime
    failures: int  # failures and reconnects of it in that span, not counted again
    reconnects: int
    counted: bool  # whether its records outside the span were counted (False: stdin, not re-read)

    def describe(self) -> str:
        """The note every report prints."""
        same = ", ".join(self.same_as)
        end = f"{self.last:%H:%M}" if self.first.date() == self.last.date() else f"{self.last:%Y-%m-%d %H:%M}"
        text = (
            f"{self.path} is the same run as {same} (the same events from "
            f"{self.first:%Y-%m-%d %H:%M} to {end}): counted once, "
            f"{plural(self.failures, 'failure')} and {plural(self.reconnects, 'reconnect')} "
            "not counted again"
        )
        if not self.counted:
            text += "; its records outside that span were not counted either (standard input is read once)"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "same_run_as": list(self.same_as),
            "first": self.first.isoformat(timespec="seconds"),
            "last": self.last.isoformat(timespec="seconds"),
            "failures_not_recounted": self.failures,
            "reconnects_not_recounted": self.reconnects,
            "rest_counted": self.counted,
        }


def _pending(s: Summary) -> list[tuple[datetime | None, int | None, str]]:
    """Failure events still open in the summary's deduper (it closes them on finish())."""
    return [(ev.time, ev.conn, ev.cls) for ev in copy.deepcopy(s.dedupe).finish()]


def signatures(s: Summary) -> dict[int, int]:
    """Minute -> signature of its events, for every minute with a failure, reconnect or close."""
    sigs = {key: m.sig for key, m in s.minutes.items() if m.busy}
    for t, conn, cls in _pending(s):
        if t is not None:
            key = minute_of(t)
            sigs[key] = (sigs.get(key, 0) + mark(t, conn, cls)) & ((1 << 64) - 1)
    return sigs


def overlap(a: Summary, b: Summary) -> Span | None:
    """The span both cover, None when they do not overlap (or one has no time)."""
    if a.first is None or a.last is None or b.first is None or b.last is None:
        return None
    lo, hi = max(a.first, b.first), min(a.last, b.last)
    return (lo, hi) if lo < hi else None


def same_run(a: Summary, b: Summary, sigs: dict[int, dict[int, int]] | None = None) -> Span | None:
    """The span over which ``a`` and ``b`` are the same run, or None (see the module doc)."""
    span = overlap(a, b)
    if span is None:
        return None
    sa = sigs[id(a)] if sigs is not None else signatures(a)
    sb = sigs[id(b)] if sigs is not None else signatures(b)
    lo, hi = minute_of(span[0]) + 1, minute_of(span[1]) - 1  # whole minutes inside both
    ka = {m for m in sa if lo <= m <= hi}
    kb = {m for m in sb if lo <= m <= hi}
    matched = sum(1 for m in ka & kb if sa[m] == sb[m])
    return span if matched >= MIN_MATCH and matched >= SHARE * len(ka | kb) else None


def _span(s: Summary) -> Span:
    assert s.first is not None and s.last is not None  # only timed inputs are compared
    return s.first, s.last


def _events(s: Summary) -> tuple[int, int]:
    return s.failures_total + len(_pending(s)), s.reconnects


@dataclass(frozen=True)
class Repeat:
    """Input ``index`` repeats the inputs of ``covers`` (index, shared span): only its records
    outside ``skip``, their whole spans, count."""

    index: int
    covers: tuple[tuple[int, Span], ...]
    skip: tuple[Span, ...]

    @property
    def shared(self) -> Span:
        return min(span[0] for _, span in self.covers), max(span[1] for _, span in self.covers)


def plan(names: Sequence[str], parts: list[Summary]) -> list[Repeat]:
    """Which inputs repeat which (see the module doc); ``parts[i]`` is input ``names[i]`` alone."""
    timed = [i for i, p in enumerate(parts) if p.first is not None]
    if len(timed) < MIN_INPUTS:
        return []
    order = sorted(
        timed,
        key=lambda i: (
            _LAYOUT_RANK.get(parts[i].inputs[names[i]].layout if names[i] in parts[i].inputs else "", 4),
            -sum(st.records for st in parts[i].inputs.values()),
            i,
        ),
    )
    sigs: dict[int, dict[int, int]] | None = None
    out: list[Repeat] = []
    for n, i in enumerate(order):
        covers: list[tuple[int, Span]] = []
        for j in order[:n]:
            if overlap(parts[i], parts[j]) is None:
                continue
            if sigs is None:  # only once two inputs overlap in time
                sigs = {id(p): signatures(p) for p in (parts[k] for k in timed)}
            span = same_run(parts[i], parts[j], sigs)
            if span is not None:
                covers.append((j, span))
        if covers:
            # Left out: the whole span of each input it repeats, not only the shared part, so
            # that two it repeats one after the other (daily files) leave no seam counted twice.
            out.append(Repeat(i, tuple(covers), tuple(_span(parts[j]) for j, _ in covers)))
    return sorted(out, key=lambda r: r.index)


def count_once(
    names: Sequence[str], parts: list[Summary], rescan: Rescan
) -> tuple[list[Summary], list[SameRun]]:
    """The parts with each repeated run counted once, and a note per input that repeats others.

    ``parts[i]`` is the summary of the input named ``names[i]`` alone.
    """
    out = list(parts)
    notes: list[SameRun] = []
    for rep in plan(names, parts):
        i = rep.index
        again = rescan(i, rep.skip)
        counted = again is not None
        before = _events(parts[i])
        if again is None:  # not re-readable: none of it counts, but its lines were read
            again = Summary(inputs=dict(parts[i].inputs), year_assumed=parts[i].year_assumed)
        after = _events(again)
        out[i] = again
        first, last = rep.shared
        notes.append(
            SameRun(
                names[i],
                tuple(names[j] for j, _ in rep.covers),
                first,
                last,
                max(0, before[0] - after[0]),
                max(0, before[1] - after[1]),
                counted,
            )
        )
    return out, notes
