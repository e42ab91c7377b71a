"""The typed domain: failure classes and their groups, and ordered severities."""

from __future__ import annotations

import json

import pytest

from wsdiag.diagnose.thresholds import SEVERITIES, Severity, at_least
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
