"""The typed domain: failure classes and their groups, and ordered severities."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from wsdiag.diagnose.thresholds import SEVERITIES, Severity, at_least
from wsdiag.diagnose.wording import LABELS
from wsdiag.parse.records import (
    FAILURE_CLASSES,
    LINK_CLASSES,
    NETWORK_CLASSES,
    NOT_CONNECTION_FAILURES,
    OFFLINE_CLASSES,
    PING_CLASSES,
    WATCHDOG_CLASSES,
    FailureClass,
)
from wsdiag.report.html_chart import CLASS_COLOURS

ROOT = Path(__file__).resolve().parent.parent


def test_failure_classes_are_the_json_names_in_report_order() -> None:
    """Each class is its JSON name, in the order reports list them; JSON writes the plain name."""
    assert [str(c) for c in FAILURE_CLASSES] == [
        "ping_pong", "pong_timeout", "ping_stalled", "broken_pipe", "ssl", "connection_reset",
        "timeout", "dns", "no_internet", "reconnect_requested", "bad_auth", "rejected", "other",
    ]
    assert FailureClass("ssl") is FailureClass.SSL
    assert str.__eq__(FailureClass.SSL, "ssl")
    assert f"{FailureClass.PING_PONG}" == "ping_pong"
    assert json.dumps({FailureClass.DNS: [FailureClass.DNS]}) == '{"dns": ["dns"]}'


def test_groups_partition_what_they_should() -> None:
    """The network classes are the link, offline and TLS ones; watchdogs are ping failures."""
    assert set(NETWORK_CLASSES) == {*LINK_CLASSES, *OFFLINE_CLASSES, FailureClass.SSL}
    assert set(WATCHDOG_CLASSES) < set(PING_CLASSES)
    assert not set(PING_CLASSES) & set(NETWORK_CLASSES)
    assert not set(NOT_CONNECTION_FAILURES) & {*PING_CLASSES, *NETWORK_CLASSES}


def test_severities_are_ordered_by_how_severe() -> None:
    """ERROR > WARNING > INFO, a plain name compares as its severity, and max is the worst."""
    assert Severity.ERROR > Severity.WARNING > Severity.INFO
    assert Severity.INFO < "warning"
    assert Severity.WARNING >= "warning"
    assert max(Severity.INFO, Severity.ERROR, Severity.WARNING) is Severity.ERROR
    assert sorted(SEVERITIES) == [Severity.INFO, Severity.WARNING, Severity.ERROR]
    assert at_least("error", "warning")
    assert at_least("warning", "warning")
    assert not at_least("info", "warning")
    with pytest.raises(ValueError, match="fatal"):
        assert Severity.ERROR < "fatal"


def test_every_failure_class_has_a_label_and_a_colour_of_its_own() -> None:
    """Evidence labels and HTML colours are keyed by every FailureClass member, nothing else;
    no two classes share a colour."""
    for table in (LABELS, CLASS_COLOURS):
        assert list(table) == list(FAILURE_CLASSES)
        assert all(type(k) is FailureClass for k in table)
    assert len(set(CLASS_COLOURS.values())) == len(CLASS_COLOURS)


def _class_literals(path: Path) -> list[str]:
    """`file:line value` of each string constant in ``path`` that is a failure class name
    (docstrings aside)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    names = {str(c) for c in FailureClass}
    return [
        f"{path.parent.name}/{path.name}:{node.lineno} {node.value}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value in names and id(node) not in docs
    ]


def test_summary_diagnosis_and_reports_name_classes_by_the_enum() -> None:
    """No failure class is spelled as a string literal past the parser: summary, diagnosis and
    reports use FailureClass members (one definition of each class)."""
    found = [
        hit
        for pkg in ("summary", "diagnose", "report", "common")
        for path in sorted((ROOT / "wsdiag" / pkg).glob("*.py"))
        for hit in _class_literals(path)
    ]
    assert found == []


def test_the_literal_check_can_fail(tmp_path: Path) -> None:
    """The check above finds a class name in code, and skips it in a docstring."""
    probe = tmp_path / "probe.py"
    probe.write_text('"""Mentions "ssl" in a docstring."""\nX = {"timeout": 1}\n', encoding="utf-8")
    assert _class_literals(probe) == [f"{tmp_path.name}/probe.py:2 timeout"]
