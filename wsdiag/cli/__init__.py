"""Command line: the commands' arguments, their I/O and exit codes.

Each command here declares its arguments (their types are in :mod:`wsdiag.cli.options`), calls
what the command does (:mod:`wsdiag.commands`), renders it (:mod:`wsdiag.report`) and writes it
(:mod:`wsdiag.cli.io`). Commands import what only they need when they run: start-up time is
part of every ``wsdiag analyze --format json`` a script or CI job pays for.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from contextlib import nullcontext
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from wsdiag.cli.io import EXIT_FINDINGS, EXIT_OK, Color, console, emit, fail, number, warn, warn_all, write
from wsdiag.cli.options import (
    AlsoOpt,
    BucketOpt,
    ColorOpt,
    FormatOpt,
    JobsOpt,
    OutputOpt,
    PathsArg,
    PerFileOpt,
    SinceOpt,
    UntilOpt,
    YearOpt,
    check_common,
    examples,
    seconds,
    with_thresholds,
)
from wsdiag.cli.options import also as also_files
from wsdiag.commands.watch import Existing
from wsdiag.common.choices import assert_never
from wsdiag.diagnose.thresholds import Thresholds
from wsdiag.parse.records import FAILURE_CLASSES
from wsdiag.read.sources import InputError, shown_name
from wsdiag.report.compare import CompareFormat
from wsdiag.report.events import EventFormat
from wsdiag.report.formats import Format
from wsdiag.version import __version__

if TYPE_CHECKING:
    from rich.console import Console

    from wsdiag.commands.analyze import Request
    from wsdiag.commands.check import CheckResult
    from wsdiag.diagnose.diagnosis import Diagnosis
    from wsdiag.read.follow import Followed

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


def scan_path() -> str:
    """Which line filter this run uses: the C one, or the pure-Python one and why."""
    from wsdiag.read.linefilter import FILTERS

    if FILTERS.use_c:
        return "C line filter"
    why = "WSDIAG_PURE_PYTHON is set" if os.environ.get("WSDIAG_PURE_PYTHON") else "not built"
    return f"pure-Python line filter: the C one is {why}"


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"wsdiag {__version__} ({scan_path()})\n")
        raise typer.Exit(EXIT_OK)


@app.callback(
    epilog=examples(
        "wsdiag analyze logs/                      # every *.log* file, rotated ones included",
        "wsdiag check miner.log --format github    # CI gate: exit 1 on errors",
        "wsdiag events miner.log.gz --class ssl    # one JSON line per failure",
    )
)
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            "-V",
            callback=_version,
            is_eager=True,
            help="Print the version and which line filter runs (C or pure Python), and exit.",
        ),
    ] = False,
) -> None:
    """Diagnose Twitch Channel Points Miner PubSub WebSocket failures from its logs."""


def _paths(paths: list[str] | None) -> list[str]:
    """The paths given, or standard input when there are none and it is not a terminal."""
    if paths:
        return paths
    if sys.stdin is None or sys.stdin.isatty():
        fail("no input: give a log file, a directory, or - for standard input")
    return ["-"]


def _diagnoses(req: Request, outputs: list[Path | None]) -> tuple[list[Diagnosis], list[str]]:
    """The diagnoses and warnings of commands.analyze; exit 2 on what it cannot use. No output
    (None: stdout) may be an input: refused before anything is read."""
    from wsdiag.cli.io import refuse_inputs
    from wsdiag.cli.progress import bar
    from wsdiag.commands.analyze import diagnoses

    try:
        return diagnoses(req, lambda sources: refuse_inputs(outputs, sources), bar)
    except InputError as exc:
        fail(str(exc))


def _render_console(color: Color, output: Path | None) -> Callable[[], Console]:
    return lambda: console(color, output is None and _terminal())


def _terminal() -> bool:
    return sys.stdout is not None and sys.stdout.isatty()


def _emit_all(
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
        make = _render_console(color, path)
        if per_file:
            report = render_many(each, ds, make, results, exit_zero)
        else:
            report = render(each, ds[0], make, results[0] if results else None, exit_zero)
        emit(report, path)


@app.command(
    epilog=examples(
        "wsdiag analyze logs/miner.log",
        "wsdiag analyze logs/ --since 24h --format json",
        "docker logs miner 2>&1 | wsdiag analyze --format markdown > report.md",
    )
)
@with_thresholds
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
    bucket: BucketOpt = None,
    per_file: PerFileOpt = False,
    *,
    thresholds: Thresholds,
) -> None:
    """Diagnose why the miner's PubSub WebSockets fail and what to change.

    Exit status: 0 when the analysis ran (whatever it found), 2 on unusable input.
    """
    from wsdiag.commands.analyze import Request
    from wsdiag.pipeline import Options

    check_common(year, jobs)
    extra = also_files(also)
    req = Request(_paths(paths), Options(year=year, jobs=jobs), thresholds, since, until, bucket, per_file)
    ds, warnings = _diagnoses(req, [output, *(path for _, path in extra)])
    _emit_all(ds, fmt, color, output, extra, per_file=per_file)
    warn_all(warnings)


class FailOn(str, Enum):
    """``--fail-on``."""

    error = "error"
    warning = "warning"


@app.command(
    epilog=examples(
        "wsdiag check miner.log",
        "wsdiag check logs/ --max-reconnects-per-hour 10 --fail-on warning",
        'wsdiag check miner.log --format markdown >> "$GITHUB_STEP_SUMMARY"',
    )
)
@with_thresholds
def check(
    paths: PathsArg = None,
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
        typer.Option("--fail-on", help="Fail on causes of this severity or worse (symptoms never fail)."),
    ] = FailOn.error,
    exit_zero: Annotated[
        bool, typer.Option("--exit-zero", help="Report violations but exit 0 (2 still means bad input).")
    ] = False,
    fmt: FormatOpt = Format.text,
    output: OutputOpt = None,
    also: AlsoOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    year: YearOpt = None,
    color: ColorOpt = Color.auto,
    jobs: JobsOpt = None,
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
    *,
    thresholds: Thresholds,
) -> None:
    """CI gate: fail when the log breaks a rule.

    A rule is broken by a cause at or above --fail-on, or by a limit given here that the log
    exceeds. Text output has one line per violation: the rule, the measured value, the limit.
    Inputs that are all empty pass, with a warning on stderr (--strict: exit 2).

    Exit status: 1 on a violation (0 with --exit-zero), 0 when none, 2 on unusable input.
    """
    from wsdiag.commands.analyze import Request
    from wsdiag.commands.check import evaluate
    from wsdiag.pipeline import Options

    check_common(year, jobs)
    number("--max-reconnects-per-hour", max_reconnects_per_hour, 0)
    extra = also_files(also)
    req = Request(
        _paths(paths),
        Options(year=year, jobs=jobs),
        thresholds,
        since,
        until,
        per_file=per_file,
        empty_ok=not strict,
        strict=strict,
    )
    ds, warnings = _diagnoses(req, [output, *(path for _, path in extra)])
    results = [evaluate(d, fail_on.value, max_reconnects_per_hour) for d in ds]
    _emit_all(ds, fmt, color, output, extra, results, exit_zero, per_file)
    warn_all(warnings)
    if not all(r.passed for r in results) and not exit_zero:
        raise typer.Exit(EXIT_FINDINGS)


@app.command(
    epilog=examples(
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
            "--connection", "-n", help="Only events of this connection id (repeatable).", show_default=False
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
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the events to FILE.")] = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    year: YearOpt = None,
) -> None:
    """One line per failure event, in time order, written while the log is read.

    The events are the ones analyze counts (failures.total): websocket-client echoes of an
    error are folded into it. Messages have secrets redacted.

    Exit status: 0 when the log was read, 2 on unusable input.
    """
    from wsdiag.cli import output as outputs
    from wsdiag.cli.io import refuse_inputs, stdout
    from wsdiag.commands.events import export, nothing_read
    from wsdiag.commands.inputs import readable, warnings
    from wsdiag.pipeline import Options
    from wsdiag.report.events import render

    check_common(year)
    wanted = set(classes or [])
    unknown = sorted(wanted - set(FAILURE_CLASSES))
    if unknown:
        fail(f"unknown class {', '.join(unknown)}; classes: {', '.join(FAILURE_CLASSES)}")
    conns = set(connections or [])
    given = _paths(paths)
    try:
        with (
            readable(
                given,
                Options(year=year, jobs=1),
                since,
                until,
                reread_many=True,
                guard=lambda sources: refuse_inputs([output], sources),
            ) as (sources, opts),
            nullcontext(stdout()) if output is None else outputs.replacing(output) as sink,
        ):
            stream, repeated = export(sources, opts)
            for batch in stream.batches():
                chosen = [
                    ev for ev in batch if (not wanted or ev.cls in wanted) and (not conns or ev.conn in conns)
                ]
                text = render(fmt, chosen)
                if text and not write(sink, text):
                    return
            error = nothing_read(stream, given)
            if error is not None:
                raise error  # inside the block: an -o FILE is left as it was
    except InputError as exc:
        fail(str(exc))
    except outputs.OutputError as exc:
        fail(f"{shown_name(str(output))}: {exc}")
    warn_all([*warnings(list(stream.summary.inputs.values()), "exported what was read"), *repeated])
    if stream.mismatch:
        sys.stderr.write(
            f"wsdiag: warning: the log's time runs backwards; {stream.mismatch} exported "
            "event(s) were folded into earlier errors by analyze\n"
        )


@app.command(
    epilog=examples(
        "wsdiag compare logs-before/ logs-after/",
        "wsdiag compare old.log new.log --format json | jq .delta.verdict",
        'wsdiag compare old.log new.log --format markdown >> "$GITHUB_STEP_SUMMARY"',
    )
)
@with_thresholds
def compare(
    before: Annotated[str, typer.Argument(help="The log before the change (file, directory, .gz, or -).")],
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
    *,
    thresholds: Thresholds,
) -> None:
    """Did a change help? Both diagnoses side by side and a verdict: better, worse, unchanged.

    Every count is compared as a rate per hour (the logs cover different spans), and a rate
    only counts as changed when the change is large (20 %) and not chance (95 %).

    Exit status: 0 when both logs were analysed (whatever the verdict), 2 on unusable input.
    """
    from wsdiag.commands.analyze import Request
    from wsdiag.commands.compare import compare as comparison
    from wsdiag.pipeline import Options
    from wsdiag.report.compare import render

    check_common(year, jobs)
    if before == after == "-":
        fail("-: standard input given twice; it can be read only once")
    opts = Options(year=year, jobs=jobs)
    (d1,), w1 = _diagnoses(Request([before], opts, thresholds), [output])
    (d2,), w2 = _diagnoses(Request([after], opts, thresholds), [output])
    emit(render(fmt, comparison(d1, d2), _render_console(color, output)), output)
    warn_all([*w1, *w2])


class WatchFormat(str, Enum):
    """``watch --format``."""

    text = "text"
    jsonl = "jsonl"


def _followed(path: str) -> Followed:
    """What watch follows: standard input (a pipe) or the log file at ``path`` (which may not
    exist yet); exit 2 for what cannot grow or cannot be followed."""
    from wsdiag.read import follow
    from wsdiag.read.sources import COMPRESSED, kind_of, resolve

    if path == "-":
        if sys.stdin is None:
            fail("<stdin>: standard input is closed; give the log file the miner writes")
        return follow.StreamFollower(sys.stdin.buffer)
    p = Path(path)
    shown = shown_name(path)
    try:
        kind = kind_of(p, shown)
        if kind == "directory":
            fail(f"{shown}: is a directory; watch follows one log file (the one the miner writes)")
        if kind != "missing":
            resolved = resolve([path])[0]  # refuses a FIFO, a device
            if resolved.codec in COMPRESSED:
                fail(f"{shown}: a {resolved.codec} archive does not grow; use analyze for it")
    except InputError as exc:
        fail(str(exc))
    if kind == "missing":
        sys.stderr.write(f"wsdiag: waiting for {shown} to appear\n")
    return follow.Follower(p)


@app.command(
    epilog=examples(
        "wsdiag watch logs/miner.log",
        "wsdiag watch logs/miner.log --format jsonl | jq -c 'select(.event == \"finding\")'",
        "docker logs -f miner 2>&1 | wsdiag watch - --format jsonl",
    )
)
@with_thresholds
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
            "--exit-after", help="Stop after this long: a duration (90s, 10m) or seconds.", show_default=False
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
    *,
    thresholds: Thresholds,
) -> None:
    """Follow a growing log live: connections, recent failures and current findings.

    Ctrl-C (or SIGTERM) stops it cleanly and prints the report of everything watched.
    Memory stays bounded however long it runs.

    Exit status: 0 when stopped, 2 on unusable arguments.
    """
    from datetime import timedelta

    from wsdiag import durations
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
        fail(f"--window: {window!r} is not a duration of whole minutes (use e.g. 30m, 1h, 1d, or 0)")
    every = seconds("--interval", interval)
    stop_after = None if exit_after is None else seconds("--exit-after", exit_after)
    stop_idle = None if idle_exit is None else seconds("--idle-exit", idle_exit)
    check_common(year)
    number("--interval", every, 0.05, 3600)
    number("--exit-after", stop_after, 0)
    number("--idle-exit", stop_idle, 0)
    source = _followed(path)
    if isinstance(source, follow.Follower) and existing is Existing.skip:
        source.start_at_end = True
    try:
        watcher = watching.Watcher(source.name, thresholds, span, year)
    except ValueError as exc:
        fail(f"--window: {exc}")
    sink: watching.Sink
    match fmt:
        case WatchFormat.jsonl:
            sink = sinks.JsonlSink(sys.stdout.write, sys.stdout.flush)
        case WatchFormat.text if _terminal():
            sink = sinks.LiveSink(console(color, True, live=True), text_report.render, source.name)
        case WatchFormat.text:
            sink = sinks.TextSink(console(color, False, live=True), text_report.render)
        case _:
            assert_never(fmt)
    pace = watching.Pace(every, stop_after, stop_idle)
    reason = watching.run(source, watcher, sink, existing=existing, pace=pace)
    if reason == "output-closed":
        # `wsdiag watch ... | head -1`: the reader has what it wanted; stdout leads nowhere now.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _standard_descriptors() -> None:
    """Descriptors 0-2 that the caller closed (`wsdiag analyze F >&-`) are opened on /dev/null,
    so that no file wsdiag opens takes their number (an input must never become "stdout").
    Python has already set the matching sys.stdin/stdout/stderr to None: a report to a closed
    stdout is an error (io.stdout), warnings to a closed stderr go nowhere."""
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


__all__ = ["app", "main", "warn"]
