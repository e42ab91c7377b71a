"""The GitHub Action (action.yml) run as a runner runs it: summary, annotations, outputs, exit status.

A small stand-in for the runner reads action.yml, fills its `${{ }}` expressions from the inputs
given and the fake `GITHUB_*`/`RUNNER_*` environment, runs each step's script with bash as GitHub
does, then reads the step summary, `$GITHUB_OUTPUT` and the action's outputs. The action installs
wsdiag from this checkout into its own venv once per module (as once per job) and reuses it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml

from tests.conftest import ROOT, SAMPLES
from wsdiag.cli import app

ACTION: dict[str, Any] = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
EXAMPLE = ROOT / "examples" / "github-actions" / "check-miner-log.yml"
EXPRESSION = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")
# `wsdiag check` options the action chooses itself instead of taking them as inputs.
SET_BY_ACTION = {"fmt", "output", "also", "color", "jobs"}


@dataclass
class Run:
    status: int
    stdout: str
    stderr: str
    summary: str
    outputs: dict[str, str]


def parse_output_file(text: str) -> dict[str, str]:
    """`$GITHUB_OUTPUT` as the runner reads it: `name=value` or `name<<DELIMITER` ... `DELIMITER`."""
    values: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            body: list[str] = []
            for nxt in lines:
                if nxt == delimiter:
                    break
                body.append(nxt)
            else:
                raise AssertionError(f"output {name}: delimiter {delimiter} never closes")
            values[name] = "\n".join(body)
        elif line:
            name, value = line.split("=", 1)
            values[name] = value
    return values


def evaluate(text: str, context: dict[str, Any]) -> str:
    """Fill `${{ a.b.c }}` from the context; any other expression fails the test (unsupported here)."""

    def value(match: re.Match[str]) -> str:
        node: Any = context
        for part in match.group(1).split("."):
            node = node[part]
        return str(node)

    return EXPRESSION.sub(value, text)


class FakeRunner:
    """Runs the composite action's steps in a workspace, with one RUNNER_TEMP kept between runs."""

    def __init__(self, temp: Path) -> None:
        self.temp = temp

    def run(self, workspace: Path, **inputs: str) -> Run:
        declared = ACTION["inputs"]
        unknown = set(inputs) - set(declared)
        assert not unknown, f"inputs the action does not declare: {unknown}"
        values = {name: inputs.get(name, spec.get("default", "")) for name, spec in declared.items()}
        files = Path(self.temp / "files")
        files.mkdir(exist_ok=True)
        summary = files / "step_summary.md"
        summary.write_text("")
        context: dict[str, Any] = {
            "inputs": values,
            "github": {"action_path": str(ROOT), "workspace": str(workspace)},
            "runner": {"temp": str(self.temp)},
            "steps": {},
        }
        base = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("GITHUB_", "INPUT_", "RUNNER_")) and k != "PYTHONPATH"
        }
        base.update(
            CI="true",
            GITHUB_ACTIONS="true",
            GITHUB_WORKSPACE=str(workspace),
            GITHUB_ACTION_PATH=str(ROOT),
            GITHUB_STEP_SUMMARY=str(summary),
            RUNNER_TEMP=str(self.temp),
        )
        status, stdout, stderr = 0, "", ""
        for i, step in enumerate(ACTION["runs"]["steps"]):
            output = files / f"output_{i}"
            output.write_text("")
            script = files / f"step_{i}.sh"
            script.write_text(evaluate(step["run"], context))
            env = {**base, "GITHUB_OUTPUT": str(output)}
            env.update({k: evaluate(str(v), context) for k, v in step.get("env", {}).items()})
            assert step["shell"] == "bash"
            # How GitHub runs `shell: bash`.
            proc = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                cwd=workspace, env=env, capture_output=True, timeout=600,
            )
            stdout += proc.stdout.decode("utf-8")
            stderr += proc.stderr.decode("utf-8")
            if "id" in step:
                context["steps"][step["id"]] = {"outputs": parse_output_file(output.read_text("utf-8"))}
            status = proc.returncode
            if status:
                break  # later steps are skipped, as on a runner
        outputs = {
            name: evaluate(spec["value"], context) if _ran(spec["value"], context) else ""
            for name, spec in ACTION["outputs"].items()
        }
        return Run(status, stdout, stderr, summary.read_text(encoding="utf-8"), outputs)


def _ran(value: str, context: dict[str, Any]) -> bool:
    """An output of a step that did not run (or did not set it) is empty on a runner."""
    try:
        evaluate(value, context)
    except KeyError:
        return False
    return True


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> FakeRunner:
    return FakeRunner(tmp_path_factory.mktemp("runner_temp"))


