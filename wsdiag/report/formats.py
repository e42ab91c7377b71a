"""The report formats, and the one place a format is chosen: :func:`render`, :func:`render_many`.

Each format is a module with a ``render(...) -> str`` that never prints: :mod:`~wsdiag.report.text`
(a terminal, or 120 columns when piped; ``check``'s own lines are :mod:`~wsdiag.report.check`),
:mod:`~wsdiag.report.json` (schema wsdiag/1), :mod:`~wsdiag.report.markdown`,
:mod:`~wsdiag.report.github` (workflow commands) and :mod:`~wsdiag.report.html`.
:mod:`~wsdiag.report.per_file` puts one report per input file in one document.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import Enum
from typing import TYPE_CHECKING

from wsdiag.common.choices import assert_never

if TYPE_CHECKING:
    from rich.console import Console

    from wsdiag.commands.check import CheckResult
    from wsdiag.diagnose.diagnosis import Diagnosis


class Format(str, Enum):
    """A report format: the values of ``--format`` and ``--also FORMAT=FILE``."""

    text = "text"
    json = "json"
    markdown = "markdown"
    github = "github"
    html = "html"

    def __str__(self) -> str:
        return self.value


class CompareFormat(str, Enum):
    """The formats of ``wsdiag compare`` (rendered by :mod:`~wsdiag.report.compare`; declared
    here, with the others, so that the command line can name them without loading it)."""

    text = "text"
    json = "json"
    markdown = "markdown"

    def __str__(self) -> str:
        return self.value


#: Makes the console a text report is rendered on (its width and colours); called only for text.
Consoles = Callable[[], "Console"]


def plain() -> Console:
    """A console without colour, 120 columns wide: the text report as a pipe gets it."""
    from rich.console import Console

    return Console(width=120, no_color=True, color_system=None, highlight=False, markup=False, emoji=False)


def render(
    fmt: Format,
    d: Diagnosis,
    console: Consoles = plain,
    check: CheckResult | None = None,
    exit_zero: bool = False,
) -> str:
    """The report of one diagnosis (with ``check``: of ``wsdiag check``) in ``fmt``."""
    # Formats import what only they need: start-up time is paid by every run.
    match fmt:
        case Format.text:
            if check is not None:
                from wsdiag.report import check as check_report

                return check_report.render(d, check, exit_zero, console())
            from wsdiag.report import text

            return text.render(d, console())
        case Format.json:
            from wsdiag.report import json

            return json.render(d, check)
        case Format.markdown:
            from wsdiag.report import markdown

            return markdown.render(d, check, exit_zero)
        case Format.github:
            from wsdiag.report import github

            return github.render(d, check)
        case Format.html:
            from wsdiag.report import html

            return html.render(d)
        case _:
            assert_never(fmt)


def render_many(
    fmt: Format,
    ds: Sequence[Diagnosis],
    console: Consoles = plain,
    checks: Sequence[CheckResult | None] | None = None,
    exit_zero: bool = False,
) -> str:
    """``--per-file``: one report per input file, in one document of ``fmt``."""
    from wsdiag.report import per_file

    pairs = list(zip(ds, checks or [None] * len(ds), strict=True))
    match fmt:
        case Format.text:
            reports = [render(fmt, d, console, result, exit_zero) for d, result in pairs]
            return per_file.join_text(reports, pairs, exit_zero)
        case Format.json:
            return per_file.render_json(pairs)
        case Format.markdown:
            return per_file.render_markdown(pairs, exit_zero)
        case Format.github:
            return per_file.render_github(pairs)
        case Format.html:
            from wsdiag.report import html

            return html.render_many(ds)
        case _:
            assert_never(fmt)
