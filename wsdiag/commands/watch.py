"""Follow a growing miner log like ``tail -F`` and keep a live diagnosis of it.

Three parts, each usable alone:

* :class:`Follower` / :class:`StreamFollower` turn a path (or a pipe) into whole-line byte chunks
  and notices (``opened``, ``missing``, ``rotated``, ``truncated``, ``eof``). A rotated file (renamed
  or deleted, and a new one created at the path) is read to its end before the new file is
  opened; a truncated file (copytruncate) is read again from its start. A partial last line
  waits for its newline; a line longer than ``MAX_LINE`` is never held whole.
* :class:`Watcher` feeds those chunks into one streaming :class:`~wsdiag.summary.summary.Summary`
  through the same :class:`~wsdiag.scan.Scanner` as ``analyze``; the summary hands over every
  failure event as it counts it (``on_event``) and settles dedupe runs that can no longer grow
  (``Summary.settle``, the policy ``events`` uses). Findings are those of a window of log time
  (default one hour, :func:`wsdiag.summary.window.since` of a finished snapshot), so that a
  finding can clear when the trouble stops. Memory is bounded: the summary is bounded by
  design, and minutes older than :data:`KEEP_MINUTES` are forgotten.
* Sinks show the result: :class:`JsonlSink` (one JSON object per line for scripts),
  :class:`TextSink` (plain lines when stdout is not a terminal) and :class:`LiveSink` (a rich
  panel). :func:`run` drives them until a signal, ``exit_after`` or ``idle_exit`` stops it.

Findings in the window use the counts of the window but the structural facts of everything
seen (pool size, topics, streamers): an INFO log only names a connection when it fails, so a
window would undercount the pool. The panel leads with the window's primary cause.
"""

from __future__ import annotations

import codecs
import json
import os
import select
import signal
import stat
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any, BinaryIO, Protocol

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from wsdiag.common.words import plural
from wsdiag.diagnose.diagnosis import Diagnosis
from wsdiag.diagnose.engine import findings
from wsdiag.diagnose.finding import Finding
from wsdiag.diagnose.pool import pool_of
from wsdiag.diagnose.thresholds import Thresholds
from wsdiag.durations import format_seconds
from wsdiag.layouts import YearResolver
from wsdiag.records import FailureEvent
from wsdiag.redact import neutralise
from wsdiag.scan import MAX_LINE, Scanner
from wsdiag.sources import shown_name, text_codec
from wsdiag.summary.minutes import minute_of
from wsdiag.summary.summary import Summary
from wsdiag.summary.window import since

READ_SIZE = 1 << 20  # bytes read (and scanned) at a time: bounds memory during catch-up
_NAP = 0.1  # longest sleep between looks at the stop flag
RECENT = 12  # recent failures kept for the panel
KEEP_MINUTES = 7 * 24 * 60  # per-minute buckets kept (a week): watch can run for months
_PLACEHOLDER = b"\0" * (MAX_LINE + 1) + b"\n"  # counted by the scanner as one too-long line
_EPOCH = datetime(1970, 1, 1)


# ---------------------------------------------------------------------------------------------
# Reading


@dataclass(frozen=True)
class Notice:
    """Something happened to the followed file."""

    state: str  # opened | missing | rotated | truncated | eof
    path: str


class LineSplitter:
    """Cuts appended bytes into whole lines; keeps at most one partial line of <= MAX_LINE."""

    def __init__(self) -> None:
        self.carry = b""
        self.giant = False  # discarding the rest of a too-long line

    def feed(self, data: bytes) -> bytes:
        """The whole lines completed by ``data`` (possibly empty), newline-terminated."""
        out: list[bytes] = []
        if self.giant:
            ends = [i for i in (data.find(b"\n"), data.find(b"\r")) if i != -1]
            if not ends:
                return b""
            self.giant = False
            out.append(_PLACEHOLDER)
            data = data[min(ends) + 1 :]
        data = self.carry + data if self.carry else data
        cut = _last_break(data)
        if cut == -1:
            self.carry = data
        else:
            out.append(data[: cut + 1])
            self.carry = data[cut + 1 :]
        if len(self.carry) > MAX_LINE:
            self.giant, self.carry = True, b""
        return b"".join(out)

    def flush(self) -> bytes:
        """The unterminated last line of a file that will not grow any more."""
        data = _PLACEHOLDER if self.giant else (self.carry + b"\n" if self.carry else b"")
        self.reset()
        return data

    def reset(self) -> None:
        self.carry, self.giant = b"", False