@pytest.fixture(scope="module")
def first_run(runner: FakeRunner, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The first use of the action in the 'job': it installs wsdiag."""
    return runner.run(_workspace(tmp_path_factory.mktemp("ws"), "healthy_2conn.log"))


def _workspace(root: Path, *samples: str) -> Path:
    (root / "logs").mkdir()
    for sample in samples:
        shutil.copy(SAMPLES / sample, root / "logs" / sample)
    return root


def test_installs_wsdiag_into_its_own_venv_once(runner: FakeRunner, first_run: Run, tmp_path: Path) -> None:
    """wsdiag is installed from the action's checkout into a venv in RUNNER_TEMP, and reused later."""
    assert first_run.status == 0, first_run.stdout + first_run.stderr
    assert f"::group::Install wsdiag from {ROOT} into {runner.temp / 'wsdiag-venv'}" in first_run.stdout
    python = runner.temp / "wsdiag-venv" / "bin" / "python"
    where = subprocess.run(
        [str(python), "-c", "import wsdiag; print(wsdiag.__file__)"],
        capture_output=True, text=True, check=True, env={"PATH": os.environ["PATH"]}, cwd=tmp_path,
    ).stdout
    assert where.startswith(str(runner.temp / "wsdiag-venv"))  # installed, not this source tree
    again = runner.run(_workspace(tmp_path, "healthy_2conn.log"))
    assert again.status == 0
    assert "::group::Install" not in again.stdout


def test_passing_log(runner: FakeRunner, first_run: Run, tmp_path: Path) -> None:
    """A healthy log: exit 0, no error annotation, a passing summary, outputs ok/2/true."""
    run = runner.run(_workspace(tmp_path, "healthy_2conn.log"))
    assert run.status == 0, run.stderr
    assert "::error" not in run.stdout
    assert "::warning" not in run.stdout
    assert run.summary.startswith("## ✅ wsdiag: OK · cause: 1 isolated close on single connections")
    assert "### ✅ Check passed: no cause at or above `error`" in run.summary
    assert run.outputs == {
        "verdict": "ok",
        "primary-cause": "twitch-closes",
        "pool-size": "2",
        "passed": "true",
        "exit-code": "0",
        "json-report": run.outputs["json-report"],
    }
    doc = json.loads(Path(run.outputs["json-report"]).read_text())
    assert doc["connections"]["pool_size"] == 2
    assert doc["check"]["passed"] is True


def test_failing_log(runner: FakeRunner, first_run: Run, tmp_path: Path) -> None:
    """A 37-connection storm: exit 1, error annotations, the violations in the summary, outputs error/37."""
    run = runner.run(_workspace(tmp_path, "storm_37conn.log"))
    assert run.status == 1, run.stderr
    annotations = [line for line in run.stdout.splitlines() if line.startswith("::")]
    assert [a.split("::")[1] for a in annotations] == [
        "error title=wsdiag too-many-connections",
        "notice title=wsdiag twitch-reconnects",
        "notice title=wsdiag ping-pong-failures",
        "notice title=wsdiag reconnect-storm",
    ]
    assert annotations[0].startswith(
        "::error title=wsdiag too-many-connections::37 PubSub connections open; Twitch allows 10 per IP"
        "%0A• pool size 37 (connection ids up to #36); Twitch allows 10 per IP%0A"
    )
    assert run.summary.startswith("## ❌ wsdiag: ERROR · cause: 37 PubSub connections open; Twitch allows 10 per IP")
    assert "37 connections · 46 failures · 46 reconnects" in run.summary
    assert "### ❌ Check failed: 1 violation (`--fail-on error`)" in run.summary
    assert "| `too-many-connections` | 37 connections | 10 (`--max-connections`) |" in run.summary
    assert run.outputs == {
        "verdict": "error",
        "primary-cause": "too-many-connections",
        "pool-size": "37",
        "passed": "false",
        "exit-code": "1",
        "json-report": run.outputs["json-report"],
    }


def test_exit_zero_reports_without_failing(runner: FakeRunner, first_run: Run, tmp_path: Path) -> None:
    """exit-zero: the same annotations and a failed check, but the step passes."""
    run = runner.run(_workspace(tmp_path, "storm_37conn.log"), **{"exit-zero": "true"})
    assert run.status == 0
    assert run.stdout.count("::error title=wsdiag ") == 1
    assert "### ❌ Check failed: 1 violation" in run.summary
    assert (run.outputs["passed"], run.outputs["exit-code"], run.outputs["verdict"]) == ("false", "0", "error")


def test_inputs_reach_wsdiag(runner: FakeRunner, first_run: Run, tmp_path: Path) -> None:
    """Threshold inputs become check options; annotations off prints the text report; report files land."""
    run = runner.run(
        _workspace(tmp_path, "storm_37conn.log"),
        **{
            "max-connections": "40",
            "max-reconnects-per-hour": "10",
            "annotations": "false",
            "json-report": "reports/storm.json",
            "html-report": "reports/storm.html",
        },
    )
    assert run.status == 1
    assert "::" not in run.stdout
    assert run.stdout.splitlines() == [
        "FAIL max-reconnects-per-hour: 15.2 reconnects/hour, limit 10 (--max-reconnects-per-hour): 46 reconnects in 3h02m",
        "note host-stalled: warning cause (below --fail-on error): the host does not keep up: 41 ping/pong failures on 32 connections, with no network error",
        "note twitch-reconnects: info cause (below --fail-on error): Twitch asked connections to reconnect (1 RECONNECT)",
        "note ping-pong-failures: symptom of host-stalled: 41 ping/pong failures",
        "note reconnect-storm: symptom of host-stalled, twitch-reconnects: reconnect storm: 46 reconnects",
        "wsdiag check: failed: 1 violation (logs/storm_37conn.log)",
    ]
    assert "too-many-connections" not in run.summary
    assert "| `max-reconnects-per-hour` | 15.2 reconnects/hour | 10 (`--max-reconnects-per-hour`) |" in run.summary
    assert run.outputs["json-report"] == "reports/storm.json"
    doc = json.loads((tmp_path / "reports" / "storm.json").read_text())
    assert [v["rule"] for v in doc["check"]["violations"]] == ["max-reconnects-per-hour"]
    html = (tmp_path / "reports" / "storm.html").read_text()
    assert html.startswith("<!DOCTYPE html>")
    assert "37" in html


def test_paths_globs_and_warnings(runner: FakeRunner, first_run: Run, tmp_path: Path) -> None:
    """Paths one per line (spaces kept), globs expanded; wsdiag's warnings become ::warning annotations."""
    (tmp_path / "my logs").mkdir()
    shutil.copy(SAMPLES / "outage.log", tmp_path / "my logs" / "outage.log")
    (tmp_path / "more").mkdir()
    shutil.copy(SAMPLES / "bad_auth.log", tmp_path / "more" / "bad_auth.log")
    (tmp_path / "more" / "notes.log").write_text("not a miner log\n")
    run = runner.run(tmp_path, paths="my logs/outage.log\n\n  more/*.log  \n", **{"exit-zero": "true", "year": "2025"})
    assert run.status == 0, run.stderr
    doc = json.loads(Path(run.outputs["json-report"]).read_text())
    assert [i["path"] for i in doc["inputs"]] == ["my logs/outage.log", "more/bad_auth.log", "more/notes.log"]
    assert "::warning title=wsdiag::more/notes.log: no miner log records\n" in run.stdout
    assert "wsdiag: warning: more/notes.log: no miner log records" in run.stderr


def test_summary_off(runner: FakeRunner, first_run: Run, tmp_path: Path) -> None:
    """summary: false leaves the job summary alone."""
    run = runner.run(_workspace(tmp_path, "healthy_2conn.log"), summary="false")
    assert run.status == 0
    assert run.summary == ""


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"paths": "missing.log"}, "missing.log: no such file or directory"),
        ({"fail-on": "fatal"}, "Error: Invalid value for '--fail-on': 'fatal' is not one of 'error', 'warning'."),
        ({"exit-zero": "yes"}, "input exit-zero: 'yes' is not true or false"),
    ],
)
def test_unusable_input_fails_with_exit_2(
    runner: FakeRunner, first_run: Run, tmp_path: Path, inputs: dict[str, str], message: str
) -> None:
    """Bad input: exit 2, one error annotation with wsdiag's message, the message in the summary, no verdict."""
    run = runner.run(_workspace(tmp_path, "healthy_2conn.log"), **inputs)
    assert run.status == 2
    assert [line for line in run.stdout.splitlines() if line.startswith("::")] == [f"::error title=wsdiag::{message}"]
    assert run.summary.startswith("## ❌ wsdiag could not check the logs (exit status 2)\n\n```\n")
    assert message in run.summary
    assert (run.outputs["verdict"], run.outputs["passed"], run.outputs["exit-code"]) == ("", "", "2")


