"""Follow a growing log like ``tail -F``: whole-line byte chunks and notices of what happened.

:class:`Follower` follows a path, :class:`StreamFollower` a pipe; both yield whole-line chunks
and :class:`Notice` objects (``opened``, ``missing``, ``unreadable``, ``rotated``,
``truncated``, ``eof``). A rotated file (renamed or deleted, and a new one created at the path)
is read to its end before the new file is opened; a truncated file (copytruncate) is read again
from its start. A partial last line waits for its newline; a line longer than ``MAX_LINE`` is
never held whole. UTF-16 and UTF-32 logs are re-encoded as UTF-8.
"""

from __future__ import annotations

import codecs
import os
import select
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from wsdiag.parse.redact import neutralise
from wsdiag.read.decoding import text_codec
from wsdiag.read.scan import MAX_LINE
from wsdiag.read.sources import shown_name

READ_SIZE = 1 << 20  # bytes read (and scanned) at a time: bounds memory during catch-up
_PLACEHOLDER = b"\0" * (MAX_LINE + 1) + b"\n"  # counted by the scanner as one too-long line


@dataclass(frozen=True)
class Notice:
    """Something happened to the followed file."""

    state: str  # opened | missing | rotated | truncated | eof
    path: str


class LineSplitter:
    """Cuts appended bytes into whole lines; keeps at most one partial line of <= MAX_LINE."""

    def __init__(self) -> None:
        self.carry = b""
        self.giant = False  # discarding the rest of a too-long line

    def feed(self, data: bytes) -> bytes:
        """The whole lines completed by ``data`` (possibly empty), newline-terminated."""
        out: list[bytes] = []
        if self.giant:
            ends = [i for i in (data.find(b"\n"), data.find(b"\r")) if i != -1]
            if not ends:
                return b""
            self.giant = False
            out.append(_PLACEHOLDER)
            data = data[min(ends) + 1 :]
        data = self.carry + data if self.carry else data
        cut = _last_break(data)
        if cut == -1:
            self.carry = data
        else:
            out.append(data[: cut + 1])
            self.carry = data[cut + 1 :]
        if len(self.carry) > MAX_LINE:
            self.giant, self.carry = True, b""
        return b"".join(out)

    def flush(self) -> bytes:
        """The unterminated last line of a file that will not grow any more."""
        data = _PLACEHOLDER if self.giant else (self.carry + b"\n" if self.carry else b"")
        self.reset()
        return data

    def reset(self) -> None:
        self.carry, self.giant = b"", False


def _last_break(data: bytes) -> int:
    """Index of the last line end; a CR at the very end may be half of a CRLF, so it waits."""
    nl = data.rfind(b"\n")
    cr = data.rfind(b"\r", nl + 1, len(data) - 1)
    return cr if cr > nl else nl


def _never() -> bool:
    return False


#: Bytes before the read offset kept to tell a file rewritten since the last poll.
_TAIL = 64


