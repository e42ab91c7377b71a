"""redact.clean: secrets redacted, terminal controls neutralised, in bounded time; regex audit."""

from __future__ import annotations

import importlib
import pkgutil
import re
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

import wsdiag
from wsdiag.parse.redact import MARGIN, REDACTED, clean, neutralise, redact, strip_ansi

TOKEN = "q9x8c7v6b5n4m3l2k1j0h9g8f7d6s5"  # 30 lowercase alphanumerics, like Twitch's

# (log text with the token planted, what clean() must make of it)
SECRETS: list[tuple[str, str | None]] = [
    (  # the LISTEN payload of every DEBUG file log
        f'#0 - Send: {{"type":"LISTEN","data":{{"topics":["a.1"],"auth_token":"{TOKEN}"}}}}',
        '#0 - Send: {"type":"LISTEN","data":{"topics":["a.1"],"auth_token":"<redacted>"}}',
    ),
    (f"{{'auth_token': '{TOKEN}'}}", "{'auth_token': '<redacted>'}"),
    (f'{{\\"auth_token\\":\\"{TOKEN}\\"}}', '{\\"auth_token\\":\\"<redacted>\\"}'),  # JSON in JSON
    (f"auth_token={TOKEN}&x=1", "auth_token=<redacted>&x=1"),
    (f"AUTH_TOKEN = {TOKEN}", "AUTH_TOKEN = <redacted>"),
    (f'"authToken":"{TOKEN}"', '"authToken":"<redacted>"'),
    (f"access_token%22%3A%22{TOKEN}", "access_token%22%3A%22<redacted>"),
    (f"twilight-user=%7B%22authToken%22%3A%22{TOKEN}%22%7D", "twilight-user=<redacted>"),
    (f"api_token={TOKEN}", "api_token=<redacted>"),
    (f'"token": "{TOKEN}"', '"token": "<redacted>"'),
    (f"oauth:{TOKEN}", "oauth:<redacted>"),
    (f"Authorization: OAuth {TOKEN}", "Authorization: OAuth <redacted>"),
    (f"'Authorization': 'OAuth {TOKEN}'", "'Authorization': 'OAuth <redacted>'"),
    (f"Authorization: Basic {TOKEN}", "Authorization: Basic <redacted>"),
    (f"Authorization: {TOKEN}", "Authorization: <redacted>"),
    (f"Bearer {TOKEN} rejected", "Bearer <redacted> rejected"),
    (f"OAuth\t{TOKEN}", "OAuth\t<redacted>"),
    (  # http.client's dump of a request
        f"send: b'GET / HTTP/1.1\\r\\nAuthorization: OAuth {TOKEN}\\r\\nClient-Id: kimne78kx3'",
        "send: b'GET / HTTP/1.1\\r\\nAuthorization: OAuth <redacted>\\r\\nClient-Id: kimne78kx3'",
    ),
    (f"Cookie: auth-token={TOKEN}; persistent=1%3A%3A{TOKEN}", "Cookie: <redacted>"),
    (f"header: Set-Cookie: auth-token={TOKEN}; Path=/", "header: Set-Cookie: <redacted>"),
    (f"<Cookie auth-token={TOKEN} for .twitch.tv/>", "<Cookie auth-token=<redacted> for .twitch.tv/>"),
    (f"{{'auth-token': '{TOKEN}', 'persistent': '12345%3A%3A{TOKEN}'}}", None),
    (f"{{'name': 'auth-token', 'path': '/', 'value': '{TOKEN}'}}", None),
    (f"{{'value': '{TOKEN}', 'domain': '.twitch.tv', 'name': 'auth-token'}}", None),
    (f"Client-Integrity: v4.public.{TOKEN}", "Client-Integrity: <redacted>"),
    (f"jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.{TOKEN}", "jwt <redacted>"),
    (f"ProxyError http://bob:{TOKEN}@10.0.0.1:3128", "ProxyError http://bob:<redacted>@10.0.0.1:3128"),
    (f"password={TOKEN}", "password=<redacted>"),
    (  # the miner's ERR_BADAUTH hint names the account's cookie file
        f'outdated cookie file "cookies\\{TOKEN}.pkl". Delete this file',
        'outdated cookie file "cookies\\<username>.pkl". Delete this file',
    ),
    (f"cookies/{TOKEN}.pkl", "cookies/<username>.pkl"),
    (f"OAuth {TOKEN[:8]}\x1b[0m{TOKEN[8:]}", "OAuth <redacted>"),  # colour reset inside the token
    (f'"auth_token":"{TOKEN[:5]}\x07{TOKEN[5:]}"', '"auth_token":"<redacted>"'),  # a control inside
    # second round (issue #11): Python literal prefixes, XML, `<...>` values, URL-encoded
    # schemes, a key and a bare value
    (f"{{'auth_token': b'{TOKEN}'}}", "{'auth_token': b'<redacted>'}"),
    (f"{{'auth_token': r'{TOKEN}'}}", "{'auth_token': r'<redacted>'}"),
    (f"{{'auth_token': u'{TOKEN}'}}", "{'auth_token': u'<redacted>'}"),
    (f'{{"auth_token": rb"{TOKEN}"}}', '{"auth_token": rb"<redacted>"}'),
    (f"<auth_token>{TOKEN}</auth_token>", "<auth_token><redacted></auth_token>"),
    (f'<password type="text"> {TOKEN} </password>', '<password type="text"> <redacted> </password>'),
    (f"auth_token=<{TOKEN}>", "auth_token=<redacted>"),
    (f'"auth_token": "<{TOKEN}"', '"auth_token": "<redacted>"'),
    (f"Authorization: OAuth%20{TOKEN}", "Authorization: <redacted>"),
    (f"url?h=OAuth%20{TOKEN}", "url?h=OAuth%20<redacted>"),
    (f"Bearer%20{TOKEN}", "Bearer%20<redacted>"),
    (f"Bearer+{TOKEN}", "Bearer+<redacted>"),
    (f"OAuth {TOKEN[:8]}%2F{TOKEN[8:]}", "OAuth <redacted>"),
    (f"access_token {TOKEN}", "access_token <redacted>"),
    (f"token expired for {TOKEN}", "token expired for <redacted>"),
    (f"refresh token invalid: {TOKEN}", "refresh token invalid: <redacted>"),
    (f'refresh_token "{TOKEN}"', 'refresh_token "<redacted>"'),
    (f"password   {TOKEN[:12]}", "password   <redacted>"),
]

