"""Before/after: the change of every headline metric between two diagnoses, and a verdict.

Two logs rarely cover the same span, so every count is turned into a rate per hour before it is
compared, and a rate only counts as changed when the change is both large (at least
:data:`MIN_RELATIVE`) and unlikely to be chance: the counts are treated as Poisson and the log
of the rate ratio is tested (Wald test, z >= :data:`Z_SIGNIFICANT`). Three failures in one hour
against none in another is noise; 300 against 30 is not.

The verdict:

* ``worse`` when something significant got worse and nothing got better, ``better`` the other
  way round, ``unchanged`` when nothing changed significantly;
* when some things got better and others worse, the total failure rate decides, then the
  connections' mean uptime (when the reports carry it), then the reconnect rate; when none of
  them moved the verdict is ``unchanged`` (both lists are reported).

Causes are listed as new, cleared or persisting, and the primary cause before and after is
named. A cause of severity error that appears or clears votes (too-many-connections, bad-auth,
tls-certificate ...); symptoms and notes (ping/pong failures, reconnect storms, network outages)
are listed but do not vote: they restate rates that already did, and their causes vote for them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from wsdiag.diagnose.diagnosis import Diagnosis
from wsdiag.diagnose.pool import per_connection_hour, pool_of
from wsdiag.parse.records import FAILURE_CLASSES
from wsdiag.summary.summary import Summary

MIN_RELATIVE = 0.20  # a rate must change by at least 20 % to count
Z_SIGNIFICANT = 1.96  # two-sided 95 %
MIN_UPTIME_CHANGE = 0.05  # absolute change of the mean uptime ratio that counts


@dataclass(frozen=True)
class Metric:
    """One headline number before and after; lower is better unless ``higher_better``."""

    name: str
    label: str
    before: float | None
    after: float | None
    status: str  # better | worse | unchanged | unknown
    before_count: int | None = None  # the events behind a rate
    after_count: int | None = None
    z: float | None = None
    higher_better: bool = False
    votes: bool = True  # False: shown, but the verdict rests on the other metrics

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def change_pct(self) -> float | None:
        if self.before is None or self.after is None or self.before == 0:
            return None
        return (self.after - self.before) / self.before * 100.0

    def to_dict(self) -> dict[str, Any]:
        change, pct = self.change, self.change_pct
        return {
            "label": self.label,
            "before": _round(self.before),
            "after": _round(self.after),
            "change": _round(change),
            "change_pct": None if pct is None else round(pct, 1),
            "before_count": self.before_count,
            "after_count": self.after_count,
            "z": None if self.z is None else round(self.z, 2),
            "status": self.status,
        }


@dataclass(frozen=True)
class FindingChange:
    id: str
    state: str  # appeared | cleared | persisting
    before: str | None  # severity before, None when absent
    after: str | None
    title: str
    kind: str = "cause"  # cause | symptom | note


@dataclass(frozen=True)
class Comparison:
    before: Diagnosis
    after: Diagnosis
    metrics: tuple[Metric, ...]  # headline metrics, in report order
    by_class: tuple[Metric, ...]  # failures per hour of each class seen in either log
    findings: tuple[FindingChange, ...]
    better: tuple[str, ...]  # reasons, in words
    worse: tuple[str, ...]
    verdict: str
    notes: tuple[str, ...] = field(default_factory=tuple)

    def metric(self, name: str) -> Metric:
        for m in (*self.metrics, *self.by_class):
            if m.name == name:
                return m
        raise KeyError(name)

    def delta(self) -> dict[str, Any]:
        """The ``delta`` object of ``compare --format json``."""
        return {
            "verdict": self.verdict,
            "better": list(self.better),
            "worse": list(self.worse),
            "notes": list(self.notes),
            "span_hours": {
                "before": _round(self.before.summary.span_hours),
                "after": _round(self.after.summary.span_hours),
            },
            "metrics": {m.name: m.to_dict() for m in self.metrics},
            "failures_per_hour_by_class": {
                m.name.removeprefix("failures_per_hour."): m.to_dict() for m in self.by_class
            },
            "findings": {
                state: [
                    {"id": f.id, "before": f.before, "after": f.after, "title": f.title}
                    for f in self.findings
                    if f.state == state
                ]
                for state in ("appeared", "cleared", "persisting")
            },
            "primary": {
                "before": None if self.before.primary is None else self.before.primary.id,
                "after": None if self.after.primary is None else self.after.primary.id,
            },
            "causes": {
                name: [
                    {"id": f.id, "before": f.before, "after": f.after, "title": f.title}
                    for f in self.causes
                    if f.state == state
                ]
                for name, state in (("new", "appeared"), ("cleared", "cleared"), ("persisting", "persisting"))
            },
        }

    @property
    def causes(self) -> tuple[FindingChange, ...]:
        """How the causes changed: new (appeared), cleared, persisting."""
        return tuple(f for f in self.findings if f.kind == "cause")

    def to_dict(self) -> dict[str, Any]:
        """``{"before": report, "after": report, "delta": {...}}``."""
        return {
            "before": self.before.to_dict(),
            "after": self.after.to_dict(),
            "delta": self.delta(),
        }


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def rate_z(n1: int, h1: float, n2: int, h2: float) -> float:
    """Wald z of log(rate2 / rate1) for Poisson counts; +0.5 keeps zero counts finite."""
    a, b = n1 + 0.5, n2 + 0.5
    return (math.log(b / h2) - math.log(a / h1)) / math.sqrt(1 / a + 1 / b)


def judge_rate(n1: int, h1: float | None, n2: int, h2: float | None) -> tuple[str, float | None]:
    """(status, z) of a count per hour; lower is better. Unknown without both spans."""
    if not h1 or not h2 or h1 <= 0 or h2 <= 0:
        return "unknown", None
    z = rate_z(n1, h1, n2, h2)
    r1, r2 = n1 / h1, n2 / h2
    big = abs(r2 - r1) >= MIN_RELATIVE * max(r1, r2)
    if big and z >= Z_SIGNIFICANT:
        return "worse", z
    if big and z <= -Z_SIGNIFICANT:
        return "better", z
    return "unchanged", z


def _rate_metric(name: str, label: str, n1: int, h1: float | None, n2: int, h2: float | None) -> Metric:
    status, z = judge_rate(n1, h1, n2, h2)
    return Metric(
        name,
        label,
        None if not h1 else n1 / h1,
        None if not h2 else n2 / h2,
        status,
        n1,
        n2,
        z,
    )


def _pool_metric(before: Diagnosis, after: Diagnosis) -> Metric:
    """The pool size only matters against Twitch's limit: shrinking below it is the fix."""
    p1, p2 = pool_of(before.summary), pool_of(after.summary)
    limit = after.thresholds.max_connections
    status = "unknown" if p1 is None or p2 is None else "unchanged"
    if p1 is not None and p2 is not None:
        if p2 < p1 and p1 > limit:
            status = "better"
        elif p2 > p1 and p2 > limit:
            status = "worse"
    return Metric(
        "pool_size",
        "pool size (connections)",
        None if p1 is None else float(p1),
        None if p2 is None else float(p2),
        status,
    )


