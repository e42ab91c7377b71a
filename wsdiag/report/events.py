"""The lines of ``wsdiag events``: one per failure event, as JSON or tab-separated values."""

from __future__ import annotations

import json
from enum import Enum

from wsdiag.common.choices import assert_never
from wsdiag.parse.records import FailureEvent


class EventFormat(str, Enum):
    """The formats of ``wsdiag events``."""

    jsonl = "jsonl"
    tsv = "tsv"

    def __str__(self) -> str:
        return self.value


def to_json(ev: FailureEvent) -> str:
    """One jsonl line (ASCII-only, so any log content stays valid JSON anywhere)."""
    return json.dumps(ev.to_dict(), ensure_ascii=True) + "\n"


def to_tsv(ev: FailureEvent) -> str:
    """time, connection, class, message; empty for null; tabs and line ends become spaces."""
    time = "" if ev.time is None else ev.time.isoformat(timespec="seconds")
    conn = "" if ev.conn is None else str(ev.conn)
    message = ev.message.replace("\t", " ").replace("\r", " ").replace("\n", " ")
    return f"{time}\t{conn}\t{ev.cls}\t{message}\n"


def render(fmt: EventFormat, events: list[FailureEvent]) -> str:
    """The lines of ``events`` in ``fmt``."""
    match fmt:
        case EventFormat.jsonl:
            return "".join(to_json(ev) for ev in events)
        case EventFormat.tsv:
            return "".join(to_tsv(ev) for ev in events)
        case _:
            assert_never(fmt)
