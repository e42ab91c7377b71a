"""What ``analyze``, ``check`` and ``compare`` do between their arguments and the report: the
inputs (standard input when none is given), the diagnoses (exit 2 on what cannot be used) and
each requested format written from the one analysis.

Formats are rendered by :mod:`wsdiag.report.formats`, which imports only the reporter asked for:
a JSON report loads no rich table, HTML or compare code.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from wsdiag.cli.io import Color, console, emit, fail

if TYPE_CHECKING:
    from rich.console import Console

    from wsdiag.commands.analyze import Request
    from wsdiag.commands.check import CheckResult
    from wsdiag.diagnose.diagnosis import Diagnosis
    from wsdiag.report.formats import Format


def paths_or_stdin(paths: list[str] | None) -> list[str]:
    """The paths given, or standard input when there are none and it is not a terminal."""
    if paths:
        return paths
    if sys.stdin is None or sys.stdin.isatty():
        fail("no input: give a log file, a directory, or - for standard input")
    return ["-"]


def diagnoses(req: Request, outputs: list[Path | None]) -> tuple[list[Diagnosis], list[str]]:
    """The diagnoses and warnings of commands.analyze; exit 2 on what it cannot use. No output
    (None: stdout) may be an input: refused before anything is read."""
    from wsdiag.cli.io import refuse_inputs
    from wsdiag.cli.progress import bar
    from wsdiag.commands.analyze import diagnoses as diagnosed
    from wsdiag.read.sources import InputError

    try:
        return diagnosed(req, lambda sources: refuse_inputs(outputs, sources), bar)
    except InputError as exc:
        fail(str(exc))


def terminal() -> bool:
    """Whether standard output is a terminal."""
    return sys.stdout is not None and sys.stdout.isatty()


def consoles(color: Color, output: Path | None) -> Callable[[], Console]:
    """Makes the console a text report to ``output`` (None: stdout) is rendered on."""
    return lambda: console(color, output is None and terminal())


def emit_all(
    ds: list[Diagnosis],
    fmt: Format,
    color: Color,
    output: Path | None,
    also: list[tuple[Format, Path]],
    results: list[CheckResult] | None = None,
    exit_zero: bool = False,
    per_file: bool = False,
) -> None:
    """The --also files first, then the main report: every format from the one analysis."""
    from wsdiag.report.formats import render, render_many

    for each, path in [*also, (fmt, output)]:
        make = consoles(color, path)
        if per_file:
            report = render_many(each, ds, make, results, exit_zero)
        else:
            report = render(each, ds[0], make, results[0] if results else None, exit_zero)
        emit(report, path)