def _per_connection_metric(s1: Summary, s2: Summary) -> Metric | None:
    """Reconnects per connection per hour, over each log's pool (the one pool definition of
    :mod:`wsdiag.diagnose.pool`). Shown, not voting: reconnects per hour already vote, and a
    pool cut to fit Twitch's limit raises the rate per connection while it lowers the total."""
    p1, p2 = pool_of(s1), pool_of(s2)
    r1, r2 = per_connection_hour(s1.reconnects, s1), per_connection_hour(s2.reconnects, s2)
    if r1 is None and r2 is None:
        return None
    h1 = (s1.span_hours or 0) * (p1 or 0)
    h2 = (s2.span_hours or 0) * (p2 or 0)
    status, z = judge_rate(s1.reconnects, h1, s2.reconnects, h2)
    return Metric(
        "reconnects_per_connection_hour",
        "reconnects per connection per hour",
        r1,
        r2,
        status,
        s1.reconnects,
        s2.reconnects,
        z,
        votes=False,
    )


def mean_uptime(report: dict[str, Any]) -> float | None:
    """Mean ``uptime_ratio`` over connections, when the report carries per-connection health."""
    per = report.get("connections", {}).get("per_connection", {})
    ratios = []
    for conn in per.values():
        health = conn.get("health") if isinstance(conn, dict) else None
        ratio = health.get("uptime_ratio") if isinstance(health, dict) else None
        if isinstance(ratio, (int, float)):
            ratios.append(float(ratio))
    return sum(ratios) / len(ratios) if ratios else None


def _uptime_metric(r1: dict[str, Any], r2: dict[str, Any]) -> Metric | None:
    u1, u2 = mean_uptime(r1), mean_uptime(r2)
    if u1 is None and u2 is None:
        return None
    status = "unknown"
    if u1 is not None and u2 is not None:
        status = "unchanged"
        if u2 - u1 >= MIN_UPTIME_CHANGE:
            status = "better"
        elif u1 - u2 >= MIN_UPTIME_CHANGE:
            status = "worse"
    return Metric("uptime", "mean connection uptime", u1, u2, status, higher_better=True)


