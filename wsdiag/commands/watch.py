"""`wsdiag watch`: follow a growing miner log and keep a live diagnosis of it.

* :class:`Watcher` feeds the chunks a follower (:mod:`wsdiag.read.follow`) reads into one
  streaming :class:`~wsdiag.summary.summary.Summary` through the same
  :class:`~wsdiag.read.scan.Scanner` as ``analyze``; the summary hands over every failure event as it
  counts it (``on_event``) and settles dedupe runs that can no longer grow (``Summary.settle``,
  the policy ``events`` uses). Findings are those of a window of log time (default one hour,
  :func:`wsdiag.summary.window.since` of a finished snapshot), so that a finding can clear when
  the trouble stops; the window's counts are those of its minutes, its structural facts (pool
  size, topics, streamers) those of everything seen: an INFO log only names a connection when
  it fails, so a window would undercount the pool. Memory is bounded: the summary is bounded
  by design, and minutes older than :data:`KEEP_MINUTES` are forgotten.
* :func:`run` polls the follower and tells a :class:`Sink` (:mod:`wsdiag.cli.sinks`) what it
  sees, until a signal, ``exit_after`` or ``idle_exit`` stops it.
"""

from __future__ import annotations

import signal
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from types import FrameType
from typing import Any, Protocol

from wsdiag.diagnose.diagnosis import Diagnosis
from wsdiag.diagnose.engine import findings
from wsdiag.diagnose.finding import Finding
from wsdiag.diagnose.thresholds import Thresholds
from wsdiag.parse.records import FailureEvent
from wsdiag.read.follow import Followed, Notice
from wsdiag.read.layouts import YearResolver
from wsdiag.read.scan import Scanner
from wsdiag.summary.minutes import minute_of
from wsdiag.summary.summary import Summary
from wsdiag.summary.window import since

_NAP = 0.1  # longest sleep between looks at the stop flag
RECENT = 12  # recent failures kept for the panel
KEEP_MINUTES = 7 * 24 * 60  # per-minute buckets kept (a week): watch can run for months


# ---------------------------------------------------------------------------------------------
# Analysis


class Existing(str, Enum):
    """What to do with what the file already holds when the watch begins."""

    context = "context"  # analysed, not reported as new
    replay = "replay"  # reported too
    skip = "skip"  # not read: the follower starts at its end, as tail -n0 -F

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class FindingChange:
    state: str  # appeared | cleared | changed
    finding: Finding
    before: str | None  # severity before (None when it appeared)


class Watcher:
    """Incremental analysis of one followed log."""

    def __init__(
        self,
        name: str,
        thresholds: Thresholds | None = None,
        window: timedelta | None = timedelta(hours=1),
        year: int | None = None,
    ) -> None:
        self.summary = Summary.streaming(self._counted)
        self.stats = self.summary.input(name)
        self.scanner = Scanner(self.summary, self.stats, YearResolver.for_log(year))
        self.thresholds = thresholds or Thresholds()
        if window and window > timedelta(minutes=KEEP_MINUTES):
            raise ValueError(f"the window can be {KEEP_MINUTES // 1440} days at most")
        self.window = window if window else None
        self.current: dict[str, Finding] = {}  # causes first, as the diagnosis orders them
        self.recent: deque[FailureEvent] = deque(maxlen=RECENT)
        self.events = 0
        self._new: list[FailureEvent] = []
        self._view: Summary | None = None  # the window as the last check() saw it

    # -- feeding -------------------------------------------------------------------------
    def _counted(self, ev: FailureEvent) -> None:
        self._new.append(ev)

    def feed(self, chunk: bytes) -> list[FailureEvent]:
        """Scan whole lines; return the failure events they completed, in log order."""
        self.scanner.chunk(chunk)
        self.summary.settle()  # echo-only events are not held until the watch ends
        out, self._new = self._new, []
        self.recent.extend(out)
        self.events += len(out)
        if self.summary.last is not None:
            # Old minutes are what grows with time: a watch can run for months.
            self.summary.forget(minute_of(self.summary.last) - KEEP_MINUTES)
        return out

    # -- state ---------------------------------------------------------------------------
    @property
    def checked(self) -> Summary:
        """The window as the last :meth:`check` saw it."""
        if self._view is None:
            self._view = self.view()
        return self._view

    def view(self) -> Summary:
        """The finished summary of the window (:func:`wsdiag.summary.window.since`): the counts
        of its minutes, the structural facts of all that was seen."""
        s = self.summary.snapshot()
        if self.window is None or s.last is None:
            return s
        return since(s, s.last - self.window)

    def check(self) -> list[FindingChange]:
        """Findings of the window now, compared with the last check."""
        self._view = self.view()
        now = {f.id: f for f in findings(self._view, self.thresholds)}
        changes: list[FindingChange] = []
        for fid, f in now.items():
            old = self.current.get(fid)
            if old is None:
                changes.append(FindingChange("appeared", f, None))
            elif old.severity != f.severity:
                changes.append(FindingChange("changed", f, old.severity))
        for fid, f in self.current.items():
            if fid not in now:
                changes.append(FindingChange("cleared", f, f.severity))
        self.current = now
        return changes

    def final(self) -> Diagnosis:
        """The diagnosis of everything watched (not only the window); ends the watch."""
        return Diagnosis.of(self.summary.finish(), self.thresholds)


