"""Causes: which ones the evidence supports, which failures each explains, and their rank.

Failures are attributed in the order an expert reads a log, each failure event to at most one
cause (:class:`Ledger`):

1. what names its cause by itself: refusals of LISTENs that the miner sent redacted
   (``redact_secrets=True``: ``client-rejected``, whatever the answer, ERR_BADAUTH included,
   since the cookie is not at fault), ERR_BADAUTH answers and Hermes authentication errors
   (``bad-auth``), Twitch refusing the client (``client-rejected``), certificate verification
   failures (``tls-certificate``), Twitch's RECONNECT requests (``twitch-reconnects``);
2. the host and its network: every failure of a network-wide outage, every DNS failure and
   "No internet connection" (``network-instability``); missed PINGs/PONGs of many connections
   together with no network error (``host-stalled``); a connection failing at every attempt
   until the log ends (TLS: ``tls-errors``, otherwise ``network-instability``); TLS failures
   that recur (``tls-errors``);
3. what is left, single failures on single connections: on a pool above Twitch's limit they are
   the overload (``too-many-connections``); beside network trouble, the same network; when they
   are frequent, the network (resets, timeouts) or the host (ping/pong failures); a few of them
   with no cause on the user's side, Twitch's background (``twitch-closes``).

Two causes rest on other evidence: ``too-many-connections`` (the pool size) and ``close-loop``
(closes with no error line). Causes rank by severity, then by tier (what stops everything, the
host, the settings, Twitch), then by the failures they explain.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from wsdiag.diagnose.client import client_facts
from wsdiag.diagnose.evidence import Context, Evidence
from wsdiag.diagnose.thresholds import OUTAGE_SHARE_FOR_ERROR, OUTAGES_FOR_ERROR, Severity
from wsdiag.parse.records import FAILURE_CLASSES, LINK_CLASSES, OFFLINE_CLASSES, PING_CLASSES, FailureClass

#: Every cause, in its tier: 0 stops everything, 1 the host, 2 the settings, 3 Twitch's side.
TIERS: dict[str, int] = {
    "tls-certificate": 0,
    "bad-auth": 0,
    "client-rejected": 0,
    "close-loop": 0,
    "network-instability": 1,
    "host-stalled": 1,
    "tls-errors": 1,
    "too-many-connections": 2,
    "twitch-reconnects": 3,
    "twitch-closes": 3,
}
CAUSES = tuple(TIERS)
#: Causes on Twitch's side: the only ones that may say there is nothing to change.
TWITCH_SIDE = frozenset({"twitch-reconnects", "twitch-closes"})
_DROPS = (*LINK_CLASSES, FailureClass.SSL)  # a socket lost on its own: reset, broken pipe, timeout, TLS
_ALL = FAILURE_CLASSES
STALL_MIN_CONNECTIONS = 2  # ping/pong failures on one connection alone are no stalled host


@dataclass(frozen=True)
class Cause:
    """A cause found in the log, and the failures it explains."""

    id: str
    severity: str
    claims: dict[tuple[Context, str], int]  # the failures it explains, by context and class

    @property
    def explains(self) -> int:
        return sum(self.claims.values())

    @property
    def tier(self) -> int:
        return TIERS[self.id]

    def explained(self, classes: Iterable[str] = _ALL, contexts: Iterable[Context] | None = None) -> int:
        """Failures it explains of these classes (and contexts)."""
        cls, ctx = set(classes), None if contexts is None else set(contexts)
        return sum(
            n for (c, k), n in self.claims.items() if k in cls and (ctx is None or c in ctx)
        )

    def by_class(self) -> dict[str, int]:
        out: Counter[str] = Counter()
        for (_, k), n in self.claims.items():
            out[k] += n
        return {k: out[k] for k in FAILURE_CLASSES if out.get(k)}


class Ledger:
    """Failures by (context, class) not yet attributed, and what each cause took."""

    def __init__(self, cells: dict[tuple[Context, str], int]) -> None:
        self.left: Counter[tuple[Context, str]] = Counter(cells)
        self.claims: dict[str, Counter[tuple[Context, str]]] = {}

    def take(
        self,
        cause: str,
        classes: Iterable[str],
        contexts: Iterable[Context] | None = None,
        limit: int | None = None,
    ) -> int:
        """Attribute to ``cause`` the failures left of these classes (in these contexts, in
        this order), at most ``limit``; returns how many."""
        taken = 0
        claims = self.claims.setdefault(cause, Counter())
        for ctx in Context if contexts is None else contexts:
            for kls in classes:
                n = self.left.get((ctx, kls), 0)
                if limit is not None:
                    n = min(n, limit - taken)
                if n <= 0:
                    continue
                self.left[(ctx, kls)] -= n
                claims[(ctx, kls)] += n
                taken += n
        return taken

    def remaining(self, classes: Iterable[str], contexts: Iterable[Context] | None = None) -> int:
        ctx = None if contexts is None else set(contexts)
        cls = set(classes)
        return sum(n for (c, k), n in self.left.items() if k in cls and (ctx is None or c in ctx))

    def has(self, cause: str) -> bool:
        return sum(self.claims.get(cause, Counter()).values()) > 0


# Certificates are taken where nothing else would explain them first.
_CERT_ORDER = (
    Context.ISOLATED,
    Context.PERSISTENT,
    Context.STALL,
    Context.SERVER,
    Context.HOST_OUTAGE,
    Context.NETWORK_OUTAGE,
)


def attribute(ev: Evidence) -> Ledger:
    """Attribute every failure of the evidence to at most one cause (see the module doc)."""
    th = ev.thresholds
    book = Ledger(ev.cells)
    # 1. Failures that name their cause.
    if client_facts(ev.summary).redacted_listens:
        # Twitch got "auth_token":"REDACTED" and topics as a string: it refuses the request,
        # not the cookie
        book.take("client-rejected", [FailureClass.BAD_AUTH, FailureClass.REJECTED])
    book.take("bad-auth", [FailureClass.BAD_AUTH])
    book.take("client-rejected", [FailureClass.REJECTED])
    book.take("tls-certificate", [FailureClass.SSL], _CERT_ORDER, limit=ev.hints.get("certificate", 0))
    book.take("twitch-reconnects", [FailureClass.RECONNECT_REQUESTED])
    # 2. The host and its network.
    book.take("network-instability", _ALL, [Context.NETWORK_OUTAGE])
    book.take("host-stalled", PING_CLASSES, [Context.HOST_OUTAGE, Context.STALL])
    book.take("network-instability", _ALL, [Context.HOST_OUTAGE])
    book.take("network-instability", OFFLINE_CLASSES)
    book.take("tls-errors", [FailureClass.SSL], [Context.PERSISTENT])
    book.take("network-instability", LINK_CLASSES, [Context.PERSISTENT])
    if book.remaining([FailureClass.SSL]) >= th.network_min:
        book.take("tls-errors", [FailureClass.SSL])
    # 3. Single failures on single connections.
    if ev.pool is not None and ev.pool > th.max_connections:
        book.take("too-many-connections", (*PING_CLASSES, *_DROPS))
    if book.has("network-instability") or ev.frequent(
        book.remaining(_DROPS), th.network_min, th.network_error_per_hour
    ):
        book.take("network-instability", _DROPS)
    pinged = set().union(*(ev.conns_by_class.get(c, frozenset()) for c in PING_CLASSES))
    if len(pinged) >= STALL_MIN_CONNECTIONS and ev.frequent(
        book.remaining(PING_CLASSES), th.ping_min, th.ping_error_per_hour
    ):
        book.take("host-stalled", PING_CLASSES)
    user_side = any(book.has(c) for c in CAUSES if c not in TWITCH_SIDE) or _structural(ev)
    if not user_side:
        book.take("twitch-closes", (*_DROPS, *PING_CLASSES))
    return book


def _structural(ev: Evidence) -> bool:
    """A user-side cause that rests on something other than failures."""
    return ev.loop is not None or (ev.pool is not None and ev.pool > ev.thresholds.max_connections)


def decide(ev: Evidence) -> list[Cause]:
    """The causes the evidence supports, most important first."""
    book = attribute(ev)
    found: list[Cause] = []
    for cid in CAUSES:
        claims = {k: n for k, n in book.claims.get(cid, Counter()).items() if n}
        present = bool(claims)
        if cid == "too-many-connections":
            present = ev.pool is not None and ev.pool > ev.thresholds.max_connections
        elif cid == "close-loop":
            present = ev.loop is not None
        if present:
            found.append(Cause(cid, "info", claims))
    out = [Cause(c.id, _severity(ev, c), c.claims) for c in found]
    return sorted(out, key=rank)


def rank(c: Cause) -> tuple[int, int, int, int]:
    """Severity first, then the tier, then the failures explained."""
    return (Severity(c.severity).rank, c.tier, -c.explains, CAUSES.index(c.id))


def _severity(ev: Evidence, c: Cause) -> str:
    if c.id in TWITCH_SIDE:
        return "info"
    if c.id == "host-stalled":
        return "warning"
    if c.id in ("network-instability", "tls-errors"):
        return _link_severity(ev, c)
    return "error"


def _link_severity(ev: Evidence, c: Cause) -> str:
    """A network or TLS cause is an error when frequent, when TLS never works on a connection,
    or when network outages took most failures; a warning otherwise."""
    th = ev.thresholds
    n = c.explains
    rate = ev.rate(n)
    frequent = n >= th.network_min and rate is not None and rate >= th.network_error_per_hour
    if frequent or (c.id == "tls-errors" and c.explained([FailureClass.SSL], [Context.PERSISTENT])):
        return "error"
    if c.id == "network-instability":
        outages = [x for x in ev.cascades.items if x.kind == "network"]
        inside = c.explained(contexts=[Context.NETWORK_OUTAGE])
        if len(outages) >= OUTAGES_FOR_ERROR and inside >= OUTAGE_SHARE_FOR_ERROR * ev.summary.failures_total:
            return "error"
    return "warning"
