"""Timeline: bucket size from the span, counts that add up to the totals, the terminal chart."""

from __future__ import annotations

import io
import json
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from rich.console import Console

from tests.conftest import ROOT, SAMPLES, diagnose_text, run_cli
from tests.minerlog import MINER, failure, record
from wsdiag.diagnose.diagnosis import Diagnosis
from wsdiag.diagnose.timeline import choose_bucket, label, parse_bucket, sparkline, timeline
from wsdiag.parse.records import FAILURE_CLASSES
from wsdiag.pipeline import Options, analyze
from wsdiag.read.layouts import YearResolver
from wsdiag.read.scan import Scanner
from wsdiag.read.sources import resolve
from wsdiag.report import text
from wsdiag.summary.summary import Summary

T0 = datetime(2025, 11, 29, 18, 0, 0)
sys.path.insert(0, str(ROOT / "benchmarks"))


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def _adds_up(doc: dict[str, object]) -> None:
    buckets = doc["timeline"]
    info = doc["timeline_info"]
    assert isinstance(buckets, list)
    assert isinstance(info, dict)
    untimed = info["untimed"]
    for cls in FAILURE_CLASSES:
        charted = sum(b["by_class"].get(cls, 0) for b in buckets)
        assert charted + untimed["by_class"].get(cls, 0) == doc["failures"]["by_class"][cls], cls  # type: ignore[index]
    assert sum(b["failures"] for b in buckets) + untimed["failures"] == doc["failures"]["total"]  # type: ignore[index]
    count = doc["reconnects"]["count"]  # type: ignore[index]
    if count is None:  # unknown reconnects are unknown in every bucket too
        assert {b["reconnects"] for b in buckets} | {untimed["reconnects"]} == {None}
    else:
        assert sum(b["reconnects"] for b in buckets) + untimed["reconnects"] == count
    assert sum(b["closes"] for b in buckets) + untimed["closes"] == doc["closes"]


@pytest.mark.parametrize(
    ("minutes", "bucket"),
    [(60, 1), (90, 1), (3 * 60, 2), (6 * 60, 5), (24 * 60, 30), (7 * 24 * 60, 120), (60 * 24 * 60, 1440)],
)
def test_bucket_size_follows_the_span(minutes: int, bucket: int) -> None:
    """Minutes for an hour of log, hours for a week, days for two months; at most 90 buckets."""
    assert choose_bucket(minutes) == bucket
    assert minutes / bucket <= 90


def test_parse_bucket_sizes() -> None:
    """`--bucket` takes a duration of whole minutes (the one grammar of every duration option);
    zero, seconds, a number without its unit and junk are refused."""
    assert [parse_bucket(t) for t in ("5m", "2h", "1d", "1w", " 15m ", "1h30m", "120s")] == [
        5, 120, 1440, 10080, 15, 90, 2,
    ]
    for bad in ("0m", "x", "5s", "90s", "-1h", "", "5", "15min"):
        with pytest.raises(ValueError, match="bad bucket size"):
            parse_bucket(bad)
    assert [label(m) for m in (5, 120, 1440, 10080, 90)] == ["5m", "2h", "1d", "1w", "90m"]


# The analyzer counts the new client uuids of this INFO Hermes log as reconnects (issue 14 asks
# for null there), and the timeline charts only reconnect lines.
@pytest.mark.parametrize(
    "name",
    sorted(p.name for p in SAMPLES.glob("*.log")),
)
def test_sample_timelines_add_up_to_the_totals(name: str) -> None:
    """For every sample log, buckets plus untimed events equal failures, reconnects and closes."""
    summary = analyze(resolve([str(SAMPLES / name)]), Options(year=2025, jobs=1))
    _adds_up(Diagnosis.of(summary).to_dict())


def test_generated_log_timeline_adds_up_and_shows_the_outages() -> None:
    """A generated day with 3 outages: totals match genlog's, and the outages are the peaks."""
    genlog = pytest.importorskip("genlog")
    buf = io.BytesIO()
    exp = genlog.generate(genlog.GenConfig(seed=3, size=500_000, level="INFO", outages=3), buf)
    s = Summary()
    Scanner(s, s.input("gen.log"), YearResolver.for_log(2025)).chunk(buf.getvalue())
    doc = Diagnosis.of(s.finish()).to_dict()
    _adds_up(doc)
    assert doc["failures"]["by_class"] == exp.by_class
    tl = timeline(s)
    span = (s.last - s.first).total_seconds() / 60  # type: ignore[operator]
    assert tl.bucket_minutes == choose_bucket(int(span) + 1)
    starts = [datetime.fromisoformat(str(o["start"])) for o in exp.outages]
    for start in starts:  # every connection dropped in the outage's bucket
        assert next(b for b in tl.buckets if b.start <= start < b.end).failures >= 37
    for b in tl.buckets:  # and the busy buckets are the outages and their no-internet retries
        if b.failures >= 37:
            assert any(timedelta(0) <= b.end - t <= timedelta(minutes=20) for t in starts)


def test_buckets_cover_the_span_aligned_to_the_clock(tmp_path: Path) -> None:
    """5-minute buckets start on :00, :05...; quiet stretches are empty buckets, not gaps."""
    log = record(at(2), "INFO", MINER, "run", "Loading data for 4 streamers. Please wait...")
    log += failure(at(13), 0, "ssl") + failure(at(14), 1, "ssl") + failure(at(200), 0, "timeout")
    log += record(at(301), "INFO", MINER, "run", "still here")
    doc = diagnose_text(tmp_path, log)
    buckets = doc["timeline"]
    assert doc["timeline_info"]["bucket"] == "5m"
    assert buckets[0]["start"] == "2025-11-29T18:00:00"
    assert buckets[-1]["start"] == "2025-11-29T23:00:00"
    assert len(buckets) == 61
    by_start = {b["start"]: b for b in buckets}
    assert by_start["2025-11-29T18:10:00"]["by_class"] == {"ssl": 2}
    assert by_start["2025-11-29T18:10:00"]["connections"] == 2
    assert by_start["2025-11-29T21:20:00"]["by_class"] == {"timeout": 1}
    assert by_start["2025-11-29T21:20:00"]["reconnects"] == 1
    assert sum(1 for b in buckets if b["failures"]) == 2
    _adds_up(doc)


