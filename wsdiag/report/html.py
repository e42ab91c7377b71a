"""HTML reporter: one self-contained page to share instead of a log.

The page has no script and fetches nothing: the style sheet is inline and the timeline is an
inline SVG, so it reads the same offline, in a mail attachment or with JavaScript turned off.
Every piece of text that came from a log or the command line goes through :func:`_e` (HTML
escaping); secrets were already redacted by the parser. Tables and findings are rendered from
the wsdiag/1 document, so the page shows exactly what ``--format json`` says; sections for
keys a newer schema adds (cascades, per-connection health) appear when the keys are there.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from wsdiag.common.words import of, plural
from wsdiag.diagnose.diagnosis import Diagnosis, span_words
from wsdiag.diagnose.thresholds import TWITCH_MAX_CONNECTIONS, TWITCH_TOPICS_PER_CONNECTION
from wsdiag.durations import format_seconds
from wsdiag.parse.records import FAILURE_CLASSES
from wsdiag.report import INPUT_ROWS, NAMED_INPUTS, first
from wsdiag.report.html_chart import CLASS_COLOURS, OUTAGE_MARK, RECONNECT_COLOUR, timeline_svg
from wsdiag.summary.clients import reconnect_words
from wsdiag.version import SCHEMA, __version__

CONN_ROWS = 200  # connections listed; the JSON has them all

_CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f4f5f7; color: #1d1f23;
  font: 15px/1.45 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 28px 48px; background: #fff; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid #e2e4e8; }
h3 { font-size: 16px; margin: 0 0 6px; }
.meta { color: #5b616b; margin: 0; font-size: 13px; }
.meta code { font-size: 12px; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
.verdict { margin: 18px 0 8px; padding: 14px 16px; border-radius: 6px; border-left: 6px solid;
  font-size: 16px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 4px; font-weight: 700;
  font-size: 13px; letter-spacing: .03em; text-transform: uppercase; color: #fff; }
.sev-error { border-color: #c62828; background: #fdecea; } .sev-error .badge { background: #c62828; }
.sev-warning { border-color: #b26a00; background: #fff4e0; } .sev-warning .badge { background: #b26a00; }
.sev-info { border-color: #1565c0; background: #e8f1fb; } .sev-info .badge { background: #1565c0; }
.sev-ok { border-color: #2e7d32; background: #e9f5ea; } .sev-ok .badge { background: #2e7d32; }
.finding { margin: 12px 0; padding: 12px 16px; border-radius: 6px; border-left: 6px solid; }
.finding ul { margin: 6px 0; padding-left: 20px; color: #3a3f47; }
.finding .rec { margin: 6px 0 0; }
table { border-collapse: collapse; width: 100%; margin: 6px 0; font-size: 14px; }
th, td { text-align: left; padding: 5px 10px; border-bottom: 1px solid #e7e9ec; vertical-align: top; }
th { background: #f0f1f4; font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.swatch { display: inline-block; width: 11px; height: 11px; border-radius: 2px; margin-right: 6px;
  vertical-align: -1px; }
.legend { list-style: none; padding: 0; margin: 6px 0 0; display: flex; flex-wrap: wrap; gap: 4px 16px;
  font-size: 13px; }
figure { margin: 0; }
figcaption { color: #5b616b; font-size: 13px; }
svg.chart { width: 100%; height: auto; display: block; }
.muted { color: #5b616b; }
.break { overflow-wrap: anywhere; }
.nowrap, td.t { white-space: nowrap; }
.scroll { overflow-x: auto; }
.note { margin: 6px 0 0; padding: 6px 10px; border-left: 4px solid #b26a00; background: #fff4e0;
  font-size: 13px; }
footer { margin-top: 36px; color: #5b616b; font-size: 12px; }
@media print { body { background: #fff; } main { padding: 0; } }
"""


def _e(value: object) -> str:
    """HTML-escaped text (quotes too, so it is safe inside attributes)."""
    return html.escape(str(value), quote=True)


def _num(n: float | int | None, digits: int = 0) -> str:
    if n is None:
        return "-"
    if isinstance(n, int):
        return f"{n:,}"
    return f"{n:,.{digits}f}"


def _rate(n: int, hours: float | None) -> str:
    return "-" if not hours else f"{n / hours:,.1f}"


def _table(head: list[tuple[str, bool]], rows: Iterable[list[str]], cls: str = "") -> str:
    """``head``: (label, numeric); ``rows`` hold already-escaped cell HTML."""
    # A table wider than a phone scrolls in its box; the page itself never scrolls sideways.
    out = ['<div class="scroll">' + (f'<table class="{cls}"><thead><tr>' if cls else "<table><thead><tr>")]
    out += [f'<th class="n">{_e(h)}</th>' if num else f"<th>{_e(h)}</th>" for h, num in head]
    out.append("</tr></thead><tbody>")
    for row in rows:
        out.append("<tr>")
        for (_, num), cell in zip(head, row, strict=True):
            out.append(f'<td class="n">{cell}</td>' if num else f"<td>{cell}</td>")
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


