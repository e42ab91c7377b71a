"""Rules that turn a Summary into root-cause findings, each with evidence and a recommendation."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from wsdiag.analyze import Summary

SEVERITIES = ("error", "warning", "info")
NETWORK_CLASSES = ("broken_pipe", "ssl", "connection_reset", "timeout", "dns", "no_internet")
PING_CLASSES = ("ping_pong", "pong_timeout", "ping_stalled")

# What the miner subscribes to per streamer with its default settings (rdavydov 2.x):
# video-playback-by-id, raid (follow_raid), predictions-channel-v1 (make_predictions),
# community-moments-channel-v1 (claim_moments). community_goals adds one more.
DEFAULT_TOPICS_PER_STREAMER = 4
DEFAULT_USER_TOPICS = 2
TOPIC_SETTINGS = {
    "raid": "follow_raid",
    "predictions-channel-v1": "make_predictions",
    "community-moments-channel-v1": "claim_moments",
    "community-points-channel-v1": "community_goals",
}


@dataclass(frozen=True)
class Thresholds:
    """Limits the findings use; every one can be overridden on the command line."""

    max_connections: int = 10  # Twitch: at most 10 PubSub connections per IP
    topics_per_connection: int = 50  # Twitch: at most 50 topics per connection
    network_min: int = 3  # network failures before network-instability is reported
    network_error_per_hour: float = 10.0
    ping_min: int = 3  # ping/pong failures before ping-pong-failures is reported
    ping_error_per_hour: float = 10.0
    storm_min: int = 5  # reconnects before a storm can be declared
    storm_per_conn_hour: float = 6.0  # reconnects per connection per hour
    storm_error_per_conn_hour: float = 30.0
    storm_pool_per_hour: float = 12.0  # reconnects per hour across the pool (one every 5 min)
    storm_error_pool_per_hour: float = 60.0


@dataclass(frozen=True)
class Finding:
    id: str
    severity: str
    title: str
    evidence: tuple[str, ...] = ()
    recommendation: str = ""


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


_CHANNEL_ID = re.compile(r"^(?P<kind>[a-z-]+-v\d|[a-z-]+)\.(?P<id>\d+)$")


def limits(s: Summary, th: Thresholds) -> Limits:
    """Topics per streamer and the number of streamers that fit in 10 x 50 topics."""
    channel_topics: dict[str, set[str]] = {}
    user_topics = 0
    for topic in s.topics:
        m = _CHANNEL_ID.match(topic)
        if m is None:
            continue
        if "-user-" in m.group("kind"):
            user_topics += 1
        else:
            channel_topics.setdefault(m.group("kind"), set()).add(m.group("id"))
    channels = set().union(*channel_topics.values()) if channel_topics else set()
    observed = bool(channels)
    if observed:
        per_streamer = sum(len(v) for v in channel_topics.values()) / len(channels)
        kinds = tuple(sorted(TOPIC_SETTINGS[k] for k in channel_topics if k in TOPIC_SETTINGS))
    else:
        per_streamer = float(DEFAULT_TOPICS_PER_STREAMER)
        user_topics = DEFAULT_USER_TOPICS
        kinds = ("follow_raid", "make_predictions", "claim_moments")
    max_topics = th.max_connections * th.topics_per_connection
    max_streamers = max(0, math.floor((max_topics - user_topics) / per_streamer))
    streamers = s.streamers if s.streamers is not None else (len(channels) or None)
    return Limits(
        max_connections=th.max_connections,
        max_topics=max_topics,
        topics_per_streamer=round(per_streamer, 2),
        topics_per_streamer_observed=observed,
        user_topics=user_topics,
        max_streamers=max_streamers,
        streamers=streamers,
        costly_settings=kinds,
    )


def _rate(n: int, hours: float | None) -> float | None:
    if hours is None or hours <= 0:
        return None
    return n / hours


def _per_hour(n: int, hours: float | None) -> str:
    rate = _rate(n, hours)
    return f"{n}" if rate is None else f"{n} ({rate:.1f}/h)"


def _too_many(s: Summary, th: Thresholds, lim: Limits) -> Finding | None:
    pool = s.pool_size
    if pool is None or pool <= th.max_connections:
        return None
    evidence = [
        f"pool size {pool} (connection ids up to #{pool - 1}); Twitch allows {th.max_connections} per IP",
        f"about {(pool - 1) * th.topics_per_connection + 1}-{pool * th.topics_per_connection} topics "
        f"at {th.topics_per_connection} per connection",
    ]
    if lim.streamers is not None:
        evidence.append(f"{lim.streamers} streamers watched")
    how = "observed" if lim.topics_per_streamer_observed else "assumed (miner defaults)"
    settings = ", ".join(f"{k}=False" for k in lim.costly_settings) or "follow_raid=False"
    rec = (
        f"Keep at most {lim.max_streamers} streamers: {th.max_connections} connections x "
        f"{th.topics_per_connection} topics = {lim.max_topics} topics, {lim.topics_per_streamer:g} "
        f"topics per streamer ({how}) plus {lim.user_topics} user topics. To keep more streamers, "
        f"turn off per-streamer topics you do not need ({settings}), or split them across "
        f"miners on different IPs."
    )
    return Finding(
        "too-many-connections",
        "error",
        f"{pool} PubSub connections open; Twitch allows {th.max_connections} per IP",
        tuple(evidence),
        rec,
    )


def _network(s: Summary, th: Thresholds) -> Finding | None:
    counts = {c: s.by_class.get(c, 0) for c in NETWORK_CLASSES if s.by_class.get(c, 0)}
    total = sum(counts.values())
    if total < th.network_min:
        return None
    hours = s.span_hours
    rate = _rate(total, hours)
    severity = "error" if rate is not None and rate >= th.network_error_per_hour else "warning"
    evidence = [f"{_per_hour(total, hours)} network failures"]
    evidence += [f"{c}: {n}" for c, n in sorted(counts.items(), key=lambda kv: -kv[1])]
    hints = []
    if counts.get("ssl"):
        hints.append(
            "SSL errors: check the system clock, antivirus/proxy TLS interception and CA certificates"
        )
    if counts.get("dns") or counts.get("no_internet"):
        hints.append("DNS/no-internet: the host lost its network; check Wi-Fi/router and DNS")
    if counts.get("connection_reset") or counts.get("broken_pipe") or counts.get("timeout"):
        hints.append(
            "resets/timeouts: use a wired connection, check router/VPN idle timeouts, and keep the "
            "pool small so fewer sockets are exposed"
        )
    rec = (
        "; ".join(hints)
        + ". Reconnect with exponential backoff (e.g. 30 s doubling to 10 min) rather than a fixed delay."
    )
    return Finding(
        "network-instability",
        severity,
        f"{total} network failures (resets, broken pipes, SSL, timeouts, DNS, no internet)",
        tuple(evidence),
        rec,
    )


def _ping(s: Summary, th: Thresholds) -> Finding | None:
    counts = {c: s.by_class.get(c, 0) for c in PING_CLASSES if s.by_class.get(c, 0)}
    total = sum(counts.values())
    if total < th.ping_min:
        return None
    rate = _rate(total, s.span_hours)
    severity = "error" if rate is not None and rate >= th.ping_error_per_hour else "warning"
    evidence = [f"{_per_hour(total, s.span_hours)} ping/pong failures"]
    evidence += [f"{c}: {n}" for c, n in counts.items()]
    pool = s.pool_size
    if pool is not None and pool > th.max_connections:
        evidence.append(f"{pool} connections share one host and IP")
    rec = (
        "Twitch closes a connection (code 4100 'ping pong failed') when it misses PINGs. Reduce "
        f"the pool to {th.max_connections} connections or fewer, make sure the host is not "
        "CPU-starved (Raspberry Pi, small VPS) and its clock is synchronised (NTP)."
    )
    return Finding(
        "ping-pong-failures", severity, f"{total} ping/pong failures", tuple(evidence), rec
    )


def _storm(s: Summary, th: Thresholds) -> Finding | None:
    n = s.reconnects
    if n < th.storm_min:
        return None
    hours = s.span_hours
    conns = max(1, len([c for c, cs in s.conns.items() if cs.reconnects]) or len(s.ids) or 1)
    rate = None if not hours else n / hours / conns
    pool_rate = None if not hours else n / hours
    # A storm is a high rate on the connections that reconnect, or on the pool as a whole
    # (37 connections reconnecting "only" twice an hour each is still a reconnect every 2 min).
    if (
        rate is not None
        and pool_rate is not None
        and rate < th.storm_per_conn_hour
        and pool_rate < th.storm_pool_per_hour
    ):
        return None
    severe = rate is not None and pool_rate is not None and (
        rate >= th.storm_error_per_conn_hour or pool_rate >= th.storm_error_pool_per_hour
    )
    severity = "error" if severe else "warning"
    evidence = [f"{_per_hour(n, hours)} reconnects over {conns} connection(s)"]
    if rate is not None:
        evidence.append(
            f"{rate:.1f} reconnects per connection per hour (threshold {th.storm_per_conn_hour:g})"
        )
    if s.failures_total == 0 and s.closes:
        evidence.append(
            f"{s.closes} 'WebSocket closed' lines with no error line: the server closes the socket "
            "right after it opens (close/reconnect loop)"
        )
    rec = (
        "Back off between reconnects (exponential, 30 s doubling up to 10 min, with jitter) "
        "instead of reconnecting every ~30-60 s; a loop of closes with no errors usually means "
        "an outdated miner or websocket-client version or a rejected login: update both and "
        "re-create the cookie file."
    )
    return Finding(
        "reconnect-storm", severity, f"reconnect storm: {n} reconnects", tuple(evidence), rec
    )


def _bad_auth(s: Summary, th: Thresholds) -> Finding | None:
    n = s.by_class.get("bad_auth", 0)
    if not n:
        return None
    evidence = [f"{n} ERR_BADAUTH answer(s) to LISTEN requests"]
    if s.badauth_hint:
        evidence.append("the miner says: outdated cookie file")
    rec = (
        "Your Twitch login cookie is outdated or revoked. Stop the miner, delete "
        "cookies/<your username>.pkl (cookies\\<your username>.pkl on Windows) and start it "
        "again to log in anew."
    )
    return Finding(
        "bad-auth", "error", "Twitch rejected the login token (ERR_BADAUTH)", tuple(evidence), rec
    )


def findings(s: Summary, th: Thresholds | None = None) -> list[Finding]:
    """All findings, most severe first."""
    th = th or Thresholds()
    lim = limits(s, th)
    found = [
        f
        for f in (
            _too_many(s, th, lim),
            _bad_auth(s, th),
            _ping(s, th),
            _network(s, th),
            _storm(s, th),
        )
        if f is not None
    ]
    return sorted(found, key=lambda f: SEVERITIES.index(f.severity))
