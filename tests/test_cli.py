"""The command line as CI jobs and shell scripts use it: help, formats, files, colour, pipes, signals."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import ROOT, SAMPLES, run_cli
from wsdiag.cli import app

runner = CliRunner()
STORM = str(SAMPLES / "storm_37conn.log")


def big_log(tmp_path: Path) -> Path:
    """A log whose JSON report is far larger than a pipe buffer (3000 connections)."""
    line = (
        "21/11/25 {:02d}:{:02d}:{:02d} - ERROR - TwitchChannelPointsMiner.classes.WebSocketsPool - "
        "[on_error]: #{} - WebSocket error: [Errno 32] Broken pipe\n"
    )
    path = tmp_path / "big.log"
    path.write_text("".join(line.format(i // 3600, i // 60 % 60, i % 60, i) for i in range(3000)))
    return path


@pytest.mark.parametrize("argv", [[], ["analyze"], ["check"], ["events"]])
def test_every_help_ends_with_an_example(argv: list[str]) -> None:
    """`--help` of the program and of each command ends with runnable example command lines."""
    result = runner.invoke(app, [*argv, "--help"])
    assert result.exit_code == 0
    lines = result.stdout.rstrip().splitlines()
    examples = lines[lines.index("  Examples:") + 1 :]
    assert len(examples) >= 2
    assert all(line.startswith("    ") and "wsdiag " in line for line in examples)
    if argv:
        assert all(f"wsdiag {argv[0]} " in line for line in examples)


@pytest.mark.parametrize(
    ("fmt", "start"),
    [
        ("text", "wsdiag 0.1.0 · "),
        ("json", '{\n  "schema": "wsdiag/1"'),
        ("markdown", "## ❌ wsdiag: ERROR · cause: 37 PubSub connections open; Twitch allows 10 per IP\n"),
        ("github", "::error title=wsdiag too-many-connections::"),
    ],
)
def test_analyze_formats(fmt: str, start: str) -> None:
    """analyze --format text|json|markdown|github, exit 0 whatever was found."""
    result = runner.invoke(app, ["analyze", "--format", fmt, STORM])
    assert result.exit_code == 0
    assert result.stdout.startswith(start)


def test_output_file(tmp_path: Path) -> None:
    """-o FILE gets the report; stdout stays empty."""
    out = tmp_path / "report.md"
    result = runner.invoke(app, ["analyze", "-f", "markdown", "-o", str(out), STORM])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert out.read_text(encoding="utf-8").startswith("## ❌ wsdiag: ERROR")


@pytest.mark.parametrize("command", ["check", "analyze"])
def test_also_writes_every_format_from_one_run(command: str, tmp_path: Path) -> None:
    """--also FORMAT=FILE (repeatable) writes what --format FORMAT prints; stdout and exit status unchanged."""
    formats = ["text", "json", "markdown", "html"]
    also = [arg for fmt in formats for arg in ("--also", f"{fmt}={tmp_path / fmt}")]
    both = run_cli(command, STORM, "--format", "github", *also)
    alone = run_cli(command, STORM, "--format", "github")
    assert both.returncode == alone.returncode == (1 if command == "check" else 0)
    assert both.stdout == alone.stdout
    assert both.stdout.startswith(b"::error title=wsdiag too-many-connections::")
    for fmt in formats:
        separate = run_cli(command, STORM, "--format", fmt)
        assert (tmp_path / fmt).read_bytes() == separate.stdout, fmt


@pytest.mark.parametrize("value", ["markdown", "yaml=out.yml", "json=", "json=-"])
def test_malformed_also_exits_2(value: str, tmp_path: Path) -> None:
    """A --also that is not FORMAT=FILE is exit 2 with one line naming the option, before any reading."""
    result = runner.invoke(app, ["check", "--also", value, str(tmp_path / "not-read.log")])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"wsdiag: error: --also: {value!r} is not FORMAT=FILE")
    assert result.stderr.count("\n") == 1


def test_unwritable_output_exits_2(tmp_path: Path) -> None:
    """-o into a missing directory is exit 2 with one line naming the file."""
    target = tmp_path / "missing" / "report.txt"
    result = runner.invoke(app, ["analyze", "-o", str(target), STORM])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"wsdiag: error: {target}: cannot write")
    assert result.stderr.count("\n") == 1


def test_piped_text_is_plain_and_120_wide() -> None:
    """Piped: no colour, and a fixed width of 120 so tables do not wrap at 80 columns in CI logs."""
    result = runner.invoke(app, ["analyze", STORM])
    assert "\x1b" not in result.stdout
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) == 120
    panel = next(line for line in lines if line.startswith("╭─ Findings "))
    assert len(panel) == 120


def test_color_always_and_never() -> None:
    """--color always colours even when piped; --color never never does."""
    assert "\x1b[" in runner.invoke(app, ["analyze", "--color", "always", STORM]).stdout
    assert "\x1b[" in runner.invoke(app, ["check", "--color", "always", STORM]).stdout
    assert "\x1b" not in runner.invoke(app, ["analyze", "--color", "never", STORM]).stdout


def _on_terminal(args: list[str], env: dict[str, str]) -> bytes:
    """Run wsdiag with stdout on a pseudo-terminal and return what the terminal received."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "wsdiag", *args], stdout=slave, stderr=subprocess.PIPE, cwd=ROOT, env=env
    )
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 30)
        if not ready:
            break
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    proc.wait(timeout=30)
    assert proc.stderr is not None
    proc.stderr.close()
    return b"".join(chunks)


