"""Tests of the benchmark log generator (benchmarks/genlog.py) against independent counting."""

from __future__ import annotations

import io
import json
import re
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import genlog

_DT = r"\d\d/\d\d/\d\d \d\d:\d\d:\d\d"
_LEVEL = "(DEBUG|INFO|WARNING|ERROR)"
TS_RE = {
    "file": re.compile(rf"^({_DT}) - {_LEVEL} - \S+ - \[\w+\]: (.*)$"),
    "console": re.compile(rf"^({_DT}) - {_LEVEL} - \[\w+\]: (.*)$"),
    "less": re.compile(r"^(\d\d/\d\d \d\d:\d\d:\d\d) - ()(.*)$"),
}
ID_RE = re.compile(r"^#(\d+) - ")
TOPIC_RE = re.compile(r'"type":"LISTEN".*"topics":\["([^"]+)"\]')
TOKEN_RE = re.compile(r'"auth_token":"([^"]+)"')


def _gen(**kw: object) -> tuple[bytes, genlog.Expected]:
    cfg = genlog.GenConfig(**kw)  # type: ignore[arg-type]
    buf = io.BytesIO()
    exp = genlog.generate(cfg, buf)
    return buf.getvalue(), exp


#: An error text's class by what it contains, the first that matches.
ERROR_TEXTS = (
    ("ping pong failed", "ping_pong"),
    ("Broken pipe", "broken_pipe"),
    ("[SSL:", "ssl"),
    ("Connection reset by peer", "connection_reset"),
    ("Connection to remote host was lost.", "connection_reset"),
    ("timed out", "timeout"),
    ("name resolution", "dns"),
)
#: A failure line other than `WebSocket error: ...`: how to recognise it, and its class.
Failure = tuple[Callable[[str], bool], str]


def _classify_error(text: str) -> str:
    cls = next((cls for needle, cls in ERROR_TEXTS if needle in text), None)
    if cls is not None:
        return cls
    return "rejected" if text.startswith("Handshake status 5") else "other"


def _failure_class(msg: str, error: str, others: tuple[Failure, ...]) -> str | None:
    """The class of the failure ``msg`` reports (an ``error`` line, or one of ``others``), or None."""
    if error in msg:
        return _classify_error(msg.split("WebSocket error: ", 1)[1])
    return next((cls for test, cls in others if test(msg)), None)


#: PubSub failure lines other than `WebSocket error: ...`, and their classes.
PUBSUB_FAILURES: tuple[Failure, ...] = (
    (lambda msg: "The last PONG was received" in msg, "pong_timeout"),
    (lambda msg: "The last PING was sent" in msg, "ping_stalled"),
    (lambda msg: "No internet connection available" in msg, "no_internet"),
    (lambda msg: msg.endswith("- Reconnection required"), "reconnect_requested"),
    (lambda msg: msg.startswith("Error while trying to listen for a topic: ERR_BADAUTH"), "bad_auth"),
)


@dataclass
class Counts:
    """What the independent counter found."""

    ids: list[int]
    by_class: dict[str, int]
    reconnects: int
    closes: int
    topics_listened: int | None
    streamers: int | None
    tokens: list[str]
    lines: int
    echoes: int
    errors: int
    continuation: int
    times: list[str]


def _count(data: bytes, layout: str) -> Counts:
    """Count the log's contents with simple rules, independently of the generator."""
    text = data.decode()
    rx = TS_RE[layout]
    ids: set[int] = set()
    by_class: Counter[str] = Counter()
    topics: set[str] = set()
    tokens: set[str] = set()
    streamers: int | None = None
    reconnects = closes = echoes = errors = continuation = 0
    times: list[str] = []
    for line in text.split("\n")[:-1]:
        m = rx.match(line)
        if m is None:
            continuation += 1
            continue
        times.append(m.group(1))
        msg = m.group(3)
        for emoji in ("🤓  ", "🚀  ", "🥳  ", "😴  "):
            msg = msg.removeprefix(emoji)
        mid = ID_RE.match(msg)
        if mid:
            ids.add(int(mid.group(1)))
        errors += "WebSocket error: " in msg
        echoes += "WebSocket error: " not in msg and msg.endswith(" - goodbye")
        cls = _failure_class(msg, "WebSocket error: ", PUBSUB_FAILURES)
        if cls is not None:
            by_class[cls] += 1
        if "Reconnecting to Twitch PubSub server" in msg:
            reconnects += 1
        if msg.endswith("- WebSocket closed"):
            closes += 1
        mt = TOPIC_RE.search(msg)
        if mt:
            topics.add(mt.group(1))
        tokens.update(TOKEN_RE.findall(msg))
        ms = re.match(r"Loading data for (\d+) streamers", msg)
        if ms:
            streamers = int(ms.group(1))
    return Counts(
        ids=sorted(ids),
        by_class={c: by_class[c] for c in genlog.FAILURE_CLASSES},
        reconnects=reconnects,
        closes=closes,
        topics_listened=len(topics) if topics else None,
        streamers=streamers,
        tokens=sorted(tokens),
        lines=text.count("\n"),
        echoes=echoes,
        errors=errors,
        continuation=continuation,
        times=times,
    )


