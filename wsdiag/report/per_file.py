"""``--per-file``: one report per input file, in one document of each format.

Each file is analysed alone (nothing is merged, no same-run detection), and each file's report is
the one its own run would give. The JSON document keeps the ``wsdiag/1`` schema name and adds
``per_file`` (one full report per file, with its ``check`` under ``check``); its top-level
``verdict`` is the worst of the files', and with ``check`` the top-level ``check.passed`` is false
when any file fails.
"""

from __future__ import annotations

from typing import Any

from wsdiag.commands.check import CheckResult
from wsdiag.common.words import of, plural
from wsdiag.diagnose.diagnosis import Diagnosis
from wsdiag.parse.redact import neutralise
from wsdiag.version import SCHEMA, __version__

Pair = tuple[Diagnosis, "CheckResult | None"]
_WORST = ("error", "warning", "ok")


def name(d: Diagnosis) -> str:
    """The input file a per-file diagnosis is of."""
    return ", ".join(d.summary.inputs) or "-"


def worst(ds: list[Diagnosis]) -> str:
    """The most severe verdict of the files."""
    return min((d.verdict for d in ds), key=_WORST.index, default="ok")


def _failed(pairs: list[Pair]) -> list[str]:
    return [name(d) for d, r in pairs if r is not None and not r.passed]


def render_json(pairs: list[Pair]) -> str:
    """``{"schema", "version", "verdict", "per_file": [report, ...], "check"?}``."""
    from wsdiag.report import json

    files = [json.document(d, result) for d, result in pairs]
    out: dict[str, Any] = {
        "schema": SCHEMA,
        "version": __version__,
        "verdict": worst([d for d, _ in pairs]),
        "per_file": files,
    }
    checked = [r for _, r in pairs if r is not None]
    if checked:
        failed = _failed(pairs)
        out["check"] = {"passed": not failed, "fail_on": checked[0].fail_on, "failed": failed}
    return json.dumps(out)


def overall(pairs: list[Pair], exit_zero: bool = False) -> str | None:
    """The last line of ``check --per-file``: how many files failed (None without a check)."""
    if not any(r is not None for _, r in pairs):
        return None
    failed = _failed(pairs)
    total = len(pairs)
    if not failed:
        return f"wsdiag check: passed: {plural(total, 'file')}, none failed"
    tail = " (exit status 0: --exit-zero)" if exit_zero else ""
    return f"wsdiag check: failed: {of(len(failed), total, 'file')} ({', '.join(failed)}){tail}"


def join_text(reports: list[str], pairs: list[Pair], exit_zero: bool = False) -> str:
    """Text reports one after the other (each names its file first), then the overall line."""
    text = "\n".join(r if r.endswith("\n") else r + "\n" for r in reports)
    line = overall(pairs, exit_zero)
    return text + ("\n" + neutralise(line) + "\n" if line is not None else "")


def render_markdown(pairs: list[Pair], exit_zero: bool = False) -> str:
    """One section per file under a heading naming it; with a check, the overall result first."""
    from wsdiag.report import markdown

    out: list[str] = []
    line = overall(pairs, exit_zero)
    if line is not None:
        mark = "❌" if _failed(pairs) else "✅"
        out += [f"# {mark} {markdown.md(line)}", ""]
    for d, result in pairs:
        out += [f"# {markdown.md(name(d))}", "", markdown.render(d, result, exit_zero)]
    return "\n".join(out)


def render_github(pairs: list[Pair]) -> str:
    """Each file's annotations, each titled with its file."""
    from wsdiag.report import github

    return "".join(github.render(d, result, name(d)) for d, result in pairs)
