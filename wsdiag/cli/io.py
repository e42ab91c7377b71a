"""The command line's I/O: one-line errors (exit 2) and warnings, the console reports are
rendered on, and writing a report to stdout or ``-o FILE``."""

from __future__ import annotations

import io
import math
import os
import stat
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

import typer

from wsdiag.common.choices import assert_never

if TYPE_CHECKING:
    from rich.console import Console

    from wsdiag.read.sources import Source

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
PIPE_WIDTH = 120  # wide enough that tables do not wrap in CI logs
#: A terminal narrower or wider than this (`COLUMNS=0`, `COLUMNS=99999999`) is taken as this.
MIN_WIDTH, MAX_WIDTH = 40, 1000


class Color(str, Enum):
    """``--color``."""

    auto = "auto"
    always = "always"
    never = "never"

    def __str__(self) -> str:
        return self.value


def fail(message: str) -> NoReturn:
    """One line on stderr, exit 2: unusable input or arguments."""
    # Messages quote paths and arguments: the user's own text, never redacted, but with its
    # control characters made visible so that it cannot drive the terminal.
    from wsdiag.parse.redact import neutralise

    sys.stderr.write(f"wsdiag: error: {neutralise(message)}\n")
    raise typer.Exit(EXIT_USAGE)


def warn(message: str) -> None:
    from wsdiag.parse.redact import neutralise

    sys.stderr.write(f"wsdiag: warning: {neutralise(message)}\n")


def warn_all(messages: list[str]) -> None:
    """The warnings about the inputs, once the report is written: a report that cannot be
    written is one line on stderr, the error, and nothing else."""
    for message in messages:
        warn(message)


def number(
    option: str, value: float | None, low: float, high: float = math.inf, *, above: bool = False
) -> None:
    """Exit 2, naming the option, unless ``value`` is a finite number from ``low`` (``above``:
    more than it) to ``high``. None (an option not given) is fine."""
    if value is None:
        return
    if math.isfinite(value) and (value > low if above else value >= low) and value <= high:
        return
    if high < math.inf:
        want = f"from {low:g} to {high:g}"
    else:
        want = f"more than {low:g}" if above else f"at least {low:g}"
    fail(f"{option} {value!r}: must be a number {want}")


def console(color: Color, to_terminal: bool, live: bool = False) -> Console:
    """The console reports are rendered on (into a string, never straight to stdout, whose
    errors are write()'s to handle) or, ``live``, the one watch draws on stdout."""
    from rich.console import Console

    match color:
        case Color.always:
            force, no_color = True, False
        case Color.never:
            force, no_color = False, True
        case Color.auto:
            force, no_color = to_terminal, ("NO_COLOR" in os.environ) or not to_terminal
        case _:
            assert_never(color)
    out = Console(
        file=sys.stdout if live else io.StringIO(),
        force_terminal=force,
        no_color=no_color,
        color_system=None if no_color else "auto",
        width=None if to_terminal else PIPE_WIDTH,
        highlight=False,
        emoji=False,
        markup=False,
        soft_wrap=False,
    )
    if not MIN_WIDTH <= out.width <= MAX_WIDTH:
        out.width = min(max(out.width, MIN_WIDTH), MAX_WIDTH)
    return out


def stdout_is_terminal() -> bool:
    return sys.stdout is not None and sys.stdout.isatty()


def stdout() -> TextIO:
    """Standard output, for a report; exit 2 when there is none (`wsdiag analyze F >&-`)."""
    if sys.stdout is None:
        fail("standard output is closed: nowhere to write the report (use -o FILE)")
    return sys.stdout


def _silence_stdout() -> None:
    """Point descriptor 1 at /dev/null, so that Python's own flush at exit cannot fail (and
    print to stderr) after the reader went away or the disk filled up."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)


def write(out: TextIO, text: str) -> bool:
    """Write and flush; False once the reader of stdout has gone (`wsdiag ... | head -1`).

    Any other failure to write stdout (a full disk, an I/O error) is exit 2 with one line;
    a failure to write a file is raised for the caller (output.replacing) to report.
    """
    try:
        out.write(text)
        out.flush()
    except BrokenPipeError:
        # Not an error: the reader has what it wanted.
        _silence_stdout()
        return False
    except OSError as exc:
        if out is not sys.stdout:
            raise
        _silence_stdout()
        fail(f"cannot write to standard output ({exc.strerror or exc})")
    return True


def emit(report: str, output: Path | None) -> None:
    """The report to ``output`` (replaced only once whole) or to stdout."""
    if output is not None:
        from wsdiag.cli import output as outputs
        from wsdiag.read.sources import shown_name

        try:
            with outputs.replacing(output) as fh:
                fh.write(report)
        except outputs.OutputError as exc:
            fail(f"{shown_name(str(output))}: {exc}")
        return
    write(stdout(), report)


def refuse_inputs(outputs: list[Path | None], sources: list[Source]) -> None:
    """No output may be an input: -o FILE (or --also's) must not name one (it would be
    destroyed), a directory or a missing folder, nor may stdout (None) be one (`wsdiag analyze
    m.log >> m.log`). Called before anything is read."""
    from wsdiag.cli import output as out
    from wsdiag.read.sources import shown_name

    idents = [s.ident for s in sources if s.ident is not None]
    for path in outputs:
        if path is None:
            try:
                st = os.fstat(sys.stdout.fileno()) if sys.stdout is not None else None
            except (OSError, ValueError, AttributeError):
                continue  # no real descriptor (a test runner's): nothing to compare
            if st is not None and stat.S_ISREG(st.st_mode) and out.identity(st) in idents:
                fail("standard output is one of the inputs; refusing to write a report into a log")
            continue
        try:
            out.check(path, idents)
        except out.OutputError as exc:
            fail(f"{shown_name(str(path))}: {exc}")
