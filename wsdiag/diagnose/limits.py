"""What fits under Twitch's limits: streamers and topics for 10 connections of 50 topics."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from wsdiag.common.words import plural
from wsdiag.diagnose.thresholds import Thresholds
from wsdiag.durations import format_seconds
from wsdiag.summary.summary import Summary

# What the miner subscribes to per streamer with its default settings (rdavydov 2.x):
# video-playback-by-id (always), raid (follow_raid), predictions-channel-v1 (make_predictions),
# community-moments-channel-v1 (claim_moments); community_goals (off by default) adds
# community-points-channel-v1. Per account: community-points-user-v1, and predictions-user-v1
# when predictions are made.
DEFAULT_TOPICS_PER_STREAMER = 4
DEFAULT_USER_TOPICS = 2
TOPIC_SETTINGS = {
    "raid": "follow_raid",
    "predictions-channel-v1": "make_predictions",
    "community-moments-channel-v1": "claim_moments",
    "community-points-channel-v1": "community_goals",
}
DEFAULT_SETTINGS = ("follow_raid", "make_predictions", "claim_moments")

# Backoff to recommend for reconnects (the miner itself waits a fixed ~30 s).
BACKOFF_FIRST_S = 30
BACKOFF_MAX_S = 600


@dataclass(frozen=True)
class Limits:
    """What fits under Twitch's limits, computed from the topics the log shows (or assumed)."""

    max_connections: int
    max_topics: int
    topics_per_streamer: float
    topics_per_streamer_observed: bool
    user_topics: int
    max_streamers: int
    streamers: int | None
    costly_settings: tuple[str, ...] = field(default_factory=tuple)
    user_topics_observed: bool = False
    topic_kinds: dict[str, int] = field(default_factory=dict)  # channel topic kind -> streamers

    @property
    def basis(self) -> str:
        return "observed" if self.topics_per_streamer_observed else "assumed from the miner's defaults"

    def advice(self) -> str:
        """What to set: streamers, the settings that cost topics, the backoff."""
        costs = ", ".join(f"{k} (+1)" for k in self.costly_settings) or "none seen"
        text = (
            f"Keep at most {plural(self.max_streamers, 'streamer')} on one IP: {self.max_connections} "
            f"connections x {self.max_topics // max(1, self.max_connections)} topics = "
            f"{self.max_topics} topics, minus {plural(self.user_topics, 'user topic')}, at "
            f"{self.topics_per_streamer:g} topics per streamer ({self.basis})."
        )
        if self.streamers is not None and self.streamers > self.max_streamers:
            text += f" Now {self.streamers}: remove {self.streamers - self.max_streamers}."
        text += (
            f" Each streamer costs video-playback-by-id plus one topic per setting: {costs}; "
            "turn off the ones you do not need per streamer (StreamerSettings) to fit more. "
            f"Reconnect with exponential backoff: {format_seconds(BACKOFF_FIRST_S)}, doubling up to "
            f"{format_seconds(BACKOFF_MAX_S)}, with jitter (the miner itself retries every ~30s)."
        )
        return text


# `kind.id`, or `kind.user_id.channel_id` (mpforce1's `weekly-rewards`): the channel is the last part.
_CHANNEL_ID = re.compile(r"^(?P<kind>[a-z-]+-v\d|[a-z-]+)\.(?:\d{1,20}\.)?(?P<id>\d+)$")
#: Topics of the account, not of a streamer: `*-user-*` and mpforce1's newest (FORKS-2026.md 1.8).
USER_KINDS = frozenset({"onsite-notifications", "user-subscribe-events-v1", "viewer-milestones"})


def limits(s: Summary, th: Thresholds) -> Limits:
    """Topics per streamer and the number of streamers that fit in 10 x 50 topics.

    Observed from LISTEN lines (DEBUG logs) when there are any: the channel topics per channel
    id, on average, and the user topics; otherwise the miner's defaults, and said so.
    """
    channel_topics: dict[str, set[str]] = {}
    user_topics = 0
    for topic in s.topics:
        m = _CHANNEL_ID.match(topic)
        if m is None:
            continue
        if "-user-" in m.group("kind") or m.group("kind") in USER_KINDS:
            user_topics += 1
        else:
            channel_topics.setdefault(m.group("kind"), set()).add(m.group("id"))
    channels = set().union(*channel_topics.values()) if channel_topics else set()
    observed = bool(channels)
    user_observed = user_topics > 0
    if observed:
        per_streamer = sum(len(v) for v in channel_topics.values()) / len(channels)
        kinds = tuple(sorted(TOPIC_SETTINGS[k] for k in channel_topics if k in TOPIC_SETTINGS))
        if not user_observed:  # a log cut after the start: the account's topics went unseen
            user_topics = 1 + ("predictions-channel-v1" in channel_topics)
    else:
        per_streamer = float(DEFAULT_TOPICS_PER_STREAMER)
        kinds = DEFAULT_SETTINGS
        if not user_observed:
            user_topics = DEFAULT_USER_TOPICS
    max_topics = th.max_connections * th.topics_per_connection
    max_streamers = max(0, math.floor((max_topics - user_topics) / per_streamer + 1e-9))
    streamers = s.streamers
    if streamers is None and channels:
        # Channel ids count the streamers only when the log holds the whole LISTEN set: an
        # excerpt with six LISTEN lines of a 14-connection pool says nothing about the total.
        pool = s.pool_size or 1
        if len(s.topics) > (pool - 1) * th.topics_per_connection:
            streamers = len(channels)
    return Limits(
        max_connections=th.max_connections,
        max_topics=max_topics,
        topics_per_streamer=round(per_streamer, 2),
        topics_per_streamer_observed=observed,
        user_topics=user_topics,
        max_streamers=max_streamers,
        streamers=streamers,
        costly_settings=kinds,
        user_topics_observed=user_observed,
        topic_kinds={k: len(v) for k, v in sorted(channel_topics.items())},
    )
