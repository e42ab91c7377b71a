"""Fold websocket-client's echo lines into the error they repeat, in a way that can be merged.

One failure can be logged several times: the miner's ``#N - WebSocket error: X`` plus
websocket-client's ``X - goodbye`` or ``error from callback <...>: X``; an ERR_BADAUTH answer shows
up as a ``Received: {...ERR_BADAUTH...}`` line, ``Error while trying to listen for a topic`` and
the ``#N - WebSocket error`` of older versions.

Lines that may repeat one event share a *key* (the error text, or ``listen:<code>``). Lines of a
key that follow each other closely (within :data:`NEAR_SECONDS`, or within :data:`NEAR_LINES`
failure lines when a time is missing) form a *run*. A run holds
``max(#N errors, lines of each other kind)`` events: every ``#N - WebSocket error`` counts, and
echoes count only where they outnumber the errors they repeat.

Because a run depends only on the lines of its own key and their neighbours, two halves of a
log can be deduplicated apart and joined at the seam: each part keeps the first and the last
run of every key open, and :meth:`Deduper.merge` joins the seam runs exactly as one pass would.

A stream read from the log's start (``events``, ``watch``: ``Deduper(stream=True)``) has no part
before it: the first run of a key closes like any other, and :meth:`Deduper.settle` releases the
events of a run as soon as it can no longer grow, without waiting for the log's end: once the
log's time has moved :data:`SETTLE_SECONDS` past the run's last line (and, when failure lines
without a time were seen, also :data:`NEAR_LINES` failure lines). That assumes a log's time does
not run backwards by more than :data:`SETTLE_SECONDS`; the run stays open all the same (for
:data:`FORGET_SECONDS`), so the counts stay those of one pass, and :attr:`Deduper.mismatch`
counts the events released that a run which grew after all no longer holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain

from wsdiag.parse.records import FailureClass, FailureEvent, Kind, Record

NEAR_SECONDS = 5.0
NEAR_LINES = 8
#: How far the log's time must have moved past a run's last line before settle() releases it;
#: the margin covers lines that threads wrote slightly out of time order.
SETTLE_SECONDS = NEAR_SECONDS + 10.0
#: A settled run is closed once the log's time is this far past it (only a clock that ran back
#: this far could still join it): a stream keeps the runs of its last minutes, not one per text.
FORGET_SECONDS = 600.0
_KEEP = 4096  # echo lines remembered per run; beyond it only counted (hostile input)
_OPEN_KEYS = 512  # runs kept open at once; the oldest closes first (hostile input)

#: The records a Deduper takes: an error, and the echoes and answers that may repeat it.
DEDUPED = frozenset({Kind.ERROR, Kind.ECHO, Kind.LISTEN_ERROR, Kind.RESPONSE_ERROR})
# When echoes outnumber errors, the extra events are taken from the kind that knows most.
_PREFERENCE = (Kind.RESPONSE_ERROR, Kind.ECHO, Kind.LISTEN_ERROR)
# Enum members the per-record code tests, as module globals (why: parse.records' docstring).
_ERROR, _OTHER_CLASS = Kind.ERROR, FailureClass.OTHER


def _near(t1: datetime | None, s1: int, t2: datetime | None, s2: int) -> bool:
    if t1 is not None and t2 is not None:
        return abs((t2 - t1).total_seconds()) <= NEAR_SECONDS
    return abs(s2 - s1) <= NEAR_LINES


@dataclass
class Run:
    """The lines of one key that follow each other closely: the events they hold (see the
    module doc)."""

    key: str
    cls: str
    first_time: datetime | None
    first_seq: int
    last_time: datetime | None
    last_seq: int
    errors: int = 0
    counts: dict[Kind, int] = field(default_factory=dict)
    kept: dict[Kind, list[FailureEvent]] = field(default_factory=dict)
    final: bool = False
    settled: bool = False  # settle() released its events while it was open (a stream's run)
    released: int = 0  # how many

    def add(self, rec: Record, seq: int) -> None:
        self.last_time = rec.time if rec.time is not None else self.last_time
        self.last_seq = seq
        if rec.kind is _ERROR:
            self.errors += 1
            return
        self.counts[rec.kind] = self.counts.get(rec.kind, 0) + 1
        kept = self.kept.setdefault(rec.kind, [])
        if len(kept) < _KEEP:
            kept.append(FailureEvent(rec.time, rec.conn, rec.cls or _OTHER_CLASS, rec.text, seq))

    def absorb(self, later: Run, shift: int) -> None:
        """Append a run of the next part (its seqs shifted by ``shift``)."""
        self.last_time = later.last_time if later.last_time is not None else self.last_time
        self.last_seq = later.last_seq + shift
        self.errors += later.errors
        for kind, n in later.counts.items():
            self.counts[kind] = self.counts.get(kind, 0) + n
            kept = self.kept.setdefault(kind, [])
            for ev in later.kept.get(kind, []):
                if len(kept) < _KEEP:
                    kept.append(FailureEvent(ev.time, ev.conn, ev.cls, ev.message, ev.seq + shift))

    def shifted(self, shift: int) -> Run:
        run = Run(
            self.key,
            self.cls,
            self.first_time,
            self.first_seq + shift,
            self.last_time,
            self.last_seq + shift,
            self.errors,
            dict(self.counts),
            {},
            self.final,
        )
        run.kept = {
            k: [FailureEvent(e.time, e.conn, e.cls, e.message, e.seq + shift) for e in v]
            for k, v in self.kept.items()
        }
        return run

    def excess(self) -> list[FailureEvent]:
        """The events this run adds beyond its ``#N`` errors (already counted on arrival)."""
        if not self.counts:
            return []
        most = max(self.counts.values())
        extra = most - self.errors
        if extra <= 0:
            return []
        kind = next(k for k in _PREFERENCE if self.counts.get(k, 0) == most)
        events = self.kept.get(kind, [])[:extra]
        missing = extra - len(events)
        if missing > 0:  # more echoes than we kept: count them without detail
            events = events + [FailureEvent(None, None, self.cls, "", self.last_seq)] * missing
        return events


