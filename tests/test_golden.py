"""Every command's output on the sample logs and on generated logs of every layout is, byte for
byte, the output saved in tests/golden/: moving code around changes no report.

A change that means to change a report updates the saved outputs on purpose:
``python -m tests.test_golden`` rewrites them, and the diff shows what changed.
"""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import ROOT, SAMPLES
from tests.minerlog import console_of, make_log
from wsdiag import __version__
from wsdiag.cli import app

sys.path.insert(0, str(ROOT / "benchmarks"))
import genlog

GOLDEN = ROOT / "tests" / "golden"
EXITS = GOLDEN / "exits.json"
YEAR = ("--year", "2025")


@dataclass(frozen=True)
class Case:
    """One command line, run in ``where`` (``samples``: the repository; ``generated``: the
    folder of generated logs), so that every path in the output is relative."""

    name: str
    args: tuple[str, ...]
    where: str = "samples"


def _sample_cases() -> list[Case]:
    out: list[Case] = []
    for log in sorted(SAMPLES.glob("*.log")):
        path = f"sample_logs/{log.name}"
        stem = log.stem
        for fmt in ("json", "text", "markdown", "github", "html"):
            out.append(Case(f"{stem}.analyze.{fmt}", ("analyze", path, "--format", fmt, *YEAR)))
        for fmt in ("json", "text"):
            out.append(Case(f"{stem}.check.{fmt}", ("check", path, "--format", fmt, *YEAR)))
        out.append(Case(f"{stem}.events.jsonl", ("events", path, *YEAR)))
    out += [
        Case("all.analyze.json", ("analyze", "sample_logs", "--format", "json", *YEAR)),
        Case("all.analyze.text", ("analyze", "sample_logs", *YEAR)),
        Case("all.per-file.json", ("analyze", "sample_logs", "--per-file", "--format", "json", *YEAR)),
        Case("all.per-file.check.text", ("check", "sample_logs", "--per-file", *YEAR)),
        Case("all.per-file.check.markdown", ("check", "sample_logs", "--per-file", "-f", "markdown", *YEAR)),
        Case("all.per-file.check.github", ("check", "sample_logs", "--per-file", "-f", "github", *YEAR)),
        Case("all.events.tsv", ("events", "sample_logs", "--format", "tsv", *YEAR)),
        Case(
            "storm.check.thresholds.text",
            ("check", "sample_logs/storm_37conn.log", "--max-reconnects-per-hour", "10", "--max-connections", "40", *YEAR),
        ),
        Case("storm.analyze.bucket.json", ("analyze", "sample_logs/storm_37conn.log", "--bucket", "10m", "-f", "json", *YEAR)),
        Case("outage.analyze.since.text", ("analyze", "sample_logs/outage.log", "--since", "30m", *YEAR)),
    ]
    for fmt in ("text", "json", "markdown"):
        pair = ("sample_logs/storm_37conn.log", "sample_logs/healthy_2conn.log")
        out.append(Case(f"compare.{fmt}", ("compare", *pair, "--format", fmt, *YEAR)))
    return out


GENERATED = [(layout, level) for layout in genlog.LAYOUTS for level in genlog.LEVELS]


def _generated_cases() -> list[Case]:
    out: list[Case] = []
    for layout, level in GENERATED:
        name = f"gen_{layout}_{level}.log"
        for fmt in ("json", "text", "markdown"):
            out.append(Case(f"{name[:-4]}.analyze.{fmt}", ("analyze", name, "--format", fmt, *YEAR), "generated"))
        out.append(Case(f"{name[:-4]}.events.jsonl", ("events", name, *YEAR), "generated"))
    for fmt in ("json", "text"):
        out.append(Case(f"same_run.analyze.{fmt}", ("analyze", "miner.log", "console.log", "-f", fmt, *YEAR), "generated"))
    out.append(Case("same_run.events.jsonl", ("events", "console.log", "miner.log", *YEAR), "generated"))
    return out


CASES = _sample_cases() + _generated_cases()


def generate(folder: Path) -> None:
    """The generated logs: each layout and level (genlog, fixed seeds, 300-400 KB each; a DEBUG
    log of 12 connections, so that its start-up LISTENs leave room for failures), and one run's
    file log with its console copy (the same run twice)."""
    for n, (layout, level) in enumerate(GENERATED):
        debug = level == "DEBUG"
        cfg = genlog.GenConfig(
            seed=13 + n,
            size=400_000 if debug else 300_000,
            layout=layout,
            level=level,
            connections=12 if debug else 37,
            failure_rate=0.01,
            outages=2,
        )
        with (folder / f"gen_{layout}_{level}.log").open("wb") as fh:
            genlog.generate(cfg, fh)
    log = make_log(3.0, {"connection_reset": 3, "ping_pong": 2, "timeout": 1})
    (folder / "miner.log").write_text(log.text)
    (folder / "console.log").write_text(console_of(log.text))


@contextmanager
def _cwd(path: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def run(case: Case, generated: Path) -> tuple[bytes, str, int]:
    """(stdout, stderr, exit status) of the command, as a pipe would get them (120 columns)."""
    with _cwd(ROOT if case.where == "samples" else generated):
        result = CliRunner().invoke(app, list(case.args), env={"NO_COLOR": "1", "COLUMNS": "120"})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    out = result.stdout_bytes.replace(f"wsdiag {__version__}".encode(), b"wsdiag <version>")
    out = out.replace(f'"version": "{__version__}"'.encode(), b'"version": "<version>"')
    return out, result.stderr, result.exit_code


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("golden")
    generate(folder)
    return folder


EXPECTED_EXITS: dict[str, dict[str, object]] = json.loads(EXITS.read_text()) if EXITS.exists() else {}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_output_is_the_saved_one(case: Case, generated: Path) -> None:
    """stdout, stderr and the exit status are those saved in tests/golden/."""
    out, err, code = run(case, generated)
    saved = GOLDEN / case.name
    assert saved.exists(), f"no saved output for {case.name}: python -m tests.test_golden"
    assert out == saved.read_bytes()
    assert {"exit": code, "stderr": err} == EXPECTED_EXITS[case.name]


def test_every_saved_output_has_a_case() -> None:
    """No saved output is left behind by a case that was renamed or removed."""
    names = {c.name for c in CASES}
    assert {p.name for p in GOLDEN.iterdir() if p != EXITS} == names
    assert set(EXPECTED_EXITS) == names


def update() -> None:
    """Rewrite tests/golden/ from the current code."""
    import tempfile

    GOLDEN.mkdir(exist_ok=True)
    for old in GOLDEN.iterdir():
        old.unlink()
    exits: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp))
        for case in CASES:
            out, err, code = run(case, Path(tmp))
            (GOLDEN / case.name).write_bytes(out)
            exits[case.name] = {"exit": code, "stderr": err}
    buf = io.StringIO()
    json.dump(exits, buf, indent=1, sort_keys=True, ensure_ascii=True)
    EXITS.write_text(buf.getvalue() + "\n")


if __name__ == "__main__":
    update()
