"""Sliding windows over sorted minute keys: how many distinct members the sets of a window hold.

Cascades ask, for every window of WINDOW minutes starting at an onset minute, how many
connections began an outage in it; and ask it again for each background rate they try. Counting
members in and out as the window slides answers all windows in one pass over the sets (each
member enters once and leaves once), where re-unioning the sets of each window copies them.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import TypeVar

T = TypeVar("T")


def window_ends(keys: Sequence[int], width: int) -> list[int]:
    """For each ``i``: the end ``j`` of the keys in ``[keys[i], keys[i] + width)`` (``keys``
    sorted ascending, distinct; ``width`` at least 1), so that window is ``keys[i:j]``."""
    if width < 1:
        raise ValueError(f"a window is at least one minute wide, not {width}")
    return [bisect_left(keys, k + width) for k in keys]


def distinct_counts(
    keys: Sequence[int], ends: Sequence[int], sets: Mapping[int, AbstractSet[T]]
) -> list[int]:
    """For each ``i``: how many distinct members the sets of ``keys[i:ends[i]]`` hold together
    (a key without a set in ``sets`` holds none); ``ends`` from :func:`window_ends`."""
    held: dict[T, int] = {}
    counts: list[int] = []
    j = 0
    for i, end in enumerate(ends):
        while j < end:  # the keys that enter the window
            got = sets.get(keys[j])
            if got:
                for member in got:
                    held[member] = held.get(member, 0) + 1
            j += 1
        counts.append(len(held))
        got = sets.get(keys[i])
        if got:  # the window's first key leaves it
            for member in got:
                left = held[member] - 1
                if left:
                    held[member] = left
                else:
                    del held[member]
    return counts
