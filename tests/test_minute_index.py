"""The minute index holds what walking a summary's minutes in time order, one by one, gives."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from wsdiag.diagnose.minute_index import index_of
from wsdiag.summary.minutes import Minute, minute_of
from wsdiag.summary.summary import Summary

T0 = datetime(2025, 11, 29, 10, 0, 0)
events = st.lists(
    st.one_of(
        st.tuples(st.just("fail"), st.integers(0, 30), st.one_of(st.none(), st.integers(0, 12)), st.sampled_from(["ssl", "timeout", "ping_pong"])),
        st.tuples(st.just("onset"), st.integers(0, 30), st.integers(0, 12), st.sampled_from(["network", "server", "auth"])),
    ),
    max_size=120,
)


def _summary(evs: list[tuple[str, int, int | None, str]], edges: tuple[int, int] | None) -> Summary:
    s = Summary()
    for kind, minute, conn, what in evs:
        m = s.minutes.setdefault(minute_of(T0) + minute * 7 % 31, Minute())  # not in time order
        if kind == "fail":
            m.failed(conn, what)
        else:
            assert conn is not None
            m.onset(conn, what)
    if edges is not None:
        s.first, s.last = T0 + timedelta(minutes=edges[0]), T0 + timedelta(minutes=edges[1])
    return s


@settings(max_examples=200, deadline=None)
@given(events, st.one_of(st.none(), st.tuples(st.integers(-5, 10), st.integers(10, 40))))
def test_index_matches_walking_the_minutes(
    evs: list[tuple[str, int, int | None, str]], edges: tuple[int, int] | None
) -> None:
    """Keys in time order, each minute's failures, each connection's cells and onsets in time
    order, the connections each minute's outages began by cause, and the span's edges."""
    s = _summary(evs, edges)
    idx = index_of(s)
    keys = sorted(s.minutes)
    assert idx.keys == keys
    assert idx.failures == [sum(s.minutes[k].by_class.values()) for k in keys]
    fails: dict[int, list[tuple[int, str, int]]] = {}
    onsets: dict[int, list[int]] = {}
    by_cause: dict[str, dict[int, set[int]]] = {}
    for k in keys:
        for (conn, cls), n in s.minutes[k].cells.items():
            fails.setdefault(conn, []).append((k, cls, n))
        for conn, cause in s.minutes[k].onsets.items():
            onsets.setdefault(conn, []).append(k)
            by_cause.setdefault(cause, {}).setdefault(k, set()).add(conn)
    assert idx.fails == fails
    assert idx.onsets == onsets
    assert idx.by_cause == by_cause
    assert all(list(v) == sorted(v) for v in idx.by_cause.values())
    ends = [*keys, *(minute_of(t) for t in (s.first, s.last) if t is not None)]
    assert (idx.lo, idx.hi) == ((min(ends), max(ends)) if ends else (None, None))
    assert idx.span == (max(ends) - min(ends) + 1 if ends else 0)


def test_a_storm_minute_is_read_from_its_dict() -> None:
    """A minute past the packed tuples (many connections) gives the same rows."""
    s = Summary()
    m = s.minutes[100] = Minute()
    for conn in range(20):
        m.failed(conn, "ssl", 2)
        m.onset(conn, "network")
    idx = index_of(s)
    assert idx.fails == {conn: [(100, "ssl", 2)] for conn in range(20)}
    assert idx.failures == [40]
    assert idx.by_cause == {"network": {100: set(range(20))}}