def test_same_seed_identical_bytes() -> None:
    """The same seed and config produce byte-identical logs and equal Expected; another seed differs."""
    kw: dict[str, object] = {"size": 400_000, "connections": 5, "failure_rate": 0.02, "outages": 1}
    a, ea = _gen(seed=11, **kw)
    b, eb = _gen(seed=11, **kw)
    c, _ = _gen(seed=12, **kw)
    assert a == b
    assert ea.to_json() == eb.to_json()
    assert a != c


@pytest.mark.parametrize("size", [1, 5_000, 77_777, 300_000, 1_234_567])
@pytest.mark.parametrize("layout", ["file", "less"])
def test_size_target_first_line_boundary(size: int, layout: str) -> None:
    """Without failure events the log stops exactly at the first line boundary at or past the target."""
    data, exp = _gen(size=size, layout=layout, connections=6, failure_rate=0.0, seed=3)
    assert len(data) >= size
    assert data.endswith(b"\n")
    assert data.rfind(b"\n", 0, len(data) - 1) + 1 < size  # the last line starts before the target
    assert exp.bytes == len(data)
    assert exp.lines == data.count(b"\n")


@pytest.mark.parametrize("size", [20_000, 250_000, 900_000])
def test_size_target_with_failures(size: int) -> None:
    """With failures and outages the overshoot is bounded by one multi-line event."""
    data, exp = _gen(size=size, connections=8, failure_rate=0.05, outages=2, seed=5)
    assert size <= len(data) < size + 32_000
    assert data.endswith(b"\n")
    assert exp.bytes == len(data)


@pytest.mark.parametrize(
    ("layout", "level", "seed"),
    [
        ("file", "DEBUG", 1),
        ("file", "INFO", 2),
        ("console", "DEBUG", 3),
        ("console", "INFO", 4),
        ("less", "DEBUG", 5),
        ("less", "INFO", 6),
    ],
)
def test_expected_matches_independent_count(layout: str, level: str, seed: int) -> None:
    """Expected agrees with simple independent counting of the produced text."""
    size = 1_500_000 if level == "DEBUG" else 300_000
    data, exp = _gen(
        size=size, layout=layout, level=level, seed=seed, connections=7, failure_rate=0.03, outages=2
    )
    got = _count(data, layout)
    assert exp.lines == got.lines
    assert exp.bytes == len(data)
    assert exp.ids == got.ids
    assert exp.pool_size == max(exp.ids) + 1
    assert exp.by_class == got.by_class
    assert exp.failures_total == sum(exp.by_class.values())
    assert all(exp.by_class[c] > 0 for c in ("connection_reset", "no_internet", "reconnect_requested"))
    assert exp.reconnects == got.reconnects
    assert exp.closes == got.closes
    assert exp.topics_listened == got.topics_listened
    assert exp.streamers == got.streamers
    assert exp.tokens == got.tokens
    for token in exp.tokens:
        assert token.encode() in data
    assert got.echoes == got.errors  # one websocket-client echo per WebSocket error
    assert got.continuation > 0  # traceback lines are present and are not records
    assert len(exp.outages) == 2
    for outage in exp.outages:
        assert outage["connections"] == list(range(7))
        assert str(outage["start"]) <= str(outage["end"])
    times = got.times
    fmt = "%d/%m %H:%M:%S" if layout == "less" else "%d/%m/%y %H:%M:%S"
    assert exp.first is not None
    assert exp.last is not None
    assert times[0] == datetime.fromisoformat(exp.first).strftime(fmt)
    assert times[-1] == datetime.fromisoformat(exp.last).strftime(fmt)
    if layout != "less":
        parsed = [datetime.strptime(t, fmt) for t in times]
        assert parsed == sorted(parsed)  # timestamps never go backwards


