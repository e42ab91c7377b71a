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
from wsdiag.diagnose.diagnosis import Diagnosis
from wsdiag.pipeline import Options, analyze
from wsdiag.read.sources import resolve

runner = CliRunner()

# Year-less ("less") halves too: their years follow each other in the order of their dates.
HALVABLE = sorted(p.name for p in SAMPLES.glob("*.log"))


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


def test_one_file_under_several_names_counts_once(tmp_path: Path) -> None:
    """`F F`, a `latest.log` symlink next to its target and a hard link are one input: each
    count is the file's own, and the name shown is not the symlink's."""
    src = SAMPLES / "outage.log"
    ref = cli_doc(str(src))
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "miner.log").write_bytes(src.read_bytes())
    (logs / "latest.log").symlink_to("miner.log")
    os.link(logs / "miner.log", tmp_path / "hard.log")
    for args in ([str(src), str(src)], [str(logs)], [str(logs / "miner.log"), str(tmp_path / "hard.log")]):
        doc = cli_doc(*args)
        assert counts(doc) == counts(ref), args
        assert len(doc["inputs"]) == 1
        assert doc["inputs"][0]["lines"] == ref["inputs"][0]["lines"]
    assert [i["path"] for i in cli_doc(str(logs))["inputs"]] == [str(logs / "miner.log")]


@pytest.mark.parametrize("argv", [["analyze", "-", "-"], ["compare", "-", "-"], ["events", "-", "-"]])
def test_stdin_given_twice_is_refused(argv: list[str]) -> None:
    """Standard input can be read once: `- -` says so instead of blaming an empty second log."""
    proc = run_cli(*argv, stdin=(SAMPLES / "outage.log").read_bytes())
    assert proc.returncode == 2
    assert proc.stderr.decode() == "wsdiag: error: -: standard input given twice; it can be read only once\n"


def test_a_directory_of_many_files_names_a_few(tmp_path: Path) -> None:
    """2,000 inputs without records (the same holds for 10,000): a few are named, the rest
    counted, in warnings and in the report header; the verdict stays near the top."""
    d = tmp_path / "logs"
    d.mkdir()
    (d / "a.log").write_bytes((SAMPLES / "outage.log").read_bytes())
    for i in range(2_000):
        (d / f"x{i:04}.log").write_bytes(b"junk\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))

    def wsdiag(*args: str) -> subprocess.CompletedProcess[bytes]:
        cmd = [sys.executable, "-m", "wsdiag", "analyze", "logs", "--year", "2025", *args]
        return subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, timeout=120)

    proc = wsdiag()
    assert proc.returncode == 0, proc.stderr
    err = proc.stderr.decode().splitlines()
    assert len(err) == 6, err[:20]  # outage.log skips nothing: its traceback is a continuation
    assert err[-1] == "wsdiag: warning: 1,995 more inputs have no miner log records"
    out = proc.stdout.decode().splitlines()
    assert len(out) < 120
    assert "logs/x0003.log (unknown, 1 line); and 1,996 more inputs · " in out[1]
    assert out[3].startswith(" ERROR ")
    assert not any("unrecognized" in line for line in out)  # warnings are stderr's (#15)
    md = wsdiag("--format", "markdown").stdout.decode()
    assert md.count("\n") < 150
    assert "… and 1,981 more inputs" in md
    html = wsdiag("--format", "html").stdout.decode()
    assert len(html) < 100_000
    assert "and 1,996 more inputs" in html
    assert "… and 1,981 more inputs" in html


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("cut.log.bz2", bz2.compress((SAMPLES / "outage.log").read_bytes())[:40]),
        ("bad.log.gz", gzip.compress(b"")[:10] + b"\x00" * 50),
    ],
    ids=["truncated-bz2", "corrupt-gz"],
)
def test_an_unreadable_archive_names_the_read_error(tmp_path: Path, name: str, data: bytes) -> None:
    """A truncated bz2 or a corrupt gz says why reading stopped, not "nothing recognisable"."""
    path = tmp_path / name
    path.write_bytes(data)
    proc = run_cli("analyze", str(path))
    err = proc.stderr.decode()
    assert proc.returncode == 2, err
    assert err.count("\n") == 1, err
    assert err.startswith(f"wsdiag: error: {path}: cannot read ("), err
    assert "nothing recognisable" in err, err


CJK = "接続がリセットされました。再接続します。" * 20  # mostly CJK: 3 UTF-8 bytes a character


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_logs_count_like_their_utf8_twin(codec: str, tmp_path: Path) -> None:
    """UTF-16 and UTF-32, with or without a byte order mark, mostly CJK text: read (from a file
    and from stdin) and counted like the UTF-8 log (UTF-16 CJK raised BufferError; no BOM and
    UTF-32 were taken for binary)."""
    lines = (SAMPLES / "outage.log").read_text().splitlines()
    text = "\n".join(f"{line} {CJK}" if " - ERROR - " in line else line for line in lines) + "\n"
    twin = tmp_path / "utf8.log"
    twin.write_text(text, encoding="utf-8")
    path = tmp_path / f"{codec}.log"
    path.write_bytes(text.encode(codec))
    want = counts(cli_doc(str(twin)))
    assert counts(cli_doc(str(path))) == want
    proc = run_cli("analyze", "--format", "json", "--year", "2025", "-", stdin=path.read_bytes())
    assert proc.returncode == 0, proc.stderr
    assert counts(json.loads(proc.stdout)) == want


