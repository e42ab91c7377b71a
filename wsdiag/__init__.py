"""wsdiag: diagnose Twitch Channel Points Miner PubSub WebSocket failures from its logs.

The Python API (see the README, "Use from Python"): :func:`diagnose` reads logs and returns a
:class:`Diagnosis`, :func:`events` yields the failure events as the logs are read. Both live in
:mod:`wsdiag.api` and are imported on first use, so ``wsdiag --help`` does not pay for them.
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

from wsdiag.version import SCHEMA, __version__

if TYPE_CHECKING:
    from wsdiag.api import diagnose, events
    from wsdiag.diagnose.diagnosis import Diagnosis
    from wsdiag.diagnose.thresholds import Thresholds
    from wsdiag.parse.records import FailureEvent
    from wsdiag.read.sources import InputError
else:

    def diagnose(paths, **options):
        """Read the logs as one miner's log and diagnose it: see :func:`wsdiag.api.diagnose`."""
        from wsdiag import api

        return api.diagnose(paths, **options)

    def events(paths, **options):
        """The failure events, in log order, while read: see :func:`wsdiag.api.events`."""
        from wsdiag import api

        return api.events(paths, **options)

    _LAZY = {
        "Diagnosis": "wsdiag.diagnose.diagnosis",
        "Thresholds": "wsdiag.diagnose.thresholds",
        "FailureEvent": "wsdiag.parse.records",
        "InputError": "wsdiag.read.sources",
    }

    def __getattr__(name: str) -> Any:
        if name in _LAZY:
            import importlib

            return getattr(importlib.import_module(_LAZY[name]), name)
        raise AttributeError(f"module 'wsdiag' has no attribute {name!r}")


class _Package(types.ModuleType):
    """The package module: importing the subpackage ``wsdiag.diagnose`` binds its name on the
    package, over the function :func:`diagnose`; this keeps the function."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "diagnose" and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

__all__ = [
    "SCHEMA",
    "Diagnosis",
    "FailureEvent",
    "InputError",
    "Thresholds",
    "__version__",
    "diagnose",
    "events",
]
