"""A Minute counts like Counters and dicts would, however many cells it holds, merged or not."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from wsdiag.analyze import Minute

conns = st.one_of(st.none(), st.integers(0, 40))
classes = st.sampled_from(["ping_pong", "ssl", "timeout", "other"])
events = st.lists(
    st.one_of(
        st.tuples(st.just("fail"), conns, classes),
        st.tuples(st.just("onset"), st.integers(0, 40), st.sampled_from(["network", "server", "auth"])),
    ),
    max_size=60,
)


def _feed(m: Minute, evs: list[tuple[str, int | None, str]]) -> None:
    for kind, conn, what in evs:
        if kind == "fail":
            m.failed(conn, what)
        else:
            assert conn is not None
            m.onset(conn, what)


def _model(evs: list[tuple[str, int | None, str]]) -> tuple[Counter[tuple[int, str]], Counter[str], dict[int, str]]:
    cells: Counter[tuple[int, str]] = Counter()
    by_class: Counter[str] = Counter()
    onsets: dict[int, str] = {}
    for kind, conn, what in evs:
        if kind == "fail":
            by_class[what] += 1
            if conn is not None:
                cells[(conn, what)] += 1
        else:
            assert conn is not None
            onsets.setdefault(conn, what)
    return cells, by_class, onsets


@settings(max_examples=300, deadline=None)
@given(events, st.integers(0, 60))
def test_minute_counts_like_a_counter_and_merges(evs: list[tuple[str, int | None, str]], cut: int) -> None:
    """Cells, classes, connections and first onsets match a Counter model, in one Minute or two merged."""
    cells, by_class, onsets = _model(evs)
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


def test_a_storm_minute_outgrows_the_tuples() -> None:
    """Past a few cells a Minute switches to a dict, and counting stays right."""
    m = Minute()
    for conn in range(100):
        m.failed(conn, "ssl")
        m.failed(conn, "ssl")
        m.onset(conn, "network")
    assert isinstance(m.packed_cells, Counter) and isinstance(m.packed_onsets, dict)
    assert m.by_class == Counter({"ssl": 200}) and len(m.onsets) == 100
