"""Open inputs (files, directories, stdin, compressed files) and yield whole-line byte chunks
(a plain file in place and in parts: file_parts)."""

from __future__ import annotations

import io
import os
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from wsdiag.parse.redact import neutralise
from wsdiag.read.decoding import COMPRESSED, HEAD, READ_ERRORS, codec_of, decoded, text_codec
from wsdiag.read.linefilter import MAX_LINE

__all__ = [
    "CHUNK", "COMPRESSED", "CUT_SHORT", "InputError", "ReadError", "Source", "blocks", "chunks", "kind_of",
    "open_stream", "resolve", "shown_name", "text_codec",
]

CHUNK = 8 * 1024 * 1024
#: Why reading stopped when a file got shorter while it was read.
CUT_SHORT = "the file was cut short while it was read (logrotate copytruncate?)"
_LF, _CR = ord("\n"), ord("\r")


class InputError(Exception):
    """An input that cannot be analysed at all; the message names it."""


class ReadError(Exception):
    """Reading failed part-way (truncated archive, I/O error); what was read still counts."""


@dataclass(frozen=True)
class Source:
    """One input: a regular file or standard input."""

    name: str  # as shown to the user
    path: Path | None  # None for stdin
    size: int | None  # bytes on disk, None when unknown
    codec: str | None  # gzip/bz2/xz or None
    ident: tuple[int, int] | None = None  # (device, inode): one file is one input, however named

    @property
    def splittable(self) -> bool:
        """A plain regular file can be cut into byte ranges for worker processes."""
        return self.path is not None and self.codec is None


def shown_name(raw: str) -> str:
    """A path as it may be printed: undecodable bytes (kept as surrogates by Python) become
    U+FFFD so printing cannot fail, and control characters become visible escapes (`\\x1b`) so
    a file name cannot drive a terminal.

    A path is the user's own text, not log text: it is never redacted (a file named `token`
    or `password` is shown as it is named).
    """
    try:
        data = os.fsencode(raw)
    except UnicodeEncodeError:
        data = raw.encode("utf-8", "replace")
    return neutralise(data.decode("utf-8", "replace"))


