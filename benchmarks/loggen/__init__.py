"""Seeded generator of realistic Twitch Channel Points Miner logs with exact expected counts.

The generator writes a log in one of the miner's three layouts (``file``, ``console``, ``less``)
and returns an :class:`Expected` summary that follows the analyzer's counting contract:

* ``ids``: distinct ``N`` of ``#N - `` in WebSocket records; ``pool_size`` = max(ids) + 1;
* ``by_class``: every failure event counted once in its class (a websocket-client
  ``<err> - goodbye`` echo never counts; the three lines of an ERR_BADAUTH count once);
* ``reconnects`` / ``closes``: ``Reconnecting to Twitch PubSub server`` / ``WebSocket closed`` lines;
* ``topics_listened``: distinct topics in LISTEN lines (None without LISTEN lines);
* ``streamers``: N of ``Loading data for N streamers``;
* ``lines``: physical lines written; ``first``/``last``: time of the first/last record.

Only lines that were actually written are counted, so the summary is exact even when the size
target cuts the log. The output stops at the first line boundary at or past ``size`` bytes,
except that a multi-line failure event is always written whole.

Model (see FORMATS.md for the templates): the pool opens ``connections`` WebSockets of 50 topics
each (#0 also carries the two user topics, whose LISTEN lines hold the auth token) and every
reconnection LISTENs its topics again. Failure events start at ``failure_rate`` per body item:
an error event is ``#N - WebSocket error`` (+ optional traceback, + echo), ``WebSocket closed``
and ``Reconnecting ...``; a reconnection that finds no network logs one ``No internet`` event per
retry; ``bad_auth`` is a server RECONNECT (counted as ``reconnect_requested``) whose re-LISTEN of
the user topic is refused. An outage makes every connection fail within 60 s, keeps the body
silent while ``No internet`` retries repeat, then reconnects; ``Expected.outages`` holds the
time of the first and last outage error and the connections that failed in it.

The package's modules, along a run: ``config`` (knobs, texts, ``Expected``), ``pubsub_world``,
``pubsub_output`` and ``pubsub_failures`` (the PubSub generator's world, hot loop and failure
events), ``pubsub`` (its run), ``hermes_world`` and ``hermes`` (the Hermes client's), ``wrappers``
(collectors' prefixes) and ``cli``.

Pure standard library; usable as a module (``generate``) or a CLI::

    python benchmarks/genlog.py --size 1G --layout file --seed 1 -o big.log --expected big.json
"""

from __future__ import annotations

from typing import BinaryIO

from .config import (
    CLIENTS,
    FAILURE_CLASSES,
    LAYOUTS,
    LEVELS,
    LOGGERS,
    TOKEN_LENGTH,
    WRAPPERS,
    Expected,
    GenConfig,
)
from .hermes import _HermesGenerator
from .pubsub import _Generator

__all__ = [
    "CLIENTS",
    "FAILURE_CLASSES",
    "LAYOUTS",
    "LEVELS",
    "LOGGERS",
    "TOKEN_LENGTH",
    "WRAPPERS",
    "Expected",
    "GenConfig",
    "generate",
]


def generate(cfg: GenConfig, out: BinaryIO) -> Expected:
    """Write a log for ``cfg`` to ``out`` and return the exact expected analysis."""
    if cfg.client == "hermes":
        return _HermesGenerator(cfg, out).run()
    return _Generator(cfg, out).run()
