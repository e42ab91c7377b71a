"""`wsdiag analyze` end to end: exit codes, version, module entry point, stdin."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.conftest import SAMPLES, run_cli
from wsdiag import __version__
from wsdiag.parse.records import FAILURE_CLASSES


def test_version() -> None:
    """`wsdiag --version` prints the version and which line filter this run uses."""
    proc = run_cli("--version")
    assert proc.returncode == 0
    path = (
        "pure-Python line filter: the C one is WSDIAG_PURE_PYTHON is set"
        if os.environ.get("WSDIAG_PURE_PYTHON")
        else "C line filter"
    )
    assert proc.stdout.decode().strip() == f"wsdiag {__version__} ({path})"


def test_analyze_sample_text_exit_zero() -> None:
    """Analysing a log exits 0 whatever it finds, report on stdout, nothing on stderr."""
    proc = run_cli("analyze", str(SAMPLES / "storm_37conn.log"))
    assert proc.returncode == 0
    assert b"too-many-connections" in proc.stdout
    assert proc.stderr == b""


def test_json_contract_keys() -> None:
    """The JSON document has every key of schema wsdiag/1, with integer counts."""
    proc = run_cli("analyze", "--format", "json", str(SAMPLES / "outage.log"))
    doc = json.loads(proc.stdout)
    assert doc["schema"] == "wsdiag/1"
    assert set(doc) >= {"inputs", "span", "connections", "failures", "reconnects", "topics", "findings"}
    assert set(doc["inputs"][0]) >= {"path", "layout", "lines", "records", "unrecognized"}
    assert set(doc["span"]) == {"first", "last", "hours", "year_assumed"}
    assert set(doc["connections"]) >= {"ids", "distinct", "pool_size", "per_connection"}
    assert list(doc["failures"]["by_class"]) == list(FAILURE_CLASSES)  # every class, always
    assert len(doc["failures"]["by_class"]) == 13
    assert "rejected" in doc["failures"]["by_class"]
    assert all(isinstance(v, int) for v in doc["failures"]["by_class"].values())
    assert set(doc["topics"]) >= {"listened", "per_connection", "streamers", "estimate"}
    assert set(doc["reconnects"]) == {"count", "per_hour", "unknown"}
    assert set(doc["diagnosis"]) == {"primary", "causes"}
    assert doc["diagnosis"] == {"primary": "network-instability", "causes": ["network-instability"]}
    for f in doc["findings"]:
        assert set(f) >= {"id", "severity", "title", "evidence", "recommendation"}
        assert set(f) >= {"kind", "explains", "because_of"}


def test_missing_file_exits_2_with_one_line() -> None:
    """A missing path gives exit 2 and a single line naming it."""
    proc = run_cli("analyze", "no/such/file.log")
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert err.count("\n") == 1
    assert "no/such/file.log" in err
    assert "Traceback" not in err


def test_not_a_miner_log_exits_2(tmp_path: Path) -> None:
    """A file with nothing recognisable as a miner log gives exit 2."""
    path = tmp_path / "notes.txt"
    path.write_text("hello\nthis is not a log\n")
    proc = run_cli("analyze", str(path))
    assert proc.returncode == 2
    assert "nothing recognisable" in proc.stderr.decode()


def test_records_without_timestamps_are_a_log(tmp_path: Path) -> None:
    """Pasted records without times still analyse: exit 0 and null span values."""
    path = tmp_path / "pasted.log"
    path.write_text("#0 - WebSocket error: [Errno 32] Broken pipe\n#0 - WebSocket closed\n")
    proc = run_cli("analyze", "--format", "json", str(path))
    assert proc.returncode == 0
    doc = json.loads(proc.stdout)
    assert doc["span"] == {"first": None, "last": None, "hours": None, "year_assumed": False}
    assert doc["failures"]["by_class"]["broken_pipe"] == 1
    assert doc["reconnects"]["per_hour"] is None


def test_stdin_dash() -> None:
    """`-` reads the log from standard input."""
    data = (SAMPLES / "bad_auth.log").read_bytes()
    proc = run_cli("analyze", "--format", "json", "-", stdin=data)
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["failures"]["by_class"]["bad_auth"] == 3


def test_less_log_reports_assumed_year() -> None:
    """A year-less log without --year reports the year as assumed."""
    proc = run_cli("analyze", "--format", "json", str(SAMPLES / "less_rollover.log"))
    assert json.loads(proc.stdout)["span"]["year_assumed"] is True
    proc = run_cli("analyze", "--format", "json", "--year", "2025", str(SAMPLES / "less_rollover.log"))
    span = json.loads(proc.stdout)["span"]
    assert (span["year_assumed"], span["first"][:4], span["last"][:4]) == (False, "2025", "2026")


def test_threshold_override() -> None:
    """--max-connections raises the connection limit the findings use."""
    proc = run_cli("analyze", "--format", "json", "--max-connections", "40", str(SAMPLES / "storm_37conn.log"))
    ids = [f["id"] for f in json.loads(proc.stdout)["findings"]]
    assert "too-many-connections" not in ids
