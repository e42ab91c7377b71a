"""The command line's arguments, each declared once: the types of the options the commands
share, and :func:`with_thresholds`, which gives a command the five threshold options."""

from __future__ import annotations

import functools
import inspect
import os
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from wsdiag import durations
from wsdiag.cli.io import EXIT_OK, Color, fail, number
from wsdiag.diagnose.thresholds import Thresholds
from wsdiag.report.formats import Format


def examples(*lines: str) -> str:
    """An epilog that click prints as is, after the options: every --help ends with examples."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


def scan_path() -> str:
    """Which line filter this run uses: the C one, or the pure-Python one and why."""
    from wsdiag.read.linefilter import FILTERS

    if FILTERS.use_c:
        return "C line filter"
    why = "WSDIAG_PURE_PYTHON is set" if os.environ.get("WSDIAG_PURE_PYTHON") else "not built"
    return f"pure-Python line filter: the C one is {why}"


def _version(value: bool) -> None:
    if value:
        from wsdiag.version import __version__

        sys.stdout.write(f"wsdiag {__version__} ({scan_path()})\n")
        raise typer.Exit(EXIT_OK)


VersionOpt = Annotated[
    bool,
    typer.Option(
        "--version",
        "-V",
        callback=_version,
        is_eager=True,
        help="Print the version and which line filter runs (C or pure Python), and exit.",
    ),
]
PathsArg = Annotated[
    Optional[list[str]],  # noqa: UP045 - typer needs Optional here
    typer.Argument(
        help="Log files (also .gz/.bz2/.xz), directories (their *.log* files, rotated "
        "name.log.YYYY-MM-DD included) or - for stdin; stdin when none is given and it is not "
        "a terminal. Several inputs are combined in time order.",
        show_default=False,
    ),
]
FormatOpt = Annotated[
    Format,
    typer.Option(
        "--format",
        "-f",
        help="Report format: text, json (schema wsdiag/1), markdown (GitHub-flavoured, for "
        "$GITHUB_STEP_SUMMARY or a PR comment), github (workflow-command annotations), html (one "
        "self-contained page to share: no scripts, nothing fetched).",
    ),
]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="Write the report to FILE.")]
AlsoOpt = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Option(
        "--also",
        metavar="FORMAT=FILE",
        help="Also write the report in FORMAT to FILE, from the same analysis (repeatable), "
        "e.g. --format github --also markdown=summary.md --also json=report.json.",
        show_default=False,
    ),
]
YearOpt = Annotated[
    Optional[int],  # noqa: UP045
    typer.Option(
        "--year",
        help='Year of the first record of year-less ("less") logs. '
        "Default: guessed, and reported as assumed.",
    ),
]
SinceOpt = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--since",
        help="Only records at or after this time: an ISO date-time as the log shows it "
        "(2025-11-29T18:30:00) or a duration back from the log's last record (24h, 90m, 7d).",
        show_default=False,
    ),
]
UntilOpt = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--until",
        help="Only records before this time (ISO date-time or duration back from the last record).",
        show_default=False,
    ),
]
ColorOpt = Annotated[
    Color, typer.Option("--color", help="Colour: auto (terminal and no NO_COLOR), always, never.")
]
JobsOpt = Annotated[
    int | None,
    typer.Option("--jobs", "-j", help="Worker processes for big files (default: one per CPU)."),
]
BucketOpt = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--bucket",
        help="Timeline bucket size: 5m, 1h, 1d (default: from the span, minutes for an hour, "
        "hours for a week).",
    ),
]
PerFileOpt = Annotated[
    bool,
    typer.Option(
        "--per-file",
        help="Report each input file on its own (a directory: each of its logs), one after the "
        "other in one document; check fails if any file fails. Without it, the inputs are "
        "one miner's log, combined in time order.",
    ),
]


class FailOn(str, Enum):
    """``check --fail-on``."""

    error = "error"
    warning = "warning"


class WatchFormat(str, Enum):
    """``watch --format``."""

    text = "text"
    jsonl = "jsonl"


# -- the thresholds ------------------------------------------------------------------------------
_THRESHOLDS: tuple[tuple[str, Any, Any], ...] = (
    (
        "max_connections",
        Annotated[
            int, typer.Option("--max-connections", help="Connections per IP before too-many-connections.")
        ],
        Thresholds.max_connections,
    ),
    (
        "topics_per_connection",
        Annotated[int, typer.Option("--topics-per-connection", help="Topics per connection (Twitch: 50).")],
        Thresholds.topics_per_connection,
    ),
    (
        "network_min",
        Annotated[
            int,
            typer.Option(
                "--network-min",
                help="Resets, timeouts or TLS errors on single connections before their rate can "
                "make network-instability or tls-errors.",
            ),
        ],
        Thresholds.network_min,
    ),
    (
        "ping_min",
        Annotated[
            int,
            typer.Option(
                "--ping-min",
                help="Ping/pong failures before ping-pong-failures (and before frequent ones "
                "point to the host).",
            ),
        ],
        Thresholds.ping_min,
    ),
    (
        "storm_rate",
        Annotated[
            float,
            typer.Option(
                "--storm-rate",
                help="Reconnects per connection (slot of the pool) per hour that make a reconnect-storm.",
            ),
        ],
        Thresholds.storm_per_conn_hour,
    ),
)


def _checked(
    max_connections: int, topics_per_connection: int, network_min: int, ping_min: int, storm_rate: float
) -> Thresholds:
    """The thresholds from their options; exit 2, naming the option, unless positive."""
    number("--max-connections", max_connections, 1)
    number("--topics-per-connection", topics_per_connection, 1)
    number("--network-min", network_min, 1)
    number("--ping-min", ping_min, 1)
    number("--storm-rate", storm_rate, 0, above=True)
    return Thresholds(
        max_connections=max_connections,
        topics_per_connection=topics_per_connection,
        network_min=network_min,
        ping_min=ping_min,
        storm_per_conn_hour=storm_rate,
    )


def with_thresholds(command: Callable[..., None]) -> Callable[..., None]:
    """Give ``command`` the threshold options (--max-connections, --topics-per-connection,
    --network-min, --ping-min, --storm-rate); it receives them checked, as its ``thresholds``
    parameter. Typer reads the options from the signature this sets."""
    sig = inspect.signature(command, eval_str=True)
    own = [p for p in sig.parameters.values() if p.name != "thresholds"]
    extra = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=kind)
        for name, kind, default in _THRESHOLDS
    ]

    @functools.wraps(command)
    def with_thresholds(*args: Any, **kwargs: Any) -> None:
        given = {name: kwargs.pop(name) for name, _, _ in _THRESHOLDS}
        command(*args, thresholds=_checked(**given), **kwargs)

    params = [*own, *extra]
    with_thresholds.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
    with_thresholds.__annotations__ = {p.name: p.annotation for p in params}
    return with_thresholds


# -- values ----------------------------------------------------------------------------------
def check_common(year: int | None = None, jobs: int | None = None) -> None:
    """--year (a year's logs, which the miner could have written) and --jobs."""
    from wsdiag.read.layouts import MAX_YEAR, MIN_YEAR

    number("--year", year, MIN_YEAR, MAX_YEAR)
    number("--jobs", jobs, 1)


def seconds(option: str, text: str) -> float:
    """A duration option (`90s`, `5m`, or a number of seconds) in seconds; exit 2 naming it."""
    try:
        return durations.parse(text, bare_seconds=True).total_seconds()
    except (ValueError, OverflowError):
        fail(f"{option} {text!r}: not a duration ({durations.EXAMPLES}) nor a number of seconds")


def also(values: list[str] | None) -> list[tuple[Format, Path]]:
    """``--also FORMAT=FILE`` values as (format, path); exit 2 naming the option when malformed."""
    out: list[tuple[Format, Path]] = []
    for value in values or []:
        name, sep, file = value.partition("=")
        fmt: Format | None
        try:
            fmt = Format(name.strip())
        except ValueError:
            fmt = None
        if not sep or fmt is None or not file or file == "-":
            choices = ", ".join(f.value for f in Format)
            fail(f"--also: {value!r} is not FORMAT=FILE (FORMAT: {choices}; FILE: a path, not -)")
        out.append((fmt, Path(file)))
    return out
