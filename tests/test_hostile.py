"""Hostile inputs through every command and output format: never a traceback, hang or leak.

Every fixture is generated here (no committed binaries). Each case runs through every
command (analyze, check, events ...) and every ``--format`` that ``--help`` lists *at test
time*, so formats added later are covered without editing this file. Every run must:
exit 0 or 2 (check may also exit 1), print no traceback, finish in bounded time, print no
planted token (nor any 10-character piece of one), print no raw ESC, and emit valid JSON
where the format is JSON.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import json
import lzma
import os
import random
import re
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import ROOT
from wsdiag.cli import app
from wsdiag.read import linefilter
from wsdiag.read.scan import MAX_LINE

TIME_LIMIT = 10.0  # seconds per run; healthy runs take well under one


#: How a secret may follow its key (issue #11): each planted in an error text and in an
#: unrecognized line (the samples), ``{}`` the token. ``next_line`` puts it on the next line.
SECRET_FORMS: dict[str, str] = {
    "py_bytes": "{{'auth_token': b'{}'}}",
    "py_raw": "{{'auth_token': r'{}'}}",
    "py_unicode": "{{\"access_token\": u\"{}\"}}",
    "xml": "<auth_token>{}</auth_token>",
    "angle": "auth_token=<{}>",
    "oauth_url": "Authorization=OAuth%20{}",
    "bearer_url": "header Bearer%20{}",
    "bare_key": "access_token {}",
    "next_line": "headers follow, auth_token:\n{}",
}


def _tok(name: str) -> str:
    """A 30-character token like Twitch's, distinct per planted position."""
    return "tk" + hashlib.sha256(name.encode()).hexdigest()[:28]


TOKENS: dict[str, str] = {
    name: _tok(name)
    for name in (
        "listen",
        "listen_escaped",
        "error_unknown",
        "error_known",
        "echo",
        "callback",
        "badauth_user",
        "sample_http",
        "sample_cookie",
        "listen_code",
        "response",
        "bearer",
        "topic",
        "proxy",
        "cut_record",
        "cut_sample",
        "ansi_split",
        "jwt",
        "pong",
        "hermes_auth",
        "hermes_subscribe",
        "hermes_error",
        "hermes_request",
        "paste",
        # second round: Python literal prefixes, XML, `<...>` values, URL-encoded schemes, a key
        # and a bare value, a key at the end of a line with its value on the next
        *(f"{form}_{where}" for form in SECRET_FORMS for where in ("error", "sample")),
    )
}
# Token-like words in paths: a path is the user's own text, shown as given (controls escaped),
# never redacted, so these are not secrets that must not leak.
PATH_WORDS: dict[str, str] = {name: _tok(name) for name in ("file_name", "dir_name", "missing_path")}

_STAMP = "25/11/26 21:{m:02d}:{s:02d}"
_UUID = "3f6c2b1e-0b1a-4c39-9d35-2a1f5f0c6e11"
_POOL = "TwitchChannelPointsMiner.classes.WebSocketsPool"
_SOCKET = "TwitchChannelPointsMiner.classes.TwitchWebSocket"


def _file(m: int, s: int, level: str, func: str, msg: str) -> str:
    """A file-layout record of the WebSocket pool."""
    return f"{_STAMP.format(m=m, s=s)} - {level} - {_POOL} - [{func}]: {msg}"


def _err(m: int, s: int, text: str, conn: int = 1) -> str:
    """`#N - WebSocket error: <text>` as the miner logs it."""
    return _file(m, s, "ERROR", "on_error", f"#{conn} - WebSocket error: {text}")


def _debug(m: int, s: int, msg: str) -> str:
    return f"{_STAMP.format(m=m, s=s)} - DEBUG - {_SOCKET} - [send]: {msg}"


def _echo(m: int, s: int, msg: str) -> str:
    """A websocket-client line (logger `websocket`, funcName `error`)."""
    return f"{_STAMP.format(m=m, s=s)} - ERROR - websocket - [error]: {msg}"


def base_lines() -> list[str]:
    """A small realistic file-layout log: 2 failures on #0 (one echoed), a close, a reconnect."""
    listen = (
        '#0 - Send: {"type":"LISTEN","nonce":"vk5JnEMK6Dn5lw9DK4IVKqQZSM4zxk","data":{"topics":'
        f'["community-points-user-v1.4051182"],"auth_token":"{TOKENS["listen"]}"}}}}'
    )
    return [
        "25/11/26 21:00:00 - INFO - TwitchChannelPointsMiner.TwitchChannelPointsMiner - [run]: "
        "Loading data for 3 streamers. Please wait...",
        _debug(0, 5, listen),
        _debug(0, 6, '#0 - Received: {"type":"RESPONSE","error":"","nonce":"vk5Jn"}'),
        _err(1, 0, "[Errno 104] Connection reset by peer", conn=0),
        _echo(1, 0, "[Errno 104] Connection reset by peer - goodbye"),
        _file(1, 1, "INFO", "on_close", "#0 - WebSocket closed"),
        _file(
            1, 1, "INFO", "handle_reconnection", "#0 - Reconnecting to Twitch PubSub server in ~60 seconds"
        ),
        _err(5, 0, "[Errno 32] Broken pipe", conn=0),
    ]


def secret_lines() -> list[str]:
    """Tokens planted in every place log text can travel to an output."""
    t = TOKENS
    listen = (
        '#1 - Send: {"type":"LISTEN","data":{"topics":["predictions-user-v1.1",'
        f'"oauth:{t["topic"]}"],"auth_token":"{t["listen"]}"}}}}'
    )
    callback = (
        "error from callback <function WebSocketsPool.on_message at 0x7fa1245d6700>: Error while "
        "trying to listen for a topic: {'type': 'RESPONSE', 'error': 'ERR_BADAUTH', "
        f"'auth_token': '{t['callback']}'}}"
    )
    hint = (
        "Received the ERR_BADAUTH error, most likely you have an outdated cookie file "
        f'"cookies\\{t["badauth_user"]}.pkl". Delete this file and try again.'
    )
    response = (
        '#1 - Received: {"type":"RESPONSE","error":"ERR_BADAUTH","nonce":"x",'
        f'"auth_token":"{t["response"]}"}}'
    )
    jwt = f"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.{t['jwt']}"
    split = f"{t['ansi_split'][:9]}\x1b[0m{t['ansi_split'][9:]}"
    return [
        _debug(10, 0, listen),
        _err(
            10,
            1,
            "Handshake status 401 Unauthorized -+-+- "
            f"{{'authorization': 'OAuth {t['error_unknown']}', "
            "'client-id': 'kimne78kx3ncx6brgo4mv6wki5h1ko'}",
        ),
        _err(10, 2, f"[Errno 104] Connection reset by peer Authorization: OAuth {t['error_known']}"),
        _echo(
            10, 2, f"Handshake status 403 Forbidden Cookie: auth-token={t['echo']}; persistent=1 - goodbye"
        ),
        _echo(10, 3, callback),
        _file(10, 4, "ERROR", "on_message", hint),
        f"send: b'GET /v1 HTTP/1.1\\r\\nAuthorization: OAuth {t['sample_http']}\\r\\n'",
        f"header: Set-Cookie: auth-token={t['sample_cookie']}; Path=/; Secure",
        _file(
            10,
            5,
            "ERROR",
            "on_message",
            f"Error while trying to listen for a topic: oauth:{t['listen_code']}",
        ),
        _debug(10, 6, response),
        _err(10, 7, f"Handshake status 400 Bad Request Bearer {t['bearer']}"),
        _err(10, 8, f'{{\\"auth_token\\":\\"{t["listen_escaped"]}\\"}} rejected'),
        _err(10, 9, f"ProxyError http://bob:{t['proxy']}@10.0.0.1:3128 refused"),
        _err(10, 10, "x" * 1990 + f" OAuth {t['cut_record']}"),
        "garbage " + "y" * 190 + f" auth_token={t['cut_sample']}",
        _err(10, 11, f"OAuth {split}"),
        _err(10, 12, f"token {jwt}"),
        _file(
            10,
            13,
            "INFO",
            "run",
            f"#1 - The last PONG was received more than 5 minutes ago access_token={t['pong']}",
        ),
        # Hermes (FORKS-2026.md 1.6): a fork that does not redact its requests, an error that
        # prints one, an authenticate request's repr, a pasted message without a stamp.
        _debug(
            10,
            14,
            f'#1 - {_UUID} - Send: {{"id":"a","type":"authenticate","authenticate":{{"token":"{t["hermes_auth"]}"}},'
            '"timestamp":"2026-06-28T12:00:01.123Z"}',
        ),
        _debug(
            10,
            15,
            f'#1 - {_UUID} - Send: {{"type":"subscribe","id":"b","subscribe":{{"id":"b","type":"pubsub",'
            f'"pubsub":{{"topic":"raid.4051182"}},"token":"{t["hermes_subscribe"]}"}},"timestamp":"x"}}',
        ),
        _file(
            10,
            16,
            "ERROR",
            "on_authenticate",
            f"#1 - {_UUID} - Authentication error, <AuthenticateResponse: {{'request': "
            f"'{{\"token\":\"{t['hermes_error']}\"}}', 'result': 'error'}}>",
        ),
        _debug(10, 17, f"#1 - {_UUID} - Send: AuthenticateRequest(token={t['hermes_request']})"),
        "error from callback <function WebSocketsPool.on_message at 0x7f>: Error while trying to listen "
        f"for a topic: {{'type': 'RESPONSE', 'error': 'ERR_BADAUTH', 'token': '{t['paste']}'}}",
    ]