def _last_break(data: bytes) -> int:
    """Index of the last line end; a CR at the very end may be half of a CRLF, so it waits."""
    nl = data.rfind(b"\n")
    cr = data.rfind(b"\r", nl + 1, len(data) - 1)
    return cr if cr > nl else nl


def _never() -> bool:
    return False


#: Bytes before the read offset kept to tell a file rewritten since the last poll.
_TAIL = 64


class Follower:
    """``tail -F`` for one path: yields whole-line chunks and :class:`Notice` objects.

    Only a regular file is followed: a path that is (or becomes) a FIFO, a device, a symlink to
    one, or a directory is reported (``unreadable``) and waited on, never opened in a way that
    could block or read forever. A truncation is noticed when the file got shorter than what
    was read, and also when it was truncated and written past that point between two polls
    (the bytes just before the offset changed). UTF-16 and UTF-32 logs are re-encoded as UTF-8.
    """

    def __init__(self, path: Path, start_at_end: bool = False, read_size: int = READ_SIZE) -> None:
        self.path = path
        self.name = shown_name(str(path))  # printed: controls escaped
        self.start_at_end = start_at_end
        self.read_size = read_size
        self.fh: BinaryIO | None = None
        self.ident: tuple[int, int] | None = None
        self.offset = 0
        self.tail = b""  # the last bytes read, ending at offset
        self.decoder: codecs.IncrementalDecoder | None = None
        self.encoding_known = False
        self.split = LineSplitter()
        self._missing_told = False
        self._unreadable_told: str | None = None
        self._opened_once = False

    def close(self) -> None:
        if self.fh is not None:
            self.fh.close()
            self.fh = None

    def _open(self) -> Iterator[Notice]:
        """Open the path if it is a regular file (yields why not, once per reason)."""
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            st = os.stat(self.path)
            if not stat.S_ISREG(st.st_mode):  # refused before opening: a FIFO's open blocks
                raise IsADirectoryError if stat.S_ISDIR(st.st_mode) else _NotRegular
            fd = os.open(self.path, flags)
        except (FileNotFoundError, NotADirectoryError):
            if not self._missing_told:
                self._missing_told = True
                yield Notice("missing", self.name)
            return
        except (OSError, ValueError, _NotRegular) as exc:
            odd = isinstance(exc, (_NotRegular, IsADirectoryError))
            reason = "not a regular file" if odd else _reason(exc)
            if self._unreadable_told != reason:
                self._unreadable_told = reason
                yield Notice("unreadable", f"{self.name} ({reason})")
            return
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):  # swapped for something else since the stat
            os.close(fd)
            return
        fh = os.fdopen(fd, "rb", buffering=0)
        self.fh, self.ident = fh, (st.st_dev, st.st_ino)
        self._restart()
        if self.start_at_end and not self._opened_once:
            # Only the first file starts at its end; a file created by rotation is all new.
            self.offset = fh.seek(0, os.SEEK_END)
            self._learn_encoding(os.pread(fd, 64, 0) if self.offset else b"")
            self.tail = os.pread(fd, min(_TAIL, self.offset), self.offset - min(_TAIL, self.offset))
        self._opened_once = True
        self._missing_told = False
        self._unreadable_told = None
        yield Notice("opened", self.name)

    def _restart(self) -> None:
        """From the top of the file: nothing read, no line held, its encoding to be learnt."""
        self.offset = 0
        self.tail = b""
        self.decoder = None
        self.encoding_known = False
        self.split.reset()

    def _learn_encoding(self, head: bytes) -> None:
        """UTF-16/32 from the file's first bytes (a BOM, or the NULs of ASCII text)."""
        if self.encoding_known or not head:
            return
        codec = text_codec(head)
        self.decoder = None if codec is None else codecs.getincrementaldecoder(codec)("replace")
        self.encoding_known = True

    def _rewritten(self) -> bool:
        """Truncated since the last poll: shorter than what was read, or other bytes where the
        last ones read were (truncated and written past the old offset meanwhile)."""
        assert self.fh is not None
        fd = self.fh.fileno()
        if os.fstat(fd).st_size < self.offset:
            return True
        if not self.tail:
            return False
        return os.pread(fd, len(self.tail), self.offset - len(self.tail)) != self.tail

    def _drain(self, stopped: Callable[[], bool]) -> Iterator[bytes]:
        assert self.fh is not None
        while not stopped():
            data = self.fh.read(self.read_size)
            if not data:
                return
            if not self.encoding_known and self.offset == 0:
                self._learn_encoding(data[:64])
            self.offset += len(data)
            self.tail = (self.tail + data)[-_TAIL:]
            if self.decoder is not None:
                data = self.decoder.decode(data).encode("utf-8", "replace")
            lines = self.split.feed(data)
            if lines:
                yield lines

    def poll(self, stopped: Callable[[], bool] = _never) -> Iterator[bytes | Notice]:
        """Everything new since the last poll; never blocks. ``stopped`` is asked between
        reads, so that a file that grows faster than it is read cannot keep it going."""
        if self.fh is None:
            yield from self._open()
            if self.fh is None:
                return
        assert self.fh is not None
        if self._rewritten():
            self.fh.seek(0)
            self._restart()  # the partial line was cut off with the rest
            yield Notice("truncated", self.name)
        yield from self._drain(stopped)
        try:
            st = os.stat(self.path)
        except (FileNotFoundError, NotADirectoryError):
            # Renamed away and not recreated yet: the miner may still write to the old file.
            if not self._missing_told:
                self._missing_told = True
                yield Notice("missing", self.name)
            return
        except (OSError, ValueError):
            return  # unreadable for now (permissions): the open file is still followed
        if (st.st_dev, st.st_ino) != self.ident:
            yield from self._drain(stopped)  # the last lines written before the rotation
            tail = self.split.flush()
            if tail:
                yield tail
            self.close()
            opened = list(self._open())
            if self.fh is not None:
                yield Notice("rotated", self.name)
                yield from self._drain(stopped)
            else:
                yield from opened
            return
        if self._rewritten():
            self.fh.seek(0)
            self._restart()
            yield Notice("truncated", self.name)
            yield from self._drain(stopped)


