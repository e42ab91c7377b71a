"""The outage state machine: when each connection was down, mergeable across parts of a log.

An outage of one connection runs from its first sign of trouble (an error, a failure line,
`Reconnecting`) to its recovery: observed when the connection sends LISTEN
again (DEBUG logs; up to LISTEN_GRACE after the estimate), otherwise estimated from the last
sign: the miner sleeps ~30 s after `Reconnecting` before it opens a new socket, and
`Retry after Xm` sleeps X minutes. A sign up to OUTAGE_GRACE after the estimated recovery means
the new socket failed too: the same outage.
Watchdog lines (`The last PONG was received more than 5 minutes ago`) move the start back by
those minutes, since the socket was silent all that time, but never before the previous
recovery.

`WebSocket closed` only extends an outage: the miner follows a close that starts an outage with
`Reconnecting`, while a close with nothing after it is a socket already replaced (after a
server RECONNECT) or the miner stopping.

Whether a sign continues the current outage depends only on the sign before it, so two parts
of a log are joined exactly: each part keeps its first outage (`head`, which may continue the
previous part's last one) and its last (`tail`) apart, and only totals of the others.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from wsdiag.parse.records import FailureClass, Kind, Record

RECONNECT_DELAY = timedelta(seconds=30)
OUTAGE_GRACE = timedelta(seconds=60)
LISTEN_GRACE = timedelta(minutes=5)  # a LISTEN this late still dates the recovery
_NO_TIME = timedelta(0)
_RETRY = re.compile(r"(?:Retry|Retrying websocket reconnection) after (\d{1,3}) ?m")
_SILENT = re.compile(r"more than (\d{1,3}) minutes")
_SILENT_DEFAULT: dict[str, int] = {FailureClass.PONG_TIMEOUT: 5, FailureClass.PING_STALLED: 10}
#: Records that are a sign of trouble (or, LISTEN, of life) of their connection.
SIGNS = frozenset(
    {Kind.ERROR, Kind.RESPONSE_ERROR, Kind.FAILURE, Kind.CLOSED, Kind.RECONNECT, Kind.LISTEN}
)
# Enum members the per-record code tests, as module globals (why: parse.records' docstring).
_RESPONSE_ERROR, _FAILURE, _LISTEN, _CLOSED = Kind.RESPONSE_ERROR, Kind.FAILURE, Kind.LISTEN, Kind.CLOSED
_RECONNECT_REQUESTED, _BAD_AUTH, _NO_INTERNET = (
    FailureClass.RECONNECT_REQUESTED, FailureClass.BAD_AUTH, FailureClass.NO_INTERNET,
)


def refused_listen(rec: Record) -> bool:
    """A LISTEN answered with an ERR_* code (ERR_BADAUTH, ERR_BADMESSAGE...): Twitch refused a
    topic on a socket that stays open, so it is no sign of trouble for the connection's uptime.
    (Hermes' `Authentication error` is different: the miner closes that client.)"""
    return rec.kind is _RESPONSE_ERROR or (
        rec.key.startswith("listen:") and not rec.text.startswith("Authentication error")
    )


def cause_of(rec: Record) -> str:
    """`server` for a RECONNECT Twitch asked for, `auth` for a refused LISTEN, else `network`."""
    if rec.cls == _RECONNECT_REQUESTED:
        return "server"
    if rec.kind is _RESPONSE_ERROR or rec.cls == _BAD_AUTH:
        return "auth"
    return "network"


def _sign_times(rec: Record) -> tuple[timedelta, timedelta]:
    """(expected time to recovery, time the socket was already dead) for one sign of trouble."""
    if rec.kind is _FAILURE and rec.cls == _NO_INTERNET:
        m = _RETRY.search(rec.text)
        return timedelta(minutes=int(m.group(1)) if m else 1), _NO_TIME
    if rec.kind is _FAILURE and rec.cls in _SILENT_DEFAULT and not rec.text.startswith("Stale"):
        m = _SILENT.search(rec.text)
        silent = int(m.group(1)) if m else _SILENT_DEFAULT[rec.cls]
        return RECONNECT_DELAY, timedelta(minutes=silent)
    return RECONNECT_DELAY, _NO_TIME


@dataclass
class Outage:
    """One connection down: from ``start`` to ``end`` (observed or estimated recovery)."""

    onset: datetime  # first logged sign: when the outage became visible
    start: datetime  # onset, or earlier for watchdog lines
    end: datetime
    open: bool = True  # no LISTEN closed it yet: a later sign may still extend it
    cause: str = "network"  # what its first sign points to (see :func:`cause_of`)

    def seconds(self, lo: datetime | None = None, hi: datetime | None = None) -> float:
        """Duration, clipped to [lo, hi] when given."""
        start = self.start if lo is None else max(self.start, lo)
        end = self.end if hi is None else min(self.end, hi)
        return max(0.0, (end - start).total_seconds())


@dataclass
class Uptime:
    """Mergeable outage history of one connection (see the module's doc)."""

    first: datetime | None = None  # first sign (of trouble or of life) in this part
    first_up: bool = False  # ... and it was a LISTEN
    lead_first: datetime | None = None  # closes before `first`: they can only extend the
    lead_last: datetime | None = None  # previous part's outage (last one of a connected chain)
    last_up: datetime | None = None  # last LISTEN
    head: Outage | None = None  # outage begun by the first sign: may continue the previous part's
    tail: Outage | None = None  # latest outage (may be ``head``)
    outages: int = 0  # finished outages other than head and tail
    down: float = 0.0  # their seconds
    longest: float = 0.0

    def retire(self, outage: Outage) -> None:
        """Fold a finished outage into the totals (the head stays apart until the log ends)."""
        if outage is self.head:
            return
        secs = outage.seconds()
        self.outages += 1
        self.down += secs
        self.longest = max(self.longest, secs)


    # -- one part, in log order ----------------------------------------------------------
    def sign(self, t: datetime, rec: Record) -> Outage | None:
        """One sign of trouble (or, LISTEN, of life) at ``t``; returns the outage it began when
        that outage's onset is final (not the first of this part, which may continue the
        previous part's last)."""
        if rec.kind is _LISTEN:
            self.up(t)
            return None
        if rec.kind is _CLOSED:
            self.closed(t)
            return None
        first = self.first is None
        if first:
            self.first, self.first_up = t, False
        tail = self.tail
        delay, silent = _sign_times(rec)
        if tail is not None and tail.open and t <= tail.end + OUTAGE_GRACE:
            tail.end = max(t + delay, tail.start)
            return None
        start = t - silent
        for bound in (tail.end if tail is not None else None, self.last_up):
            if bound is not None:
                start = max(start, bound)
        outage = Outage(t, min(start, t), t + delay, cause=cause_of(rec))
        if tail is not None:
            self.retire(tail)
        self.tail = outage
        if first:
            self.head = outage  # its onset is final only once we know it continues nothing
            return None
        return outage

    def up(self, t: datetime) -> None:
        """A LISTEN: the connection is (back) up."""
        if self.first is None:
            self.first, self.first_up = t, True
        tail = self.tail
        if tail is not None and tail.open:
            if t <= tail.end + LISTEN_GRACE:
                tail.end = max(t, tail.start)
            tail.open = False
        self.last_up = t

    def closed(self, t: datetime) -> None:
        """`WebSocket closed`: it only extends an outage (or, before the first sign, the
        previous part's)."""
        if self.first is None:
            if self.lead_last is None:
                self.lead_first = self.lead_last = t
            elif t <= self.lead_last + RECONNECT_DELAY + OUTAGE_GRACE:
                self.lead_last = t
            return
        tail = self.tail
        if tail is not None and tail.open and t <= tail.end + OUTAGE_GRACE:
            tail.end = max(t + RECONNECT_DELAY, tail.start)

    # -- joining parts -------------------------------------------------------------------
    def merge(self, b: Uptime) -> tuple[Uptime, Outage | None]:
        """Append the later part's history ``b``: the history to keep (this one, or ``b`` when
        this part saw no sign) and the outage whose onset the join made final, if any."""
        a = self
        a._lead_into(b)
        if b.first is None:
            return a, None
        if a.first is None:
            # Its head may still continue an earlier part: it stays pending.
            b.lead_first, b.lead_last = a.lead_first, a.lead_last
            return b, None
        onset = a._join(b)
        a.outages += b.outages
        a.down += b.down
        a.longest = max(a.longest, b.longest)
        if b.last_up is not None:
            a.last_up = b.last_up
        return a, onset

    def _lead_into(self, b: Uptime) -> None:
        """The closes ``b`` saw before its first sign continue this part's leading closes, or
        extend its open outage."""
        if b.lead_first is None or b.lead_last is None:
            return
        if self.first is None:
            if self.lead_last is None:
                self.lead_first, self.lead_last = b.lead_first, b.lead_last
            elif b.lead_first <= self.lead_last + RECONNECT_DELAY + OUTAGE_GRACE:
                self.lead_last = b.lead_last
        elif self.tail is not None and self.tail.open and b.lead_first <= self.tail.end + OUTAGE_GRACE:
            self.tail.end = max(b.lead_last + RECONNECT_DELAY, self.tail.start)

    def _join(self, b: Uptime) -> Outage | None:
        """Join ``b`` (both parts saw a sign) after this part's outages: the outage of ``b``
        whose onset is now final, None when ``b``'s first outage continues this one's last."""
        tail, head = self.tail, b.head
        if self._continued(b):
            if b.tail is not head:
                assert tail is not None
                self.retire(tail)
                self.tail = b.tail
            return None
        if head is not None:
            for bound in (tail.end if tail is not None else None, self.last_up):
                if bound is not None:
                    head.start = min(max(head.start, bound), head.onset)
        if b.tail is not None:
            if tail is not None:
                self.retire(tail)
            if head is not None and head is not b.tail:
                self.retire(head)
            self.tail = b.tail
        return head

    def _continued(self, b: Uptime) -> bool:
        """Whether ``b``'s first outage continues this part's open one (which it then extends);
        a LISTEN first in ``b`` ends it instead."""
        tail, head = self.tail, b.head
        if tail is None or not tail.open or b.first is None:
            return False
        if b.first_up:
            if b.first <= tail.end + LISTEN_GRACE:
                tail.end = max(b.first, tail.start)
            tail.open = False
            return False
        if head is not None and b.first <= tail.end + OUTAGE_GRACE:
            tail.end, tail.open = max(head.end, tail.start), head.open
            return True
        return False
