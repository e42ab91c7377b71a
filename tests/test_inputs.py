"""Inputs like the best log tools: many paths, directories, rotated files, compression, stdin."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import os
import pty
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import ROOT, SAMPLES, run_cli
from wsdiag.cli import app
from wsdiag.diagnosis import Diagnosis
from wsdiag.pipeline import Options, analyze
from wsdiag.sources import resolve

runner = CliRunner()

# Year-less ("less") halves cannot be ordered: the second half's year is guessed on its own.
HALVABLE = sorted(p.name for p in SAMPLES.glob("*.log") if p.name != "less_rollover.log")


def counts(doc: dict[str, Any]) -> dict[str, Any]:
    """Everything an analysis counts, without the per-input bookkeeping."""
    return {
        "failures": doc["failures"],
        "reconnects": doc["reconnects"]["count"],
        "closes": doc["closes"],
        "connections": doc["connections"],
        "span": (doc["span"]["first"], doc["span"]["last"]),
        "topics": doc["topics"]["listened"],
        "streamers": doc["topics"]["streamers"],
        "findings": sorted(f["id"] for f in doc["findings"]),
    }


def lib_doc(*paths: Path) -> dict[str, Any]:
    summary = analyze(resolve([str(p) for p in paths]), Options(year=2025, jobs=1))
    return Diagnosis.of(summary).to_dict()


def cli_doc(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["analyze", "--format", "json", "--year", "2025", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def split(src: Path, at: int, tmp: Path) -> tuple[Path, Path]:
    lines = src.read_bytes().splitlines(keepends=True)
    a, b = tmp / f"{src.stem}.a.log", tmp / f"{src.stem}.b.log"
    a.write_bytes(b"".join(lines[:at]))
    b.write_bytes(b"".join(lines[at:]))
    return a, b


def seams(src: Path) -> list[int]:
    """Cut points inside the runs the deduper folds: right after each error or echo line."""
    marks = (
        b"WebSocket error",
        b"goodbye",
        b"ERR_BAD",
        b"error from callback",
        b"WebSocket closed",
        b"The last PONG",
        b"Reconnection required",
    )
    lines = src.read_bytes().splitlines()
    found = [i + 1 for i, line in enumerate(lines[:-1]) if any(m in line for m in marks)][:6]
    return found or [len(lines) // 2]  # a log without failures: cut it in the middle


@pytest.mark.parametrize("name", HALVABLE)
def test_halves_in_either_order_count_as_the_whole(name: str, tmp_path: Path) -> None:
    """Two parts of a log, given in either order and cut inside an error/echo run, count as the whole."""
    src = SAMPLES / name
    whole = counts(lib_doc(src))
    cuts = seams(src)
    for at in cuts:
        a, b = split(src, at, tmp_path)
        assert counts(lib_doc(a, b)) == whole, at
        assert counts(lib_doc(b, a)) == whole, at


def test_cli_halves_in_reverse_order(tmp_path: Path) -> None:
    """`wsdiag analyze second first` reports the counts of the whole log and both inputs."""
    src = SAMPLES / "storm_37conn.log"
    a, b = split(src, 100, tmp_path)
    doc = cli_doc(str(b), str(a))
    assert counts(doc) == counts(cli_doc(str(src)))
    assert doc["failures"]["total"] == 46
    assert [i["path"] for i in doc["inputs"]] == [str(b), str(a)]
    assert sum(i["lines"] for i in doc["inputs"]) == 197


def test_directory_takes_rotated_and_compressed_logs(tmp_path: Path) -> None:
    """A directory gives all its *.log* files (rotated name.log.YYYY-MM-DD, .gz) and nothing else."""
    src = SAMPLES / "storm_37conn.log"
    lines = src.read_bytes().splitlines(keepends=True)
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "miner.log.2025-11-21").write_bytes(b"".join(lines[:70]))
    with gzip.open(logs / "miner.log.2025-11-22.gz", "wb") as fh:
        fh.write(b"".join(lines[70:140]))
    (logs / "miner.log").write_bytes(b"".join(lines[140:]))
    (logs / "notes.txt").write_text("not a log\n")
    (logs / ".miner.log.swp").write_text("editor swap file\n")
    doc = cli_doc(str(logs))
    assert sorted(Path(i["path"]).name for i in doc["inputs"]) == [
        "miner.log",
        "miner.log.2025-11-21",
        "miner.log.2025-11-22.gz",
    ]
    assert counts(doc) == counts(cli_doc(str(src)))


@pytest.mark.parametrize(
    ("codec", "compress"),
    [("gzip", gzip.compress), ("bz2", bz2.compress), ("xz", lzma.compress)],
)
def test_compressed_by_content_not_name(codec: str, compress: Any, tmp_path: Path) -> None:
    """gzip, bz2 and xz files are read by their content, whatever their name says."""
    src = SAMPLES / "outage.log"
    path = tmp_path / f"miner.{codec}.txt"  # a name that says nothing of the compression
    path.write_bytes(compress(src.read_bytes()))
    (source,) = resolve([str(path)])
    assert source.codec == codec
    doc = cli_doc(str(path))
    assert counts(doc) == counts(cli_doc(str(src)))
    assert doc["inputs"][0]["lines"] == 66


@pytest.mark.parametrize("compress", [gzip.compress, bz2.compress, lzma.compress])
def test_compressed_stdin_by_content(compress: Any) -> None:
    """A compressed log piped to `-` is decompressed, as a compressed file is."""
    src = SAMPLES / "outage.log"
    proc = run_cli("analyze", "--format", "json", "-", stdin=compress(src.read_bytes()))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert counts(doc) == counts(cli_doc(str(src)))
    assert doc["inputs"][0]["lines"] == 66


def test_dash_reads_stdin_next_to_files(tmp_path: Path) -> None:
    """`-` among paths reads standard input as one more input, merged in time order."""
    src = SAMPLES / "storm_37conn.log"
    a, b = split(src, 90, tmp_path)
    proc = run_cli("analyze", "--format", "json", "--year", "2025", "-", str(a), stdin=b.read_bytes())
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert counts(doc) == counts(cli_doc(str(src)))
    assert [i["path"] for i in doc["inputs"]] == ["<stdin>", str(a)]


def test_stdin_without_path_when_piped() -> None:
    """No path and a piped stdin: the log is read from stdin."""
    with (SAMPLES / "bad_auth.log").open("rb") as fh:
        proc = subprocess.run(
            [sys.executable, "-m", "wsdiag", "analyze", "--format", "json"],
            stdin=fh,
            capture_output=True,
            cwd=ROOT,
            timeout=60,
        )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["failures"]["by_class"]["bad_auth"] == 3


def test_no_path_and_terminal_stdin_exits_2() -> None:
    """No path and stdin is a terminal: exit 2 with one line saying what to give (no waiting)."""
    master, slave = pty.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "wsdiag", "analyze"],
            stdin=slave,
            capture_output=True,
            cwd=ROOT,
            timeout=60,
        )
    finally:
        os.close(slave)
        os.close(master)
    assert proc.returncode == 2
    assert proc.stderr.decode() == (
        "wsdiag: error: no input: give a log file, a directory, or - for standard input\n"
    )
