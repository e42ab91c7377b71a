"""Message templates: every wording of the miner's history counts the same; traps do not count."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import diagnose_text

F = "25/11/25 10:00:{s:02d} - {lvl} - TwitchChannelPointsMiner.classes.WebSocketsPool - [{fn}]: {msg}\n"


def _log(*msgs: tuple[str, str, str]) -> str:
    return "".join(F.format(s=i, lvl=lvl, fn=fn, msg=msg) for i, (lvl, fn, msg) in enumerate(msgs))


def test_every_reconnect_wording_counts(tmp_path: Path) -> None:
    """2021's `in 30 seconds`/`in 60 seconds` (with and without #N) and today's `~60` all count."""
    doc = diagnose_text(
        tmp_path,
        _log(
            ("INFO", "handle_reconnection", "Reconnecting to Twitch PubSub server in 30 seconds"),
            ("INFO", "handle_reconnection", "Reconnecting to Twitch PubSub server in 60 seconds"),
            ("INFO", "handle_reconnection", "#1 - Reconnecting to Twitch PubSub server in 30 seconds"),
            ("INFO", "handle_reconnection", "#2 - Reconnecting to Twitch PubSub server in ~60 seconds"),
        ),
    )
    assert doc["reconnects"]["count"] == 4
    assert doc["connections"]["ids"] == [1, 2]


def test_old_pong_and_ping_watchdog_wordings(tmp_path: Path) -> None:
    """Lower-case 2021 PONG/PING watchdog lines count as pong_timeout and ping_stalled."""
    doc = diagnose_text(
        tmp_path,
        _log(
            ("INFO", "run", "The last pong was received more than 15 minutes ago. Reconnect the WebSocket"),
            ("INFO", "run", "#0 - The last PONG was received more than 10 minutes ago. Reconnect the WebSocket"),
            ("INFO", "run", "#0 - The last PONG was received more than 5 minutes ago"),
            ("INFO", "run", "#1 - The last PING was sent more than 10 minutes ago. Reconnecting to the WebSocket..."),
            ("INFO", "run", "The last ping was sent more than 5 minutes ago. Reconnect the WebSocket"),
        ),
    )
    assert doc["failures"]["by_class"]["pong_timeout"] == 3
    assert doc["failures"]["by_class"]["ping_stalled"] == 2


def test_reconnection_required_old_and_new(tmp_path: Path) -> None:
    """`Reconnection required` (and its 2021 `and keep running is` form) is reconnect_requested."""
    doc = diagnose_text(
        tmp_path,
        _log(
            ("INFO", "on_message", "#0 - Reconnection required"),
            ("INFO", "on_message", "#1 - Reconnection required and keep running is: True"),
        ),
    )
    assert doc["failures"]["by_class"]["reconnect_requested"] == 2


def test_response_acks_are_not_failures(tmp_path: Path) -> None:
    """`Received: {"type":"RESPONSE","error":""}` acknowledges a LISTEN; it is not an error."""
    doc = diagnose_text(
        tmp_path,
        _log(
            ("DEBUG", "on_message", '#0 - Received: {"type":"RESPONSE","error":"","nonce":"abc"}'),
            ("DEBUG", "on_message", '#0 - Received: {"type":"RESPONSE","error":"","nonce":"def"}'),
        ),
    )
    assert doc["failures"]["total"] == 0
    assert doc["connections"]["ids"] == [0]


def test_generic_no_internet_and_http_errors_are_not_websocket_failures(tmp_path: Path) -> None:
    """The HTTP-side `No internet connection available!` (no #N) and HTTP SSL errors do not count."""
    doc = diagnose_text(
        tmp_path,
        _log(
            ("WARNING", "__check_connection_handler", "No internet connection available! Retry after 1m"),
            ("ERROR", "update_client_version", "Error with update_client_version: (Caused by SSLError(SSLEOFError(8, 'EOF occurred in violation of protocol')))"),
            ("WARNING", "handle_reconnection", "#0 - No internet connection available! Retry after 2m"),
        ),
    )
    assert doc["failures"]["by_class"]["no_internet"] == 1
    assert doc["failures"]["total"] == 1


def test_listen_topics_and_streamers(tmp_path: Path) -> None:
    """LISTEN lines give distinct topics per connection; `Loading data for N streamers` the count."""
    doc = diagnose_text(
        tmp_path,
        _log(
            ("INFO", "run", "Loading data for 2 streamers. Please wait..."),
            ("DEBUG", "send", '#0 - Send: {"type":"LISTEN","nonce":"a","data":{"topics":["raid.1"]}}'),
            ("DEBUG", "send", '#0 - Send: {"type":"LISTEN","nonce":"b","data":{"topics":["video-playback-by-id.1"]}}'),
            ("DEBUG", "send", '#1 - Send: {"type":"LISTEN","nonce":"c","data":{"topics":["raid.2"],"auth_token":"secretsecret"}}'),
            ("DEBUG", "send", '#1 - Send: {"type":"LISTEN","nonce":"d","data":{"topics":["raid.2"]}}'),
        ),
    )
    assert doc["topics"]["listened"] == 3
    assert doc["topics"]["per_connection"] == {"0": 2, "1": 1}
    assert doc["topics"]["streamers"] == 2
    assert doc["topics"]["estimate"] == {"low": 51, "high": 100}


def test_hermes_uuid_and_username_prefix(tmp_path: Path) -> None:
    """mpforce1 Hermes `#N - <uuid> - ` and console `[user] #N - ` prefixes keep the id."""
    doc = diagnose_text(
        tmp_path,
        "25/11/25 10:00:00 - ERROR - [on_error]: #3 - 3f6c2a1e-1111-4222-8333-944455556666 - WebSocket error: [Errno 32] Broken pipe\n"
        "25/11/25 10:00:01 - INFO - [on_close]: [someuser] #4 - WebSocket closed\n",
    )
    assert doc["connections"]["ids"] == [3, 4]
    assert doc["failures"]["by_class"]["broken_pipe"] == 1


def test_traceback_lines_are_not_records(tmp_path: Path) -> None:
    """Traceback lines after an error are continuation lines, not records or failures."""
    doc = diagnose_text(
        tmp_path,
        "25/11/25 10:00:00 - ERROR - [on_error]: #0 - WebSocket error: [Errno 32] Broken pipe\n"
        "Traceback (most recent call last):\n"
        '  File "/x/websocket/_app.py", line 400, in _callback\n'
        "    callback(self, *args)\n"
        "BrokenPipeError: [Errno 32] Broken pipe\n",
    )
    assert doc["inputs"][0]["records"] == 1
    assert doc["inputs"][0]["continuation"] == 4
    assert doc["inputs"][0]["unrecognized"] == 0
    assert doc["failures"]["total"] == 1


def test_listen_excerpt_does_not_count_streamers(tmp_path: Path) -> None:
    """A few LISTEN lines of a big pool do not pretend to count the streamers."""
    doc = diagnose_text(
        tmp_path,
        _log(
            ("DEBUG", "send", '#13 - Send: {"type":"LISTEN","nonce":"a","data":{"topics":["raid.1"]}}'),
            ("DEBUG", "send", '#13 - Send: {"type":"LISTEN","nonce":"b","data":{"topics":["raid.2"]}}'),
        ),
    )
    assert doc["topics"]["listened"] == 2
    assert doc["topics"]["streamers"] is None
    assert doc["connections"]["pool_size"] == 14


# -- the table and the fast path's filters ---------------------------------------------------

import dataclasses  # noqa: E402

import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from wsdiag.parse.records import Kind, Line, Record  # noqa: E402
from wsdiag.parse.templates import SIEVE, TEMPLATES, Place, Table, Template, plain, to_record, with_text  # noqa: E402
from wsdiag.read import shapes  # noqa: E402
from wsdiag.read.layouts import YearResolver, split_line  # noqa: E402
from wsdiag.read.linefilter import FILTERS, Filters  # noqa: E402
from wsdiag.read.scan import _id_bitmap  # noqa: E402
from wsdiag.read.stamps import FILE_STAMP, LESS_STAMP, NO_WRAPPER, WRAPPERS  # noqa: E402

_MODULE = "TwitchChannelPointsMiner.classes.WebSocketsPool"
_UUID = "3f6c2b1e-0b1a-4c39-9d35-2a1f5f0c6e11"
_BEHIND = {"none": "", **{w.name: w.example.split("29/11/25")[0] for w in WRAPPERS}}


def _example_lines(t: Template) -> list[tuple[str, str, str]]:
    """(wrapper, layout, line) of a template's example in every layout, behind every prefix."""
    out = []
    for wrapper, before in _BEHIND.items():
        out.append((wrapper, "file", f"{before}25/11/26 21:08:01 - {t.level} - {_MODULE} - [{t.func}]: {t.example}"))
        out.append((wrapper, "console", f"{before}25/11/26 21:08:01 - {t.level} - [{t.func}]: {t.example}"))
        out.append((wrapper, "less", f"{before}25/11 21:08:01 - {t.example}"))
    return out


def _read_by(filters: Filters, wrapper: str, layout: str, line: str) -> bool:
    """Whether both filters (C, where built, and regex) hand the line to the parser, with id 3
    known (so that only an alive payload of it could be skipped)."""
    w = next((x for x in WRAPPERS if x.name == wrapper), NO_WRAPPER)
    fmt = filters.format_for(w, LESS_STAMP if layout == "less" else FILE_STAMP, layout)
    # After a plain line of the same day: a year-less line is then read only if it matters.
    first = (_BEHIND[wrapper] + ("25/11 21:08:00 - x\n" if layout == "less" else "25/11/26 21:08:00 - INFO - [f]: x\n")).encode()
    data = first + line.encode() + b"\n"
    at = len(first)
    by_regex = not fmt.plain.match(data, at, len(data) - 1) or filters.ws_pattern({3}).search(data, at) is not None
    if fmt.c is not None:
        assert (fmt.c.scan(data, 0, len(data), _id_bitmap({3}))[1][-1:] == [at]) == by_regex, line
    return by_regex


@pytest.mark.parametrize("t", TEMPLATES, ids=[t.name for t in TEMPLATES])
def test_every_template_example_is_read_and_passes_both_filters(t: Template) -> None:
    """Each entry's example yields its record in every layout and behind every collector's
    prefix, and neither fast-path filter skips its line: a template added to the table alone
    is never skipped."""
    assert t.example
    for wrapper, layout, text in _example_lines(t):
        line, _ = split_line(text, YearResolver(2025, False))
        assert line.layout == layout, text
        rec = to_record(line)
        assert rec is not None, text
        if t.read in (plain, with_text):
            assert rec.kind is t.kind, text
        assert _read_by(FILTERS, wrapper, layout, text), text


# Templates of the kinds issue #14 added (FORKS-2026.md 1.2-1.4), not (yet) in the table: an
# id-less DEBUG line with an id of its own, an id followed by `! `, an id-less DEBUG line.
HERMES = (
    Template("pool_opened", Place.OWN_ID, "Pool client opened: index=", r"(?P<conn>\d{1,12}), id='",
             debug=True, level="DEBUG", func="on_open", example=f"Pool client opened: index=3, id='{_UUID}'"),
    Template("cannot_close", Place.OWN_ID, "#", r"(?P<conn>\d{1,12})! Cannot close Client",
             id_seps=("! ",), level="WARNING", func="close", example="#3! Cannot close Client, wrong state: Closed"),
    Template("hermes_check", Place.START, "Checking stale connections", debug=True, level="DEBUG",
             func="check_stale_connections", example="Checking stale connections"),
)


@pytest.mark.parametrize("t", HERMES, ids=[t.name for t in HERMES])
def test_a_template_added_to_the_table_is_read_through_its_filters(t: Template) -> None:
    """A new entry (even an id-less DEBUG line or an id followed by `: `) is read by the table it
    is added to, and the filters built from that table let its line through, where the filters of
    the table without it skip it (at least in the layouts where nothing else marks it)."""
    table = Table((*TEMPLATES, t))
    filters = Filters(table.sieve)
    skipped_before = 0
    for wrapper, layout, text in _example_lines(t):
        line, _ = split_line(text, YearResolver(2025, False))
        rec = table.to_record(line)
        assert rec is not None, text
        # (The logger's name, WebSocketsPool, says which client wrote it.)
        assert dataclasses.replace(rec, client=None) == Record(Kind.OTHER, line.time, 3 if t.place is Place.OWN_ID else None), text
        assert to_record(line) != rec, text
        assert _read_by(filters, wrapper, layout, text), text
        skipped_before += not _read_by(FILTERS, wrapper, layout, text)
    assert skipped_before


def _text_of(shape: shapes.Shape) -> st.SearchStrategy[str]:
    """Texts that match a shape (a printable byte of each class; `$` ends them, else more text
    may follow)."""

    def steps(parts: tuple[shapes.Step, ...]) -> st.SearchStrategy[str]:
        out: list[st.SearchStrategy[str]] = []
        for step in parts:
            if isinstance(step, shapes.Lit):
                out.append(st.just(step.data.decode("latin-1")))
            elif isinstance(step, shapes.Run):
                chars = sorted(c for c in step.chars if 0x20 <= c < 0x7F) or sorted(step.chars)
                out.append(st.text(alphabet="".join(map(chr, chars)), min_size=step.lo, max_size=min(step.hi, 70)))
            elif isinstance(step, shapes.Opt):
                out.append(st.one_of(st.just(""), steps(step.steps)))
            else:
                out.append(st.just("\0"))  # the end: nothing may follow
        return st.tuples(*out).map("".join)

    return steps(shape.steps).flatmap(
        lambda s: st.just(s[:-1]) if s.endswith("\0") else st.text(max_size=40).map(lambda tail: s + " ".join(tail.splitlines()))
    )


_ALIVE = st.one_of(*(_text_of(s) for s in SIEVE.alive))


@settings(max_examples=300, deadline=None)
@given(_ALIVE, st.sampled_from(["", f"{_UUID} - "]), st.sampled_from(["DEBUG", "INFO"]))
def test_alive_payloads_say_only_that_a_known_id_is_alive(payload: str, uuid: str, level: str) -> None:
    """Whatever matches an alive payload of the table yields nothing but the id (and the client,
    where the uuid or the payload is Hermes'): the filters may skip it for a known id."""
    assert "\n" not in payload
    rec = to_record(Line("file", None, level, "on_message", f"#3 - {uuid}{payload}"))
    assert rec is not None
    assert rec == Record(Kind.OTHER, None, 3, client=rec.client, debug=rec.debug)
    assert rec.debug == (rec.client == "hermes" and level == "DEBUG")
    if uuid:
        assert rec.client == "hermes"


def test_the_sieve_holds_what_the_table_says() -> None:
    """The filters look for each id-less template's text, each echo, and each alive payload."""
    assert {"[", "Reconnecting to Twitch PubSub server", "The last ", "Error while trying to listen for a topic:"} <= set(SIEVE.starts)
    assert {" [", " The last "} <= set(SIEVE.starts)  # logger variant C's lead
    assert SIEVE.texts == ("Loading data for ", "Twitch Channel Points Miner", "Streamer(username=Streamer")
    assert SIEVE.funcs == ("error", "info", "warning")
    assert set(SIEVE.echo_texts) == {" - goodbye", " - reconnect"}
    assert SIEVE.debug_starts == SIEVE.debug_texts == ()  # DEBUG lines matter only by their `#N`
    assert len(SIEVE.alive) == 7
    assert SIEVE.id_seps == (" - ", ": ", " already reconnecting")
    extended = Table((*TEMPLATES, *HERMES)).sieve
    assert {"Pool client opened: index=", "Checking stale connections", "["} <= set(extended.debug_starts)
    assert "! " in extended.id_seps
    more = Table(tuple(dataclasses.replace(t, alive=(*t.alive, r'Received: \{"type":"keepalive"')) if t.name == "received" else t for t in TEMPLATES)).sieve
    assert len(more.alive) == 8


def test_a_lead_before_messages_is_read_through_its_filters() -> None:
    """With a lead (mpforce1's logger variant C writes a space before each INFO+ message), a
    table reads `]:  #0 - ...` and ` Reconnecting ...`, and its filters let those lines through."""
    table = Table(TEMPLATES, leads=("", " "))
    filters = Filters(table.sieve)
    for message, kind in ((" #3 - WebSocket closed", Kind.CLOSED), (" Reconnecting to Twitch PubSub server in 30s", Kind.RECONNECT)):
        for wrapper, layout, text in _example_lines(dataclasses.replace(TEMPLATES[0], example=message, level="INFO")):
            line, _ = split_line(text, YearResolver(2025, False))
            rec = table.to_record(line)
            assert rec is not None, text
            assert rec.kind is kind, text
            assert Table(TEMPLATES, leads=("",)).to_record(line) is None, text  # not without the lead
            assert _read_by(filters, wrapper, layout, text), text
