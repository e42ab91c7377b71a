"""Fuzz: random byte soups with real miner lines and secrets planted in them.

Whatever the soup, on both scan paths (the C line filter and the regexes it mirrors): every
command in every format runs without a traceback, prints no piece of a planted token, and the
fast path counts exactly what the reference path (every line through line()) counts.
"""

from __future__ import annotations

import io
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tests.conftest import SAMPLES
from wsdiag.cli import app
from wsdiag.diagnose.diagnosis import Diagnosis
from wsdiag.parse.templates import SIEVE
from wsdiag.read import linefilter, scan
from wsdiag.read.layouts import YearResolver
from wsdiag.read.linefilter import Filters
from wsdiag.read.scan import Scanner
from wsdiag.read.sources import blocks
from wsdiag.summary.summary import Summary

TOKENS = [f"tk{random.Random(i).getrandbits(112):028x}" for i in range(6)]

# Where a secret sits in a miner's log, ``{}`` the token: LISTEN payloads, error texts, echoes,
# HTTP dumps and cookie dicts in unrecognized lines, and a key whose value starts the next line.
_STAMP = "25/11/26 21:{m:02d}:{s:02d}"
_POOL = "TwitchChannelPointsMiner.classes.WebSocketsPool"
SECRET_LINES = [
    _STAMP + ' - DEBUG - TwitchChannelPointsMiner.classes.TwitchWebSocket - [send]: #0 - Send: {{"type":"LISTEN","nonce":"n","data":{{"topics":["raid.1"],"auth_token":"{t}"}}}}',
    _STAMP + " - ERROR - " + _POOL + " - [on_error]: #1 - WebSocket error: Handshake status 401 {{'auth_token': b'{t}'}}",
    _STAMP + " - ERROR - " + _POOL + " - [on_error]: #2 - WebSocket error: rejected <auth_token>{t}</auth_token>",
    _STAMP + " - ERROR - " + _POOL + " - [on_error]: #0 - WebSocket error: Authorization: OAuth%20{t}",
    _STAMP + " - ERROR - websocket - [error]: Handshake status 403 Cookie: auth-token={t}; persistent=1 - goodbye",
    "send: b'GET / HTTP/1.1\\r\\nAuthorization: OAuth {t}\\r\\n'",
    "dump access_token {t}",
    "dump {{'name': 'auth-token', 'value': '{t}'}}",
    "headers follow, auth_token:\n{t}",
    "#3 - WebSocket error: Bearer%20{t} refused",
]  # fmt: skip
REAL_LINES = [
    line.decode("utf-8", "replace")
    for name in ("storm_37conn.log", "outage.log", "bad_auth.log", "less_rollover.log", "docker_compose.log")
    for line in (SAMPLES / name).read_bytes().splitlines()
]
JUNK = [b"", b"\x00" * 7, b"\xff\xfe\xc3", b"\x1b[0m", b"\x1b]8;;x\x1b\\", b"\xc2\x9d0;t\x07", b"   ", b"\t",
        b"Traceback (most recent call last):", b"  File \"x.py\", line 1", b"ValueError: x", b"x - y"]  # fmt: skip


@st.composite
def soups(draw: st.DrawFn) -> bytes:
    """Random bytes and junk lines around real miner lines and lines with planted tokens."""
    parts: list[bytes] = []
    for _ in range(draw(st.integers(1, 30))):
        kind = draw(st.integers(0, 9))
        if kind < 3:
            parts.append(draw(st.binary(max_size=120)).replace(b"\n", b" "))
        elif kind < 5:
            parts.append(draw(st.sampled_from(JUNK)) * draw(st.integers(1, 40)))
        elif kind < 8:
            parts.append(draw(st.sampled_from(REAL_LINES)).encode())
        else:
            template = draw(st.sampled_from(SECRET_LINES))
            token = draw(st.sampled_from(TOKENS))
            m, s = draw(st.integers(0, 59)), draw(st.integers(0, 59))
            parts.append(template.format(t=token, m=m, s=s).encode())
        parts.append(draw(st.sampled_from([b"\n", b"\n", b"\r\n", b"\n\n\n"])))
    return b"".join(parts)


def _summary(data: bytes, feed: Callable[[Scanner], Callable[[bytes], None]] | None, size: int = 0) -> dict[str, Any]:
    summary = Summary()
    scanner = Scanner(summary, summary.input("miner.log"), YearResolver.for_log(2025))
    if feed is not None:
        feed(scanner)(data)
    else:
        for buf, n in blocks(io.BytesIO(data), size):
            scanner.chunk(buf, n)
    doc = Diagnosis.of(summary.finish()).to_dict()
    return json.loads(json.dumps(doc, default=str))  # type: ignore[no-any-return]


_runner = CliRunner()
_RUNS = [
    ["analyze", "--format", f] for f in ("text", "json", "markdown", "github", "html")
] + [["check", "--format", "text"], ["check", "--format", "markdown"], ["events"], ["events", "--format", "tsv"]]


def _leaks(text: str) -> list[str]:
    return [t for t in TOKENS if any(t[i : i + 10] in text for i in range(len(t) - 9))]


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)
@given(soups(), st.integers(64, 4096), st.booleans())
def test_byte_soups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: bytes, size: int, c_filter: bool) -> None:
    """Any soup: the fast path on both filters (whole and in blocks) counts what the reference
    path counts; every command and format exits 0-2 without a traceback or a token."""
    want = _summary(data, lambda sc: sc.simple)
    for use_c in (True, False):
        with monkeypatch.context() as mp:
            if not use_c:
                mp.setattr(scan, "FILTERS", Filters(SIEVE, c=False))
            elif not linefilter.FILTERS.use_c:
                continue
            assert _summary(data, lambda sc: sc.chunk) == want, f"fast path (C filter: {use_c})"
            assert _summary(data, None, size) == want, f"fast path in {size}-byte blocks (C filter: {use_c})"
    path = tmp_path / "miner.log"
    path.write_bytes(data)
    with monkeypatch.context() as mp:
        if not c_filter:
            mp.setattr(scan, "FILTERS", Filters(SIEVE, c=False))
        watch = ["watch", "--format", "jsonl", "--existing", "replay", "--idle-exit", "0", "--interval", "0.05"]
        for argv in [*_RUNS, ["compare", "--format", "json", str(SAMPLES / "outage.log")], watch]:
            result = _runner.invoke(app, [*argv, str(path), "--year", "2025"])
            exc = result.exception
            assert exc is None or isinstance(exc, SystemExit), (argv, repr(exc))
            assert result.exit_code in (0, 1, 2), (argv, result.exit_code)
            assert not _leaks(result.stdout + result.stderr), (argv, _leaks(result.stdout + result.stderr))
            if result.exit_code == 2:
                assert result.stderr.startswith("wsdiag: error: ")
                assert result.stderr.count("\n") == 1
