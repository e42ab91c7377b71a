"""Shared helpers: run the library or the CLI on log text written to a temporary file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import wsdiag

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_logs"
CORPUS = ROOT.parent / "shared" / "corpus" / "real"


def diagnose_text(tmp_path: Path, text: str | bytes, year: int | None = 2025, name: str = "miner.log") -> dict[str, Any]:
    """Analyse log text through the whole library and return the wsdiag/1 document."""
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return wsdiag.diagnose(path, year=year, jobs=1).to_dict()


def run_cli(*args: str, stdin: bytes | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run `python -m wsdiag ARGS` as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "wsdiag", *args],
        input=stdin,
        capture_output=True,
        timeout=120,
        env=env,
        cwd=ROOT,
    )


def cli_json(*args: str) -> dict[str, Any]:
    """`wsdiag analyze --format json ARGS` parsed."""
    proc = run_cli("analyze", "--format", "json", *args)
    assert proc.returncode == 0, proc.stderr.decode()
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


@pytest.fixture
def corpus() -> Path:
    """The shared real-log corpus; tests using it skip when it is absent."""
    if not (CORPUS / "truth.json").exists():
        pytest.skip("shared corpus not available")
    return CORPUS
