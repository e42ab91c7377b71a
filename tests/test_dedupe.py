"""One event counts once: websocket-client echoes fold into the `#N - WebSocket error` they repeat."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import SAMPLES, diagnose_text
from wsdiag.parse.records import FailureEvent, Kind, Record
from wsdiag.read.layouts import YearResolver
from wsdiag.read.scan import Scanner
from wsdiag.summary.dedupe import NEAR_LINES, SETTLE_SECONDS, Deduper
from wsdiag.summary.summary import Summary

ERR = "23/01/25 13:19:{s:02d} - ERROR - [on_error]: #{c} - WebSocket error: {e}\n"
BYE = "23/01/25 13:19:{s:02d} - ERROR - [error]: {e} - goodbye\n"
CB = "23/01/25 13:19:{s:02d} - ERROR - [error]: error from callback <function WebSocketsPool.on_message at 0x7f>: {e}\n"
SSL = "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed (_ssl.c:1018)"


def test_goodbye_echo_is_not_counted_again(tmp_path: Path) -> None:
    """`#0 - WebSocket error: X` + `X - goodbye` is one event on connection 0."""
    doc = diagnose_text(tmp_path, ERR.format(s=0, c=0, e=SSL) + BYE.format(s=0, e=SSL))
    assert doc["failures"]["by_class"]["ssl"] == 1
    assert doc["failures"]["without_connection"] == 0
    assert doc["connections"]["per_connection"]["0"]["by_class"] == {"ssl": 1}


def test_callback_echo_before_the_error(tmp_path: Path) -> None:
    """`error from callback <...>: X` followed by `#0 - WebSocket error: X` is one event."""
    e = "Error while trying to listen for a topic: {'type': 'RESPONSE', 'error': 'ERR_BADAUTH', 'nonce': 'n'}"
    doc = diagnose_text(tmp_path, CB.format(s=0, e=e) + ERR.format(s=0, c=0, e=e))
    assert doc["failures"]["by_class"]["bad_auth"] == 1
    assert doc["failures"]["total"] == 1


def test_echo_without_error_counts_once_without_connection(tmp_path: Path) -> None:
    """An echo whose `#N` line is missing counts once, with no connection."""
    doc = diagnose_text(tmp_path, BYE.format(s=0, e="[Errno 32] Broken pipe"))
    assert doc["failures"]["by_class"]["broken_pipe"] == 1
    assert doc["failures"]["without_connection"] == 1


def test_separate_failures_with_same_text_both_count(tmp_path: Path) -> None:
    """The same error 30 s later is a new event, with its own echo folded."""
    text = "".join(
        [ERR.format(s=0, c=0, e=SSL), BYE.format(s=0, e=SSL), ERR.format(s=30, c=0, e=SSL), BYE.format(s=30, e=SSL)]
    )
    assert diagnose_text(tmp_path, text)["failures"]["by_class"]["ssl"] == 2


def test_storm_of_identical_errors_on_many_connections(tmp_path: Path) -> None:
    """37 connections failing alike in one second, echoes interleaved, give 37 events."""
    pp = "fin=1 opcode=8 data=b'\\x10\\x04ping pong failed'"
    lines = []
    for c in range(37):
        lines.append(ERR.format(s=5, c=c, e=pp))
        if c % 2:
            lines.append(BYE.format(s=5, e=pp))
            lines.append(BYE.format(s=5, e=pp))
    doc = diagnose_text(tmp_path, "".join(lines))
    assert doc["failures"]["by_class"]["ping_pong"] == 37
    assert doc["connections"]["distinct"] == 37


def test_badauth_triple_is_one_event(tmp_path: Path) -> None:
    """Received ERR_BADAUTH + `Error while trying to listen` + cookie hint are one bad_auth event."""
    text = (
        '02/09/25 09:14:52 - DEBUG - TwitchChannelPointsMiner.classes.WebSocketsPool - [on_message]: #0 - Received: {"type":"RESPONSE","error":"ERR_BADAUTH","nonce":"x"}\n'
        "02/09/25 09:14:52 - ERROR - TwitchChannelPointsMiner.classes.WebSocketsPool - [on_message]: Error while trying to listen for a topic: ERR_BADAUTH\n"
        '02/09/25 09:14:52 - ERROR - TwitchChannelPointsMiner.classes.WebSocketsPool - [on_message]: Received the ERR_BADAUTH error, most likely you have an outdated cookie file "cookies\\someone.pkl". Delete this file and try again.\n'
    )
    doc = diagnose_text(tmp_path, text)
    assert doc["failures"]["by_class"]["bad_auth"] == 1
    assert doc["connections"]["per_connection"]["0"]["by_class"] == {"bad_auth": 1}  # the answer names #0
    assert [f["id"] for f in doc["findings"]] == ["bad-auth"]
    assert "someone" not in str(doc)


def test_no_timestamps_use_line_distance(tmp_path: Path) -> None:
    """Without times, an echo next to its error is folded; one far away counts on its own."""
    err = "ERROR - [on_error]: #0 - WebSocket error: [Errno 32] Broken pipe\n"
    bye = "ERROR - [error]: [Errno 32] Broken pipe - goodbye\n"
    filler = "ERROR - [on_error]: #1 - WebSocket error: something else {}\n"
    text = err + bye + "".join(filler.format(i) for i in range(20)) + bye
    doc = diagnose_text(tmp_path, text)
    assert doc["failures"]["by_class"]["broken_pipe"] == 2
    assert doc["failures"]["by_class"]["other"] == 20


def _summary(text: bytes) -> Summary:
    s = Summary()
    Scanner(s, s.input("x"), YearResolver.for_log(2025)).chunk(text)
    return s


def test_merge_at_a_seam_between_error_and_echo() -> None:
    """Cutting a log between an error and its echo and merging the halves keeps one event."""
    a = (ERR.format(s=0, c=0, e=SSL)).encode()
    b = (BYE.format(s=0, e=SSL) + ERR.format(s=40, c=1, e=SSL)).encode()
    whole = _summary(a + b).finish()
    merged = _summary(a).merge(_summary(b)).finish()
    assert whole.class_counts() == merged.class_counts()
    assert merged.class_counts()["ssl"] == 2
    assert merged.idless_failures == 0


def test_runs_kept_open_are_bounded() -> None:
    """Thousands of distinct error texts keep a bounded number of runs, and each still counts once."""
    lines = "".join(ERR.format(s=i % 60, c=i % 5, e=f"weird failure number {i}") for i in range(5000))
    s = _summary(lines.encode())
    assert len(s.dedupe.first_runs) <= 512
    assert len(s.dedupe.last_runs) <= 512
    assert s.finish().class_counts()["other"] == 5000


def test_websocket_client_140_class_name_echo_is_not_an_event(tmp_path: Path) -> None:
    """websocket-client 1.4.0's `WebSocketConnectionClosedException - goodbye` repeats the #N error."""
    text = (
        "21/03/23 02:37:38 - ERROR - [on_error]: #0 - WebSocket error: Connection to remote host was lost.\n"
        "21/03/23 02:37:38 - ERROR - [error]: WebSocketConnectionClosedException - goodbye\n"
    )
    doc = diagnose_text(tmp_path, text)
    assert doc["failures"]["total"] == 1
    assert doc["failures"]["by_class"]["connection_reset"] == 1


