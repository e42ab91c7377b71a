"""The step of the wsdiag GitHub Action (``action.yml``): install wsdiag, check the logs, report.

action.yml maps each input to an ``INPUT_<NAME>`` variable (``fail-on`` -> ``INPUT_FAIL_ON``) and
runs this file with the runner's Python. It works in two stages:

1. With the runner's Python (3.10 or later): an isolated venv in ``$RUNNER_TEMP`` gets wsdiag
   installed from the action's own checkout (``$GITHUB_ACTION_PATH``), so the user's Python and
   packages are left alone. A later use of the same action in the same job reuses it.
2. With that venv's Python (this file again, ``--in-venv``): ONE ``wsdiag check`` run writes the
   annotations (``--format github`` on stdout) and, through ``--also``, the Markdown report for
   ``$GITHUB_STEP_SUMMARY`` and the JSON report the outputs are read from. wsdiag's own messages
   on stderr are passed on and, with annotations on, become ``::warning``/``::error`` too.

The exit status is wsdiag's: 0 passed (or ``exit-zero``), 1 violations, 2 unusable input or
inputs (and a failed install).
"""

from __future__ import annotations

import glob
import json
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

# Inputs passed to `wsdiag check` as `--NAME VALUE` when not empty: every input name is the
# option's name, so wsdiag alone defines the defaults and validates the values.
VALUE_INPUTS = (
    "fail-on",
    "max-connections",
    "max-reconnects-per-hour",
    "topics-per-connection",
    "network-min",
    "ping-min",
    "storm-rate",
    "since",
    "until",
    "year",
)
# Boolean inputs passed as the `wsdiag check` flag of the same name when true.
FLAG_INPUTS = ("exit-zero", "per-file", "strict")
VENV_NAME = "wsdiag-venv"
MARKER = "wsdiag-action-source.txt"  # in the venv: the action checkout it was installed from
# GitHub refuses a step summary over 1 MiB; the report is cut at a line end below that.
SUMMARY_LIMIT = 1000 * 1024
INSTALL_FAILED = 2


def get_input(name: str) -> str:
    """The input as action.yml passes it (``INPUT_FAIL_ON`` for ``fail-on``), stripped."""
    return os.environ.get("INPUT_" + name.upper().replace("-", "_"), "").strip()


def get_bool(name: str, default: bool) -> bool:
    """A boolean input, read as actions/toolkit's getBooleanInput reads one (YAML 1.2 core)."""
    value = get_input(name)
    if not value:
        return default
    if value in ("true", "True", "TRUE"):
        return True
    if value in ("false", "False", "FALSE"):
        return False
    raise ValueError(f"input {name}: {value!r} is not true or false")


def _runner_temp() -> Path:
    return Path(os.environ.get("RUNNER_TEMP") or tempfile.gettempdir())


# --- stage 1: the runner's Python ------------------------------------------------------------


def _venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _error_before_install(message: str) -> None:
    """An ``::error`` annotation while wsdiag (and its ``report.github.command``) is not installed."""
    text = message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    sys.stdout.write(f"::error title=wsdiag::{text}\n")


def _group(title: str) -> None:
    sys.stdout.write(f"::group::{title}\n")
    sys.stdout.flush()


def _endgroup() -> None:
    sys.stdout.write("::endgroup::\n")
    sys.stdout.flush()


def install(action_path: Path, temp: Path) -> Path:
    """The Python of a venv with wsdiag installed from ``action_path``: made, or reused."""
    venv = temp / VENV_NAME
    python = _venv_python(venv)
    marker = venv / MARKER
    if python.exists() and marker.exists() and marker.read_text(encoding="utf-8") == str(action_path):
        return python
    _group(f"Install wsdiag from {action_path} into {venv}")
    try:
        # --clear: a venv left by another version of the action in this job is replaced.
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--disable-pip-version-check", "--no-input",
             "--quiet", str(action_path)],
            check=True,
        )
    finally:
        _endgroup()
    marker.write_text(str(action_path), encoding="utf-8")
    return python


