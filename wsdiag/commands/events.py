"""`wsdiag events`: every counted failure, one per line, in log order, while the log is read.

The events are exactly the ones ``analyze`` counts in ``failures.total``: the inputs are scanned
by the same :class:`~wsdiag.read.scan.Scanner` into a streaming
:class:`~wsdiag.summary.summary.Summary` (``Summary.streaming``), in the order ``analyze``
merges them (by their first record), and websocket-client echoes are folded by the same
:class:`~wsdiag.summary.dedupe.Deduper`. The summary hands over each event as it counts it
(``on_event``); its deduper settles runs that can no longer grow (``Deduper.settle``, the one
policy ``watch`` uses too), so their events come out without waiting for the end of the log.

Every event is held in a buffer until nothing read later can come before it, then released in
log order (the Deduper's ``seq``): a run not yet settled holds back the events after its start,
so memory holds about a quarter of a minute of events. If the log's time runs backwards onto a
settled run, :attr:`EventStream.mismatch` says how many events came out that ``analyze`` folds
into an error, and the CLI warns.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from typing import BinaryIO, cast

from wsdiag.commands.inputs import Unusable, empty, nothing_recognisable
from wsdiag.parse.records import FailureEvent
from wsdiag.pipeline import Options, reading, scanner_for, year_chain
from wsdiag.read.layouts import YearResolver
from wsdiag.read.sources import CHUNK, Source, chunks
from wsdiag.summary.summary import Summary

PROBE_CHUNK = 1 << 20

_Key = tuple[int, int, int]  # (dedupe seq, 0 = dedupe event / 1 = event after it, arrival)


class _Buffer:
    """Events waiting for their turn, ordered by position in the log."""

    def __init__(self) -> None:
        self.heap: list[tuple[_Key, FailureEvent]] = []
        self.arrival = itertools.count()

    def put(self, seq: int, tier: int, ev: FailureEvent) -> None:
        heapq.heappush(self.heap, ((seq, tier, next(self.arrival)), ev))

    def release(self, before: tuple[int, int]) -> list[FailureEvent]:
        out = []
        while self.heap and self.heap[0][0][:2] < before:
            out.append(heapq.heappop(self.heap)[1])
        return out


class _Live:
    """A pipe read as it arrives (``tail -f log | wsdiag events``), not in 8 MiB blocks."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw

    def read(self, size: int = -1) -> bytes:
        read1 = getattr(self.raw, "read1", None)
        return bytes(read1(size) if read1 is not None else self.raw.read(size))

    def close(self) -> None:
        self.raw.close()


def _first_time(source: Source, opts: Options) -> datetime | None:
    """What ``analyze`` sorts inputs by: the time of the first (in-window) record."""
    summary = Summary()
    scanner = scanner_for(summary, source, opts)
    with reading(source, scanner.stats) as stream:
        for chunk in chunks(stream, PROBE_CHUNK):
            scanner.chunk(chunk)  # not line by line: a log may start with a newline bomb
            if summary.first is not None:
                break
    return summary.first


def repeats(sources: list[Source], opts: Options) -> tuple[dict[str, Options], list[str]]:
    """The options of each input that repeats others (the same run in two layouts, see
    :mod:`wsdiag.summary.same_run`), which leave out the spans the others cover, and a note for
    each: so that the events are those ``analyze`` counts. Every source must be a file.

    Only when two inputs overlap in time are they read whole to compare them.
    """
    if len(sources) <= 1:
        return {}, []
    from wsdiag.pipeline import scan_parts
    from wsdiag.read.timefilter import Window, last_time
    from wsdiag.summary import same_run

    spans = [(_first_time(s, opts), last_time(s, opts)) for s in sources]
    timed = [(a, b) for a, b in spans if a is not None and b is not None]
    if not any(a1 < b2 and a2 < b1 for n, (a1, b1) in enumerate(timed) for a2, b2 in timed[n + 1 :]):
        return {}, []
    names = [s.name for s in sources]
    user = opts.window or Window()
    own: dict[str, Options] = {}
    notes: list[str] = []
    for rep in same_run.plan(names, scan_parts(sources, opts)[0]):
        name = names[rep.index]
        own[name] = replace(opts, window=replace(user, skip=user.skip + rep.skip))
        first, last = rep.shared
        same = ", ".join(names[j] for j, _ in rep.covers)
        notes.append(
            f"{name} is the same run as {same} (the same events from {first:%Y-%m-%d %H:%M} to "
            f"{last:%Y-%m-%d %H:%M}): its events there are exported once, from {same}"
        )
    return own, notes


