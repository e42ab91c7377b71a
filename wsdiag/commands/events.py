"""`wsdiag events`: every counted failure, one per line, in log order, while the log is read.

The events are exactly the ones ``analyze`` counts in ``failures.total``: the inputs are scanned
by the same :class:`~wsdiag.scan.Scanner` into a :class:`~wsdiag.summary.summary.Summary`, in the order
``analyze`` merges them (by their first record), and websocket-client echoes are folded by the
same :class:`~wsdiag.summary.dedupe.Deduper`. Only two things differ, neither changes a count:

* the whole input is one stream, so the first run of a key is closed as soon as the next run of
  that key starts (a Deduper of one part of a log keeps it open for the part before it);
* every event is held in a buffer until nothing read later can come before it, then released in
  log order (the Deduper's ``seq``). A run that may still grab echo lines holds back the events
  after its start; a run is *settled* once the log's time has moved :data:`SETTLE_SECONDS` past
  its last line (and, if the log has failure lines without a time, also
  :data:`~wsdiag.summary.dedupe.NEAR_LINES` failure lines), so its events are released without waiting
  for the end of the log: memory holds about a quarter of a minute of events.

Settling assumes a log's time does not run backwards by more than :data:`SETTLE_SECONDS`. If it
does and a settled run grabs more lines, its extra events come out late (or, if it now has fewer,
the total differs from ``analyze``'s); :attr:`EventStream.mismatch` says so, and the CLI warns.
"""

from __future__ import annotations

import heapq
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import BinaryIO, cast

from wsdiag.layouts import YearResolver
from wsdiag.pipeline import Options, reading, scanner_for, year_chain
from wsdiag.records import FailureEvent, Kind, Record
from wsdiag.sources import CHUNK, Source, chunks
from wsdiag.summary.dedupe import NEAR_LINES, NEAR_SECONDS, Deduper, Run
from wsdiag.summary.summary import Summary

#: How far the log's time must have moved past a run's last line before the run is settled;
#: the margin covers lines that threads wrote slightly out of time order.
SETTLE_SECONDS = NEAR_SECONDS + 10.0
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


@dataclass
class _StreamDeduper(Deduper):
    """A Deduper over a whole stream: hands every event to the buffer as it becomes final."""

    buffer: _Buffer = field(default_factory=_Buffer)
    # Runs released before they closed: id -> (run, events released).
    early: dict[int, tuple[Run, int]] = field(default_factory=dict)
    mismatch: int = 0
    timeless: bool = False  # a failure line without a time was seen: lines, not only time, matter

    def add(self, rec: Record) -> list[FailureEvent]:
        out = super().add(rec)
        if rec.time is None:
            self.timeless = True
        if rec.kind is Kind.ERROR:
            # Deduper.add puts the event of an `#N - WebSocket error` line first.
            self.buffer.put(out[0].seq, 0, out[0])
        return out

    def _close(self, run: Run) -> list[FailureEvent]:
        # Nothing comes before this stream, so a first run is as final as any other.
        if run.final:
            return []
        run.final = True
        return self._settle(run)

    def finish(self) -> list[FailureEvent]:
        out: list[FailureEvent] = []
        for run in itertools.chain(self.first_runs.values(), self.last_runs.values()):
            if not run.final:
                run.final = True
                out.extend(self._settle(run))
        self.first_runs.clear()
        self.last_runs.clear()
        return out

    def _settle(self, run: Run) -> list[FailureEvent]:
        events = run.excess()
        done = 0
        entry = self.early.pop(id(run), None)
        if entry is not None:
            done = entry[1]
            self.mismatch += max(0, done - len(events))
        for ev in events[done:]:
            self.buffer.put(ev.seq, 0, ev)
        return events

    def watermark(self, latest: datetime | None) -> int:
        """Smallest seq an event not yet in the buffer may have; settles runs on the way."""
        low = self.seq + 1
        for run in self.last_runs.values():
            if run.final or id(run) in self.early:
                continue
            far_in_lines = self.seq - run.last_seq > NEAR_LINES
            if run.last_time is None:
                settled = far_in_lines
            else:
                settled = (
                    latest is not None
                    and (latest - run.last_time).total_seconds() > SETTLE_SECONDS
                    and (far_in_lines or not self.timeless)
                )
            if settled:
                events = run.excess()
                for ev in events:
                    self.buffer.put(ev.seq, 0, ev)
                self.early[id(run)] = (run, len(events))
                continue
            low = min(low, run.first_seq)
        return low


class _EventSummary(Summary):
    """A Summary that also hands events that bypass the Deduper to the buffer."""

    latest: datetime | None = None

    def _count(self, events: list[FailureEvent]) -> None:
        dedupe = self.dedupe
        assert isinstance(dedupe, _StreamDeduper)
        for ev in events:
            # seq 0: a one-line failure that needs no dedupe; it sits after dedupe line `seq`.
            if ev.seq == 0:
                dedupe.buffer.put(dedupe.seq, 1, ev)
        super()._count(events)

    def observe_span(self, first: datetime | None, last: datetime | None) -> None:
        super().observe_span(first, last)
        if last is not None and (self.latest is None or last > self.latest):
            self.latest = last


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
    if len(sources) < 2:
        return {}, []
    from wsdiag.pipeline import scan_parts
    from wsdiag.summary import same_run
    from wsdiag.timefilter import Window, last_time

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
    if len(sources) < 2:
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
        self.dedupe = _StreamDeduper()
        self.summary = _EventSummary(dedupe=self.dedupe)

    @property
    def mismatch(self) -> int:
        """Events released early that ``analyze`` does not count (time ran backwards)."""
        return self.dedupe.mismatch

    def _release(self, before: tuple[int, int]) -> list[FailureEvent]:
        return self.dedupe.buffer.release(before)

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
                    low = self.dedupe.watermark(self.summary.latest)
                    yield self._release((low, 0))
        self.summary.finish()
        yield self._release((self.dedupe.seq + 1, 2))


def to_json(ev: FailureEvent) -> str:
    """One jsonl line (ASCII-only, so any log content stays valid JSON anywhere)."""
    doc = {
        "time": None if ev.time is None else ev.time.isoformat(timespec="seconds"),
        "connection": ev.conn,
        "class": ev.cls,
        "message": ev.message,
    }
    return json.dumps(doc, ensure_ascii=True) + "\n"


def to_tsv(ev: FailureEvent) -> str:
    """time, connection, class, message; empty for null; tabs and line ends become spaces."""
    time = "" if ev.time is None else ev.time.isoformat(timespec="seconds")
    conn = "" if ev.conn is None else str(ev.conn)
    message = ev.message.replace("\t", " ").replace("\r", " ").replace("\n", " ")
    return f"{time}\t{conn}\t{ev.cls}\t{message}\n"
