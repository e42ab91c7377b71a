"""Command line: arguments, I/O and exit codes; everything else lives in the library."""

from __future__ import annotations

import enum
import json
import math
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, Optional, TextIO

import typer

from wsdiag import __version__, durations
from wsdiag.cli.progress import bar as progress_bar
from wsdiag.common.words import plural
from wsdiag.diagnose.diagnosis import Diagnosis
from wsdiag.diagnose.thresholds import Thresholds
from wsdiag.diagnose.timeline import parse_bucket
from wsdiag.pipeline import Options
from wsdiag.pipeline import analyze as run_analysis
from wsdiag.records import FAILURE_CLASSES
from wsdiag.redact import neutralise
from wsdiag.report import NAMED_INPUTS
from wsdiag.report import json as json_report
from wsdiag.sources import COMPRESSED, InputError, Source, kind_of, resolve, shown_name
from wsdiag.summary.inputs import InputStats
from wsdiag.timefilter import Bound, needs_anchor, parse_bound, spooled, window_for

if TYPE_CHECKING:
    from rich.console import Console

    from wsdiag.commands import check as checks
    from wsdiag.read import follow

# Commands import what only they need when they run: start-up time is part of every
# `wsdiag analyze --format json` a script or CI job pays for.

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
PIPE_WIDTH = 120  # wide enough that tables do not wrap in CI logs

