"""What each cause tells the user: a title, the evidence it rests on and the one change to make.

Every text is built from what the cause explains (:mod:`wsdiag.diagnose.causes`), so advice
names only the classes, connections and times that were attributed to it: a network cause that
saw only timeouts says nothing about DNS, and a pool within Twitch's limit never hears that it
should shrink.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from wsdiag.common.words import noun, of, plural
from wsdiag.diagnose.causes import Cause
from wsdiag.diagnose.evidence import Context, Evidence, Run, at
from wsdiag.diagnose.finding import Finding
from wsdiag.diagnose.limits import BACKOFF_FIRST_S, BACKOFF_MAX_S
from wsdiag.diagnose.pool import describe
from wsdiag.diagnose.thresholds import connection_limit, connection_rule
from wsdiag.durations import format_seconds
from wsdiag.parse.records import LINK_CLASSES, OFFLINE_CLASSES, PING_CLASSES

#: How evidence lines name each failure class.
LABELS = {
    "ping_pong": "ping/pong failures (close code 4100)",
    "pong_timeout": "missed PONGs (watchdog)",
    "ping_stalled": "PINGs not sent (watchdog)",
    "broken_pipe": "broken pipes",
    "ssl": "TLS errors",
    "connection_reset": "connection resets",
    "timeout": "timeouts",
    "dns": "DNS failures",
    "no_internet": "'No internet connection' retries",
    "reconnect_requested": "RECONNECT requests",
    "bad_auth": "ERR_BADAUTH answers",
    "rejected": "refusals",
    "other": "unclassified errors",
}
_TLS_KINDS = {
    "bad_length": "[SSL: BAD_LENGTH]",
    "eof": "EOF in violation of protocol",
    "wrong_version": "[SSL: WRONG_VERSION_NUMBER]",
    "decryption": "[SSL: DECRYPTION_FAILED_OR_BAD_RECORD_MAC]",
}
_REJECTED_KINDS = {  # (what, counted in the singular; what it says)
    "bad_message": ("ERR_BADMESSAGE answer", "to LISTEN"),
    "bad_topic": ("ERR_BADTOPIC answer", "to LISTEN"),
    "handshake_5xx": ("opening handshake", "answered 5xx (Twitch's server)"),
    "handshake_4xx": ("opening handshake", "answered 4xx (refused)"),
}
_REJECTED_NAMES = {
    "bad_message": "ERR_BADMESSAGE",
    "bad_topic": "ERR_BADTOPIC",
    "handshake_5xx": "handshake 5xx",
    "handshake_4xx": "handshake 4xx",
}
BACKOFF = (
    f"the miner reconnects on its own (about every 30s; backoff of {format_seconds(BACKOFF_FIRST_S)} "
    f"doubling to {format_seconds(BACKOFF_MAX_S)}, with jitter, is kinder to Twitch)"
)


def per_hour(n: int, hours: float | None) -> str:
    return f"{n:,}" if not hours else f"{n:,} ({n / hours:.1f}/h)"


def conns(ids: Iterable[int], most: int = 6) -> str:
    """`#0, #2 and #5`, at most ``most`` named."""
    ids = sorted(ids)
    names = [f"#{c}" for c in ids[:most]]
    if len(ids) > most:
        return ", ".join(names) + f" and {len(ids) - most} more"
    if len(names) > 1:
        return ", ".join(names[:-1]) + " and " + names[-1]
    return names[0] if names else "no connection id"


def when(a: datetime, b: datetime) -> str:
    mins = max(1, round((b - a).total_seconds() / 60))
    end = f"{b:%H:%M}" if a.date() == b.date() else f"{b:%Y-%m-%d %H:%M}"
    return f"{a:%Y-%m-%d %H:%M}-{end} ({format_seconds(mins * 60)})"


def classes(counts: dict[str, int]) -> list[str]:
    """`timeout: 3` lines, most first."""
    return [f"{k}: {n:,}" for k, n in sorted(counts.items(), key=lambda kv: -kv[1]) if n]


def _hourly(n: int, hours: float | None) -> str:
    return "" if not hours else f", {n / hours:.1f} per hour"


def share(n: int, total: int) -> str:
    return f"{of(n, total, 'failure')} ({n / total:.0%})" if total else plural(n, "failure")


def run_lines(runs: Iterable[Run], label: str | None = None) -> list[str]:
    """One line per kind of unbroken run: `#0 and #2 never connected: ...`."""
    groups: dict[tuple[bool, str, int], list[Run]] = {}
    for r in runs:
        top = label or LABELS.get(r.top_class, r.top_class)
        key = (r.from_start, top, 0 if r.from_start else r.first)
        groups.setdefault(key, []).append(r)
    out = []
    for (from_start, top, first), group in groups.items():
        who = conns(r.conn for r in group)
        counts = sorted({r.failures for r in group})
        n = plural(counts[0], "attempt") if len(counts) == 1 else f"{counts[0]}-{counts[-1]} attempts"
        each = " each" if len(group) > 1 else ""
        if from_start:
            out.append(
                f"{who} never connected: {n}{each} failed in a row ({top}) from the start of the "
                "log to its end"
            )
        else:
            out.append(
                f"{who} failed at every attempt from {at(first):%Y-%m-%d %H:%M} to the end of the "
                f"log: {n}{each} in a row ({top})"
            )
    return out


# -- causes --------------------------------------------------------------------------------------


def _with_hint(ev: Evidence, sig: str) -> frozenset[int]:
    """The connections that had failures of this signature."""
    return frozenset(conn for conn, cs in ev.summary.conns.items() if cs.hints.get(sig))


def _tls_certificate(ev: Evidence, c: Cause) -> Finding:
    s = ev.summary
    n = c.explains
    hit = _with_hint(ev, "certificate")
    if hit and s.ids and hit >= s.ids:
        where = "every connection" if len(s.ids) > 1 else "the only connection"
        title = f"certificate verification fails on {where}"
    elif hit:
        title = f"certificate verification fails on {of(len(hit), len(s.ids), 'connection')}"
    else:
        title = "certificate verification fails"
    evidence = [
        f"{plural(n, 'certificate verification failure')} (CERTIFICATE_VERIFY_FAILED) on "
        f"{conns(hit) if hit else 'connections without an id'}"
    ]
    runs = [r for r in ev.runs if r.by_class.get("ssl") and r.conn in hit]
    evidence += run_lines(runs, "certificate verification")
    if runs:
        evidence.append("nothing can connect while the certificate cannot be verified: an error at once")
    else:
        evidence.append("each one stops a connection before it starts: an error at the first occurrence")
    rec = (
        "Python cannot verify the certificate of Twitch's server, so the connection stops before "
        "it starts. Update the CA certificates Python uses (pip install --upgrade certifi; on "
        "macOS run 'Install Certificates.command' in the Python folder; in Docker, rebuild the "
        "image for fresh ca-certificates), turn off HTTPS scanning in the antivirus or proxy "
        "(or trust its root certificate), and check the system date and clock."
    )
    return Finding(c.id, c.severity, title, tuple(evidence), rec)


def _bad_auth(ev: Evidence, c: Cause) -> Finding:
    n = c.explains
    evidence = [f"{plural(n, 'ERR_BADAUTH answer')} to LISTEN"]
    if ev.summary.badauth_hint:
        evidence.append("the miner says: outdated cookie file")
    evidence.append("the socket stays open after the answer: not counted as downtime")
    rec = (
        "Twitch rejects the login token in your cookie file. Stop the miner, delete "
        "cookies/<your username>.pkl (cookies\\<your username>.pkl on Windows) and start it "
        "again to log in anew."
    )
    return Finding(c.id, c.severity, "Twitch rejects the login token (ERR_BADAUTH)", tuple(evidence), rec)


def _client_rejected(ev: Evidence, c: Cause) -> Finding:
    kinds = {k: ev.hints.get(k, 0) for k in _REJECTED_KINDS if ev.hints.get(k, 0)}
    evidence = [f"{plural(v, _REJECTED_KINDS[k][0])} {_REJECTED_KINDS[k][1]}" for k, v in kinds.items()]
    unnamed = c.explains - sum(kinds.values())
    if unnamed > 0:
        evidence.append(plural(unnamed, "other refusal"))
    hit = ev.conns_by_class.get("rejected", frozenset())
    if hit:
        evidence.append(f"on {conns(hit)}")
    evidence += run_lines(r for r in ev.runs if r.by_class.get("rejected"))
    advice = []
    if kinds.get("bad_message"):
        advice.append(
            "ERR_BADMESSAGE: Twitch no longer accepts this client's PubSub messages. Update the "
            "miner to a Hermes-capable version (mpforce1's fork with use_hermes=True); if the "
            'LISTEN lines show "auth_token":"REDACTED", set redact_secrets=False'
        )
    if kinds.get("bad_topic"):
        advice.append(
            "ERR_BADTOPIC: the miner subscribes a topic Twitch does not know: update the miner, "
            "or turn off the setting that adds that topic"
        )
    if kinds.get("handshake_4xx"):
        advice.append(
            "4xx: Twitch refuses the connection itself: update the miner and websocket-client"
        )
    if kinds.get("handshake_5xx"):
        advice.append("5xx: Twitch's servers fail to answer: Twitch's side, wait for it to pass")
    if not advice:
        advice.append("Update the miner and websocket-client")
    if set(kinds) == {"handshake_5xx"}:
        title = "Twitch's server answers the connection with an error (handshake 5xx)"
    else:
        title = "Twitch refuses the client"
        if kinds:
            title += " (" + ", ".join(_REJECTED_NAMES[k] for k in kinds) + ")"
    return Finding(c.id, c.severity, title, tuple(evidence), ". ".join(advice) + ".")


def _close_loop(ev: Evidence, c: Cause) -> Finding:
    loop = ev.loop
    assert loop is not None
    evidence = [
        f"{plural(loop.closes, 'close')} followed by 'Reconnecting' with no error line before them"
    ]
    if loop.first is not None and loop.last is not None:
        minutes = max(1, round((loop.last - loop.first).total_seconds() / 60) + 1)
        evidence.append(
            f"from {loop.first:%Y-%m-%d %H:%M} to {loop.last:%H:%M}: "
            f"{loop.closes / minutes:.1f} a minute, in {plural(loop.minutes, 'distinct minute')}"
        )
    if loop.connections:
        evidence.append(f"on {conns(loop.connections)}")
    evidence.append("each new socket is closed right after it opens, so nothing is received")
    rec = (
        "The server closes each new socket at once without an error: an outdated miner or "
        "websocket-client, or a login Twitch no longer accepts. Update the miner and "
        "websocket-client, then delete cookies/<your username>.pkl and log in again; if it goes on "
        "with a PubSub-only version, use a Hermes-capable miner (mpforce1's fork with "
        "use_hermes=True)."
    )
    title = "connections close right after opening, with no error line"
    return Finding(c.id, c.severity, title, tuple(evidence), rec)


def _network(ev: Evidence, c: Cause) -> Finding:
    s = ev.summary
    got = c.by_class()
    n = c.explains
    took = {
        "network": c.explained(contexts=[Context.NETWORK_OUTAGE]),
        "host": c.explained(contexts=[Context.HOST_OUTAGE]),
    }
    outages = [x for x in ev.cascades.items if took.get(x.kind)]
    runs = [r for r in ev.runs if set(r.by_class) & {*LINK_CLASSES, *OFFLINE_CLASSES}]
    if not c.explained(contexts=[Context.PERSISTENT]):
        runs = []
    seen = len(s.ids)
    if outages:
        title = (
            f"the host or its network dropped connections: {plural(len(outages), 'network-wide outage')}"
        )
    elif got.get("no_internet"):
        title = "the host lost its internet connection ('No internet connection available!')"
    elif got.get("dns"):
        title = "name resolution (DNS) fails: the host cannot find Twitch's servers"
    elif runs:
        top = LABELS.get(runs[0].top_class, runs[0].top_class)
        title = f"connection {conns(r.conn for r in runs)} fails at every attempt ({top})"
    else:
        title = f"frequent {', '.join(LABELS[k] for k in got if k in LABELS)} on single connections"
    evidence = []
    for x in outages[:3]:
        line = f"{when(x.start, x.end)}: {of(len(x.connections), seen, 'connection')} went down together"
        line += f", {plural(x.failures, 'failure')}"
        if x.confirmed:
            line += f", {x.confirmed} said 'No internet connection'"
        evidence.append(line)
    if len(outages) > 3:
        evidence.append(f"... and {plural(len(outages) - 3, 'more outage')}")
    evidence += run_lines(runs)
    evidence += classes(got)
    if got.get("no_internet"):
        evidence.append("'No internet connection available!' is the miner's own check: the host was offline")
    evidence.append(f"explains {share(n, s.failures_total)}{_hourly(n, ev.hours)}")
    # Inside an outage every class is the outage; outside, each class says what to check.
    alone: dict[str, int] = {}
    for (ctx, kls), v in c.claims.items():
        if ctx not in (Context.NETWORK_OUTAGE, Context.HOST_OUTAGE):
            alone[kls] = alone.get(kls, 0) + v
    advice = []
    if outages or got.get("no_internet"):
        advice.append(
            "Look at what happened at these times: the router/modem and the ISP (their logs), "
            "Wi-Fi drops or power saving, a VPN or proxy reconnecting, the Docker host's network"
        )
    if alone.get("dns"):
        advice.append(
            "DNS: the resolver failed; use the router's or a public resolver (1.1.1.1, 8.8.8.8), "
            "and in Docker check the container's DNS (--dns)"
        )
    if alone.get("timeout"):
        advice.append(
            "timeouts: packets to Twitch are lost on the way (a VPN, proxy or firewall, or the "
            "ISP); try without the VPN"
        )
    if alone.get("connection_reset") or alone.get("broken_pipe"):
        advice.append(
            "resets and broken pipes: something drops open connections (a router, VPN or NAT "
            "with a short idle timeout, or Wi-Fi); a wired connection helps"
        )
    if alone.get("ssl"):
        advice.append("the TLS errors among them follow from the same link")
    if set(alone) & set(PING_CLASSES):
        advice.append("the missed PINGs among them too")
    if not advice:
        advice.append("Check the router/modem, Wi-Fi, VPN and the ISP")
    rec = "; ".join(advice) + f". Once the network holds, {BACKOFF}."
    return Finding(c.id, c.severity, title, tuple(evidence), rec[0].upper() + rec[1:])


def _host_stalled(ev: Evidence, c: Cause) -> Finding:
    got = c.by_class()
    n = c.explains
    together = c.explained(contexts=[Context.STALL, Context.HOST_OUTAGE])
    pool = len(ev.summary.ids)
    evidence = []
    if together:
        events = [(at(st.first), at(st.last), st.connections) for st in ev.stalls]
        events += [(x.start, x.end, x.connections) for x in ev.cascades.items if x.kind == "host"]
        for a, b, who in sorted(events)[:3]:
            evidence.append(
                f"{when(a, b)}: {of(len(who), pool, 'connection')} missed PINGs/PONGs together, "
                "with no network error"
            )
        top = max(len(who) for _, _, who in events) if events else 0
        title = (
            f"the host stalled: {of(top, pool, 'connection')} missed PINGs/PONGs together, "
            "with no network error"
        )
    else:
        hit = set().union(*(ev.conns_by_class.get(k, frozenset()) for k in PING_CLASSES))
        title = (
            f"the host does not keep up: {plural(n, 'ping/pong failure')} on "
            f"{plural(len(hit), 'connection')}, with no network error"
        )
        evidence.append(f"{per_hour(n, ev.hours)} {noun(n, 'ping/pong failure')} on {conns(hit)}")
    evidence += classes(got)
    rec = (
        "A host that sleeps or is starved of CPU answers no PING: keep the machine awake (sleep, "
        "hibernation, the laptop lid, power saving of the VM or container host), check its CPU "
        "load (a Raspberry Pi or small VPS with many streamers: fewer streamers or more CPU) and "
        "that the clock is synchronised (NTP)."
    )
    return Finding(c.id, c.severity, title, tuple(evidence), rec)


def _tls_errors(ev: Evidence, c: Cause) -> Finding:
    n = c.explains
    kinds = {k: ev.hints.get(k, 0) for k in _TLS_KINDS if ev.hints.get(k, 0)}
    named = ", ".join(_TLS_KINDS[k] for k in kinds) or "TLS errors"
    title = f"TLS fails on the path to Twitch: {plural(n, 'error')} ({named})"
    evidence = [f"{v:,} {_TLS_KINDS[k]}" for k, v in kinds.items()]
    hit = frozenset(
        conn
        for conn, cs in ev.summary.conns.items()
        if cs.by_class.get("ssl", 0) > cs.hints.get("certificate", 0)
    )
    evidence.append(
        f"{per_hour(n, ev.hours)} {noun(n, 'TLS error')} on {conns(hit)}, not in a network outage"
    )
    evidence += run_lines(r for r in ev.runs if r.by_class.get("ssl"))
    rec = (
        "Something between the miner and Twitch interferes with TLS: turn off HTTPS scanning in "
        "the antivirus, bypass the proxy, VPN or middlebox, update Python/OpenSSL and "
        "websocket-client"
    )
    if kinds.get("bad_length"):
        rec += " ([SSL: BAD_LENGTH] comes from large writes on some versions of them)"
    rec += ", and check the link."
    return Finding(c.id, c.severity, title, tuple(evidence), rec)


def _too_many(ev: Evidence, c: Cause) -> Finding:
    s, th, lim = ev.summary, ev.thresholds, ev.limits
    pool = ev.pool or 0
    evidence = [
        f"pool size {pool} (connection ids up to #{pool - 1}); {connection_rule(th)}",
        f"about {(pool - 1) * th.topics_per_connection + 1}-{pool * th.topics_per_connection} topics "
        f"at {th.topics_per_connection} per connection",
    ]
    if lim.streamers is not None:
        evidence.append(f"{plural(lim.streamers, 'streamer')} watched")
    if c.explains:
        got = c.by_class()
        what = ", ".join(f"{k} {v:,}" for k, v in got.items())
        evidence.append(
            f"explains {share(c.explains, s.failures_total)} on single connections ({what}): "
            "an oversized pool is dropped one connection at a time"
        )
    rec = lim.advice() + " Or split the streamers across miners on different IPs."
    title = f"{pool} PubSub connections open; {connection_rule(th)}"
    return Finding(c.id, c.severity, title, tuple(evidence), rec)


def _twitch_reconnects(ev: Evidence, c: Cause) -> Finding:
    n = c.explains
    items = [x for x in ev.cascades.items if x.kind == "server"]
    evidence = [f"{plural(n, 'RECONNECT request')} ('Reconnection required')"]
    hit = ev.conns_by_class.get("reconnect_requested", frozenset())
    if hit:
        evidence[0] += f" on {conns(hit)}"
    evidence += [
        f"{when(x.start, x.end)}: {plural(len(x.connections), 'connection')} told to reconnect at once"
        for x in items[:5]
    ]
    rec = (
        "Twitch's maintenance moves connections to other servers this way (deploys, load "
        "balancing); these need no change as long as the connections come back."
    )
    title = f"Twitch asked connections to reconnect ({n:,} RECONNECT)"
    return Finding(c.id, c.severity, title, tuple(evidence), rec)


def _twitch_closes(ev: Evidence, c: Cause) -> Finding:
    s, th = ev.summary, ev.thresholds
    n = c.explains
    got = c.by_class()
    hit = set().union(*(ev.conns_by_class.get(k, frozenset()) for k in got))
    title = f"{plural(n, 'isolated close')} on single connections: Twitch's background"
    evidence = [f"{per_hour(n, ev.hours)}: " + ", ".join(f"{k} {v:,}" for k, v in got.items())]
    if len(hit) > 1:
        evidence.append(f"on {conns(hit)}, one at a time: never network-wide")
    elif hit:
        evidence.append(f"on {conns(hit)}")
    evidence.append(
        f"no network, TLS, auth or host signal; {describe(s)} is within {connection_limit(th)}"
    )
    rec = (
        "Nothing to change: Twitch closes a socket now and then (deploys, load balancing) and "
        f"{BACKOFF}."
    )
    return Finding(c.id, c.severity, title, tuple(evidence), rec)


_WRITERS: dict[str, Callable[[Evidence, Cause], Finding]] = {
    "tls-certificate": _tls_certificate,
    "bad-auth": _bad_auth,
    "client-rejected": _client_rejected,
    "close-loop": _close_loop,
    "network-instability": _network,
    "host-stalled": _host_stalled,
    "tls-errors": _tls_errors,
    "too-many-connections": _too_many,
    "twitch-reconnects": _twitch_reconnects,
    "twitch-closes": _twitch_closes,
}


def explain(ev: Evidence, c: Cause) -> Finding:
    """The finding of one cause: its title, evidence and recommendation."""
    f = _WRITERS[c.id](ev, c)
    return Finding(f.id, f.severity, f.title, f.evidence, f.recommendation, "cause", c.explains)