def test_events_without_a_time_are_counted_apart(tmp_path: Path) -> None:
    """Lines whose timestamp was cut off are failures too, reported as untimed, not charted."""
    timed = failure(at(5), 0, "ssl") + record(at(30), "INFO", MINER, "run", "x")
    untimed = (
        "ERROR - [on_error]: #1 - WebSocket error: [Errno 104] Connection reset by peer\n"
        "INFO - [handle_reconnection]: #1 - Reconnecting to Twitch PubSub server in ~60 seconds\n"
    )
    doc = diagnose_text(tmp_path, timed + untimed)
    assert doc["failures"]["total"] == 2
    assert doc["timeline_info"]["untimed"] == {
        "by_class": {"connection_reset": 1},
        "failures": 1,
        "reconnects": 1,
        "closes": 0,
    }
    _adds_up(doc)


def test_bucket_option_overrides_the_automatic_size() -> None:
    """`--bucket 30m` on a 3-hour log: 30-minute buckets from 19:00, still adding up."""
    proc = run_cli("analyze", "--format", "json", "--bucket", "30m", str(SAMPLES / "storm_37conn.log"))
    assert proc.returncode == 0, proc.stderr.decode()
    doc = json.loads(proc.stdout)
    assert doc["timeline_info"]["bucket_minutes"] == 30
    assert doc["timeline_info"]["requested_minutes"] == 30
    assert [b["start"][11:16] for b in doc["timeline"]] == [
        "19:00", "19:30", "20:00", "20:30", "21:00", "21:30", "22:00"
    ]  # fmt: skip
    _adds_up(doc)


def test_bad_bucket_is_a_usage_error() -> None:
    """A bucket size that is not one exits 2 with one line on stderr."""
    proc = run_cli("analyze", "--bucket", "soon", str(SAMPLES / "outage.log"))
    assert proc.returncode == 2
    assert proc.stderr.decode().count("\n") == 1
    assert "--bucket" in proc.stderr.decode()


def test_too_fine_a_bucket_is_widened(tmp_path: Path) -> None:
    """One-minute buckets over three weeks would be 30,000: widened, and the JSON says so."""
    log = failure(at(0), 0, "ssl") + failure(at(21 * 24 * 60), 0, "ssl")
    path = tmp_path / "long.log"
    path.write_text(log)
    summary = analyze(resolve([str(path)]), Options(jobs=1))
    info = Diagnosis.of(summary, bucket=1).to_dict()["timeline_info"]
    assert info["requested_minutes"] == 1
    assert info["widened"] is True
    assert info["bucket_minutes"] == 10


def test_sparkline_keeps_single_events_visible() -> None:
    """Zero is blank, one event at least the lowest block, the peak the full block."""
    assert sparkline([0, 1, 8, 4], 10) == " ▁█▄"
    assert sparkline([1, 0, 0, 0, 0, 1], 3) == "█ █"  # squeezed: neighbours summed
    assert len(sparkline(list(range(300)), 60)) == 60


def test_terminal_chart_shows_the_outage_burst() -> None:
    """outage.log at 100 columns: one row per class, the burst at 20:41, outage markers below."""
    summary = analyze(resolve([str(SAMPLES / "outage.log")]), Options(jobs=1))
    console = Console(file=io.StringIO(), width=100, no_color=True, force_terminal=False)
    out = text.render(Diagnosis.of(summary), console)
    lines = out.splitlines()
    top = lines.index(next(line for line in lines if line.startswith("Timeline (1m per column")))
    rows = {line[:20].strip(): line[20:] for line in lines[top + 1 : top + 8]}
    assert list(rows)[:6] == [
        "connection_reset", "timeout", "dns", "no_internet", "reconnects", "network-wide outage"
    ]  # fmt: skip
    # 20:12 is column 0: the DNS failure at 20:41 is column 29, the outage marks start at 20:40.
    assert rows["dns"].index("█") == 29
    assert rows["network-wide outage"].index("▲") == 28
    assert rows["no_internet"].rstrip().endswith("13 peak 3")
    assert "20:12" in lines[top + 7]
    assert "21:06" in lines[top + 7]
    assert max(len(line) for line in lines) <= 100


def test_minutes_are_capped_and_totals_still_add_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past MAX_MINUTES distinct minutes, events leave the timeline but still count."""
    from wsdiag.read.layouts import YearResolver
    from wsdiag.read.scan import Scanner
    from wsdiag.summary import summary as analyze_mod

    monkeypatch.setattr(analyze_mod, "MAX_MINUTES", 10)
    text = "".join(
        f"01/01/25 {h:02d}:{m:02d}:00 - ERROR - [on_error]: #0 - WebSocket error: [Errno 32] Broken pipe\n"
        for h in range(2)
        for m in range(25)
    )
    s = analyze_mod.Summary()
    Scanner(s, s.input("x"), YearResolver.for_log(2025)).chunk(text.encode())
    s.finish()
    assert len(s.minutes) == 10
    assert s.class_counts()["broken_pipe"] == 50
    assert s.untimed["broken_pipe"] == 40
