"""`wsdiag check`: turn a Diagnosis into pass/fail for CI, one violation per broken rule.

Two kinds of rule fail a check: a cause whose severity is at or above ``--fail-on``, and a
threshold given on the command line that the log exceeds. Symptoms and notes never fail a check:
the causes they come from do. ``--max-connections`` is the limit the ``too-many-connections``
cause already uses, so it fails through that cause; ``--max-reconnects-per-hour`` has no cause
of its own and is measured here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wsdiag.common.words import plural
from wsdiag.diagnose.diagnosis import Diagnosis
from wsdiag.diagnose.finding import Finding
from wsdiag.diagnose.thresholds import Severity
from wsdiag.durations import format_seconds

FAIL_ON = ("error", "warning")


@dataclass(frozen=True)
class Violation:
    """One broken rule: what was measured against which limit."""

    rule: str  # cause id, or the threshold's option name without dashes
    kind: str  # "finding" (a cause) or "threshold"
    severity: str  # severity of the cause; "error" for thresholds
    measured: str
    limit: str
    option: str  # the command-line option that sets the limit
    message: str


@dataclass(frozen=True)
class CheckResult:
    fail_on: str
    violations: tuple[Violation, ...]
    below: tuple[Finding, ...]  # causes under --fail-on, symptoms, notes: reported, never failing
    notes: tuple[str, ...] = ()  # thresholds that could not be measured
    empty: tuple[str, ...] = ()  # inputs with no line to check (a log just rotated)

    @property
    def passed(self) -> bool:
        return not self.violations

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "fail_on": self.fail_on,
            "violations": [
                {
                    "rule": v.rule,
                    "kind": v.kind,
                    "severity": v.severity,
                    "measured": v.measured,
                    "limit": v.limit,
                    "option": v.option,
                    "message": v.message,
                }
                for v in self.violations
            ],
            "notes": list(self.notes),
            "empty_inputs": list(self.empty),
        }


def _at_or_above(severity: str, fail_on: str) -> bool:
    return Severity(severity) >= Severity(fail_on)


def _finding_violation(d: Diagnosis, f: Finding, fail_on: str) -> Violation:
    if f.id == "too-many-connections" and d.summary.pool_size is not None:
        measured = plural(d.summary.pool_size, "connection")
        limit, option = str(d.thresholds.max_connections), "--max-connections"
    else:
        measured = f"{f.severity} cause"
        limit, option = fail_on, "--fail-on"
    return Violation(f.id, "finding", f.severity, measured, limit, option, f.title)


def evaluate(
    d: Diagnosis, fail_on: str = "error", max_reconnects_per_hour: float | None = None
) -> CheckResult:
    """Which rules the diagnosed log breaks."""
    if fail_on not in FAIL_ON:
        raise ValueError(f"fail_on must be one of {', '.join(FAIL_ON)}")
    failing = [f for f in d.causes if _at_or_above(f.severity, fail_on)]
    violations = [_finding_violation(d, f, fail_on) for f in failing]
    below = tuple(f for f in d.findings if f not in failing)
    notes: list[str] = []
    if max_reconnects_per_hour is not None:
        s = d.summary
        hours = s.span_hours
        if not hours:
            notes.append(
                f"max-reconnects-per-hour: not measured, the log has no time span "
                f"({plural(s.reconnects, 'reconnect')})"
            )
        else:
            rate = s.reconnects / hours
            if rate > max_reconnects_per_hour:
                violations.append(
                    Violation(
                        "max-reconnects-per-hour",
                        "threshold",
                        "error",
                        f"{rate:.1f} reconnects/hour",
                        f"{max_reconnects_per_hour:g}",
                        "--max-reconnects-per-hour",
                        f"{plural(s.reconnects, 'reconnect')} in {format_seconds(hours * 3600)}",
                    )
                )
    empty = tuple(st.path for st in d.summary.inputs.values() if st.empty)
    return CheckResult(fail_on, tuple(violations), below, tuple(notes), empty)