class _NotRegular(Exception):
    """The path is a FIFO, a device or a socket."""


def _reason(exc: BaseException) -> str:
    # wsdiag's own message (an OS error, perhaps quoting the path): controls escaped, not redacted.
    return neutralise(str(getattr(exc, "strerror", None) or exc or type(exc).__name__))


class StreamFollower:
    """Follows a pipe (``docker logs -f miner | wsdiag watch -``) until its end, without blocking.

    A stream without a file descriptor (an in-memory one, as test runners give) is read with
    plain blocking reads instead: it never waits for a writer.
    """

    name = "<stdin>"

    def __init__(self, stream: BinaryIO, read_size: int = READ_SIZE) -> None:
        self.stream = stream
        try:
            self.fd: int | None = stream.fileno()
        except (OSError, ValueError, AttributeError):  # io.UnsupportedOperation is an OSError
            self.fd = None
        self.read_size = read_size
        self.split = LineSplitter()
        self.ended = False
        self.decoder: codecs.IncrementalDecoder | None = None
        self.encoding_known = False

    def close(self) -> None:
        """Standard input is not ours to close."""

    def _read(self) -> bytes | None:
        """Bytes available now (b"" at the end), or None when nothing has arrived yet."""
        if self.fd is None:
            return self.stream.read(self.read_size)
        ready, _, _ = select.select([self.fd], [], [], 0)
        if not ready:
            return None
        return os.read(self.fd, self.read_size)

    def poll(self, stopped: Callable[[], bool] = _never) -> Iterator[bytes | Notice]:
        """What arrived since the last poll; ``stopped`` is asked between reads (a producer
        faster than the reader must not keep it going)."""
        while not self.ended and not stopped():
            data = self._read()
            if data is None:
                return
            if not data:
                self.ended = True
                tail = self.split.flush()
                if tail:
                    yield tail
                yield Notice("eof", self.name)
                return
            if not self.encoding_known:  # PowerShell pipes UTF-16
                self.encoding_known = True
                codec = text_codec(data[:64])
                self.decoder = None if codec is None else codecs.getincrementaldecoder(codec)("replace")
            if self.decoder is not None:
                data = self.decoder.decode(data).encode("utf-8", "replace")
            lines = self.split.feed(data)
            if lines:
                yield lines


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


# ---------------------------------------------------------------------------------------------
# Output


