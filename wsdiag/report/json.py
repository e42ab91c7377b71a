"""JSON reporter (schema wsdiag/1)."""

from __future__ import annotations

import json

from wsdiag.diagnose.diagnosis import Diagnosis


def render(diagnosis: Diagnosis, indent: int | None = 2) -> str:
    """The wsdiag/1 document; ASCII-only so any log content stays valid JSON anywhere."""
    return json.dumps(diagnosis.to_dict(), indent=indent, ensure_ascii=True) + "\n"