def primary(w: Watcher) -> Finding | None:
    """The cause to fix first in the window, as the last check found it."""
    return next((f for f in w.current.values() if f.kind == "cause"), None)


class Sink(Protocol):
    """Where :func:`run` shows what it sees (:mod:`wsdiag.cli.sinks`)."""

    def notice(self, n: Notice) -> None: ...
    def started(self, w: Watcher) -> None: ...
    def failures(self, w: Watcher, events: list[FailureEvent]) -> None: ...
    def findings(self, w: Watcher, changes: list[FindingChange]) -> None: ...
    def tick(self, w: Watcher) -> None: ...
    def stopped(self, w: Watcher, reason: str) -> None: ...


# ---------------------------------------------------------------------------------------------
# Driving


@dataclass
class StopFlag:
    """Set by a signal handler (or a sink whose reader went away); checked between polls."""

    reason: str | None = None

    def set(self, reason: str) -> None:
        if self.reason is None:
            self.reason = reason


def run(
    source: Followed,
    watcher: Watcher,
    sink: Sink,
    *,
    existing: Existing = Existing.context,
    interval: float = 0.25,
    exit_after: float | None = None,
    idle_exit: float | None = None,
    stop: StopFlag | None = None,
    handle_signals: bool = True,
    clock: Callable[[], float] = time.monotonic,
) -> str:
    """Follow until stopped; returns why (signal, exit-after, idle-exit, eof, output-closed).

    ``existing``: ``context`` reads what the file already holds into the state without reporting
    its events, ``replay`` reports them too, ``skip`` starts at the end (as ``tail -n0 -F``; the
    source must have been opened that way).
    """
    stop = stop or StopFlag()
    previous: dict[int, Any] = {}
    if handle_signals:

        def _on_signal(signum: int, frame: FrameType | None) -> None:
            stop.set("signal")

        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, _on_signal)
    started = clock()
    last_data = started

    def say(call: Callable[..., None], *args: Any) -> None:
        # `wsdiag watch --format jsonl | head -1`: the reader is gone, so the watch ends.
        if stop.reason == "output-closed":
            return
        try:
            call(*args)
        except BrokenPipeError:
            stop.reason = "output-closed"

    def stopped() -> bool:
        """Asked between reads too: a signal or --exit-after ends even an endless catch-up."""
        if exit_after is not None and stop.reason is None and clock() - started >= exit_after:
            stop.set("exit-after")
        return stop.reason is not None

    try:
        quiet = existing == Existing.context
        first = True
        while stop.reason is None:
            got = False
            for item in source.poll(stopped):
                if isinstance(item, Notice):
                    if not (first and quiet and item.state == "opened"):
                        say(sink.notice, item)
                    if item.state == "eof":
                        stop.set("eof")
                    continue
                got = True
                events = watcher.feed(item)
                if first and quiet:
                    continue  # findings are judged once, when the catch-up is done
                say(sink.failures, watcher, events)
                say(sink.findings, watcher, watcher.check())
                if stop.reason == "output-closed":
                    break
            if first:
                first = False
                if quiet:
                    watcher.check()
                say(sink.started, watcher)
            say(sink.tick, watcher)
            now = clock()
            if got:
                last_data = now
            if exit_after is not None and now - started >= exit_after:
                stop.set("exit-after")
            elif idle_exit is not None and now - last_data >= idle_exit:
                stop.set("idle-exit")
            # In short naps, so that a signal (which only sets the flag) ends it at once.
            until = time.monotonic() + interval
            while stop.reason is None and (left := until - time.monotonic()) > 0:
                time.sleep(min(left, _NAP))
                if exit_after is not None and clock() - started >= exit_after:
                    stop.set("exit-after")
        reason = stop.reason or "stopped"
        say(sink.stopped, watcher, reason)
        return reason
    finally:
        source.close()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
