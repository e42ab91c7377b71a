"""-o FILE never costs a log: an input is refused whatever path names it, and a report replaces
FILE only once it is whole; standard output that is closed or full is one line and exit 2."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import ROOT, SAMPLES
from wsdiag.cli import app, output

OUTAGE = (SAMPLES / "outage.log").read_bytes()
STORM = str(SAMPLES / "storm_37conn.log")


def _wsdiag(*args: str, cwd: Path, stdin: int | None = None, stdout: int | None = None) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "wsdiag", *args],
        cwd=cwd,
        env=env,
        stdin=stdin if stdin is not None else subprocess.DEVNULL,
        stdout=stdout if stdout is not None else subprocess.PIPE,
        stderr=subprocess.PIPE,
        timeout=120,
    )


def _one_error(proc: subprocess.CompletedProcess[bytes], *words: str) -> str:
    err = proc.stderr.decode()
    assert proc.returncode == 2, err
    assert err.count("\n") == 1, err
    assert err.startswith("wsdiag: error: "), err
    assert "Traceback" not in err, err
    for word in words:
        assert word in err, err
    return err


@pytest.mark.parametrize(
    ("argv", "out"),
    [
        (["events", "m.log"], "m.log"),
        (["events", "m.log.gz"], "m.log.gz"),
        (["analyze", "m.log"], "./m.log"),
        (["analyze", "--format", "json", "m.log"], "m.log"),
        (["check", "m.log", "--exit-zero"], "hard.log"),
        (["compare", STORM, "m.log"], "link.log"),
        (["analyze", "logs"], "logs/miner.log"),
    ],
)
def test_an_output_that_is_an_input_is_refused_before_reading(tmp_path: Path, argv: list[str], out: str) -> None:
    """-o naming an input (itself, ./, a hard link, a symlink, a file of an input directory) is
    exit 2 and every input keeps its bytes."""
    (tmp_path / "m.log").write_bytes(OUTAGE)
    (tmp_path / "m.log.gz").write_bytes(gzip.compress(OUTAGE))
    os.link(tmp_path / "m.log", tmp_path / "hard.log")
    (tmp_path / "link.log").symlink_to("m.log")
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "miner.log").write_bytes(OUTAGE)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    cwd = os.getcwd()
    os.chdir(tmp_path)  # the paths as a user types them, relative
    try:
        result = CliRunner().invoke(app, [*argv, "--year", "2025", "-o", out])
    finally:
        os.chdir(cwd)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, (SystemExit, type(None))), result.output
    assert result.stderr.count("\n") == 1, result.stderr
    assert "is one of the inputs" in result.stderr, result.stderr
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("command", ["analyze", "check"])
def test_an_also_file_that_is_an_input_is_refused_before_reading(tmp_path: Path, command: str) -> None:
    """--also FORMAT=FILE is an output like -o: naming an input is exit 2, the log untouched."""
    log = tmp_path / "m.log"
    log.write_bytes(OUTAGE)
    result = CliRunner().invoke(app, [command, str(log), "--year", "2025", "--also", f"json={log}"])
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1, result.stderr
    assert "is one of the inputs" in result.stderr, result.stderr
    assert log.read_bytes() == OUTAGE


def test_stdin_redirected_from_the_output_is_refused(tmp_path: Path) -> None:
    """`wsdiag analyze - -o m.log < m.log`: standard input is the file -o names."""
    (tmp_path / "m.log").write_bytes(OUTAGE)
    with (tmp_path / "m.log").open("rb") as fh:
        proc = _wsdiag("analyze", "-", "--year", "2025", "-o", "m.log", cwd=tmp_path, stdin=fh.fileno())
    _one_error(proc, "is one of the inputs")
    assert (tmp_path / "m.log").read_bytes() == OUTAGE


def test_report_replaces_the_file_only_when_whole(tmp_path: Path) -> None:
    """The report goes through a temporary file: an error mid-way leaves the old file and no
    temporary behind; success replaces it and keeps its permissions and a symlink to it."""
    target = tmp_path / "report.txt"
    target.write_text("old report\n")
    target.chmod(0o640)
    def write_half() -> None:
        with output.replacing(target) as fh:
            fh.write("half a report")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        write_half()
    assert target.read_text() == "old report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.txt"]
    link = tmp_path / "latest.txt"
    link.symlink_to("report.txt")
    with output.replacing(link) as fh:
        fh.write("new report\n")
    assert link.is_symlink()
    assert target.read_text() == "new report\n"
    assert (target.stat().st_mode & 0o777) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.txt", "report.txt"]


def test_output_checks_before_reading(tmp_path: Path) -> None:
    """A directory or a missing folder as -o is refused by output.check, an input by identity."""
    log = tmp_path / "m.log"
    log.write_bytes(OUTAGE)
    ident = output.identity(log.stat())
    with pytest.raises(output.OutputError, match="is a directory"):
        output.check(tmp_path, [])
    with pytest.raises(output.OutputError, match="no such directory"):
        output.check(tmp_path / "missing" / "r.txt", [])
    with pytest.raises(output.OutputError, match="one of the inputs"):
        output.check(tmp_path / "." / "m.log", [ident])
    output.check(tmp_path / "new.txt", [ident])
    output.check(Path("/dev/null"), [ident])


@pytest.mark.parametrize("argv", [["analyze"], ["check", "--exit-zero"], ["events"], ["analyze", "--format", "json"]])
def test_a_device_as_output_is_written_not_replaced(tmp_path: Path, argv: list[str]) -> None:
    """-o /dev/null is written like a redirection (a device cannot be renamed over); -o
    /dev/full is one line and exit 2, not a traceback."""
    (tmp_path / "m.log").write_bytes(OUTAGE)
    log = str(tmp_path / "m.log")
    ok = CliRunner().invoke(app, [*argv, log, "--year", "2025", "-o", "/dev/null"])
    assert ok.exit_code == 0, ok.output
    assert ok.stdout == "", ok.output
    if os.path.exists("/dev/full"):
        full = CliRunner().invoke(app, [*argv, log, "--year", "2025", "-o", "/dev/full"])
        assert full.exit_code == 2, full.output
        assert isinstance(full.exception, (SystemExit, type(None))), full.output
        assert full.stderr == "wsdiag: error: /dev/full: cannot write (No space left on device)\n"


@pytest.mark.parametrize("argv", [["analyze"], ["check"], ["events"], ["analyze", "--format", "html"], ["compare", "m.log"]])
def test_full_or_closed_stdout_is_one_line(tmp_path: Path, argv: list[str]) -> None:
    """stdout on a full disk (>/dev/full) or closed (>&-): one line on stderr, exit 2."""
    (tmp_path / "m.log").write_bytes(OUTAGE)
    if os.path.exists("/dev/full"):
        with open("/dev/full", "wb") as full:
            proc = _wsdiag(*argv, "m.log", "--year", "2025", cwd=tmp_path, stdout=full.fileno())
        _one_error(proc, "standard output", "No space left")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cmd = " ".join([sys.executable, "-m", "wsdiag", *argv, "m.log", "--year", "2025"])
    closed = subprocess.run(["sh", "-c", cmd + " >&-"], cwd=tmp_path, env=env, capture_output=True, timeout=120)
    _one_error(closed, "standard output is closed")


def test_closed_stdin_is_one_line(tmp_path: Path) -> None:
    """`wsdiag analyze - <&-`: standard input is closed, said in one line with exit 2."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        ["sh", "-c", f"{sys.executable} -m wsdiag analyze - <&-"], env=env, capture_output=True, timeout=120
    )
    _one_error(proc, "standard input is closed")



@pytest.mark.parametrize("cmd", ["analyze", "check", "events", "compare"])
def test_stdout_appended_to_an_input_is_refused(tmp_path: Path, cmd: str) -> None:
    """`wsdiag analyze m.log >> m.log`: stdout is the log itself; refused, the log untouched."""
    (tmp_path / "m.log").write_bytes(OUTAGE)
    argv = [cmd, "m.log", "--year", "2025"] + ([STORM] if cmd == "compare" else [])
    with (tmp_path / "m.log").open("ab") as log:
        proc = _wsdiag(*argv, cwd=tmp_path, stdout=log.fileno())
    _one_error(proc, "standard output is one of the inputs")
    assert (tmp_path / "m.log").read_bytes() == OUTAGE