def _log(lines: list[str], eol: str = "\n") -> bytes:
    return (eol.join(lines) + eol).encode("utf-8")


def _good() -> bytes:
    return _log(base_lines() + secret_lines())


# -- commands and formats, discovered at test time ------------------------------------------

_runner = CliRunner()


@cache
def _help(*cmd: str) -> str:
    return _runner.invoke(app, [*cmd, "--help"]).stdout


# Commands that read logs. `compare` reads two (the case's first and last path), `watch`
# follows one until it has been idle briefly.
LOG_COMMANDS = ("analyze", "check", "events", "compare", "watch")
_WATCH_STOP = {"--idle-exit": "0", "--interval": "0.05", "--exit-after": "8"}


@cache
def commands() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(command, its --format choices) for every log-reading command the CLI has now."""
    found = []
    for cmd in LOG_COMMANDS:
        if not re.search(rf"^\s+{cmd}\s", _help(), re.MULTILINE):
            continue
        m = re.search(r"--format <([\w|]+)>", _help(cmd))
        found.append((cmd, tuple(m.group(1).split("|")) if m else ("",)))
    return tuple(found)


def runs() -> list[tuple[str, str]]:
    return [(cmd, fmt) for cmd, fmts in commands() for fmt in fmts]


def _argv(cmd: str, fmt: str, args: list[str]) -> list[str]:
    """The command line for ``cmd``: the case's paths, then those of its options it has."""
    cut = next((i for i, a in enumerate(args) if a.startswith("--")), len(args))
    paths, rest = args[:cut], args[cut:]
    options = [(rest[i], rest[i + 1]) for i in range(0, len(rest), 2)]
    if cmd == "compare":
        paths = [paths[0], paths[-1]]
    elif cmd == "watch":
        paths = paths[:1]
        options += list(_WATCH_STOP.items())
    argv = [cmd, *paths]
    for name, value in options:
        if name in _help(cmd):
            argv += [name, value]
    if fmt:
        argv += ["--format", fmt]
    if "--color" in _help(cmd):
        argv += ["--color", "never"]
    return argv


def _is_json(fmt: str) -> bool:
    return fmt in ("json", "jsonl", "ndjson")


@dataclass
class Outcome:
    code: int
    out: bytes
    err: bytes
    seconds: float


def check_outcome(o: Outcome, cmd: str, fmt: str, allowed: frozenset[int] = frozenset({0, 2})) -> None:
    """Every safety property of one run."""
    if cmd == "check":
        allowed = allowed | {1}
    both = o.out + o.err
    text = both.decode("utf-8", "replace")
    assert o.code in allowed, text[-2000:]
    assert b"Traceback" not in both, text[-2000:]
    assert o.seconds < TIME_LIMIT, o.seconds
    assert b"\x1b" not in both, "raw ESC in output"
    for name, token in TOKENS.items():
        for i in range(len(token) - 9):
            assert token[i : i + 10] not in text, f"token {name!r} leaked"
    if o.code == 2:
        err = o.err.decode("utf-8", "replace")
        assert err.count("\n") == 1, err
        assert err.startswith("wsdiag: error: "), err
    elif o.out and _is_json(fmt):
        body = o.out.decode("utf-8")
        if fmt == "json":
            json.loads(body)
        else:
            for line in body.splitlines():
                json.loads(line)


def invoke(cmd: str, fmt: str, args: list[str], stdin: bytes | None = None) -> Outcome:
    """Run the CLI in-process (fast); exceptions other than SystemExit are tracebacks."""
    start = time.perf_counter()
    result = _runner.invoke(app, _argv(cmd, fmt, args), input=stdin)
    seconds = time.perf_counter() - start
    exc = result.exception
    if exc is not None and not isinstance(exc, SystemExit):
        raise AssertionError(f"{cmd} --format {fmt}: {type(exc).__name__}: {exc}") from exc
    return Outcome(result.exit_code, result.stdout_bytes, result.stderr_bytes, seconds)


def spawn(cmd: str, fmt: str, args: list[str], stdin: bytes | None = None, timeout: float = 60) -> Outcome:
    """Run `python -m wsdiag` in a child (for what could hang or needs real pipes)."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "wsdiag", *_argv(cmd, fmt, args)],
        input=stdin if stdin is not None else b"",
        capture_output=True,
        timeout=timeout,
        cwd=ROOT,
    )
    return Outcome(proc.returncode, proc.stdout, proc.stderr, time.perf_counter() - start)


def run_any(cmd: str, fmt: str, args: list[str], stdin: bytes | None = None) -> Outcome:
    """In-process, except `watch -`: it polls the real stdin descriptor, which only a child has."""
    if cmd == "watch" and args[:1] == ["-"]:
        return spawn(cmd, fmt, args, stdin)
    return invoke(cmd, fmt, args, stdin)


# -- the hostile cases ------------------------------------------------------------------------

Builder = Callable[[Path], tuple[list[str], bytes | None]]
BUILDERS: dict[str, Builder] = {}


def case(fn: Builder) -> Builder:
    BUILDERS[fn.__name__] = fn
    return fn


def _write(path: Path, data: bytes) -> list[str]:
    path.write_bytes(data)
    return [str(path)]


@case
def secrets(tmp: Path) -> tuple[list[str], bytes | None]:
    return _write(tmp / "miner.log", _good()), None


def secret_form_lines(names: list[str]) -> list[str]:
    """Each form of ``names`` in an error text (a form that spans two lines: after a DEBUG line
    the fast path does not read), then in an unrecognized line (a sample)."""
    lines = base_lines()
    for i, name in enumerate(names):
        form = SECRET_FORMS[name].format(TOKENS[name + "_error"])
        if "\n" in form:
            lines += (_debug(11, i, "request " + form)).split("\n")
        else:
            lines.append(_err(11, i, f"Unexpected server answer {form}", conn=0))  # class other: shown as an unknown example
    # The first three unrecognized lines of an input are its samples.
    for name in names:
        lines += f"dump {SECRET_FORMS[name].format(TOKENS[name + '_sample'])}".split("\n")
    return lines


@case
def secret_forms(tmp: Path) -> tuple[list[str], bytes | None]:
    """The second round's forms, in files whose first three unrecognized lines hold them all."""
    names = list(SECRET_FORMS)
    paths = []
    for i, group in enumerate((names[0:3], names[3:6], names[6:8], names[8:])):
        paths += _write(tmp / f"forms{i}.log", _log(secret_form_lines(group)))
    return paths, None


