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
"""

from wsdiag.diagnose.causes import CAUSES, TIERS, TWITCH_SIDE
from wsdiag.diagnose.engine import diagnose, findings
from wsdiag.diagnose.evidence import Evidence
from wsdiag.diagnose.finding import KINDS, Finding
from wsdiag.diagnose.thresholds import SEVERITIES, Thresholds

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
