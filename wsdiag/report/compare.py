"""Reporters for ``wsdiag compare``: terminal text, Markdown and JSON; each returns a string."""

from __future__ import annotations

import json
from collections.abc import Callable

from rich.console import Console
from rich.table import Table
from rich.text import Text

from wsdiag.commands.compare import Comparison, FindingChange, Metric
from wsdiag.common.choices import assert_never
from wsdiag.diagnose.diagnosis import Diagnosis, span_words
from wsdiag.report.formats import CompareFormat
from wsdiag.report.markdown import md

_STYLE = {"better": "bold green", "worse": "bold red", "unchanged": "bold", "unknown": "dim"}
_ARROW = {"better": "▼", "worse": "▲", "unchanged": "=", "unknown": "?"}


def _value(m: Metric, x: float | None) -> str:
    if x is None:
        return "-"
    if m.name == "pool_size":
        return f"{x:g}"
    if m.name == "uptime":
        return f"{x:.1%}"
    return f"{x:.2f}"


def _change(m: Metric) -> str:
    change = m.change
    if change is None:
        return "-"
    if m.name == "uptime":
        return f"{change * 100:+.1f} pts"
    text = f"{change:+g}" if m.name == "pool_size" else f"{change:+.2f}"
    pct = m.change_pct
    if pct is not None:
        text += f" ({pct:+.0f}%)"
    elif m.before == 0 and m.after:
        text += " (new)"
    return text


def _status(m: Metric) -> str:
    if m.higher_better and m.status in ("better", "worse"):
        arrow = "▲" if m.status == "better" else "▼"
    else:
        arrow = _ARROW[m.status]
    return f"{arrow} {m.status}"


def _source(d: Diagnosis) -> str:
    s = d.summary
    names = ", ".join(st.path for st in s.inputs.values()) or "-"
    span = span_words(s)
    if s.first and s.last:
        span += f", {s.first:%Y-%m-%d %H:%M} → {s.last:%Y-%m-%d %H:%M}"
    return f"{names} ({span}; {d.verdict})"


def _primaries(c: Comparison) -> str:
    """`primary cause: too-many-connections → none`."""
    a, b = c.before.primary, c.after.primary
    return f"primary cause: {a.id if a else 'none'} → {b.id if b else 'none'}"


def _state(f: FindingChange) -> str:
    """A cause that appeared is new; the other states read the same for every kind."""
    return "new" if f.kind == "cause" and f.state == "appeared" else f.state


def _rows(c: Comparison) -> list[Metric]:
    return [*c.metrics, *c.by_class]


def render_text(c: Comparison, console: Console) -> str:
    """Both diagnoses side by side with the change of every metric and the verdict."""
    items: list[object] = []
    head = Text()
    head.append("before: ", style="bold")
    head.append(_source(c.before))
    head.append("\nafter:  ", style="bold")
    head.append(_source(c.after))
    items.append(head)
    verdict = Text()
    verdict.append(f" {c.verdict.upper()} ", style=f"reverse {_STYLE[c.verdict]}")
    verdict.append("  judged on rates per hour")
    items.append(verdict)
    for label, reasons, style in (("better", c.better, "green"), ("worse", c.worse, "red")):
        for r in reasons:
            items.append(Text(f"  {label}: {r}", style=style))
    for note in c.notes:
        items.append(Text(f"  note: {note}", style="dim"))
    items.append(Text(f"  {_primaries(c)}"))

    table = Table(title="Metrics", title_justify="left", show_edge=False, pad_edge=False)
    table.add_column("metric")
    table.add_column("before", justify="right")
    table.add_column("after", justify="right")
    table.add_column("change", justify="right")
    table.add_column("")
    for m in _rows(c):
        table.add_row(
            m.label,
            _value(m, m.before),
            _value(m, m.after),
            _change(m),
            Text(_status(m), style=_STYLE[m.status]),
        )
    items.append(table)

    if c.findings:
        ft = Table(title="Findings (causes first)", title_justify="left", show_edge=False, pad_edge=False)
        ft.add_column("finding")
        ft.add_column("kind")
        ft.add_column("before")
        ft.add_column("after")
        ft.add_column("")
        for f in c.findings:
            ft.add_row(f.id, f.kind, f.before or "-", f.after or "-", _state(f))
        items.append(Text(""))
        items.append(ft)
    else:
        items.append(Text("\nNo findings in either log."))
    with console.capture() as capture:
        for item in items:
            console.print(item)
    return capture.get()


def render_markdown(c: Comparison) -> str:
    """The comparison as GitHub-flavoured Markdown."""
    out = [f"## wsdiag compare: **{c.verdict}**", ""]
    # File names are log text: escaped as in every Markdown report (no code span, which a
    # backtick in the name would end, letting HTML, links and @mentions go live).
    out.append(f"- before: {md(_source(c.before))}")
    out.append(f"- after: {md(_source(c.after))}")
    out.append("")
    out.append("Judged on rates per hour, not raw counts.")
    out.append("")
    for label, reasons in (("Better", c.better), ("Worse", c.worse)):
        if reasons:
            out.append(f"**{label}:**")
            out.extend(f"- {md(r)}" for r in reasons)
            out.append("")
    for note in c.notes:
        out.append(f"> note: {md(note)}")
        out.append("")
    out.append(_primaries(c))
    out.append("")
    out.append("| metric | before | after | change | |")
    out.append("|---|---:|---:|---:|---|")
    for m in _rows(c):
        out.append(
            f"| {md(m.label)} | {_value(m, m.before)} | {_value(m, m.after)} | {_change(m)} | {_status(m)} |"
        )
    out.append("")
    if c.findings:
        out.append("| finding | kind | before | after | |")
        out.append("|---|---|---|---|---|")
        for f in c.findings:
            out.append(
                f"| {md(f.id)} | {f.kind} | {f.before or '-'} | {f.after or '-'} | {_state(f)} |"
            )
    else:
        out.append("No findings in either log.")
    return "\n".join(out) + "\n"


def render_json(c: Comparison, indent: int | None = 2) -> str:
    """``{"before": report, "after": report, "delta": {...}}``, ASCII-only."""
    return json.dumps(c.to_dict(), indent=indent, ensure_ascii=True) + "\n"


def render(fmt: CompareFormat, c: Comparison, console: Callable[[], Console]) -> str:
    """The comparison in ``fmt`` (``console`` makes what the text is rendered on)."""
    match fmt:
        case CompareFormat.text:
            return render_text(c, console())
        case CompareFormat.json:
            return render_json(c)
        case CompareFormat.markdown:
            return render_markdown(c)
        case _:
            assert_never(fmt)