app = typer.Typer(
    name="wsdiag",
    help="Diagnose Twitch Channel Points Miner PubSub WebSocket failures from its logs.",
    # `wsdiag --install-completion` / `--show-completion`: bash, zsh, fish and PowerShell.
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


def _examples(*lines: str) -> str:
    """An epilog that click prints as is, after the options: every --help ends with examples."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


class Format(str, enum.Enum):
    text = "text"
    json = "json"
    markdown = "markdown"
    github = "github"
    html = "html"


class EventFormat(str, enum.Enum):
    jsonl = "jsonl"
    tsv = "tsv"


class FailOn(str, enum.Enum):
    error = "error"
    warning = "warning"


class Color(str, enum.Enum):
    auto = "auto"
    always = "always"
    never = "never"


def _fail(message: str) -> NoReturn:
    """One line on stderr, exit 2: unusable input or arguments."""
    # Messages quote paths and arguments: the user's own text, never redacted, but with its
    # control characters made visible so that it cannot drive the terminal.
    sys.stderr.write(f"wsdiag: error: {neutralise(message)}\n")
    raise typer.Exit(EXIT_USAGE)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"wsdiag {__version__}\n")
        raise typer.Exit(EXIT_OK)


@app.callback(
    epilog=_examples(
        "wsdiag analyze logs/                      # every *.log* file, rotated ones included",
        "wsdiag check miner.log --format github    # CI gate: exit 1 on errors",
        "wsdiag events miner.log.gz --class ssl    # one JSON line per failure",
    )
)
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", "-V", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Diagnose Twitch Channel Points Miner PubSub WebSocket failures from its logs."""


#: A terminal narrower or wider than this (`COLUMNS=0`, `COLUMNS=99999999`) is taken as this.
MIN_WIDTH, MAX_WIDTH = 40, 1000


def _console(color: Color, to_terminal: bool, live: bool = False) -> Console:
    """The console reports are rendered on (into a string, never straight to stdout, whose
    errors are _write's to handle) or, ``live``, the one watch draws on stdout."""
    import io

    from rich.console import Console

    if color is Color.always:
        force, no_color = True, False
    elif color is Color.never:
        force, no_color = False, True
    else:
        force, no_color = to_terminal, ("NO_COLOR" in os.environ) or not to_terminal
    width = None if to_terminal else PIPE_WIDTH
    console = Console(
        file=sys.stdout if live else io.StringIO(),
        force_terminal=force,
        no_color=no_color,
        color_system=None if no_color else "auto",
        width=width,
        highlight=False,
        emoji=False,
        markup=False,
        soft_wrap=False,
    )
    if not MIN_WIDTH <= console.width <= MAX_WIDTH:
        console.width = min(max(console.width, MIN_WIDTH), MAX_WIDTH)
    return console


def _input_paths(paths: list[str]) -> list[str]:
    """The paths given, or standard input when there are none and it is not a terminal."""
    if paths:
        return paths
    if sys.stdin is None or sys.stdin.isatty():
        _fail("no input: give a log file, a directory, or - for standard input")
    return ["-"]


def _bounds(since: str | None, until: str | None) -> tuple[Bound | None, Bound | None]:
    try:
        return (
            None if since is None else parse_bound(since, "--since"),
            None if until is None else parse_bound(until, "--until"),
        )
    except ValueError as exc:
        _fail(str(exc))


def _check_output(output: Path | None, sources: list[Source]) -> None:
    """-o must not name an input (it would be destroyed), a directory or a missing folder, nor
    may stdout be an input (`wsdiag analyze m.log >> m.log`): refused before anything is read."""
    import stat

    from wsdiag.cli import output as outputs

    idents = [s.ident for s in sources if s.ident is not None]
    if output is None:
        try:
            st = os.fstat(sys.stdout.fileno()) if sys.stdout is not None else None
        except (OSError, ValueError, AttributeError):
            return  # no real descriptor (a test runner's): nothing to compare
        if st is not None and stat.S_ISREG(st.st_mode) and outputs.identity(st) in idents:
            _fail("standard output is one of the inputs; refusing to write a report into a log")
        return
    try:
        outputs.check(output, idents)
    except outputs.OutputError as exc:
        _fail(f"{shown_name(str(output))}: {exc}")


@contextmanager
def _readable(
    paths: list[str],
    since: str | None,
    until: str | None,
    opts: Options,
    *,
    reread_many: bool = False,
    output: Path | None = None,
    also: tuple[Path, ...] = (),
) -> Iterator[tuple[list[Source], Options]]:
    """Resolved sources and options with the time window; stdin spooled when it must be re-read.

    A duration needs the last record before the analysis starts; ``reread_many``: several
    inputs are read twice (events sorts them by their first record before reading them).
    ``output`` (-o) is checked against the inputs before any is read.
    """
    lo, hi = _bounds(since, until)
    sources = resolve(_input_paths(paths))
    _check_output(output, sources)
    for extra in also:  # every --also file is an output like -o
        _check_output(extra, sources)
    spool = needs_anchor(lo, hi) or (reread_many and len(sources) > 1)
    with spooled(sources) if spool else nullcontext(sources) as srcs:
        yield srcs, replace(opts, window=window_for(lo, hi, srcs, opts))


def _diagnose(
    paths: list[str],
    year: int | None,
    jobs: int | None,
    th: Thresholds,
    warnings: list[str] | None = None,
    output: Path | None = None,
) -> Diagnosis:
    """The diagnosis of all inputs as one log; exit 2 when they hold nothing to diagnose."""
    return _diagnoses(paths, year, jobs, th, output=output, warnings=warnings)[0]


def _diagnoses(
    paths: list[str],
    year: int | None,
    jobs: int | None,
    th: Thresholds,
    since: str | None = None,
    until: str | None = None,
    bucket: str | None = None,
    *,
    output: Path | None = None,
    also: list[tuple[Format, Path]] | None = None,
    per_file: bool = False,
    empty_ok: bool = False,
    strict: bool = False,
    warnings: list[str] | None = None,
) -> list[Diagnosis]:
    """One diagnosis of all inputs (or, ``per_file``, one per input file); exit 2 when they
    hold nothing to diagnose.

    ``empty_ok``: inputs that are all empty (a log just rotated) give the diagnosis of nothing,
    with a warning, instead of exit 2 (``check``). ``strict``: every input must hold miner
    records; an empty one, or one that is not a miner log, is exit 2. ``warnings``: collect the
    warnings there instead of writing them (the commands write them once the report is).
    ``output`` and ``also``: the report files, refused when they are inputs.
    """
    try:
        minutes = None if bucket is None else parse_bucket(bucket)
    except ValueError as exc:
        _fail(f"--bucket: {exc}")
    try:
        with (
            _readable(
                paths,
                since,
                until,
                Options(year=year, jobs=jobs),
                reread_many=True,
                output=output,
                also=tuple(path for _, path in also or ()),
            ) as (
                sources,
                opts,
            ),
            progress_bar(sources) as tick,  # on stderr, on a terminal, for big inputs
        ):
            if per_file:
                summaries = [run_analysis([src], opts, tick) for src in sources]
            else:
                summaries = [run_analysis(sources, opts, tick)]
    except InputError as exc:
        _fail(str(exc))
    stats = [st for summary in summaries for st in summary.inputs.values()]
    if strict:
        for st in stats:
            if not st.records:
                what = "empty" if st.empty else "nothing recognisable as a miner log"
                _fail(f"{st.path}: {what} (--strict: every input must be a miner log)")
    if not any(st.records for st in stats):
        if not stats or not all(st.empty for st in stats):
            _nothing_recognisable(stats, paths)
        if not empty_ok:
            names = _names([st.path for st in stats])
            _fail(f"{names}: {'empty' if len(stats) == 1 else 'all empty'}: no log lines to analyse")
    said = _input_warnings(stats, "analysed what was read", empty_ok)
    out = []
    for summary in summaries:
        has = any(st.records for st in summary.inputs.values())
        if not has and not (empty_ok and all(st.empty for st in summary.inputs.values())):
            continue  # per file: one without records was named in a warning
        if has and opts.window is not None and summary.first is None and not summary.ids:
            if per_file:
                said.append(f"{', '.join(summary.inputs)}: no records in the time window")
                continue
            _fail(f"no records in the time window ({opts.window.describe()})")
        out.append(Diagnosis.of(summary, th, bucket=minutes))
    if not out:
        assert opts.window is not None
        _fail(f"no records in the time window ({opts.window.describe()})")
    if warnings is None:
        _warn_all(said)
    else:
        warnings.extend(said)
    return out


def _names(paths: list[str]) -> str:
    shown = ", ".join(paths[:NAMED_INPUTS])
    more = len(paths) - NAMED_INPUTS
    return shown + (f" and {more:,} more" if more > 0 else "")


def _warn(message: str) -> None:
    sys.stderr.write(f"wsdiag: warning: {neutralise(message)}\n")


def _warn_all(messages: list[str]) -> None:
    """The warnings about the inputs, once the report is written: a report that cannot be
    written is one line on stderr, the error, and nothing else."""
    for message in messages:
        _warn(message)


def _nothing_recognisable(stats: list[InputStats], paths: list[str]) -> NoReturn:
    """Exit 2 for inputs without a single record, naming why reading stopped if it did."""
    broken = [st for st in stats if st.read_error]
    if broken:
        st = broken[0]
        _fail(
            f"{st.path}: cannot read ({st.read_error}); nothing recognisable as a Twitch Channel "
            "Points Miner log before that"
        )
    names = _names([st.path for st in stats] or paths)
    _fail(f"{names}: nothing recognisable as a Twitch Channel Points Miner log")


def _input_warnings(stats: list[InputStats], what: str, empty_ok: bool = False) -> list[str]:
    """The warnings for stderr, at most NAMED_INPUTS named of each kind: inputs that are empty
    or hold no record, stopped early, or had lines that are not records (how many, and the
    first, quoted)."""
    kinds: list[tuple[list[InputStats], Callable[[InputStats], str], str]] = [
        (
            [st for st in stats if st.empty],
            lambda st: f"{st.path}: empty{': nothing to check' if empty_ok else ''}",
            "more inputs are empty",
        ),
        (
            [st for st in stats if not st.records and not st.empty],
            lambda st: f"{st.path}: no miner log records",
            "more inputs have no miner log records",
        ),
        (
            [st for st in stats if st.read_error],
            lambda st: f"{st.path}: reading stopped early ({st.read_error}); {what}",
            f"more inputs stopped early; {what}",
        ),
        (
            [st for st in stats if st.unrecognized and st.records],
            _unread,
            "more inputs have unrecognized lines",
        ),
    ]
    out = []
    for found, say, rest in kinds:
        out += [say(st) for st in found[:NAMED_INPUTS]]
        if len(found) > NAMED_INPUTS:
            out.append(f"{len(found) - NAMED_INPUTS:,} {rest}")
    return out


def _unread(st: InputStats) -> str:
    """`X: 2 unrecognized lines skipped; the first: "..."`."""
    text = f"{st.path}: {plural(st.unrecognized, 'unrecognized line')} skipped"
    if st.too_long:
        text += f" ({st.too_long:,} too long to read)"
    if st.samples:
        # A sample is log text: cleaned (redacted, controls escaped) when it was read.
        text += f"; the first: {json.dumps(st.samples[0], ensure_ascii=False)}"
    return text


def _emit(report: str, output: Path | None) -> None:
    if output is not None:
        from wsdiag.cli import output as outputs

        try:
            with outputs.replacing(output) as fh:
                fh.write(report)
        except outputs.OutputError as exc:
            _fail(f"{shown_name(str(output))}: {exc}")
        return
    _write(_stdout(), report)


def _stdout_is_terminal() -> bool:
    return sys.stdout is not None and sys.stdout.isatty()


def _stdout() -> TextIO:
    """Standard output, for a report; exit 2 when there is none (`wsdiag analyze F >&-`)."""
    if sys.stdout is None:
        _fail("standard output is closed: nowhere to write the report (use -o FILE)")
    return sys.stdout


def _silence_stdout() -> None:
    """Point descriptor 1 at /dev/null, so that Python's own flush at exit cannot fail (and
    print to stderr) after the reader went away or the disk filled up."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)


def _write(out: TextIO, text: str) -> bool:
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
        _fail(f"cannot write to standard output ({exc.strerror or exc})")
    return True


def _number(
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
    _fail(f"{option} {value!r}: must be a number {want}")


def _check_common(year: int | None = None, jobs: int | None = None) -> None:
    """--year (a year's logs, which the miner could have written) and --jobs."""
    from wsdiag.layouts import MAX_YEAR, MIN_YEAR

    _number("--year", year, MIN_YEAR, MAX_YEAR)
    _number("--jobs", jobs, 1)


def _thresholds(
    max_connections: int, topics_per_connection: int, network_min: int, ping_min: int, storm_rate: float
) -> Thresholds:
    """The finding thresholds every command takes the same options for (exit 2 unless positive)."""
    _number("--max-connections", max_connections, 1)
    _number("--topics-per-connection", topics_per_connection, 1)
    _number("--network-min", network_min, 1)
    _number("--ping-min", ping_min, 1)
    _number("--storm-rate", storm_rate, 0, above=True)
    return Thresholds(
        max_connections=max_connections,
        topics_per_connection=topics_per_connection,
        network_min=network_min,
        ping_min=ping_min,
        storm_per_conn_hour=storm_rate,
    )


def _seconds(option: str, text: str) -> float:
    """A duration option (`90s`, `5m`, or a number of seconds) in seconds; exit 2 naming it."""
    try:
        return durations.parse(text, bare_seconds=True).total_seconds()
    except (ValueError, OverflowError):
        _fail(f"{option} {text!r}: not a duration ({durations.EXAMPLES}) nor a number of seconds")


def _render(
    d: Diagnosis,
    fmt: Format,
    color: Color,
    output: Path | None,
    result: checks.CheckResult | None = None,
    exit_zero: bool = False,
) -> str:
    if fmt is Format.json:
        if result is None:
            return json_report.render(d)
        doc = d.to_dict()
        doc["check"] = result.to_dict()
        return json.dumps(doc, indent=2, ensure_ascii=True) + "\n"
    if fmt is Format.markdown:
        from wsdiag.report import markdown as markdown_report

        return markdown_report.render(d, result, exit_zero)
    if fmt is Format.github:
        from wsdiag.report import github as github_report

        return github_report.render(d, result)
    if fmt is Format.html:
        from wsdiag.report import html as html_report

        return html_report.render(d)
    to_terminal = output is None and _stdout_is_terminal()
    if result is not None:
        from wsdiag.commands import check as checks

        return checks.render_text(d, result, exit_zero, _console(color, to_terminal))
    from wsdiag.report import text as text_report

    return text_report.render(d, _console(color, to_terminal))


def _also(values: list[str] | None) -> list[tuple[Format, Path]]:
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
            _fail(f"--also: {value!r} is not FORMAT=FILE (FORMAT: {choices}; FILE: a path, not -)")
        out.append((fmt, Path(file)))
    return out


def _emit_all(
    ds: list[Diagnosis],
    fmt: Format,
    color: Color,
    output: Path | None,
    also: list[tuple[Format, Path]],
    results: list[checks.CheckResult] | None = None,
    exit_zero: bool = False,
    per_file: bool = False,
) -> None:
    """The --also files first, then the main report: every format from the one analysis."""
    for extra_fmt, path in [*also, (fmt, output)]:
        if per_file:
            report = _render_per_file(ds, extra_fmt, color, path, results, exit_zero)
        else:
            report = _render(ds[0], extra_fmt, color, path, results[0] if results else None, exit_zero)
        _emit(report, path)


def _render_per_file(
    ds: list[Diagnosis],
    fmt: Format,
    color: Color,
    output: Path | None,
    results: list[checks.CheckResult] | None,
    exit_zero: bool,
) -> str:
    """--per-file: one report per input file, in one document of the format."""
    from wsdiag.report import per_file

    pairs = [(d, results[i] if results else None) for i, d in enumerate(ds)]
    if fmt is Format.json:
        return per_file.render_json(pairs)
    if fmt is Format.markdown:
        return per_file.render_markdown(pairs, exit_zero)
    if fmt is Format.github:
        return per_file.render_github(pairs)
    if fmt is Format.html:
        from wsdiag.report import html as html_report

        return html_report.render_many(ds)
    reports = [_render(d, fmt, color, output, result, exit_zero) for d, result in pairs]
    return per_file.join_text(reports, pairs, exit_zero)


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
OutputOpt = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write the report to FILE.")
]
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
MaxConnOpt = Annotated[
    int, typer.Option("--max-connections", help="Connections per IP before too-many-connections.")
]
TopicsOpt = Annotated[
    int, typer.Option("--topics-per-connection", help="Topics per connection (Twitch: 50).")
]
NetMinOpt = Annotated[
    int,
    typer.Option(
        "--network-min",
        help="Resets, timeouts or TLS errors on single connections before their rate can make "
        "network-instability or tls-errors.",
    ),
]
PingMinOpt = Annotated[
    int,
    typer.Option(
        "--ping-min",
        help="Ping/pong failures before ping-pong-failures (and before frequent ones point to the host).",
    ),
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
StormOpt = Annotated[
    float,
    typer.Option(
        "--storm-rate",
        help="Reconnects per connection (slot of the pool) per hour that make a reconnect-storm.",
    ),
]


@app.command(
    epilog=_examples(
        "wsdiag analyze logs/miner.log",
        "wsdiag analyze logs/ --since 24h --format json",
        "docker logs miner 2>&1 | wsdiag analyze --format markdown > report.md",
    )
)
def analyze(
    paths: PathsArg = None,
    fmt: FormatOpt = Format.text,
    output: OutputOpt = None,
    also: AlsoOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    year: YearOpt = None,
    color: ColorOpt = Color.auto,
    jobs: JobsOpt = None,
    max_connections: MaxConnOpt = Thresholds.max_connections,
    topics_per_connection: TopicsOpt = Thresholds.topics_per_connection,
    network_min: NetMinOpt = Thresholds.network_min,
    ping_min: PingMinOpt = Thresholds.ping_min,
    storm_rate: StormOpt = Thresholds.storm_per_conn_hour,
    bucket: BucketOpt = None,
    per_file: PerFileOpt = False,
) -> None:
    """Diagnose why the miner's PubSub WebSockets fail and what to change.

    Exit status: 0 when the analysis ran (whatever it found), 2 on unusable input.
    """
    th = _thresholds(max_connections, topics_per_connection, network_min, ping_min, storm_rate)
    _check_common(year, jobs)
    extra = _also(also)
    warnings: list[str] = []
    ds = _diagnoses(
        paths or [],
        year,
        jobs,
        th,
        since,
        until,
        bucket,
        output=output,
        also=extra,
        per_file=per_file,
        warnings=warnings,
    )
    _emit_all(ds, fmt, color, output, extra, per_file=per_file)
    _warn_all(warnings)


@app.command(
    epilog=_examples(
        "wsdiag check miner.log",
        "wsdiag check logs/ --max-reconnects-per-hour 10 --fail-on warning",
        'wsdiag check miner.log --format markdown >> "$GITHUB_STEP_SUMMARY"',
    )
)
def check(
    paths: PathsArg = None,
    max_connections: MaxConnOpt = Thresholds.max_connections,
    max_reconnects_per_hour: Annotated[
        Optional[float],  # noqa: UP045
        typer.Option(
            "--max-reconnects-per-hour",
            help="Fail when the pool reconnects more often than this per hour (off by default).",
            show_default=False,
        ),
    ] = None,
    fail_on: Annotated[
        FailOn,
        typer.Option(
            "--fail-on", help="Fail on causes of this severity or worse (symptoms never fail)."
        ),
    ] = FailOn.error,
    exit_zero: Annotated[
        bool,
        typer.Option("--exit-zero", help="Report violations but exit 0 (2 still means bad input)."),
    ] = False,
    fmt: FormatOpt = Format.text,
    output: OutputOpt = None,
    also: AlsoOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    year: YearOpt = None,
    color: ColorOpt = Color.auto,
    jobs: JobsOpt = None,
    topics_per_connection: TopicsOpt = Thresholds.topics_per_connection,
    network_min: NetMinOpt = Thresholds.network_min,
    ping_min: PingMinOpt = Thresholds.ping_min,
    storm_rate: StormOpt = Thresholds.storm_per_conn_hour,
    per_file: PerFileOpt = False,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Every input must be a miner log: an empty one (a log just rotated) or one "
            "without miner records is exit 2. Without it, inputs that are all empty pass with a "
            "warning.",
        ),
    ] = False,
) -> None:
    """CI gate: fail when the log breaks a rule.

    A rule is broken by a cause at or above --fail-on, or by a limit given here that the log
    exceeds. Text output has one line per violation: the rule, the measured value, the limit.
    Inputs that are all empty pass, with a warning on stderr (--strict: exit 2).

    Exit status: 1 on a violation (0 with --exit-zero), 0 when none, 2 on unusable input.
    """
    th = _thresholds(max_connections, topics_per_connection, network_min, ping_min, storm_rate)
    _check_common(year, jobs)
    _number("--max-reconnects-per-hour", max_reconnects_per_hour, 0)
    extra = _also(also)
    warnings: list[str] = []
    ds = _diagnoses(
        paths or [],
        year,
        jobs,
        th,
        since,
        until,
        output=output,
        also=extra,
        per_file=per_file,
        empty_ok=not strict,
        strict=strict,
        warnings=warnings,
    )
    from wsdiag.commands import check as checks

    results = [checks.evaluate(d, fail_on.value, max_reconnects_per_hour) for d in ds]
    _emit_all(ds, fmt, color, output, extra, results, exit_zero, per_file)
    _warn_all(warnings)
    if not all(r.passed for r in results) and not exit_zero:
        raise typer.Exit(EXIT_FINDINGS)


