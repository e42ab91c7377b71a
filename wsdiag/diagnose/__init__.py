"""The diagnosis engine: evidence -> causes (each failure attributed to at most one) -> ranking,
then the symptoms and notes that follow from them.

Modules, along the data flow: :mod:`~wsdiag.diagnose.thresholds` (the limits),
:mod:`~wsdiag.diagnose.pool` (the one divisor of per-connection rates),
:mod:`~wsdiag.diagnose.limits` (what fits Twitch's limits), :mod:`~wsdiag.diagnose.evidence`
(built once from a Summary), :mod:`~wsdiag.diagnose.causes` (attribution and rank),
:mod:`~wsdiag.diagnose.advice` and :mod:`~wsdiag.diagnose.advice_link` (what each cause tells
the user, worded by :mod:`~wsdiag.diagnose.wording`),
:mod:`~wsdiag.diagnose.symptoms`, :mod:`~wsdiag.diagnose.healthy` (this log next to a healthy
one) and :mod:`~wsdiag.diagnose.engine` (all of it in order).

The exports below load on first use (PEP 562): importing one module of the package, such as
``thresholds`` for the CLI's option defaults, must not load the whole engine.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wsdiag.diagnose.causes import CAUSES, TIERS, TWITCH_SIDE
    from wsdiag.diagnose.engine import diagnose, findings
    from wsdiag.diagnose.evidence import Evidence
    from wsdiag.diagnose.finding import KINDS, Finding
    from wsdiag.diagnose.thresholds import SEVERITIES, Thresholds

#: Each export and the module of the package that defines it.
_EXPORTS = {
    "CAUSES": "causes",
    "TIERS": "causes",
    "TWITCH_SIDE": "causes",
    "diagnose": "engine",
    "findings": "engine",
    "Evidence": "evidence",
    "KINDS": "finding",
    "Finding": "finding",
    "SEVERITIES": "thresholds",
    "Thresholds": "thresholds",
}

__all__ = [
    "CAUSES",
    "KINDS",
    "SEVERITIES",
    "TIERS",
    "TWITCH_SIDE",
    "Evidence",
    "Finding",
    "Thresholds",
    "diagnose",
    "findings",
]


def __getattr__(name: str) -> object:
    """An export, imported from its module on first use and kept."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
