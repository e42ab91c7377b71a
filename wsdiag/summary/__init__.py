"""Summaries of logs: how inputs combine into one (see also :mod:`wsdiag.analyze`)."""