# -- sections -----------------------------------------------------------------------------------


# A date and time in running text (`2025-06-14 20:40-20:46`, `2025-06-14T20:40:31`): kept on one
# line. It runs on escaped HTML, where these characters are never part of an entity.
_DATETIME = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(?::\d\d)?(?:-\d\d:\d\d(?::\d\d)?)?")


def _times(escaped: str) -> str:
    """Escaped text with each date-time in it wrapped so that it cannot break across lines."""
    return _DATETIME.sub(lambda m: f'<span class="nowrap">{m.group(0)}</span>', escaped)


def _time(value: object) -> str:
    """An ISO date-time as the page shows it: a space for the T, never wrapped."""
    return f'<span class="nowrap">{_e(str(value).replace("T", " "))}</span>'


def _header(d: Diagnosis, doc: dict[str, Any]) -> str:
    s = d.summary
    named, more = first(sorted(doc["inputs"], key=lambda i: not i["records"]), NAMED_INPUTS)
    inputs = "; ".join(
        f'<code class="break">{_e(i["path"])}</code> ({_e(i["layout"])}, {plural(i["lines"], "line")})'
        for i in named
    ) + (f"; and {plural(more, 'more input')}" if more else "")
    span = _e(span_words(s))
    if s.first and s.last:
        span += f", {_time(f'{s.first:%Y-%m-%d %H:%M}')} → {_time(f'{s.last:%Y-%m-%d %H:%M}')}"
        if s.year_assumed:
            span += " (year assumed)"
    window = doc.get("window")
    if isinstance(window, dict) and (window.get("since") or window.get("until")):
        span += f"; analysed {_time(window.get('since') or '…')} to {_time(window.get('until') or '…')}"
    notes = "".join(
        f'<p class="note"><strong>Note:</strong> {_e(n.describe())}</p>' for n in s.same_run
    )
    return (
        f'<header><h1>wsdiag report</h1><p class="meta">{inputs}</p><p class="meta">{span}</p>'
        f"{notes}</header>"
    )


def _verdict(d: Diagnosis) -> str:
    s = d.summary
    v = d.verdict
    pool = s.pool_size
    bits = [
        f"{pool} connection{'s' if pool != 1 else ''}" if pool is not None else "no connection ids",
        plural(s.failures_total, "failure"),
        reconnect_words(s),
    ]
    primary = d.primary
    cause = ""
    if primary is not None:
        cause = f"<strong>cause: {_e(primary.title)}</strong> (<code>{_e(primary.id)}</code>) · "
        others = [f.id for f in d.causes[1:]]
        if others:
            bits.append("also: " + ", ".join(others))
    else:
        bits.append(d.headline)
    return (
        f'<section class="verdict sev-{_e(v)}" id="verdict"><span class="badge">{_e(v)}</span> '
        f"{cause}{_e(' · '.join(bits))}</section>"
    )


def _findings(doc: dict[str, Any]) -> str:
    out = ['<section id="findings"><h2>Findings: causes first, then symptoms</h2>']
    if not doc["findings"]:
        out.append("<p>No problems found: nothing in this log needs a change.</p>")
    for f in doc["findings"]:
        sev = f["severity"] if f["severity"] in ("error", "warning", "info") else "info"
        kind = f.get("kind", "cause")
        out.append(f'<article class="finding sev-{sev}" id="finding-{_e(f["id"])}">')
        out.append(
            f'<h3><span class="badge">{_e(f["severity"])}</span> <code>{_e(f["id"])}</code> '
            f"{_e(f['title'])}</h3>"
        )
        if kind == "symptom":
            origin = ", ".join(f"<code>{_e(c)}</code>" for c in f.get("because_of") or [])
            out.append(f'<p class="muted">Symptom of: {origin or "no cause found"}</p>')
        elif kind == "note":
            out.append('<p class="muted">Note</p>')
        if f["evidence"]:
            out.append("<ul>" + "".join(f"<li>{_times(_e(e))}</li>" for e in f["evidence"]) + "</ul>")
        if f["recommendation"]:
            out.append(f'<p class="rec"><strong>What to do:</strong> {_e(f["recommendation"])}</p>')
        out.append("</article>")
    out.append("</section>")
    return "".join(out)


