"""Property tests of the parser (hypothesis): whatever the bytes, it never raises and never lets
garbage change what the real lines say; the fast path, chunking and split-and-merge all agree
with the reference path on the same input."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import SAMPLES
from wsdiag.diagnose.diagnosis import Diagnosis
from wsdiag.parse.redact import clean
from wsdiag.read.layouts import YearResolver, split_line
from wsdiag.read.scan import MAX_LINE, Scanner
from wsdiag.read.sources import chunks
from wsdiag.summary import summary as summary_module
from wsdiag.summary.summary import Summary

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _lines(name: str) -> list[bytes]:
    return (SAMPLES / name).read_bytes().splitlines()


# Real miner lines in their real order. "less" logs need one pass in order (a New Year in the
# middle moves the year on), so split-and-merge properties use the logs with a year only.
WITH_YEAR = {
    name: _lines(name)
    for name in (
        "healthy_2conn.log",
        "storm_37conn.log",
        "outage.log",
        "bad_auth.log",
        "docker_compose.log",
        "debug_tokens.log",
    )
}
ALL_LOGS = {**WITH_YEAR, "less_rollover.log": _lines("less_rollover.log")}
EVERY_LINE = [line for lines in ALL_LOGS.values() for line in lines]

NASTY = [
    b"",
    b"\x00" * 40,
    b"\xff\xfe\xfd garbage \xc3",
    b"\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\",
    b"\x1b]0;title",  # unterminated OSC
    b"\x1b[31m[red]markup[/red]\x1b[0m",
    b"\xc2\x9b31m 8-bit CSI",
    b'  File "x.py", line 1, in <module>',
    b"Traceback (most recent call last):",
    b"99/99/99 99:99:99 - ERROR - nope",
    b"x" * (MAX_LINE - 1),
    b"y" * (MAX_LINE + 1),
    b'"topics":[' * 50,
    b"auth_token=" + b"z" * 30,
]


def _is_record(raw: bytes) -> bool:
    if len(raw) > MAX_LINE:
        return False
    text = raw.decode("utf-8", "replace")
    return split_line(clean(text), YearResolver(2025, False))[0].layout is not None or (
        split_line(text, YearResolver(2025, False))[0].layout is not None
    )


# A garbage line: never a miner record itself (else it would rightly change the counts), and
# without line ends (it is one line; CR and LF are tested separately).
garbage_line = (
    st.one_of(
        st.binary(max_size=300),
        st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.sampled_from(NASTY),
    )
    .map(lambda b: b.replace(b"\n", b" ").replace(b"\r", b" "))
    .filter(lambda b: not _is_record(b))
)


@st.composite
def real_slice(draw: st.DrawFn, logs: dict[str, list[bytes]]) -> list[bytes]:
    """A contiguous run of lines of one real log (errors stay next to their echoes)."""
    lines = logs[draw(st.sampled_from(sorted(logs)))]
    start = draw(st.integers(0, len(lines) - 1))
    size = draw(st.integers(1, 120))
    return lines[start : start + size]


@st.composite
def mixture(draw: st.DrawFn, logs: dict[str, list[bytes]]) -> tuple[bytes, bytes]:
    """(the real lines alone, the same lines with garbage lines between them)."""
    good = draw(real_slice(logs))
    eol = draw(st.sampled_from([b"\n", b"\r\n"]))
    inserts = draw(st.lists(st.tuples(st.integers(0, len(good)), garbage_line), max_size=12))
    mixed = list(good)
    for pos, junk in sorted(inserts, key=lambda pi: -pi[0]):
        mixed.insert(pos, junk)
    return eol.join(good) + eol, eol.join(mixed) + eol


def _scanner() -> Scanner:
    summary = Summary()
    return Scanner(summary, summary.input("x.log"), YearResolver.for_log(2025))


def scan(data: bytes, feed: Callable[[Scanner], Callable[[bytes], None]]) -> Summary:
    sc = _scanner()
    feed(sc)(data)
    return sc.summary.finish()


def snapshot(summary: Summary) -> dict[str, Any]:
    """Everything a report can show, as plain data (finished summary)."""
    doc = Diagnosis.of(summary).to_dict()
    return json.loads(json.dumps(doc, default=str))  # type: ignore[no-any-return]


def good_counts(summary: Summary) -> dict[str, Any]:
    """What the real lines say: failures, reconnects, closes, connections, topics, span."""
    return {
        "by_class": {k: v for k, v in summary.by_class.items() if v},
        "reconnects": summary.reconnects,
        "closes": summary.closes,
        "ids": sorted(summary.ids),
        "per_conn": {c: dict(cs.by_class) for c, cs in sorted(summary.conns.items()) if cs.by_class},
        "topics": sorted(summary.topics),
        "streamers": summary.streamers,
        "badauth_hint": summary.badauth_hint,
        "first": summary.first,
        "last": summary.last,
        "records": sum(st.records for st in summary.inputs.values()),
        "unknown": {k: v[0] for k, v in summary.unknown.items()},
    }


@SETTINGS
@given(st.binary(max_size=20_000))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    """Any bytes at all: both paths and the chunker run without an exception and count lines."""
    simple = scan(data, lambda sc: sc.simple)
    fast = scan(data, lambda sc: sc.chunk)
    stats = simple.inputs["x.log"]
    expected = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n")
    if data and data[-1:] not in (b"\n", b"\r"):
        expected += 1
    assert stats.lines == expected
    assert snapshot(fast) == snapshot(simple)
    sc = _scanner()
    for part in chunks(io.BytesIO(data), size=512):
        sc.chunk(part)
    assert snapshot(sc.summary.finish()) == snapshot(simple)


@SETTINGS
@given(st.lists(st.one_of(garbage_line, st.sampled_from(EVERY_LINE)), max_size=80))
def test_shuffled_real_and_garbage_lines_never_raise(lines: list[bytes]) -> None:
    """Real lines out of order among garbage: no exception, fast path equals reference."""
    data = b"\n".join(lines)
    assert snapshot(scan(data, lambda sc: sc.chunk)) == snapshot(scan(data, lambda sc: sc.simple))


@SETTINGS
@given(mixture(ALL_LOGS))
def test_garbage_does_not_change_what_real_lines_say(pair: tuple[bytes, bytes]) -> None:
    """Garbage lines between real ones change no count of the real ones."""
    good, mixed = pair
    expected = good_counts(scan(good, lambda sc: sc.simple))
    assert good_counts(scan(mixed, lambda sc: sc.simple)) == expected
    assert good_counts(scan(mixed, lambda sc: sc.chunk)) == expected


@SETTINGS
@given(mixture(ALL_LOGS))
def test_fast_path_equals_reference_path(pair: tuple[bytes, bytes]) -> None:
    """Scanner.chunk (fast) and Scanner.simple (every line) give the same summary."""
    _, mixed = pair
    assert snapshot(scan(mixed, lambda sc: sc.chunk)) == snapshot(scan(mixed, lambda sc: sc.simple))


@SETTINGS
@given(mixture(ALL_LOGS), st.integers(1, 4096))
def test_any_chunk_size_equals_whole(pair: tuple[bytes, bytes], size: int) -> None:
    """Read in chunks of any size (lines cut anywhere, CRLF split), the result is the same."""
    _, mixed = pair
    sc = _scanner()
    for part in chunks(io.BytesIO(mixed), size=size):
        sc.chunk(part)
    assert snapshot(sc.summary.finish()) == snapshot(scan(mixed, lambda s: s.simple))


@SETTINGS
@given(mixture(WITH_YEAR), st.floats(0, 1))
def test_split_in_two_and_merge_equals_whole(pair: tuple[bytes, bytes], where: float) -> None:
    """Two halves scanned apart and merged (Summary.merge) equal the whole scanned at once."""
    _, mixed = pair
    ends = [i + 1 for i, b in enumerate(mixed) if b == 0x0A]
    cut = ends[int(where * (len(ends) - 1))] if ends else 0
    first, second = _scanner(), _scanner()
    first.chunk(mixed[:cut])
    second.chunk(mixed[cut:])
    merged = first.summary.merge(second.summary).finish()
    assert snapshot(merged) == snapshot(scan(mixed, lambda sc: sc.simple))


# Collectors' prefixes (stamps.WRAPPERS) and near misses of them; the times differ from the
# miner's, so a line whose own stamp is invalid shows whether the prefix's time stood in.
_PREFIXES = st.sampled_from([
    b"miner  | ", b"twitch-miner-1 | ", b"a | ", b"miner  |", b"miner-1  | 2024-01-02T03:04:05.123456789Z ",
    b"2024-01-02 03:04:05 miner-1  | ", b"2024-01-02T03:04:05.123456789Z ", b"2024-01-02T03:04:05Z ",
    b"2024-01-02T03:04:05.1234567890Z ", b"2024-13-02T03:04:05Z ", b"Jan 02 03:04:05 pi python3[812]: ",
    b"Jan  2 03:04:05 pi python3[812]: ", b"jan 02 03:04:05 pi python3: ", b"2024-01-02T03:04:05Z app[3d8d9e1b] ams [info]",
    b"2024-01-02T03:04:05Z app[3d8d9e1b] ams [info] ",
])


@SETTINGS
@given(mixture(ALL_LOGS), _PREFIXES, st.booleans(), st.booleans())
def test_fast_path_equals_reference_behind_a_collectors_prefix(
    pair: tuple[bytes, bytes], prefix: bytes, all_lines: bool, bad_stamps: bool
) -> None:
    """Behind a collector's prefix (compose, docker -t, journald, Fly.io or a near miss of one;
    on every line, or on all but some), with or without invalid miner stamps, the fast path
    still gives the reference summary."""
    _, mixed = pair
    lines = mixed.split(b"\n")
    if bad_stamps:  # day 31 of months without one: the prefix's time stands in, where it has one
        lines = [re.sub(rb"^(\d\d)/(\d\d)", b"31/02", line) if i % 3 == 0 else line for i, line in enumerate(lines)]
    data = b"\n".join(prefix + line if all_lines or i % 7 else line for i, line in enumerate(lines))
    assert snapshot(scan(data, lambda sc: sc.chunk)) == snapshot(scan(data, lambda sc: sc.simple))


@SETTINGS
@given(mixture(WITH_YEAR), st.floats(0, 1), st.integers(0, 6))
def test_split_and_merge_equals_whole_past_the_minute_cap(pair: tuple[bytes, bytes], where: float, cap: int) -> None:
    """Past MAX_MINUTES the later minutes' events count as untimed, whether the log is scanned
    whole or in parts that are merged (as forked workers' are)."""
    _, mixed = pair
    ends = [i + 1 for i, b in enumerate(mixed) if b == 0x0A]
    cut = ends[int(where * (len(ends) - 1))] if ends else 0
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(summary_module, "MAX_MINUTES", cap)
        first, second = _scanner(), _scanner()
        first.chunk(mixed[:cut])
        second.chunk(mixed[cut:])
        merged = first.summary.merge(second.summary).finish()
        assert snapshot(merged) == snapshot(scan(mixed, lambda sc: sc.simple))


WRAPPERS = [b"", b"\x1b[0m", b"\t", b" ", b"\xc2\x9b0m", b"\xc2\x9d0;t\x07", b"> ", b"\xef\xbb\xbf"]


@SETTINGS
@given(mixture(ALL_LOGS), st.lists(st.sampled_from(WRAPPERS), min_size=1, max_size=30))
def test_fast_path_equals_reference_with_wrapped_and_escaped_stamps(
    pair: tuple[bytes, bytes], wraps: list[bytes]
) -> None:
    """Real lines behind a colour reset, an 8-bit escape, a TAB, a space, `> ` or a BOM (the
    stamp then is not at the line start): the fast path gives the reference summary."""
    _, mixed = pair
    lines = mixed.split(b"\n")
    data = b"\n".join(wraps[i % len(wraps)] + line if line else line for i, line in enumerate(lines))
    assert snapshot(scan(data, lambda sc: sc.chunk)) == snapshot(scan(data, lambda sc: sc.simple))