def stage_install() -> int:
    """Make the venv, then run stage 2 in it; wsdiag's exit status, or 2 when that fails."""
    # The runner's python3 may be older than wsdiag allows: say so instead of failing in pip.
    if sys.version_info < (3, 10):  # noqa: UP036
        found = ".".join(map(str, sys.version_info[:3]))
        _error_before_install(
            f"wsdiag needs Python 3.10 or later, {sys.executable} is {found}: "
            "add actions/setup-python before this step or set the python input"
        )
        return INSTALL_FAILED
    action_path = Path(os.environ.get("GITHUB_ACTION_PATH") or Path(__file__).resolve().parent.parent)
    try:
        python = install(action_path, _runner_temp())
    except (OSError, subprocess.CalledProcessError) as exc:
        _error_before_install(f"could not install wsdiag from {action_path}: {exc}")
        return INSTALL_FAILED
    sys.stdout.flush()
    # UTF-8 on every runner: Windows would otherwise encode stdout (annotations) in its code page.
    env = {**os.environ, "PYTHONUTF8": "1", "PYTHONIOENCODING": "utf-8"}
    argv = [str(python), str(Path(__file__).resolve()), "--in-venv"]
    return subprocess.run(argv, env=env, check=False).returncode


# --- stage 2: the venv's Python, wsdiag importable ---------------------------------------------


def log_paths(text: str, cwd: Path) -> list[str]:
    """The ``paths`` input: one path per line; a line with * ? [ that names no file is a glob."""
    out: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if any(c in line for c in "*?[") and not (cwd / line).exists():
            matches = sorted(glob.glob(line, root_dir=cwd, recursive=True))
            if matches:
                out.extend(matches)
                continue
        out.append(line)  # a missing path is wsdiag's to report (exit 2, naming it)
    return out


def outputs_of(doc: dict[str, Any] | None, status: int, json_path: Path) -> dict[str, str]:
    """The action's outputs from the wsdiag/1 JSON document of the run (None: there is none).

    With per-file, the document holds one report per file (``per_file``) under a top-level
    ``verdict`` (the worst) and ``check``: the cause and pool size are those of the first file
    whose verdict is the worst.
    """
    doc = doc or {}
    files = [f for f in doc.get("per_file") or [] if isinstance(f, dict)]
    report = next((f for f in files if f.get("verdict") == doc.get("verdict")), doc)

    def part(key: str, of: dict[str, Any] = report) -> dict[str, Any]:
        value = of.get(key)
        return value if isinstance(value, dict) else {}

    # diagnosis.primary comes with the diagnosis engine; until then, and when it is null, "".
    diagnosis, connections, check = part("diagnosis"), part("connections"), part("check", doc)
    pool = connections.get("pool_size")
    passed = check.get("passed")
    return {
        "verdict": str(doc.get("verdict") or ""),
        "primary-cause": str(diagnosis.get("primary") or ""),
        "pool-size": "" if pool is None else str(pool),
        "passed": "" if passed is None else str(bool(passed)).lower(),
        "exit-code": str(status),
        "json-report": str(json_path) if doc else "",
    }


def write_outputs(values: dict[str, str]) -> None:
    """Append to ``$GITHUB_OUTPUT`` in the multi-line form, with a delimiter no value contains."""
    target = os.environ.get("GITHUB_OUTPUT")
    if not target:
        return
    with open(target, "a", encoding="utf-8") as out:
        for name, value in values.items():
            delimiter = f"ghadelimiter_{uuid.uuid4()}"
            out.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")


