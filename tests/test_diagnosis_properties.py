"""Properties of every diagnosis, on generated logs of every shape: the primary is the first
cause, causes lead the findings, symptoms name only causes that are there, and no failure is
explained twice."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wsdiag.diagnose import CAUSES, TWITCH_SIDE
from wsdiag.diagnose.diagnosis import Diagnosis
from wsdiag.read.layouts import YearResolver
from wsdiag.read.scan import Scanner
from wsdiag.summary.summary import Summary

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import genlog

configs = st.fixed_dictionaries(
    {
        "seed": st.integers(0, 10_000),
        "size": st.integers(2_000, 120_000),
        "layout": st.sampled_from(genlog.LAYOUTS),
        "level": st.sampled_from(genlog.LEVELS),
        "connections": st.integers(1, 16),
        "failure_rate": st.sampled_from([0.0, 0.002, 0.02, 0.1]),
        "outages": st.integers(0, 2),
        "year_rollover": st.booleans(),
        "echoes": st.booleans(),
    }
)


def _diagnose(cfg: dict[str, Any]) -> dict[str, Any]:
    buf = io.BytesIO()
    genlog.generate(genlog.GenConfig(**cfg), buf)
    summary = Summary()
    Scanner(summary, summary.input("gen.log"), YearResolver.for_log(2025)).chunk(buf.getvalue())
    return Diagnosis.of(summary.finish()).to_dict()


def check_invariants(doc: dict[str, Any]) -> None:
    """What every diagnosis must keep (DIAGNOSIS.md)."""
    diag = doc["diagnosis"]
    causes = diag["causes"]
    findings = doc["findings"]
    assert set(causes) <= set(CAUSES)
    assert len(set(causes)) == len(causes)
    assert diag["primary"] == (causes[0] if causes else None)
    kinds = [f["kind"] for f in findings]
    assert kinds == sorted(kinds, key=["cause", "symptom", "note"].index)
    assert [f["id"] for f in findings if f["kind"] == "cause"] == causes
    for f in findings:
        assert set(f["because_of"]) <= set(causes)
        if f["kind"] != "cause":
            assert f["explains"] == 0
        else:
            assert f["because_of"] == []
    assert sum(f["explains"] for f in findings) <= doc["failures"]["total"]
    worst = min((("error", "warning", "info").index(f["severity"]) for f in findings if f["kind"] == "cause"), default=2)
    assert doc["verdict"] == ("error", "warning", "ok")[worst]
    if any(c not in TWITCH_SIDE for c in causes):
        assert "twitch-closes" not in causes
    if (doc["connections"]["pool_size"] or 0) <= 10:
        assert "too-many-connections" not in causes
        assert not any("Keep at most" in f["recommendation"] for f in findings)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs)
def test_every_generated_diagnosis_keeps_the_invariants(cfg: dict[str, Any]) -> None:
    """Whatever the layout, pool, failure mix and outages, the diagnosis is consistent."""
    check_invariants(_diagnose(cfg))


def test_a_generated_outage_is_the_network() -> None:
    """A generated log with outages of the whole pool: network-instability is found, and the
    outages are its symptom."""
    doc = _diagnose({"seed": 3, "size": 400_000, "connections": 6, "failure_rate": 0.002, "outages": 2})
    check_invariants(doc)
    assert "network-instability" in doc["diagnosis"]["causes"]
    outages = next(f for f in doc["findings"] if f["id"] == "network-outages")
    assert "network-instability" in outages["because_of"]
