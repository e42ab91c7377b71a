"""The HTML report's data sections (see :mod:`wsdiag.report.html`): connections, network-wide
outages, limits, unclassified error texts and inputs, each rendered from the wsdiag/1 document
or the diagnosis, every piece of log text escaped."""

from __future__ import annotations

from typing import Any

from wsdiag.common.words import of, plural
from wsdiag.diagnose.diagnosis import Diagnosis
from wsdiag.diagnose.thresholds import TWITCH_MAX_CONNECTIONS, TWITCH_TOPICS_PER_CONNECTION
from wsdiag.durations import format_seconds
from wsdiag.report import INPUT_ROWS, UNKNOWN, first
from wsdiag.report.html_parts import esc, fmt_num, fmt_time, html_table

CONN_ROWS = 200  # connections listed; the JSON has them all


def connections_section(doc: dict[str, Any]) -> str:
    per: dict[str, Any] = doc["connections"]["per_connection"]
    ids = [str(i) for i in doc["connections"]["ids"]]
    known = set(ids)  # a pool of 100,000 ids must not cost 10^10 list comparisons
    rows_src = [(c, per.get(c, {})) for c in ids] + [(c, v) for c, v in per.items() if c not in known]
    if not rows_src:
        return ""
    has_health = any(isinstance(v.get("health"), dict) for _, v in rows_src)
    # A log that cannot show reconnects: the failures table says why, the cells say "?".
    reconnects_known = (doc.get("reconnects") or {}).get("unknown") is None

    def key(item: tuple[str, Any]) -> tuple[float, int, int, int]:
        c, v = item
        ratio = (v.get("health") or {}).get("uptime_ratio") if has_health else None
        return (
            ratio if isinstance(ratio, (int, float)) else 1.0,
            -int(v.get("failures", 0)),
            -int(v.get("reconnects") or 0),
            int(c) if c.isdigit() else 0,
        )

    ranked = sorted(rows_src, key=key)
    head = [("#", True), ("failures", True), ("top class", False), ("reconnects", True), ("topics", True)]
    if has_health:
        head += [("uptime", True), ("outages", True), ("longest outage", True)]
    rows = []
    for c, v in ranked[:CONN_ROWS]:
        by_class: dict[str, int] = v.get("by_class") or {}
        top = max(by_class.items(), key=lambda kv: kv[1])[0] if by_class else "-"
        row = [
            esc(c),
            fmt_num(v.get("failures", 0)),
            esc(top),
            fmt_num(v.get("reconnects", 0)) if reconnects_known else UNKNOWN,
            fmt_num(v.get("topics")),
        ]
        if has_health:
            h = v.get("health") or {}
            ratio = h.get("uptime_ratio")
            row += [
                "-" if ratio is None else f"{ratio:.1%}",
                fmt_num(h.get("outages")),
                format_seconds(h.get("longest_outage_seconds")),
            ]
        rows.append(row)
    more = len(ranked) - CONN_ROWS
    tail = (
        f'<p class="muted">… and {plural(more, "more connection")} (see the JSON report).</p>'
        if more > 0
        else ""
    )
    return (
        '<section id="connections"><h2>Connections (worst first)</h2>'
        + html_table(head, rows)
        + tail
        + "</section>"
    )


def cascades_section(d: Diagnosis) -> str:
    """Network-wide outages, as the text report's table has them."""
    cas = d.cascades
    if not cas.items:
        return ""
    pool = d.summary.pool_size
    rows = []
    for c in cas.items:
        conns = len(c.connections)
        rows.append(
            [
                fmt_time(f"{c.start:%Y-%m-%d %H:%M:%S}"),
                fmt_time(f"{c.end:%Y-%m-%d %H:%M:%S}"),
                f'<span class="nowrap">{esc(format_seconds((c.end - c.start).total_seconds()))}</span>',
                f"{conns:,}/{pool:,}" if pool else fmt_num(conns),
                fmt_num(c.failures),
                fmt_num(c.confirmed),
                esc(", ".join(f"{k} {v}" for k, v in c.by_class.items())),
                esc(c.kind),
            ]
        )
    share = f" ({cas.share:.0%})" if cas.share is not None else ""
    return (
        f'<section id="cascades"><h2>Network-wide outages: {len(cas.items)}</h2>'
        f"<p>Many connections failing together, explaining {of(cas.explained, cas.total, 'failure')}"
        f"{share}.</p>"
        + html_table(
            [
                ("start", False),
                ("end", False),
                ("length", True),
                ("connections", True),
                ("failures", True),
                ("no internet", True),
                ("classes", False),
                ("kind", False),
            ],
            rows,
        )
        + "</section>"
    )


