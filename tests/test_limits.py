"""Limits computed from the log: topics per streamer from LISTEN lines, streamers that fit, advice."""

from __future__ import annotations

import io
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLES, diagnose_text
from tests.minerlog import MINER, SOCKET, record
from wsdiag.diagnose.diagnosis import Diagnosis
from wsdiag.diagnose.limits import limits
from wsdiag.diagnose.thresholds import Thresholds
from wsdiag.pipeline import Options, analyze
from wsdiag.read.layouts import YearResolver
from wsdiag.read.scan import Scanner
from wsdiag.read.sources import resolve
from wsdiag.summary.summary import Summary

T0 = datetime(2025, 11, 29, 18, 0, 0)
sys.path.insert(0, str(ROOT / "benchmarks"))

# The miner's per-streamer topics in the order it submits them, and the setting behind each.
CHANNEL_TOPICS = [
    "video-playback-by-id",
    "raid",
    "predictions-channel-v1",
    "community-moments-channel-v1",
    "community-points-channel-v1",
]


def listen_log(streamers: int, per_streamer: int, user_topics: tuple[str, ...]) -> str:
    """A DEBUG startup: `Loading data`, then one LISTEN per topic, 50 per connection."""
    lines = [record(T0, "INFO", MINER, "run", f"Loading data for {streamers} streamers. Please wait...")]
    topics = [f"{t}.4242" for t in user_topics]
    for i in range(streamers):
        topics += [f"{kind}.{100000 + i}" for kind in CHANNEL_TOPICS[:per_streamer]]
    for n, topic in enumerate(topics):
        token = ',"auth_token":"abcdefghijklmnopqrstuvwxyz0123"' if "-user-" in topic else ""
        data = f'{{"topics":["{topic}"]{token}}}'
        msg = f'#{n // 50} - Send: {{"type":"LISTEN","nonce":"N{n:05d}","data":{data}}}'
        lines.append(record(T0 + timedelta(seconds=1 + n // 50), "DEBUG", SOCKET, "send", msg))
    lines.append(record(T0 + timedelta(hours=1), "INFO", MINER, "run", "still mining"))
    return "".join(lines)


@pytest.mark.parametrize(
    ("per_streamer", "user", "max_streamers", "settings"),
    [
        (1, ("community-points-user-v1",), 499, []),
        (2, ("community-points-user-v1",), 249, ["follow_raid"]),
        (
            5,
            ("community-points-user-v1", "predictions-user-v1"),
            99,
            ["claim_moments", "community_goals", "follow_raid", "make_predictions"],
        ),
    ],
)
def test_limits_follow_the_topics_per_streamer_in_the_log(
    tmp_path: Path, per_streamer: int, user: tuple[str, ...], max_streamers: int, settings: list[str]
) -> None:
    """1, 2 and 5 topics per streamer seen in LISTEN lines: (500 - user topics) // per streamer."""
    doc = diagnose_text(tmp_path, listen_log(120, per_streamer, user))
    lim = doc["limits"]
    assert lim["topics_per_streamer"] == per_streamer
    assert lim["topics_per_streamer_observed"] is True
    assert lim["user_topics"] == len(user)
    assert lim["user_topics_observed"] is True
    assert lim["max_streamers"] == max_streamers
    assert lim["max_topics"] == 500
    assert lim["max_connections"] == 10
    assert lim["streamers"] == 120
    assert lim["costly_settings"] == settings
    assert doc["topics"]["listened"] == 120 * per_streamer + len(user)
    for name in settings:
        assert f"{name} (+1)" in lim["recommendation"]
    assert f"Keep at most {max_streamers} streamers" in lim["recommendation"]
    assert "(observed)" in lim["recommendation"]


@pytest.mark.parametrize("per_streamer", [1, 2, 4])
def test_limits_of_generated_logs(per_streamer: int) -> None:
    """genlog's DEBUG logs with 1, 2 and 4 channel topics per streamer and 2 user topics."""
    genlog = pytest.importorskip("genlog")
    buf = io.BytesIO()
    genlog.generate(
        genlog.GenConfig(seed=9, size=400_000, connections=6, topics_per_streamer=per_streamer), buf
    )
    s = Summary()
    Scanner(s, s.input("gen.log"), YearResolver.for_log(2025)).chunk(buf.getvalue())
    lim = limits(s.finish(), Thresholds())
    assert lim.topics_per_streamer == per_streamer
    assert lim.user_topics == 2
    assert lim.max_streamers == 498 // per_streamer


def test_without_listen_lines_the_defaults_are_assumed_and_said_so() -> None:
    """An INFO log shows no topics: 4 per streamer and 2 user topics assumed, 124 streamers."""
    summary = analyze(resolve([str(SAMPLES / "storm_37conn.log")]), Options(jobs=1))
    d = Diagnosis.of(summary)
    lim = d.to_dict()["limits"]
    assert lim["topics_per_streamer"] == 4
    assert lim["topics_per_streamer_observed"] is False
    assert lim["user_topics"] == 2
    assert lim["user_topics_observed"] is False
    assert lim["max_streamers"] == 124
    assert lim["streamers"] == 900
    assert "assumed from the miner's defaults" in lim["recommendation"]
    assert "Now 900: remove 776." in lim["recommendation"]


def test_recommendation_names_settings_backoff_and_what_changes() -> None:
    """The storm log's advice: the settings, the backoff, and its numbers next to a healthy log's."""
    summary = analyze(resolve([str(SAMPLES / "storm_37conn.log")]), Options(jobs=1))
    lim = Diagnosis.of(summary).to_dict()["limits"]
    for setting in ("follow_raid", "make_predictions", "claim_moments"):
        assert setting in lim["recommendation"]
    assert "exponential backoff: 30s, doubling up to 10m, with jitter" in lim["recommendation"]
    changes = {c["metric"]: c for c in lim["changes"]}
    assert changes["connections"] == {
        "metric": "connections",
        "this_log": "37",
        "healthy": "<= 10",
        "ok": False,
    }
    assert changes["streamers"]["this_log"] == "900"
    assert changes["streamers"]["healthy"] == "<= 124"
    assert changes["ping/pong failures"]["this_log"] == "41"
    assert not changes["ping/pong failures"]["ok"]
    assert changes["ERR_BADAUTH"]["ok"] is True
    assert changes["network-wide outages"]["ok"] is True


def test_healthy_log_needs_no_change() -> None:
    """healthy_2conn.log: every headline number is already where a healthy log has it."""
    summary = analyze(resolve([str(SAMPLES / "healthy_2conn.log")]), Options(jobs=1))
    doc = Diagnosis.of(summary).to_dict()
    assert all(c["ok"] for c in doc["limits"]["changes"])
    assert doc["limits"]["topics_per_streamer"] == 2  # video-playback-by-id + raid
    assert doc["limits"]["max_streamers"] == 249


def test_limits_follow_the_thresholds() -> None:
    """--max-connections 5 halves the topics that fit."""
    summary = analyze(resolve([str(SAMPLES / "storm_37conn.log")]), Options(jobs=1))
    lim = limits(summary, Thresholds(max_connections=5))
    assert (lim.max_topics, lim.max_streamers) == (250, 62)