def in_log_order(
    sources: list[Source], opts: Options, own: dict[str, Options] | None = None
) -> list[Source]:
    """Sources in the order ``analyze`` merges them (every source must be a file). Year-less
    ones follow each other in the order of their dates (pipeline.year_chain), where the first
    of them falls. ``own``: the options of inputs read with their own time window (:func:`repeats`)."""
    if len(sources) <= 1:
        return sources
    own = own or {}
    chain = year_chain(sources)
    chained = {s.name for s in chain}
    keyed = [(_first_time(s, own.get(s.name, opts)), s) for s in sources if s.name not in chained]
    if chain:
        keyed.append((_first_time(chain[0], own.get(chain[0].name, opts)), chain[0]))
    keyed.sort(key=lambda fs: (fs[0] is None, fs[0] or datetime.min))  # stable, like analyze
    out: list[Source] = []
    for _, s in keyed:
        out.extend(chain if chain and s is chain[0] else [s])
    return out


class EventStream:
    """Iterate to get the events; afterwards :attr:`summary` is the finished Summary."""

    def __init__(
        self, sources: list[Source], opts: Options, own: dict[str, Options] | None = None
    ) -> None:
        self.sources = sources
        self.opts = opts
        self.own = own or {}  # inputs read with options of their own (repeats())
        self.buffer = _Buffer()
        self.summary = Summary.streaming(self._counted)

    def _counted(self, ev: FailureEvent) -> None:
        # seq 0: a one-line failure that needs no dedupe; it sits after dedupe line `seq`.
        if ev.seq == 0:
            self.buffer.put(self.summary.dedupe.seq, 1, ev)
        else:
            self.buffer.put(ev.seq, 0, ev)

    @property
    def mismatch(self) -> int:
        """Events released early that ``analyze`` does not count (time ran backwards)."""
        return self.summary.dedupe.mismatch

    def _release(self, before: tuple[int, int]) -> list[FailureEvent]:
        return self.buffer.release(before)

    def __iter__(self) -> Iterator[FailureEvent]:
        for batch in self.batches():
            yield from batch

    def batches(self) -> Iterator[list[FailureEvent]]:
        """Events in log order, a list per chunk read (possibly empty): flush after each."""
        # Year-less inputs (in_log_order put them one after the other) share one resolver.
        chained = {s.name for s in year_chain(self.sources)} if len(self.sources) > 1 else set()
        years = YearResolver.for_log(self.opts.year, self.opts.today)
        for source in self.sources:
            opts = self.own.get(source.name, self.opts)
            scanner = scanner_for(self.summary, source, opts, years if source.name in chained else None)
            with reading(source, scanner.stats) as stream:
                feed = scanner.simple if opts.simple else scanner.chunk
                readable = stream if source.path is not None else cast(BinaryIO, _Live(stream))
                for chunk in chunks(readable, CHUNK):
                    feed(chunk)
                    self.summary.settle()
                    yield self._release((self.summary.dedupe.pending_from(), 0))
        self.summary.finish()
        yield self._release((self.summary.dedupe.seq + 1, 2))


def export(sources: list[Source], opts: Options) -> tuple[EventStream, list[str]]:
    """The stream of the events ``analyze`` counts in these inputs, and a note for each input
    that repeats another (the same run in two layouts), whose events there are exported once."""
    own, notes = repeats(sources, opts)
    return EventStream(in_log_order(sources, opts, own), opts, own), notes


def nothing_read(stream: EventStream, paths: list[str]) -> Unusable | None:
    """Once the stream was read: the error when no input held a record, else None."""
    stats = list(stream.summary.inputs.values())
    if any(st.records for st in stats):
        return None
    if stats and all(st.empty for st in stats):
        return empty(stats, "export")
    return nothing_recognisable(stats, paths)
