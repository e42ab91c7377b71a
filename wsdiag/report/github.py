"""GitHub Actions reporter: one workflow command (annotation) per cause, symptoms and notes as
notices, never one per log line.

GitHub parses ``::error title=T::message`` lines on a job's output. Values are escaped as the
runner expects (actions/toolkit ``command.ts``): in the message ``%``, CR and LF; in properties
also ``:`` and ``,``. Since the whole command is one line, no text from a log can end it early
or start a command of its own.
"""

from __future__ import annotations

from wsdiag.commands.check import CheckResult
from wsdiag.diagnose.diagnosis import Diagnosis
from wsdiag.diagnose.finding import Finding
from wsdiag.parse.redact import neutralise

_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    """Escape a workflow command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value (title=, file=...)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(kind: str, title: str, message: str) -> str:
    """One workflow command line, e.g. ``::error title=...::...``."""
    # neutralise() keeps other control characters from reaching the job log raw; it would also
    # make line ends visible, so it runs line by line, joined by a real (escaped) LF.
    lines = message.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    body = "\n".join(neutralise(part) for part in lines)
    return f"::{kind} title={escape_property(neutralise(title))}::{escape_data(body)}\n"


def _message(f: Finding) -> str:
    title = f.title
    if f.kind == "symptom":
        title += f" (symptom of {', '.join(f.because_of)})" if f.because_of else " (symptom)"
    lines = [title, *(f"• {e}" for e in f.evidence)]
    if f.recommendation:
        lines.append(f"Fix: {f.recommendation}")
    return "\n".join(lines)


def render(d: Diagnosis, check: CheckResult | None = None, source: str | None = None) -> str:
    """Annotations: one per cause, most important first, then symptoms and notes as notices;
    with a check, one error per violation.

    Without a check a cause's severity picks the command (info becomes a notice). With a check,
    every violation is an ``::error`` (it fails the job), causes below ``--fail-on`` keep their
    severity, and a threshold violation gets an ``::error`` of its own. ``source`` (--per-file)
    names the input file in every title.
    """
    of = f" ({source})" if source else ""
    out: list[str] = [command("notice", "wsdiag same-run", n.describe()) for n in d.summary.same_run]
    failing = {v.rule for v in check.violations if v.kind == "finding"} if check else set()
    for f in d.findings:
        if f.kind != "cause":
            kind = "notice"
        elif f.id in failing:
            kind = "error"
        else:
            kind = _COMMAND.get(f.severity, "notice")
        out.append(command(kind, f"wsdiag {f.id}{of}", _message(f)))
    if check is not None:
        for v in check.violations:
            if v.kind == "threshold":
                msg = f"{v.measured}, limit {v.limit} ({v.option})\n{v.message}"
                out.append(command("error", f"wsdiag {v.rule}{of}", msg))
    return "".join(out)