def test_debug_file_defaults_realistic() -> None:
    """A default DEBUG file log has all 37 pool slots, LISTEN acks and PING/PONG traffic."""
    data, exp = _gen(size=1_000_000, seed=9)
    text = data.decode()
    assert exp.pool_size == 37
    assert exp.ids == list(range(37))
    assert exp.topics_listened is not None
    assert 50 * 36 < exp.topics_listened <= 50 * 37
    assert exp.streamers is not None
    assert exp.streamers * 2 + 2 == exp.topics_listened
    assert '- Send: {"type":"PING"}' in text
    assert 'Received: { "type": "PONG" }' in text
    assert '{"type":"RESPONSE","error":"","nonce":"' in text
    assert text.startswith(
        "29/11/25 18:00:00 - INFO - TwitchChannelPointsMiner.TwitchChannelPointsMiner - [run]: "
    )
    assert len(exp.tokens) == 1
    assert len(exp.tokens[0]) == genlog.TOKEN_LENGTH
    for line in text.splitlines():
        if exp.tokens[0] in line:
            assert '"type":"LISTEN"' in line
            assert "-user-v1." in line


def test_info_level_has_no_debug_lines() -> None:
    """An INFO log has no PING/PONG/Send/Received lines, no LISTEN topics and no tokens."""
    data, exp = _gen(size=200_000, level="INFO", layout="console", seed=4, failure_rate=0.05)
    text = data.decode()
    assert " - DEBUG - " not in text
    assert "Send:" not in text
    assert "Received:" not in text
    assert exp.topics_listened is None
    assert exp.tokens == []
    assert exp.by_class["reconnect_requested"] > 0


def test_no_tokens_no_echoes() -> None:
    """tokens=False plants no auth_token; echoes=False writes no goodbye lines."""
    data, exp = _gen(size=400_000, connections=4, failure_rate=0.05, tokens=False, echoes=False, seed=8)
    assert b"auth_token" not in data
    assert b" - goodbye" not in data
    assert exp.tokens == []
    assert exp.failures_total > 0


def test_bad_auth_three_lines_one_event() -> None:
    """An ERR_BADAUTH response, the listen error and the cookie hint count as one bad_auth event."""
    data, exp = _gen(size=3_000_000, connections=3, failure_rate=0.05, seed=2)
    text = data.decode()
    n = text.count("Error while trying to listen for a topic: ERR_BADAUTH")
    assert n > 0
    assert text.count('"error":"ERR_BADAUTH"') == n
    assert text.count("Received the ERR_BADAUTH error, most likely you have an outdated cookie file") == n
    assert exp.by_class["bad_auth"] == n


@pytest.mark.parametrize("level", ["DEBUG", "INFO"])
@pytest.mark.parametrize("size", [30_000, 400_000, 3_000_000])
def test_less_year_rollover(level: str, size: int) -> None:
    """less with year_rollover starts on 31/12 and crosses into 01/01 (dates never go back)."""
    data, exp = _gen(size=size, layout="less", level=level, year_rollover=True, seed=1)
    days = [ln[:5] for ln in data.decode().splitlines() if re.match(r"\d\d/\d\d \d\d:", ln)]
    assert days[0] == "31/12"
    assert "01/01" in days
    first_new = days.index("01/01")
    assert set(days[:first_new]) == {"31/12"}
    assert "31/12" not in days[first_new:]
    assert exp.first is not None
    assert exp.first.startswith("2025-12-31")
    assert exp.last is not None
    assert exp.last.startswith("2026-01-")


def test_parse_size() -> None:
    """Size suffixes are binary multiples."""
    assert genlog.parse_size("500K") == 500 * 1024
    assert genlog.parse_size("200M") == 200 * 1024**2
    assert genlog.parse_size("1G") == 1024**3
    assert genlog.parse_size("12345") == 12345


def test_cli_writes_log_and_expected(tmp_path: Path) -> None:
    """The CLI writes the same log and Expected JSON as generate()."""
    log, js = tmp_path / "x.log", tmp_path / "x.json"
    rc = genlog.main(
        ["--size", "300K", "--seed", "4", "--outages", "1", "-o", str(log), "--expected", str(js)]
    )
    assert rc == 0
    data, exp = _gen(size=300 * 1024, seed=4, outages=1)
    assert log.read_bytes() == data
    assert json.loads(js.read_text()) == json.loads(json.dumps(exp.to_json()))


def test_the_generator_keeps_the_contract_failure_classes() -> None:
    """genlog runs without wsdiag installed, so it keeps its own copy of the class list: the same one."""
    from wsdiag.parse.records import FAILURE_CLASSES

    assert genlog.FAILURE_CLASSES == FAILURE_CLASSES


