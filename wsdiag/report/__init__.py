"""Reporters: each turns a Diagnosis into a string and never prints."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

T = TypeVar("T")

#: Inputs named one by one in a report's header or in a warning; the others are counted, so a
#: directory of 10,000 files does not bury the verdict under their names (JSON lists them all).
NAMED_INPUTS = 5
#: A count the log cannot show (the reconnects of an INFO-only Hermes log), in a table cell;
#: the report says why once (`reconnects unknown: ...`).
UNKNOWN = "?"
#: Rows of a table of inputs (Markdown, HTML, the text report's unread lines).
INPUT_ROWS = 20


def first(items: Iterable[T], limit: int) -> tuple[list[T], int]:
    """The first ``limit`` items and how many more there are."""
    shown: list[T] = []
    more = 0
    for item in items:
        if len(shown) < limit:
            shown.append(item)
        else:
            more += 1
    return shown, more
