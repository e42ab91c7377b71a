"""GitHub-flavoured Markdown reporter: for ``$GITHUB_STEP_SUMMARY``, PR comments and issues.

Text that came from a log or the command line is escaped with :func:`md`: Markdown and HTML
syntax in it prints literally, a ``|`` cannot break a table, and an ``@name`` cannot mention
anyone when the report is posted as a comment.
"""

from __future__ import annotations

import re

from wsdiag.commands.check import CheckResult
from wsdiag.common.words import plural
from wsdiag.diagnose.diagnosis import Diagnosis, span_words
from wsdiag.parse.records import FAILURE_CLASSES
from wsdiag.parse.redact import neutralise
from wsdiag.report import INPUT_ROWS, UNKNOWN, first
from wsdiag.summary.clients import reconnect_words
from wsdiag.version import __version__

_MARK = {"error": "❌", "warning": "⚠️", "info": "ℹ️", "ok": "✅"}
_CONN_ROWS = 12
# Our text always follows our own prefix ("- ", "| ", "> "...), so only inline syntax matters:
# emphasis, code, links and images (via [ ]), strikethrough and table cell ends.
_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md(text: str) -> str:
    """Escape text for inline Markdown (also inside table cells), on one line."""
    text = neutralise(text.replace("\r\n", " ").replace("\n", " ").replace("\r", " "))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _SPECIAL.sub(r"\\\1", text)
    # A zero-width joiner after @ keeps `@user` from notifying anyone in a PR comment.
    return text.replace("@", "@\u2060")


