"""Parsing: a line's text into a record.

The one template table (:mod:`~wsdiag.parse.templates`) and the text templates of ids
(:mod:`~wsdiag.parse.templating`), records and failure classes (:mod:`~wsdiag.parse.records`,
:mod:`~wsdiag.parse.classify`), and what must never leave: tokens and control characters
(:mod:`~wsdiag.parse.redact`).
"""
