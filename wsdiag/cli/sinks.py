"""Where ``watch`` writes what it shows: JSON lines, plain lines, or the live panel on a terminal."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.live import Live
from rich.text import Text

from wsdiag.commands.watch import FindingChange, Watcher
from wsdiag.common.words import plural
from wsdiag.diagnose.diagnosis import Diagnosis
from wsdiag.parse.records import FailureEvent
from wsdiag.read.follow import Notice
from wsdiag.report import watch as shown


class JsonlSink:
    """One JSON object per line, flushed at once, for scripts and notifiers."""

    def __init__(self, write: Callable[[str], object], flush: Callable[[], object]) -> None:
        self._write = write
        self._flush = flush

    def _out(self, doc: dict[str, Any]) -> None:
        self._write(shown.line(doc))
        self._flush()

    def notice(self, n: Notice) -> None:
        self._out(shown.notice_doc(n))

    def started(self, w: Watcher) -> None:
        self._out(shown.started_doc(w))

    def failures(self, w: Watcher, events: list[FailureEvent]) -> None:
        for ev in events:
            self._out(shown.failure_doc(ev))

    def findings(self, w: Watcher, changes: list[FindingChange]) -> None:
        for ch in changes:
            self._out(shown.finding_doc(ch, w.summary.last))

    def tick(self, w: Watcher) -> None:
        """Nothing to refresh."""

    def stopped(self, w: Watcher, reason: str) -> None:
        self._out(shown.summary_doc(w, reason))


class TextSink:
    """Plain lines (no live panel) when stdout is a file or a pipe; the final report at the end."""

    def __init__(self, console: Console, render_final: Callable[[Diagnosis, Console], str]) -> None:
        self.console = console
        self.render_final = render_final

    def _line(self, text: Text) -> None:
        self.console.print(text)

    def notice(self, n: Notice) -> None:
        self._line(Text(f"-- {n.path}: {n.state}", style="dim"))

    def started(self, w: Watcher) -> None:
        head = Text(f"-- watching {w.stats.path} ({plural(w.stats.lines, 'line')} so far)", style="dim")
        self._line(head)
        for f in w.current.values():
            self._line(shown.finding_line("present", f))

    def failures(self, w: Watcher, events: list[FailureEvent]) -> None:
        for ev in events:
            self._line(shown.failure_line(ev))

    def findings(self, w: Watcher, changes: list[FindingChange]) -> None:
        for ch in changes:
            self._line(shown.finding_line(ch.state, ch.finding))

    def tick(self, w: Watcher) -> None:
        """Nothing to refresh."""

    def stopped(self, w: Watcher, reason: str) -> None:
        self._line(Text(f"-- stopped ({reason}); report of everything watched:", style="dim"))
        self.console.file.write(self.render_final(w.final(), self.console))
        self.console.file.flush()


class LiveSink(TextSink):
    """The rich panel on a terminal, refreshed after every poll; the report when stopped."""

    def __init__(
        self, console: Console, render_final: Callable[[Diagnosis, Console], str], path: str
    ) -> None:
        super().__init__(console, render_final)
        self.path = path
        self.live: Live | None = None
        self.status: str | None = None

    def _line(self, text: Text) -> None:
        """Events show in the panel, not as lines."""

    def notice(self, n: Notice) -> None:
        self.status = None if n.state == "opened" else f"{n.state} at {time.strftime('%H:%M:%S')}"

    def started(self, w: Watcher) -> None:
        self.live = Live(shown.panel(w, self.path, self.status), console=self.console, auto_refresh=False)
        self.live.start()

    def tick(self, w: Watcher) -> None:
        if self.live is not None:
            self.live.update(shown.panel(w, self.path, self.status), refresh=True)

    def stopped(self, w: Watcher, reason: str) -> None:
        if self.live is not None:
            self.live.update(shown.panel(w, self.path, self.status), refresh=True)
            self.live.stop()
        self.console.print(Text(f"stopped ({reason}); report of everything watched:", style="dim"))
        self.console.file.write(self.render_final(w.final(), self.console))
        self.console.file.flush()
