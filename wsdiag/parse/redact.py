"""The one place where log text is made safe: secrets redacted, terminal controls neutralised.

Every piece of text that leaves the parser goes through :func:`clean` first, so reporters
never see a token and never have to remember to redact.

Every pattern here runs on hostile text of up to a whole line (``scan.MAX_LINE``): quantifiers
are bounded and no repeat is nested in another one that can match the same characters, so no
pattern can backtrack catastrophically (tests time them on 64 KB lines of every fragment).
"""

from __future__ import annotations

import functools
import re

REDACTED = "<redacted>"
#: :func:`clean` with a ``limit`` reads this much more than it keeps: every secret pattern
#: matches within it, so a secret that starts inside the kept part is redacted whole.
MARGIN = 8192

# Values are bounded by a line's length anyway; the bound only keeps the patterns reviewable.
_UPTO = "{1,65536}"
# An optional quote, also JSON-escaped (`\"`, `\\\"`), URL-encoded or an HTML entity: tokens are
# logged inside repr()s and JSON-in-JSON (`Error ...: {\"auth_token\":\"...\"}`) too.
_QUOTE = r"""(?:\\{0,4}["']|%22|%27|&quot;|&\#39;)"""
# A value may be a Python literal with a prefix (`b'...'`, `r'...'`, `u'...'`): the prefix is
# taken with its quote, or the letter would be taken for the value and the token left after it.
_OPEN = r"(?:[bBrRuUfF]{1,2}(?=[\"'])|)" + _QUOTE
_SEP = _QUOTE + r"?\s{0,8}(?:[:=]|%3[AaDd])\s{0,8}(?:" + _OPEN + r")?\s{0,8}"
# Names whose value is a credential: LISTEN `auth_token`, the `auth-token`/`persistent`/
# `api_token`/`twilight-user` cookies, `authToken`, IRC `oauth:`, GQL `Client-Integrity`, ...
_KEYS = (
    r"(?:(?:auth|access|refresh|oauth|client|api|id|session|csrf|xsrf|bearer)[_-]?)?token"
    r"|oauth|password|passwd|(?:client[_-]?)?secret|persistent|session[_-]?id"
    r"|client[_-]?integrity|api[_-]?key|twilight-user"
)
# A value ends at a quote, an escape, whitespace or a structural character of JSON, repr(),
# query strings and cookie headers. A value in angle brackets (`<...>`) is taken whole, but
# never one of our placeholders, nor one that starts with a quote the separator could have
# taken (so cleaning twice changes nothing).
_PLACEHOLDER = r"<(?:redacted|username)>"
_VALUE = (
    r"""(?!%2[27]|&quot;|&\#39;|[bBrRuUfF]{1,2}["']|""" + _PLACEHOLDER + r""")"""
    r"""(?:<[^\s"'\\<>]""" + _UPTO + r""">?|[^\s"'\\,;&}\]<>)]""" + _UPTO + r")"
)
_TOKEN_CHARS = r"[A-Za-z0-9._~+/=%-]{6,65536}"
# A credential after a key and mere whitespace (`access_token q9x8...`): a word of token
# characters that holds a digit or is long, so that prose (`token bucket empty`) stays.
_BARE_VALUE = r"(?=[A-Za-z0-9._~+/=%-]{0,64}\d|[A-Za-z0-9._~+/=%-]{16})" + _TOKEN_CHARS
# What a message may say of a credential between its key and its value: `token expired for x`.
_STATUS = r"(?:(?:expired|invalid|revoked|rejected|refused)(?:\s{1,8}for)?\s{0,8}:?\s{1,8})?"
_SCHEMES = r"(?:OAuth|Bearer|Basic|Token|Digest|Negotiate)"
_COOKIE_NAMES = r"(?:auth-token|persistent|api_token|twilight-user)"

# (substrings of the lower-cased text, one of which must be present; pattern; replacement).
# The substring test skips a pattern in C speed on the many texts that cannot match it. The
# patterns are compiled on first use (_secrets): most runs meet no text with a needle, and
# compiling them all costs every start-up ~5 ms.


def _pattern(source: str, flags: int = 0) -> tuple[str, int]:
    """What _secrets compiles: a pattern's source and flags."""
    return source, flags