@app.command(
    epilog=_examples(
        "wsdiag events miner.log",
        "wsdiag events logs/ --class ping_pong --class pong_timeout --format tsv | cut -f1,2",
        "wsdiag events miner.log --connection 12 | jq -r .message | sort | uniq -c",
    )
)
def events(
    paths: PathsArg = None,
    classes: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(
            "--class",
            "-c",
            help="Only events of this failure class (repeatable): " + ", ".join(FAILURE_CLASSES),
            show_default=False,
        ),
    ] = None,
    connections: Annotated[
        Optional[list[int]],  # noqa: UP045
        typer.Option(
            "--connection",
            "-n",
            help="Only events of this connection id (repeatable).",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        EventFormat,
        typer.Option(
            "--format",
            "-f",
            help='jsonl: {"time", "connection", "class", "message"} per line; '
            "tsv: the same four columns, empty for null.",
        ),
    ] = EventFormat.jsonl,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the events to FILE.")
    ] = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    year: YearOpt = None,
) -> None:
    """One line per failure event, in time order, written while the log is read.

    The events are the ones analyze counts (failures.total): websocket-client echoes of an
    error are folded into it. Messages have secrets redacted.

    Exit status: 0 when the log was read, 2 on unusable input.
    """
    _check_common(year)
    wanted = set(classes or [])
    unknown = sorted(wanted - set(FAILURE_CLASSES))
    if unknown:
        _fail(f"unknown class {', '.join(unknown)}; classes: {', '.join(FAILURE_CLASSES)}")
    conns = set(connections or [])
    from wsdiag.commands import events as event_export

    line = event_export.to_json if fmt is EventFormat.jsonl else event_export.to_tsv
    from wsdiag.cli import output as outputs

    opts = Options(year=year, jobs=1)
    try:
        with (
            _readable(paths or [], since, until, opts, reread_many=True, output=output) as (sources, opts),
            nullcontext(_stdout()) if output is None else outputs.replacing(output) as sink,
        ):
            own, repeated = event_export.repeats(sources, opts)
            ordered = event_export.in_log_order(sources, opts, own)
            stream = event_export.EventStream(ordered, opts, own)
            for batch in stream.batches():
                text = "".join(
                    line(ev)
                    for ev in batch
                    if (not wanted or ev.cls in wanted) and (not conns or ev.conn in conns)
                )
                if text and not _write(sink, text):
                    return
            summary = stream.summary
            stats = list(summary.inputs.values())
            if not any(st.records for st in stats):
                # Inside the block: an -o FILE is left as it was.
                if stats and all(st.empty for st in stats):
                    names = _names([st.path for st in stats])
                    _fail(f"{names}: {'empty' if len(stats) == 1 else 'all empty'}: no log lines to export")
                _nothing_recognisable(stats, paths or [])
    except InputError as exc:
        _fail(str(exc))
    except outputs.OutputError as exc:
        _fail(f"{shown_name(str(output))}: {exc}")
    for message in [*_input_warnings(list(summary.inputs.values()), "exported what was read"), *repeated]:
        _warn(message)
    if stream.mismatch:
        sys.stderr.write(
            f"wsdiag: warning: the log's time runs backwards; {stream.mismatch} exported "
            "event(s) were folded into earlier errors by analyze\n"
        )


