"""A Minute counts like Counters and dicts would, however many cells it holds, merged or not."""

from __future__ import annotations

import copy
import pickle
from collections import Counter
from dataclasses import fields
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from wsdiag.summary.minutes import Minute

conns = st.one_of(st.none(), st.integers(0, 40))
classes = st.sampled_from(["ping_pong", "ssl", "timeout", "other"])
events = st.lists(
    st.one_of(
        st.tuples(st.just("fail"), conns, classes),
        st.tuples(st.just("onset"), st.integers(0, 40), st.sampled_from(["network", "server", "auth"])),
        st.tuples(st.just("move"), st.integers(0, 40), st.sampled_from(["reconnect", "close"])),
        st.tuples(st.just("hint"), conns, st.sampled_from(["certificate", "eof"])),
    ),
    max_size=60,
)


def _feed(m: Minute, evs: list[tuple[str, int | None, str]]) -> None:
    for kind, conn, what in evs:
        if kind == "fail":
            m.failed(conn, what)
        elif kind == "hint":
            m.hinted(conn, what)
        elif kind == "move":
            assert conn is not None
            m.moved(conn, what == "reconnect")
        else:
            assert conn is not None
            m.onset(conn, what)


Model = tuple[Counter[tuple[int, str]], Counter[str], dict[int, str], Counter[tuple[int, str]], Counter[tuple[int | None, str]]]


def _model(evs: list[tuple[str, int | None, str]]) -> Model:
    cells: Counter[tuple[int, str]] = Counter()
    by_class: Counter[str] = Counter()
    onsets: dict[int, str] = {}
    moves: Counter[tuple[int, str]] = Counter()
    hints: Counter[tuple[int | None, str]] = Counter()
    for kind, conn, what in evs:
        if kind == "fail":
            by_class[what] += 1
            if conn is not None:
                cells[(conn, what)] += 1
        elif kind == "hint":
            hints[(conn, what)] += 1
        elif kind == "move":
            assert conn is not None
            moves[(conn, what)] += 1
        else:
            assert conn is not None
            onsets.setdefault(conn, what)
    return cells, by_class, onsets, moves, hints


@settings(max_examples=300, deadline=None)
@given(events, st.integers(0, 60))
def test_minute_counts_like_a_counter_and_merges(evs: list[tuple[str, int | None, str]], cut: int) -> None:
    """Cells, classes, connections, first onsets, each connection's reconnects and closes and
    the finer kinds match a Counter model, in one Minute or two merged."""
    cells, by_class, onsets, moves, hints = _model(evs)
    whole, head, tail = Minute(), Minute(), Minute()
    _feed(whole, evs)
    _feed(head, evs[:cut])
    _feed(tail, evs[cut:])
    head.merge(tail)
    for m in (whole, head):
        assert dict(m.cells) == dict(cells)
        assert +m.by_class == +by_class
        assert m.conns == {c for c, _ in cells}
        assert dict(m.onsets) == onsets
        assert list(m.onsets) == list(onsets)  # in the order the outages began
        assert {c: (r, k) for c, (r, k) in m.moves.items() if r or k} == {
            c: (moves[(c, "reconnect")], moves[(c, "close")]) for c, _ in moves
        }
        assert +Counter(m.hints) == +hints
    assert whole == head


@settings(max_examples=100, deadline=None)
@given(events, st.integers(0, 59))
def test_minute_pickles_and_copies_to_an_equal_one(evs: list[tuple[str, int | None, str]], second: int) -> None:
    """A Minute comes back from pickle (a forked worker's summary) and deepcopy (a snapshot)
    with every field equal, its counters its own."""
    m = Minute()
    _feed(m, evs)
    m.seen(datetime(2025, 11, 29, 10, 0, second))
    m.marked(m.first, 3, "ssl")
    for back in (pickle.loads(pickle.dumps(m, pickle.HIGHEST_PROTOCOL)), copy.deepcopy(m)):
        assert back == m
        assert [getattr(back, f.name) for f in fields(Minute)] == [getattr(m, f.name) for f in fields(Minute)]
        assert back.idless is None or back.idless is not m.idless


def test_a_storm_minute_outgrows_the_tuples() -> None:
    """Past a few cells a Minute switches to a dict, and counting stays right."""
    m = Minute()
    for conn in range(100):
        m.failed(conn, "ssl")
        m.failed(conn, "ssl")
        m.onset(conn, "network")
    assert isinstance(m.packed_cells, Counter)
    assert isinstance(m.packed_onsets, dict)
    assert m.by_class == Counter({"ssl": 200})
    assert len(m.onsets) == 100


def test_joined_parts_keep_the_minutes_one_pass_keeps_past_the_cap() -> None:
    """Past MAX_MINUTES, a later part's own minutes come before the outage onsets that joining
    the parts adds (a connection's first outage in the later part), as in one pass; found by
    hypothesis in test_split_and_merge_equals_whole_past_the_minute_cap."""
    import pytest

    import wsdiag.summary.summary as analyze_module
    from tests.minerlog import START, failure
    from tests.test_parser_properties import _scanner, scan, snapshot

    at = [(0, 18), (4, 0), (5, 25), (13, 13), (17, 19), (21, 28), (48, 0)]  # (minute, connection)
    text = "".join(failure(START + timedelta(minutes=m, seconds=42), c, "ping_pong") for m, c in at)
    data = text.encode()
    cut = data.index(b"\n", data.index(f"#{25} - WebSocket closed".encode())) + 1
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(analyze_module, "MAX_MINUTES", 4)
        first, second = _scanner(), _scanner()
        first.chunk(data[:cut])
        second.chunk(data[cut:])
        merged = first.summary.merge(second.summary).finish()
        whole = scan(data, lambda sc: sc.simple)
        assert [k - min(whole.minutes) for k in whole.minutes] == [0, 4, 5, 13]
        assert snapshot(merged) == snapshot(whole)
