"""The recent part of a log: a finished Summary of its last minutes, for live findings (watch).

:func:`since` takes a finished summary (``Summary.snapshot()`` of a live one) and keeps the
events of the minutes from a start on: failures by class and connection, their finer kinds,
reconnects and closes (of each connection too), outage onsets. Everything a summary says about
the log as a whole stays that of all the log read: the inputs, the connection ids and pool, the
topics, the streamers, the unknown error texts and each connection's outage history (which
health clips to the window's span). An INFO log names a connection only when it fails, so a
window would undercount the pool; and the topics are listened to once, at the start.

When the start is at or before the log's first record the window is the summary itself: over
a whole log, live findings are those of ``analyze``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from wsdiag.summary.connections import ConnStats
from wsdiag.summary.minutes import minute_of
from wsdiag.summary.summary import Summary

_EPOCH = datetime(1970, 1, 1)


def since(s: Summary, start: datetime) -> Summary:
    """The part of the finished summary ``s`` from the minute of ``start`` on (see the module's
    doc); ``s`` itself when that is all of it. The result shares ``s``'s objects: read only."""
    if not s.finished:
        raise ValueError("since() takes a finished summary (Summary.snapshot())")
    if s.first is None or s.last is None or start <= s.first:
        return s
    first = minute_of(start)
    w = Summary(
        inputs=s.inputs,
        first=_EPOCH + timedelta(minutes=first),
        last=s.last,
        year_assumed=s.year_assumed,
        ids=s.ids,
        max_id=s.max_id,
        topics=s.topics,
        conn_topics=s.conn_topics,
        topics_capped=s.topics_capped,
        streamers=s.streamers,
        badauth_hint=s.badauth_hint,
        unknown=s.unknown,
        finished=True,
        window=s.window,
        same_run=s.same_run,
    )
    w.conns = {
        conn: ConnStats(topics=cs.topics, uptime=cs.uptime) for conn, cs in s.conns.items()
    }
    for key, m in s.minutes.items():
        if key < first:
            continue
        w.minutes[key] = m
        w.reconnects += m.reconnects
        w.closes += m.closes
        w.by_class.update(m.by_class)
        if m.idless:
            w.idless_failures += sum(m.idless.values())
        for (conn, cls), n in m.cell_items():
            w.conns[conn].by_class[cls] += n
        for conn, (reconnects, closes) in m.moves.items():
            w.conns[conn].reconnects += reconnects
            w.conns[conn].closes += closes
        for (on, sig), n in (m.hints or {}).items():
            w.hints[sig] += n
            if on is not None:
                w.conns[on].hints[sig] += n
    return w