_SECRETS: tuple[tuple[tuple[str, ...], tuple[str, int], str], ...] = (
    # Cookie headers: the whole value, whatever cookies it holds
    (
        ("cookie",),
        _pattern(
            r"((?:Set-)?Cookie" + _SEP + r""")(?!%2[27]|&quot;|&\#39;)[^\s"'\\<][^\r\n"'\\<]{0,65536}""",
            re.IGNORECASE,
        ),
        r"\1" + REDACTED,
    ),
    # "auth_token":"...", 'auth-token': '...', authToken%22%3A%22..., password=..., oauth:...
    (
        ("token", "oauth", "passw", "secret", "persistent", "session", "integrity", "api", "twilight"),
        _pattern(r"(?<![A-Za-z])((?:" + _KEYS + r")" + _SEP + r")" + _VALUE, re.IGNORECASE),
        r"\1" + REDACTED,
    ),
    # access_token q9x8..., password "hunter2", token expired for q9x8...: a key, whitespace (and
    # what became of the credential), a credential-like word
    (
        ("token", "oauth", "passw", "secret", "persistent", "session", "integrity", "api", "twilight"),
        _pattern(
            r"(?<![A-Za-z])((?:" + _KEYS + r")\s{1,8}" + _STATUS + _QUOTE + r"?)(?!" + _PLACEHOLDER + ")"
            + _BARE_VALUE,
            re.IGNORECASE,
        ),
        r"\1" + REDACTED,
    ),
    # XML: <auth_token>...</auth_token>, <password type="x">...</password>
    (
        ("token", "oauth", "passw", "secret", "persistent", "session", "integrity", "api", "twilight"),
        _pattern(r"(<(?:" + _KEYS + r""")(?:\s[^<>]{0,256})?>\s{0,8})[^<\s]""" + _UPTO, re.IGNORECASE),
        r"\1" + REDACTED,
    ),
    # Authorization: <scheme> <credentials>, or a bare credential. A scheme word is never taken
    # for the credential (so `Authorization: OAuth <redacted>` stays as it is).
    (
        ("authorization",),
        _pattern(
            r"(Authorization" + _SEP + r"(?:" + _SCHEMES + r"\s{1,8})?)(?!" + _SCHEMES + r"\s)" + _VALUE,
            re.IGNORECASE,
        ),
        r"\1" + REDACTED,
    ),
    # A bare "OAuth xyz" / "Bearer xyz" anywhere, also URL-encoded (`OAuth%20xyz`, `Bearer+xyz`)
    (
        ("oauth", "bearer"),
        _pattern(
            r"(?:\b|(?<=%[0-9A-Fa-f]{2}))((?:OAuth|Bearer)(?:\s{1,8}|%20|\+))"
            + r"(?!" + _PLACEHOLDER + ")"
            + _TOKEN_CHARS,
            re.IGNORECASE,
        ),
        r"\1" + REDACTED,
    ),
    # Cookie dicts (selenium/requests dumps): {'name': 'auth-token', ..., 'value': '...'}
    (
        ("name",),
        _pattern(
            r"""(["']name["']\s{0,8}:\s{0,8}["']""" + _COOKIE_NAMES + r"""["'][^{}]{0,300}?"""
            r"""["']value["']\s{0,8}:\s{0,8}["'])[^"'\\<]""" + _UPTO,
            re.IGNORECASE,
        ),
        r"\1" + REDACTED,
    ),
    (
        ("name",),
        _pattern(
            r"""(["']value["']\s{0,8}:\s{0,8}["'])[^"'\\<]{1,4096}(?=["'][^{}]{0,300}?"""
            r"""["']name["']\s{0,8}:\s{0,8}["']""" + _COOKIE_NAMES + r"""["'])""",
            re.IGNORECASE,
        ),
        r"\1" + REDACTED,
    ),
    # JSON web tokens, wherever they are (a JWT header is short: bounded tightly)
    (
        ("eyj",),
        _pattern(r"\beyJ[A-Za-z0-9_-]{8,512}\.[A-Za-z0-9_-]{8,4096}\.[A-Za-z0-9_-]{0,4096}"),
        REDACTED,
    ),
    # Credentials in URLs: scheme://user:password@host (proxy settings)
    (
        ("://",),
        _pattern(r"""(\b[A-Za-z][A-Za-z0-9+.-]{1,15}://[^/\s:@"'<>]{1,256}:)[^/\s@"'<>]{1,256}(@)"""),
        r"\1" + REDACTED + r"\2",
    ),
    # cookies/<user>.pkl and cookies\<user>.pkl name the account
    (
        ("cookies",),
        _pattern(r"(cookies[\\/]{1,4})[^\\/\s\"'<>]{1,256}(\.pkl)", re.IGNORECASE),
        r"\1<username>\2",
    ),
)

#: The characters every escape sequence below starts with (ESC, 8-bit CSI, 8-bit OSC): text
#: without them is left as it is by strip_ansi, which the fast path's filter relies on.
ESCAPE_INTRODUCERS = "\x1b\x9b\x9d"

