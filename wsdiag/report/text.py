"""Terminal reporter: verdict and primary cause, findings, failures, timeline, cascades, connections,
limits.

All text that came from a log is put in :class:`rich.text.Text` objects, which never interpret
markup, so a log line containing ``[red]`` or ``[link=...]`` prints literally.
"""

from __future__ import annotations

from datetime import datetime

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from wsdiag.common.words import of, plural
from wsdiag.diagnose.diagnosis import Diagnosis, span_words, unknown_rows
from wsdiag.diagnose.health import worst_first
from wsdiag.diagnose.pool import divisor
from wsdiag.diagnose.timeline import label as bucket_label
from wsdiag.diagnose.timeline import sparkline, squeeze
from wsdiag.durations import format_seconds
from wsdiag.parse.records import FAILURE_CLASSES, FailureClass
from wsdiag.report import NAMED_INPUTS, UNKNOWN, first
from wsdiag.summary.clients import reconnect_words
from wsdiag.version import __version__

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan", "ok": "bold green"}
_CONN_ROWS = 12
_UNKNOWN_ROWS = 5
_CASCADE_ROWS = 8
_LABEL = 20  # width of the timeline's row labels
WIDE = 100  # a terminal this wide gets every column of the outage and connection tables
_DAY = 1440  # minutes: timeline buckets this long are labelled with the date alone


def _header(d: Diagnosis) -> Text:
    s = d.summary
    # Inputs with records first: those are the ones worth a name when there are many.
    ranked = sorted(s.inputs.values(), key=lambda st: not st.records)
    named, more = first(ranked, NAMED_INPUTS)
    parts = [f"{st.path} ({st.layout}, {plural(st.lines, 'line')})" for st in named]
    if more:
        parts.append(f"and {plural(more, 'more input')}")
    span_txt = span_words(s)
    if s.first and s.last:
        span_txt += f", {s.first:%Y-%m-%d %H:%M} → {s.last:%Y-%m-%d %H:%M}"
        if s.year_assumed:
            span_txt += " (year assumed)"
    if s.window is not None:  # --since/--until: say that the rest of the log was left out
        since, until = s.window
        bounds = [f"since {since:%Y-%m-%d %H:%M:%S}"] if since else []
        bounds += [f"until {until:%Y-%m-%d %H:%M:%S}"] if until else []
        span_txt += " · only records " + " ".join(bounds)
    return Text(f"wsdiag {__version__} · " + "; ".join(parts) + f" · {span_txt}", style="dim")


def _verdict(d: Diagnosis) -> Text:
    """The verdict, the primary cause, the counts, the other causes."""
    s = d.summary
    v = d.verdict
    text = Text()
    text.append(f" {v.upper()} ", style=f"reverse {_STYLE[v]}")
    text.append("  ")
    primary = d.primary
    if primary is not None:
        text.append(f"cause: {primary.title}", style="bold")
        text.append(f" ({primary.id}) · ")
    pool = s.pool_size
    bits = [
        plural(pool, "connection") if pool is not None else "no connection ids",
        plural(s.failures_total, "failure"),
        reconnect_words(s),
    ]
    others = [f.id for f in d.causes[1:]]
    if others:
        bits.append("also: " + ", ".join(others))
    elif primary is None:
        bits.append(d.headline)
    text.append(" · ".join(bits))
    return text


