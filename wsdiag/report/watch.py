"""What ``watch`` shows: JSON objects for scripts, plain lines and the live panel for people.

Like every reporter it prints nothing: :mod:`wsdiag.cli.sinks` writes what these return.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from wsdiag.commands.watch import RECENT, FindingChange, Watcher, primary
from wsdiag.common.words import plural
from wsdiag.diagnose.finding import Finding
from wsdiag.diagnose.pool import pool_of
from wsdiag.durations import format_seconds
from wsdiag.parse.records import FailureEvent
from wsdiag.read.follow import Notice
from wsdiag.report import UNKNOWN
from wsdiag.summary.clients import reconnect_words


def line(doc: dict[str, Any]) -> str:
    """One JSON line (ASCII-only, so any log content stays valid JSON anywhere)."""
    return json.dumps(doc, ensure_ascii=True) + "\n"


def _iso(t: datetime | None) -> str | None:
    return None if t is None else t.isoformat(timespec="seconds")


def failure_doc(ev: FailureEvent) -> dict[str, Any]:
    """``{"event": "failure"}`` and the keys of ``wsdiag events``."""
    return {"event": "failure", **ev.to_dict()}


def finding_doc(ch: FindingChange, at: datetime | None) -> dict[str, Any]:
    """``{"event": "finding", "state", "time", "previous_severity"}`` and the finding's keys."""
    doc = ch.finding.to_dict()
    head = {
        "event": "finding",
        "state": ch.state,
        "time": _iso(at),
        "id": doc.pop("id"),
        "severity": doc.pop("severity"),
        "previous_severity": ch.before,
    }
    return {**head, **doc}


def notice_doc(n: Notice) -> dict[str, Any]:
    return {"event": "file", "state": n.state, "path": n.path}


def started_doc(w: Watcher) -> dict[str, Any]:
    """What the file held when the watch began, and the findings of its window."""
    s = w.summary
    return {
        "event": "watching",
        "path": w.stats.path,
        "lines": w.stats.lines,
        "last": _iso(s.last),
        "window_minutes": None if w.window is None else w.window.total_seconds() / 60,
        "primary": None if (p := primary(w)) is None else p.id,
        "findings": [finding_doc(FindingChange("present", f, None), s.last) for f in w.current.values()],
    }


def summary_doc(w: Watcher, reason: str) -> dict[str, Any]:
    """Why the watch stopped, and the report of everything watched."""
    return {"event": "summary", "reason": reason, "report": w.final().to_dict()}


_SEV_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def failure_line(ev: FailureEvent) -> Text:
    """One failure: time, connection, class, message (cut at 160 characters)."""
    text = Text()
    text.append("-" if ev.time is None else f"{ev.time:%Y-%m-%d %H:%M:%S}", style="dim")
    text.append(f"  {'#' + str(ev.conn) if ev.conn is not None else '-':>4}  ")
    text.append(f"{ev.cls:<19}", style="bold")
    text.append(" " + ev.message[:160])
    return text


def finding_line(state: str, f: Finding) -> Text:
    """`finding appeared: error bad-auth: ...`."""
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
        reconnects = str(cs.reconnects) if s.reconnects_unknown is None else UNKNOWN
        conns.add_row(str(conn), str(sum(cs.by_class.values())), top, reconnects)
    pool = pool_of(s)
    conns.caption = f"pool: {pool if pool is not None else '?'} (highest id + 1)"
    parts.append(conns)
    parts.append(Text(""))

    parts.append(Text("Recent failures", style="bold"))
    if w.recent:
        parts.extend(failure_line(ev) for ev in list(w.recent)[-RECENT:])
    else:
        parts.append(Text("none yet", style="dim"))
    parts.append(Text(""))
    last = "-" if s.last is None else f"{s.last:%Y-%m-%d %H:%M:%S}"
    parts.append(
        Text(
            f"{plural(w.stats.lines, 'line')} · {plural(s.failures_total, 'failure')} · "
            f"{reconnect_words(s)} "
            f"since start · last record {last} · Ctrl-C stops",
            style="dim",
        )
    )
    if status:
        parts.append(Text(f"file: {status}", style="yellow"))
    return Panel(Group(*parts), title=Text(f"wsdiag watch {path}"), title_align="left")
