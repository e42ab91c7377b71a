"""Findings of a Summary: the public names of :mod:`wsdiag.diagnose`, where the engine lives.

Kept so that ``from wsdiag.findings import Thresholds, Finding, findings, limits`` keeps working.
"""

from __future__ import annotations

from wsdiag.diagnose.engine import findings
from wsdiag.diagnose.evidence import NETWORK_CLASSES, PING_CLASSES
from wsdiag.diagnose.finding import KINDS, Finding
from wsdiag.diagnose.healthy import HEALTHY_RECONNECTS_PER_CONN_HOUR, HEALTHY_UPTIME, Change
from wsdiag.diagnose.limits import (
    BACKOFF_FIRST_S,
    BACKOFF_MAX_S,
    DEFAULT_SETTINGS,
    DEFAULT_TOPICS_PER_STREAMER,
    DEFAULT_USER_TOPICS,
    TOPIC_SETTINGS,
    Limits,
    limits,
)
from wsdiag.diagnose.thresholds import SEVERITIES, Thresholds

__all__ = [
    "BACKOFF_FIRST_S",
    "BACKOFF_MAX_S",
    "DEFAULT_SETTINGS",
    "DEFAULT_TOPICS_PER_STREAMER",
    "DEFAULT_USER_TOPICS",
    "HEALTHY_RECONNECTS_PER_CONN_HOUR",
    "HEALTHY_UPTIME",
    "KINDS",
    "NETWORK_CLASSES",
    "PING_CLASSES",
    "SEVERITIES",
    "TOPIC_SETTINGS",
    "Change",
    "Finding",
    "Limits",
    "Thresholds",
    "findings",
    "limits",
]