def _cascade_metric(
    r1: dict[str, Any], h1: float | None, r2: dict[str, Any], h2: float | None
) -> Metric | None:
    c1, c2 = r1.get("cascades"), r2.get("cascades")
    if not isinstance(c1, list) or not isinstance(c2, list):
        return None
    # The JSON name stays (schema wsdiag/1); what people read says what it is.
    return _rate_metric("cascades_per_hour", "network-wide outages per hour", len(c1), h1, len(c2), h2)


def _finding_changes(before: Diagnosis, after: Diagnosis) -> list[FindingChange]:
    b = {f.id: f for f in before.findings}
    a = {f.id: f for f in after.findings}
    out: list[FindingChange] = []
    for fid, f in a.items():
        if fid in b:
            out.append(FindingChange(fid, "persisting", b[fid].severity, f.severity, f.title, f.kind))
        else:
            out.append(FindingChange(fid, "appeared", None, f.severity, f.title, f.kind))
    for fid, f in b.items():
        if fid not in a:
            out.append(FindingChange(fid, "cleared", f.severity, None, f.title, f.kind))
    # Causes first (cleared ones too), as each diagnosis lists them.
    return sorted(out, key=lambda fc: fc.kind != "cause")


def _describe(m: Metric) -> str:
    if m.name == "pool_size":
        return f"pool size {m.before:g} → {m.after:g} connections"
    if m.name == "uptime":
        return f"{m.label} {m.before:.0%} → {m.after:.0%}"
    return f"{m.label} {m.before:.2f} → {m.after:.2f}"


def compare(before: Diagnosis, after: Diagnosis) -> Comparison:
    """Compare two diagnoses on rates per hour; see the module docstring for the verdict."""
    s1, s2 = before.summary, after.summary
    h1, h2 = s1.span_hours, s2.span_hours
    r1, r2 = before.to_dict(), after.to_dict()
    metrics: list[Metric] = [
        _pool_metric(before, after),
        _rate_metric("failures_per_hour", "failures per hour", s1.failures_total, h1, s2.failures_total, h2),
        _rate_metric("reconnects_per_hour", "reconnects per hour", s1.reconnects, h1, s2.reconnects, h2),
    ]
    for extra in (_per_connection_metric(s1, s2), _uptime_metric(r1, r2), _cascade_metric(r1, h1, r2, h2)):
        if extra is not None:
            metrics.append(extra)
    by_class = [
        _rate_metric(
            f"failures_per_hour.{cls}",
            f"{cls} per hour",
            s1.by_class.get(cls, 0),
            h1,
            s2.by_class.get(cls, 0),
            h2,
        )
        for cls in FAILURE_CLASSES
        if s1.by_class.get(cls, 0) or s2.by_class.get(cls, 0)
    ]
    changes = _finding_changes(before, after)
    better, worse = _votes((*metrics, *by_class), changes)

    notes: list[str] = []
    if not h1 or not h2:
        notes.append("a log without a time span: rates cannot be compared, only findings")
    verdict = _verdict(better, worse, metrics)
    return Comparison(
        before,
        after,
        tuple(metrics),
        tuple(by_class),
        tuple(changes),
        tuple(better),
        tuple(worse),
        verdict,
        tuple(notes),
    )


def _votes(metrics: tuple[Metric, ...], changes: list[FindingChange]) -> tuple[list[str], list[str]]:
    """What got better and what worse: the metrics that vote, then the causes' changes."""
    better: list[str] = []
    worse: list[str] = []
    for m in metrics:
        if m.votes and m.status == "better":
            better.append(_describe(m))
        elif m.votes and m.status == "worse":
            worse.append(_describe(m))
    for fc in changes:
        if fc.kind == "cause":
            _cause_vote(fc, better, worse)
    return better, worse


def _cause_vote(fc: FindingChange, better: list[str], worse: list[str]) -> None:
    """A cause that cleared or stopped being an error is better; a new error cause, or one
    that became an error, worse."""
    if fc.state == "cleared" and fc.before == "error":
        better.append(f"cause {fc.id} cleared")
    elif fc.state == "appeared" and fc.after == "error":
        worse.append(f"new cause {fc.id}")
    elif fc.state == "persisting" and fc.before != fc.after:
        if fc.after == "error":
            worse.append(f"cause {fc.id} became an error")
        elif fc.before == "error":
            better.append(f"cause {fc.id} is no longer an error")


def _verdict(better: list[str], worse: list[str], metrics: list[Metric]) -> str:
    if better and not worse:
        return "better"
    if worse and not better:
        return "worse"
    if not better and not worse:
        return "unchanged"
    status = {m.name: m.status for m in metrics}
    for name in ("failures_per_hour", "uptime", "reconnects_per_hour"):
        if status.get(name) in ("better", "worse"):
            return status[name]
    return "unchanged"
