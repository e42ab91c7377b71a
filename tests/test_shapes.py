"""Shapes: the pattern subset the C filter and the regexes share, and its C loop."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wsdiag.read import linefilter, shapes
from wsdiag.read.shape_algebra import union
from wsdiag.read.shapes import ShapeError, shape

needs_c = pytest.mark.skipif(linefilter._lines is None, reason="the C line filter is not built here")


def test_reads_the_subset_and_refuses_the_rest() -> None:
    """Literals, classes, bounded counts, optional groups and a final $ are read; what would need
    backing up to match (a run that can take what follows it) and unbounded repeats are not."""
    s = shape(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z? ')
    assert s.longest == 31
    assert s.width is None
    assert re.compile(s.bytes_regex).match(b"2025-11-29T18:00:00.5Z ")
    assert shape(r"\d\d/\d\d").width == 5
    assert shape(r"\d\d/\d\d").positions()[2] == frozenset(b"/")
    for bad in [r"[a-z]{1,3}b", r"(?:a[b-z]{0,3})?c", r"a*", r"(a)", r"(?:ab)?a", r"a$b", r"x{0}", r"[a-z]{3,1}", ""]:
        with pytest.raises(ShapeError):
            shape(bad)


def test_union_shares_beginnings_and_keeps_the_shapes() -> None:
    """A union checks common beginnings once and matches where any of its shapes matches."""
    parts = [shape(r'Send: \{"type":"PING"\}$'), shape(r'Received: \{ ?"type": ?"MESSAGE"'),
             shape(r'Received: \{ ?"type": ?"PONG" ?\}$')]  # fmt: skip
    u = union(parts)
    assert u.regex.count("Received") == 1
    for text in [b'Send: {"type":"PING"}', b'Received: { "type": "MESSAGE",x', b'Received: {"type":"PONG" }', b"Received: {x"]:
        assert (re.compile(u.bytes_regex).match(text) is None) == all(re.compile(p.bytes_regex).match(text) is None for p in parts)
    # branches that start with a class are tried in turn
    runs = union([shape("a[b-m]{1,3}x"), shape("a[k-x]{1,3}y"), shape("ab")])
    assert isinstance(runs.steps[-1], shapes.Alt)
    assert len(runs.steps[-1].branches) == 3


_SHAPES = [
    r"\d\d/\d\d/\d\d \d\d:\d\d:\d\d",
    r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d{1,9})?Z? ",
    r' - (?:[0-9a-f]{8}-[0-9a-f]{4} - )?Send: \{"type":"PING"\}$',
    r"[A-Za-z0-9][A-Za-z0-9_.-]{0,3} {0,2}\| ",
    r"[A-Z][a-z]{2} [ \d]\d x[^ ]{1,4} ",
]
_UNIONS = [
    union([shape(r"ab?c$"), shape(r"abd"), shape(r"a[0-9]{1,2}x")]),
    union([shape("a[b-m]{1,3}x"), shape("a[k-x]{1,3}y"), shape("ab")]),  # branches led by classes
]


@needs_c
@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from([*(shape(s) for s in _SHAPES), *_UNIONS]),
    st.text(alphabet="abcdxyz0123456789 -:./|TZ\"{}PINGSendRecivd_[]", max_size=40),
)
def test_the_c_loop_ends_where_the_regex_does(s: shapes.Shape, text: str) -> None:
    """On any text, the C loop over a shape's program ends where its regex's match ends, or
    fails alike (here on texts close to the shapes; tests/test_lines.py holds whole filters)."""
    data = text.encode()
    assert linefilter._lines is not None
    for pos in range(min(len(data), 3) + 1):
        assert linefilter._lines.match_shape(s.program, data, pos) == shapes.match(s, data, pos), (s.source, text, pos)


@needs_c
def test_the_c_loop_on_real_pieces() -> None:
    """Real prefixes and payloads, and their near misses, end alike in C and in re."""
    cases = {
        r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d{1,9})?Z? ": [
            "2025-11-29T18:00:00Z x", "2025-11-29 18:00:00.123456789Z x", "2025-11-29T18:00:00.1234567890Z ",
            "2025-11-29T18:00:00 ", "2025-11-29T18:00:00.Z ",
        ],
        r' - (?:[0-9a-f]{8}-[0-9a-f]{4} - )?Send: \{"type":"PING"\}$': [
            ' - Send: {"type":"PING"}', ' - abcdef01-2345 - Send: {"type":"PING"}', ' - Send: {"type":"PING"} ',
            ' - abcdef01-234 - Send: {"type":"PING"}',
        ],
    }
    assert linefilter._lines is not None
    for src, texts in cases.items():
        s = shape(src)
        for text in texts:
            assert linefilter._lines.match_shape(s.program, text.encode(), 0) == shapes.match(s, text.encode()), (src, text)