def _failures(d: Diagnosis) -> str:
    s = d.summary
    hours = s.span_hours
    rows: list[list[str]] = []
    for cls in FAILURE_CLASSES:
        n = s.by_class.get(cls, 0)
        if n:
            swatch = f'<span class="swatch" style="background:{CLASS_COLOURS[cls]}"></span>'
            rows.append([swatch + _e(cls), _num(n), _rate(n, hours)])
    rows.append(
        [
            "<strong>total failures</strong>",
            f"<strong>{_num(s.failures_total)}</strong>",
            f"<strong>{_rate(s.failures_total, hours)}</strong>",
        ]
    )
    count = s.reconnect_count
    if count is None:
        rows.append(["reconnects", "unknown", "-"])
    else:
        rows.append(["reconnects", _num(count), _rate(count, hours)])
    table = _table([("class", False), ("events", True), ("per hour", True)], rows)
    note = "" if s.reconnects_unknown is None else f"<p>Reconnects unknown: {_e(s.reconnects_unknown)}.</p>"
    return f'<section id="failures"><h2>Failures by class</h2>{table}{note}</section>'


def _timeline(d: Diagnosis) -> str:
    tl = d.timeline  # the diagnosis' own, which honours --bucket; never computed again here
    outages = d.cascades.items
    classes = [c for c in FAILURE_CLASSES if any(b.by_class.get(c) for b in tl.buckets)]
    legend = "".join(
        f'<li><span class="swatch" style="background:{CLASS_COLOURS[c]}"></span>{_e(c)}</li>' for c in classes
    )
    if any(b.reconnects for b in tl.buckets):
        legend += (
            f'<li><span class="swatch" style="background:{RECONNECT_COLOUR}"></span>'
            "reconnects (dashed line)</li>"
        )
    if outages and tl.buckets:
        legend += (
            f'<li><span class="swatch" style="background:{OUTAGE_MARK}"></span>'
            "network-wide outage (▼ above the chart, shaded behind the bars)</li>"
        )
    untimed = sum(tl.untimed.values())
    note = f" {plural(untimed, 'failure')} without a time not on the chart." if untimed else ""
    return (
        '<section id="timeline"><h2>Timeline</h2><figure>'
        + timeline_svg(tl, outages=outages, pool=d.summary.pool_size)
        + f"<figcaption>Failures per {_e(tl.label)} by class (stacked bars) and reconnects.{_e(note)}"
        "</figcaption>" + (f'<ul class="legend">{legend}</ul>' if legend else "") + "</figure></section>"
    )


def _connections(doc: dict[str, Any]) -> str:
    per: dict[str, Any] = doc["connections"]["per_connection"]
    ids = [str(i) for i in doc["connections"]["ids"]]
    known = set(ids)  # a pool of 100,000 ids must not cost 10^10 list comparisons
    rows_src = [(c, per.get(c, {})) for c in ids] + [(c, v) for c, v in per.items() if c not in known]
    if not rows_src:
        return ""
    has_health = any(isinstance(v.get("health"), dict) for _, v in rows_src)

    def key(item: tuple[str, Any]) -> tuple[float, int, int, int]:
        c, v = item
        ratio = (v.get("health") or {}).get("uptime_ratio") if has_health else None
        return (
            ratio if isinstance(ratio, (int, float)) else 1.0,
            -int(v.get("failures", 0)),
            -int(v.get("reconnects", 0)),
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
            _e(c),
            _num(v.get("failures", 0)),
            _e(top),
            _num(v.get("reconnects", 0)),
            _num(v.get("topics")),
        ]
        if has_health:
            h = v.get("health") or {}
            ratio = h.get("uptime_ratio")
            row += [
                "-" if ratio is None else f"{ratio:.1%}",
                _num(h.get("outages")),
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
        + _table(head, rows)
        + tail
        + "</section>"
    )


