"""The HTML report's building blocks: escaping, numbers, tables and date-times.

Every piece of text that came from a log or the command line goes through :func:`esc`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable


def esc(value: object) -> str:
    """HTML-escaped text (quotes too, so it is safe inside attributes)."""
    return html.escape(str(value), quote=True)


def fmt_num(n: float | int | None, digits: int = 0) -> str:
    if n is None:
        return "-"
    if isinstance(n, int):
        return f"{n:,}"
    return f"{n:,.{digits}f}"


def fmt_rate(n: int, hours: float | None) -> str:
    return "-" if not hours else f"{n / hours:,.1f}"


def html_table(head: list[tuple[str, bool]], rows: Iterable[list[str]], cls: str = "") -> str:
    """``head``: (label, numeric); ``rows`` hold already-escaped cell HTML."""
    # A table wider than a phone scrolls in its box; the page itself never scrolls sideways.
    out = ['<div class="scroll">' + (f'<table class="{cls}"><thead><tr>' if cls else "<table><thead><tr>")]
    out += [f'<th class="n">{esc(h)}</th>' if num else f"<th>{esc(h)}</th>" for h, num in head]
    out.append("</tr></thead><tbody>")
    for row in rows:
        out.append("<tr>")
        for (_, num), cell in zip(head, row, strict=True):
            out.append(f'<td class="n">{cell}</td>' if num else f"<td>{cell}</td>")
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


# A date and time in running text (`2025-06-14 20:40-20:46`, `2025-06-14T20:40:31`): kept on one
# line. It runs on escaped HTML, where these characters are never part of an entity.
_DATETIME = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(?::\d\d)?(?:-\d\d:\d\d(?::\d\d)?)?")


def mark_times(escaped: str) -> str:
    """Escaped text with each date-time in it wrapped so that it cannot break across lines."""
    return _DATETIME.sub(lambda m: f'<span class="nowrap">{m.group(0)}</span>', escaped)


def fmt_time(value: object) -> str:
    """An ISO date-time as the page shows it: a space for the T, never wrapped."""
    return f'<span class="nowrap">{esc(str(value).replace("T", " "))}</span>'
