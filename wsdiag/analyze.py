"""The old name of :mod:`wsdiag.summary.summary`, kept only while the parser modules of branch
i13t (scan, pipeline, linefilter) and its tests still import it; removed when they move to
``wsdiag/read/``. It is that module itself (``sys.modules``), so that a test that sets
``wsdiag.analyze.MAX_MINUTES`` still sets the cap the Summary reads.
"""

import sys

from wsdiag.summary import summary
from wsdiag.summary.inputs import MAX_SAMPLES, InputStats
from wsdiag.summary.summary import MAX_ID, Summary

summary.MAX_SAMPLES = MAX_SAMPLES  # type: ignore[attr-defined]
sys.modules[__name__] = summary

__all__ = ["MAX_ID", "MAX_SAMPLES", "InputStats", "Summary"]