def test_outputs_read_diagnosis_defensively() -> None:
    """primary-cause is diagnosis.primary when the report has it, empty when absent or null."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("github_action", ROOT / "scripts" / "github_action.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    base = {"verdict": "error", "connections": {"pool_size": None}, "check": {"passed": False}}
    with_primary = {**base, "diagnosis": {"primary": "bad-auth", "causes": ["bad-auth"]}}
    assert module.outputs_of(with_primary, 1, Path("r.json"))["primary-cause"] == "bad-auth"
    assert module.outputs_of({**base, "diagnosis": {"primary": None}}, 1, Path("r.json"))["primary-cause"] == ""
    assert module.outputs_of(base, 1, Path("r.json"))["primary-cause"] == ""
    assert module.outputs_of(base, 1, Path("r.json"))["pool-size"] == ""


def test_every_input_reaches_the_step() -> None:
    """Each input is passed to the step as INPUT_<NAME>, the name the script reads."""
    (step,) = ACTION["runs"]["steps"]
    expected = {"INPUT_" + name.upper().replace("-", "_"): f"${{{{ inputs.{name} }}}}" for name in ACTION["inputs"]}
    assert step["env"] == expected


def test_every_check_option_is_an_input() -> None:
    """Each `wsdiag check` option the action does not set itself is an input of the same name and default."""
    command = typer.main.get_command(app).commands["check"]  # type: ignore[attr-defined]
    for param in command.params:
        if param.name in SET_BY_ACTION or not param.opts[0].startswith("--"):
            continue
        name = param.opts[0][2:]
        assert name in ACTION["inputs"], f"wsdiag check {param.opts[0]} has no input"
        said = re.search(r"\(wsdiag's default: ([^)]+)\)", ACTION["inputs"][name]["description"])
        if said:
            default = param.default.value if hasattr(param.default, "value") else param.default
            assert said.group(1).startswith(f"{default:g}" if isinstance(default, float) else str(default))


def test_example_workflow_uses_this_action() -> None:
    """examples/ runs the action (no install from a URL) with inputs it declares."""
    workflow = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    ours = [s for s in steps if str(s.get("uses", "")).split("@")[0].endswith("/wsdiag")]
    assert len(ours) == 1
    assert set(ours[0].get("with", {})) <= set(ACTION["inputs"])
    assert not any("pip install" in str(s.get("run", "")) for s in steps)


def test_readme_documents_the_action() -> None:
    """README "Use in CI": its workflow is valid YAML using declared inputs; its tables name every input and output."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Use in CI\n") :]
    section = section[: section.index("\n## ", 1)]
    (block,) = re.findall(r"```yaml\n(.*?)```", section, re.S)
    steps = [s for job in yaml.safe_load(block)["jobs"].values() for s in job["steps"]]
    (ours,) = [s for s in steps if str(s.get("uses", "")).split("@")[0].endswith("/wsdiag")]
    assert set(ours["with"]) <= set(ACTION["inputs"])
    rows = {m for line in section.splitlines() if line.startswith("| `") for m in re.findall(r"`([a-z-]+)`", line.split(" | ")[0])}
    assert rows == set(ACTION["inputs"]) | set(ACTION["outputs"])


