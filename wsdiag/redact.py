"""The one place where log text is made safe: secrets redacted, terminal controls neutralised.

Every piece of text that leaves the parser goes through :func:`clean` first, so reporters
never see a token and never have to remember to redact.
"""

from __future__ import annotations

import re

REDACTED = "<redacted>"

# Each pattern keeps the label and replaces only the value, so the output still says
# what was there. Values are bounded ({1,4096}) so a hostile line cannot make them slow.
_SECRETS: tuple[tuple[re.Pattern[str], str], ...] = (
    # "auth_token":"...", 'auth_token': '...', auth_token=..., access_token, refresh_token
    (
        re.compile(
            r"""((?:auth|access|refresh|oauth|client)_?token["']?\s*[:=]\s*["']?)[^"'\s,}&]{1,4096}""",
            re.IGNORECASE,
        ),
        r"\1" + REDACTED,
    ),
    # Authorization: OAuth xyz / Bearer xyz, and bare "OAuth xyz"
    (
        re.compile(r"((?:OAuth|Bearer)\s+)[A-Za-z0-9._~+/=-]{6,4096}", re.IGNORECASE),
        r"\1" + REDACTED,
    ),
    (
        re.compile(
            r"""(Authorization["']?\s*[:=]\s*["']?)(?!(?:OAuth|Bearer)\s)[^"'\s,}]{1,4096}""",
            re.IGNORECASE,
        ),
        r"\1" + REDACTED,
    ),
    # Cookie headers and cookie jars: auth-token=..., Cookie: a=b; c=d
    (
        re.compile(r"""((?:Set-)?Cookie["']?\s*[:=]\s*["']?)[^\r\n"']{1,4096}""", re.IGNORECASE),
        r"\1" + REDACTED,
    ),
    (re.compile(r"(auth-token=)[^;\s\"',}]{1,4096}", re.IGNORECASE), r"\1" + REDACTED),
    # cookies/<user>.pkl and cookies\<user>.pkl name the account
    (re.compile(r"(cookies[\\/]+)[^\\/\s\"'<>]{1,256}(\.pkl)", re.IGNORECASE), r"\1<username>\2"),
    # password fields in dumped dicts/forms
    (
        re.compile(r"""(password["']?\s*[:=]\s*["']?)[^"'\s,}&]{1,4096}""", re.IGNORECASE),
        r"\1" + REDACTED,
    ),
)

# C0/C1 controls except TAB; ESC sequences (CSI, OSC incl. OSC-8 hyperlinks) removed whole.
_ANSI = re.compile(
    r"\x1b\[[0-?]{0,64}[ -/]{0,16}[@-~]"  # CSI ... final byte
    r"|\x1b\][^\x07\x1b]{0,8192}(?:\x07|\x1b\\)?"  # OSC ... BEL or ST
    r"|\x1b[@-Z\\-_]"  # other two-byte escapes
    r"|\x9b[0-?]{0,64}[ -/]{0,16}[@-~]"  # 8-bit CSI
)
_CONTROLS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def redact(text: str) -> str:
    """Replace tokens, cookies, passwords and cookie-file user names by placeholders."""
    for pattern, repl in _SECRETS:
        text = pattern.sub(repl, text)
    return text


def strip_ansi(text: str) -> str:
    """Remove ANSI/OSC escape sequences (colour resets, hyperlinks) from log text."""
    if "\x1b" not in text and "\x9b" not in text:
        return text
    return _ANSI.sub("", text)


def neutralise(text: str) -> str:
    """Make remaining control characters visible (`\\x07`) so they cannot drive a terminal."""
    return _CONTROLS.sub(_visible, text)


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def clean(text: str) -> str:
    """Everything log text needs before it may leave the parser: no ESC, no controls, no secrets."""
    return redact(neutralise(strip_ansi(text)))
