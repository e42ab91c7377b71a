"""Rules that turn a Summary into root-cause findings, each with evidence and a recommendation."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime

from wsdiag.analyze import Summary
from wsdiag.cascades import WINDOW, Cascades, cascades
from wsdiag.health import Health, health

SEVERITIES = ("error", "warning", "info")
NETWORK_CLASSES = ("broken_pipe", "ssl", "connection_reset", "timeout", "dns", "no_internet")
PING_CLASSES = ("ping_pong", "pong_timeout", "ping_stalled")

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

# What a healthy miner log looks like, for "what changes between this log and a healthy one".
HEALTHY_RECONNECTS_PER_CONN_HOUR = 0.5  # at most one reconnect per connection every 2 h
HEALTHY_UPTIME = 0.99


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
    user_topics_observed: bool = False
    topic_kinds: dict[str, int] = field(default_factory=dict)  # channel topic kind -> streamers

    @property
    def basis(self) -> str:
        return "observed" if self.topics_per_streamer_observed else "assumed from the miner's defaults"

    def advice(self) -> str:
        """What to set: streamers, the settings that cost topics, the backoff."""
        costs = ", ".join(f"{k} (+1)" for k in self.costly_settings) or "none seen"
        text = (
            f"Keep at most {self.max_streamers} streamers on one IP: {self.max_connections} "
            f"connections x {self.max_topics // max(1, self.max_connections)} topics = "
            f"{self.max_topics} topics, minus {self.user_topics} user topics, at "
            f"{self.topics_per_streamer:g} topics per streamer ({self.basis})."
        )
        if self.streamers is not None and self.streamers > self.max_streamers:
            text += f" Now {self.streamers}: remove {self.streamers - self.max_streamers}."
        text += (
            f" Each streamer costs video-playback-by-id plus one topic per setting: {costs}; "
            "turn off the ones you do not need per streamer (StreamerSettings) to fit more. "
            f"Reconnect with exponential backoff: {BACKOFF_FIRST_S} s, doubling up to "
            f"{BACKOFF_MAX_S // 60} min, with jitter (the miner itself retries every ~30 s)."
        )
        return text


_CHANNEL_ID = re.compile(r"^(?P<kind>[a-z-]+-v\d|[a-z-]+)\.(?P<id>\d+)$")


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
        if "-user-" in m.group("kind"):
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
    rec = lim.advice() + " Or split the streamers across miners on different IPs."
    return Finding(
        "too-many-connections",
        "error",
        f"{pool} PubSub connections open; Twitch allows {th.max_connections} per IP",
        tuple(evidence),
        rec,
    )


def _network(s: Summary, th: Thresholds, cas: Cascades | None = None) -> Finding | None:
    counts = {c: s.by_class.get(c, 0) for c in NETWORK_CLASSES if s.by_class.get(c, 0)}
    total = sum(counts.values())
    if total < th.network_min:
        return None
    hours = s.span_hours
    rate = _rate(total, hours)
    severity = "error" if rate is not None and rate >= th.network_error_per_hour else "warning"
    evidence = [f"{_per_hour(total, hours)} network failures"]
    evidence += [f"{c}: {n}" for c, n in sorted(counts.items(), key=lambda kv: -kv[1])]
    if cas is not None and cas.items:
        inside = sum(n for c, n in cas.by_class().items() if c in NETWORK_CLASSES)
        line = f"{inside} of {total} came in {len(cas.items)} network-wide outage(s) ({inside / total:.0%})"
        if inside < total:
            line += "; the rest hit single connections"
        evidence.append(line)
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


def _when(a: datetime, b: datetime) -> str:
    mins = max(1, round((b - a).total_seconds() / 60))
    end = f"{b:%H:%M}" if a.date() == b.date() else f"{b:%Y-%m-%d %H:%M}"
    return f"{a:%Y-%m-%d %H:%M}-{end} ({mins} min)"


def _network_outages(s: Summary, cas: Cascades) -> Finding | None:
    items = [c for c in cas.items if c.kind in ("network", "host")]
    if not items:
        return None
    pool = len(s.ids)
    failures = sum(c.failures for c in items)
    share = failures / s.failures_total if s.failures_total else 0.0
    hosts = sum(c.kind == "host" for c in items)
    evidence = []
    for c in items[:5]:
        line = f"{_when(c.start, c.end)}: {len(c.connections)} of {pool} connections went down"
        line += f", {c.failures} failures"
        if c.confirmed:
            line += f", {c.confirmed} reported no internet"
        if c.kind == "host":
            line += " (missed PINGs: the host stalled or lost the network)"
        evidence.append(line)
    if len(items) > 5:
        evidence.append(f"... and {len(items) - 5} more")
    evidence.append(f"these outages explain {failures} of {s.failures_total} failures ({share:.0%})")
    rec = (
        "Many connections failing in the same minute is the host or its network, not Twitch and "
        "not the miner's settings. Look at what happened at these times: router/modem or ISP "
        "reconnects (their logs), Wi-Fi drops or power saving, a VPN or proxy reconnecting, the "
        "Docker host's network"
    )
    if hosts:
        rec += ", the machine sleeping or being starved of CPU (missed PINGs on every connection)"
    rec += ". A wired connection and a host that does not sleep remove the usual causes."
    n = len(items)
    title = f"{n} network-wide outage{'s' if n != 1 else ''}: connections dropped together"
    severity = "error" if share >= 0.5 and n >= 3 else "warning"
    return Finding("network-outages", severity, title, tuple(evidence), rec)


def _server_reconnects(s: Summary, cas: Cascades) -> Finding | None:
    items = [c for c in cas.items if c.kind == "server"]
    if not items:
        return None
    evidence = [
        f"{_when(c.start, c.end)}: {len(c.connections)} connections told to reconnect"
        for c in items[:5]
    ]
    return Finding(
        "twitch-reconnects",
        "info",
        f"Twitch asked the connections to reconnect all at once ({len(items)}x)",
        tuple(evidence),
        "Twitch moves PubSub connections off a server this way (maintenance, deploys); "
        "nothing to change as long as the reconnects succeed.",
    )


def _pattern(
    s: Summary, th: Thresholds, cas: Cascades, hs: dict[int, Health]
) -> Finding | None:
    """Which explanation the evidence supports: network-wide events or single connections."""
    total = s.failures_total
    if total < th.network_min:
        return None
    share = cas.share or 0.0
    pool = len(s.ids)
    failing = [h for h in hs.values() if h.failures]
    worst = max(failing, key=lambda h: (h.failures, -h.conn), default=None)
    ratios = sorted(r for h in hs.values() if (r := h.uptime_ratio) is not None)
    if cas.items:
        evidence = [
            f"{cas.explained} of {total} failures ({share:.0%}) came in "
            f"{len(cas.items)} network-wide outage(s)"
        ]
        spread = f"only {share:.0%} in network-wide outages"
    else:
        need = f"{cas.needed} connections" if cas.needed else "most connections"
        evidence = [f"no network-wide outage: {need} never went down within {WINDOW} minutes"]
        spread = "never network-wide"
    if pool:
        evidence.append(f"{len(failing)} of {pool} connections had failures")
    if worst is not None and len(failing) > 1:
        evidence.append(
            f"the worst, #{worst.conn}, had {worst.failures} ({worst.failures / total:.0%}); "
            f"mostly {worst.top_class}"
        )
    if ratios:
        evidence.append(
            f"uptime per connection: median {ratios[len(ratios) // 2]:.1%}, worst {ratios[0]:.1%}"
        )
    if share >= 0.5:
        return Finding(
            "failure-pattern",
            "info",
            f"Most failures ({share:.0%}) came in network-wide outages: the host or its network",
            tuple(evidence),
            "Fix the network or host first (see network-outages); the failures left over are "
            "what Twitch and the miner's settings cause.",
        )
    ping = sum(s.by_class.get(c, 0) for c in PING_CLASSES)
    overloaded = (s.pool_size or 0) > th.max_connections or ping * 10 >= total * 3
    single = worst is not None and pool > 1 and worst.failures * 2 > total
    if single and worst is not None:
        title = (
            f"Failures concentrate on connection #{worst.conn} "
            f"({worst.failures / total:.0%}), not on the network"
        )
        rec = (
            f"One connection failing while the others hold points to what it carries or to the "
            f"server it reached: its {worst.top_class} failures. Restarting the miner gives it a "
            "new server; if it keeps failing, check the topics (ERR_* answers) it listens to."
        )
    elif overloaded:
        title = (
            f"Failures are spread over time and connections ({spread}): overload, not your network"
        )
        rec = (
            "Connections fail one at a time, with ping/pong failures, on a pool larger than "
            "Twitch allows or a host that cannot keep up: reduce the pool (see the limits) and "
            "give the host CPU; the network is not the cause."
        )
    else:
        title = (
            f"Failures are spread over time on single connections ({spread}): Twitch's side, "
            "not your network"
        )
        rec = (
            "Isolated resets and closes on single connections are Twitch closing sockets "
            "(deploys, load balancing): expected now and then. Back off between reconnects; "
            "nothing on your side explains them."
        )
    return Finding("failure-pattern", "info", title, tuple(evidence), rec)


def _unknown(s: Summary) -> Finding | None:
    n = s.by_class.get("other", 0)
    if not n or not s.unknown:
        return None
    rows = sorted(s.unknown.items(), key=lambda kv: -int(kv[1][0]))  # type: ignore[call-overload]
    evidence = [f"{int(e[0])}x {tpl}" for tpl, e in rows[:3]]  # type: ignore[call-overload]
    if len(rows) > 3:
        evidence.append(f"... {len(rows) - 3} more kinds")
    return Finding(
        "unknown-errors",
        "info",
        f"{n} failures with error texts wsdiag has no class for ({len(rows)} kinds)",
        tuple(evidence),
        "Read them in the report's unknown errors table (ids and numbers masked); a new failure "
        "mode shows up there first. Report texts that recur so they get a class.",
    )


@dataclass(frozen=True)
class Change:
    """One difference between this log and a healthy one."""

    metric: str
    now: str
    healthy: str
    ok: bool


def changes(
    s: Summary, th: Thresholds, lim: Limits, cas: Cascades, hs: dict[int, Health]
) -> list[Change]:
    """This log's headline numbers next to a healthy miner's."""
    out: list[Change] = []
    pool = s.pool_size
    if pool is not None:
        out.append(
            Change("connections", str(pool), f"<= {th.max_connections}", pool <= th.max_connections)
        )
    if lim.streamers is not None:
        out.append(
            Change(
                "streamers",
                str(lim.streamers),
                f"<= {lim.max_streamers}",
                lim.streamers <= lim.max_streamers,
            )
        )
    hours = s.span_hours
    if hours and s.ids:
        rate = s.reconnects / hours / len(s.ids)
        out.append(
            Change(
                "reconnects per connection per hour",
                f"{rate:.2f}",
                f"<= {HEALTHY_RECONNECTS_PER_CONN_HOUR:g}",
                rate <= HEALTHY_RECONNECTS_PER_CONN_HOUR,
            )
        )
    ratios = sorted(r for h in hs.values() if (r := h.uptime_ratio) is not None)
    if ratios:
        low = ratios[0]
        out.append(
            Change("lowest uptime", f"{low:.1%}", f">= {HEALTHY_UPTIME:.0%}", low >= HEALTHY_UPTIME)
        )
    ping = sum(s.by_class.get(c, 0) for c in PING_CLASSES)
    out.append(Change("ping/pong failures", str(ping), "0", ping == 0))
    net = sum(1 for c in cas.items if c.kind != "server")
    out.append(Change("network-wide outages", str(net), "0", net == 0))
    bad = s.by_class.get("bad_auth", 0)
    out.append(Change("ERR_BADAUTH", str(bad), "0", bad == 0))
    return out


def findings(
    s: Summary,
    th: Thresholds | None = None,
    *,
    cas: Cascades | None = None,
    hs: dict[int, Health] | None = None,
) -> list[Finding]:
    """All findings, most severe first."""
    th = th or Thresholds()
    lim = limits(s, th)
    cas = cas if cas is not None else cascades(s)
    hs = hs if hs is not None else health(s)
    found = [
        f
        for f in (
            _too_many(s, th, lim),
            _bad_auth(s, th),
            _ping(s, th),
            _network(s, th, cas),
            _network_outages(s, cas),
            _storm(s, th),
            _pattern(s, th, cas, hs),
            _server_reconnects(s, cas),
            _unknown(s),
        )
        if f is not None
    ]
    return sorted(found, key=lambda f: SEVERITIES.index(f.severity))