class Follower:
    """``tail -F`` for one path: yields whole-line chunks and :class:`Notice` objects.

    Only a regular file is followed: a path that is (or becomes) a FIFO, a device, a symlink to
    one, or a directory is reported (``unreadable``) and waited on, never opened in a way that
    could block or read forever. A truncation is noticed when the file got shorter than what
    was read, and also when it was truncated and written past that point between two polls
    (the bytes just before the offset changed). UTF-16 and UTF-32 logs are re-encoded as UTF-8.
    """

    def __init__(self, path: Path, start_at_end: bool = False, read_size: int = READ_SIZE) -> None:
        self.path = path
        self.name = shown_name(str(path))  # printed: controls escaped
        self.start_at_end = start_at_end
        self.read_size = read_size
        self.fh: BinaryIO | None = None
        self.ident: tuple[int, int] | None = None
        self.offset = 0
        self.tail = b""  # the last bytes read, ending at offset
        self.decoder: codecs.IncrementalDecoder | None = None
        self.encoding_known = False
        self.split = LineSplitter()
        self._missing_told = False
        self._unreadable_told: str | None = None
        self._opened_once = False

    def close(self) -> None:
        if self.fh is not None:
            self.fh.close()
            self.fh = None

    def _open(self) -> Iterator[Notice]:
        """Open the path if it is a regular file (yields why not, once per reason)."""
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            st = os.stat(self.path)
            if not stat.S_ISREG(st.st_mode):  # refused before opening: a FIFO's open blocks
                raise IsADirectoryError if stat.S_ISDIR(st.st_mode) else _NotRegular
            fd = os.open(self.path, flags)
        except (FileNotFoundError, NotADirectoryError):
            if not self._missing_told:
                self._missing_told = True
                yield Notice("missing", self.name)
            return
        except (OSError, ValueError, _NotRegular) as exc:
            odd = isinstance(exc, (_NotRegular, IsADirectoryError))
            reason = "not a regular file" if odd else _reason(exc)
            if self._unreadable_told != reason:
                self._unreadable_told = reason
                yield Notice("unreadable", f"{self.name} ({reason})")
            return
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):  # swapped for something else since the stat
            os.close(fd)
            return
        fh = os.fdopen(fd, "rb", buffering=0)
        self.fh, self.ident = fh, (st.st_dev, st.st_ino)
        self._restart()
        if self.start_at_end and not self._opened_once:
            # Only the first file starts at its end; a file created by rotation is all new.
            self.offset = fh.seek(0, os.SEEK_END)
            self._learn_encoding(os.pread(fd, 64, 0) if self.offset else b"")
            self.tail = os.pread(fd, min(_TAIL, self.offset), self.offset - min(_TAIL, self.offset))
        self._opened_once = True
        self._missing_told = False
        self._unreadable_told = None
        yield Notice("opened", self.name)

    def _restart(self) -> None:
        """From the top of the file: nothing read, no line held, its encoding to be learnt."""
        self.offset = 0
        self.tail = b""
        self.decoder = None
        self.encoding_known = False
        self.split.reset()

    def _learn_encoding(self, head: bytes) -> None:
        """UTF-16/32 from the file's first bytes (a BOM, or the NULs of ASCII text)."""
        if self.encoding_known or not head:
            return
        codec = text_codec(head)
        self.decoder = None if codec is None else codecs.getincrementaldecoder(codec)("replace")
        self.encoding_known = True

    def _rewritten(self) -> bool:
        """Truncated since the last poll: shorter than what was read, or other bytes where the
        last ones read were (truncated and written past the old offset meanwhile)."""
        assert self.fh is not None
        fd = self.fh.fileno()
        if os.fstat(fd).st_size < self.offset:
            return True
        if not self.tail:
            return False
        return os.pread(fd, len(self.tail), self.offset - len(self.tail)) != self.tail

    def _drain(self, stopped: Callable[[], bool]) -> Iterator[bytes]:
        assert self.fh is not None
        while not stopped():
            data = self.fh.read(self.read_size)
            if not data:
                return
            if not self.encoding_known and self.offset == 0:
                self._learn_encoding(data[:64])
            self.offset += len(data)
            self.tail = (self.tail + data)[-_TAIL:]
            if self.decoder is not None:
                data = self.decoder.decode(data).encode("utf-8", "replace")
            lines = self.split.feed(data)
            if lines:
                yield lines

    def poll(self, stopped: Callable[[], bool] = _never) -> Iterator[bytes | Notice]:
        """Everything new since the last poll; never blocks. ``stopped`` is asked between
        reads, so that a file that grows faster than it is read cannot keep it going."""
        if self.fh is None:
            yield from self._open()
            if self.fh is None:
                return
        assert self.fh is not None
        if self._rewritten():
            self.fh.seek(0)
            self._restart()  # the partial line was cut off with the rest
            yield Notice("truncated", self.name)
        yield from self._drain(stopped)
        try:
            st = os.stat(self.path)
        except (FileNotFoundError, NotADirectoryError):
            # Renamed away and not recreated yet: the miner may still write to the old file.
            if not self._missing_told:
                self._missing_told = True
                yield Notice("missing", self.name)
            return
        except (OSError, ValueError):
            return  # unreadable for now (permissions): the open file is still followed
        if (st.st_dev, st.st_ino) != self.ident:
            yield from self._drain(stopped)  # the last lines written before the rotation
            tail = self.split.flush()
            if tail:
                yield tail
            self.close()
            opened = list(self._open())
            if self.fh is not None:
                yield Notice("rotated", self.name)
                yield from self._drain(stopped)
            else:
                yield from opened
            return
        if self._rewritten():
            self.fh.seek(0)
            self._restart()
            yield Notice("truncated", self.name)
            yield from self._drain(stopped)


class _NotRegular(Exception):
    """The path is a FIFO, a device or a socket."""


def _reason(exc: BaseException) -> str:
    # wsdiag's own message (an OS error, perhaps quoting the path): controls escaped, not redacted.
    return neutralise(str(getattr(exc, "strerror", None) or exc or type(exc).__name__))


class StreamFollower:
    """Follows a pipe (``docker logs -f miner | wsdiag watch -``) until its end, without blocking.

    A stream without a file descriptor (an in-memory one, as test runners give) is read with
    plain blocking reads instead: it never waits for a writer.
    """

    name = "<stdin>"

    def __init__(self, stream: BinaryIO, read_size: int = READ_SIZE) -> None:
        self.stream = stream
        try:
            self.fd: int | None = stream.fileno()
        except (OSError, ValueError, AttributeError):  # io.UnsupportedOperation is an OSError
            self.fd = None
        self.read_size = read_size
        self.split = LineSplitter()
        self.ended = False
        self.decoder: codecs.IncrementalDecoder | None = None
        self.encoding_known = False

    def close(self) -> None:
        """Standard input is not ours to close."""

    def _read(self) -> bytes | None:
        """Bytes available now (b"" at the end), or None when nothing has arrived yet."""
        if self.fd is None:
            return self.stream.read(self.read_size)
        ready, _, _ = select.select([self.fd], [], [], 0)
        if not ready:
            return None
        return os.read(self.fd, self.read_size)

    def poll(self, stopped: Callable[[], bool] = _never) -> Iterator[bytes | Notice]:
        """What arrived since the last poll; ``stopped`` is asked between reads (a producer
        faster than the reader must not keep it going)."""
        while not self.ended and not stopped():
            data = self._read()
            if data is None:
                return
            if not data:
                self.ended = True
                tail = self.split.flush()
                if tail:
                    yield tail
                yield Notice("eof", self.name)
                return
            if not self.encoding_known:  # PowerShell pipes UTF-16
                self.encoding_known = True
                codec = text_codec(data[:64])
                self.decoder = None if codec is None else codecs.getincrementaldecoder(codec)("replace")
            if self.decoder is not None:
                data = self.decoder.decode(data).encode("utf-8", "replace")
            lines = self.split.feed(data)
            if lines:
                yield lines


class Followed(Protocol):
    """What watch follows: a :class:`Follower` or a :class:`StreamFollower`."""

    name: str

    def poll(self, stopped: Callable[[], bool] = ...) -> Iterator[bytes | Notice]: ...
    def close(self) -> None: ...
