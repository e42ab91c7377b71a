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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from types import FrameType
from typing import Any, Protocol

from wsdiag.commands.choices import Existing
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


@dataclass(frozen=True)
class Pace:
    """When :func:`run` looks at the file and when it stops on its own: every ``interval``
    seconds; after ``exit_after`` seconds, or ``idle_exit`` seconds without new data (None:
    never); ``clock`` tells the time (tests drive it)."""

    interval: float = 0.25
    exit_after: float | None = None
    idle_exit: float | None = None
    clock: Callable[[], float] = time.monotonic


@contextmanager
def _signals_stop(stop: StopFlag, handle: bool) -> Iterator[None]:
    """SIGINT and SIGTERM set ``stop`` (instead of raising) while the watch runs."""
    previous: dict[int, Any] = {}
    if handle:

        def _on_signal(signum: int, frame: FrameType | None) -> None:
            stop.set("signal")

        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, _on_signal)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


class _Follow:
    """One watch: the loop of :func:`run`, its steps named."""

    def __init__(self, watcher: Watcher, sink: Sink, existing: Existing, pace: Pace, stop: StopFlag) -> None:
        self.watcher, self.sink, self.pace, self.stop = watcher, sink, pace, stop
        self.quiet = existing == Existing.context  # the catch-up is context, not news
        self.first = True
        self.started = self.last_data = pace.clock()

    def say(self, call: Callable[..., None], *args: Any) -> None:
        # `wsdiag watch --format jsonl | head -1`: the reader is gone, so the watch ends.
        if self.stop.reason == "output-closed":
            return
        try:
            call(*args)
        except BrokenPipeError:
            self.stop.reason = "output-closed"

    def _check_exit_after(self) -> None:
        exit_after = self.pace.exit_after
        if exit_after is not None and self.pace.clock() - self.started >= exit_after:
            self.stop.set("exit-after")

    def stopped(self) -> bool:
        """Asked between reads too: a signal or --exit-after ends even an endless catch-up."""
        if self.stop.reason is None:
            self._check_exit_after()
        return self.stop.reason is not None

    def notice(self, item: Notice) -> None:
        if not (self.first and self.quiet and item.state == "opened"):
            self.say(self.sink.notice, item)
        if item.state == "eof":
            self.stop.set("eof")

    def data(self, chunk: bytes) -> None:
        events = self.watcher.feed(chunk)
        if self.first and self.quiet:
            return  # findings are judged once, when the catch-up is done
        self.say(self.sink.failures, self.watcher, events)
        self.say(self.sink.findings, self.watcher, self.watcher.check())

    def poll(self, source: Followed) -> bool:
        """One look at the source; whether it gave data."""
        got = False
        for item in source.poll(self.stopped):
            if isinstance(item, Notice):
                self.notice(item)
                continue
            got = True
            self.data(item)
            if self.stop.reason == "output-closed":
                break
        if self.first:
            self.first = False
            if self.quiet:
                self.watcher.check()
            self.say(self.sink.started, self.watcher)
        self.say(self.sink.tick, self.watcher)
        return got

    def pause(self, got: bool) -> None:
        """Stop when a limit is reached, else wait ``interval``."""
        now = self.pace.clock()
        if got:
            self.last_data = now
        exit_after, idle_exit = self.pace.exit_after, self.pace.idle_exit
        if exit_after is not None and now - self.started >= exit_after:
            self.stop.set("exit-after")
        elif idle_exit is not None and now - self.last_data >= idle_exit:
            self.stop.set("idle-exit")
        # In short naps, so that a signal (which only sets the flag) ends it at once.
        until = time.monotonic() + self.pace.interval
        while self.stop.reason is None and (left := until - time.monotonic()) > 0:
            time.sleep(min(left, _NAP))
            self._check_exit_after()


def run(
    source: Followed,
    watcher: Watcher,
    sink: Sink,
    *,
    existing: Existing = Existing.context,
    pace: Pace | None = None,
    stop: StopFlag | None = None,
    handle_signals: bool = True,
) -> str:
    """Follow until stopped; returns why (signal, exit-after, idle-exit, eof, output-closed).

    ``existing``: ``context`` reads what the file already holds into the state without reporting
    its events, ``replay`` reports them too, ``skip`` starts at the end (as ``tail -n0 -F``; the
    source must have been opened that way). ``pace``: when to look and when to stop (default:
    every 0.25 s, until a signal or the end of a pipe).
    """
    stop = stop or StopFlag()
    with _signals_stop(stop, handle_signals):
        try:
            follow = _Follow(watcher, sink, existing, pace or Pace(), stop)
            while stop.reason is None:
                follow.pause(follow.poll(source))
            reason = stop.reason or "stopped"
            follow.say(sink.stopped, watcher, reason)
            return reason
        finally:
            source.close()
