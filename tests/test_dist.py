"""The distributions as PyPI would get them: `python -m build` makes an sdist and a wheel from it,
both pass `twine check`, and the wheel installs into a fresh venv where wsdiag reads a sample log.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLES
from wsdiag import __version__


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """sdist and wheel, the wheel built from the unpacked sdist (build's default), in isolation."""
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
        capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    return out


def _sdist(dist: Path) -> Path:
    (path,) = dist.glob(f"wsdiag-{__version__}.tar.gz")
    return path


def _wheel(dist: Path) -> Path:
    (path,) = dist.glob(f"wsdiag-{__version__}-*.whl")
    return path


def test_sdist_holds_what_the_build_and_tests_need(dist: Path) -> None:
    """The sdist has the C filter's source and stub, the licence, the README, and the test suite's data."""
    with tarfile.open(_sdist(dist)) as tar:
        names = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
    assert {
        "setup.py", "pyproject.toml", "README.md", "LICENSE",
        "wsdiag/_lines.c", "wsdiag/_lines.pyi", "wsdiag/py.typed",
        "tests/conftest.py", "sample_logs/EXPECTED.json", "benchmarks/genlog.py", "action.yml",
    } <= names
    assert not [n for n in names if n.endswith((".so", ".pyd", ".pyc"))]


def test_wheel_holds_the_package(dist: Path) -> None:
    """The wheel has the built C filter (where a compiler is), its stub, py.typed and the licence; no C source."""
    with zipfile.ZipFile(_wheel(dist)) as whl:
        names = set(whl.namelist())
    assert {"wsdiag/cli/__init__.py", "wsdiag/_lines.pyi", "wsdiag/py.typed",
            f"wsdiag-{__version__}.dist-info/licenses/LICENSE"} <= names
    assert "wsdiag/_lines.c" not in names
    assert not [n for n in names if n.startswith("tests/")]
    if shutil.which("cc") or shutil.which("gcc"):
        assert [n for n in names if n.startswith("wsdiag/_lines.") and n.endswith((".so", ".pyd"))]


def test_twine_check(dist: Path) -> None:
    """Both distributions pass `twine check --strict` (metadata and README render on PyPI)."""
    proc = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", str(_sdist(dist)), str(_wheel(dist))],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("PASSED") == 2


def test_wheel_runs_in_a_fresh_venv(dist: Path, tmp_path: Path) -> None:
    """The wheel installs into a new venv, and its wsdiag console script analyses a sample log."""
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    subprocess.run(
        [str(bindir / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         str(_wheel(dist))],
        check=True, env=env, timeout=600,
    )
    proc = subprocess.run(
        [str(bindir / "wsdiag"), "analyze", str(SAMPLES / "outage.log"), "--year", "2025", "--format", "json"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["connections"]["pool_size"] == 4
    assert doc["failures"]["total"] == 17
    where = subprocess.run(
        [str(bindir / "python"), "-c", "import wsdiag; print(wsdiag.__file__)"],
        capture_output=True, text=True, env=env, cwd=tmp_path, check=True,
    ).stdout
    assert where.startswith(str(env_dir))  # the installed wheel, not this source tree
