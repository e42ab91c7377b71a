"""--per-file: each input file reported on its own, in every format; check fails if any fails."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import SAMPLES, run_cli
from tests.minerlog import console_of, make_log

STORM = str(SAMPLES / "storm_37conn.log")
HEALTHY = str(SAMPLES / "healthy_small.log")


def _alone(path: str) -> dict[str, object]:
    return json.loads(run_cli("analyze", "-f", "json", path).stdout)  # type: ignore[no-any-return]


def test_json_holds_each_files_own_report() -> None:
    """`per_file` holds the very report each file gives alone; `verdict` is the worst."""
    proc = run_cli("analyze", "--per-file", "-f", "json", STORM, HEALTHY)
    assert proc.returncode == 0
    doc = json.loads(proc.stdout)
    assert doc["schema"] == "wsdiag/1"
    assert doc["verdict"] == "error"
    assert doc["per_file"] == [_alone(STORM), _alone(HEALTHY)]
    assert "check" not in doc


def test_check_fails_when_any_file_fails() -> None:
    """exit 1 when one file breaks a rule; each file's check in its report; the failed files named."""
    proc = run_cli("check", "--per-file", "-f", "json", HEALTHY, STORM)
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    assert doc["check"] == {"passed": False, "fail_on": "error", "failed": [STORM]}
    assert [f["check"]["passed"] for f in doc["per_file"]] == [True, False]
    assert run_cli("check", "--per-file", HEALTHY, HEALTHY.replace("small", "2conn")).returncode == 0
    assert run_cli("check", "--per-file", "--exit-zero", HEALTHY, STORM).returncode == 0


def test_text_reports_one_after_the_other_then_the_overall_line() -> None:
    """Each file's check lines and verdict, then one line for all."""
    out = run_cli("check", "--per-file", STORM, HEALTHY).stdout.decode().splitlines()
    verdicts = [line for line in out if line.startswith("wsdiag check: ")]
    assert verdicts == [
        f"wsdiag check: failed: 1 violation ({STORM})",
        f"wsdiag check: passed: no cause at or above error, no limit exceeded ({HEALTHY})",
        f"wsdiag check: failed: 1 of 2 files ({STORM})",
    ]
    text = run_cli("analyze", "--per-file", STORM, HEALTHY).stdout.decode()
    assert [line.split(" · ")[1].split(" (")[0] for line in text.splitlines() if line.startswith("wsdiag 0.1.0")] == [
        STORM, HEALTHY,
    ]


def test_markdown_and_github_name_each_file() -> None:
    """Markdown: a heading per file (and the overall result first); github: the file in every title."""
    md = run_cli("check", "--per-file", "-f", "markdown", STORM, HEALTHY).stdout.decode()
    headings = [line for line in md.splitlines() if line.startswith("# ")]
    assert headings[0].startswith("# ❌ wsdiag check: failed: 1 of 2 files")
    assert [h.replace("\\_", "_") for h in headings[1:]] == [f"# {STORM}", f"# {HEALTHY}"]
    gh = run_cli("check", "--per-file", "-f", "github", STORM, HEALTHY).stdout.decode()
    titles = re.findall(r"^::\w+ title=([^:]+)::", gh, re.M)
    assert titles
    assert all(t.endswith(f"({STORM.replace(':', '%3A')})") for t in titles)


def test_html_is_one_page_with_a_section_per_file() -> None:
    """One page: a contents list, then each report with ids of its own."""
    from tests.test_report_html import _self_contained, parse

    page = run_cli("analyze", "--per-file", "-f", "html", STORM, HEALTHY).stdout.decode()
    _self_contained(parse(page), page)
    assert page.count("<!DOCTYPE html>") == 1
    assert page.count('<section class="verdict') == 2
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    assert "f0-verdict" in ids
    assert "f1-verdict" in ids


def test_a_folder_is_each_of_its_logs_and_no_run_is_merged(tmp_path: Path) -> None:
    """A directory gives one report per log; the console copy of a run is reported on its own."""
    log = make_log(2.0, {"timeout": 4})
    (tmp_path / "miner.log").write_text(log.text)
    (tmp_path / "console.log").write_text(console_of(log.text))
    doc = json.loads(run_cli("analyze", "--per-file", "-f", "json", str(tmp_path)).stdout)
    assert [Path(f["inputs"][0]["path"]).name for f in doc["per_file"]] == ["console.log", "miner.log"]
    assert [f["failures"]["total"] for f in doc["per_file"]] == [8, 8]
    assert all(f["same_run"] == [] for f in doc["per_file"])


@pytest.mark.parametrize("strict", [False, True])
def test_an_empty_file_among_others(tmp_path: Path, strict: bool) -> None:
    """check --per-file: an empty file passes with a warning (its report says so); --strict: exit 2."""
    empty = tmp_path / "new.log"
    empty.write_bytes(b"")
    proc = run_cli("check", "--per-file", "-f", "json", *(["--strict"] if strict else []), HEALTHY, str(empty))
    if strict:
        assert proc.returncode == 2
        assert b"--strict" in proc.stderr
        return
    assert proc.returncode == 0
    doc = json.loads(proc.stdout)
    assert [f["check"]["empty_inputs"] for f in doc["per_file"]] == [[], [str(empty)]]
    assert f"wsdiag: warning: {empty}: empty: nothing to check" in proc.stderr.decode()
