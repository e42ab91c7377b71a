"""A summary sent from a worker process (pickle) or copied deep arrives whole: its minutes rebuilt
as Minute objects equal to the ones sent, everything else as it was."""

from __future__ import annotations

import copy
import pickle
from pathlib import Path

import pytest

from wsdiag.commands.inputs import readable
from wsdiag.pipeline import Options, analyze
from wsdiag.summary.minutes import Minute
from wsdiag.summary.summary import Summary

SAMPLES = Path(__file__).resolve().parent.parent / "sample_logs"


def _summary(name: str) -> Summary:
    with readable([str(SAMPLES / name)], Options(year=2025, jobs=1), None, None) as (sources, opts):
        return analyze(sources, opts)


@pytest.mark.parametrize("name", ["storm_37conn.log", "outage.log", "hermes_file.log", "less_rollover.log"])
def test_a_pickled_summary_equals_the_one_sent(name: str) -> None:
    """Minutes, counts and connections survive pickle, and the minutes are Minutes again."""
    summary = _summary(name)
    assert summary.minutes  # there is something to carry
    back = pickle.loads(pickle.dumps(summary, pickle.HIGHEST_PROTOCOL))
    assert back == summary
    assert all(type(m) is Minute for m in back.minutes.values())
    assert list(back.minutes) == list(summary.minutes)  # the order minutes began in (Summary.forget)


def test_a_deep_copy_shares_no_minute() -> None:
    """copy.deepcopy (Summary.snapshot) goes through the same state: equal minutes, none shared."""
    summary = _summary("outage.log")
    twin = copy.deepcopy(summary)
    assert twin.minutes == summary.minutes
    assert not {id(m) for m in twin.minutes.values()} & {id(m) for m in summary.minutes.values()}