def _iso(t: datetime | None) -> str | None:
    return None if t is None else t.isoformat(timespec="seconds")


def event_json(ev: FailureEvent) -> dict[str, Any]:
    """The same four keys as ``wsdiag events`` (message already redacted by the parser)."""
    return {
        "event": "failure",
        "time": _iso(ev.time),
        "connection": ev.conn,
        "class": ev.cls,
        "message": ev.message,
    }


def finding_json(ch: FindingChange, at: datetime | None) -> dict[str, Any]:
    f = ch.finding
    return {
        "event": "finding",
        "state": ch.state,
        "time": _iso(at),
        "id": f.id,
        "severity": f.severity,
        "previous_severity": ch.before,
        "title": f.title,
        "evidence": list(f.evidence),
        "recommendation": f.recommendation,
        "kind": f.kind,
        "explains": f.explains,
        "because_of": list(f.because_of),
    }


def primary(w: Watcher) -> Finding | None:
    """The cause to fix first in the window, as the last check found it."""
    return next((f for f in w.current.values() if f.kind == "cause"), None)


class Sink(Protocol):
    def notice(self, n: Notice) -> None: ...
    def started(self, w: Watcher) -> None: ...
    def failures(self, w: Watcher, events: list[FailureEvent]) -> None: ...
    def findings(self, w: Watcher, changes: list[FindingChange]) -> None: ...
    def tick(self, w: Watcher) -> None: ...
    def stopped(self, w: Watcher, reason: str) -> None: ...


class JsonlSink:
    """One JSON object per line, flushed at once, for scripts and notifiers."""

    def __init__(self, write: Callable[[str], object], flush: Callable[[], object]) -> None:
        self._write = write
        self._flush = flush

    def _out(self, obj: dict[str, Any]) -> None:
        self._write(json.dumps(obj, ensure_ascii=True) + "\n")
        self._flush()

    def notice(self, n: Notice) -> None:
        self._out({"event": "file", "state": n.state, "path": n.path})

    def started(self, w: Watcher) -> None:
        s = w.summary
        self._out(
            {
                "event": "watching",
                "path": w.stats.path,
                "lines": w.stats.lines,
                "last": _iso(s.last),
                "window_minutes": None if w.window is None else w.window.total_seconds() / 60,
                "primary": None if (p := primary(w)) is None else p.id,
                "findings": [
                    finding_json(FindingChange("present", f, None), s.last) for f in w.current.values()
                ],
            }
        )

    def failures(self, w: Watcher, events: list[FailureEvent]) -> None:
        for ev in events:
            self._out(event_json(ev))

    def findings(self, w: Watcher, changes: list[FindingChange]) -> None:
        for ch in changes:
            self._out(finding_json(ch, w.summary.last))

    def tick(self, w: Watcher) -> None:
        """Nothing to refresh."""

    def stopped(self, w: Watcher, reason: str) -> None:
        d = w.final()
        self._out({"event": "summary", "reason": reason, "report": d.to_dict()})


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
            self._line(_finding_line("present", f))

    def failures(self, w: Watcher, events: list[FailureEvent]) -> None:
        for ev in events:
            self._line(_failure_line(ev))

    def findings(self, w: Watcher, changes: list[FindingChange]) -> None:
        for ch in changes:
            self._line(_finding_line(ch.state, ch.finding))

    def tick(self, w: Watcher) -> None:
        """Nothing to refresh."""

    def stopped(self, w: Watcher, reason: str) -> None:
        self._line(Text(f"-- stopped ({reason}); report of everything watched:", style="dim"))
        self.console.file.write(self.render_final(w.final(), self.console))
        self.console.file.flush()


_SEV_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def _failure_line(ev: FailureEvent) -> Text:
    text = Text()
    text.append("-" if ev.time is None else f"{ev.time:%Y-%m-%d %H:%M:%S}", style="dim")
    text.append(f"  {'#' + str(ev.conn) if ev.conn is not None else '-':>4}  ")
    text.append(f"{ev.cls:<19}", style="bold")
    text.append(" " + ev.message[:160])
    return text


def _finding_line(state: str, f: Finding) -> Text:
    text = Text()
    text.append(f"finding {state}: ", style="bold")
    text.append(f"{f.severity} ", style=_SEV_STYLE.get(f.severity, ""))
    text.append(f"{f.id}: {f.title}")
    if f.kind == "symptom":
        text.append(f" (symptom of {', '.join(f.because_of) or 'no cause found'})", style="dim")
    return text


