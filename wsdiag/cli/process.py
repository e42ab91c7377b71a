"""The process around a command: standard descriptors that the caller closed, and SIGTERM
unwinding like Ctrl-C."""

from __future__ import annotations

import os
import sys


def standard_descriptors() -> None:
    """Descriptors 0-2 that the caller closed (`wsdiag analyze F >&-`) are opened on /dev/null,
    so that no file wsdiag opens takes their number (an input must never become "stdout").
    Python has already set the matching sys.stdin/stdout/stderr to None: a report to a closed
    stdout is an error (io.stdout), warnings to a closed stderr go nowhere."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            devnull = os.open(os.devnull, os.O_RDWR)
            if devnull != fd:
                os.dup2(devnull, fd)
                os.close(devnull)
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - for the whole run


class Terminated(BaseException):
    """SIGTERM, raised where the program is, like KeyboardInterrupt for SIGINT: what is running
    unwinds (forked workers are stopped, a half-written -o file removed)."""


def terminate(signum: int, frame: object) -> None:
    """The SIGTERM handler: raise :class:`Terminated`."""
    raise Terminated
