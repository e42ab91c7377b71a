"""Reading messages by the template table (wsdiag.parse.table): the index by a message's first
characters, own-id lines, and records noted with what their line tells."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from wsdiag.parse import forks
from wsdiag.parse.records import FailureClass, Kind, Line, Record
from wsdiag.parse.templates import TEMPLATES, Place, Table

_UUID = "3f6c2b1e-0b1a-4c39-9d35-2a1f5f0c6e11"
_INDEXED = Table(TEMPLATES)
_SCANNED = Table(TEMPLATES, indexed=False)
# Texts that start like the templates' literals, cut anywhere, so that the index's keys, their
# neighbours and near misses are all tried.
_LITERALS = sorted({t.text for t in TEMPLATES} | {t.example.split(" - ")[-1] for t in TEMPLATES})
_PIECES = st.one_of(
    st.sampled_from(_LITERALS).flatmap(lambda s: st.integers(0, len(s)).map(lambda n: s[:n])),
    st.text(max_size=12),
)
_PREFIXES = st.sampled_from(["", "#3 - ", f"#3 - {_UUID} - ", f"#3 - {_UUID}", "#3", " ", "[user] ", "[user]  #3 - "])


@settings(max_examples=600, deadline=None)
@given(
    _PREFIXES,
    st.lists(_PIECES, min_size=1, max_size=3).map("".join),
    st.sampled_from(["DEBUG", "INFO", "ERROR"]),
    st.sampled_from(["on_message", "error", "run", None]),
)
def test_the_index_reads_every_message_as_trying_every_template(
    prefix: str, text: str, level: str, func: str | None
) -> None:
    """Trying only the templates whose literal starts the text (and the searched ones) gives the
    record that trying every template in table order gives."""
    line = Line("file", datetime(2025, 11, 26, 21, 8), level, func, prefix + text)
    assert _INDEXED.to_record(line) == _SCANNED.to_record(line)


def test_every_example_reads_alike_indexed_or_not() -> None:
    """Each entry's example yields the same record through the index as through a full scan."""
    for t in TEMPLATES:
        line = Line("file", None, t.level, t.func, t.example)
        assert _INDEXED.to_record(line) == _SCANNED.to_record(line), t.name


def test_an_own_id_line_is_no_template_after_its_prefix() -> None:
    """A Hermes line holding its own id (`#3 - <uuid>: Cannot open Client`) reads as no template
    after `#N - `, which lets to_record look for own ids only where none was found."""
    own = [t for t in TEMPLATES if t.place is Place.OWN_ID]
    assert own
    after_id = Table(tuple(t for t in TEMPLATES if t.place is Place.AFTER_ID))
    for t in own:
        for example in (t.example, t.example.replace(f" - {_UUID}", "")):
            rec = after_id.to_record(Line("file", None, "INFO", "f", example))
            assert rec is None or rec.kind is Kind.OTHER, example
            rec = _INDEXED.to_record(Line("file", None, "INFO", "f", example))
            assert rec is not None, example
            assert (rec.client, rec.conn) == ("hermes", 3), example


def test_noted_keeps_every_field_of_the_record() -> None:
    """Noting a record's line (client, uuid, variant, DEBUG) changes those fields only."""
    rec = Record(
        Kind.ERROR, datetime(2025, 1, 1), 3, FailureClass.SSL, "text", "key", ("raid.1",), 12,
        None, None, ("mpforce1", "1.3.0"), None, True, True, False,
    )
    line = Line("file", None, "DEBUG", "f", "x")
    noted = forks.noted(rec, line, _UUID, "C")
    assert noted == dataclasses.replace(rec, client="hermes", uuid=_UUID, variant="C", debug=True)