def _findings(d: Diagnosis) -> Panel | None:
    if not d.findings:
        return None
    # A grid keeps wrapped evidence and advice under their bullet instead of at the border.
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=7, no_wrap=True)
    grid.add_column(width=1, no_wrap=True)
    grid.add_column(ratio=1)
    for f in d.findings:
        head = Text()
        head.append(f.id, style="bold")
        head.append(f"  {f.title}")
        if f.kind == "symptom":
            head.append(
                f"  (symptom of {', '.join(f.because_of)})" if f.because_of else "  (symptom)",
                style="dim",
            )
        elif f.kind == "note":
            head.append("  (note)", style="dim")
        grid.add_row(Text(f.severity.upper(), style=_STYLE[f.severity]), Text(""), head)
        for e in f.evidence:
            grid.add_row(Text(""), Text("•", style="dim"), Text(e, style="dim"))
        grid.add_row(Text(""), Text("→"), Text(f.recommendation))
    return Panel(
        grid,
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
    count = s.reconnect_count
    if count is None:
        table.add_row("reconnects", "unknown", "-")
    else:
        table.add_row("reconnects", f"{count:,}", "-" if not hours else f"{count / hours:.1f}")
    return table


def _stamp(t: datetime, ref: datetime, minutes: int) -> str:
    if minutes >= _DAY:
        return f"{t:%Y-%m-%d}"
    return f"{t:%H:%M}" if t.date() == ref.date() else f"{t:%m-%d %H:%M}"


def _timeline(d: Diagnosis, width: int) -> list[Text]:
    """One sparkline per failure class (each scaled to its own peak), reconnects, outages."""
    tl = d.timeline
    buckets = tl.buckets
    if not buckets or not any(b.failures or b.reconnects for b in buckets):
        return []
    chart = max(10, width - _LABEL - 20)
    _, per = squeeze([0] * len(buckets), chart)
    cols = -(-len(buckets) // per)
    first, last = buckets[0].start, buckets[-1].end
    shown = f"{bucket_label(tl.bucket_minutes * per)} per column"
    head = Text(f"Timeline ({shown}, {first:%Y-%m-%d %H:%M} → ", style="bold")
    head.append(f"{_stamp(last, first, tl.bucket_minutes)}; each row scaled to its peak)")
    lines = [head]
    rows: list[tuple[str, list[int]]] = [
        (c, tl.series(c)) for c in FAILURE_CLASSES if any(tl.series(c))
    ]
    known = d.summary.reconnects_unknown is None
    if known:
        rows.append(("reconnects", tl.series("reconnects")))
    for name, values in rows:
        line = Text(f"{name:<{_LABEL}}")
        line.append(sparkline(values, chart).ljust(cols), style="red" if name != "reconnects" else "cyan")
        squeezed, _ = squeeze(values, chart)
        line.append(f" {sum(values):>6,} peak {max(squeezed):,}", style="dim")
        lines.append(line)
    if not known:
        unknown = f"{UNKNOWN} (this log cannot show them, see above)"
        lines.append(Text(f"{'reconnects':<{_LABEL}}{unknown}", style="dim"))
    if d.cascades.items:
        marks = []
        for i in range(cols):
            lo = buckets[i * per].start
            hi = buckets[min(len(buckets), (i + 1) * per) - 1].end
            hit = any(c.start < hi and c.end >= lo for c in d.cascades.items)
            marks.append("▲" if hit else " ")
        line = Text(f"{'network-wide outage':<{_LABEL}}")
        line.append("".join(marks), style="bold yellow")
        lines.append(line)
    axis = [" "] * cols
    mid = buckets[min(len(buckets) - 1, (cols // 2) * per)].start
    end_label = _stamp(last, first, tl.bucket_minutes)
    labels = [  # by priority: the ends first
        (0, _stamp(first, first, tl.bucket_minutes)),
        (max(0, cols - len(end_label)), end_label),
        (cols // 2, _stamp(mid, first, tl.bucket_minutes)),
    ]
    for pos, label in labels:
        if pos + len(label) <= cols and all(c == " " for c in axis[max(0, pos - 1) : pos + len(label) + 1]):
            axis[pos : pos + len(label)] = list(label)
    lines.append(Text(" " * _LABEL + "".join(axis), style="dim"))
    untimed = sum(tl.untimed.values())
    if untimed or (known and tl.untimed_reconnects):
        also = f" and {plural(tl.untimed_reconnects, 'reconnect')}" if known else ""
        lines.append(
            Text(
                f"{'':<{_LABEL}}+ {plural(untimed, 'failure')}{also} without a time (not charted)",
                style="dim",
            )
        )
    if tl.widened and tl.requested is not None:
        lines.append(
            Text(
                f"{'':<{_LABEL}}(--bucket {format_seconds(tl.requested * 60)} would make too many buckets)",
                style="dim",
            )
        )
    return lines


def _cascades(d: Diagnosis, width: int) -> Table | None:
    cas = d.cascades
    if not cas.items:
        return None
    pool = len(d.summary.ids)
    share = cas.share or 0.0
    table = Table(
        title=f"Network-wide outages: {len(cas.items)}, explaining "
        f"{of(cas.explained, cas.total, 'failure')} ({share:.0%})",
        title_justify="left",
        show_edge=False,
        pad_edge=False,
    )
    wide = width >= WIDE
    for name in ("start", "length", "conns", "failures", "no internet", "kind"):
        table.add_column(name, justify="left" if name in ("start", "kind") else "right", no_wrap=True)
    if wide:
        table.add_column("first failures", no_wrap=True, overflow="ellipsis")
    for c in cas.items[:_CASCADE_ROWS]:
        # The class that took the connections down, not the retries that followed.
        drops = {k: n for k, n in c.by_class.items() if k != FailureClass.NO_INTERNET} or c.by_class
        top = max(drops.items(), key=lambda kv: kv[1])[0] if drops else "-"
        row = [
            f"{c.start:%Y-%m-%d %H:%M:%S}" if wide else f"{c.start:%m-%d %H:%M}",
            format_seconds((c.end - c.start).total_seconds()),
            f"{len(c.connections)}/{pool}",
            f"{c.failures:,}",
            str(c.confirmed),
            c.kind,
        ]
        if wide:
            row.append(f"{top} …" if len(drops) > 1 else top)
        table.add_row(*row)
    if len(cas.items) > _CASCADE_ROWS:
        table.caption = f"… and {len(cas.items) - _CASCADE_ROWS} more"
    return table


def _connections(d: Diagnosis, width: int) -> Table | None:
    s = d.summary
    if not d.health:
        return None
    table = Table(
        title="Connections (worst first)", title_justify="left", show_edge=False, pad_edge=False
    )
    # Narrow terminals drop the columns the others imply.
    names = ["#", "uptime", "down", "outages", "longest", "MTBF", "failures", "top class"]
    names += ["reconn", "topics"]
    if width < WIDE:
        names = [n for n in names if n not in ("down", "longest", "topics")]
    for name in names:
        table.add_column(name, justify="left" if name == "top class" else "right", no_wrap=True)
    ranked = worst_first(d.health)
    for h in ranked[:_CONN_ROWS]:
        ratio = h.uptime_ratio
        cells = {
            "#": str(h.conn),
            "uptime": "-" if ratio is None else f"{ratio:.1%}",
            "down": format_seconds(h.down_seconds) if h.outages else "-",
            "outages": f"{h.outages:,}",
            "longest": format_seconds(h.longest_outage_seconds) if h.outages else "-",
            "MTBF": format_seconds(h.mtbf_seconds),
            "failures": f"{h.failures:,}",
            "top class": h.top_class or "-",
            "reconn": UNKNOWN if h.reconnects is None else f"{h.reconnects:,}",
            "topics": str(h.topics) if h.topics else "-",
        }
        table.add_row(*(cells[n] for n in names))
    if len(ranked) > _CONN_ROWS:
        table.caption = f"… and {plural(len(ranked) - _CONN_ROWS, 'more connection')}"
    elif not s.first:
        table.caption = "no timestamps: uptime unknown"
    return table


def _unknown(d: Diagnosis) -> Table | None:
    rows = unknown_rows(d.summary)
    if not rows:
        return None
    table = Table(
        title="Unknown errors (grouped: numbers, ids and addresses masked)",
        title_justify="left",
        show_edge=False,
        pad_edge=False,
    )
    table.add_column("count", justify="right")
    table.add_column("template", overflow="fold")
    for r in rows[:_UNKNOWN_ROWS]:
        table.add_row(f"{r['count']:,}", Text(str(r["template"])))
    if len(rows) > _UNKNOWN_ROWS:
        table.caption = f"… and {len(rows) - _UNKNOWN_ROWS} more templates (all in --format json)"
    return table


def _limits(d: Diagnosis) -> list[Text]:
    lim = d.limits
    how = "observed" if lim.topics_per_streamer_observed else "assumed"
    text = Text("Recommended limits: ", style="bold")
    text.append(
        f"≤{lim.max_connections} connections per IP, ≤{d.thresholds.topics_per_connection} topics each "
        f"({lim.max_topics} topics); {lim.topics_per_streamer:g} topics per streamer ({how}) + "
        f"{plural(lim.user_topics, 'user topic')} → keep ≤{plural(lim.max_streamers, 'streamer')}"
    )
    if lim.streamers is not None:
        text.append(f" (now {lim.streamers})")
    settings = ", ".join(lim.costly_settings) or "none"
    text.append(
        f". Settings that cost a topic per streamer: {settings}. Reconnect with exponential "
        "backoff, 30s → 10m, with jitter."
    )
    out = [text]
    todo = [c for c in d.changes if not c.ok]
    if todo:
        out.append(Text("To look like a healthy log:", style="bold"))
        for c in todo:
            out.append(Text(f"  • {c.metric}: {c.now} → {c.healthy}"))
        if any(c.metric.endswith("per connection per hour") for c in todo):
            out.append(Text(f"  ({divisor(d.summary)})", style="dim"))
    return out


def _same_run(d: Diagnosis) -> list[Text]:
    """One note per input that repeats another (the same run in two layouts), counted once."""
    return [Text(f"note: {n.describe()}", style="yellow") for n in d.summary.same_run]


def _notes(d: Diagnosis) -> list[Text]:
    """What the counts above cannot say: reconnects a Hermes log does not show, ids the
    anonymiser replaced."""
    s = d.summary
    out = []
    if s.reconnects_unknown is not None:
        out.append(Text(f"reconnects unknown: {s.reconnects_unknown}", style="dim"))
    if s.anonymised:
        out.append(Text(
            "ids are anonymised (mpforce1's anonymiser): topic and streamer counts hold for this run only",
            style="dim",
        ))
    return out


def render(d: Diagnosis, console: Console) -> str:
    """The report as the console would print it (colour per the console's settings)."""
    items: list[object] = [_header(d), *_same_run(d), _verdict(d)]
    panel = _findings(d)
    if panel is not None:
        items.append(panel)
    items.append(_failures(d))
    items.extend(_notes(d))
    width = console.width
    chart = _timeline(d, width)
    if chart:
        items.append(Text(""))
        items.extend(chart)
    for table in (_cascades(d, width), _connections(d, width), _unknown(d)):
        if table is not None:
            items.append(Text(""))
            items.append(table)
    items.append(Text(""))
    items.extend(_limits(d))
    with console.capture() as capture:
        for item in items:
            console.print(item)
    return capture.get()