# ESC sequences (CSI, OSC incl. OSC-8 hyperlinks and window titles, DCS/SOS/PM/APC strings,
# nF and two-byte escapes) are removed whole; whatever is left of a broken one is made visible.
# Compiled on first use (_ansi): most logs hold no escape at all.
_ANSI = (
    r"\x1b\[[0-?]{0,64}[ -/]{0,16}[@-~]"  # CSI ... final byte
    r"|\x1b[\]PX^_][^\x07\x1b]{0,8192}(?:\x07|\x1b\\)?"  # OSC/DCS/SOS/PM/APC ... BEL or ST
    r"|\x1b[ -/]{1,4}[0-~]"  # nF escapes: charset designation `ESC ( B` ...
    r"|\x1b[0-~]"  # other two-byte escapes
    r"|\x9b[0-?]{0,64}[ -/]{0,16}[@-~]"  # 8-bit CSI
    r"|\x9d[^\x07\x1b\x9c]{0,8192}(?:\x07|\x9c)?"  # 8-bit OSC
)


@functools.cache
def _ansi() -> re.Pattern[str]:
    return re.compile(_ANSI)


_LATIN1_MAX = 0xFF  # code points up to here are written `\\xNN`, the rest `\\uNNNN`


def _visible(code: int) -> str:
    return f"\\x{code:02x}" if code <= _LATIN1_MAX else f"\\u{code:04x}"


# C0/C1 controls except TAB, DEL, and the Unicode line separators and bidi controls that could
# split or reorder what the terminal shows: each becomes its visible escape, `\x07`.
_CONTROLS: dict[int, str] = {
    code: _visible(code)
    for code in (
        *range(0x00, 0x09),
        *range(0x0A, 0x20),
        *range(0x7F, 0xA0),
        0x061C,
        0x200E,
        0x200F,
        0x2028,
        0x2029,
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
    )
}


# Any needle at all: most texts (error messages) hold none, and one search says so.
_ANY_NEEDLE = re.compile("|".join(sorted({re.escape(n) for needles, _, _ in _SECRETS for n in needles})))


@functools.cache
def _secrets() -> tuple[tuple[tuple[str, ...], re.Pattern[str], str], ...]:
    """_SECRETS with its patterns compiled (once, when a text first holds a needle)."""
    return tuple((needles, re.compile(*pattern), repl) for needles, pattern, repl in _SECRETS)


def redact(text: str) -> str:
    """Replace tokens, cookies, passwords and cookie-file user names by placeholders."""
    low = text.lower()
    if not _ANY_NEEDLE.search(low):
        return text
    for needles, pattern, repl in _secrets():
        if any(n in low for n in needles):
            text = pattern.sub(repl, text)
            low = text.lower()
    return text


def strip_ansi(text: str) -> str:
    """Remove ANSI/OSC escape sequences (colour resets, hyperlinks) from log text."""
    if "\x1b" not in text and "\x9b" not in text and "\x9d" not in text:  # ESCAPE_INTRODUCERS
        return text
    return _ansi().sub("", text)


def neutralise(text: str) -> str:
    """Make remaining control characters visible (`\\x07`) so they cannot drive a terminal."""
    return text.translate(_CONTROLS)


#: Characters of the line above that :func:`clean` looks at for a key whose value this line holds.
ABOVE = 256


def _after(above: str, text: str) -> str:
    """``text`` redacted as the continuation of the line ``above``: `auth_token:` at the end of
    one line and the token at the start of the next is a secret too. Both are redacted as one
    text, joined by their line end, and what follows the line end is kept. Should a secret
    have swallowed the line end, nothing of ``text`` is kept."""
    above = strip_ansi(above[-ABOVE:]).replace("\r", "").replace("\n", " ")
    joined = redact(above + "\n" + strip_ansi(text))
    end = joined.find("\n")
    return REDACTED if end == -1 else joined[end + 1 :]


def clean(text: str, limit: int | None = None, above: str | None = None) -> str:
    """Everything log text needs before it may leave the parser: no ESC, no controls, no secrets.

    ``limit`` shortens the result *after* redaction, so a cut can never leave the start of a
    token behind without the label that would have redacted it; only ``limit + MARGIN``
    characters are read, which bounds the cost of cleaning a huge line. ``above`` is the line
    before ``text`` when ``text`` is a whole line that may continue it (see :func:`_after`).
    """
    if limit is not None:
        text = text[: limit + MARGIN]
    if above:
        text = _after(above, text)
    # Redact before controls become visible text (`\x07`), so a control inside a token cannot
    # cut the token's value short; and after, because visible escapes can spell a label
    # (`\x0a` + `uthorization:`), which would make cleaning twice differ from cleaning once.
    text = redact(neutralise(redact(strip_ansi(text))))
    return text if limit is None else text[:limit]


RECORD_TEXT_MAX = 2000  # longest message text kept in a record


def record_text(text: str) -> str:
    """A record's text: whitespace collapsed, cleaned (redacted), then cut to RECORD_TEXT_MAX."""
    return clean(" ".join(text[: RECORD_TEXT_MAX + MARGIN].split()), RECORD_TEXT_MAX)