@case
def random_binary(tmp: Path) -> tuple[list[str], bytes | None]:
    rnd = random.Random(4)
    blob = bytes(rnd.getrandbits(8) for _ in range(200_000))
    return _write(tmp / "blob.log", blob[:100_000] + _good() + blob[100_000:]), None


@case
def only_binary(tmp: Path) -> tuple[list[str], bytes | None]:
    rnd = random.Random(5)
    return _write(tmp / "blob.log", bytes(rnd.getrandbits(8) for _ in range(100_000))), None


@case
def nul_bytes(tmp: Path) -> tuple[list[str], bytes | None]:
    lines = _good().split(b"\n")
    out = []
    for i, line in enumerate(lines):
        pos = (i * 7) % (len(line) + 1)
        out.append(line[:pos] + b"\x00" + line[pos:] if i % 2 else line + b"\x00\x00")
    return _write(tmp / "nul.log", b"\n".join(out) + b"\x00" * 5000), None


@case
def invalid_utf8_latin1(tmp: Path) -> tuple[list[str], bytes | None]:
    bad = [
        _err(20, 0, "Verbindung zurückgesetzt", conn=0).encode("latin-1"),
        _err(20, 1, "[Errno 104] ", conn=0).encode() + b"\xff\xfe\xed\xa0\x80\xc0\xaf\xf8\x88\x80\x80",
        _err(20, 2, "[Errno 104] \xc3\xa9t\xc3", conn=0).encode("latin-1"),
        b"\x80\x81\x82 stray continuation bytes \xc3",
        "Fehler: Zeitüberschreitung".encode("cp1252"),
    ]
    return _write(tmp / "enc.log", _good() + b"\n".join(bad) + b"\n"), None


@case
def crlf(tmp: Path) -> tuple[list[str], bytes | None]:
    return _write(tmp / "crlf.log", _log(base_lines() + secret_lines(), "\r\n")), None


@case
def lone_cr(tmp: Path) -> tuple[list[str], bytes | None]:
    return _write(tmp / "cr.log", _log(base_lines() + secret_lines(), "\r")), None


@case
def mixed_line_ends(tmp: Path) -> tuple[list[str], bytes | None]:
    lines = base_lines() + secret_lines()
    eols = ["\n", "\r\n", "\r", "\r\r\n", "\n\r"]
    text = "".join(line + eols[i % len(eols)] for i, line in enumerate(lines))
    return _write(tmp / "mixed.log", text.encode()), None


@case
def ansi_and_markup(tmp: Path) -> tuple[list[str], bytes | None]:
    return _write(tmp / "ansi.log", _log(ansi_lines()) + _good()), None


def ansi_lines() -> list[str]:
    """Escape sequences, hyperlinks, window titles, bidi controls and rich markup in log lines."""
    link = "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\"
    return [
        "\x1b[0m" + _err(30, 0, f"{link} [red]boom[/red]", conn=2),
        "\x1b[0m" + _err(30, 1, "\x1b]0;pwned\x07[link=https://evil.example]x[/link] \x1b[2J\x1b[H", conn=2),
        _err(30, 2, "8-bit \u009b31m CSI \u009d0;t\u009c and \x1bP dcs \x1b\\ and lone \x1b", conn=2),
        "\x1b]8;;file:///etc/passwd\x07[bold blink]not a miner line[/] \x1b(B\x1b[?1049h",
        "\x1b[31m" * 200 + "\x1b]" + "x" * 9000,
        _err(30, 3, "bidi \u202eevil\u202c \u2028 split \x07 bell \x08 bs", conn=2),
    ]


@case
def long_lines(tmp: Path) -> tuple[list[str], bytes | None]:
    giant = b"z" * (MAX_LINE + 10)
    data = _log(base_lines()) + giant + b"\n" + _log(secret_lines())
    data += giant * 2 + b"\r\n" + _log(base_lines())
    return _write(tmp / "long.log", data), None


def _compressed(tmp: Path, name: str, pack: Callable[[bytes], bytes], keep: float) -> list[str]:
    """A log of ~120 KB that compresses poorly (random nonces), cut to ``keep`` of its size."""
    rnd = random.Random(7)
    parts = []
    for i in range(60):
        nonce = f"{rnd.getrandbits(120):030x}"
        parts.append(_log([_debug(i % 60, i % 60, f'#0 - Send: {{"type":"LISTEN","nonce":"{nonce}"}}')]))
        parts.append(_log(base_lines()))
    data = pack(b"".join(parts))
    return _write(tmp / name, data[: int(len(data) * keep)])


@case
def truncated_gz(tmp: Path) -> tuple[list[str], bytes | None]:
    return _compressed(tmp, "miner.log.gz", gzip.compress, 0.5), None


@case
def truncated_xz(tmp: Path) -> tuple[list[str], bytes | None]:
    return _compressed(tmp, "miner.log.xz", lzma.compress, 0.5), None


@case
def truncated_bz2(tmp: Path) -> tuple[list[str], bytes | None]:
    # bz2 cannot give back part of a block: two streams (`cat a.bz2 b.bz2`), the second cut.
    return _compressed(tmp, "miner.log.bz2", lambda b: bz2.compress(b) + bz2.compress(b), 0.75), None


@case
def gz_header_only(tmp: Path) -> tuple[list[str], bytes | None]:
    return _compressed(tmp, "miner.log.gz", gzip.compress, 0.0001), None


@case
def gz_magic_then_garbage(tmp: Path) -> tuple[list[str], bytes | None]:
    return _write(tmp / "fake.log.gz", b"\x1f\x8b" + b"not gzip at all\n" * 100), None


@case
def gz_then_trailing_garbage(tmp: Path) -> tuple[list[str], bytes | None]:
    return _write(tmp / "miner.log.gz", gzip.compress(_good()) + b"garbage after the member"), None


@case
def empty_file(tmp: Path) -> tuple[list[str], bytes | None]:
    return _write(tmp / "empty.log", b""), None


@case
def blank_lines_only(tmp: Path) -> tuple[list[str], bytes | None]:
    return _write(tmp / "blank.log", b"\n" * 5_000 + b"   \r\n\t\n"), None


@case
def empty_dir(tmp: Path) -> tuple[list[str], bytes | None]:
    (tmp / "logs").mkdir()
    return [str(tmp / "logs")], None


@case
def dir_without_logs(tmp: Path) -> tuple[list[str], bytes | None]:
    d = tmp / "logs"
    d.mkdir()
    (d / "notes.txt").write_bytes(_good())
    (d / ".hidden.log").write_bytes(_good())
    (d / "sub.log").mkdir()
    return [str(d)], None