class CompareFormat(str, enum.Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


@app.command(
    epilog=_examples(
        "wsdiag compare logs-before/ logs-after/",
        "wsdiag compare old.log new.log --format json | jq .delta.verdict",
        "wsdiag compare old.log new.log --format markdown >> \"$GITHUB_STEP_SUMMARY\"",
    )
)
def compare(
    before: Annotated[
        str, typer.Argument(help="The log before the change (file, directory, .gz, or -).")
    ],
    after: Annotated[str, typer.Argument(help="The log after the change.")],
    fmt: Annotated[
        CompareFormat,
        typer.Option(
            "--format",
            "-f",
            help='text, json ({"before": report, "after": report, "delta": {...}}) or markdown.',
        ),
    ] = CompareFormat.text,
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
    """Did a change help? Both diagnoses side by side and a verdict: better, worse, unchanged.

    Every count is compared as a rate per hour (the logs cover different spans), and a rate
    only counts as changed when the change is large (20 %) and not chance (95 %).

    Exit status: 0 when both logs were analysed (whatever the verdict), 2 on unusable input.
    """
    th = _thresholds(max_connections, topics_per_connection, network_min, ping_min, storm_rate)
    _check_common(year, jobs)
    if before == after == "-":
        _fail("-: standard input given twice; it can be read only once")
    from wsdiag.commands import compare as comparison
    from wsdiag.report import compare as compare_report

    warnings: list[str] = []
    result = comparison.compare(
        _diagnose([before], year, jobs, th, warnings, output),
        _diagnose([after], year, jobs, th, warnings, output),
    )
    if fmt is CompareFormat.json:
        report = compare_report.render_json(result)
    elif fmt is CompareFormat.markdown:
        report = compare_report.render_markdown(result)
    else:
        to_terminal = output is None and _stdout_is_terminal()
        report = compare_report.render_text(result, _console(color, to_terminal))
    _emit(report, output)
    _warn_all(warnings)


class WatchFormat(str, enum.Enum):
    text = "text"
    jsonl = "jsonl"


class Existing(str, enum.Enum):
    context = "context"
    replay = "replay"
    skip = "skip"


def _watch_source(path: str) -> follow.Follower | follow.StreamFollower:
    from wsdiag.read import follow

    if path == "-":
        if sys.stdin is None:
            _fail("<stdin>: standard input is closed; give the log file the miner writes")
        return follow.StreamFollower(sys.stdin.buffer)
    p = Path(path)
    shown = shown_name(path)
    try:
        kind = kind_of(p, shown)
        if kind == "directory":
            _fail(f"{shown}: is a directory; watch follows one log file (the one the miner writes)")
        if kind != "missing":
            resolved = resolve([path])[0]  # refuses a FIFO, a device
            if resolved.codec in COMPRESSED:
                _fail(f"{shown}: a {resolved.codec} archive does not grow; use analyze for it")
    except InputError as exc:
        _fail(str(exc))
    if kind == "missing":
        sys.stderr.write(f"wsdiag: waiting for {shown} to appear\n")
    return follow.Follower(p)


@app.command(
    epilog=_examples(
        "wsdiag watch logs/miner.log",
        "wsdiag watch logs/miner.log --format jsonl | jq -c 'select(.event == \"finding\")'",
        "docker logs -f miner 2>&1 | wsdiag watch - --format jsonl",
    )
)
def watch(
    path: Annotated[
        str,
        typer.Argument(
            help="The log the miner writes; followed like tail -F across daily rotation and "
            "truncation. - follows standard input (a pipe) until it ends."
        ),
    ],
    fmt: Annotated[
        WatchFormat,
        typer.Option(
            "--format",
            "-f",
            help="text: a live panel on a terminal (plain lines otherwise); jsonl: one JSON "
            'object per line: {"event": "failure"|"finding"|"file"|"watching"|"summary", ...}.',
        ),
    ] = WatchFormat.text,
    existing: Annotated[
        Existing,
        typer.Option(
            "--existing",
            help="What the file already holds: context (analysed, not reported as new), replay "
            "(reported too), skip (start at its end, like tail -n0 -F).",
        ),
    ] = Existing.context,
    window: Annotated[
        str,
        typer.Option(
            "--window",
            help="Findings judge this much recent log time (a duration of whole minutes: 30m, "
            "1h, 1d), so they clear when the trouble stops; 0: everything since the start.",
        ),
    ] = "1h",
    interval: Annotated[
        str,
        typer.Option(
            "--interval",
            help="Time between looks at the file: a duration (0.5s, 2s) or seconds, 0.05 to 3600.",
        ),
    ] = "0.5s",
    exit_after: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--exit-after", help="Stop after this long: a duration (90s, 10m) or seconds.",
            show_default=False,
        ),
    ] = None,
    idle_exit: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--idle-exit",
            help="Stop when nothing new arrived for this long: a duration (30s, 5m) or seconds.",
            show_default=False,
        ),
    ] = None,
    year: YearOpt = None,
    color: ColorOpt = Color.auto,
    max_connections: MaxConnOpt = Thresholds.max_connections,
    topics_per_connection: TopicsOpt = Thresholds.topics_per_connection,
    network_min: NetMinOpt = Thresholds.network_min,
    ping_min: PingMinOpt = Thresholds.ping_min,
    storm_rate: StormOpt = Thresholds.storm_per_conn_hour,
) -> None:
    """Follow a growing log live: connections, recent failures and current findings.

    Ctrl-C (or SIGTERM) stops it cleanly and prints the report of everything watched.
    Memory stays bounded however long it runs.

    Exit status: 0 when stopped, 2 on unusable arguments.
    """
    from datetime import timedelta

    from wsdiag.cli import sinks
    from wsdiag.commands import watch as watching
    from wsdiag.diagnose.timeline import parse_bucket
    from wsdiag.read import follow
    from wsdiag.report import text as text_report

    try:
        zero = window.strip() == "0" or (
            durations.is_duration(window) and not durations.parse(window).total_seconds()
        )
        span = None if zero else timedelta(minutes=parse_bucket(window))
    except ValueError:
        _fail(f"--window: {window!r} is not a duration of whole minutes (use e.g. 30m, 1h, 1d, or 0)")
    every = _seconds("--interval", interval)
    stop_after = None if exit_after is None else _seconds("--exit-after", exit_after)
    stop_idle = None if idle_exit is None else _seconds("--idle-exit", idle_exit)
    th = _thresholds(max_connections, topics_per_connection, network_min, ping_min, storm_rate)
    _check_common(year)
    _number("--interval", every, 0.05, 3600)
    _number("--exit-after", stop_after, 0)
    _number("--idle-exit", stop_idle, 0)
    source = _watch_source(path)
    if isinstance(source, follow.Follower) and existing is Existing.skip:
        source.start_at_end = True
    try:
        watcher = watching.Watcher(source.name, th, span, year)
    except ValueError as exc:
        _fail(f"--window: {exc}")
    sink: watching.Sink
    if fmt is WatchFormat.jsonl:
        sink = sinks.JsonlSink(sys.stdout.write, sys.stdout.flush)
    else:
        to_terminal = _stdout_is_terminal()
        console = _console(color, to_terminal, live=True)
        if to_terminal:
            sink = sinks.LiveSink(console, text_report.render, source.name)
        else:
            sink = sinks.TextSink(console, text_report.render)
    reason = watching.run(
        source,
        watcher,
        sink,
        existing=existing.value,
        interval=every,
        exit_after=stop_after,
        idle_exit=stop_idle,
    )
    if reason == "output-closed":
        # `wsdiag watch ... | head -1`: the reader has what it wanted; stdout leads nowhere now.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _standard_descriptors() -> None:
    """Descriptors 0-2 that the caller closed (`wsdiag analyze F >&-`) are opened on /dev/null,
    so that no file wsdiag opens takes their number (an input must never become "stdout").
    Python has already set the matching sys.stdin/stdout/stderr to None: a report to a closed
    stdout is an error (_stdout), warnings to a closed stderr go nowhere."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            devnull = os.open(os.devnull, os.O_RDWR)
            if devnull != fd:
                os.dup2(devnull, fd)
                os.close(devnull)
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - for the whole run


class Terminated(BaseException):
    """SIGTERM, raised where the program is, like KeyboardInterrupt for SIGINT: what is running
    unwinds (forked workers are stopped, a half-written -o file removed)."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


def main() -> None:
    """Console-script entry point."""
    import signal

    _standard_descriptors()
    signal.signal(signal.SIGTERM, _terminate)  # watch installs its own while it follows
    try:
        app(prog_name="wsdiag")
    except KeyboardInterrupt:
        sys.stderr.write("wsdiag: interrupted\n")
        sys.exit(130)
    except Terminated:
        sys.stderr.write("wsdiag: terminated\n")
        sys.exit(128 + signal.SIGTERM)