def append_summary(markdown: str) -> None:
    """Append to ``$GITHUB_STEP_SUMMARY``, cut at a line end to stay under GitHub's limit."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    data = markdown.encode("utf-8")
    if len(data) > SUMMARY_LIMIT:
        cut = data.rfind(b"\n", 0, SUMMARY_LIMIT - 200) + 1
        data = data[:cut] + (
            b"\n*The report is longer than a job summary may be; the rest is in the "
            b"`json-report` and `html-report` files.*\n"
        )
    with open(target, "ab") as out:
        out.write(data)


def _failure_summary(status: int, stderr: str) -> str:
    """What the step summary says when wsdiag gave no report: its messages, verbatim."""
    import re

    from wsdiag.parse.redact import neutralise

    text = "\n".join(neutralise(line) for line in stderr.strip().splitlines()) or "(no message)"
    # A fence longer than any run of backticks in the text: nothing in it can end the block.
    fence = "`" * max([3, *(len(run) + 1 for run in re.findall(r"`+", text))])
    return f"## ❌ wsdiag could not check the logs (exit status {status})\n\n{fence}\n{text}\n{fence}\n"


def annotate_messages(stderr: str, failed: bool) -> str:
    """wsdiag's warnings and errors on stderr as annotations; a failure always gets one."""
    from wsdiag.report.github import command

    out: list[str] = []
    for line in stderr.splitlines():
        for kind in ("error", "warning"):
            prefix = f"wsdiag: {kind}: "
            if line.startswith(prefix):
                out.append(command(kind, "wsdiag", line[len(prefix) :]))
    if failed and not any(a.startswith("::error") for a in out):
        # A usage error is click's ("Error: Invalid value for '--fail-on': ..."): its last line.
        last = next((line for line in reversed(stderr.splitlines()) if line.strip()), "no message")
        out.append(command("error", "wsdiag", last.strip()))
    return "".join(out)


def check_argv(temp: Path, cwd: Path, annotations: bool) -> tuple[list[str], dict[str, Path]]:
    """The one `wsdiag check` command line, and the report files it writes besides stdout."""
    paths = log_paths(get_input("paths"), cwd)
    if not paths:
        raise ValueError("input paths: no log path given")
    files = {
        "markdown": temp / "report.md",
        "json": Path(get_input("json-report")) if get_input("json-report") else temp / "report.json",
    }
    if get_input("html-report"):
        files["html"] = Path(get_input("html-report"))
    argv = [sys.executable, "-m", "wsdiag", "check", "--format", "github" if annotations else "text"]
    for name in VALUE_INPUTS:
        if value := get_input(name):
            argv += [f"--{name}", value]
    for name in FLAG_INPUTS:
        if get_bool(name, False):
            argv.append(f"--{name}")
    for fmt, path in files.items():
        argv += ["--also", f"{fmt}={path}"]
    return [*argv, "--", *paths], files


def stage_check() -> int:
    """Run `wsdiag check` once; summary, annotations and outputs from that one analysis."""
    from wsdiag.report.github import command

    cwd = Path.cwd()
    try:
        annotations = get_bool("annotations", True)
        summary = get_bool("summary", True)
        temp = Path(tempfile.mkdtemp(prefix="wsdiag-", dir=_runner_temp()))
        argv, files = check_argv(temp, cwd, annotations)
    except ValueError as exc:  # an input the action reads itself
        message = f"wsdiag action: error: {exc}\n"
        sys.stderr.write(message)
        sys.stdout.write(command("error", "wsdiag", str(exc)))
        append_summary(_failure_summary(2, message))
        write_outputs(outputs_of(None, 2, Path()))
        return 2
    for path in files.values():  # the files' folders, for json-report: reports/x.json
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)  # a report left by an earlier run must not pass for this one
    sys.stdout.flush()
    proc = subprocess.run(argv, stderr=subprocess.PIPE, cwd=cwd, check=False)  # stdout: to the log
    status = proc.returncode
    stderr = proc.stderr.decode("utf-8", "replace")
    sys.stderr.write(stderr)
    reported = status in (0, 1) and files["json"].exists()
    if annotations:
        sys.stdout.write(annotate_messages(stderr, not reported))
    doc = json.loads(files["json"].read_text(encoding="utf-8")) if reported else None
    if summary:
        if reported:
            append_summary(files["markdown"].read_text(encoding="utf-8"))
        else:
            append_summary(_failure_summary(status, stderr))
    write_outputs(outputs_of(doc, status, files["json"]))
    sys.stdout.flush()
    return status


def main(argv: list[str]) -> int:
    if argv[1:] == ["--in-venv"]:
        return stage_check()
    return stage_install()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