# Real error texts that must come through unchanged: they are what the diagnosis is made of.
KEEP = [
    "[WinError 10054] An existing connection was forcibly closed by the remote host",
    "fin=1 opcode=8 data=b'\\x10\\x04ping pong failed'",
    "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer (_ssl.c:1123)",
    "Connection closed (code 4100): ping pong failed",
    "Handshake status 503 Service Unavailable -+-+- {'content-length': '19'} -+-+- b'Service Unavailable'",
    "Error while trying to listen for a topic: {'type': 'RESPONSE', 'error': 'ERR_BADAUTH', 'nonce': 'Su3h'}",
    '#0 - Send: {"type":"LISTEN","nonce":"vk5JnEMK6Dn5lw9DK4IVKqQZSM","data":{"topics":["raid.8964"]}}',
    "Request headers: {'Client-Id': 'kimne78kx3ncx6brgo4mv6wki5h1ko'}",
    "The last PONG was received more than 5 minutes ago",
    "persistent connection lost; token bucket empty; cookies are fine",
    "emoji 🎉 and accents éàü and tabs\there",
    "token expired, refresh token invalid, password reset required, access_token missing",
    "b'\\x88\\x02' <auth> </auth> the OAuth flow",
]


@pytest.mark.parametrize(("text", "expected"), SECRETS)
def test_every_form_of_secret_is_redacted(text: str, expected: str | None) -> None:
    """Tokens in LISTEN payloads, headers, cookies, URLs and file names never survive clean()."""
    out = clean(text)
    assert TOKEN not in out
    assert TOKEN[:10] not in out
    assert TOKEN[-10:] not in out
    assert REDACTED in out or "<username>" in out
    if expected is not None:
        assert out == expected