def limits_section(d: Diagnosis, doc: dict[str, Any]) -> str:
    lim = d.limits
    th = d.thresholds
    how = "observed in the log" if lim.topics_per_streamer_observed else "assumed (miner defaults)"
    rows = [
        [
            _whose("connections per IP", th.max_connections, TWITCH_MAX_CONNECTIONS),
            fmt_num(lim.max_connections),
        ],
        [
            _whose("topics per connection", th.topics_per_connection, TWITCH_TOPICS_PER_CONNECTION),
            fmt_num(th.topics_per_connection),
        ],
        ["topics in total", fmt_num(lim.max_topics)],
        [f"topics per streamer, {esc(how)}", f"{lim.topics_per_streamer:g}"],
        ["user topics", fmt_num(lim.user_topics)],
        ["streamers that fit", fmt_num(lim.max_streamers)],
    ]
    if lim.streamers is not None:
        rows.append(["streamers now", fmt_num(lim.streamers)])
    extra = doc.get("limits") or {}
    advice = extra.get("recommendation")
    text = (
        advice
        if isinstance(advice, str) and advice
        else ("Reconnect with exponential backoff (30s doubling to 10m, with jitter).")
    )
    changes = [c for c in extra.get("changes") or [] if isinstance(c, dict)]
    healthy = ""
    if changes:
        healthy = "<h3>This log against a healthy one</h3>" + html_table(
            [("metric", False), ("this log", True), ("healthy", True), ("", False)],
            [
                [
                    esc(c.get("metric", "")),
                    esc(c.get("this_log", "")),
                    esc(c.get("healthy", "")),
                    "ok" if c.get("ok") else "<strong>change</strong>",
                ]
                for c in changes
            ],
        )
    return (
        '<section id="limits"><h2>Recommended limits</h2>'
        + html_table([("limit", False), ("value", True)], rows)
        + f"<p>{esc(text)}</p>"
        + healthy
        + "</section>"
    )


def _whose(what: str, value: int, twitch: int) -> str:
    """`connections per IP (Twitch)`, or `(yours; Twitch: 10)` for a limit set on the command line."""
    return f"{what} (Twitch)" if value == twitch else f"{what} (yours; Twitch: {twitch})"


def unknown_section(doc: dict[str, Any]) -> str:
    items = doc.get("unknown") or []
    if not items:
        return ""
    rows = [
        [
            f'<code class="break">{esc(u["template"])}</code>',
            fmt_num(int(u["count"])),
            f'<code class="break">{esc(u["example"])}</code>',
        ]
        for u in items[:50]
    ]
    return (
        '<section id="unknown"><h2>Unclassified errors</h2>'
        + html_table([("template", False), ("count", True), ("example", False)], rows)
        + "</section>"
    )


def inputs_section(doc: dict[str, Any]) -> str:
    rows = []
    listed, more = first(sorted(doc["inputs"], key=lambda i: not i["records"]), INPUT_ROWS)
    for i in listed:
        notes = []
        if i.get("read_error"):
            notes.append(f"reading stopped: {i['read_error']}")
        for sample in i.get("unrecognized_samples") or []:
            notes.append(f"unrecognized: {sample}")
        rows.append(
            [
                f'<code class="break">{esc(i["path"])}</code>',
                esc(i["layout"]),
                fmt_num(i["lines"]),
                fmt_num(i["records"]),
                fmt_num(i["unrecognized"]),
                "<br>".join(f'<span class="mono break">{esc(n)}</span>' for n in notes) or "-",
            ]
        )
    return (
        '<section id="inputs"><h2>Inputs</h2>'
        + html_table(
            [
                ("file", False),
                ("layout", False),
                ("lines", True),
                ("records", True),
                ("unrecognized", True),
                ("notes", False),
            ],
            rows,
        )
        + (f'<p class="muted">… and {more:,} more inputs (see the JSON report).</p>' if more else "")
        + "</section>"
    )
