"""HTML reporter: one self-contained page to share instead of a log.

The page has no script and fetches nothing: the style sheet is inline and the timeline is an
inline SVG, so it reads the same offline, in a mail attachment or with JavaScript turned off.
Every piece of text that came from a log or the command line goes through
:func:`~wsdiag.report.html_parts.esc` (HTML escaping); secrets were already redacted by the
parser. Tables and findings are rendered from the wsdiag/1 document, so the page shows exactly
what ``--format json`` says; sections for keys a newer schema adds (cascades, per-connection
health) appear when the keys are there.
The building blocks are in :mod:`~wsdiag.report.html_parts`, the data sections in
:mod:`~wsdiag.report.html_sections`, the timeline in :mod:`~wsdiag.report.html_chart`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from wsdiag.common.words import plural
from wsdiag.diagnose.diagnosis import Diagnosis, span_words
from wsdiag.parse.records import FAILURE_CLASSES
from wsdiag.report import NAMED_INPUTS, first
from wsdiag.report.html_chart import CLASS_COLOURS, OUTAGE_MARK, RECONNECT_COLOUR, timeline_svg
from wsdiag.report.html_parts import esc, fmt_num, fmt_rate, fmt_time, html_table, mark_times
from wsdiag.report.html_sections import (
    cascades_section,
    connections_section,
    inputs_section,
    limits_section,
    unknown_section,
)
from wsdiag.summary.clients import reconnect_words
from wsdiag.version import SCHEMA, __version__

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


# -- sections -----------------------------------------------------------------------------------


def _header(d: Diagnosis, doc: dict[str, Any]) -> str:
    s = d.summary
    named, more = first(sorted(doc["inputs"], key=lambda i: not i["records"]), NAMED_INPUTS)
    inputs = "; ".join(
        f'<code class="break">{esc(i["path"])}</code> ({esc(i["layout"])}, {plural(i["lines"], "line")})'
        for i in named
    ) + (f"; and {plural(more, 'more input')}" if more else "")
    span = esc(span_words(s))
    if s.first and s.last:
        span += f", {fmt_time(f'{s.first:%Y-%m-%d %H:%M}')} → {fmt_time(f'{s.last:%Y-%m-%d %H:%M}')}"
        if s.year_assumed:
            span += " (year assumed)"
    window = doc.get("window")
    if isinstance(window, dict) and (window.get("since") or window.get("until")):
        span += f"; analysed {fmt_time(window.get('since') or '…')} to {fmt_time(window.get('until') or '…')}"
    notes = "".join(
        f'<p class="note"><strong>Note:</strong> {esc(n.describe())}</p>' for n in s.same_run
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
        cause = f"<strong>cause: {esc(primary.title)}</strong> (<code>{esc(primary.id)}</code>) · "
        others = [f.id for f in d.causes[1:]]
        if others:
            bits.append("also: " + ", ".join(others))
    else:
        bits.append(d.headline)
    return (
        f'<section class="verdict sev-{esc(v)}" id="verdict"><span class="badge">{esc(v)}</span> '
        f"{cause}{esc(' · '.join(bits))}</section>"
    )


def _findings(doc: dict[str, Any]) -> str:
    out = ['<section id="findings"><h2>Findings: causes first, then symptoms</h2>']
    if not doc["findings"]:
        out.append("<p>No problems found: nothing in this log needs a change.</p>")
    for f in doc["findings"]:
        sev = f["severity"] if f["severity"] in ("error", "warning", "info") else "info"
        kind = f.get("kind", "cause")
        out.append(f'<article class="finding sev-{sev}" id="finding-{esc(f["id"])}">')
        out.append(
            f'<h3><span class="badge">{esc(f["severity"])}</span> <code>{esc(f["id"])}</code> '
            f"{esc(f['title'])}</h3>"
        )
        if kind == "symptom":
            origin = ", ".join(f"<code>{esc(c)}</code>" for c in f.get("because_of") or [])
            out.append(f'<p class="muted">Symptom of: {origin or "no cause found"}</p>')
        elif kind == "note":
            out.append('<p class="muted">Note</p>')
        if f["evidence"]:
            out.append("<ul>" + "".join(f"<li>{mark_times(esc(e))}</li>" for e in f["evidence"]) + "</ul>")
        if f["recommendation"]:
            out.append(f'<p class="rec"><strong>What to do:</strong> {esc(f["recommendation"])}</p>')
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
            rows.append([swatch + esc(cls), fmt_num(n), fmt_rate(n, hours)])
    rows.append(
        [
            "<strong>total failures</strong>",
            f"<strong>{fmt_num(s.failures_total)}</strong>",
            f"<strong>{fmt_rate(s.failures_total, hours)}</strong>",
        ]
    )
    count = s.reconnect_count
    if count is None:
        rows.append(["reconnects", "unknown", "-"])
    else:
        rows.append(["reconnects", fmt_num(count), fmt_rate(count, hours)])
    table = html_table([("class", False), ("events", True), ("per hour", True)], rows)
    note = "" if s.reconnects_unknown is None else f"<p>Reconnects unknown: {esc(s.reconnects_unknown)}.</p>"
    return f'<section id="failures"><h2>Failures by class</h2>{table}{note}</section>'


def _timeline(d: Diagnosis) -> str:
    tl = d.timeline  # the diagnosis' own, which honours --bucket; never computed again here
    outages = d.cascades.items
    classes = [c for c in FAILURE_CLASSES if any(b.by_class.get(c) for b in tl.buckets)]
    legend = "".join(
        f'<li><span class="swatch" style="background:{CLASS_COLOURS[c]}"></span>{esc(c)}</li>'
        for c in classes
    )
    known = d.summary.reconnects_unknown is None
    if known and any(b.reconnects for b in tl.buckets):
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
    reconnects = " and reconnects" if known else "; reconnects unknown (why: under Failures by class)"
    return (
        '<section id="timeline"><h2>Timeline</h2><figure>'
        + timeline_svg(tl, outages=outages, pool=d.summary.pool_size, reconnects_known=known)
        + f"<figcaption>Failures per {esc(tl.label)} by class (stacked bars){reconnects}.{esc(note)}"
        "</figcaption>" + (f'<ul class="legend">{legend}</ul>' if legend else "") + "</figure></section>"
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
            connections_section(doc),
            cascades_section(d),
            limits_section(d, doc),
            unknown_section(doc),
            inputs_section(doc),
        )
    )


def _page(title: str, body: str, generated: datetime | None) -> str:
    when = f" on {generated:%Y-%m-%d %H:%M}" if generated is not None else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="generator" content="wsdiag ' + esc(__version__) + '">'
        f"<title>{esc(title)}</title>"
        f"<style>{_CSS}</style></head><body><main>"
        + body
        + f"<footer>Generated by wsdiag {esc(__version__)}{esc(when)} (schema {esc(SCHEMA)}). "
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
        f'<li><code class="break">{esc(", ".join(d.summary.inputs))}</code>: {esc(d.verdict)}</li>'
        for d in ds
    )
    parts = [f'<h1>wsdiag: {plural(len(ds), "file")}</h1><ul>{toc}</ul>']
    for i, d in enumerate(ds):
        body = _body(d).replace(' id="', f' id="f{i}-').replace(
            'aria-labelledby="tl-title tl-desc"', f'aria-labelledby="f{i}-tl-title f{i}-tl-desc"'
        )
        parts.append(f'<article class="file" id="f{i}">{body}</article>')
    return _page(f"wsdiag report: {worst}", "".join(parts), generated)
