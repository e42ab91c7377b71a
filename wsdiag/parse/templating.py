"""Group unknown error texts into templates: variable parts masked so variants count as one.

``Handshake status 503 Service Unavailable -+-+- {'date': 'Mon, 01 Dec 2025 10:00:00 GMT', ...}``
and the same error a second later with other headers both become
``Handshake status <n> Service Unavailable -+-+- <headers> -+-+- b'<bytes>'``. Masks apply in
order, the most specific first, so a date is not left as three numbers and a word.
"""

from __future__ import annotations

import re
from collections.abc import Callable

MAX_TEMPLATE = 200  # characters of a template; longer texts differ only in their tail

_HEX = r"[0-9a-fA-F]"
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*"
_DAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*"
# Bytes literals up to this long (a close frame's code and reason) keep their words.
_SHORT_BYTES = 48



def _bytes(m: re.Match[str]) -> str:
    """A bytes literal: a long body is one mask; a short one (a close frame) keeps its words."""
    body = m.group(2)
    if len(body) > _SHORT_BYTES:
        body = "<bytes>"
    else:
        body = re.sub(r"\\x[0-9a-fA-F]{2}|\\[a-z]", "<b>", body)
        body = re.sub(r"(?:<b>)+", "<b>", body)
    return f"b{m.group(1)}{body}{m.group(1)}"


_MASKS: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    # websocket-client's handshake error: `-+-+- {headers} -+-+- b'body'`
    (re.compile(r"-\+-\+- \{.*?\} -\+-\+-"), "-+-+- <headers> -+-+-"),
    (re.compile(r"""\bb(["'])((?:\\.|(?!\1).){0,2000})\1"""), _bytes),
    (re.compile(r"\{[^{}]{0,2000}\}"), "{<data>}"),
    (re.compile(r"\bhttps?://[^\s'\"<>]+"), "<url>"),
    (re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"), "<email>"),
    # dates and times: RFC 1123 (HTTP headers), ISO 8601, the miner's dd/mm/yy
    (re.compile(rf"\b{_DAY},? \d{{1,2}} {_MONTH} \d{{2,4}}(?: \d\d:\d\d:\d\d)?(?: GMT| UTC)?"), "<date>"),
    (re.compile(r"\b\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?\b"), "<date>"),
    (re.compile(r"\b\d\d/\d\d(?:/\d\d(?:\d\d)?)?\b"), "<date>"),
    (re.compile(r"\b\d{1,2}:\d\d:\d\d(?:[.,]\d+)?\b"), "<time>"),
    (re.compile(rf"\b{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}\b"), "<uuid>"),
    (re.compile(r"\b0x[0-9a-fA-F]{1,32}\b"), "<hex>"),
    (re.compile(r"\b(?:[0-9a-fA-F]{1,4}:){2,7}[0-9a-fA-F]{1,4}\b"), "<ip>"),  # IPv6 (no ::)
    (re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?\b"), "<ip>"),
    (re.compile(r"\\x[0-9a-fA-F]{2}"), "<b>"),
    # ids: long runs of hex, or of letters and digits mixed (nonces, request ids, tokens)
    (re.compile(rf"\b{_HEX}{{12,}}\b"), "<id>"),
    (re.compile(r"\b(?=[A-Za-z_-]*\d)(?=\d*[A-Za-z_-])[A-Za-z0-9_-]{10,}\b"), "<id>"),
    (re.compile(r"""(["'])[A-Za-z0-9_-]{16,128}\1"""), r"\1<id>\1"),
    (re.compile(r"[-+]?\d+(?:\.\d+)?"), "<n>"),
    (re.compile(r"(?:<n>[\s,;/]*){2,}<n>"), "<n>"),  # lists of numbers: one mask
    (re.compile(r"\s+"), " "),
)


def template_of(text: str) -> str:
    """Mask numbers, hex, uuids, addresses, dates and long ids: `Handshake status 503` -> `... <n>`."""
    text = text[:2000]
    for pattern, repl in _MASKS:
        text = pattern.sub(repl, text)
    text = text.strip()
    if len(text) > MAX_TEMPLATE:
        text = text[: MAX_TEMPLATE - 1] + "…"
    return text
