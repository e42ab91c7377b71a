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
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain

from wsdiag.records import FailureEvent, Kind, Record

NEAR_SECONDS = 5.0
NEAR_LINES = 8
_KEEP = 4096  # echo lines remembered per run; beyond it only counted (hostile input)
_OPEN_KEYS = 512  # runs kept open at once; the oldest closes first (hostile input)

# When echoes outnumber errors, the extra events are taken from the kind that knows most.
_PREFERENCE = (Kind.RESPONSE_ERROR, Kind.ECHO, Kind.LISTEN_ERROR)


def _near(t1: datetime | None, s1: int, t2: datetime | None, s2: int) -> bool:
    if t1 is not None and t2 is not None:
        return abs((t2 - t1).total_seconds()) <= NEAR_SECONDS
    return abs(s2 - s1) <= NEAR_LINES


@dataclass
class Run:
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

    def add(self, rec: Record, seq: int) -> None:
        self.last_time = rec.time if rec.time is not None else self.last_time
        self.last_seq = seq
        if rec.kind is Kind.ERROR:
            self.errors += 1
            return
        self.counts[rec.kind] = self.counts.get(rec.kind, 0) + 1
        kept = self.kept.setdefault(rec.kind, [])
        if len(kept) < _KEEP:
            kept.append(FailureEvent(rec.time, rec.conn, rec.cls or "other", rec.text, seq))

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

    def add(self, rec: Record) -> list[FailureEvent]:
        """Take one failure record; return the events that became final."""
        self.seq += 1
        out: list[FailureEvent] = []
        if rec.kind is Kind.ERROR:
            out.append(FailureEvent(rec.time, rec.conn, rec.cls or "other", rec.text, self.seq))
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
        new = Run(rec.key, rec.cls or "other", rec.time, self.seq, rec.time, self.seq)
        new.add(rec, self.seq)
        self.last_runs[rec.key] = new
        if len(self.first_runs) < _OPEN_KEYS:
            # Past that many distinct errors (hostile input) a new key's first run is closed like
            # any other, so memory stays bounded; only a seam inside such a flood could differ.
            self.first_runs.setdefault(rec.key, new)
        return out

    def _close(self, run: Run) -> list[FailureEvent]:
        # The first run of a key may still join the last run of an earlier part.
        if self.first_runs.get(run.key) is run or run.final:
            return []
        run.final = True
        return run.excess()

    def finish(self) -> list[FailureEvent]:
        """Close every run: the log is complete."""
        out: list[FailureEvent] = []
        for run in chain(self.first_runs.values(), self.last_runs.values()):
            if not run.final:
                run.final = True
                out.extend(run.excess())
        self.first_runs.clear()
        self.last_runs.clear()
        return out

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