@case
def missing_path(tmp: Path) -> tuple[list[str], bytes | None]:
    return [str(tmp / "no" / "such.log")], None


@case
def missing_path_with_token(tmp: Path) -> tuple[list[str], bytes | None]:
    return [str(tmp / f"auth_token={PATH_WORDS['missing_path']}.log")], None


@case
def token_and_controls_in_file_names(tmp: Path) -> tuple[list[str], bytes | None]:
    d = tmp / f"OAuth {PATH_WORDS['dir_name']}"
    d.mkdir()
    (d / f"auth_token={PATH_WORDS['file_name']}.log").write_bytes(_good())
    (d / "esc\x1b\x07.log").write_bytes(_log(base_lines()))
    (d / "new\nline.log").write_bytes(_log(base_lines()))
    (d / "[bold red]markup [link=evil]x.log").write_bytes(_log(base_lines()))
    bad_name = os.path.join(os.fsencode(d), b"undecodable-\xff\xfe.log")
    with open(bad_name, "wb") as fh:
        fh.write(_log(base_lines()))
    return [str(d), os.fsdecode(bad_name)], None


@case
def timestamps(tmp: Path) -> tuple[list[str], bytes | None]:
    err = " - ERROR - TwitchChannelPointsMiner.classes.WebSocketsPool - [on_error]: #0 - WebSocket error: "
    lines = [
        "31/12/99 23:59:59" + err + "[Errno 104] far future",
        "01/01/00 00:00:00" + err + "[Errno 104] far past",
        "31/02/25 10:00:00" + err + "[Errno 104] 31 Feb",
        "29/02/23 10:00:00" + err + "[Errno 104] not a leap year",
        "25/11/26 25:61:61" + err + "[Errno 104] bad clock",
        "9999-12-31 23:59:59 - ERROR - [on_error]: #0 - WebSocket error: [Errno 104] year 9999",
        "0000-01-01 00:00:00 - ERROR - [on_error]: #0 - WebSocket error: [Errno 104] year 0",
        "1901-01-01 00:00:00 - ERROR - [on_error]: #0 - WebSocket error: [Errno 104] year 1901",
        "00/00/0000 00:00:00 - ERROR - [on_error]: #0 - WebSocket error: [Errno 104] zeros",
        "9999-99-99 99:99:99 twitchminer-1  | 25/11/26 21:00:00 - INFO - [on_close]: #0 - WebSocket closed",
        "31/12 23:59:59 - #0 - WebSocket closed",
        "01/01 00:00:01 - #0 - WebSocket closed",
        "31/02 00:00:01 - #0 - WebSocket closed",
        "99/99 99:99:99 - #0 - WebSocket closed",
    ]
    return _write(tmp / "times.log", _log(base_lines() + lines + list(reversed(base_lines())))), None


@case
def year_option_overflow(tmp: Path) -> tuple[list[str], bytes | None]:
    less = ["31/12 23:59:59 - #0 - WebSocket closed", "01/01 00:00:01 - #0 - WebSocket error: [Errno 104] x"]
    args = _write(tmp / "less.log", _log(less))
    return [*args, "--year", "99999999999999999999"], None


@case
def year_option_zero(tmp: Path) -> tuple[list[str], bytes | None]:
    less = ["31/12 23:59:59 - #0 - WebSocket closed", "01/01 00:00:01 - #0 - WebSocket error: [Errno 104] x"]
    return [*_write(tmp / "less.log", _log(less)), "--year", "0"], None


@case
def bogus_ids(tmp: Path) -> tuple[list[str], bytes | None]:
    ids = ["999999999", "999999999999", "9999999999999", "-1", "0000000000007", "1e9", "0x10", "\u0663"]
    lines = [
        _file(40, i, "ERROR", "on_error", f"#{n} - WebSocket error: [Errno 104] x") for i, n in enumerate(ids)
    ]
    lines += [_debug(41, i, f'#{n} - Send: {{"type":"PING"}}') for i, n in enumerate(ids)]
    return _write(tmp / "ids.log", _good() + _log(lines)), None


def distinct_ids_log(n: int) -> bytes:
    """``n`` errors, each on its own connection id; every 7th id is beyond MAX_ID."""
    return _log(
        [
            f"25/11/26 {10 + i // 3600 % 10:02d}:{i // 60 % 60:02d}:{i % 60:02d} - ERROR - {_POOL} - "
            f"[on_error]: #{i if i % 7 else 100_000 + i} - WebSocket error: [Errno 104] Connection reset"
            for i in range(n)
        ]
    )


