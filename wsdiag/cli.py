"""Command line: arguments, I/O and exit codes; everything else lives in the library."""

from __future__ import annotations

import enum
import os
import sys
from pathlib import Path
from typing import Annotated, NoReturn, Optional

import typer
from rich.console import Console

from wsdiag import __version__
from wsdiag.diagnosis import Diagnosis
from wsdiag.findings import Thresholds
from wsdiag.pipeline import Options
from wsdiag.pipeline import analyze as run_analysis
from wsdiag.redact import neutralise
from wsdiag.report import json as json_report
from wsdiag.report import text as text_report
from wsdiag.sources import InputError, resolve

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
PIPE_WIDTH = 120  # wide enough that tables do not wrap in CI logs

app = typer.Typer(
    name="wsdiag",
    help="Diagnose Twitch Channel Points Miner PubSub WebSocket failures from its logs.",
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


class Format(str, enum.Enum):
    text = "text"
    json = "json"


class Color(str, enum.Enum):
    auto = "auto"
    always = "always"
    never = "never"


def _fail(message: str) -> NoReturn:
    """One line on stderr, exit 2: unusable input or arguments."""
    sys.stderr.write(f"wsdiag: error: {neutralise(message)}\n")
    raise typer.Exit(EXIT_USAGE)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"wsdiag {__version__}\n")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Diagnose Twitch Channel Points Miner PubSub WebSocket failures from its logs."""


def _console(color: Color, to_terminal: bool) -> Console:
    if color is Color.always:
        force, no_color = True, False
    elif color is Color.never:
        force, no_color = False, True
    else:
        force, no_color = to_terminal, ("NO_COLOR" in os.environ) or not to_terminal
    width = None if to_terminal else PIPE_WIDTH
    return Console(
        force_terminal=force,
        no_color=no_color,
        color_system=None if no_color else "auto",
        width=width,
        highlight=False,
        emoji=False,
        markup=False,
        soft_wrap=False,
    )


def _diagnose(paths: list[str], year: int | None, jobs: int | None, th: Thresholds) -> Diagnosis:
    if not paths:
        if sys.stdin is None or sys.stdin.isatty():
            _fail("no input: give a log file, a directory, or - for standard input")
        paths = ["-"]
    try:
        sources = resolve(paths)
        summary = run_analysis(sources, Options(year=year, jobs=jobs))
    except InputError as exc:
        _fail(str(exc))
    stats = list(summary.inputs.values())
    if not any(st.records for st in stats):
        names = ", ".join(st.path for st in stats) or ", ".join(paths)
        _fail(f"{names}: nothing recognisable as a Twitch Channel Points Miner log")
    for st in stats:
        if not st.records:
            sys.stderr.write(f"wsdiag: warning: {neutralise(st.path)}: no miner log records\n")
        if st.read_error:
            sys.stderr.write(
                f"wsdiag: warning: {neutralise(st.path)}: reading stopped early "
                f"({neutralise(st.read_error)}); analysed what was read\n"
            )
    return Diagnosis.of(summary, th)


def _emit(report: str, output: Path | None) -> None:
    if output is not None:
        try:
            output.write_text(report, encoding="utf-8")
        except OSError as exc:
            _fail(f"{output}: cannot write ({exc.strerror or exc})")
        return
    try:
        sys.stdout.write(report)
        sys.stdout.flush()
    except BrokenPipeError:
        # `wsdiag ... | head`: the reader is gone; that is not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise typer.Exit(EXIT_OK) from None


PathsArg = Annotated[
    Optional[list[str]],  # noqa: UP045 - typer needs Optional here
    typer.Argument(
        help="Log files, directories (their *.log* files) or - for stdin.", show_default=False
    ),
]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Report format.")]
OutputOpt = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write the report to FILE.")
]
YearOpt = Annotated[
    Optional[int],  # noqa: UP045
    typer.Option(
        "--year",
        help='Year of the first record of year-less ("less") logs. Default: guessed, and reported as assumed.',
    ),
]
ColorOpt = Annotated[
    Color, typer.Option("--color", help="Colour: auto (terminal and no NO_COLOR), always, never.")
]
JobsOpt = Annotated[
    int | None,
    typer.Option("--jobs", "-j", help="Worker processes for big files (default: one per CPU)."),
]
MaxConnOpt = Annotated[
    int, typer.Option("--max-connections", help="Connections per IP before too-many-connections.")
]
TopicsOpt = Annotated[
    int, typer.Option("--topics-per-connection", help="Topics per connection (Twitch: 50).")
]
NetMinOpt = Annotated[
    int, typer.Option("--network-min", help="Network failures before network-instability.")
]
PingMinOpt = Annotated[
    int, typer.Option("--ping-min", help="Ping/pong failures before ping-pong-failures.")
]
StormOpt = Annotated[
    float,
    typer.Option(
        "--storm-rate", help="Reconnects per connection per hour that make a reconnect-storm."
    ),
]


@app.command()
def analyze(
    paths: PathsArg = None,
    fmt: FormatOpt = Format.text,
    output: OutputOpt = None,
    year: YearOpt = None,
    color: ColorOpt = Color.auto,
    jobs: JobsOpt = None,
    max_connections: MaxConnOpt = Thresholds.max_connections,
    topics_per_connection: TopicsOpt = Thresholds.topics_per_connection,
    network_min: NetMinOpt = Thresholds.network_min,
    ping_min: PingMinOpt = Thresholds.ping_min,
    storm_rate: StormOpt = Thresholds.storm_per_conn_hour,
) -> None:
    """Diagnose why the miner's PubSub WebSockets fail and what to change.

    Exit status: 0 when the analysis ran (whatever it found), 2 on unusable input.

    Example: wsdiag analyze logs/miner.log --format json
    """
    th = Thresholds(
        max_connections=max_connections,
        topics_per_connection=topics_per_connection,
        network_min=network_min,
        ping_min=ping_min,
        storm_per_conn_hour=storm_rate,
    )
    diagnosis = _diagnose(paths or [], year, jobs, th)
    if fmt is Format.json:
        report = json_report.render(diagnosis)
    else:
        to_terminal = output is None and sys.stdout.isatty()
        report = text_report.render(diagnosis, _console(color, to_terminal))
    _emit(report, output)


def main() -> None:
    """Console-script entry point."""
    try:
        app(prog_name="wsdiag")
    except KeyboardInterrupt:
        sys.stderr.write("wsdiag: interrupted\n")
        sys.exit(130)
