"""Real excerpts users posted: ids, classes, reconnects and span equal the hand-counted truth."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import wsdiag
from tests.conftest import CORPUS
from wsdiag.diagnose.diagnosis import Diagnosis
from wsdiag.parse.records import FAILURE_CLASSES
from wsdiag.pipeline import Options, analyze
from wsdiag.read.sources import resolve


def _truth() -> dict[str, dict[str, object]]:
    path = CORPUS / "truth.json"
    if not path.exists():
        return {}
    data = json.loads(path.read_text())
    return {k: v for k, v in data.items() if not k.startswith("_")}


TRUTH = _truth()


def _printed(iso: str | None, less: bool) -> str | None:
    """The timestamp as the log printed it (dd/mm/yy or, for less logs, dd/mm)."""
    if iso is None:
        return None
    date, clock = iso.split("T")
    y, m, d = date.split("-")
    return f"{d}/{m} {clock}" if less else f"{d}/{m}/{y[2:]} {clock}"


@pytest.mark.parametrize("name", sorted(TRUTH) or ["<no corpus>"])
def test_corpus_file_matches_truth(corpus: Path, name: str) -> None:
    """Every public excerpt gives the hand-counted ids, pool size, classes, reconnects and span."""
    truth = TRUTH[name]
    doc = wsdiag.diagnose(str(corpus / name), jobs=1).to_dict()
    assert doc["connections"]["ids"] == truth["ids"]
    assert doc["connections"]["pool_size"] == truth["pool_size"]
    # Classes added to the contract after the hand count (`rejected`) are 0 in these excerpts.
    counted: dict[str, int] = truth["by_class"]  # type: ignore[assignment]
    assert set(counted) <= set(FAILURE_CLASSES)
    assert doc["failures"]["by_class"] == {c: counted.get(c, 0) for c in FAILURE_CLASSES}
    assert doc["reconnects"]["count"] == truth["reconnects"]
    assert doc["closes"] == truth["closed"]
    assert doc["topics"]["listened"] == truth["topics_listened"]
    ambiguous: set[str] = set(truth.get("ambiguous", []))  # type: ignore[call-overload]
    less = doc["inputs"][0]["layout"] == "less"
    if "first" not in ambiguous:
        assert _printed(doc["span"]["first"], less) == truth["first"]
    if "last" not in ambiguous:
        assert _printed(doc["span"]["last"], less) == truth["last"]


def test_corpus_simple_path_agrees(corpus: Path) -> None:
    """The per-line reference path gives the same document as the fast path on every excerpt."""
    for name in TRUTH:
        src = resolve([str(corpus / name)])
        fast = Diagnosis.of(analyze(src, Options(jobs=1, year=2025))).to_dict()
        slow = Diagnosis.of(analyze(src, Options(jobs=1, year=2025, simple=True))).to_dict()
        assert fast == slow, name


def _diagnoses() -> dict[str, dict[str, object]]:
    path = CORPUS / "diagnosis.json"
    if not path.exists():
        return {}
    data = json.loads(path.read_text())
    return {k: v for k, v in data.items() if not k.startswith("_")}


DIAGNOSES = _diagnoses()


@pytest.mark.parametrize("name", sorted(DIAGNOSES) or ["<no corpus>"])
def test_corpus_file_gets_the_experts_diagnosis(corpus: Path, name: str) -> None:
    """An acceptable primary cause, every required cause, no forbidden one, and no ok verdict
    where an expert would object (diagnosis.json)."""
    exp = DIAGNOSES[name]
    doc = wsdiag.diagnose(str(corpus / name), jobs=1).to_dict()
    diag = doc["diagnosis"]
    assert diag["primary"] in exp["primary"], (name, diag)  # type: ignore[operator]
    assert set(exp["required"]) <= set(diag["causes"]), (name, diag)  # type: ignore[call-overload]
    assert not set(exp["forbidden"]) & set(diag["causes"]), (name, diag)  # type: ignore[call-overload]
    if exp["verdict_not_ok"]:
        assert doc["verdict"] != "ok", name
