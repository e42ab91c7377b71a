"""wsdiag's own messages: empty inputs, limits that are not limits, paths, unreadable lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import SAMPLES, run_cli
from tests.minerlog import make_log
from wsdiag.cli import app

runner = CliRunner()
STORM = str(SAMPLES / "storm_37conn.log")
THRESHOLDS = ["--max-connections", "--topics-per-connection", "--network-min", "--ping-min", "--storm-rate"]


def _err(proc_stderr: bytes) -> str:
    return proc_stderr.decode("utf-8", "replace")


# -- empty inputs ----------------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"\n\n  \n"], ids=["no-bytes", "blank-lines"])
def test_analyze_of_an_empty_log_says_empty(tmp_path: Path, content: bytes) -> None:
    """A log just rotated: exit 2, and the message says `empty`, not `nothing recognisable`."""
    path = tmp_path / "miner.log"
    path.write_bytes(content)
    proc = run_cli("analyze", str(path))
    assert proc.returncode == 2
    assert proc.stdout == b""
    assert _err(proc.stderr) == f"wsdiag: error: {path}: empty: no log lines to analyse\n"


def test_check_on_only_empty_inputs_passes_with_a_warning(tmp_path: Path) -> None:
    """check: exit 0, a warning on stderr, a report that says there was nothing to check."""
    (tmp_path / "miner.log").write_bytes(b"")
    (tmp_path / "miner.log.2025-11-28").write_bytes(b"\n")
    proc = run_cli("check", str(tmp_path))
    assert proc.returncode == 0
    err = _err(proc.stderr).splitlines()
    assert err == [
        f"wsdiag: warning: {tmp_path}/miner.log: empty: nothing to check",
        f"wsdiag: warning: {tmp_path}/miner.log.2025-11-28: empty: nothing to check",
    ]
    out = proc.stdout.decode()
    assert out.splitlines()[-1].startswith("wsdiag check: passed: nothing to check, no input has a line")
    doc = json.loads(run_cli("check", "-f", "json", str(tmp_path)).stdout)
    assert doc["check"]["passed"] is True
    assert len(doc["check"]["empty_inputs"]) == 2
    assert doc["verdict"] == "ok"


def test_check_strict_refuses_an_empty_input(tmp_path: Path) -> None:
    """--strict: an empty input, even beside a good one, is exit 2 naming it."""
    empty = tmp_path / "miner.log"
    empty.write_bytes(b"")
    proc = run_cli("check", "--strict", str(empty), STORM)
    assert proc.returncode == 2
    assert _err(proc.stderr) == (
        f"wsdiag: error: {empty}: empty (--strict: every input must be a miner log)\n"
    )
    assert run_cli("check", "--strict", STORM).returncode == 1  # a real log is checked as ever


def test_an_empty_log_beside_a_good_one_is_a_warning(tmp_path: Path) -> None:
    """The empty one is named as empty on stderr; the other is analysed."""
    empty = tmp_path / "miner.log"
    empty.write_bytes(b"")
    proc = run_cli("analyze", "-f", "json", str(empty), STORM)
    assert proc.returncode == 0
    assert f"wsdiag: warning: {empty}: empty\n" in _err(proc.stderr)
    assert json.loads(proc.stdout)["failures"]["total"] == 46


def test_events_of_an_empty_log_says_empty(tmp_path: Path) -> None:
    """events: exit 2 with `empty`."""
    path = tmp_path / "miner.log"
    path.write_bytes(b"")
    proc = run_cli("events", str(path))
    assert proc.returncode == 2
    assert _err(proc.stderr) == f"wsdiag: error: {path}: empty: no log lines to export\n"


# -- thresholds -------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["analyze", "check", "compare", "watch"])
@pytest.mark.parametrize("option", THRESHOLDS)
@pytest.mark.parametrize("value", ["-1", "0"])
def test_a_threshold_must_be_above_zero(command: str, option: str, value: str) -> None:
    """Every command: exit 2, one line naming the option, before any input is read."""
    paths = [STORM, STORM] if command == "compare" else [STORM]
    res = runner.invoke(app, [command, *paths, option, value])
    assert res.exit_code == 2, res.output
    assert res.stderr.startswith(f"wsdiag: error: {option} {value}")
    assert res.stderr.count("\n") == 1
    assert "must be a number " in res.stderr
    assert res.stdout == ""


def test_max_reconnects_per_hour_must_be_above_zero() -> None:
    """check's own limit too."""
    res = runner.invoke(app, ["check", STORM, "--max-reconnects-per-hour", "-3"])
    assert res.exit_code == 2
    assert res.stderr == "wsdiag: error: --max-reconnects-per-hour -3.0: must be a number at least 0\n"


