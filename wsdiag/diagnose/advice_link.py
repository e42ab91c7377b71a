"""What the causes on the user's side of the link tell the user: network instability, a host
that stalls, TLS errors and certificates that cannot be verified (see :mod:`wsdiag.diagnose.advice`)."""

from __future__ import annotations

from wsdiag.common.words import noun, of, plural
from wsdiag.diagnose.cascades import Cascade
from wsdiag.diagnose.causes import Cause
from wsdiag.diagnose.evidence import Context, Evidence, Run, at
from wsdiag.diagnose.finding import Finding
from wsdiag.diagnose.wording import (
    BACKOFF,
    LABELS,
    classes,
    conns,
    hourly,
    per_hour,
    run_lines,
    share,
    when,
)
from wsdiag.parse.records import LINK_CLASSES, OFFLINE_CLASSES, PING_CLASSES, FailureClass

_TLS_KINDS = {
    "bad_length": "[SSL: BAD_LENGTH]",
    "eof": "EOF in violation of protocol",
    "wrong_version": "[SSL: WRONG_VERSION_NUMBER]",
    "decryption": "[SSL: DECRYPTION_FAILED_OR_BAD_RECORD_MAC]",
}

def _with_hint(ev: Evidence, sig: str) -> frozenset[int]:
    """The connections that had failures of this signature."""
    return frozenset(conn for conn, cs in ev.summary.conns.items() if cs.hints.get(sig))


def tls_certificate(ev: Evidence, c: Cause) -> Finding:
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
    runs = [r for r in ev.runs if r.by_class.get(FailureClass.SSL) and r.conn in hit]
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


OUTAGES_SHOWN = 3  # network-wide outages named in a network finding, the rest counted
_OUTAGE_CONTEXTS = (Context.NETWORK_OUTAGE, Context.HOST_OUTAGE)
#: What to check for the failures of each kind outside an outage (inside one, every class is
#: the outage), in the order the advice gives them.
_LINK_ADVICE: tuple[tuple[tuple[FailureClass, ...], str], ...] = (
    (
        (FailureClass.DNS,),
        "DNS: the resolver failed; use the router's or a public resolver (1.1.1.1, 8.8.8.8), "
        "and in Docker check the container's DNS (--dns)",
    ),
    (
        (FailureClass.TIMEOUT,),
        "timeouts: packets to Twitch are lost on the way (a VPN, proxy or firewall, or the "
        "ISP); try without the VPN",
    ),
    (
        (FailureClass.CONNECTION_RESET, FailureClass.BROKEN_PIPE),
        "resets and broken pipes: something drops open connections (a router, VPN or NAT "
        "with a short idle timeout, or Wi-Fi); a wired connection helps",
    ),
    ((FailureClass.SSL,), "the TLS errors among them follow from the same link"),
    (PING_CLASSES, "the missed PINGs among them too"),
)


def network(ev: Evidence, c: Cause) -> Finding:
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
    evidence = _outage_lines(outages, len(s.ids))
    evidence += run_lines(runs)
    evidence += classes(got)
    if got.get(FailureClass.NO_INTERNET):
        evidence.append("'No internet connection available!' is the miner's own check: the host was offline")
    evidence.append(f"explains {share(n, s.failures_total)}{hourly(n, ev.hours)}")
    rec = _network_advice(c, bool(outages or got.get(FailureClass.NO_INTERNET)))
    return Finding(c.id, c.severity, _network_title(got, outages, runs), tuple(evidence), rec)


def _network_title(got: dict[str, int], outages: list[Cascade], runs: list[Run]) -> str:
    if outages:
        return f"the host or its network dropped connections: {plural(len(outages), 'network-wide outage')}"
    if got.get(FailureClass.NO_INTERNET):
        return "the host lost its internet connection ('No internet connection available!')"
    if got.get(FailureClass.DNS):
        return "name resolution (DNS) fails: the host cannot find Twitch's servers"
    if runs:
        top = LABELS.get(runs[0].top_class, runs[0].top_class)
        return f"connection {conns(r.conn for r in runs)} fails at every attempt ({top})"
    return f"frequent {', '.join(LABELS[k] for k in got if k in LABELS)} on single connections"


def _outage_lines(outages: list[Cascade], seen: int) -> list[str]:
    """The first OUTAGES_SHOWN network-wide outages, one line each."""
    out = []
    for x in outages[:OUTAGES_SHOWN]:
        line = f"{when(x.start, x.end)}: {of(len(x.connections), seen, 'connection')} went down together"
        line += f", {plural(x.failures, 'failure')}"
        if x.confirmed:
            line += f", {x.confirmed} said 'No internet connection'"
        out.append(line)
    if len(outages) > OUTAGES_SHOWN:
        out.append(f"... and {plural(len(outages) - OUTAGES_SHOWN, 'more outage')}")
    return out


def _network_advice(c: Cause, offline: bool) -> str:
    """What to check: the network at the outages' times (``offline``: there were some, or the
    host said it was offline), and each kind of failure seen outside them."""
    alone = {kls for (ctx, kls), v in c.claims.items() if ctx not in _OUTAGE_CONTEXTS and v}
    advice = []
    if offline:
        advice.append(
            "Look at what happened at these times: the router/modem and the ISP (their logs), "
            "Wi-Fi drops or power saving, a VPN or proxy reconnecting, the Docker host's network"
        )
    advice += [text for kinds, text in _LINK_ADVICE if alone & set(kinds)]
    if not advice:
        advice.append("Check the router/modem, Wi-Fi, VPN and the ISP")
    rec = "; ".join(advice) + f". Once the network holds, {BACKOFF}."
    return rec[0].upper() + rec[1:]


def host_stalled(ev: Evidence, c: Cause) -> Finding:
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


def tls_errors(ev: Evidence, c: Cause) -> Finding:
    n = c.explains
    kinds = {k: ev.hints.get(k, 0) for k in _TLS_KINDS if ev.hints.get(k, 0)}
    named = ", ".join(_TLS_KINDS[k] for k in kinds) or "TLS errors"
    title = f"TLS fails on the path to Twitch: {plural(n, 'error')} ({named})"
    evidence = [f"{v:,} {_TLS_KINDS[k]}" for k, v in kinds.items()]
    hit = frozenset(
        conn
        for conn, cs in ev.summary.conns.items()
        if cs.by_class.get(FailureClass.SSL, 0) > cs.hints.get("certificate", 0)
    )
    evidence.append(
        f"{per_hour(n, ev.hours)} {noun(n, 'TLS error')} on {conns(hit)}, not in a network outage"
    )
    evidence += run_lines(r for r in ev.runs if r.by_class.get(FailureClass.SSL))
    rec = (
        "Something between the miner and Twitch interferes with TLS: turn off HTTPS scanning in "
        "the antivirus, bypass the proxy, VPN or middlebox, update Python/OpenSSL and "
        "websocket-client"
    )
    if kinds.get("bad_length"):
        rec += " ([SSL: BAD_LENGTH] comes from large writes on some versions of them)"
    rec += ", and check the link."
    return Finding(c.id, c.severity, title, tuple(evidence), rec)
