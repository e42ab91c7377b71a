"""Group unknown error texts into templates: variable parts masked so variants count as one."""

from __future__ import annotations

import re

_MASKS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b0x[0-9a-fA-F]{1,32}\b"), "<hex>"),
    (
        re.compile(
            r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"
        ),
        "<uuid>",
    ),
    (re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?\b"), "<ip>"),
    (re.compile(r"""(["'])[A-Za-z0-9_-]{16,128}\1"""), r"\1<id>\1"),
    (re.compile(r"\\x[0-9a-fA-F]{2}"), "<b>"),
    (re.compile(r"\d+"), "<n>"),
)


def template_of(text: str) -> str:
    """Mask numbers, hex, uuids, addresses and long ids: `Handshake status 503` -> `... <n>`."""
    text = text[:300]
    for pattern, repl in _MASKS:
        text = pattern.sub(repl, text)
    return text