@dataclass
class Deduper:
    """Streams failure records; reports every counted event exactly once."""

    seq: int = 0
    first_runs: dict[str, Run] = field(default_factory=dict)
    # Kept in ascending last_seq order (a run moves to the end when it grows), so the oldest
    # open run is the first one: evicting it is O(1) even with thousands of distinct texts.
    last_runs: dict[str, Run] = field(default_factory=dict)
    stream: bool = False  # the whole log from its start: no part will be merged before it
    timeless: bool = False  # a failure record without a time was seen (settle counts lines too)
    mismatch: int = 0  # events settle() released that their run, grown after all, does not hold

    def add(self, rec: Record) -> list[FailureEvent]:
        """Take one failure record; return the events that became final."""
        self.seq += 1
        if rec.time is None:
            self.timeless = True
        out: list[FailureEvent] = []
        if rec.kind is _ERROR:
            out.append(FailureEvent(rec.time, rec.conn, rec.cls or _OTHER_CLASS, rec.text, self.seq))
        run = self.last_runs.get(rec.key)
        if run is not None and _near(run.last_time, run.last_seq, rec.time, self.seq):
            run.add(rec, self.seq)
            del self.last_runs[rec.key]
            self.last_runs[rec.key] = run
            return out
        if run is not None:
            del self.last_runs[rec.key]
            out.extend(self._close(run))
        elif len(self.last_runs) >= _OPEN_KEYS:
            oldest = next(iter(self.last_runs.values()))
            del self.last_runs[oldest.key]
            out.extend(self._close(oldest))
        new = Run(rec.key, rec.cls or _OTHER_CLASS, rec.time, self.seq, rec.time, self.seq)
        new.add(rec, self.seq)
        self.last_runs[rec.key] = new
        if not self.stream and len(self.first_runs) < _OPEN_KEYS:
            # Past that many distinct errors (hostile input) a new key's first run is closed like
            # any other, so memory stays bounded; only a seam inside such a flood could differ.
            self.first_runs.setdefault(rec.key, new)
        return out

    def _close(self, run: Run) -> list[FailureEvent]:
        # The first run of a key may still join the last run of an earlier part.
        if self.first_runs.get(run.key) is run or run.final:
            return []
        return self._final(run)

    def _final(self, run: Run) -> list[FailureEvent]:
        """The events a closing run adds, less those settle() released already."""
        run.final = True
        events = run.excess()
        if run.settled:
            self.mismatch += max(0, run.released - len(events))
            return events[run.released :]
        return events

    def finish(self) -> list[FailureEvent]:
        """Close every run: the log is complete."""
        out: list[FailureEvent] = []
        for run in chain(self.first_runs.values(), self.last_runs.values()):
            if not run.final:
                out.extend(self._final(run))
        self.first_runs.clear()
        self.last_runs.clear()
        return out

    def settle(self, now: datetime | None) -> list[FailureEvent]:
        """The events of open runs that can no longer grow, the log's time being ``now``; each
        event is returned once, here or when its run closes. Only for a stream
        (``Deduper(stream=True)``): a part's runs may still join an earlier part's.

        A run is settled once ``now`` is :data:`SETTLE_SECONDS` past its last line (and, if
        failure lines without a time were seen, :data:`NEAR_LINES` failure lines): its events
        are released, and it stays open until ``now`` is :data:`FORGET_SECONDS` past it, so
        that a line that a clock running back puts near it is still folded into it. A run
        without a time can only grow by lines: it closes once it is NEAR_LINES lines back.
        """
        if not self.stream:
            raise ValueError("settle() is for a stream read from its start (Deduper(stream=True))")
        out: list[FailureEvent] = []
        for run in list(self.last_runs.values()):
            if run.final:
                continue
            far_in_lines = self.seq - run.last_seq > NEAR_LINES
            if run.last_time is None:
                if far_in_lines:
                    out.extend(self._drop(run))
                continue
            if now is None:
                continue
            age = (now - run.last_time).total_seconds()
            if not run.settled and age > SETTLE_SECONDS and (far_in_lines or not self.timeless):
                events = run.excess()
                run.settled, run.released = True, len(events)
                out.extend(events)
            if run.settled and age > FORGET_SECONDS and far_in_lines:
                out.extend(self._drop(run))
        return sorted(out, key=lambda ev: ev.seq)

    def _drop(self, run: Run) -> list[FailureEvent]:
        del self.last_runs[run.key]
        return self._final(run)

    def pending_from(self) -> int:
        """The smallest seq an event not yet returned may have: the first line of the oldest
        open run that settle() has not released (``seq + 1`` when there is none)."""
        low = self.seq + 1
        for run in self.last_runs.values():
            if not run.final and not run.settled:
                low = min(low, run.first_seq)
        return low

    def merge(self, later: Deduper) -> list[FailureEvent]:
        """Append ``later`` (the next part of the same stream); return events made final."""
        shift = self.seq
        out: list[FailureEvent] = []
        first_b = {k: r.shifted(shift) for k, r in later.first_runs.items()}
        last_b = {
            k: (first_b[k] if later.first_runs.get(k) is r else r.shifted(shift))
            for k, r in later.last_runs.items()
        }
        for key, rb in first_b.items():
            ra = self.last_runs.get(key)
            b_is_last = last_b.get(key) is rb
            if ra is not None and _near(ra.last_time, ra.last_seq, rb.first_time, rb.first_seq):
                ra.absorb(rb, 0)
                if b_is_last:
                    last_b[key] = ra
                elif self.first_runs.get(key) is not ra:
                    ra.final = True
                    out.extend(ra.excess())
                continue
            if ra is not None and self.first_runs.get(key) is not ra and not ra.final:
                ra.final = True
                out.extend(ra.excess())
            if key not in self.first_runs:
                self.first_runs[key] = rb
            elif not b_is_last and not rb.final:
                rb.final = True
                out.extend(rb.excess())
        for key, run in last_b.items():
            self.last_runs[key] = run
        self.last_runs = dict(sorted(self.last_runs.items(), key=lambda kv: kv[1].last_seq))
        self.seq += later.seq
        return out