# ----------------------------------------------------------------------------- Hermes
H_PREFIX_RE = re.compile(
    r"^ ?#(\d+)(?: - [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})?(?: - |:| )"
)
H_TOPIC_RE = re.compile(r'"type":"subscribe".*"pubsub":\{"topic":"([^"]+)"\}')
H_TS_RE = {
    "file": re.compile(rf"^({_DT}) - {_LEVEL} - \S+ - \[\w+\]: (.*)$"),
    "console": re.compile(rf"^({_DT}) - {_LEVEL} - \[\w+\]: (.*)$"),
    "less": re.compile(r"^(\d\d/\d\d \d\d:\d\d:\d\d) - ()(.*)$"),
}


#: Hermes failure lines other than `WebSocket error: ...`, and their classes (FORKS-2026.md).
HERMES_FAILURES: tuple[Failure, ...] = (
    (lambda msg: msg.endswith("- Stale due to no recent messages"), "pong_timeout"),
    (
        lambda msg: "- No internet connection available! Retrying websocket reconnection after " in msg,
        "no_internet",
    ),
    (lambda msg: '"type":"reconnect"' in msg and "- Received: " in msg, "reconnect_requested"),
    (lambda msg: "- Authentication error, <AuthenticateResponse" in msg, "bad_auth"),
)


def _count_hermes(data: bytes, layout: str) -> dict[str, object]:
    """Count a Hermes log with the rules of FORKS-2026.md, independently of the generator."""
    ids: set[int] = set()
    by_class: Counter[str] = Counter()
    topics: set[str] = set()
    reconnects = closes = 0
    uuids: dict[int, list[str]] = {}
    for line in data.decode().split("\n")[:-1]:
        m = H_TS_RE[layout].match(line)
        if m is None:
            continue
        msg = m.group(3)
        mid = H_PREFIX_RE.match(msg)
        if mid:
            ids.add(int(mid.group(1)))
        mo = re.match(r"Hermes client opened: index=(\d+), id='([0-9a-f-]{36})'$", msg)
        if mo:
            uuids.setdefault(int(mo.group(1)), []).append(mo.group(2))
        cls = _failure_class(msg, "- WebSocket error: ", HERMES_FAILURES)
        if cls is not None:
            by_class[cls] += 1
        if msg.endswith("- Reconnecting to Twitch Hermes server in ~30 seconds"):
            reconnects += 1
        if re.search(r" - WebSocket closed: \S+ - ", msg):
            closes += 1
        mt = H_TOPIC_RE.search(msg)
        if mt:
            topics.add(mt.group(1))
    return {
        "ids": sorted(ids),
        "by_class": {c: by_class[c] for c in genlog.FAILURE_CLASSES},
        "reconnects": reconnects,
        "closes": closes,
        "topics_listened": len(topics) if topics else None,
        "uuids": uuids,
    }


@pytest.mark.parametrize(
    ("layout", "level", "logger", "seed"),
    [
        ("file", "DEBUG", "A", 1),
        ("file", "DEBUG", "C", 2),
        ("file", "INFO", "A", 3),
        ("console", "DEBUG", "A", 4),
        ("console", "INFO", "C", 5),
        ("less", "DEBUG", "A", 6),
        ("less", "INFO", "C", 7),
    ],
)
def test_hermes_expected_matches_independent_count(layout: str, level: str, logger: str, seed: int) -> None:
    """A Hermes log's Expected agrees with counting its text by FORKS-2026.md's templates."""
    size = 1_500_000 if level == "DEBUG" else 300_000
    data, exp = _gen(
        size=size,
        layout=layout,
        level=level,
        seed=seed,
        connections=7,
        failure_rate=0.03,
        outages=2,
        client="hermes",
        logger=logger,
    )
    got = _count_hermes(data, layout)
    assert exp.client == "hermes"
    assert exp.lines == data.count(b"\n")
    assert exp.bytes == len(data)
    assert exp.ids == got["ids"]
    assert exp.pool_size == max(exp.ids) + 1
    assert exp.by_class == got["by_class"]
    assert exp.failures_total == sum(exp.by_class.values())
    assert exp.by_class["ping_pong"] == exp.by_class["ping_stalled"] == 0  # Hermes sends no pings
    assert exp.closes == got["closes"]
    assert exp.topics_listened == got["topics_listened"]
    assert exp.tokens == []
    assert (b'"token":"REDACTED"' in data) == (level == "DEBUG")
    assert b'"token":"' not in data.replace(b'"token":"REDACTED"', b"")
    assert len(exp.outages) == 2
    if level == "DEBUG":
        assert exp.reconnects == got["reconnects"]
        assert exp.reconnects
        for cls in ("connection_reset", "no_internet", "reconnect_requested", "pong_timeout"):
            assert exp.by_class[cls] > 0, cls
        uuids = got["uuids"]
        assert isinstance(uuids, dict)
        # every open of a slot is a new client: a new uuid
        assert all(len(set(us)) == len(us) for us in uuids.values())
        assert sum(len(us) for us in uuids.values()) > len(uuids)
    else:
        assert exp.reconnects is None  # an INFO log cannot show Hermes reconnections
        assert b" - DEBUG - " not in data
        assert b"Reconnecting to Twitch Hermes" not in data
        assert exp.by_class["no_internet"] > 0
    text = data.decode()
    if layout == "less":
        assert " - WebSocket error: " in text
        assert "Traceback" not in text
        assert not re.search(r" - #\d+ - [0-9a-f]{8}-", text)
    else:
        assert re.search(
            r"#\d+ - [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12} - WebSocket error: ", text
        )
    if logger == "C":  # INFO+ messages start with a space, DEBUG ones do not
        sep = " - " if layout == "less" else "]: "
        assert f"{sep} #" in text
        assert re.search(r"(\]: | - )#\d+[^\n]* - WebSocket error: \[", text) is None  # PE2 is ERROR
    else:
        assert "]:  #" not in text
        assert " -  #" not in text


