"""What each cause tells the user: a title, the evidence it rests on and the one change to make.

Every text is built from what the cause explains (:mod:`wsdiag.diagnose.causes`), so advice
names only the classes, connections and times that were attributed to it: a network cause that
saw only timeouts says nothing about DNS, and a pool within Twitch's limit never hears that it
should shrink. The causes on the user's link are written in :mod:`wsdiag.diagnose.advice_link`.
"""

from __future__ import annotations

from collections.abc import Callable

from wsdiag.common.words import plural
from wsdiag.diagnose.advice_link import host_stalled, network, tls_certificate, tls_errors
from wsdiag.diagnose.causes import Cause
from wsdiag.diagnose.client import HERMES_SUBSCRIPTIONS_PER_CLIENT, client_facts
from wsdiag.diagnose.evidence import Evidence
from wsdiag.diagnose.finding import Finding
from wsdiag.diagnose.pool import describe
from wsdiag.diagnose.thresholds import connection_limit, connection_rule
from wsdiag.diagnose.wording import BACKOFF, conns, per_hour, run_lines, share, when
from wsdiag.parse.records import FailureClass

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
# -- causes --------------------------------------------------------------------------------------


def _bad_auth(ev: Evidence, c: Cause) -> Finding:
    n = c.explains
    hermes = client_facts(ev.summary).hermes
    if hermes:
        # Hermes authenticates each connection once; a refusal closes it (HP7), and the miner
        # reconnects in ~30 s and is refused again
        evidence = [f"{plural(n, 'Hermes authentication error')} ('Authentication error, ...')"]
        evidence.append("each one closes the connection; the miner reconnects in ~30s and is refused again")
        title = "Twitch rejects the login token (Hermes authentication error)"
    else:
        evidence = [f"{plural(n, 'ERR_BADAUTH answer')} to LISTEN"]
        if ev.summary.badauth_hint:
            evidence.append("the miner says: outdated cookie file")
        evidence.append("the socket stays open after the answer: not counted as downtime")
        title = "Twitch rejects the login token (ERR_BADAUTH)"
    rec = (
        "Twitch rejects the login token in your cookie file. Stop the miner, delete "
        "cookies/<your username>.pkl (cookies\\<your username>.pkl on Windows) and start it "
        "again to log in anew."
    )
    return Finding(c.id, c.severity, title, tuple(evidence), rec)


def _redacted_listens(ev: Evidence, c: Cause) -> Finding:
    """Twitch refusing the LISTENs that mpforce1's redact_secrets=True sent in their log form."""
    sent = client_facts(ev.summary).redacted_listens
    answers = {
        "ERR_BADAUTH": c.explained([FailureClass.BAD_AUTH]),
        "ERR_BADMESSAGE": ev.hints.get("bad_message", 0),
        "ERR_BADTOPIC": ev.hints.get("bad_topic", 0),
    }
    evidence = [
        f"{plural(sent, 'LISTEN request')} sent as the log shows them: "
        '"auth_token":"REDACTED" or the topics as one string (redact_secrets=True)'
    ]
    named = [f"{v:,} {k}" for k, v in answers.items() if v]
    rest = c.explains - sum(answers.values())
    if rest > 0:
        named.append(plural(rest, "other refusal"))
    evidence.append("answered with " + ", ".join(named) + " (Twitch refuses the request, not the cookie)")
    by_class = ev.conns_by_class
    hit = by_class.get(FailureClass.REJECTED, frozenset()) | by_class.get(FailureClass.BAD_AUTH, frozenset())
    if hit:
        evidence.append(f"on {conns(hit)}")
    rec = (
        "With redact_secrets=True mpforce1's PubSub client sends the redacted copy of each LISTEN "
        "to Twitch (no token, the topics as a string), and Twitch refuses every one of them. Set "
        "redact_secrets=False, or switch to the Hermes client with use_hermes=True (its logs never "
        "carry the token). Deleting the cookie file will not help: the cookie is fine."
    )
    title = "Twitch refuses the LISTENs the miner sends redacted (redact_secrets=True)"
    return Finding(c.id, c.severity, title, tuple(evidence), rec)


