"""Symptoms and notes: what the user sees, attributed to the causes it comes from.

A symptom never leads: it is listed after the causes, names them in ``because_of`` and is never
more severe than the worst of them (``info`` when no cause explains it). Its advice points to
those causes instead of giving its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from wsdiag.common.words import noun, of, plural
from wsdiag.diagnose.causes import TWITCH_SIDE, Cause
from wsdiag.diagnose.client import client_facts
from wsdiag.diagnose.evidence import Context, Evidence
from wsdiag.diagnose.finding import Finding
from wsdiag.diagnose.pool import describe, per_connection_hour
from wsdiag.diagnose.thresholds import OUTAGE_SHARE_FOR_ERROR, OUTAGES_FOR_ERROR, Severity
from wsdiag.diagnose.wording import per_hour, when
from wsdiag.parse.records import PING_CLASSES, FailureClass

OUTAGES_SHOWN = 5  # network-wide outages named in the evidence, the rest counted
UNKNOWN_SHOWN = 3  # unclassified error templates quoted, the rest counted


def _capped(severity: str, causes: Iterable[Cause]) -> str:
    """A symptom is no more severe than the worst of the causes it follows from."""
    worst = max((Severity(c.severity) for c in causes), default=Severity.INFO)
    return str(min(Severity(severity), worst))


def _names(causes: Sequence[Cause]) -> str:
    return ", ".join(c.id for c in causes)


def _fix(causes: Sequence[Cause], then: str) -> str:
    """`fix network-instability above and they stop` -- only causes the user can fix."""
    mine = [c for c in causes if c.id not in TWITCH_SIDE]
    theirs = [c for c in causes if c.id in TWITCH_SIDE]
    if not causes:
        return "no cause in this log explains them."
    if not mine:
        return f"they come from Twitch's side ({_names(theirs)}): nothing to change."
    text = f"fix {_names(mine)} above and {then}"
    if theirs:
        text += f"; the part from Twitch's side ({_names(theirs)}) needs no change"
    return text + "."


def _ping(ev: Evidence, causes: Sequence[Cause]) -> Finding | None:
    th = ev.thresholds
    counts = {k: ev.by_class.get(k, 0) for k in PING_CLASSES if ev.by_class.get(k, 0)}
    total = sum(counts.values())
    if total < th.ping_min:
        return None
    rate = ev.rate(total)
    severity = "error" if rate is not None and rate >= th.ping_error_per_hour else "warning"
    origin = [c for c in causes if c.explained(PING_CLASSES)]
    evidence = [f"{per_hour(total, ev.hours)} {noun(total, 'ping/pong failure')}"]
    evidence += [f"{k}: {n:,}" for k, n in counts.items()]
    evidence += [f"{c.explained(PING_CLASSES):,} explained by {c.id}" for c in origin]
    rec = (
        "Twitch closes a connection (code 4100 'ping pong failed') that misses its PINGs, and the "
        "miner's watchdog replaces one that stays silent. They are a symptom: "
    )
    rec += _fix(origin, "they stop")
    return Finding(
        "ping-pong-failures",
        _capped(severity, origin),
        plural(total, "ping/pong failure"),
        tuple(evidence),
        rec,
        "symptom",
        because_of=tuple(c.id for c in origin),
    )


def _storm(ev: Evidence, causes: Sequence[Cause]) -> Finding | None:
    s, th = ev.summary, ev.thresholds
    facts = client_facts(s)
    if facts.reconnects_unknown:  # the log cannot show reconnects: no rate, storm or not
        return None
    n = s.reconnects
    if n < th.storm_min:
        return None
    hours = ev.hours
    per_conn = per_connection_hour(n, s)
    pool_rate = None if not hours else n / hours
    # A storm is a high rate per connection of the pool, or across the pool as a whole
    # (37 connections reconnecting "only" twice an hour each is still one every 2 min).
    fired: list[str] = []
    if per_conn is not None and per_conn >= th.storm_per_conn_hour:
        fired.append(
            f"{per_conn:.1f} reconnects per connection per hour over {describe(s)} "
            f"(threshold {th.storm_per_conn_hour:g})"
        )
    if pool_rate is not None and pool_rate >= th.storm_pool_per_hour:
        fired.append(
            f"{pool_rate:.1f} reconnects per hour across the pool (threshold {th.storm_pool_per_hour:g})"
        )
    if pool_rate is not None and not fired:
        return None
    severe = (per_conn is not None and per_conn >= th.storm_error_per_conn_hour) or (
        pool_rate is not None and pool_rate >= th.storm_error_pool_per_hour
    )
    # Each reconnect follows a close; what the closes carried says where the storm comes from.
    # ERR_BADAUTH answers leave the socket open: they close nothing (a Hermes authentication
    # error closes its connection).
    closing = ("bad-auth", "close-loop") if facts.hermes else ("close-loop",)
    origin = [c for c in causes if (c.explains and c.id != "bad-auth") or c.id in closing]
    evidence = [f"{per_hour(n, hours)} {noun(n, 'reconnect')}", *fired]
    if not fired:
        evidence.append("no time span: the rate is unknown")
    carried = []
    for c in origin:
        if c.id == "close-loop" and ev.loop is not None:
            carried.append(f"{plural(ev.loop.closes, 'close')} with no error line (close-loop)")
        elif c.id == "twitch-reconnects":
            carried.append(f"{plural(c.explains, 'RECONNECT request')} from Twitch (twitch-reconnects)")
        else:
            carried.append(f"{plural(c.explains, 'failure')} of {c.id}")
    if carried:
        evidence.append("the closes before them carried: " + "; ".join(carried))
    rec = "The reconnects follow the closes: " + _fix(origin, "they stop")
    return Finding(
        "reconnect-storm",
        _capped("error" if severe else "warning", origin),
        f"reconnect storm: {plural(n, 'reconnect')}",
        tuple(evidence),
        rec,
        "symptom",
        because_of=tuple(c.id for c in origin),
    )


def _outages(ev: Evidence, causes: Sequence[Cause]) -> Finding | None:
    items = [c for c in ev.cascades.items if c.kind in ("network", "host")]
    if not items:
        return None
    s = ev.summary
    seen = len(s.ids)
    failures = sum(c.failures for c in items)
    ctx = [Context.NETWORK_OUTAGE, Context.HOST_OUTAGE]
    origin = [c for c in causes if c.explained(contexts=ctx)]
    evidence = []
    for c in items[:OUTAGES_SHOWN]:
        line = f"{when(c.start, c.end)}: {of(len(c.connections), seen, 'connection')} went down"
        line += f", {plural(c.failures, 'failure')}"
        if c.confirmed:
            line += f", {c.confirmed} reported no internet"
        if c.kind == "host":
            line += " (missed PINGs: the host stalled or lost the network)"
        evidence.append(line)
    if len(items) > OUTAGES_SHOWN:
        evidence.append(f"... and {len(items) - OUTAGES_SHOWN} more")
    total = s.failures_total
    pct = f" ({failures / total:.0%})" if total else ""
    n = len(items)
    these = "these outages take" if n != 1 else "this outage takes"
    evidence.append(f"{these} in {of(failures, total, 'failure')}{pct}")
    title = f"{plural(n, 'network-wide outage')}: connections dropped together"
    share = failures / total if total else 0.0
    severity = "error" if share >= OUTAGE_SHARE_FOR_ERROR and n >= OUTAGES_FOR_ERROR else "warning"
    rec = (
        "Many connections failing in the same minutes is the host or its network, not Twitch "
        "and not the miner's settings: "
    )
    rec += _fix(origin, "these stop")
    return Finding(
        "network-outages",
        _capped(severity, origin),
        title,
        tuple(evidence),
        rec,
        "symptom",
        because_of=tuple(c.id for c in origin),
    )


def _unknown(ev: Evidence, causes: Sequence[Cause]) -> Finding | None:
    s = ev.summary
    n = s.by_class.get(FailureClass.OTHER, 0)
    if not n or not s.unknown:
        return None
    rows = sorted(s.unknown.items(), key=lambda kv: -int(kv[1][0]))  # type: ignore[call-overload]
    evidence = [f"{int(e[0])}x {tpl}" for tpl, e in rows[:UNKNOWN_SHOWN]]  # type: ignore[call-overload]
    if len(rows) > UNKNOWN_SHOWN:
        evidence.append(f"... {plural(len(rows) - UNKNOWN_SHOWN, 'more kind')}")
    return Finding(
        "unknown-errors",
        "info",
        f"{plural(n, 'failure')} with error texts wsdiag has no class for ({plural(len(rows), 'kind')})",
        tuple(evidence),
        "Read them in the report's unknown errors table (ids and numbers masked); a new failure "
        "mode shows up there first. Report texts that recur so they get a class.",
        "note",
    )


def _lower_bounds(ev: Evidence, causes: Sequence[Cause]) -> Finding | None:
    """A fork that throttles its error lines: every failure count is at least what it says."""
    throttled = client_facts(ev.summary).throttled_by
    if throttled is None:
        return None
    fork, what, version = throttled
    banner = f"{fork}'s fork" + (f" {version}" if version else "")
    return Finding(
        "counts-lower-bounds",
        "info",
        f"{banner} throttles its error lines: the failure counts are lower bounds",
        (f"the start banner names {banner}, which {what}",),
        "Read every failure count and rate of this log as 'at least'; the same error repeated "
        "within the interval is logged once.",
        "note",
    )


#: A symptom or note rule: the evidence and the causes found (most important first) -> a finding,
#: or None when the rule does not apply.
Rule = Callable[[Evidence, Sequence[Cause]], "Finding | None"]
#: Symptoms, in report order: each attributed to the causes it comes from.
SYMPTOMS: tuple[Rule, ...] = (_outages, _ping, _storm)
#: Notes: facts worth knowing that are neither a cause nor a symptom.
NOTES: tuple[Rule, ...] = (_unknown, _lower_bounds)


def _apply(rules: tuple[Rule, ...], ev: Evidence, causes: Sequence[Cause]) -> list[Finding]:
    return [f for f in (rule(ev, causes) for rule in rules) if f is not None]


def symptoms(ev: Evidence, causes: Sequence[Cause]) -> list[Finding]:
    """Symptoms, each attributed to the causes it comes from."""
    return _apply(SYMPTOMS, ev, causes)


def notes(ev: Evidence, causes: Sequence[Cause] = ()) -> list[Finding]:
    """Notes: facts worth knowing that are neither a cause nor a symptom."""
    return _apply(NOTES, ev, causes)