def test_hermes_debug_file_realistic() -> None:
    """A default Hermes DEBUG file log: banner, 37 slots, subscribe bursts, keepalives, REDACTED token."""
    data, exp = _gen(size=2_000_000, seed=9, client="hermes")
    text = data.decode()
    assert text.startswith(
        "29/11/25 18:00:00 - INFO - TwitchChannelPointsMiner.TwitchChannelPointsMiner - [__init__]: "
        "Twitch Channel Points Miner-1.3.0 (fork by mpforce1)\n"
    )
    assert exp.pool_size == 37
    assert exp.ids == list(range(37))
    assert exp.topics_listened is not None
    assert 50 * 36 < exp.topics_listened <= 50 * 37
    assert exp.streamers is not None
    assert exp.streamers * 2 + 3 == exp.topics_listened
    assert '"type":"keepalive"' in text
    assert '"type":"subscribeResponse"' in text
    assert re.search(r'"topic":"weekly-rewards\.\d+\.\d+"', text)  # three-part topics
    assert "auth_token" not in text
    assert "LISTEN" not in text
    assert "PubSub server" not in text
    # after a reconnection, the slot's keepalives carry the new client's uuid
    opened = re.findall(r"Hermes client opened: index=(\d+), id='([0-9a-f-]+)'", text)
    last: dict[str, str] = {}
    for slot, u in opened:
        last[slot] = u
    for slot, u in last.items():
        tail = text[text.rfind(f"id='{u}'") :]
        assert not re.search(
            rf"#{slot} - (?!{u})[0-9a-f-]{{36}} - Received: {{\"id\":\"[^\"]+\",\"type\":\"keepalive\"", tail
        )


def test_hermes_same_seed_same_bytes_and_pubsub_unchanged() -> None:
    """Hermes logs are seeded like PubSub ones, and client='pubsub' is the default."""
    a, ea = _gen(size=200_000, seed=3, client="hermes", connections=4, failure_rate=0.02)
    b, eb = _gen(size=200_000, seed=3, client="hermes", connections=4, failure_rate=0.02)
    c, ec = _gen(size=200_000, seed=3, connections=4, failure_rate=0.02)
    d, _ = _gen(size=200_000, seed=3, client="pubsub", connections=4, failure_rate=0.02)
    assert a == b
    assert ea.to_json() == eb.to_json()
    assert c == d
    assert c != a
    assert ec.client == "pubsub"


def test_hermes_cli(tmp_path: Path) -> None:
    """--client hermes --logger C on the CLI writes what generate() writes; logger C needs Hermes."""
    log, js = tmp_path / "h.log", tmp_path / "h.json"
    rc = genlog.main(
        [
            "--size",
            "100K",
            "--client",
            "hermes",
            "--logger",
            "C",
            "--seed",
            "2",
            "-o",
            str(log),
            "--expected",
            str(js),
        ]
    )
    assert rc == 0
    data, _ = _gen(size=100 * 1024, seed=2, client="hermes", logger="C")
    assert log.read_bytes() == data
    assert json.loads(js.read_text())["client"] == "hermes"
    with pytest.raises(ValueError, match="logger variant C"):
        _gen(size=1000, logger="C")
