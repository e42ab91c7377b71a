"""wsdiag: diagnose Twitch Channel Points Miner PubSub WebSocket failures from its logs.

The Python API (see the README, "Use from Python"): :func:`diagnose` reads logs and returns a
:class:`Diagnosis`, :func:`events` yields the failure events as the logs are read.
"""

from wsdiag.version import SCHEMA, __version__  # noqa: I001 - first: the modules below import it

# The function wsdiag.diagnose is bound after the subpackage wsdiag.diagnose is imported (by
# wsdiag.api), so the name is the function; the subpackage's modules import as usual.
from wsdiag.api import diagnose, events
from wsdiag.diagnose.diagnosis import Diagnosis
from wsdiag.diagnose.thresholds import Thresholds
from wsdiag.parse.records import FailureEvent
from wsdiag.read.sources import InputError

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