def test_unreadable_paths_are_one_line(tmp_path: Path) -> None:
    """A name over 255 characters, or a file in a folder without search permission: one line
    naming it, exit 2, for analyze and watch (Path.is_dir() raised)."""
    long_name = str(tmp_path / ("x" * 300 + ".log"))
    for argv in (["analyze", long_name], ["watch", long_name, "--exit-after", "1"]):
        res = runner.invoke(app, argv)
        assert res.exit_code == 2, res.output
        assert isinstance(res.exception, (SystemExit, type(None))), res.output
        assert res.stderr.startswith("wsdiag: error: "), res.stderr
        assert "File name too long" in res.stderr, res.stderr
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "miner.log").write_bytes((SAMPLES / "outage.log").read_bytes())
    locked.chmod(0o600)  # readable, not searchable
    try:
        if os.geteuid() == 0:  # root searches any folder: let a regular user try, if there is one
            proc = subprocess.run(
                ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-c",
                 "from wsdiag.cli import main; import sys; sys.argv=['wsdiag','analyze',sys.argv[1]]; main()",
                 str(locked / "miner.log")],
                capture_output=True, cwd="/", env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60,
            )  # fmt: skip
            if b"Permission denied" not in proc.stderr + proc.stdout or b"No module named" in proc.stderr:
                pytest.skip("no unprivileged user can run the tests here")
        else:
            proc = run_cli("analyze", str(locked / "miner.log"))
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.decode() == f"wsdiag: error: {locked / 'miner.log'}: cannot read (Permission denied)\n"
    finally:
        locked.chmod(0o700)


@pytest.mark.parametrize("codec", ["utf-16", "utf-32"])
def test_recoded_text_never_overfills_a_block(codec: str, tmp_path: Path) -> None:
    """Re-encoded as UTF-8, n/2 CJK characters take 1.5 n bytes: a read of n bytes must still
    give at most n, or the block buffer (with a live view) cannot take them (BufferError)."""
    from wsdiag.read.sources import chunks, open_stream

    text = "".join(f"25/11/26 21:08:{i % 60:02d} - {CJK}\n" for i in range(1000))
    path = tmp_path / "cjk.log"
    path.write_bytes(text.encode(codec))
    (source,) = resolve([str(path)])
    stream = open_stream(source)
    try:  # blocks of 256 KiB: 1.5 times that overflows even the room kept for a long line
        assert b"".join(chunks(stream, size=256 << 10)) == text.encode()
    finally:
        stream.close()


@pytest.mark.parametrize("pack", [lzma.compress, bz2.compress], ids=["xz", "bz2"])
@pytest.mark.parametrize("between", [b"", b"\0" * 4, b"\0" * 12], ids=["none", "4-nul", "12-nul"])
def test_concatenated_streams_with_padding_are_read_whole(pack: Any, between: bytes, tmp_path: Path) -> None:
    """Two xz (or bz2) streams, with stream padding (NUL bytes) between them or after the last:
    the whole log is read. Only the first stream was, without a word (100 of 197 lines)."""
    src = SAMPLES / "storm_37conn.log"
    data = src.read_bytes()
    cut = data.index(b"\n", len(data) // 2) + 1
    path = tmp_path / "miner.log.pack"
    path.write_bytes(pack(data[:cut]) + between + pack(data[cut:]) + between)
    doc = cli_doc(str(path))
    assert counts(doc) == counts(cli_doc(str(src)))
    assert doc["inputs"][0]["lines"] == data.count(b"\n")
    assert doc["inputs"][0]["read_error"] is None


@pytest.mark.parametrize("pack", [lzma.compress, bz2.compress], ids=["xz", "bz2"])
def test_data_after_the_last_stream_is_a_read_error(pack: Any, tmp_path: Path) -> None:
    """Anything but padding after the last stream is said (it was dropped silently)."""
    src = SAMPLES / "outage.log"
    path = tmp_path / "miner.log.pack"
    path.write_bytes(pack(src.read_bytes()) + b"not a stream")
    doc = cli_doc(str(path))
    assert doc["inputs"][0]["lines"] == 66
    assert "after the last" in doc["inputs"][0]["read_error"]


@pytest.mark.parametrize("year", [["--year", "2025"], []], ids=["year-given", "year-assumed"])
def test_year_less_log_rotated_at_new_year(year: list[str], tmp_path: Path) -> None:
    """A year-less log rotated at New Year (miner.log.2025-12-31 and miner.log), given in either
    order or as their folder: January follows December, as in the whole log (both halves got the
    same year: a span of 8,760 h, 0.0 reconnects/h, the storm finding lost). durations count back
    from the real last record, and events agree."""
    src = SAMPLES / "less_rollover.log"
    lines = src.read_bytes().splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith(b"01/01"))
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "miner.log.2025-12-31").write_bytes(b"".join(lines[:at]))
    (logs / "miner.log").write_bytes(b"".join(lines[at:]))

    def doc(*args: str) -> dict[str, Any]:
        result = runner.invoke(app, ["analyze", "--format", "json", *year, *args])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)  # type: ignore[no-any-return]

    whole = doc(str(src))
    assert whole["span"]["hours"] == 0.33
    assert whole["reconnects"]["per_hour"] == 29.9
    for args in ([str(logs / "miner.log.2025-12-31"), str(logs / "miner.log")], [str(logs / "miner.log"), str(logs / "miner.log.2025-12-31")], [str(logs)]):
        got = doc(*args)
        assert counts(got) == counts(whole), args
        assert got["span"] == whole["span"], args
        assert got["reconnects"] == whole["reconnects"], args
    assert counts(doc(str(logs), "--since", "15m")) == counts(doc(str(src), "--since", "15m"))
    events = runner.invoke(app, ["events", *year, str(logs)]).stdout
    assert events == runner.invoke(app, ["events", *year, str(src)]).stdout
    assert events.count("\n") == 2
