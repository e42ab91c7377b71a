"""Command line: the commands' arguments, their I/O and exit codes.

Each command here declares its arguments (their types, and the threshold options all share, are
in :mod:`wsdiag.cli.options`) and hands them to what runs it: :mod:`wsdiag.cli.diagnosing`
(analyze, check, compare), :mod:`wsdiag.cli.exporting` (events), :mod:`wsdiag.cli.watching`
(watch), which call the command (:mod:`wsdiag.commands`), render what it returns
(:mod:`wsdiag.report`) and write it (:mod:`wsdiag.cli.io`). Each imports what only it needs
when it runs: start-up time is part of every ``wsdiag analyze --format json`` a script or CI
job pays for."""

# No `from __future__ import annotations` here: typer reads the commands' annotations on every
# run, and as strings each would be eval'd first (~100 evals, ~2 ms of every start-up).
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

# Only what declaring the options needs is imported here: each command imports the rest when
# it runs (`wsdiag --version` reads no log, a JSON report needs no rich table).
from wsdiag.cli.io import EXIT_FINDINGS, Color, number, warn, warn_all
from wsdiag.cli.options import (
    AlsoOpt,
    BucketOpt,
    ColorOpt,
    FailOn,
    FormatOpt,
    JobsOpt,
    OutputOpt,
    PathsArg,
    PerFileOpt,
    SinceOpt,
    UntilOpt,
    VersionOpt,
    WatchFormat,
    YearOpt,
    check_common,
    examples,
    with_thresholds,
)
from wsdiag.cli.options import also as also_files
from wsdiag.commands.choices import Existing
from wsdiag.diagnose.thresholds import Thresholds
from wsdiag.parse.records import FAILURE_CLASSES
from wsdiag.report.events import EventFormat
from wsdiag.report.formats import CompareFormat, Format

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


@app.callback(
    epilog=examples(
        "wsdiag analyze logs/                      # every *.log* file, rotated ones included",
        "wsdiag check miner.log --format github    # CI gate: exit 1 on errors",
        "wsdiag events miner.log.gz --class ssl    # one JSON line per failure",
    )
)
def _root(
    version: VersionOpt = False,
) -> None:
    """Diagnose Twitch Channel Points Miner PubSub WebSocket failures from its logs."""


@app.command(
    epilog=examples(
        "wsdiag analyze logs/miner.log",
        "wsdiag analyze logs/ --since 24h --format json",
        "docker logs miner 2>&1 | wsdiag analyze --format markdown > report.md",
    )
)
@with_thresholds
def analyze(  # noqa: PLR0913, PLR0917 - typer declares each option as a parameter
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
    from wsdiag.cli.diagnosing import diagnoses, emit_all, paths_or_stdin
    from wsdiag.commands.analyze import Request
    from wsdiag.pipeline import Options

    check_common(year, jobs)
    extra = also_files(also)
    opts = Options(year=year, jobs=jobs)
    req = Request(paths_or_stdin(paths), opts, thresholds, since, until, bucket, per_file)
    ds, warnings = diagnoses(req, [output, *(path for _, path in extra)])
    emit_all(ds, fmt, color, output, extra, per_file=per_file)
    warn_all(warnings)


@app.command(
    epilog=examples(
        "wsdiag check miner.log",
        "wsdiag check logs/ --max-reconnects-per-hour 10 --fail-on warning",
        'wsdiag check miner.log --format markdown >> "$GITHUB_STEP_SUMMARY"',
    )
)
@with_thresholds
def check(  # noqa: PLR0913, PLR0917 - typer declares each option as a parameter
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
    from wsdiag.cli.diagnosing import diagnoses, emit_all, paths_or_stdin
    from wsdiag.commands.analyze import Request
    from wsdiag.commands.check import evaluate
    from wsdiag.pipeline import Options

    check_common(year, jobs)
    number("--max-reconnects-per-hour", max_reconnects_per_hour, 0)
    extra = also_files(also)
    req = Request(
        paths_or_stdin(paths),
        Options(year=year, jobs=jobs),
        thresholds,
        since,
        until,
        per_file=per_file,
        empty_ok=not strict,
        strict=strict,
    )
    ds, warnings = diagnoses(req, [output, *(path for _, path in extra)])
    results = [evaluate(d, fail_on.value, max_reconnects_per_hour) for d in ds]
    emit_all(ds, fmt, color, output, extra, results, exit_zero, per_file)
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
    from wsdiag.cli import exporting
    from wsdiag.cli.diagnosing import paths_or_stdin

    check_common(year)
    chosen = exporting.chooser(classes, connections)
    exporting.export(paths_or_stdin(paths), chosen, fmt, output, since, until, year)


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
    from wsdiag.cli.diagnosing import consoles, diagnoses
    from wsdiag.cli.io import emit, fail
    from wsdiag.commands.analyze import Request
    from wsdiag.commands.compare import compare as comparison
    from wsdiag.pipeline import Options
    from wsdiag.report.compare import render

    check_common(year, jobs)
    if before == after == "-":
        fail("-: standard input given twice; it can be read only once")
    opts = Options(year=year, jobs=jobs)
    (d1,), w1 = diagnoses(Request([before], opts, thresholds), [output])
    (d2,), w2 = diagnoses(Request([after], opts, thresholds), [output])
    emit(render(fmt, comparison(d1, d2), consoles(color, output)), output)
    warn_all([*w1, *w2])


@app.command(
    epilog=examples(
        "wsdiag watch logs/miner.log",
        "wsdiag watch logs/miner.log --format jsonl | jq -c 'select(.event == \"finding\")'",
        "docker logs -f miner 2>&1 | wsdiag watch - --format jsonl",
    )
)
@with_thresholds
def watch(  # noqa: PLR0913, PLR0917 - typer declares each option as a parameter
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
    from wsdiag.cli import watching

    span = watching.window(window)
    paced = watching.pace(interval, exit_after, idle_exit)
    check_common(year)
    watching.watch(path, fmt, existing, span, paced, year, color, thresholds)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point; ``argv``: the arguments (default: the command line's)."""
    import signal

    from wsdiag.cli.process import Terminated, standard_descriptors, terminate

    standard_descriptors()
    signal.signal(signal.SIGTERM, terminate)  # watch installs its own while it follows
    try:
        app(args=argv, prog_name="wsdiag")
    except KeyboardInterrupt:
        sys.stderr.write("wsdiag: interrupted\n")
        sys.exit(130)
    except Terminated:
        sys.stderr.write("wsdiag: terminated\n")
        sys.exit(128 + signal.SIGTERM)


__all__ = ["app", "main", "warn"]