#: What to do about each kind of refusal, in the order the advice gives them.
_REJECTED_ADVICE = {
    "bad_message": (
        "Twitch refuses this PubSub client: switch to a Hermes-capable version (mpforce1's "
        "fork with use_hermes=True, or Armi1014's fork, which uses Hermes by default); "
        "ERR_BADMESSAGE means Twitch no longer accepts its PubSub messages"
    ),
    "bad_topic": (
        "ERR_BADTOPIC: the miner subscribes a topic Twitch does not know: update the miner, "
        "or turn off the setting that adds that topic"
    ),
    "handshake_4xx": "4xx: Twitch refuses the connection itself: update the miner and websocket-client",
    "handshake_5xx": "5xx: Twitch's servers fail to answer: Twitch's side, wait for it to pass",
}
_MAYBE_REDACTED = (
    "if the miner runs with redact_secrets=True, set it to False: it sends its "
    "redacted LISTENs, which Twitch refuses too"
)


def _client_rejected(ev: Evidence, c: Cause) -> Finding:
    refused = c.explained([FailureClass.BAD_AUTH, FailureClass.REJECTED])
    if client_facts(ev.summary).redacted_listens and refused:
        return _redacted_listens(ev, c)
    kinds = {k: ev.hints.get(k, 0) for k in _REJECTED_KINDS if ev.hints.get(k, 0)}
    evidence = [f"{plural(v, _REJECTED_KINDS[k][0])} {_REJECTED_KINDS[k][1]}" for k, v in kinds.items()]
    unnamed = c.explains - sum(kinds.values())
    if unnamed > 0:
        evidence.append(plural(unnamed, "other refusal"))
    hit = ev.conns_by_class.get(FailureClass.REJECTED, frozenset())
    if hit:
        evidence.append(f"on {conns(hit)}")
    evidence += run_lines(r for r in ev.runs if r.by_class.get(FailureClass.REJECTED))
    advice = [text for k, text in _REJECTED_ADVICE.items() if kinds.get(k)]
    if kinds.get("bad_message") and not ev.summary.topics:
        # no LISTEN line in the log: cannot tell how they were sent
        advice.insert(1, _MAYBE_REDACTED)
    if not advice:
        advice.append("Update the miner and websocket-client")
    return Finding(c.id, c.severity, _rejected_title(kinds), tuple(evidence), ". ".join(advice) + ".")


def _rejected_title(kinds: dict[str, int]) -> str:
    names = " (" + ", ".join(_REJECTED_NAMES[k] for k in kinds) + ")" if kinds else ""
    if set(kinds) == {"handshake_5xx"}:
        return "Twitch's server answers the connection with an error (handshake 5xx)"
    if kinds.get("bad_message"):
        return "Twitch refuses PubSub" + names
    return "Twitch refuses the client" + names


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
    facts = client_facts(s)
    if facts.client in ("hermes", "mixed"):
        evidence.append(
            f"mpforce1's Hermes pool opens another client for every {HERMES_SUBSCRIPTIONS_PER_CLIENT} "
            "subscriptions and sets no cap on their number: Twitch's limit applies to Hermes "
            "connections too"
        )
    rec = lim.advice() + " Or split the streamers across miners on different IPs."
    title = f"{pool} {facts.connections_word} connections open; {connection_rule(th)}"
    return Finding(c.id, c.severity, title, tuple(evidence), rec)


def _twitch_reconnects(ev: Evidence, c: Cause) -> Finding:
    n = c.explains
    items = [x for x in ev.cascades.items if x.kind == "server"]
    if client_facts(ev.summary).hermes:
        evidence = [f"{plural(n, 'reconnect request')} (Hermes 'reconnect' messages)"]
    else:
        evidence = [f"{plural(n, 'RECONNECT request')} ('Reconnection required')"]
    hit = ev.conns_by_class.get(FailureClass.RECONNECT_REQUESTED, frozenset())
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
    "tls-certificate": tls_certificate,
    "bad-auth": _bad_auth,
    "client-rejected": _client_rejected,
    "close-loop": _close_loop,
    "network-instability": network,
    "host-stalled": host_stalled,
    "tls-errors": tls_errors,
    "too-many-connections": _too_many,
    "twitch-reconnects": _twitch_reconnects,
    "twitch-closes": _twitch_closes,
}


def explain(ev: Evidence, c: Cause) -> Finding:
    """The finding of one cause: its title, evidence and recommendation."""
    f = _WRITERS[c.id](ev, c)
    return Finding(f.id, f.severity, f.title, f.evidence, f.recommendation, "cause", c.explains)
