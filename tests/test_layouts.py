"""Line layouts: each handler format, wrappers and prefixes, detected per line."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from wsdiag.read.layouts import YearResolver, is_continuation, non_record_kind, split_line


def _split(text: str, year: int | None = 2025) -> tuple[str | None, datetime | None, str | None, str]:
    line, _ = split_line(text, YearResolver.for_log(year))
    return line.layout, line.time, line.level, line.message


def test_file_layout() -> None:
    """`ts - LEVEL - module - [func]: msg` is the file layout with its level and message."""
    layout, time, level, msg = _split(
        "25/11/26 21:08:01 - ERROR - TwitchChannelPointsMiner.classes.WebSocketsPool - [on_error]: #3 - WebSocket error: x"
    )
    assert (layout, time, level, msg) == ("file", datetime(2026, 11, 25, 21, 8, 1), "ERROR", "#3 - WebSocket error: x")


def test_console_layout() -> None:
    """`ts - LEVEL - [func]: msg` is the console layout."""
    layout, time, level, msg = _split("22/01/25 22:10:05 - INFO - [on_close]: #0 - WebSocket closed")
    assert (layout, time, level, msg) == ("console", datetime(2025, 1, 22, 22, 10, 5), "INFO", "#0 - WebSocket closed")


def test_less_layout_uses_given_year() -> None:
    """`dd/mm HH:MM:SS - msg` has no year: the --year value is used."""
    layout, time, level, msg = _split("19/11 13:45:58 - [someone] #0 - WebSocket closed", year=2024)
    assert (layout, time, level, msg) == ("less", datetime(2024, 11, 19, 13, 45, 58), None, "[someone] #0 - WebSocket closed")


def test_less_year_rolls_over_new_year() -> None:
    """A less log crossing New Year stays in time order."""
    years = YearResolver.for_log(2025)
    a, _ = split_line("31/12 23:59:59 - #0 - WebSocket closed", years)
    b, _ = split_line("01/01 00:00:30 - #0 - Reconnecting to Twitch PubSub server in ~60 seconds", years)
    assert a.time == datetime(2025, 12, 31, 23, 59, 59)
    assert b.time == datetime(2026, 1, 1, 0, 0, 30)


def test_less_assumed_year_is_reported_and_not_in_future() -> None:
    """Without --year the year is assumed, and a date later than today means last year."""
    years = YearResolver.for_log(None)
    line, assumed = split_line("31/12 23:59:59 - #0 - WebSocket closed", years)
    today = date.today()
    assert assumed
    assert line.time is not None
    assert line.time.date() <= today or (today.month, today.day) == (12, 31)


def test_docker_compose_prefix_with_host_time() -> None:
    """`2023-03-20 21:05:58 name-1  | ` is stripped; the miner's own timestamp wins."""
    layout, time, _, msg = _split(
        "2023-03-20 21:05:58 twitchfarm-miner-1  | 21/03/23 02:05:58 - WARNING - [handle_reconnection]: #0 - No internet connection available! Retry after 1m"
    )
    assert layout == "console"
    assert time == datetime(2023, 3, 21, 2, 5, 58)
    assert msg.startswith("#0 - No internet")


def test_docker_compose_prefix_without_time() -> None:
    """`name_1  | ` prefixes are stripped too."""
    layout, time, _, msg = _split("miner_1  | 21/03/23 02:05:58 - INFO - [on_close]: #1 - WebSocket closed")
    assert (layout, time, msg) == ("console", datetime(2023, 3, 21, 2, 5, 58), "#1 - WebSocket closed")


def test_ctrl_c_glued_to_timestamp() -> None:
    """`^C19/05 18:55:06 - ...` after Ctrl+C still parses."""
    layout, time, _, _ = _split("^C19/05 18:55:06 - CTRL+C Detected! Please wait just a moment!", year=2023)
    assert (layout, time) == ("less", datetime(2023, 5, 19, 18, 55, 6))


def test_timestamp_cut_off_is_a_bare_record() -> None:
    """`ERROR - [on_error]: #0 - ...` without a time is still a record, with no time."""
    layout, time, level, msg = _split("ERROR - [on_error]: #0 - WebSocket error: boom")
    assert (layout, time, level, msg) == ("console", None, "ERROR", "#0 - WebSocket error: boom")


