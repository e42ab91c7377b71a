"""The library API: wsdiag.diagnose and wsdiag.events are what the CLI reports."""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import wsdiag
from tests.conftest import ROOT, SAMPLES, cli_json, run_cli

EXPECTED = json.loads((SAMPLES / "EXPECTED.json").read_text())


def test_diagnose_is_the_json_analyze_writes() -> None:
    """`diagnose(paths).to_dict()` is the document `wsdiag analyze --format json` writes."""
    paths = [str(SAMPLES / "outage.log"), str(SAMPLES / "storm_37conn.log")]
    assert wsdiag.diagnose(paths, jobs=1).to_dict() == cli_json(*paths)


@pytest.mark.parametrize("name", ["storm_37conn.log", "outage.log", "docker_compose.log"])
def test_diagnose_counts_what_the_samples_hold(name: str) -> None:
    """A sample log diagnosed through the API has its hand-counted pool, failures and cause."""
    want = EXPECTED[name]
    d = wsdiag.diagnose(SAMPLES / name)
    assert d.summary.pool_size == want["pool_size"]
    assert d.to_dict()["failures"]["total"] == want["failures_total"]
    assert d.primary is not None
    assert d.primary.id in want["diagnosis"]["primary"]


def test_diagnose_window_and_thresholds() -> None:
    """`since` keeps the records from then on; `thresholds` move a cause's limit."""
    log = SAMPLES / "storm_37conn.log"
    whole = wsdiag.diagnose(log).to_dict()
    later = wsdiag.diagnose(log, since="2025-11-21T21:00:00").to_dict()
    assert later["window"] == {"since": "2025-11-21T21:00:00", "until": None}
    assert 0 < later["failures"]["total"] < whole["failures"]["total"]
    roomy = wsdiag.diagnose(log, thresholds=wsdiag.Thresholds(max_connections=40))
    assert "too-many-connections" not in [f.id for f in roomy.causes]


def test_diagnose_year_of_a_year_less_log(tmp_path: Path) -> None:
    """`year` dates a log whose timestamps have none."""
    log = tmp_path / "console.log"
    log.write_text(
        "21/11 19:00:03 - INFO - [on_open]: #0 - WebSocket opened\n"
        "21/11 19:05:00 - ERROR - [on_error]: #0 - WebSocket error: [Errno 32] Broken pipe\n"
    )
    span = wsdiag.diagnose(log, year=2023).to_dict()["span"]
    assert span["first"] == "2023-11-21T19:00:03"


def test_diagnose_unreadable_input_is_an_input_error(tmp_path: Path) -> None:
    """A missing file raises InputError with a one-line message naming it; no other exception."""
    missing = tmp_path / "nope.log"
    with pytest.raises(wsdiag.InputError, match=r"nope\.log") as caught:
        wsdiag.diagnose(missing)
    assert "\n" not in str(caught.value)
    with pytest.raises(wsdiag.InputError, match="--since"):
        wsdiag.diagnose(SAMPLES / "outage.log", since="yesterday-ish")


def test_events_are_the_lines_events_writes() -> None:
    """`events(paths)` yields, in order, the events `wsdiag events --format jsonl` writes."""
    log = str(SAMPLES / "storm_37conn.log")
    proc = run_cli("events", "--format", "jsonl", log)
    assert proc.returncode == 0
    lines = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    events = [ev.to_dict() for ev in wsdiag.events(log)]
    assert events == lines
    assert len(events) == EXPECTED["storm_37conn.log"]["failures_total"]


def test_wsdiag_diagnose_is_the_function_after_every_module_is_imported() -> None:
    """The subpackage wsdiag.diagnose never hides the function wsdiag.diagnose."""
    for mod in pkgutil.walk_packages(wsdiag.__path__, "wsdiag."):
        if not mod.name.startswith("wsdiag.__main__"):
            importlib.import_module(mod.name)
    assert callable(wsdiag.diagnose)
    assert wsdiag.diagnose(SAMPLES / "outage.log", jobs=1).summary.pool_size == EXPECTED["outage.log"]["pool_size"]


def test_importing_wsdiag_reads_no_log_machinery() -> None:
    """`import wsdiag` (and so `wsdiag --help`) loads the API's modules only on first use."""
    code = "import sys, wsdiag; print(sorted(m for m in sys.modules if m.startswith('wsdiag.')))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True, cwd=ROOT)
    assert proc.stdout.decode().strip() == "['wsdiag.version']"
