"""The HTML report's timeline: one inline SVG of failures per bucket (stacked by class), the
reconnects as a line, and network-wide outages as bands and markers; no script, nothing fetched.
Every piece of text in it goes through :func:`~wsdiag.report.html_parts.esc` (HTML escaping).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from wsdiag.common.words import of, plural
from wsdiag.diagnose.cascades import Cascade
from wsdiag.diagnose.timeline import Bucket, Timeline
from wsdiag.durations import format_seconds
from wsdiag.parse.records import FAILURE_CLASSES, FailureClass
from wsdiag.report.html_parts import esc

# No failure is drawn in green, which reads as "good" (the ok verdict is green): reds, oranges,
# browns, purples and blues only; RECONNECT requests (Twitch's routine) in a light blue-grey.
CLASS_COLOURS: dict[str, str] = {
    FailureClass.PING_PONG: "#d62728",
    FailureClass.PONG_TIMEOUT: "#ff7f0e",
    FailureClass.PING_STALLED: "#e7ba52",
    FailureClass.BROKEN_PIPE: "#8c564b",
    FailureClass.SSL: "#9467bd",
    FailureClass.CONNECTION_RESET: "#1f77b4",
    FailureClass.TIMEOUT: "#17becf",
    FailureClass.DNS: "#393b79",
    FailureClass.NO_INTERNET: "#c2185b",
    FailureClass.RECONNECT_REQUESTED: "#9fb3c8",
    FailureClass.BAD_AUTH: "#e377c2",
    FailureClass.REJECTED: "#6a1b9a",
    FailureClass.OTHER: "#636363",
}
#: Network-wide outages on the timeline: a marker above the chart and a band behind the bars.
OUTAGE_MARK = "#e65100"
OUTAGE_BAND = "#ffe0b2"
RECONNECT_COLOUR = "#111111"
GRID_COLOUR = "#e3e5e9"
AXIS_COLOUR = "#8a9099"
LABEL_COLOUR = "#5b616b"
TICKS = 4  # horizontal grid lines above the axis (a lower peak gets one per count)
X_LABELS = 8  # time labels under the axis, at most
MIN_BAND_PX = 4  # an outage band is widened to this, so a short outage is still visible
_DAY_S = 86400


def _ticks(top: int) -> list[int]:
    if top <= TICKS:
        return list(range(top + 1))
    step = max(1, round(top / TICKS))
    return list(range(0, top + 1, step))


@dataclass(frozen=True)
class _Frame:
    """Where the plot sits in the SVG, and how counts and times map to it."""

    width: int
    height: int
    left: int
    right: int
    top: int
    plot_h: int
    slot: float  # pixels per bucket
    scale: float  # pixels per event
    origin: datetime
    per_px: float  # seconds per pixel

    @property
    def y0(self) -> int:
        return self.top + self.plot_h

    def x_of(self, t: datetime) -> float:
        x = self.left + (t - self.origin).total_seconds() / self.per_px
        return min(max(x, self.left), self.width - self.right)

    def centre(self, i: int) -> float:
        return self.left + i * self.slot + self.slot / 2


def timeline_svg(
    tl: Timeline,
    width: int = 1000,
    height: int = 280,
    outages: Sequence[Cascade] = (),
    pool: int | None = None,
    reconnects_known: bool = True,
) -> str:
    """Stacked failure bars per bucket and the reconnects as a line; one <title> per bar.

    Each network-wide outage is a shaded band behind the bars over its span and a marker (▼)
    above the chart, with its own <title>. When the log cannot show reconnects
    (``reconnects_known`` false) there is no reconnect line and the tooltips say so.
    """
    buckets = tl.buckets
    if not buckets:
        return '<p class="muted">No timed events: nothing to chart.</p>'
    left, right, top_pad, bottom = 54, 12, 22, 46
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    peak = max(1, *(b.failures for b in buckets), *(b.reconnects for b in buckets))
    slot = plot_w / len(buckets)
    frame = _Frame(
        width, height, left, right, top_pad, plot_h, slot, plot_h / peak, buckets[0].start,
        tl.bucket_minutes * 60 / slot,
    )
    days = (buckets[-1].end - buckets[0].start).total_seconds() > _DAY_S
    out = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="tl-title tl-desc">',
        '<title id="tl-title">Failures and reconnects over time</title>',
        f'<desc id="tl-desc">{len(buckets)} buckets of {esc(tl.label)} from '
        f"{buckets[0].start:%Y-%m-%d %H:%M} to {buckets[-1].end:%Y-%m-%d %H:%M}; peak {peak} "
        "events in one bucket</desc>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    shapes = [_outage(frame, c, pool) for c in outages]
    out += [band for band, _ in shapes]
    out += _grid(frame, peak)
    bar_w = max(1.0, slot * 0.8)
    for i, b in enumerate(buckets):
        out += _bar(frame, tl.label, left + i * slot + (slot - bar_w) / 2, bar_w, b, reconnects_known)
    if reconnects_known and any(b.reconnects for b in buckets):
        points = " ".join(
            f"{frame.centre(i):.1f},{frame.y0 - b.reconnects * frame.scale:.1f}"
            for i, b in enumerate(buckets)
        )
        out.append(
            f'<polyline points="{points}" fill="none" stroke="{RECONNECT_COLOUR}" '
            'stroke-width="1.6" stroke-dasharray="4 2"/>'
        )
    out += _x_axis(frame, tl, "%m-%d %H:%M" if days else "%H:%M")
    out += [mark for _, mark in shapes]  # last: above everything
    out.append("</svg>")
    return "".join(out)


def _outage(f: _Frame, c: Cascade, pool: int | None) -> tuple[str, str]:
    """One network-wide outage: its band behind the bars and its marker above the chart."""
    x1, x2 = f.x_of(c.start), f.x_of(c.end)
    if x2 - x1 < MIN_BAND_PX:
        half = MIN_BAND_PX / 2
        x1, x2 = max(f.left, (x1 + x2) / 2 - half), min(f.width - f.right, (x1 + x2) / 2 + half)
    mid = (x1 + x2) / 2
    conns = len(c.connections)
    tip = (
        f"network-wide outage {c.start:%Y-%m-%d %H:%M:%S} to {c.end:%H:%M:%S} "
        f"({format_seconds((c.end - c.start).total_seconds())}): "
        + (of(conns, pool, "connection") if pool else plural(conns, "connection"))
        + f" down, {plural(c.failures, 'failure')}"
    )
    band = (
        f'<rect class="outage" x="{x1:.1f}" y="{f.top}" width="{x2 - x1:.1f}" height="{f.plot_h}" '
        f'fill="{OUTAGE_BAND}"/>'
    )
    mark = (
        f'<g class="outage-mark"><title>{esc(tip)}</title><polygon points="{mid - 7:.1f},3 '
        f'{mid + 7:.1f},3 {mid:.1f},{f.top - 4}" fill="{OUTAGE_MARK}"/></g>'
    )
    return band, mark


def _grid(f: _Frame, peak: int) -> list[str]:
    """The horizontal lines and their counts."""
    out = []
    for tick in _ticks(peak):
        y = f.y0 - tick * f.scale
        out.append(
            f'<line x1="{f.left}" x2="{f.width - f.right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID_COLOUR}" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{f.left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="{LABEL_COLOUR}">{tick}</text>'
        )
    return out


def _bar(f: _Frame, label: str, x: float, bar_w: float, b: Bucket, reconnects_known: bool) -> list[str]:
    """One bucket's stacked bar, with its tooltip."""
    parts = [f"{cls} {n}" for cls, n in b.by_class.items()]
    tip = (
        f"{b.start:%Y-%m-%d %H:%M} ({label}): {plural(b.failures, 'failure')}"
        + (f" ({', '.join(parts)})" if parts else "")
        + (f", {plural(b.reconnects, 'reconnect')}" if reconnects_known else ", reconnects unknown")
    )
    out = [f"<g><title>{esc(tip)}</title>"]
    y: float = f.y0
    for cls in FAILURE_CLASSES:
        n = b.by_class.get(cls, 0)
        if not n:
            continue
        h = n * f.scale
        y -= h
        out.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
            f'fill="{CLASS_COLOURS[cls]}"/>'
        )
    if not b.failures:  # an invisible target so the tooltip works on empty buckets too
        out.append(
            f'<rect x="{x:.1f}" y="{f.top}" width="{bar_w:.1f}" height="{f.plot_h}" '
            'fill="#000000" fill-opacity="0"/>'
        )
    out.append("</g>")
    return out


def _x_axis(f: _Frame, tl: Timeline, fmt: str) -> list[str]:
    """The axis line, up to X_LABELS time labels under it, and the date and bucket size."""
    buckets = tl.buckets
    out = [
        f'<line x1="{f.left}" x2="{f.width - f.right}" y1="{f.y0}" y2="{f.y0}" '
        f'stroke="{AXIS_COLOUR}" stroke-width="1"/>'
    ]
    labels = min(X_LABELS, len(buckets))
    for k in range(labels):
        i = round(k * (len(buckets) - 1) / max(1, labels - 1))
        x = f.centre(i)
        out.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{f.y0}" y2="{f.y0 + 4}" stroke="{AXIS_COLOUR}"/>'
            f'<text x="{x:.1f}" y="{f.y0 + 18}" text-anchor="middle" font-size="11" fill="{LABEL_COLOUR}">'
            f"{buckets[i].start.strftime(fmt)}</text>"
        )
    out.append(
        f'<text x="{f.left}" y="{f.height - 6}" font-size="11" fill="{LABEL_COLOUR}">'
        f"{buckets[0].start:%Y-%m-%d} · one bar per {esc(tl.label)}</text>"
    )
    return out
