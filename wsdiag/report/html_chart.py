"""The HTML report's timeline: one inline SVG of failures per bucket (stacked by class), the
reconnects as a line, and network-wide outages as bands and markers; no script, nothing fetched.
Every piece of text in it goes through :func:`_e` (HTML escaping).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime

from wsdiag.common.words import of, plural
from wsdiag.diagnose.cascades import Cascade
from wsdiag.diagnose.timeline import Timeline
from wsdiag.durations import format_seconds
from wsdiag.parse.records import FAILURE_CLASSES

# No failure is drawn in green, which reads as "good" (the ok verdict is green): reds, oranges,
# browns, purples and blues only; RECONNECT requests (Twitch's routine) in a light blue-grey.
CLASS_COLOURS = {
    "ping_pong": "#d62728",
    "pong_timeout": "#ff7f0e",
    "ping_stalled": "#e7ba52",
    "broken_pipe": "#8c564b",
    "ssl": "#9467bd",
    "connection_reset": "#1f77b4",
    "timeout": "#17becf",
    "dns": "#393b79",
    "no_internet": "#c2185b",
    "reconnect_requested": "#9fb3c8",
    "bad_auth": "#e377c2",
    "rejected": "#6a1b9a",
    "other": "#636363",
}
#: Network-wide outages on the timeline: a marker above the chart and a band behind the bars.
OUTAGE_MARK = "#e65100"
OUTAGE_BAND = "#ffe0b2"
RECONNECT_COLOUR = "#111111"


def _e(value: object) -> str:
    """HTML-escaped text (quotes too, so it is safe inside attributes)."""
    return html.escape(str(value), quote=True)


def _ticks(top: int) -> list[int]:
    if top <= 4:
        return list(range(top + 1))
    step = max(1, round(top / 4))
    return list(range(0, top + 1, step))


def timeline_svg(
    tl: Timeline,
    width: int = 1000,
    height: int = 280,
    outages: Sequence[Cascade] = (),
    pool: int | None = None,
) -> str:
    """Stacked failure bars per bucket and the reconnects as a line; one <title> per bar.

    Each network-wide outage is a shaded band behind the bars over its span and a marker (▼)
    above the chart, with its own <title>.
    """
    buckets = tl.buckets
    if not buckets:
        return '<p class="muted">No timed events: nothing to chart.</p>'
    left, right, top_pad, bottom = 54, 12, 22, 46
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    peak = max(1, *(b.failures for b in buckets), *(b.reconnects for b in buckets))
    scale = plot_h / peak
    slot = plot_w / len(buckets)
    bar_w = max(1.0, slot * 0.8)
    y0 = top_pad + plot_h
    days = (buckets[-1].end - buckets[0].start).total_seconds() > 86400
    fmt = "%m-%d %H:%M" if days else "%H:%M"
    out = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="tl-title tl-desc">',
        '<title id="tl-title">Failures and reconnects over time</title>',
        f'<desc id="tl-desc">{len(buckets)} buckets of {_e(tl.label)} from '
        f"{buckets[0].start:%Y-%m-%d %H:%M} to {buckets[-1].end:%Y-%m-%d %H:%M}; peak {peak} "
        "events in one bucket</desc>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    origin = buckets[0].start
    per_px = tl.bucket_minutes * 60 / slot  # seconds per pixel

    def x_of(t: datetime) -> float:
        return min(max(left + (t - origin).total_seconds() / per_px, left), width - right)

    marks: list[str] = []
    for c in outages:
        x1, x2 = x_of(c.start), x_of(c.end)
        if x2 - x1 < 4:  # a short outage is still visible
            x1, x2 = max(left, (x1 + x2) / 2 - 2), min(width - right, (x1 + x2) / 2 + 2)
        mid = (x1 + x2) / 2
        conns = len(c.connections)
        tip = (
            f"network-wide outage {c.start:%Y-%m-%d %H:%M:%S} to {c.end:%H:%M:%S} "
            f"({format_seconds((c.end - c.start).total_seconds())}): "
            + (of(conns, pool, "connection") if pool else plural(conns, "connection"))
            + f" down, {plural(c.failures, 'failure')}"
        )
        out.append(
            f'<rect class="outage" x="{x1:.1f}" y="{top_pad}" width="{x2 - x1:.1f}" height="{plot_h}" '
            f'fill="{OUTAGE_BAND}"/>'
        )
        marks.append(
            f'<g class="outage-mark"><title>{_e(tip)}</title><polygon points="{mid - 7:.1f},3 '
            f'{mid + 7:.1f},3 {mid:.1f},{top_pad - 4}" fill="{OUTAGE_MARK}"/></g>'
        )
    for tick in _ticks(peak):
        y = y0 - tick * scale
        out.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            'stroke="#e3e5e9" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#5b616b">{tick}</text>'
        )
    for i, b in enumerate(buckets):
        x = left + i * slot + (slot - bar_w) / 2
        y = y0
        parts = [f"{cls} {n}" for cls, n in b.by_class.items()]
        tip = (
            f"{b.start:%Y-%m-%d %H:%M} ({tl.label}): {plural(b.failures, 'failure')}"
            + (f" ({', '.join(parts)})" if parts else "")
            + f", {plural(b.reconnects, 'reconnect')}"
        )
        out.append(f"<g><title>{_e(tip)}</title>")
        for cls in FAILURE_CLASSES:
            n = b.by_class.get(cls, 0)
            if not n:
                continue
            h = n * scale
            y -= h
            out.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{CLASS_COLOURS[cls]}"/>'
            )
        if not b.failures:  # an invisible target so the tooltip works on empty buckets too
            out.append(
                f'<rect x="{x:.1f}" y="{top_pad}" width="{bar_w:.1f}" height="{plot_h}" '
                'fill="#000000" fill-opacity="0"/>'
            )
        out.append("</g>")
    if any(b.reconnects for b in buckets):
        points = " ".join(
            f"{left + i * slot + slot / 2:.1f},{y0 - b.reconnects * scale:.1f}" for i, b in enumerate(buckets)
        )
        out.append(
            f'<polyline points="{points}" fill="none" stroke="{RECONNECT_COLOUR}" '
            'stroke-width="1.6" stroke-dasharray="4 2"/>'
        )
    out.append(
        f'<line x1="{left}" x2="{width - right}" y1="{y0}" y2="{y0}" stroke="#8a9099" stroke-width="1"/>'
    )
    labels = min(8, len(buckets))
    for k in range(labels):
        i = round(k * (len(buckets) - 1) / max(1, labels - 1))
        x = left + i * slot + slot / 2
        out.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y0}" y2="{y0 + 4}" stroke="#8a9099"/>'
            f'<text x="{x:.1f}" y="{y0 + 18}" text-anchor="middle" font-size="11" fill="#5b616b">'
            f"{buckets[i].start.strftime(fmt)}</text>"
        )
    out.append(
        f'<text x="{left}" y="{height - 6}" font-size="11" fill="#5b616b">'
        f"{buckets[0].start:%Y-%m-%d} · one bar per {_e(tl.label)}</text>"
    )
    out.extend(marks)  # last: above everything
    out.append("</svg>")
    return "".join(out)
