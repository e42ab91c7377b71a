"""Reading: inputs into whole-line byte chunks, and the lines that can matter out of them.

Files, archives and standard input (:mod:`~wsdiag.read.sources`); timestamp layouts and
collector prefixes (:mod:`~wsdiag.read.stamps`, :mod:`~wsdiag.read.layouts`); the line filter
built from the template table, in C or in regexes (:mod:`~wsdiag.read.shapes`,
:mod:`~wsdiag.read.linefilter`, :mod:`~wsdiag.read.scan`); the time window
(:mod:`~wsdiag.read.timefilter`); following a growing log for ``watch``
(:mod:`~wsdiag.read.follow`).
"""