def test_pasted_message_is_a_bare_record() -> None:
    """A WebSocket message pasted without any prefix is recognised."""
    layout, time, _, msg = _split("#4 - WebSocket closed")
    assert (layout, time, msg) == ("bare", None, "#4 - WebSocket closed")


def test_zarmstrong_iso_date_format() -> None:
    """zarmstrong's configurable `yyyy-mm-dd` dates parse."""
    layout, time, _, _ = _split("2026-08-14 10:00:00 - INFO - [on_close]: #0 - WebSocket closed")
    assert (layout, time) == ("console", datetime(2026, 8, 14, 10, 0, 0))


def test_zarmstrong_month_first_date_format() -> None:
    """`mm.dd.yy` with a day above 12 is read month-first."""
    _, time, _, _ = _split("08.14.26 10:00:00 - INFO - [on_close]: #0 - WebSocket closed")
    assert time == datetime(2026, 8, 14, 10, 0, 0)


def test_impossible_date_keeps_record_without_time() -> None:
    """31/02 is not a date: the line is still a record, with no time."""
    layout, time, _, _ = _split("31/02/25 10:00:00 - INFO - [on_close]: #0 - WebSocket closed")
    assert (layout, time) == ("console", None)


def test_prose_is_not_a_record() -> None:
    """A user's annotation is not a miner record."""
    layout, _, _, _ = _split("I DISCONNECT INTERNET FROM HERE -- :")
    assert layout is None


def test_traceback_lines_are_continuations() -> None:
    """Traceback headers, frames, code lines and exception lines continue the record above."""
    assert is_continuation("Traceback (most recent call last):")
    assert is_continuation('  File "/x/websocket/_app.py", line 400, in _callback')
    assert is_continuation("    callback(self, *args)")
    assert is_continuation("ssl.SSLError: [SSL: BAD_LENGTH] bad length (_ssl.c:2483)")
    assert not is_continuation("hello there")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Traceback (most recent call last):", "continuation"),
        ("2025-11-29T19:10:32Z app[3d8d9e1b] ams [info]Traceback (most recent call last):", "continuation"),
        ('2025-11-29T19:10:32.123456789Z   File "/x/websocket/_app.py", line 400, in _callback', "continuation"),
        ("twitch-miner  | ssl.SSLError: [SSL: BAD_LENGTH] bad length (_ssl.c:2483)", "continuation"),
        ("miner-1  | 2025-11-29T19:10:32.5Z socket.gaierror: [Errno -3] Temporary failure", "continuation"),
        ("2025-11-29 19:10:32 miner-1  |     callback(self, *args)", "continuation"),
        ("Nov 29 19:10:32 raspberrypi python3[812]: During handling of the above exception", "continuation"),
        ("Nov 29 19:10:32 raspberrypi python3[812]: ", "blank"),
        ("twitch-miner  | ```log", "blank"),
        ("twitch-miner  | \u3000", "blank"),
        ("twitch-miner  | hello there", "unrecognized"),
        ("2025-11-29T19:10:32Z app[3d8d9e1b] ams [info]hello there", "unrecognized"),
        ("twitch-miner | Traceback", "unrecognized"),  # no prefix: `Traceback` alone is no header
        ("> Traceback (most recent call last):", "unrecognized"),  # a quote mark is no collector
    ],
)
def test_what_is_behind_a_collectors_prefix_counts(text: str, kind: str) -> None:
    """A line that is no record counts as what is behind a collector's prefix, as without one."""
    assert non_record_kind(text) == kind


def test_unknown_wrappers_before_the_miner_timestamp() -> None:
    """journald, Fly.io and numbered prefixes are skipped up to the miner's own timestamp."""
    for text in (
        "Nov 25 21:08:01 raspberrypi python3[812]: 25/11/25 21:08:01 - INFO - [on_close]: #3 - WebSocket closed",
        "2025-11-25T21:08:01Z app[3d8d9e1b] ams [info]25/11/25 21:08:01 - INFO - [on_close]: #3 - WebSocket closed",
        "12: 25/11/25 21:08:01 - INFO - [on_close]: #3 - WebSocket closed",
    ):
        layout, time, level, msg = _split(text)
        assert (layout, time, level, msg) == ("console", datetime(2025, 11, 25, 21, 8, 1), "INFO", "#3 - WebSocket closed")
