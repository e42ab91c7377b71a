"""Message templates of the miner and websocket-client (FORMATS.md sections 2 and 3,
FORKS-2026.md), in one table.

Each :class:`~wsdiag.parse.template.Template` says where it sits in a message, the text it starts
with, the record it yields, and what a line filter must look for so that it never skips a line
the template reads. The entries live in :mod:`wsdiag.parse.pubsub_entries` and
:mod:`wsdiag.parse.hermes_entries`; this module orders them. :func:`to_record` reads a message by
the table (:mod:`wsdiag.parse.table`); :data:`SIEVE`, derived from it, is what the fast path's
filters are built from (:mod:`wsdiag.read.linefilter`, the C ``_lines.Filter``). Adding a template
is adding an entry: tests/test_templates.py reads every entry's example through to_record and
through both filters.

Every wording the miner ever used maps to the same kind, so a 2021 log and a 2025 log are
counted alike.
"""

from __future__ import annotations

from wsdiag.parse import hermes_entries, pubsub_entries
from wsdiag.parse.pubsub_entries import MESSAGE_FRAME, listen_topics, response_error
from wsdiag.parse.table import Sieve, Table, sieve_of
from wsdiag.parse.template import (
    AFTER_DIGITS,
    ECHO_FUNCS,
    ID_SEPS,
    LEADS,
    USER,
    Match,
    Place,
    Reader,
    Template,
    error_after,
    error_before,
    error_from,
    number,
    plain,
    with_text,
)

__all__ = [
    "AFTER_DIGITS", "ECHO_FUNCS", "ID_SEPS", "LEADS", "MESSAGE_FRAME", "SIEVE", "TABLE", "TEMPLATES",
    "USER", "Match", "Place", "Reader", "Sieve", "Table", "Template", "error_after", "error_before",
    "error_from", "listen_topics", "number", "plain", "response_error", "sieve_of", "to_record",
    "with_text",
]

#: Every template, in the order they are tried (the first that matches decides; only templates
#: whose literals start alike compete, as Hermes' `No internet ... Retrying websocket` and the
#: PubSub client's `No internet ...`, and templates that are searched).
TEMPLATES: tuple[Template, ...] = (
    *hermes_entries.CONNECTION,
    *pubsub_entries.CONNECTION,
    *pubsub_entries.IDLESS,
    *hermes_entries.STARTUP,
    *hermes_entries.ANONYMISED,
    *hermes_entries.OWN_ID,
    *pubsub_entries.ECHOES,
)

TABLE = Table(TEMPLATES)
SIEVE = TABLE.sieve
to_record = TABLE.to_record
