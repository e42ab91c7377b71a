"""Where a report goes when ``-o FILE`` names it: a file that never costs a log.

Two rules, for every command that writes a file:

* A FILE that is one of the inputs (the same device and inode, whatever path names it: the
  path itself, a symlink, a hard link, ``./`` in front) is refused before anything is read.
* The report is written to a temporary file in FILE's directory and renamed over FILE once it
  is complete, so an error, a full disk or Ctrl-C half-way leaves FILE as it was.

A FILE that exists and is not a regular file (``/dev/null``, ``/dev/stdout``, a FIFO) cannot be
replaced by a rename: it is written directly, as a shell redirection would.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

Identity = tuple[int, int]  # (st_dev, st_ino)


class OutputError(Exception):
    """The output cannot be written (or must not be); the message names it."""


def identity(st: os.stat_result) -> Identity:
    return st.st_dev, st.st_ino


def _stat(path: Path) -> os.stat_result | None:
    """The output's stat (following symlinks), None when it does not exist yet."""
    try:
        return path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, ValueError) as exc:
        raise OutputError(f"cannot write ({_reason(exc)})") from None


def _reason(exc: BaseException) -> str:
    return str(getattr(exc, "strerror", None) or exc or type(exc).__name__)


def check(path: Path, inputs: Iterable[Identity]) -> None:
    """Refuse an output that is one of the inputs, a directory, or in a missing directory.

    Called before any input is read, so that a mistake costs nothing.
    """
    st = _stat(path)
    if st is None:
        parent = _stat(path.parent if str(path.parent) else Path("."))
        if parent is None or not stat.S_ISDIR(parent.st_mode):
            raise OutputError("cannot write (no such directory)")
        return
    if stat.S_ISDIR(st.st_mode):
        raise OutputError("cannot write (is a directory)")
    if stat.S_ISREG(st.st_mode) and identity(st) in set(inputs):
        raise OutputError(
            "is one of the inputs; refusing to overwrite a log with its report (choose another -o)"
        )


def _target(path: Path) -> Path:
    """The path the rename must replace: a symlink's target, so that the link stays a link."""
    try:
        return Path(os.path.realpath(path)) if path.is_symlink() else path
    except OSError:
        return path


def _mode_for(target: Path) -> int:
    """The permissions the file gets: those it had, or what a shell's `>` would give it."""
    with contextlib.suppress(OSError):
        return stat.S_IMODE(target.stat().st_mode)
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[TextIO]:
    """A text stream whose content replaces ``path`` when the block ends without an error.

    On an error (or an interrupt) the temporary file is removed and ``path`` is untouched.
    OSError from creating, writing, closing or renaming is raised as OutputError.
    """
    target = _target(path)
    st = _stat(target)
    if st is not None and not stat.S_ISREG(st.st_mode):
        try:
            with target.open("w", encoding="utf-8") as fh:
                yield fh
        except OSError as exc:
            raise OutputError(f"cannot write ({_reason(exc)})") from None
        return
    import tempfile  # here: only --output FILE needs it, and it costs every start-up a millisecond

    mode = _mode_for(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".wsdiag-tmp", dir=target.parent)
    except OSError as exc:
        raise OutputError(f"cannot write ({_reason(exc)})") from None
    done = False
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            yield fh
        os.chmod(tmp, mode)
        os.replace(tmp, target)
        done = True
    except OSError as exc:
        raise OutputError(f"cannot write ({_reason(exc)})") from None
    finally:
        if not done:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
