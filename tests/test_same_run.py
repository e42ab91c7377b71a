"""One run logged twice (console and file log) is counted once; two miners are never merged."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli
from tests.minerlog import START, console_of, failure, make_log
from wsdiag.pipeline import Options, analyze
from wsdiag.read.sources import resolve
from wsdiag.summary.same_run import same_run
from wsdiag.summary.summary import Summary

RATES = {"connection_reset": 3, "ping_pong": 2, "timeout": 1}


def _json(*args: str, stdin: bytes | None = None, env: dict[str, str] | None = None) -> dict[str, Any]:
    proc = run_cli("analyze", "--format", "json", "--year", "2025", *args, stdin=stdin, env=env)
    assert proc.returncode == 0, proc.stderr.decode()
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def _counts(doc: dict[str, Any]) -> tuple[int, int, dict[str, int], int | None]:
    return (
        doc["failures"]["total"],
        doc["reconnects"]["count"],
        doc["failures"]["by_class"],
        doc["connections"]["pool_size"],
    )


def _summary(*paths: Path) -> Summary:
    return analyze(resolve([str(p) for p in paths]), Options(year=2025, jobs=1))


@pytest.mark.parametrize("less", [False, True], ids=["console", "less"])
def test_console_and_file_log_of_one_run_count_once(tmp_path: Path, less: bool) -> None:
    """A folder with the file log and the console log of one run counts every event once (in
    either order), and names the repeating input in `same_run`."""
    log = make_log(3.0, RATES)
    (tmp_path / "miner.log").write_text(log.text)
    (tmp_path / "console.log").write_text(console_of(log.text, less))
    alone = _json(str(tmp_path / "miner.log"))
    assert _counts(alone)[:2] == (18, 18)
    for args in ([str(tmp_path)], [str(tmp_path / "console.log"), str(tmp_path / "miner.log")]):
        doc = _json(*args)
        assert _counts(doc) == _counts(alone)
        (note,) = doc["same_run"]
        assert note["path"].endswith("console.log")
        assert note["same_run_as"][0].endswith("miner.log")
        assert note["failures_not_recounted"] == 18
        assert note["reconnects_not_recounted"] == 18
        assert note["rest_counted"] is True
        assert note["first"] == "2025-11-29T18:00:00"
        assert {i["path"].rsplit("/", 1)[-1]: i["lines"] for i in doc["inputs"]}["console.log"] == 55


def test_two_miners_in_the_same_hours_are_not_merged(tmp_path: Path) -> None:
    """Two miners' logs of the same hours, same classes, connections and minutes (one network,
    one outage) but other seconds, are two runs: every event counts."""
    a = make_log(3.0, RATES)
    b = make_log(3.0, RATES, start=START + timedelta(seconds=7))
    (tmp_path / "a.log").write_text(a.text)
    (tmp_path / "b.log").write_text(b.text)
    doc = _json(str(tmp_path))
    assert doc["failures"]["total"] == 36
    assert doc["reconnects"]["count"] == 36
    assert doc["same_run"] == []
    # The minutes are the same; only the signatures (seconds) tell them apart.
    sa, sb = _summary(tmp_path / "a.log"), _summary(tmp_path / "b.log")
    busy = {k for k, m in sa.minutes.items() if m.busy}
    assert busy == {k for k, m in sb.minutes.items() if m.busy}
    assert len(busy) == 15
    assert same_run(sa, sb) is None


def test_a_shared_outage_is_not_one_run(tmp_path: Path) -> None:
    """Two miners on one host lose the network together: the same minutes and classes, their
    own seconds and connections; not merged."""
    t0 = START + timedelta(minutes=30)
    base = make_log(1.0, {}, conns=2).text
    a = base + "".join(failure(t0 + timedelta(minutes=m, seconds=3), m % 2, "timeout") for m in range(6))
    b = base + "".join(
        failure(t0 + timedelta(minutes=m, seconds=41), m % 2, "timeout") for m in range(6)
    )
    (tmp_path / "a.log").write_text(a)
    (tmp_path / "b.log").write_text(b)
    doc = _json(str(tmp_path / "a.log"), str(tmp_path / "b.log"))
    assert doc["failures"]["total"] == 12
    assert doc["same_run"] == []


def test_a_console_log_over_two_daily_files_counts_the_rest(tmp_path: Path) -> None:
    """The console log of three hours beside the file logs of the first two (rotated): the
    two hours count once, the third (only in the console log) counts too."""
    day1 = make_log(1.0, RATES)
    day2 = make_log(1.0, {"broken_pipe": 4, "ssl": 2}, start=START + timedelta(hours=1))
    extra = make_log(1.0, {"timeout": 5}, start=START + timedelta(hours=2))
    (tmp_path / "miner.log.2025-11-29").write_text(day1.text)
    (tmp_path / "miner.log").write_text(day2.text)
    (tmp_path / "console.log").write_text(console_of(day1.text + day2.text + extra.text))
    doc = _json(str(tmp_path))
    assert doc["failures"]["total"] == day1.failures + day2.failures + extra.failures == 17
    assert doc["reconnects"]["count"] == 17
    assert doc["failures"]["by_class"]["timeout"] == 1 + 5
    (note,) = doc["same_run"]
    assert sorted(p.rsplit("/", 1)[-1] for p in note["same_run_as"]) == ["miner.log", "miner.log.2025-11-29"]
    assert note["failures_not_recounted"] == 12
    assert doc["span"]["first"] == "2025-11-29T18:00:00"


def test_the_note_is_in_every_format(tmp_path: Path) -> None:
    """text, markdown, html and github say which input repeats which and that it counted once."""
    log = make_log(2.0, RATES)
    (tmp_path / "miner.log").write_text(log.text)
    (tmp_path / "console.log").write_text(console_of(log.text))
    said = "console.log is the same run as "
    for fmt, marker in (
        ("text", "note: "),
        ("markdown", "> **Note:** "),
        ("html", '<p class="note"><strong>Note:</strong> '),
        ("github", "::notice title=wsdiag same-run::"),
    ):
        proc = run_cli("analyze", "--format", fmt, str(tmp_path))
        assert proc.returncode == 0, proc.stderr.decode()
        out = " ".join(proc.stdout.decode().split())  # the text report wraps at 120 columns
        assert marker in out, (fmt, out[:600])
        assert said in out.replace("\\_", "_"), (fmt, out[:600])
        assert "counted once" in out, (fmt, out[:600])
    check = run_cli("check", str(tmp_path)).stdout.decode()
    assert "note " in check
    assert said in " ".join(check.split())


def test_both_scan_paths_count_once(tmp_path: Path) -> None:
    """The C filter and the pure-Python path agree, same_run included."""
    log = make_log(3.0, RATES)
    (tmp_path / "miner.log").write_text(log.text)
    (tmp_path / "console.log").write_text(console_of(log.text))
    fast = _json(str(tmp_path))
    pure = _json(str(tmp_path), env={**os.environ, "WSDIAG_PURE_PYTHON": "1"})
    assert fast == pure
    assert len(fast["same_run"]) == 1


def test_standard_input_as_the_second_copy(tmp_path: Path) -> None:
    """`docker logs miner | wsdiag analyze - logs/miner.log`: stdin is kept to be read again."""
    log = make_log(3.0, RATES)
    (tmp_path / "miner.log").write_text(log.text)
    doc = _json("-", str(tmp_path / "miner.log"), stdin=console_of(log.text).encode())
    assert _counts(doc)[:2] == (18, 18)
    assert doc["same_run"][0]["path"] == "<stdin>"


def test_a_single_input_has_no_note(tmp_path: Path) -> None:
    """`same_run` is always there, empty for one input."""
    (tmp_path / "miner.log").write_text(make_log(1.0, RATES).text)
    assert _json(str(tmp_path / "miner.log"))["same_run"] == []


def test_events_export_each_event_once(tmp_path: Path) -> None:
    """`events` on the folder gives as many lines as analyze's failures.total, and says which
    input repeated which on stderr; two miners' logs give every line."""
    log = make_log(3.0, RATES)
    (tmp_path / "miner.log").write_text(log.text)
    (tmp_path / "console.log").write_text(console_of(log.text) + console_of(make_log(
        1.0, {"timeout": 2}, start=START + timedelta(hours=4)).text))
    proc = run_cli("events", str(tmp_path))
    assert proc.returncode == 0
    lines = proc.stdout.decode().splitlines()
    assert len(lines) == _json(str(tmp_path))["failures"]["total"] == 20
    assert sorted(lines) == sorted(set(lines))  # no event twice
    assert "console.log is the same run as " in proc.stderr.decode()
    other = tmp_path / "other"
    other.mkdir()
    (other / "a.log").write_text(log.text)
    (other / "b.log").write_text(make_log(3.0, RATES, start=START + timedelta(seconds=7)).text)
    assert len(run_cli("events", str(other)).stdout.decode().splitlines()) == 36