def test_a_limit_set_by_the_user_is_named_as_theirs() -> None:
    """--max-connections 20 on a 37-connection pool: the finding says `your limit`, never that
    Twitch allows 20."""
    proc = run_cli("check", STORM, "--max-connections", "20")
    out = proc.stdout.decode()
    assert proc.returncode == 1
    assert "Twitch allows 20" not in out
    assert (
        "FAIL too-many-connections: 37 connections, limit 20 (--max-connections): 37 PubSub connections "
        "open; your limit is 20 (--max-connections; Twitch allows 10 per IP)"
    ) in out
    default = run_cli("check", STORM).stdout.decode()
    assert "37 PubSub connections open; Twitch allows 10 per IP" in default


# -- paths and wsdiag's own messages ----------------------------------------------------------


@pytest.mark.parametrize("name", ["passwd", "password", "token", "auth_token", "secret.log"])
def test_own_messages_are_never_redacted(tmp_path: Path, name: str) -> None:
    """`wsdiag analyze /etc/passwd` says what the file is, naming it as given: the redactor
    runs on log text only."""
    path = tmp_path / name
    path.write_text("root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n")
    proc = run_cli("analyze", str(path))
    assert proc.returncode == 2
    err = _err(proc.stderr)
    assert "<redacted>" not in err
    assert err == f"wsdiag: error: {path}: nothing recognisable as a Twitch Channel Points Miner log\n"


def test_a_missing_path_with_a_token_like_name_is_named_as_given(tmp_path: Path) -> None:
    """The path is the user's own text: shown whole."""
    path = tmp_path / "auth_token=abcdef123456.log"
    proc = run_cli("analyze", str(path))
    assert _err(proc.stderr) == f"wsdiag: error: {path}: no such file or directory\n"


def test_control_characters_in_paths_are_escaped(tmp_path: Path) -> None:
    """A path cannot drive the terminal: ESC and BEL become visible escapes."""
    path = tmp_path / "evil\x1b]0;pwned\x07.log"
    proc = run_cli("analyze", str(path))
    err = _err(proc.stderr)
    assert "\x1b" not in err
    assert "\x07" not in err
    assert "evil\\x1b]0;pwned\\x07.log: no such file or directory" in err


# -- unreadable lines -------------------------------------------------------------------------


def test_unrecognized_lines_are_a_warning_quoting_the_first(tmp_path: Path) -> None:
    """On stderr, never stdout: how many lines were skipped and the first, redacted and escaped."""
    log = make_log(1.0, {"connection_reset": 2}).text
    junk = 'garbage "auth_token":"abcdefghijklmnopqrstuvwxyz0123" \x1b[31mred\n' + "more junk\n"
    path = tmp_path / "miner.log"
    path.write_text(junk + log + "x" * 70_000 + "\n")
    for fmt in ("text", "json", "markdown"):
        proc = run_cli("analyze", "-f", fmt, str(path))
        assert proc.returncode == 0
        assert b"unrecognized line" not in proc.stdout
        assert b"unreadable" not in proc.stdout
    err = _err(proc.stderr)
    assert err == (
        f"wsdiag: warning: {path}: 3 unrecognized lines skipped (1 too long to read); the first: "
        '"garbage \\"auth_token\\":\\"<redacted>\\" red"\n'
    )
    assert "abcdefghij" not in err


def test_one_unrecognized_line_is_one_line(tmp_path: Path) -> None:
    """`1 unrecognized line`."""
    path = tmp_path / "miner.log"
    path.write_text("hello\n" + make_log(0.5, {"timeout": 2}).text)
    err = _err(run_cli("analyze", "-f", "json", str(path)).stderr)
    assert f"{path}: 1 unrecognized line skipped; the first: \"hello\"" in err


# -- folders ----------------------------------------------------------------------------------


def test_a_folder_without_logs_points_to_its_logs_folder(tmp_path: Path) -> None:
    """The miner's folder (run.py, cookies/, logs/): the message suggests logs/."""
    (tmp_path / "run.py").write_text("# miner\n")
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "user.log").write_text(make_log(0.5, {"timeout": 2}).text)
    proc = run_cli("analyze", str(tmp_path))
    assert proc.returncode == 2
    assert _err(proc.stderr) == (
        f"wsdiag: error: {tmp_path}: directory has no *.log* files; its logs/ folder may hold them: "
        f"{tmp_path}/logs/\n"
    )
    bare = tmp_path / "empty-dir"
    bare.mkdir()
    assert _err(run_cli("analyze", str(bare)).stderr) == f"wsdiag: error: {bare}: directory has no *.log* files\n"
