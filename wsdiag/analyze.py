"""The old name of :mod:`wsdiag.summary.summary`, kept only while the parser modules of branch
i13t (scan, pipeline, linefilter) still import it; removed when they move to ``wsdiag/read/``.
"""

from wsdiag.summary.summary import MAX_ID, MAX_SAMPLES, InputStats, Summary

__all__ = ["MAX_ID", "MAX_SAMPLES", "InputStats", "Summary"]