def _record(kind: Kind, second: int | None, key: str = "k", conn: int | None = None) -> Record:
    t = None if second is None else datetime(2025, 1, 23, 13, 0) + timedelta(seconds=second)
    return Record(kind, t, conn, "ssl", key, key)


def test_settle_releases_a_run_once_it_can_no_longer_grow() -> None:
    """A stream's echo-only run gives its event when the log is SETTLE_SECONDS past it (not
    before), once, and closing the stream adds nothing: the count is that of one pass."""
    d = Deduper(stream=True)
    assert d.add(_record(Kind.ECHO, 0)) == []
    assert d.settle(datetime(2025, 1, 23, 13, 0, int(SETTLE_SECONDS))) == []
    assert d.pending_from() == 1  # the run's line may still be followed by an event before it
    (ev,) = d.settle(datetime(2025, 1, 23, 13, 0, int(SETTLE_SECONDS) + 1))
    assert (ev.seq, ev.cls) == (1, "ssl")
    assert d.settle(datetime(2025, 1, 23, 14, 0)) == []
    assert d.pending_from() == 2
    assert d.finish() == []
    assert d.mismatch == 0


def test_a_settled_run_still_folds_a_late_line_and_says_so() -> None:
    """A clock running back onto a settled run: the error is folded into it as one pass would,
    and the released echo is counted as a mismatch; ten minutes later the run is closed."""
    d = Deduper(stream=True)
    d.add(_record(Kind.ECHO, 0))
    d.add(_record(Kind.ECHO, 60, key="other"))
    assert len(d.settle(datetime(2025, 1, 23, 13, 1))) == 1
    assert [e.conn for e in d.add(_record(Kind.ERROR, 2, conn=0))] == [0]  # every error counts
    assert [e.message for e in d.finish()] == ["other"]
    assert d.mismatch == 1
    e = Deduper(stream=True)
    e.add(_record(Kind.ECHO, 0))
    for i in range(NEAR_LINES + 1):
        e.add(_record(Kind.ECHO, 700, key=f"k{i}"))
    e.settle(datetime(2025, 1, 23, 13, 11, 40))
    assert "k" not in e.last_runs


def test_untimed_runs_settle_by_lines_and_parts_cannot_settle() -> None:
    """A run without a time closes NEAR_LINES failure lines later; a Deduper of one part of a
    log (whose first runs may join the part before) refuses to settle."""
    d = Deduper(stream=True)
    d.add(_record(Kind.ECHO, None))
    for i in range(NEAR_LINES):
        d.add(_record(Kind.ECHO, None, key=f"k{i}"))
    assert d.settle(None) == []
    d.add(_record(Kind.ECHO, None, key="last"))
    assert [e.seq for e in d.settle(None)] == [1]
    with pytest.raises(ValueError, match="stream"):
        Deduper().settle(None)


def test_streaming_summary_hands_over_every_counted_event() -> None:
    """Summary.streaming(on_event) calls back once per event it counts, settled or finished."""
    seen: list[FailureEvent] = []
    s = Summary.streaming(seen.append)
    scanner = Scanner(s, s.input("x"), YearResolver(2025, False))
    scanner.chunk((SAMPLES / "storm_37conn.log").read_bytes())
    s.settle()
    s.finish()
    assert len(seen) == s.failures_total == 46
    assert Counter(e.cls for e in seen) == +s.by_class