def test_terminal_colour_and_no_color() -> None:
    """On a terminal the report is coloured, unless NO_COLOR is set."""
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env["TERM"] = "xterm-256color"
    assert b"\x1b[" in _on_terminal(["analyze", STORM], env)
    assert b"\x1b[" not in _on_terminal(["analyze", STORM], {**env, "NO_COLOR": "1"})


@pytest.mark.parametrize("columns", ["0", "5", "99999999"])
def test_absurd_terminal_widths_still_show_the_report(columns: str) -> None:
    """COLUMNS=0 (or 5, or 99999999) on a terminal: the violations are printed, at a sane width."""
    env = {**os.environ, "COLUMNS": columns, "NO_COLOR": "1"}
    out = _on_terminal(["check", STORM, "--exit-zero"], env).decode()
    lines = out.splitlines()
    assert any(line.startswith("FAIL too-many-connections:") for line in lines), out
    assert max(len(line) for line in lines) <= 1000


def _pipeline(command: str, tmp_path: Path, **env: str) -> tuple[subprocess.CompletedProcess[bytes], bytes]:
    """Run a bash pipeline with pipefail; wsdiag's stderr goes to a file, returned separately."""
    err = tmp_path / "stderr.txt"
    script = f"set -o pipefail; {command}"
    proc = subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        cwd=ROOT,
        timeout=120,
        env={**os.environ, "PY": sys.executable, "ERR": str(err), **env},
    )
    return proc, err.read_bytes() if err.exists() else b""


def test_head_ends_quietly(tmp_path: Path) -> None:
    """`wsdiag analyze ... | head -1` exits 0 with nothing on stderr, though the reader left early."""
    log = big_log(tmp_path)
    command = '"$PY" -m wsdiag analyze --format json "$LOG" 2>"$ERR" | head -1'
    proc, err = _pipeline(command, tmp_path, LOG=str(log))
    assert proc.returncode == 0
    assert proc.stdout == b"{\n"
    assert err == b""


def test_head_keeps_the_check_status(tmp_path: Path) -> None:
    """`wsdiag check ... | head -1`: the early reader does not turn a failed check into a pass."""
    log = big_log(tmp_path)
    proc, err = _pipeline(
        '"$PY" -m wsdiag check --format json "$LOG" 2>"$ERR" | head -1; echo "status=${PIPESTATUS[0]}"',
        tmp_path,
        LOG=str(log),
    )
    assert proc.stdout == b"{\nstatus=1\n"
    assert err == b""


def test_interrupt_exits_130_without_traceback() -> None:
    """Ctrl-C (SIGINT) while waiting for input ends with status 130 and no traceback."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "wsdiag", "events", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert b"Traceback" not in err
    assert out == b""


def test_json_report_is_one_document_per_run(tmp_path: Path) -> None:
    """Several inputs give one JSON document listing each input."""
    a = tmp_path / "a.log"
    a.write_bytes((SAMPLES / "outage.log").read_bytes())
    result = runner.invoke(app, ["analyze", "-f", "json", str(a), str(SAMPLES / "bad_auth.log")])
    doc = json.loads(result.stdout)
    assert [Path(i["path"]).name for i in doc["inputs"]] == ["a.log", "bad_auth.log"]
    assert doc["failures"]["by_class"]["bad_auth"] == 3
    assert doc["failures"]["by_class"]["dns"] == 1


_SLOW_WORKERS = """
import sys, time
from wsdiag import pipeline
from wsdiag.read import scan
pipeline.PARALLEL_MIN = 1
real = scan.Scanner.chunk
def slow(self, *args, **kwargs):
    time.sleep(30)  # a worker still scanning when the parent is told to stop
    return real(self, *args, **kwargs)
