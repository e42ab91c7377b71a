"""Terminal reporter: a verdict line, findings by severity, failure and connection tables, limits.

All text that came from a log is put in :class:`rich.text.Text` objects, which never interpret
markup, so a log line containing ``[red]`` or ``[link=...]`` prints literally.
"""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from wsdiag import __version__
from wsdiag.diagnosis import Diagnosis
from wsdiag.records import FAILURE_CLASSES

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan", "ok": "bold green"}
_CONN_ROWS = 12


def _header(d: Diagnosis) -> Text:
    s = d.summary
    parts = []
    for st in s.inputs.values():
        parts.append(f"{st.path} ({st.layout}, {st.lines:,} lines)")
    span = s.span_hours
    span_txt = "span unknown" if span is None else f"{span:.1f} h"
    if s.first and s.last:
        span_txt += f", {s.first:%Y-%m-%d %H:%M} → {s.last:%Y-%m-%d %H:%M}"
        if s.year_assumed:
            span_txt += " (year assumed)"
    return Text(f"wsdiag {__version__} · " + "; ".join(parts) + f" · {span_txt}", style="dim")


def _verdict(d: Diagnosis) -> Text:
    s = d.summary
    v = d.verdict
    text = Text()
    text.append(f" {v.upper()} ", style=f"reverse {_STYLE[v]}")
    pool = s.pool_size
    bits = [
        f"{pool} connection{'s' if pool != 1 else ''}" if pool is not None else "no connection ids",
        f"{s.failures_total:,} failures",
        f"{s.reconnects:,} reconnects",
    ]
    if d.findings:
        bits.append("; ".join(f.id for f in d.findings))
    else:
        bits.append("no problems found")
    text.append("  " + " · ".join(bits))
    return text


def _findings(d: Diagnosis) -> Panel | None:
    if not d.findings:
        return None
    rows: list[Text] = []
    for f in d.findings:
        head = Text()
        head.append(f"{f.severity.upper():7}", style=_STYLE[f.severity])
        head.append(f" {f.id}", style="bold")
        head.append(f"  {f.title}")
        rows.append(head)
        for e in f.evidence:
            rows.append(Text(f"        • {e}", style="dim"))
        rows.append(Text(f"        → {f.recommendation}"))
    return Panel(
        Group(*rows),
        title="Findings",
        title_align="left",
        border_style="red" if d.verdict == "error" else "yellow",
    )


def _failures(d: Diagnosis) -> Table:
    s = d.summary
    hours = s.span_hours
    table = Table(title="Failures by class", title_justify="left", show_edge=False, pad_edge=False)
    table.add_column("class")
    table.add_column("events", justify="right")
    table.add_column("per hour", justify="right")
    for cls in FAILURE_CLASSES:
        n = s.by_class.get(cls, 0)
        if not n:
            continue
        table.add_row(cls, f"{n:,}", "-" if not hours else f"{n / hours:.1f}")
    table.add_row(
        Text("total", style="bold"),
        f"{s.failures_total:,}",
        "-" if not hours else f"{s.failures_total / hours:.1f}",
    )
    table.add_row(
        "reconnects", f"{s.reconnects:,}", "-" if not hours else f"{s.reconnects / hours:.1f}"
    )
    return table


def _connections(d: Diagnosis) -> Table | None:
    s = d.summary
    if not s.conns and not s.ids:
        return None
    table = Table(
        title="Connections (worst first)", title_justify="left", show_edge=False, pad_edge=False
    )
    table.add_column("#", justify="right")
    table.add_column("failures", justify="right")
    table.add_column("top class")
    table.add_column("reconnects", justify="right")
    table.add_column("topics", justify="right")
    ranked = sorted(
        s.ids,
        key=lambda c: (
            -(sum(s.conns[c].by_class.values()) if c in s.conns else 0),
            -(s.conns[c].reconnects if c in s.conns else 0),
            c,
        ),
    )
    for conn in ranked[:_CONN_ROWS]:
        cs = s.conns.get(conn)
        fails = sum(cs.by_class.values()) if cs else 0
        top = cs.by_class.most_common(1)[0][0] if cs and cs.by_class else "-"
        table.add_row(
            str(conn),
            f"{fails:,}",
            top,
            f"{cs.reconnects if cs else 0:,}",
            str(len(cs.topics)) if cs and cs.topics else "-",
        )
    if len(ranked) > _CONN_ROWS:
        table.caption = f"… and {len(ranked) - _CONN_ROWS} more connections"
    return table


def _limits(d: Diagnosis) -> Text:
    lim = d.limits
    how = "observed" if lim.topics_per_streamer_observed else "assumed"
    text = Text("Recommended limits: ", style="bold")
    text.append(
        f"≤{lim.max_connections} connections per IP, ≤{d.thresholds.topics_per_connection} topics each "
        f"({lim.max_topics} topics); {lim.topics_per_streamer:g} topics per streamer ({how}) + "
        f"{lim.user_topics} user topics → keep ≤{lim.max_streamers} streamers"
    )
    if lim.streamers is not None:
        text.append(f" (now {lim.streamers})")
    text.append("; reconnect with exponential backoff, 30 s → 10 min.")
    return text


def _unread(d: Diagnosis) -> Text | None:
    parts = []
    for st in d.summary.inputs.values():
        if st.unrecognized or st.read_error:
            msg = f"{st.path}: {st.unrecognized:,} unreadable/unrecognized lines"
            if st.too_long:
                msg += f" ({st.too_long:,} too long)"
            if st.read_error:
                msg += f"; reading stopped: {st.read_error}"
            parts.append(msg)
    if not parts:
        return None
    return Text("\n".join(parts), style="dim")


def render(d: Diagnosis, console: Console) -> str:
    """The report as the console would print it (colour per the console's settings)."""
    items: list[object] = [_header(d), _verdict(d)]
    panel = _findings(d)
    if panel is not None:
        items.append(panel)
    items.append(_failures(d))
    conns = _connections(d)
    if conns is not None:
        items.append(Text(""))
        items.append(conns)
    items.append(Text(""))
    items.append(_limits(d))
    unread = _unread(d)
    if unread is not None:
        items.append(unread)
    with console.capture() as capture:
        for item in items:
            console.print(item)
    return capture.get()