def panel(w: Watcher, path: str, status: str | None = None) -> RenderableType:
    """The live panel: findings of the window, connections, recent failures, totals."""
    s = w.summary
    v = w.checked
    span = "all" if w.window is None else f"last {format_seconds(w.window.total_seconds())}"
    parts: list[RenderableType] = []
    lead = primary(w)
    if lead is not None:
        head = Text()
        head.append("cause: ", style="bold")
        head.append(lead.title, style=f"bold {_SEV_STYLE.get(lead.severity, '')}".strip())
        head.append(f" ({lead.id}, {span} of log)")
        parts.append(head)
    if w.current:
        for f in w.current.values():
            line = Text()
            line.append(f"{f.severity.upper():7}", style=_SEV_STYLE.get(f.severity, ""))
            line.append(f" {f.id}", style="bold")
            line.append(f"  {f.title}")
            if f.kind == "symptom":
                line.append(f"  (symptom of {', '.join(f.because_of) or 'no cause found'})", style="dim")
            parts.append(line)
    else:
        parts.append(Text(f"no problems found ({span} of log)", style="green"))
    if lead is None and w.current:
        parts.insert(0, Text(f"no cause found ({span} of log)", style="bold"))
    parts.append(Text(""))

    conns = Table(
        title=f"Connections, {span}",
        title_justify="left",
        show_edge=False,
        pad_edge=False,
    )
    conns.add_column("#", justify="right")
    conns.add_column("failures", justify="right")
    conns.add_column("top class")
    conns.add_column("reconnects", justify="right")
    ranked = sorted(v.conns.items(), key=lambda kv: (-sum(kv[1].by_class.values()), -kv[1].reconnects, kv[0]))
    shown = [kv for kv in ranked if sum(kv[1].by_class.values()) or kv[1].reconnects][:8]
    for conn, cs in shown:
        top = cs.by_class.most_common(1)[0][0] if cs.by_class else "-"
        conns.add_row(str(conn), str(sum(cs.by_class.values())), top, str(cs.reconnects))
    pool = pool_of(s)
    conns.caption = f"pool: {pool if pool is not None else '?'} (highest id + 1)"
    parts.append(conns)
    parts.append(Text(""))

    parts.append(Text("Recent failures", style="bold"))
    if w.recent:
        parts.extend(_failure_line(ev) for ev in list(w.recent)[-RECENT:])
    else:
        parts.append(Text("none yet", style="dim"))
    parts.append(Text(""))
    last = "-" if s.last is None else f"{s.last:%Y-%m-%d %H:%M:%S}"
    parts.append(
        Text(
            f"{plural(w.stats.lines, 'line')} · {plural(s.failures_total, 'failure')} · "
            f"{plural(s.reconnects, 'reconnect')} "
            f"since start · last record {last} · Ctrl-C stops",
            style="dim",
        )
    )
    if status:
        parts.append(Text(f"file: {status}", style="yellow"))
    return Panel(Group(*parts), title=Text(f"wsdiag watch {path}"), title_align="left")


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
        self.live = Live(panel(w, self.path, self.status), console=self.console, auto_refresh=False)
        self.live.start()

    def tick(self, w: Watcher) -> None:
        if self.live is not None:
            self.live.update(panel(w, self.path, self.status), refresh=True)

    def stopped(self, w: Watcher, reason: str) -> None:
        if self.live is not None:
            self.live.update(panel(w, self.path, self.status), refresh=True)
            self.live.stop()
        self.console.print(Text(f"stopped ({reason}); report of everything watched:", style="dim"))
        self.console.file.write(self.render_final(w.final(), self.console))
        self.console.file.flush()


# ---------------------------------------------------------------------------------------------
# Driving


@dataclass
class StopFlag:
    """Set by a signal handler (or a sink whose reader went away); checked between polls."""

    reason: str | None = None

    def set(self, reason: str) -> None:
        if self.reason is None:
            self.reason = reason


class Source(Protocol):
    name: str

    def poll(self, stopped: Callable[[], bool] = ...) -> Iterator[bytes | Notice]: ...
    def close(self) -> None: ...


def run(
    source: Source,
    watcher: Watcher,
    sink: Sink,
    *,
    existing: str = "context",
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
        quiet = existing == "context"
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
