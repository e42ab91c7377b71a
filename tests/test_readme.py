"""The README's examples are real: each `$ wsdiag ...` on a sample log prints what it shows."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys

import pytest

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks() -> list[list[str]]:
    """The lines of each fenced code block."""
    blocks: list[list[str]] = []
    current: list[str] | None = None
    for line in README.splitlines():
        if line.startswith("```"):
            if current is None:
                current = []
            else:
                blocks.append(current)
                current = None
        elif current is not None:
            current.append(line)
    return blocks


def _examples() -> list[tuple[str, list[str]]]:
    """(command, the output lines shown under it) for every `$ wsdiag` line in a code block."""
    out: list[tuple[str, list[str]]] = []
    for lines in _blocks():
        for i, line in enumerate(lines):
            if line.startswith("$ wsdiag "):
                shown: list[str] = []
                for nxt in lines[i + 1 :]:
                    if nxt.startswith("$ "):
                        break
                    shown.append(nxt)
                out.append((line[2:], shown))
    return out


EXAMPLES = _examples()


def test_readme_has_examples() -> None:
    """The README shows every command at work."""
    commands = {cmd.split()[1] for cmd, _ in EXAMPLES}
    assert commands >= {"analyze", "check", "events", "compare"}


@pytest.mark.parametrize(("command", "shown"), EXAMPLES, ids=[c for c, _ in EXAMPLES])
def test_readme_example_output_is_current(command: str, shown: list[str]) -> None:
    """The lines the README shows are the lines the command prints (up to an elision)."""
    cmd, _, pipe = command.partition(" | ")
    argv = [sys.executable, "-m", "wsdiag", *shlex.split(cmd)[1:]]
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120"}
    proc = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
    printed = proc.stdout.splitlines()
    if pipe.startswith("head -"):
        printed = printed[: int(pipe.split("-")[1])]
    printed = [line for line in printed if line.strip()]
    expected = [line for line in shown if line.strip() and not line.startswith(("$", "..."))]
    expected = expected[: next((i for i, line in enumerate(expected) if "..." in line), len(expected))]
    assert expected, command
    assert [line.rstrip() for line in printed[: len(expected)]] == [line.rstrip() for line in expected]


def _prose(text: str) -> str:
    """The text outside fenced code blocks."""
    return re.sub(r"```.*?```", "", text, flags=re.S)


@pytest.mark.parametrize("doc", ["README.md", "sample_logs/README.md"])
def test_docs_name_only_files_a_user_has(doc: str) -> None:
    """Every file the docs point to is in the repository: no `../shared/...`, no `FORMATS.md`."""
    path = ROOT / doc
    prose = _prose(path.read_text(encoding="utf-8"))
    assert "../" not in prose
    assert "FORMATS.md" not in prose
    assert "DIAGNOSIS.md" not in prose
    named = set(re.findall(r"`((?:[\w.-]+/)*[\w.-]+\.(?:md|py|yml|yaml|json|toml|c|log))`", prose))
    named |= set(re.findall(r"`((?:sample_logs|examples|tests|wsdiag|scripts|benchmarks)/[\w./-]+)`", prose))
    placeholders = {"miner.log", "console.log", "logs/miner.log", "wsdiag.json", "report.json", "wsdiag/1"}
    placeholders |= {"./m.log", "latest.log"}  # examples of names a user gives
    missing = sorted(
        n for n in named - placeholders
        if not (ROOT / n).exists() and not (path.parent / n).exists() and "<" not in n
    )
    assert missing == []


def test_readme_warning_example_is_current() -> None:
    """The stderr line the README quotes under the first example is what wsdiag writes, and the
    first example (outage.log) writes none."""
    ((quoted, sample),) = re.findall(r"`(wsdiag: warning: (sample_logs/\w+\.log): [^`]+)`", README)
    env = {**os.environ, "NO_COLOR": "1"}
    for path, want in (("sample_logs/outage.log", []), (sample, [quoted])):
        proc = subprocess.run(
            [sys.executable, "-m", "wsdiag", "analyze", path, "--year", "2025"],
            capture_output=True, text=True, cwd=ROOT, env=env, timeout=60,
        )
        assert proc.stderr.splitlines() == want


def test_use_from_python_example_runs() -> None:
    """The README's "Use from Python" example prints what it shows, run from the repository root."""
    import doctest

    section = README.split("## Use from Python", 1)[1].split("\n## ", 1)[0].replace("```", "")
    test = doctest.DocTestParser().get_doctest(section, {}, "README: Use from Python", "README.md", 0)
    assert len(test.examples) >= 8
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        result = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS).run(test)
    finally:
        os.chdir(cwd)
    assert result.failed == 0


def test_ci_runs_the_readme_test_command_on_both_paths() -> None:
    """`.ci/run` runs the README's test command, and that command runs the suite on both paths."""
    command = "pip install -e '.[test]' && python -m pytest && WSDIAG_PURE_PYTHON=1 python -m pytest"
    assert f"```sh\n{command}\n```" in README
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert command in ci.splitlines()