scan.Scanner.chunk = slow
sys.argv = ["wsdiag", "analyze", "--jobs", "2", sys.argv[1]]
from wsdiag.cli import main
main()
"""


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(c) for c in path.read_text().split()] if path.exists() else []


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs /proc")
def test_sigterm_stops_forked_workers_too(tmp_path: Path) -> None:
    """SIGTERM to wsdiag while forked workers scan: every worker stops, exit 143 with one line
    (before: the parent died and its workers scanned on, orphaned)."""
    log = big_log(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-c", _SLOW_WORKERS, str(log)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT
    )
    deadline = time.monotonic() + 30
    while not _children(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    workers = _children(proc.pid)
    assert workers, "no worker was forked"
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 143, (proc.returncode, err)
    assert err == b"wsdiag: terminated\n", (proc.returncode, err)
    assert out == b"", (proc.returncode, err)
    time.sleep(0.2)
    assert not [w for w in workers if _alive(w)]


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["analyze", "--topics-per-connection", "0"], "--topics-per-connection"),
        (["analyze", "--max-connections", "-1"], "--max-connections"),
        (["check", "--network-min", "0"], "--network-min"),
        (["compare", STORM, "--ping-min", "-3"], "--ping-min"),
        (["analyze", "--storm-rate", "0"], "--storm-rate"),
        (["analyze", "--storm-rate", "nan"], "--storm-rate"),
        (["check", "--max-reconnects-per-hour", "-1"], "--max-reconnects-per-hour"),
        (["check", "--max-reconnects-per-hour", "inf"], "--max-reconnects-per-hour"),
        (["analyze", "--year", "0"], "--year"),
        (["events", "--year", "99999999999999999999"], "--year"),
        (["analyze", "--jobs", "0"], "--jobs"),
        (["watch", "--topics-per-connection", "0"], "--topics-per-connection"),
    ],
)
def test_unusable_numbers_name_their_option(argv: list[str], option: str) -> None:
    """A threshold that is not positive, --year outside 1970-2199, --jobs 0: one line naming
    the option, exit 2 (they were taken: "about 1-0 topics at 0 per connection", exit 0)."""
    cmd, *rest = argv
    result = runner.invoke(app, [cmd, STORM, *rest])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"wsdiag: error: {option} "), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "must be a number" in result.stderr


@pytest.mark.parametrize("argv", [["-h"], ["analyze", "-h"], ["check", "-h"], ["watch", "-h"]])
def test_dash_h_is_help(argv: list[str]) -> None:
    """`-h` prints the same help as `--help`."""
    short = runner.invoke(app, argv)
    long = runner.invoke(app, [*argv[:-1], "--help"])
    assert short.exit_code == 0
    assert short.stdout == long.stdout
    assert "-h, --help" in short.stdout


def test_dash_capital_v_is_the_version() -> None:
    """`wsdiag -V` prints what `--version` prints (`wsdiag VERSION (line filter)`) and exits 0."""
    from wsdiag import __version__

    short, long = run_cli("-V"), run_cli("--version")
    assert short.returncode == long.returncode == 0
    assert short.stdout == long.stdout
    assert short.stdout.decode().startswith(f"wsdiag {__version__} (")


def test_shell_completion_completes_commands_and_choices() -> None:
    """`--install-completion`/`--show-completion` exist; the shell's completion calls complete
    command names and option values."""
    help_text = runner.invoke(app, ["--help"]).stdout
    assert "--install-completion" in help_text
    assert "--show-completion" in help_text
    env = {**os.environ, "_WSDIAG_COMPLETE": "complete_bash", "COMP_WORDS": "wsdiag ch", "COMP_CWORD": "1"}
    proc = subprocess.run([sys.executable, "-m", "wsdiag"], env=env, capture_output=True, timeout=60)
    assert proc.stdout.decode().split() == ["check"]
    env.update(_WSDIAG_COMPLETE="complete_zsh", _TYPER_COMPLETE_ARGS="wsdiag check --fail-on ")
    proc = subprocess.run([sys.executable, "-m", "wsdiag"], env=env, capture_output=True, timeout=60)
    assert '"error"' in proc.stdout.decode()
    assert '"warning"' in proc.stdout.decode()
    shown = run_cli("--show-completion", env={**os.environ, "SHELL": "/bin/bash"})
    assert shown.returncode == 0, shown.stderr
    assert b"_WSDIAG_COMPLETE" in shown.stdout, shown.stderr