def _open_regular(path: Path, shown: str) -> tuple[int, os.stat_result]:
    """Open a regular file for reading, never blocking, and return (fd, its stat).

    A FIFO or device is refused *before* opening (opening can block, or act on a device) and
    again from the open descriptor, in case the path was swapped in between.
    """
    try:
        st = path.stat()
    except FileNotFoundError:
        raise InputError(f"{shown}: no such file or directory") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"{shown}: cannot read ({_reason(exc)})") from None
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{shown}: not a regular file (use - to read a pipe)")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise InputError(f"{shown}: no such file or directory") from None
    except OSError as exc:
        raise InputError(f"{shown}: cannot read ({_reason(exc)})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise InputError(f"{shown}: not a regular file (use - to read a pipe)")
        if flags & getattr(os, "O_NONBLOCK", 0):
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd, st


def _reason(exc: BaseException) -> str:
    return neutralise(str(getattr(exc, "strerror", None) or exc or type(exc).__name__))


def _source_for_file(path: Path, shown: str) -> Source:
    fd, st = _open_regular(path, shown)
    try:
        head = os.read(fd, HEAD)
    except OSError as exc:
        raise InputError(f"{shown}: cannot read ({_reason(exc)})") from None
    finally:
        os.close(fd)
    return Source(shown, path, st.st_size, codec_of(head), (st.st_dev, st.st_ino))


def kind_of(path: Path, shown: str) -> str:
    """"missing", "directory", "file" (regular) or "other" (FIFO, device...), following
    symlinks. A name too long, or a folder on the way without search permission, is an
    InputError naming the path (Path.is_dir() would raise, not say False)."""
    try:
        st = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return "missing"
    except (OSError, ValueError) as exc:
        raise InputError(f"{shown}: cannot read ({_reason(exc)})") from None
    if stat.S_ISDIR(st.st_mode):
        return "directory"
    return "file" if stat.S_ISREG(st.st_mode) else "other"


def _is_log_name(name: str) -> bool:
    # miner.log, miner.log.2025-11-28 (daily rotation), miner.log.gz, miner.log.1.xz ...
    return ".log" in name and not name.startswith(".")


def resolve(paths: list[str]) -> list[Source]:
    """Turn command-line paths into sources; directories give their `*.log*` files."""
    sources: list[Source] = []
    for raw in paths:
        if raw == "-":
            if any(s.path is None for s in sources):
                raise InputError("-: standard input given twice; it can be read only once")
            sources.append(Source("<stdin>", None, None, None, _check_stdin()))
            continue
        shown = shown_name(raw)
        if not raw:
            raise InputError("'': empty path")
        path = Path(raw)
        if kind_of(path, shown) == "directory":
            try:
                entries = sorted(p for p in path.iterdir() if _is_log_name(p.name) and p.is_file())
            except OSError as exc:
                raise InputError(f"{shown}: cannot list directory ({_reason(exc)})") from None
            if not entries:
                raise InputError(f"{shown}: directory has no *.log* files{_logs_hint(path, raw)}")
            sources.extend(_source_for_file(p, shown_name(str(p))) for p in entries)
            continue
        sources.append(_source_for_file(path, shown))
    return _unique(sources)


def _logs_hint(path: Path, raw: str) -> str:
    """The miner writes its file logs to `logs/` beside it: point there when that folder exists."""
    logs = path / "logs"
    try:
        if not logs.is_dir():
            return ""
    except OSError:
        return ""
    return f"; its logs/ folder may hold them: {shown_name(os.path.join(raw, 'logs', ''))}"


def _check_stdin() -> tuple[int, int] | None:
    """`wsdiag analyze - < /dev/zero` would read forever: a device on stdin (other than the
    terminal the user types into) is refused like a device path. Returns its identity."""
    if sys.stdin is None:  # `wsdiag analyze - <&-`: Python found no descriptor 0
        raise InputError("<stdin>: standard input is closed; give a log file or pipe a log in")
    try:
        fd = sys.stdin.fileno()
        st = os.fstat(fd)
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None  # no real descriptor (an embedding caller or test runner): nothing to check
    if stat.S_ISCHR(st.st_mode) and not is_terminal(fd):
        raise InputError("<stdin>: a device, not a file or pipe; give a log file or pipe a log in")
    return st.st_dev, st.st_ino


def _is_link(path: Path | None) -> bool:
    try:
        return path is not None and path.is_symlink()
    except (OSError, ValueError):
        return False


def _unique(sources: list[Source]) -> list[Source]:
    """Each file once, however it is named (`F F`, a `latest.log` symlink next to its target,
    a hard link): counting one file twice would double every count. Of its names, the first
    that is not a symlink is shown. Inputs are keyed by name: two files that show alike (names
    that only differ in undecodable bytes, shown as U+FFFD) get distinct names."""
    by_ident: dict[tuple[int, int], int] = {}
    files: list[Source] = []
    for src in sources:
        if src.ident is None or src.path is None:
            files.append(src)
            continue
        at = by_ident.get(src.ident)
        if at is None:
            by_ident[src.ident] = len(files)
            files.append(src)
        elif _is_link(files[at].path) and not _is_link(src.path):
            files[at] = src
    seen: set[str] = set()
    out: list[Source] = []
    for src in files:
        name, n = src.name, 1
        while name in seen:
            n += 1
            name = f"{src.name} ({n})"
        seen.add(name)
        out.append(src if name == src.name else replace(src, name=name))
    return out


def open_stream(source: Source) -> BinaryIO:
    """A binary stream of the source's (decompressed, UTF-8) bytes."""
    if source.path is None:
        stdin = sys.stdin.buffer
        # `zcat`-less users pipe archives too: detect them by content, as for files.
        peek = getattr(stdin, "peek", None)
        codec = codec_of(peek(HEAD)[:HEAD]) if peek is not None else None
        if codec is None:
            return stdin
        return decoded(stdin, codec)
    fd, _ = _open_regular(source.path, source.name)
    fh: BinaryIO = os.fdopen(fd, "rb")
    if source.codec is None:
        return fh
    return decoded(fh, source.codec)


def _last_break(data: bytes | bytearray, n: int | None = None) -> int:
    """Index of the last line end in ``data[:n]``; a CR at the very end may be half of a CRLF."""
    n = len(data) if n is None else n
    nl = data.rfind(b"\n", 0, n)
    cr = data.rfind(b"\r", nl + 1, n - 1)
    return cr if cr > nl else nl


def blocks(
    stream: BinaryIO, size: int = CHUNK, limit: int | None = None
) -> Iterator[tuple[bytearray, int]]:
    """Read whole lines into one buffer, reused: yields ``(buffer, n)`` where ``buffer[:n]`` ends
    at a line end (the last block may not). The next step overwrites the buffer, so use it first.

    Nothing is copied but the unfinished line carried to the next block, and memory stays
    O(size). A line longer than MAX_LINE is never held whole: it becomes a placeholder of
    MAX_LINE + 1 NUL bytes, which the scanner counts as one too-long line. ``limit`` stops after
    that many bytes.
    """
    lines = _Lines(stream, size)
    remaining = limit
    while True:
        want = size if remaining is None else min(size, remaining)
        if want <= 0:
            break
        try:
            got = lines.read(want)
        except READ_ERRORS as exc:
            yield from lines.rest()
            raise ReadError(_reason(exc)) from None
        if not got:
            break
        if remaining is not None:
            remaining -= got
        yield from lines.take(lines.have + got)
    yield from lines.rest()


class _Lines:
    """blocks()'s buffer and what it carries from one read to the next."""

    def __init__(self, stream: BinaryIO, size: int) -> None:
        self.stream = stream
        self.buf = bytearray(size + MAX_LINE + 1)  # room for a block after an unfinished line
        self.view = memoryview(self.buf)
        self.readinto = getattr(stream, "readinto", None)
        self.placeholder = bytearray(b"\0" * (MAX_LINE + 1) + b"\n")
        self.have = 0  # bytes of an unfinished line at the front of buf
        self.giant = False  # inside a too-long line whose bytes we are discarding
        self.skip_lf = False  # a too-long line ended with CR at the end of a block: its LF may follow

    def read(self, want: int) -> int:
        """Read up to ``want`` bytes after the unfinished line; how many came."""
        if self.readinto is not None:
            got: int = self.readinto(self.view[self.have : self.have + want]) or 0
            return got
        data = self.stream.read(want)
        self.buf[self.have : self.have + len(data)] = data
        return len(data)

    def take(self, n: int) -> Iterator[tuple[bytearray, int]]:
        """The whole lines of the buffer's first ``n`` bytes; the rest waits for the next read."""
        if self.skip_lf:
            n = self._skip_lf(n)
        if self.giant and n:
            n, ended = self._end_giant(n)
            if ended:
                yield self.placeholder, len(self.placeholder)
        self.have = 0
        if not n:
            return
        cut = _last_break(self.buf, n)
        if cut != -1:
            yield self.buf, cut + 1
        rest = n - cut - 1
        if rest > MAX_LINE:
            self.giant = True
        elif rest:
            if cut != -1:
                self.buf[:rest] = bytes(self.view[cut + 1 : n])
            self.have = rest

    def rest(self) -> Iterator[tuple[bytearray, int]]:
        """What is left at the end: the unfinished last line, or a too-long one's placeholder."""
        if self.giant:
            yield self.placeholder, len(self.placeholder)
        elif self.have:
            yield self.buf, self.have

    def _skip_lf(self, n: int) -> int:
        """The LF of a too-long line's CRLF, cut between two reads, is no blank line: drop it."""
        self.skip_lf = False
        if self.buf[0] == _LF:
            self.buf[: n - 1] = bytes(self.view[1:n])
            n -= 1
        return n

    def _end_giant(self, n: int) -> tuple[int, bool]:
        """Discard a too-long line's bytes up to its end: the bytes left after it, moved to the
        front, and whether it ended."""
        buf = self.buf
        ends = [i for i in (buf.find(b"\n", 0, n), buf.find(b"\r", 0, n)) if i != -1]
        if not ends:
            return 0, False
        self.giant = False
        end = min(ends)
        # CRLF is one line end, as in normalise_newlines: do not leave a blank line behind.
        if buf[end : end + 2] == b"\r\n" and end + 1 < n:
            end += 1
        elif end == n - 1 and buf[end] == _CR:
            self.skip_lf = True
        n -= end + 1
        buf[:n] = bytes(self.view[end + 1 : end + 1 + n])
        return n, True


def chunks(stream: BinaryIO, size: int = CHUNK, limit: int | None = None) -> Iterator[bytes]:
    """:func:`blocks` as separate bytes objects, for callers that keep a chunk or need bytes."""
    for buf, n in blocks(stream, size, limit):
        yield bytes(memoryview(buf)[:n])


def is_terminal(fd: int) -> bool:
    try:
        return os.isatty(fd)
    except OSError:
        return False
