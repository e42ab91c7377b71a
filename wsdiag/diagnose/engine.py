"""From evidence to the list of findings: causes (ranked), then symptoms, then notes."""

from __future__ import annotations

from wsdiag.diagnose.advice import explain
from wsdiag.diagnose.cascades import Cascades
from wsdiag.diagnose.causes import decide
from wsdiag.diagnose.evidence import Evidence
from wsdiag.diagnose.finding import Finding
from wsdiag.diagnose.health import Health
from wsdiag.diagnose.symptoms import notes, symptoms
from wsdiag.diagnose.thresholds import Thresholds
from wsdiag.summary.summary import Summary


def diagnose(ev: Evidence) -> list[Finding]:
    """Causes most important first, then the symptoms they explain, then notes."""
    causes = decide(ev)
    return [*(explain(ev, c) for c in causes), *symptoms(ev, causes), *notes(ev, causes)]


def findings(
    s: Summary,
    th: Thresholds | None = None,
    *,
    cas: Cascades | None = None,
    hs: dict[int, Health] | None = None,
) -> list[Finding]:
    """The findings of a finished summary (see :func:`diagnose`)."""
    return diagnose(Evidence.of(s, th, cas, hs))
