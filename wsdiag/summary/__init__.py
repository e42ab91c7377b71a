"""Summaries: records folded into mergeable facts about one or more logs, in bounded memory.

A :class:`~wsdiag.summary.summary.Summary` is fed records by the scanner and merged with the
summary of the next part of a log (another chunk, worker, file); :mod:`~wsdiag.summary.dedupe`
folds echo lines into the error they repeat, and :mod:`~wsdiag.summary.same_run` counts one run
logged twice (console and file log) once.
"""