def test_per_file_checks_each_log(runner: FakeRunner, first_run: Run, tmp_path: Path) -> None:
    """per-file: one report per log; the step fails when one does; outputs of the worst file."""
    run = runner.run(_workspace(tmp_path, "healthy_2conn.log", "storm_37conn.log"), **{"per-file": "true"})
    assert run.status == 1, run.stderr
    assert run.summary.startswith("# ❌ wsdiag check: failed: 1 of 2 files (logs/storm\\_37conn.log)")
    assert "::error title=wsdiag too-many-connections (logs/storm_37conn.log)::" in run.stdout
    assert (run.outputs["verdict"], run.outputs["primary-cause"], run.outputs["pool-size"]) == (
        "error", "too-many-connections", "37",
    )
    assert (run.outputs["passed"], run.outputs["exit-code"]) == ("false", "1")


@pytest.mark.parametrize("strict", ["false", "true"])
def test_an_empty_log_passes_unless_strict(runner: FakeRunner, first_run: Run, tmp_path: Path, strict: str) -> None:
    """A log just rotated: a warning annotation and a passing step; strict: the step fails (2)."""
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "miner.log").write_bytes(b"")
    run = runner.run(tmp_path, strict=strict)
    if strict == "true":
        assert run.status == 2
        assert "::error title=wsdiag::logs/miner.log: empty (--strict: every input must be a miner log)" in run.stdout
        return
    assert run.status == 0, run.stderr
    assert "::warning title=wsdiag::logs/miner.log: empty: nothing to check" in run.stdout
    assert (run.outputs["verdict"], run.outputs["passed"]) == ("ok", "true")
    assert "is empty: nothing to check in it" in run.summary
