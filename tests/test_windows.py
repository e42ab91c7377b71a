"""Sliding windows over minute keys hold, window by window, what re-unioning their sets gives."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wsdiag.diagnose.windows import distinct_counts, window_ends

keyed_sets = st.dictionaries(
    st.integers(-50, 200), st.frozensets(st.integers(0, 12), max_size=6), max_size=40
)


@settings(max_examples=300, deadline=None)
@given(keyed_sets, st.integers(1, 8), st.sets(st.integers(-50, 200), max_size=10))
def test_windows_match_the_union_of_their_sets(
    sets: dict[int, frozenset[int]], width: int, extra: set[int]
) -> None:
    """Each window ends at the first key `width` or more past its start, and counts the members
    of the union of its sets (keys without a set count none)."""
    keys = sorted(set(sets) | extra)
    ends = window_ends(keys, width)
    assert ends == [
        next((j for j in range(i, len(keys)) if keys[j] >= k + width), len(keys))
        for i, k in enumerate(keys)
    ]
    want = [len(frozenset().union(*(sets.get(k, frozenset()) for k in keys[i:j]))) for i, j in enumerate(ends)]
    assert distinct_counts(keys, ends, sets) == want


def test_window_of_three_minutes() -> None:
    """Minutes 0, 1, 2 share a window of 3; minute 3 starts the next one."""
    keys = [0, 1, 2, 3, 10]
    ends = window_ends(keys, 3)
    assert ends == [3, 4, 4, 4, 5]
    sets = {0: {1, 2}, 1: {2}, 2: {3}, 3: {4, 5, 6}, 10: {1}}
    assert distinct_counts(keys, ends, sets) == [3, 5, 4, 3, 1]


def test_a_window_is_at_least_a_minute() -> None:
    """A window of no width is a mistake, not an empty answer."""
    with pytest.raises(ValueError, match="at least one minute"):
        window_ends([1, 2], 0)