@pytest.mark.parametrize(("text", "expected"), SECRETS)
def test_clean_is_idempotent(text: str, expected: str | None) -> None:
    """Cleaning cleaned text changes nothing (a placeholder is never redacted again)."""
    once = clean(text)
    assert clean(once) == once


@pytest.mark.parametrize("text", KEEP)
def test_real_error_texts_are_kept(text: str) -> None:
    """Error texts, nonces, topics and the public Client-Id are not mistaken for secrets."""
    assert clean(text) == text


ABOVE_CASES = [
    ("headers: auth_token:", TOKEN, REDACTED),
    ('{"auth_token":', f'"{TOKEN}"}}', '"<redacted>"}'),
    ("Authorization: OAuth", f"{TOKEN} and more", "<redacted> and more"),
    ("retrying with Bearer", TOKEN, REDACTED),
    ("Cookie:", f"auth-token={TOKEN}; persistent=1", REDACTED),
    ("{'name': 'auth-token', 'domain': '.twitch.tv',", f"'value': '{TOKEN}'}}", "'value': '<redacted>'}"),
]


@pytest.mark.parametrize(("above", "text", "expected"), ABOVE_CASES)
def test_a_key_at_the_end_of_the_line_above_redacts_this_line(above: str, text: str, expected: str) -> None:
    """A key at the end of one line and its value at the start of the next: the value is a
    secret too (the next line is shown as an unrecognized-line sample)."""
    assert clean(text, 200, above=above) == expected
    assert clean(text, above=above + "\x1b[0m") == expected
    assert clean(text, above="nothing to see") == clean(text)


def test_limit_never_leaves_a_piece_of_a_token() -> None:
    """Cut at any length, the result holds no piece of the token (redacted before cutting)."""
    for prefix in ("", "x" * 37):
        text = f"{prefix}Handshake failed Authorization: OAuth {TOKEN} and auth_token={TOKEN} end"
        for limit in range(len(text) + 1):
            out = clean(text, limit)
            assert len(out) <= limit
            for i in range(len(TOKEN) - 5):
                assert TOKEN[i : i + 6] not in out, (limit, out)


def test_limit_reads_only_a_bounded_prefix() -> None:
    """clean(text, limit) costs the same on a 64 KB line as on limit + MARGIN characters."""
    assert clean("a" * 65536, 200) == "a" * 200
    tail_secret = "b" * (200 + MARGIN) + f" auth_token={TOKEN}"
    assert clean(tail_secret, 200) == "b" * 200


