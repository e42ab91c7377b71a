"""JSON reporter (schema wsdiag/1): :meth:`Diagnosis.to_dict`, and ``check`` for ``wsdiag check``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wsdiag.commands.check import CheckResult
    from wsdiag.diagnose.diagnosis import Diagnosis


def document(d: Diagnosis, check: CheckResult | None = None) -> dict[str, Any]:
    """The wsdiag/1 document of ``d``; with ``check``, its result under ``check``."""
    doc = d.to_dict()
    if check is not None:
        doc["check"] = check.to_dict()
    return doc


def dumps(doc: dict[str, Any], indent: int | None = 2) -> str:
    """A document as text, ASCII-only so any log content stays valid JSON anywhere."""
    return json.dumps(doc, indent=indent, ensure_ascii=True) + "\n"


def render(d: Diagnosis, check: CheckResult | None = None, indent: int | None = 2) -> str:
    """The wsdiag/1 document as text."""
    return dumps(document(d, check), indent)