def _cascades(d: Diagnosis) -> str:
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
                _time(f"{c.start:%Y-%m-%d %H:%M:%S}"),
                _time(f"{c.end:%Y-%m-%d %H:%M:%S}"),
                f'<span class="nowrap">{_e(format_seconds((c.end - c.start).total_seconds()))}</span>',
                f"{conns:,}/{pool:,}" if pool else _num(conns),
                _num(c.failures),
                _num(c.confirmed),
                _e(", ".join(f"{k} {v}" for k, v in c.by_class.items())),
                _e(c.kind),
            ]
        )
    share = f" ({cas.share:.0%})" if cas.share is not None else ""
    return (
        f'<section id="cascades"><h2>Network-wide outages: {len(cas.items)}</h2>'
        f"<p>Many connections failing together, explaining {of(cas.explained, cas.total, 'failure')}"
        f"{share}.</p>"
        + _table(
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


def _limits(d: Diagnosis, doc: dict[str, Any]) -> str:
    lim = d.limits
    th = d.thresholds
    how = "observed in the log" if lim.topics_per_streamer_observed else "assumed (miner defaults)"
    rows = [
        [_whose("connections per IP", th.max_connections, TWITCH_MAX_CONNECTIONS), _num(lim.max_connections)],
        [
            _whose("topics per connection", th.topics_per_connection, TWITCH_TOPICS_PER_CONNECTION),
            _num(th.topics_per_connection),
        ],
        ["topics in total", _num(lim.max_topics)],
        [f"topics per streamer, {_e(how)}", f"{lim.topics_per_streamer:g}"],
        ["user topics", _num(lim.user_topics)],
        ["streamers that fit", _num(lim.max_streamers)],
    ]
    if lim.streamers is not None:
        rows.append(["streamers now", _num(lim.streamers)])
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
        healthy = "<h3>This log against a healthy one</h3>" + _table(
            [("metric", False), ("this log", True), ("healthy", True), ("", False)],
            [
                [
                    _e(c.get("metric", "")),
                    _e(c.get("this_log", "")),
                    _e(c.get("healthy", "")),
                    "ok" if c.get("ok") else "<strong>change</strong>",
                ]
                for c in changes
            ],
        )
    return (
        '<section id="limits"><h2>Recommended limits</h2>'
        + _table([("limit", False), ("value", True)], rows)
        + f"<p>{_e(text)}</p>"
        + healthy
        + "</section>"
    )


def _whose(what: str, value: int, twitch: int) -> str:
    """`connections per IP (Twitch)`, or `(yours; Twitch: 10)` for a limit set on the command line."""
    return f"{what} (Twitch)" if value == twitch else f"{what} (yours; Twitch: {twitch})"


def _unknown(doc: dict[str, Any]) -> str:
    items = doc.get("unknown") or []
    if not items:
        return ""
    rows = [
        [
            f'<code class="break">{_e(u["template"])}</code>',
            _num(int(u["count"])),
            f'<code class="break">{_e(u["example"])}</code>',
        ]
        for u in items[:50]
    ]
    return (
        '<section id="unknown"><h2>Unclassified errors</h2>'
        + _table([("template", False), ("count", True), ("example", False)], rows)
        + "</section>"
    )


def _inputs(doc: dict[str, Any]) -> str:
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
                f'<code class="break">{_e(i["path"])}</code>',
                _e(i["layout"]),
                _num(i["lines"]),
                _num(i["records"]),
                _num(i["unrecognized"]),
                "<br>".join(f'<span class="mono break">{_e(n)}</span>' for n in notes) or "-",
            ]
        )
    return (
        '<section id="inputs"><h2>Inputs</h2>'
        + _table(
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


def _body(d: Diagnosis) -> str:
    doc = d.to_dict()
    return "".join(
        (
            _header(d, doc),
            _verdict(d),
            _findings(doc),
            _timeline(d),
            _failures(d),
            _connections(doc),
            _cascades(d),
            _limits(d, doc),
            _unknown(doc),
            _inputs(doc),
        )
    )


def _page(title: str, body: str, generated: datetime | None) -> str:
    when = f" on {generated:%Y-%m-%d %H:%M}" if generated is not None else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="generator" content="wsdiag ' + _e(__version__) + '">'
        f"<title>{_e(title)}</title>"
        f"<style>{_CSS}</style></head><body><main>"
        + body
        + f"<footer>Generated by wsdiag {_e(__version__)}{_e(when)} (schema {_e(SCHEMA)}). "
        "Secrets (tokens, cookies, OAuth headers) were redacted before anything was written here."
        "</footer></main></body></html>\n"
    )


def render(d: Diagnosis, generated: datetime | None = None) -> str:
    """The whole page as one string."""
    return _page(f"wsdiag report: {d.verdict}", _body(d), generated)


def render_many(ds: Sequence[Diagnosis], generated: datetime | None = None) -> str:
    """--per-file: one page, a contents list, then each file's report in a section of its own.

    Each report's element ids get the prefix ``fN-`` so that they stay unique in the page (log
    text is escaped, so ` id="` only ever starts one of ours).
    """
    order = ("error", "warning", "ok")
    worst = min((d.verdict for d in ds), key=order.index, default="ok")
    toc = "".join(
        f'<li><code class="break">{_e(", ".join(d.summary.inputs))}</code>: {_e(d.verdict)}</li>'
        for d in ds
    )
    parts = [f'<h1>wsdiag: {plural(len(ds), "file")}</h1><ul>{toc}</ul>']
    for i, d in enumerate(ds):
        body = _body(d).replace(' id="', f' id="f{i}-').replace(
            'aria-labelledby="tl-title tl-desc"', f'aria-labelledby="f{i}-tl-title f{i}-tl-desc"'
        )
        parts.append(f'<article class="file" id="f{i}">{body}</article>')
    return _page(f"wsdiag report: {worst}", "".join(parts), generated)