def test_strip_ansi_removes_whole_sequences() -> None:
    """SGR, OSC-8 hyperlinks (text kept), window titles, DCS, charset and 8-bit CSI vanish whole."""
    assert strip_ansi("\x1b[0m25/11/26 \x1b[1;31mred\x1b[39m") == "25/11/26 red"
    assert strip_ansi("\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\") == "click"
    assert strip_ansi("a\x1b]0;title\x07b") == "ab"
    assert strip_ansi("a\x1bPq#0;2\x1b\\b") == "ab"
    assert strip_ansi("a\x1b(Bb\x1b[?1049hc") == "abc"
    assert strip_ansi("a\x9b31mb") == "ab"
    assert strip_ansi("plain text") == "plain text"


def test_clean_leaves_no_escape_and_shows_controls() -> None:
    """A lone ESC, BEL, NUL, CR, bidi overrides and line separators become visible text."""
    out = clean("\x07\x00\r\n \u202eevil\u202c \u2028 tab\tok \u0085 lone \x1b")
    assert out == "\\x07\\x00\\x0d\\x0a \\u202eevil\\u202c \\u2028 tab\tok \\x85 lone \\x1b"
    assert not any(ord(c) < 0x20 and c != "\t" for c in out)


def test_neutralise_and_redact_alone() -> None:
    """The parts of clean() each do one thing."""
    assert neutralise("a\x1b[31mb") == "a\\x1b[31mb"
    assert redact(f"OAuth {TOKEN}") == "OAuth <redacted>"
    assert redact("\x1b[31m") == "\x1b[31m"


def test_rich_markup_is_plain_text_to_clean() -> None:
    """Markup from logs is not touched by clean(): reporters print it literally (as rich Text)."""
    text = "[red]boom[/red] [link=https://evil.example]x[/link]"
    assert clean(text) == text


# -- time: no pattern may backtrack catastrophically --------------------------------------------

FRAGMENTS = [
    "#1 - ", "[", '"auth_token":"', "auth_token", "token=", "token", "OAuth ", "OAuth\t" * 3,
    "Authorization: ", "Authorization: OAuth ", "Cookie: ", "cookies/", "cookies\\\\", "\x1b]",
    "\x1b[", "\x1bP", "\x9b", "\x9d", "eyJ", "eyJa-", "eyJaaaaaaaaaa.", "'name': 'auth-token'",
    "'value': 'x", "a://", "a://b:", "http://u:p", '\\"', "%22", "persistent", "   x", " - goodbye",
    "<auth_token>", "<auth_token ", "auth_token=<", "token=b'", "access_token ", "token 1", "OAuth%20",
    "Bearer+", "auth_token: rb'", "<password x='",
]  # fmt: skip


@pytest.mark.parametrize("fragment", FRAGMENTS)
def test_pathological_line_is_cleaned_quickly(fragment: str) -> None:
    """64 KB of one repeated fragment (with and without a tail) is cleaned in well under a second."""
    line = fragment * (65536 // len(fragment))
    for text in (line, line + "x", "x" + line + '"'):
        start = time.perf_counter()
        clean(text)
        clean(text, 2000)
        assert time.perf_counter() - start < 0.5, fragment


# -- a static audit of every regular expression in the package ----------------------------------

if sys.version_info >= (3, 11):
    import re._constants as sre_constants
    import re._parser as sre_parse
else:  # pragma: no cover - Python 3.10
    import sre_constants
    import sre_parse

_REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT}
if hasattr(sre_constants, "POSSESSIVE_REPEAT"):
    _REPEATS.add(sre_constants.POSSESSIVE_REPEAT)
_UNBOUNDED = sre_constants.MAXREPEAT

# Nested unbounded repeats that are known to be safe, and why.
_REVIEWED = {
    "wsdiag.durations._DURATION": "parses a duration option, never log text",
    "wsdiag.durations._PART": "parses a duration option, never log text",
    "wsdiag.parse.templating._MASKS": "runs on at most 300 characters; each repetition starts with a "
    "delimiter (`.`, `<n>`) the inner repeat cannot match, so there is one way to match",
}
# Modules whose patterns must have no unbounded repeat at all (they run on every hostile line).
_STRICT = {"wsdiag.parse.redact", "wsdiag.read.layouts", "wsdiag.parse.templates", "wsdiag.parse.classify"}


def _patterns(value: object) -> Iterator[re.Pattern[Any]]:
    if isinstance(value, re.Pattern):
        yield value
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _patterns(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _patterns(item)


def _repeats(parsed: Any, depth: int, out: list[tuple[int, bool]]) -> None:
    """(nesting depth, unbounded) of every repeat in a parsed pattern."""
    for op, av in parsed:
        if op in _REPEATS:
            _lo, hi, inner = av
            out.append((depth, hi == _UNBOUNDED))
            _repeats(inner, depth + (hi == _UNBOUNDED or hi > 1), out)
        elif op == sre_constants.SUBPATTERN:
            _repeats(av[-1], depth, out)
        elif op == sre_constants.BRANCH:
            for branch in av[1]:
                _repeats(branch, depth, out)
        elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            _repeats(av[1], depth, out)
        elif op == getattr(sre_constants, "ATOMIC_GROUP", None):
            _repeats(av, depth, out)


def _module_patterns() -> Iterator[tuple[str, str, re.Pattern[Any]]]:
    for info in pkgutil.walk_packages(wsdiag.__path__, "wsdiag."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            for pattern in _patterns(value):
                yield info.name, name, pattern


def _parse(pattern: re.Pattern[Any]) -> Any:
    source = pattern.pattern
    if isinstance(source, bytes):
        source = source.decode("latin-1")
    return sre_parse.parse(
        source, pattern.flags & ~re.ASCII if isinstance(pattern.pattern, bytes) else pattern.flags
    )


def test_no_regex_nests_unbounded_repeats() -> None:
    """No module-level regex has an unbounded repeat inside another repeat (catastrophic form)."""
    found = list(_module_patterns())
    assert len(found) > 40  # the audit sees the package's patterns
    bad = []
    for module, name, pattern in found:
        if f"{module}.{name}" in _REVIEWED:
            continue
        out: list[tuple[int, bool]] = []
        _repeats(_parse(pattern), 0, out)
        if any(depth > 0 and unbounded for depth, unbounded in out):
            bad.append(f"{module}.{name}: {pattern.pattern!r}")
        if module in _STRICT and any(unbounded for _, unbounded in out):
            bad.append(f"{module}.{name} (unbounded repeat): {pattern.pattern!r}")
    assert not bad, "\n".join(bad)


# -- properties ---------------------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_pieces = st.sampled_from(
    ["auth_token", '"', "'", ":", "=", " ", "OAuth ", "Cookie: ", "\\", "%22", "\x1b", "[", "]",
     "\x1b]8;;", "\x07", "\x9b", "cookies/", ".pkl", "eyJ", "<", ">", "Authorization", TOKEN, "\n",
     "b", "r", "u", "%20", "+", "access_token ", "</auth_token>", "<auth_token>"]
)  # fmt: skip
_texts = st.one_of(st.text(max_size=300), st.lists(_pieces, max_size=40).map("".join))


@settings(max_examples=300, deadline=None)
@given(_texts, st.one_of(st.none(), st.integers(0, 400)))
def test_clean_output_is_always_terminal_safe(text: str, limit: int | None) -> None:
    """Any text: no control but TAB comes out; clean() is idempotent; a limit only cuts the result."""
    out = clean(text, limit)
    assert not any((ord(c) < 0x20 and c != "\t") or 0x7F <= ord(c) <= 0x9F for c in out)
    assert not any(c in out for c in "\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    if limit is None:
        assert clean(out) == out
    else:
        assert out == clean(text)[:limit]


# Every way a secret may follow its key, with ``{}`` for the token: the property below plants
# one among random text and asserts that no piece of the token survives clean().
FORMS = [
    "auth_token={}", '"auth_token":"{}"', "'auth_token': '{}'", "{{'auth_token': b'{}'}}",
    "{{'auth_token': r'{}'}}", "{{'auth_token': u'{}'}}", "<auth_token>{}</auth_token>",
    "auth_token=<{}>", "Authorization: OAuth {}", "Authorization: OAuth%20{}", "OAuth%20{}",
    "Bearer%20{}", "Bearer {}", "access_token {}", "oauth:{}", "Cookie: auth-token={}",
    "password: {}", "access_token%22%3A%22{}",
]  # fmt: skip
_noise = st.lists(st.sampled_from(["x", " ", ",", ";", "}", "{", "\t", "Error:", "'", '"', "é", "#1 - "]), max_size=12).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(FORMS), _noise, _noise, st.sampled_from([" ", "\t", ", ", "\x1b[0m ", " \x1b[31m", "\n"]))
def test_no_form_of_secret_survives_among_noise(form: str, before: str, after: str, glue: str) -> None:
    """A token in any known form, between random text (not glued to a word): no 10-character
    piece comes out."""
    out = clean(before + glue + form.format(TOKEN) + glue + after)
    assert not any(TOKEN[i : i + 10] in out for i in range(len(TOKEN) - 9)), out


# A key ending one line, the value starting the next: (the end of the line above, the next line).
SPLIT_FORMS = [
    ("auth_token:", "{}"), ('"auth_token":', '"{}"'), ("Authorization: OAuth", "{}"), ("Bearer", "{}"),
    ("access_token", "{}"), ("password=", "{}"), ("Cookie:", "auth-token={}"), ("{'auth_token': b'", "{}'}}"),
]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(SPLIT_FORMS), _noise, _noise)
def test_no_secret_survives_a_line_break_after_its_key(form: tuple[str, str], before: str, after: str) -> None:
    """The line below a key holds its value: cleaned with the line above, nothing survives."""
    key, value = form
    out = clean(value.format(TOKEN) + after, 200, above=before + " " + key)
    assert not any(TOKEN[i : i + 10] in out for i in range(len(TOKEN) - 9)), out
