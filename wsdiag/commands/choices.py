"""The choices of the commands that the command line declares as option types.

A module of its own, importing nothing of the package, so that declaring the options (which
every run does, ``wsdiag --version`` too) loads no command.
"""

from __future__ import annotations

from enum import Enum


class Existing(str, Enum):
    """What to do with what the file already holds when the watch begins."""

    context = "context"  # analysed, not reported as new
    replay = "replay"  # reported too
    skip = "skip"  # not read: the follower starts at its end, as tail -n0 -F

    def __str__(self) -> str:
        return self.value