def _table(head: list[str], align: str, rows: list[list[str]]) -> list[str]:
    """A GFM table; ``align`` has one l/r per column."""
    sep = ["---:" if a == "r" else ":---" for a in align]
    out = ["| " + " | ".join(head) + " |", "| " + " | ".join(sep) + " |"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


def _rate(n: int, hours: float | None) -> str:
    return "–" if not hours else f"{n / hours:.1f}"


def _verdict(d: Diagnosis) -> list[str]:
    """The verdict and the primary cause as the heading, the counts and other causes below."""
    s = d.summary
    pool = s.pool_size
    head = f"## {_MARK[d.verdict]} wsdiag: {d.verdict.upper()}"
    primary = d.primary
    head += f" · cause: {md(primary.title)}" if primary is not None else f" · {d.headline}"
    bits = [
        plural(pool, "connection") if pool is not None else "no connection ids",
        plural(s.failures_total, "failure"),
        reconnect_words(s),
    ]
    if d.causes:
        bits.append(
            "causes: " + ", ".join(f"`{f.id}` ({f.severity})" for f in d.causes)
        )
    return [head, "", " · ".join(bits)]


def _span(d: Diagnosis) -> str:
    s = d.summary
    text = span_words(s)
    if s.first and s.last:
        text += f", {s.first:%Y-%m-%d %H:%M} → {s.last:%Y-%m-%d %H:%M}"
        if s.year_assumed:
            text += " (year assumed)"
    if s.window is not None:
        since, until = s.window
        parts = []
        if since is not None:
            parts.append(f"since {since:%Y-%m-%d %H:%M:%S}")
        if until is not None:
            parts.append(f"until {until:%Y-%m-%d %H:%M:%S}")
        text += "; only records " + " ".join(parts)
    out = f"**Span:** {text}"
    for note in s.same_run:  # inputs that repeat others, counted once
        out += f"\n\n> **Note:** {md(note.describe())}"
    return out


def _check(result: CheckResult, exit_zero: bool) -> list[str]:
    n = len(result.violations)
    if result.passed:
        head = f"### ✅ Check passed: no cause at or above `{result.fail_on}`, no limit exceeded"
    else:
        head = f"### ❌ Check failed: {n} violation{'s' if n != 1 else ''} (`--fail-on {result.fail_on}`)"
        if exit_zero:
            head += " — not failing the job (`--exit-zero`)"
    out = ["", head]
    if result.violations:
        out.append("")
        out += _table(
            ["Rule", "Measured", "Limit", "Details"],
            "llll",
            [
                [f"`{v.rule}`", md(v.measured), f"{md(v.limit)} (`{v.option}`)", md(v.message)]
                for v in result.violations
            ],
        )
    for note in result.notes:
        out += ["", f"*Note:* {md(note)}"]
    for path in result.empty:
        out += ["", f"*Note:* {md(path)} is empty: nothing to check in it."]
    return out


_SECTIONS = (("cause", "Causes (most important first)"), ("symptom", "Symptoms"), ("note", "Notes"))


def _findings(d: Diagnosis) -> list[str]:
    if not d.findings:
        return ["", "### Causes", "", "✅ No problems found."]
    out: list[str] = []
    for kind, heading in _SECTIONS:
        group = [f for f in d.findings if f.kind == kind]
        if not group:
            continue
        out += ["", f"### {heading}"]
        for f in group:
            out += ["", f"#### {_MARK[f.severity]} {f.severity}: `{f.id}` — {md(f.title)}", ""]
            if kind == "symptom":
                origin = ", ".join(f"`{c}`" for c in f.because_of) or "no cause found"
                out += [f"*Symptom of:* {origin}", ""]
            out += [f"- {md(e)}" for e in f.evidence]
            if f.recommendation:
                out += ["", f"> **Fix:** {md(f.recommendation)}"]
    return out


def _failures(d: Diagnosis) -> list[str]:
    s = d.summary
    hours = s.span_hours
    rows = [
        [f"`{c}`", f"{s.by_class[c]:,}", _rate(s.by_class[c], hours)]
        for c in FAILURE_CLASSES
        if s.by_class.get(c, 0)
    ]
    rows.append(["**total**", f"**{s.failures_total:,}**", _rate(s.failures_total, hours)])
    n = s.reconnect_count
    rows.append(["reconnects", "unknown" if n is None else f"{n:,}", "-" if n is None else _rate(n, hours)])
    table = _table(["Class", "Events", "Per hour"], "lrr", rows)
    note = [] if s.reconnects_unknown is None else ["", f"Reconnects unknown: {s.reconnects_unknown}."]
    return ["", "### Failures by class", "", *table, *note]


def _connections(d: Diagnosis) -> list[str]:
    s = d.summary
    if not s.ids:
        return []

    def fails(c: int) -> int:
        return sum(s.conns[c].by_class.values()) if c in s.conns else 0

    known = s.reconnects_unknown is None  # else its reason is under the failures table

    def reconnects(c: int) -> int:
        return s.conns[c].reconnects if known and c in s.conns else 0

    ranked = sorted(s.ids, key=lambda c: (-fails(c), -reconnects(c), c))
    rows = []
    for c in ranked[:_CONN_ROWS]:
        cs = s.conns.get(c)
        top = cs.by_class.most_common(1)[0][0] if cs and cs.by_class else None
        rows.append(
            [
                f"#{c}",
                f"{fails(c):,}",
                f"`{top}`" if top else "–",
                f"{reconnects(c):,}" if known else UNKNOWN,
                str(len(cs.topics)) if cs and cs.topics else "–",
            ]
        )
    out = ["", "### Connections (worst first)", ""]
    out += _table(["Connection", "Failures", "Top class", "Reconnects", "Topics"], "rrlrr", rows)
    if len(ranked) > _CONN_ROWS:
        out += ["", f"… and {plural(len(ranked) - _CONN_ROWS, 'more connection')}."]
    return out


def _limits(d: Diagnosis) -> list[str]:
    lim = d.limits
    how = "observed" if lim.topics_per_streamer_observed else "assumed"
    text = (
        f"≤{lim.max_connections} connections per IP, ≤{d.thresholds.topics_per_connection} topics "
        f"each ({lim.max_topics} topics); {lim.topics_per_streamer:g} topics per streamer ({how}) + "
        f"{plural(lim.user_topics, 'user topic')} → keep **≤{plural(lim.max_streamers, 'streamer')}**"
    )
    if lim.streamers is not None:
        text += f" (now {lim.streamers})"
    text += "; reconnect with exponential backoff, 30s → 10m."
    return ["", "### Recommended limits", "", text]


def _inputs(d: Diagnosis) -> list[str]:
    rows = []
    listed, more = first(sorted(d.summary.inputs.values(), key=lambda st: not st.records), INPUT_ROWS)
    for st in listed:
        note = md(f"reading stopped: {st.read_error}") if st.read_error else ""
        rows.append(
            [
                md(st.path),
                st.layout,
                f"{st.lines:,}",
                f"{st.records:,}",
                f"{st.unrecognized:,}",
                note,
            ]
        )
    return [
        "",
        "### Inputs",
        "",
        *_table(["Input", "Layout", "Lines", "Records", "Unrecognized", "Note"], "llrrrl", rows),
        *(["", f"… and {more:,} more inputs (the JSON report lists them all)."] if more else []),
    ]


def render(d: Diagnosis, check: CheckResult | None = None, exit_zero: bool = False) -> str:
    """The report (and the check result, when given) as GitHub-flavoured Markdown."""
    out = [*_verdict(d), "", _span(d)]
    if check is not None:
        out += _check(check, exit_zero)
    out += _findings(d)
    out += _failures(d)
    out += _connections(d)
    out += _limits(d)
    out += _inputs(d)
    out += ["", f"<sub>wsdiag {__version__}</sub>", ""]
    return "\n".join(out)