def distinct_texts_log(n: int) -> bytes:
    """``n`` errors with ``n`` distinct texts (words, not numbers: templates cannot fold them)."""
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]
    lines = []
    for i in range(n):
        name = "".join(words[i // 8**k % 8] for k in range(6))
        stamp = f"25/11/26 {10 + i // 3600 % 10:02d}:{i // 60 % 60:02d}:{i % 60:02d}"
        lines.append(f"{stamp} - ERROR - {_POOL} - [on_error]: #{i % 40} - WebSocket error: weird {name}")
    return _log(lines)


@case
def many_distinct_ids(tmp: Path) -> tuple[list[str], bytes | None]:
    return _write(tmp / "ids.log", distinct_ids_log(300)), None


@case
def many_distinct_error_texts(tmp: Path) -> tuple[list[str], bytes | None]:
    return _write(tmp / "texts.log", distinct_texts_log(250)), None


@case
def stdin_binary(tmp: Path) -> tuple[list[str], bytes | None]:
    rnd = random.Random(9)
    return ["-"], bytes(rnd.getrandbits(8) for _ in range(50_000)) + _good()


@case
def stdin_empty(tmp: Path) -> tuple[list[str], bytes | None]:
    return ["-"], b""


@case
def utf8_bom(tmp: Path) -> tuple[list[str], bytes | None]:
    return _write(tmp / "bom.log", b"\xef\xbb\xbf" + _good()), None


@case
def utf16_file(tmp: Path) -> tuple[list[str], bytes | None]:
    return _write(tmp / "ps.log", ("\n".join(base_lines() + secret_lines()) + "\n").encode("utf-16")), None


@case
def same_file_twice(tmp: Path) -> tuple[list[str], bytes | None]:
    args = _write(tmp / "miner.log", _good())
    return args + args, None


def _group(*names: str) -> Builder:
    """Several file cases as one run: every command reads them all (compare: first and last)."""

    def build(tmp: Path) -> tuple[list[str], bytes | None]:
        paths: list[str] = []
        for name in names:
            (tmp / name).mkdir()
            args, stdin = BUILDERS[name](tmp / name)
            assert stdin is None
            assert not any(a.startswith("--") for a in args)
            paths += args
        return paths, None

    return build


# Cases whose files can be read together are grouped, so the matrix stays quick to run.
GROUPS = {
    "encodings": ("nul_bytes", "invalid_utf8_latin1", "utf8_bom", "utf16_file"),
    "line_ends": ("crlf", "lone_cr", "mixed_line_ends"),
    "archives": (
        "truncated_gz",
        "truncated_xz",
        "truncated_bz2",
        "gz_header_only",
        "gz_then_trailing_garbage",
    ),
    "ids": ("bogus_ids", "many_distinct_ids", "many_distinct_error_texts"),
}
GROUPED = {name for names in GROUPS.values() for name in names}
CASES: dict[str, Builder] = {name: b for name, b in BUILDERS.items() if name not in GROUPED}
CASES.update({group: _group(*names) for group, names in GROUPS.items()})


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_case_every_format(name: str, tmp_path: Path) -> None:
    """Each hostile case, through every command and format: exit 0/2, safe, quick, no leak."""
    args, stdin = CASES[name](tmp_path)
    for cmd, fmt in runs():
        check_outcome(run_any(cmd, fmt, args, stdin), cmd, fmt)


def test_formats_are_discovered() -> None:
    """The matrix covers at least analyze --format text and json (more when the CLI has them)."""
    assert ("analyze", "text") in runs()
    assert ("analyze", "json") in runs()


# -- what the hostile cases must still report --------------------------------------------------


def analyze_json(args: list[str], stdin: bytes | None = None) -> dict[str, Any]:
    o = invoke("analyze", "json", args, stdin)
    check_outcome(o, "analyze", "json")
    assert o.code == 0, o.err
    doc: dict[str, Any] = json.loads(o.out)
    return doc


def _failures(doc: dict[str, Any]) -> dict[str, int]:
    by_class = doc["failures"]["by_class"]
    return {k: v for k, v in by_class.items() if v}


def _input(doc: dict[str, Any], i: int = 0) -> dict[str, Any]:
    return doc["inputs"][i]  # type: ignore[no-any-return]


def test_every_secret_form_is_planted_where_it_is_shown(tmp_path: Path) -> None:
    """The secret_forms case puts each token where a report shows log text: in an error text
    (JSON's unknown examples) and in the unrecognized-line samples; all come out redacted."""
    doc = analyze_json(BUILDERS["secret_forms"](tmp_path)[0])
    samples = [x for st in doc["inputs"] for x in st["unrecognized_samples"]]
    examples = [u["example"] for u in doc["unknown"]]
    assert len(samples) == 11, samples
    assert all("<redacted>" in x or x.endswith("auth_token:") for x in samples), samples
    answers = [x for x in examples if x.startswith("Unexpected server answer")]
    assert len(answers) >= 5, examples
    assert all("<redacted>" in x for x in answers), examples


def test_line_ends_do_not_change_counts(tmp_path: Path) -> None:
    """CRLF, lone CR and a mixture of line ends count exactly what LF counts."""
    ref = analyze_json(BUILDERS["secrets"](tmp_path)[0])
    for name in ("crlf", "lone_cr", "mixed_line_ends"):
        d = tmp_path / name
        d.mkdir()
        doc = analyze_json(BUILDERS[name](d)[0])
        assert _failures(doc) == _failures(ref), name
        assert doc["reconnects"] == ref["reconnects"], name
        assert doc["closes"] == ref["closes"], name
        assert _input(doc)["records"] == _input(ref)["records"], name


def test_binary_around_a_log_keeps_its_counts(tmp_path: Path) -> None:
    """Random binary before and after a log: the log's failures are still all counted."""
    ref = analyze_json(BUILDERS["secrets"](tmp_path)[0])
    d = tmp_path / "bin"
    d.mkdir()
    doc = analyze_json(BUILDERS["random_binary"](d)[0])
    assert _failures(doc) == _failures(ref)
    assert _input(doc)["unrecognized"] > 100
    samples = _input(doc)["unrecognized_samples"]
    assert samples
    assert all(len(s) <= 200 for s in samples)


def test_nul_and_bad_encoding_are_read_and_shown_escaped(tmp_path: Path) -> None:
    """NUL bytes and invalid UTF-8 never stop the scan; samples show them escaped."""
    doc = analyze_json(BUILDERS["invalid_utf8_latin1"](tmp_path)[0])
    assert _failures(doc)["connection_reset"] >= 2
    assert "other" in _failures(doc)  # the Latin-1 German error text, as an unknown template
    texts = json.dumps(doc, ensure_ascii=False)
    assert "\x00" not in texts
    d = tmp_path / "nul"
    d.mkdir()
    doc = analyze_json(BUILDERS["nul_bytes"](d)[0])
    samples = " ".join(_input(doc)["unrecognized_samples"])
    assert "\\x00" in samples
    assert "\x00" not in samples


def test_long_lines_are_skipped_and_counted(tmp_path: Path) -> None:
    """Lines over MAX_LINE (LF or CRLF ended) are counted too_long; the rest is analysed."""
    doc = analyze_json(BUILDERS["long_lines"](tmp_path)[0])
    st = _input(doc)
    assert st["too_long"] == 2
    ref = analyze_json(_write(tmp_path / "ref.log", _log(base_lines() + secret_lines() + base_lines())))
    assert _failures(doc) == _failures(ref)
    assert st["lines"] == _input(ref)["lines"] + 2


@pytest.mark.parametrize("name", ["truncated_gz", "truncated_xz", "truncated_bz2"])
def test_truncated_archive_analyses_what_was_read(name: str, tmp_path: Path) -> None:
    """A cut archive: what was read is analysed, the input says why reading stopped, stderr warns."""
    args, _ = BUILDERS[name](tmp_path)
    o = invoke("analyze", "json", args)
    check_outcome(o, "analyze", "json")
    assert o.code == 0
    doc = json.loads(o.out)
    st = _input(doc)
    assert st["read_error"]
    assert st["records"] > 100
    assert b"reading stopped early" in o.err


def test_unusable_inputs_exit_2_naming_the_file(tmp_path: Path) -> None:
    """Empty file, empty/log-less directory, missing path: exit 2, one line naming the input."""
    unusable = (
        "empty_file",
        "empty_dir",
        "dir_without_logs",
        "missing_path",
        "only_binary",
        "gz_magic_then_garbage",
    )
    for name in unusable:
        d = tmp_path / name
        d.mkdir()
        args, _ = BUILDERS[name](d)
        o = invoke("analyze", "text", args)
        check_outcome(o, "analyze", "text")
        assert o.code == 2, name
        assert Path(args[0]).name in o.err.decode(), (name, o.err)


def test_bogus_ids_are_counted_as_implausible(tmp_path: Path) -> None:
    """`#999999999`-style ids do not become connections; they are counted, the rest still is."""
    doc = analyze_json(BUILDERS["bogus_ids"](tmp_path)[0])
    assert _input(doc)["implausible_ids"] >= 4
    assert doc["connections"]["ids"] == [0, 1]


def _timed_json(path: Path) -> tuple[float, dict[str, Any]]:
    start = time.perf_counter()
    doc = analyze_json([str(path)])
    return time.perf_counter() - start, doc


def test_many_distinct_ids_linear_time(tmp_path: Path) -> None:
    """Thousands of distinct ids: 4x the lines costs about 4x the time; bogus ids counted apart."""
    small, big = tmp_path / "small.log", tmp_path / "big.log"
    small.write_bytes(distinct_ids_log(1_000))
    big.write_bytes(distinct_ids_log(4_000))
    t_small, _ = _timed_json(small)
    t_big, doc = _timed_json(big)
    assert t_big < 10 * t_small + 1.0, (t_small, t_big)
    bogus = len([i for i in range(4_000) if i % 7 == 0])
    assert doc["failures"]["total"] == 4_000 - bogus
    assert doc["connections"]["distinct"] == 4_000 - bogus
    assert _input(doc)["implausible_ids"] == bogus


def test_many_distinct_error_texts_linear_time(tmp_path: Path) -> None:
    """Thousands of distinct error texts (dedupe keys): linear time, all counted once."""
    small, big = tmp_path / "small.log", tmp_path / "big.log"
    small.write_bytes(distinct_texts_log(1_500))
    big.write_bytes(distinct_texts_log(6_000))
    t_small, _ = _timed_json(small)
    t_big, doc = _timed_json(big)
    assert t_big < 10 * t_small + 1.0, (t_small, t_big)
    assert doc["failures"]["total"] == 6_000
    assert len(doc["unknown"]) <= 201


def test_utf8_bom_does_not_hide_the_first_line(tmp_path: Path) -> None:
    """A UTF-8 byte order mark (Notepad) does not make the first record unrecognized."""
    ref = analyze_json(BUILDERS["secrets"](tmp_path)[0])
    d = tmp_path / "bom"
    d.mkdir()
    doc = analyze_json(BUILDERS["utf8_bom"](d)[0])
    assert _input(doc)["records"] == _input(ref)["records"]
    assert doc["topics"]["streamers"] == 3


def test_file_names_are_shown_cleaned_and_distinct(tmp_path: Path) -> None:
    """File names with ESC, newlines or undecodable bytes are shown safe, one input each (the
    undecodable one is given twice, in its directory and by name: one input); a token-like word
    in a path is the user's own text, shown as given (never `<redacted>`)."""
    args, _ = BUILDERS["token_and_controls_in_file_names"](tmp_path)
    doc = analyze_json(args)
    paths = [st["path"] for st in doc["inputs"]]
    assert len(paths) == 5
    assert len(set(paths)) == 5
    assert any(f"OAuth {PATH_WORDS['dir_name']}/auth_token={PATH_WORDS['file_name']}.log" in p for p in paths)
    assert not any("<redacted>" in p for p in paths)
    assert any("esc\\x1b\\x07.log" in p for p in paths)
    assert any("new\\x0aline.log" in p for p in paths)
    assert not any("\x1b" in p or "\n" in p for p in paths)
    assert any("\ufffd" in p for p in paths)
    o = invoke("analyze", "text", args)
    check_outcome(o, "analyze", "text")
    # rich markup in a name is printed as it is, never interpreted
    out = " ".join(o.out.decode().split())  # (the header may wrap at the space)
    assert "[bold red]markup" in out
    assert "[link=evil]x.log" in out


def test_log_text_with_markup_and_escapes_stays_literal(tmp_path: Path) -> None:
    """Markup from log lines comes out literally; OSC-8 links and titles leave only their text."""
    args, _ = BUILDERS["ansi_and_markup"](tmp_path)
    doc = analyze_json(args)
    examples = " ".join(u["example"] for u in doc["unknown"])
    assert "click [red]boom[/red]" in examples
    assert "[link=https://evil.example]x[/link]" in examples
    assert "pwned" not in examples
    assert "evil.example/" not in examples
    assert "\\u202eevil\\u202c" in examples
    assert "\\x07 bell" in examples
    samples = " ".join(_input(doc)["unrecognized_samples"])
    assert "[bold blink]not a miner line[/]" in samples
    assert "passwd" not in samples


def test_tens_of_thousands_of_bogus_ids_keep_memory_flat() -> None:
    """30,000 distinct ids beyond MAX_ID: counted as implausible, nothing kept per id, quickly."""
    from wsdiag.read.layouts import YearResolver
    from wsdiag.read.scan import Scanner
    from wsdiag.summary.summary import MAX_ID, Summary

    lines = [
        f"25/11/26 21:{i // 60 % 60:02d}:{i % 60:02d} - DEBUG - {_SOCKET} - [send]: "
        f'#{MAX_ID + 1 + i * 13} - Send: {{"type":"PING"}}'
        for i in range(30_000)
    ] + [_err(59, 0, f"[Errno 104] reset {i}", conn=MAX_ID + 1 + i) for i in range(2_000)]
    for fast in (True, False):
        summary = Summary()
        scanner = Scanner(summary, summary.input("x"), YearResolver.for_log(2025))
        start = time.perf_counter()
        (scanner.chunk if fast else scanner.simple)(_log(lines))
        summary.finish()
        assert time.perf_counter() - start < 10
        assert summary.inputs["x"].implausible_ids == 32_000
        assert not summary.ids
        assert not summary.conns
        assert summary.failures_total == 0


def test_same_file_twice_is_one_input(tmp_path: Path) -> None:
    """A file given twice is read once: one input, no count doubled."""
    args, _ = BUILDERS["same_file_twice"](tmp_path)
    doc = analyze_json(args)
    once = analyze_json(args[:1])
    assert doc == once
    assert len(doc["inputs"]) == 1


def test_impossible_and_far_dates_do_not_break_the_span(tmp_path: Path) -> None:
    """31/02, 25:61, year 0 and 9999, out-of-order lines: records counted, the span stays sane."""
    doc = analyze_json(BUILDERS["timestamps"](tmp_path)[0])
    assert doc["failures"]["total"] == 4 + 9  # base lines twice + 9 odd dates
    assert _input(doc)["records"] == _input(doc)["lines"] == 30
    # Impossible or implausible dates (31/02, 25:61, years 0, 1901, 9999) carry no time, so the
    # span is that of the real records; 2099 and 2000 in the middle do not move its ends either.
    assert doc["span"]["first"] == doc["span"]["last"] == "2026-11-25T21:00:00"


# -- inputs that could hang: run in a child process with a timeout ------------------------------


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    """A FIFO (nobody writing) is refused as not a regular file; it is never opened."""
    fifo = tmp_path / "pipe.log"
    os.mkfifo(fifo)
    o = spawn("analyze", "text", [str(fifo)], timeout=30)
    check_outcome(o, "analyze", "text")
    assert o.code == 2
    assert b"not a regular file" in o.err


def test_fifo_inside_a_directory_is_skipped(tmp_path: Path) -> None:
    """A FIFO named like a log inside a directory is skipped; the real log is analysed."""
    d = tmp_path / "logs"
    d.mkdir()
    os.mkfifo(d / "a-fifo.log")
    (d / "miner.log").write_bytes(_good())
    o = spawn("analyze", "json", [str(d)], timeout=30)
    check_outcome(o, "analyze", "json")
    assert o.code == 0
    assert [st["path"] for st in json.loads(o.out)["inputs"]] == [str(d / "miner.log")]


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_endless_devices_are_refused(device: str) -> None:
    """/dev/zero and /dev/urandom are character devices: refused at once, never read."""
    if not os.path.exists(device):
        pytest.skip(f"{device} missing")
    o = spawn("analyze", "json", [device], timeout=30)
    check_outcome(o, "analyze", "json")
    assert o.code == 2
    assert b"not a regular file" in o.err


def test_dev_null_is_refused_in_every_format() -> None:
    """/dev/null (a device that reads empty): refused as not a regular file by every command."""
    for cmd, fmt in runs():
        o = invoke(cmd, fmt, ["/dev/null"])
        check_outcome(o, cmd, fmt)
        if cmd != "watch":  # watch may keep waiting for a regular file to appear there
            assert o.code == 2, (cmd, o.err)
            assert b"not a regular file" in o.err, (cmd, o.err)


def test_50mb_line_without_newline(tmp_path: Path) -> None:
    """A 50 MB line with no newline is skipped and counted; memory and time stay small."""
    path = tmp_path / "giant.log"
    with path.open("wb") as fh:
        fh.write(_log(base_lines()))
        chunk = b"A" * (1 << 20)
        for _ in range(50):
            fh.write(chunk)
    o = spawn("analyze", "json", [str(path)])
    check_outcome(o, "analyze", "json")
    doc = json.loads(o.out)
    assert _input(doc)["too_long"] == 1
    assert _input(doc)["lines"] == len(base_lines()) + 1
    assert _failures(doc) == {"connection_reset": 1, "broken_pipe": 1}
    stdin = _log(base_lines()) + b"B" * (50 << 20)
    for cmd, fmt in runs():
        check_outcome(run_any(cmd, fmt, ["-"], stdin), cmd, fmt)


def test_stdin_pipe_of_binary_is_not_a_traceback() -> None:
    """Binary on a real stdin pipe: a clear exit 2, not a traceback."""
    rnd = random.Random(2)
    o = spawn("analyze", "text", ["-"], stdin=bytes(rnd.getrandbits(8) for _ in range(300_000)))
    check_outcome(o, "analyze", "text")
    assert o.code == 2


# -- a file that changes while it is read ----------------------------------------------------


def test_file_truncated_after_it_was_resolved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file that shrinks between stat and read (and workers' byte ranges) is read as it is."""
    from wsdiag import pipeline
    from wsdiag.pipeline import Options, analyze
    from wsdiag.read.sources import resolve

    path = tmp_path / "miner.log"
    path.write_bytes(_log(base_lines()) * 400)
    sources = resolve([str(path)])
    path.write_bytes(_log(base_lines()) * 100)  # truncated and rewritten: stat is now stale
    monkeypatch.setattr(pipeline, "PARALLEL_MIN", 1)
    summary = analyze(sources, Options(jobs=2))
    st = summary.inputs[str(path)]
    assert st.lines == len(base_lines()) * 100
    assert summary.by_class["broken_pipe"] == 100


def test_file_deleted_after_it_was_resolved(tmp_path: Path) -> None:
    """A file deleted between resolve and read: exit-2 error naming it, no traceback."""
    from wsdiag.pipeline import Options, analyze
    from wsdiag.read.sources import InputError, resolve

    path = tmp_path / "miner.log"
    path.write_bytes(_good())
    sources = resolve([str(path)])
    path.unlink()
    with pytest.raises(InputError, match=r"miner\.log"):
        analyze(sources, Options(jobs=1))


def test_file_replaced_by_fifo_after_it_was_resolved(tmp_path: Path) -> None:
    """A file swapped for a FIFO after resolve is refused when opened, without blocking."""
    from wsdiag.read.sources import InputError, open_stream, resolve

    path = tmp_path / "miner.log"
    path.write_bytes(_good())
    sources = resolve([str(path)])
    path.unlink()
    os.mkfifo(path)
    assert stat.S_ISFIFO(path.stat().st_mode)
    with pytest.raises(InputError, match="not a regular file"):
        open_stream(sources[0])


# -- pathological lines: no regex may backtrack catastrophically --------------------------------

_PREFIXES = [
    "",
    _err(0, 0, "", conn=0),
    _debug(0, 0, '#0 - Send: {"type":"LISTEN" '),
    _echo(0, 0, ""),
    "19/11 13:45:58 - ",
    "2023-03-20 21:37:38 twitchminer-1  | 21/03/23 02:37:38 - ERROR - [on_error]: ",
]
_FRAGMENTS = [
    "#1 - ", "[", "]", '"auth_token":"', '"topics":[', '"topics":["a', "OAuth ", " - goodbye",
    "\x1b[", "\x1b]", "eyJa-", "'name': 'auth-token'", "cookies/", "25/11/26 21:08:01 - ",
    "ERROR - ", "a.", "`", "> ", "^C", "1/", " | ", "WebSocket error: ", "[on_error]: ",
    "Error while trying to listen for a topic: ", "error from callback <", '"error":"',
    '#1 - Send: {"type":"LISTEN","nonce":"', "Traceback ", "aError", " ", "\t", "0x1f ",
]  # fmt: skip


@pytest.mark.parametrize("prefix", _PREFIXES)
def test_pathological_lines_are_parsed_quickly(prefix: str) -> None:
    """64 KB lines of one repeated fragment, after each real prefix, parse in linear time."""
    from wsdiag.read.layouts import YearResolver
    from wsdiag.read.scan import Scanner
    from wsdiag.summary.summary import Summary

    for fragment in _FRAGMENTS:
        line = (prefix + fragment * ((MAX_LINE - len(prefix) - 2) // len(fragment))).encode()
        assert len(line) <= MAX_LINE
        data = line + b"\n" + line + b"x\n"
        for fast in (True, False):
            summary = Summary()
            scanner = Scanner(summary, summary.input("x"), YearResolver.for_log(2025))
            start = time.perf_counter()
            (scanner.chunk if fast else scanner.simple)(data)
            summary.finish()
            assert time.perf_counter() - start < 1.0, (prefix, fragment, fast)
            assert summary.inputs["x"].lines == 2


def test_dev_zero_on_stdin_is_refused() -> None:
    """`wsdiag analyze - < /dev/zero` would read forever: a device on stdin is refused at once."""
    if not os.path.exists("/dev/zero"):
        pytest.skip("/dev/zero missing")
    with open("/dev/zero", "rb") as zero:
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "wsdiag", "analyze", "-"],
            stdin=zero,
            capture_output=True,
            timeout=30,
            cwd=ROOT,
        )
    o = Outcome(proc.returncode, proc.stdout, proc.stderr, time.perf_counter() - start)
    check_outcome(o, "analyze", "text")
    assert o.code == 2
    assert b"<stdin>: a device" in o.err


def test_utf16_log_from_powershell_is_read(tmp_path: Path) -> None:
    """A UTF-16 log (PowerShell 5 `>` redirection) counts exactly what its UTF-8 twin counts."""
    ref = analyze_json(_write(tmp_path / "utf8.log", _log(base_lines() + secret_lines())))
    doc = analyze_json(BUILDERS["utf16_file"](tmp_path)[0])
    assert _failures(doc) == _failures(ref)
    assert _failures(doc)
    assert _input(doc)["records"] == _input(ref)["records"]


def test_many_compressed_inputs_leak_no_descriptors(tmp_path: Path) -> None:
    """Each .gz/.bz2/.xz input closes its file when done (the decompressors leave it open)."""
    from wsdiag.pipeline import Options, analyze
    from wsdiag.read.sources import resolve

    if not Path("/proc/self/fd").is_dir():
        pytest.skip("no /proc")
    packs: tuple[Callable[[bytes], bytes], ...] = (gzip.compress, bz2.compress, lzma.compress)
    for i, pack in enumerate(packs * 10):
        (tmp_path / f"miner.log.{i}").write_bytes(pack(_log(base_lines())))
    before = len(os.listdir("/proc/self/fd"))
    summary = analyze(resolve([str(tmp_path)]), Options(jobs=1))
    assert len(summary.inputs) == 30
    assert summary.by_class["broken_pipe"] == 30
    assert len(os.listdir("/proc/self/fd")) == before


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_files_read_through_a_map_give_the_same_report(name: str, tmp_path: Path) -> None:
    """A file nobody writes is read through a map: each hostile case reports as when read."""
    args, stdin = CASES[name](tmp_path)
    if stdin is not None:
        pytest.skip("standard input is never mapped")
    fresh = invoke("analyze", "json", args)
    old = time.time() - 3600
    for path in tmp_path.rglob("*"):
        if path.is_file() and not path.is_symlink():
            os.utime(path, (old, old))
    mapped = invoke("analyze", "json", args)
    assert (mapped.code, mapped.out, mapped.err) == (fresh.code, fresh.out, fresh.err)


# -- memory that grows with what a log invents, not with its span ------------------------------


def topics_log(conns: int, lines: int, per_line: int) -> bytes:
    """LISTEN lines of ``per_line`` distinct topics each, ``lines`` per connection."""
    out = []
    for conn in range(conns):
        for i in range(lines):
            topics = ",".join(f'"raid.{conn * 10**7 + i * per_line + k}"' for k in range(per_line))
            out.append(_debug(i % 60, i % 60, f'#{conn} - Send: {{"type":"LISTEN","nonce":"n{i}","data":{{"topics":[{topics}]}}}}'))
    return _log(out)


def test_topics_are_capped_in_total_not_per_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    """Twenty connections with many topics each keep MAX_TOPICS topics in all, on both paths and
    when parts are merged, and say that the counts are lower bounds."""
    from wsdiag.diagnose.diagnosis import Diagnosis
    from wsdiag.read.layouts import YearResolver
    from wsdiag.read.scan import Scanner
    from wsdiag.summary import summary as analyze_module
    from wsdiag.summary.summary import Summary

    monkeypatch.setattr(analyze_module, "MAX_TOPICS", 300)
    data = topics_log(20, 3, 40)  # 2,400 distinct topics
    half = data.index(b"#10 - ")
    half = data.rindex(b"\n", 0, half) + 1
    for how in ("fast", "simple", "merged"):
        summary = Summary()
        scanner = Scanner(summary, summary.input("x"), YearResolver.for_log(2025))
        if how == "merged":
            scanner.chunk(data[:half])
            later = Summary()
            Scanner(later, later.input("x"), YearResolver.for_log(2025)).chunk(data[half:])
            summary.merge(later)
        else:
            (scanner.chunk if how == "fast" else scanner.simple)(data)
        summary.finish()
        assert len(summary.topics) == 300, how
        assert sum(len(cs.topics) for cs in summary.conns.values()) == summary.conn_topics == 300, how
        assert summary.topics_capped, how
        assert len(summary.ids) == 20, how
    assert Diagnosis.of(summary).to_dict()["topics"]["capped"] is True


_PEAK = """
import atexit, re, sys
report = sys.argv.pop(1)
def peak():
    with open("/proc/self/status") as fh:
        kib = re.search(r"VmHWM:\\s+(\\d+)", fh.read()).group(1)
    with open(report, "w") as out:
        out.write(kib)
atexit.register(peak)
sys.argv[0] = "wsdiag"
from wsdiag.cli import main
main()
"""


def peak_run(*args: str, tmp: Path, cwd: Path = ROOT) -> tuple[int, float]:
    """Run wsdiag ARGS in a child: (exit status, its peak RSS in MiB). The child reads its own
    high-water mark at exit: rusage would count the memory of this (big) test process, which
    the child inherits until it executes Python."""
    if not Path("/proc/self/status").exists():
        pytest.skip("no /proc")
    report = tmp / "peak.txt"
    proc = subprocess.run(
        [sys.executable, "-c", _PEAK, str(report), *args],
        capture_output=True,
        cwd=cwd,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return proc.returncode, int(report.read_text()) / 1024


def test_topic_bomb_peak_memory(tmp_path: Path) -> None:
    """800,000 distinct topics on 20 connections (12 MB): peak memory stays near what the topic
    cap allows, not ~190 MB (each connection kept 200,000, LISTEN memos kept them all)."""
    path = tmp_path / "topics.log"
    path.write_bytes(topics_log(20, 10, 4000))
    out = tmp_path / "report.json"
    code, peak = peak_run("analyze", "--format", "json", "--jobs", "1", str(path), "-o", str(out), tmp=tmp_path)
    assert code == 0
    doc = json.loads(out.read_text())
    assert doc["topics"]["listened"] == 200_000
    assert doc["topics"]["capped"] is True
    assert peak < 140, peak


def test_newline_bombs_cost_bytes_scan_time_and_little_memory(tmp_path: Path) -> None:
    """20 MiB of empty lines (20 M lines) and 128 MiB of them packed in a 200-byte .bz2: analyzed,
    with and without a window, and exported by events in seconds and a few tens of MiB (they
    took 44 s and 890 MB, and ~9 minutes; a 1 GiB .bz2 ~70 minutes)."""
    import bz2

    plain = tmp_path / "bomb.log"
    plain.write_bytes(_log(base_lines()) + b"\n" * (20 << 20) + _log(base_lines()))
    packer = bz2.BZ2Compressor(9)
    packed = [packer.compress(_log(base_lines()))]
    packed += [packer.compress(b"\n" * (1 << 20)) for _ in range(128)]
    packed.append(packer.flush())
    (tmp_path / "bomb.log.bz2").write_bytes(b"".join(packed))
    out = tmp_path / "out"
    # The pure-Python path reads blank lines with regexes, about 2.5 times slower (measured: the
    # events run took 18 s on a loaded 2-CPU machine); both are seconds, not minutes.
    limit = 20 if linefilter.FILTERS.use_c else 50
    for args in (
        ["analyze", "--format", "json", "bomb.log"],
        ["analyze", "--format", "json", "bomb.log", "--since", "2026-11-25T21:01:00"],
        ["analyze", "--format", "json", "bomb.log.bz2"],
        ["events", "bomb.log", "bomb.log.bz2"],
    ):
        start = time.perf_counter()
        code, peak = peak_run(*args, "-o", str(out), cwd=tmp_path, tmp=tmp_path)
        assert code == 0, (args, peak)
        assert time.perf_counter() - start < limit, (args, peak)
        assert peak < 100, (args, peak)
    doc = json.loads(peak_run_json(tmp_path, "bomb.log"))
    assert _input(doc)["blank"] == 20 << 20
    assert _failures(doc) == {"connection_reset": 2, "broken_pipe": 2}


def peak_run_json(cwd: Path, *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "wsdiag", "analyze", "--format", "json", *args],
        cwd=cwd, capture_output=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.decode()


_CUT_WHILE_MAPPED = """
import os, sys
from pathlib import Path
from wsdiag.read import scan
from wsdiag.pipeline import Options, analyze
from wsdiag.read.sources import resolve

path = Path(sys.argv[1])
real = scan.Scanner.chunk
windows = []

def chunk(self, buf, end=None, begin=0):
    if not isinstance(buf, (bytes, bytearray)):  # a window of a map of the file
        windows.append(begin)
        if len(windows) == 2:
            os.truncate(path, 0)  # logrotate copytruncate, half-way
    return real(self, buf, end, begin)

scan.Scanner.chunk = chunk
summary = analyze(resolve([str(path)]), Options(year=2025, jobs=1))
st = summary.inputs[str(path)]
print(len(windows), st.read_error, summary.by_class["broken_pipe"], st.too_long)
"""


def test_a_mapped_file_cut_short_ends_with_a_warning(tmp_path: Path) -> None:
    """A quiet file read through a map and truncated half-way (copytruncate of an idle miner's
    log) ends with a read error and what was read counted, not with SIGBUS ("Bus error")."""
    from wsdiag.read.scan import scanner_maps

    if not scanner_maps():
        pytest.skip("files are mapped only with the C line filter")
    path = tmp_path / "miner.log"
    block = _log(base_lines())
    path.write_bytes(block * (3 * (8 << 20) // len(block)))  # three 8 MiB windows
    os.utime(path, (time.time() - 3600, time.time() - 3600))
    proc = subprocess.run(
        [sys.executable, "-c", _CUT_WHILE_MAPPED, str(path)], capture_output=True, timeout=120, cwd=ROOT
    )
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-2000:])
    windows, *error, pipes, too_long = proc.stdout.decode().split()
    assert windows == "2"
    assert " ".join(error) == "the file was cut short while it was read (logrotate copytruncate?)"
    per_window = (8 << 20) // len(block)
    assert per_window <= int(pipes) <= per_window + 1
    assert int(too_long) <= 1
