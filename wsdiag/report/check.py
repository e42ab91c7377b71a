"""The text report of ``wsdiag check``: one line per violation, notes, one verdict line."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from wsdiag.commands.check import CheckResult
from wsdiag.diagnose.diagnosis import Diagnosis
from wsdiag.diagnose.finding import Finding
from wsdiag.parse.redact import neutralise


def _why_not(f: Finding, fail_on: str) -> str:
    """Why a finding does not fail the check."""
    if f.kind == "symptom":
        return f"symptom of {', '.join(f.because_of)}" if f.because_of else "symptom"
    if f.kind == "note":
        return "note"
    return f"{f.severity} cause (below --fail-on {fail_on})"


def render(
    d: Diagnosis, result: CheckResult, exit_zero: bool = False, console: Console | None = None
) -> str:
    """One line per violation (rule, measured value, limit), then one verdict line.

    With a console, FAIL/note/verdict are coloured as the console allows (never when piped).
    """
    lines: list[tuple[str, str, str]] = [  # (tag, style, rest)
        ("FAIL", "bold red", f" {v.rule}: {v.measured}, limit {v.limit} ({v.option}): {v.message}")
        for v in result.violations
    ]
    lines += [("note", "yellow", f" {f.id}: {_why_not(f, result.fail_on)}: {f.title}") for f in result.below]
    lines += [("note", "yellow", f" {n}") for n in result.notes]
    lines += [("note", "yellow", f" {n.describe()}") for n in d.summary.same_run]
    lines += [("note", "yellow", f" {path}: empty, nothing to check") for path in result.empty]
    names = ", ".join(st.path for st in d.summary.inputs.values())
    n = len(result.violations)
    if not any(st.records for st in d.summary.inputs.values()):
        verdict = ("wsdiag check: passed", "bold green", f": nothing to check, no input has a line ({names})")
    elif result.passed:
        verdict = ("wsdiag check: passed", "bold green", f": no cause at or above {result.fail_on}, "
                   f"no limit exceeded ({names})")
    else:
        tail = " (exit status 0: --exit-zero)" if exit_zero else ""
        verdict = ("wsdiag check: failed", "bold red",
                   f": {n} violation{'s' if n != 1 else ''} ({names}){tail}")
    lines.append(verdict)
    if console is None:
        # Input names come from the command line, titles partly from the log: no controls.
        return "".join(neutralise(tag + rest) + "\n" for tag, _, rest in lines)
    with console.capture() as capture:
        for tag, style, rest in lines:
            text = Text()
            text.append(tag, style=style)
            text.append(neutralise(rest))
            console.print(text, soft_wrap=True)
    return capture.get()
