"""The linters' verdicts are part of the suite, so CI (which runs the suite) holds them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("WSDIAG_PURE_PYTHON")), reason="the code is the same on both scan paths: linted once"
)


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_is_clean() -> None:
    """ruff (rules and limits in pyproject.toml) finds nothing in the package, tests, benchmarks, scripts."""
    ruff = shutil.which("ruff") or pytest.fail("ruff is a test extra: pip install -e '.[test]'")
    done = _run(ruff, "check", "--no-cache", "wsdiag", "tests", "benchmarks", "scripts")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_strict_is_clean() -> None:
    """mypy --strict (configured in pyproject.toml) finds no type error."""
    done = _run(sys.executable, "-m", "mypy")
    assert done.returncode == 0, done.stdout + done.stderr
