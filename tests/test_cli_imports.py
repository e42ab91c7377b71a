"""Start-up: a run imports only what it uses, since every `wsdiag` run pays for its imports
(on a 256 MiB log they were ~0.2 s of a ~0.5 s run)."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLES

# Runs the CLI in a fresh interpreter and writes the names of the modules it imported.
_PROBE = """
import sys
from wsdiag.cli import main
try:
    main(sys.argv[2:])
except SystemExit:
    pass
with open(sys.argv[1], "w") as fh:
    fh.write("\\n".join(sys.modules))
"""

#: What no JSON report needs: rich (tables, consoles), the other reporters, compare and watch.
NOT_FOR_JSON = [
    "rich",
    "rich.console",
    "rich.table",
    "wsdiag.report.text",
    "wsdiag.report.html",
    "wsdiag.report.markdown",
    "wsdiag.report.compare",
    "wsdiag.commands.compare",
    "wsdiag.commands.check",
    "wsdiag.commands.watch",
    "wsdiag.read.follow",
    "wsdiag.cli.sinks",
    # Needed only by a parallel scan (pickle), --output FILE and a copy of stdin (tempfile).
    "pickle",
    "tempfile",
    # Telling whether inputs are one run takes two inputs at least.
    "wsdiag.summary.same_run",
]
#: What printing the version or the help needs none of: the scanner, the inputs, the reporters,
#: the diagnosis engine (the threshold options' defaults come from `diagnose.thresholds` alone).
NOT_FOR_HELP = [
    "rich",
    "wsdiag.diagnose.engine",
    "wsdiag.diagnose.causes",
    "wsdiag.read.scan",
    "wsdiag.read.sources",
    "wsdiag.pipeline",
    "wsdiag.commands.analyze",
    "wsdiag.commands.watch",
    "wsdiag.report.compare",
    "wsdiag.report.json",
]


def _imported(tmp_path: Path, *args: str) -> set[str]:
    """The modules `wsdiag ARGS` imports, run in a child (its stdout thrown away)."""
    listing = tmp_path / "modules.txt"
    subprocess.run(
        [sys.executable, "-c", _PROBE, str(listing), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=120,
        check=False,
    )
    return set(listing.read_text(encoding="utf-8").split("\n"))


def test_a_json_report_imports_no_rich_table_html_compare_or_watch(tmp_path: Path) -> None:
    """`analyze --format json` of one log imports the JSON reporter and not rich, the other
    reporters, compare, check, watch, nor what only parallel scans, --output or several inputs
    need."""
    mods = _imported(tmp_path, "analyze", "--format", "json", str(SAMPLES / "storm_37conn.log"))
    assert "wsdiag.report.json" in mods  # it did write the report
    assert [m for m in NOT_FOR_JSON if m in mods] == []


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["analyze", "--help"]])
def test_version_and_help_import_no_scanner(tmp_path: Path, args: list[str]) -> None:
    """`--version` and `--help` import neither the scanner nor the inputs nor any reporter,
    nor the diagnosis engine."""
    mods = _imported(tmp_path, *args)
    assert "wsdiag.cli" in mods
    assert [m for m in NOT_FOR_HELP if m in mods] == []


def test_a_text_report_does_import_rich(tmp_path: Path) -> None:
    """The probe sees what a run imports: the text report loads rich's console."""
    mods = _imported(tmp_path, "analyze", "--format", "text", str(SAMPLES / "storm_37conn.log"))
    assert {"rich.console", "wsdiag.report.text"} <= mods


def test_the_diagnose_packages_exports_load_on_first_use() -> None:
    """Each name `wsdiag.diagnose` exports is, on first use, its defining module's object."""
    package = importlib.import_module("wsdiag.diagnose")
    for name in package.__all__:
        module = importlib.import_module(f"wsdiag.diagnose.{package._EXPORTS[name]}")
        assert getattr(package, name) is getattr(module, name)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = package.nothing


def test_the_commands_annotations_are_objects_not_strings() -> None:
    """Typer reads every command's annotations on every run: they are objects, not strings it
    would eval each time (as `from __future__ import annotations` in wsdiag.cli makes them)."""
    from wsdiag.cli import app

    callbacks = [c.callback for c in app.registered_commands]
    assert len(callbacks) == 5
    for callback in callbacks:
        function = getattr(callback, "__wrapped__", callback)  # with_thresholds wraps some
        assert [n for n, a in function.__annotations__.items() if isinstance(a, str)] == [], function
