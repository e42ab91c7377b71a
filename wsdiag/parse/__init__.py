"""Parsing: a line's text into a record.

The one template table (:mod:`~wsdiag.parse.templates`: its types, entries and reading in
:mod:`~wsdiag.parse.template`, :mod:`~wsdiag.parse.pubsub_entries`,
:mod:`~wsdiag.parse.hermes_entries`, :mod:`~wsdiag.parse.table`) and the text templates of ids
(:mod:`~wsdiag.parse.templating`), records and failure classes (:mod:`~wsdiag.parse.records`,
:mod:`~wsdiag.parse.classify`), and what must never leave: tokens and control characters
(:mod:`~wsdiag.parse.redact`).
"""
