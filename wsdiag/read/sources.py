"""Open inputs (files, directories, stdin, compressed files) and yield whole-line byte chunks."""

from __future__ import annotations

import bz2
import gzip
import io
import itertools
import lzma
import mmap
import os
import stat
import sys
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO, cast

from wsdiag.parse.redact import neutralise
from wsdiag.read.scan import MAX_LINE, guard_map, map_was_cut

CHUNK = 8 * 1024 * 1024
#: Why reading stopped when a file got shorter while it was read.
CUT_SHORT = "the file was cut short while it was read (logrotate copytruncate?)"

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bz2"),
    (b"\xfd7zXZ\x00", "xz"),
)
COMPRESSED = frozenset(codec for _, codec in _MAGIC)
#: Bytes read from the start of an input to tell how it is encoded or compressed.
HEAD = 64
_ASCII_CHARS = 8  # characters of a log's start (a stamp) that tell UTF-16/32 without a BOM
_MIN_CHARS = 2  # ... at least: one NUL-padded byte could be binary by chance
_ASCII_END = 0x80
_LF, _CR = ord("\n"), ord("\r")


def text_codec(head: bytes) -> str | None:
    """The encoding of a log that is not UTF-8: UTF-32 or UTF-16 (PowerShell's `>`, Windows
    tools), told by a byte order mark or, without one, by the NUL bytes of the ASCII text a
    log starts with (its stamp). None for UTF-8 (or anything else)."""
    for bom, codec in ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32")):
        if head.startswith(bom):
            return codec
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    for width, codec_le, codec_be in ((4, "utf-32-le", "utf-32-be"), (2, "utf-16-le", "utf-16-be")):
        n = min(_ASCII_CHARS, len(head) // width)  # a growing log may have a few bytes yet
        if n < _MIN_CHARS:
            continue
        units = [head[i : i + width] for i in range(0, n * width, width)]
        zeros = bytes(width - 1)
        if all(0 < u[0] < _ASCII_END and u[1:] == zeros for u in units):
            return codec_le
        if all(0 < u[-1] < _ASCII_END and u[:-1] == zeros for u in units):
            return codec_be
    return None


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


def _codec_of(head: bytes) -> str | None:
    for magic, codec in _MAGIC:
        if head.startswith(magic):
            return codec
    return text_codec(head)


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
    return Source(shown, path, st.st_size, _codec_of(head), (st.st_dev, st.st_ino))


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


_READ_ERRORS = (EOFError, OSError, zlib.error, lzma.LZMAError, ValueError)
_Decompressor = lzma.LZMADecompressor | bz2.BZ2Decompressor


class _Salvaging:
    """A decompressing reader whose ``read(n)`` hands over what was decompressed before an
    error (a truncated or corrupt archive), and raises the error on the next call.

    ``GzipFile.read(n)`` would drop up to ``n`` decompressed bytes when the archive ends early;
    this reads in ``read1`` steps instead. ``close()`` also closes the file underneath, which
    the decompressors leave open when given a file object.
    """

    def __init__(self, inner: gzip.GzipFile | _Streams, raw: BinaryIO) -> None:
        self._inner = inner
        self._raw = raw
        self._error: BaseException | None = None

    def read(self, n: int = -1) -> bytes:
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        if n < 0:
            n = CHUNK
        parts: list[bytes] = []
        got = 0
        while got < n:
            try:
                piece = self._inner.read1(n - got)
            except _READ_ERRORS as exc:
                if not parts:
                    raise
                self._error = exc
                break
            if not piece:
                break
            parts.append(piece)
            got += len(piece)
        return b"".join(parts)

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            self._raw.close()


_RAW = 1 << 20  # compressed bytes read at a time


class _Streams:
    """Concatenated xz or bz2 streams (`cat a.xz b.xz`), read with read1() like the file objects
    of lzma and bz2, which stop at the first thing that is not a stream, silently: xz stream
    padding (NUL bytes between streams) is read past here, and anything else after the last
    stream is an error, so what follows it is not lost without a word."""

    def __init__(self, raw: BinaryIO, new: Callable[[], _Decompressor], what: str) -> None:
        self._raw = raw
        self._new = new
        self._what = what
        self._dec: _Decompressor | None = new()
        self._input = b""
        self._fresh = False  # a stream begun after another one, nothing decompressed from it yet

    def _next_stream(self) -> bool:
        """After a stream's end: past the padding, start the next one; False at the end."""
        assert self._dec is not None
        pending = self._dec.unused_data + self._input
        self._input = b""
        self._dec = None
        while True:
            pending = pending.lstrip(b"\0")
            if pending:
                break
            pending = self._raw.read(_RAW)
            if not pending:
                return False
        self._dec, self._input, self._fresh = self._new(), pending, True
        return True

    def read1(self, n: int) -> bytes:
        while self._dec is not None:
            if self._dec.eof:
                if not self._next_stream():
                    return b""
                continue
            data = b""
            if self._dec.needs_input:
                data, self._input = self._input or self._raw.read(_RAW), b""
                if not data:
                    raise EOFError("Compressed file ended before the end-of-stream marker was reached")
            try:
                out = self._dec.decompress(data, max_length=n)
            except (lzma.LZMAError, OSError):
                if self._fresh:
                    what = self._what
                    raise ValueError(f"data after the last {what} stream is not another one") from None
                raise
            if out:
                self._fresh = False
                return out
        return b""

    def close(self) -> None:
        """The file underneath is _Salvaging's to close."""


class _Recoded:
    """UTF-16 or UTF-32 text (PowerShell 5's `>` writes UTF-16) re-encoded as UTF-8, streamed.

    ``read(n)`` returns at most ``n`` bytes, like a file's: re-encoded, n/2 characters can take
    1.5 n bytes (CJK), and blocks() reads into a buffer of a fixed size.
    """

    def __init__(self, raw: BinaryIO, encoding: str) -> None:
        self._raw = raw
        self._text = io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="")
        self._pending = b""

    def read(self, n: int = -1) -> bytes:
        if n < 0:
            out, self._pending = self._pending + self._text.read().encode("utf-8", "replace"), b""
            return out
        while len(self._pending) < n:
            text = self._text.read(max(1, n // 2))
            if not text:
                break
            self._pending += text.encode("utf-8", "replace")
        out, self._pending = self._pending[:n], self._pending[n:]
        return out

    def close(self) -> None:
        self._raw.close()


def open_stream(source: Source) -> BinaryIO:
    """A binary stream of the source's (decompressed, UTF-8) bytes."""
    if source.path is None:
        stdin = sys.stdin.buffer
        # `zcat`-less users pipe archives too: detect them by content, as for files.
        peek = getattr(stdin, "peek", None)
        codec = _codec_of(peek(HEAD)[:HEAD]) if peek is not None else None
        if codec is None:
            return stdin
        return _wrap(stdin, codec)
    fd, _ = _open_regular(source.path, source.name)
    fh: BinaryIO = os.fdopen(fd, "rb")
    if source.codec is None:
        return fh
    return _wrap(fh, source.codec)


def _wrap(fh: BinaryIO, codec: str) -> BinaryIO:
    """Decode ``fh`` per ``codec`` (a text encoding, gzip, bz2, xz); closing the result closes
    ``fh``."""
    if codec not in COMPRESSED:
        return cast(BinaryIO, _Recoded(fh, codec))
    inner: gzip.GzipFile | _Streams
    if codec == "gzip":
        inner = gzip.GzipFile(fileobj=fh)  # reads past padding, and raises on other data
    elif codec == "bz2":
        inner = _Streams(fh, bz2.BZ2Decompressor, "bz2")
    else:
        inner = _Streams(fh, lzma.LZMADecompressor, "xz")
    return cast(BinaryIO, _Salvaging(inner, fh))


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
    buf = bytearray(size + MAX_LINE + 1)  # room for a block after an unfinished line
    view = memoryview(buf)
    readinto = getattr(stream, "readinto", None)
    placeholder = bytearray(b"\0" * (MAX_LINE + 1) + b"\n")
    have = 0  # bytes of an unfinished line at the front of buf
    giant = False  # inside a too-long line whose bytes we are discarding
    skip_lf = False  # a too-long line ended with CR at the end of a block: its LF may follow
    remaining = limit
    while True:
        want = size if remaining is None else min(size, remaining)
        if want <= 0:
            break
        try:
            if readinto is not None:
                got = readinto(view[have : have + want]) or 0
            else:
                data = stream.read(want)
                got = len(data)
                buf[have : have + got] = data
        except _READ_ERRORS as exc:
            if giant:
                yield placeholder, len(placeholder)
            elif have:
                yield buf, have
            raise ReadError(_reason(exc)) from None
        if not got:
            break
        if remaining is not None:
            remaining -= got
        n = have + got
        if skip_lf:
            skip_lf = False
            if buf[0] == _LF:
                buf[: n - 1] = bytes(view[1:n])
                n -= 1
                if not n:
                    continue
        if giant:
            ends = [i for i in (buf.find(b"\n", 0, n), buf.find(b"\r", 0, n)) if i != -1]
            if not ends:
                continue
            giant = False
            yield placeholder, len(placeholder)
            end = min(ends)
            # CRLF is one line end, as in normalise_newlines: do not leave a blank line behind.
            if buf[end : end + 2] == b"\r\n" and end + 1 < n:
                end += 1
            elif end == n - 1 and buf[end] == _CR:
                skip_lf = True
            n -= end + 1
            buf[:n] = bytes(view[end + 1 : end + 1 + n])
            if not n:
                continue
        cut = _last_break(buf, n)
        if cut == -1:
            if n > MAX_LINE:
                giant, have = True, 0
            else:
                have = n
            continue
        yield buf, cut + 1
        have = n - cut - 1
        if have > MAX_LINE:
            giant, have = True, 0
        elif have:
            buf[:have] = bytes(view[cut + 1 : n])
    if giant:
        yield placeholder, len(placeholder)
    elif have:
        yield buf, have


def chunks(stream: BinaryIO, size: int = CHUNK, limit: int | None = None) -> Iterator[bytes]:
    """:func:`blocks` as separate bytes objects, for callers that keep a chunk or need bytes."""
    for buf, n in blocks(stream, size, limit):
        yield bytes(memoryview(buf)[:n])


def mapped_blocks(
    stream: BinaryIO, start: int, stop: int, size: int = CHUNK
) -> Iterator[tuple[mmap.mmap | bytearray, int, int]]:
    """Whole lines of a regular file's ``[start, stop)`` as ``(buffer, begin, end)``: windows of
    about ``size`` bytes of a read-only map of the file, which costs no copy. ``start`` must be
    a line start. A window the map cannot give (a line longer than ``size``, an unmappable
    file) ends the mapping, and the rest comes from :func:`blocks` (``begin`` 0).

    A map of a file that is cut short while it is read would kill the process (SIGBUS): files
    that something writes are not mapped (see :func:`quiet_file`), and each window is guarded
    (scan.guard_map) so that a quiet file cut all the same (logrotate copytruncate of an idle
    miner's log) ends the reading with a ReadError, what was read counted.
    """
    fd = stream.fileno()
    pos = start
    while pos < stop:
        base = pos - pos % mmap.ALLOCATIONGRANULARITY
        length = min(stop, pos + size) - base
        if os.fstat(fd).st_size < base + length:
            raise ReadError(CUT_SHORT)
        try:
            window = mmap.mmap(fd, length, prot=mmap.PROT_READ, offset=base)
        except (OSError, ValueError):
            break
        with window:
            if not guard_map(window):
                break
            try:
                begin = pos - base
                end = length if base + length == stop else window.rfind(b"\n", begin, length) + 1
                if end <= begin:
                    break
                yield window, begin, end
            finally:
                cut = map_was_cut()
            if cut:
                raise ReadError(CUT_SHORT)
        pos = base + end
    if pos < stop:
        stream.seek(pos)
        for buf, n in blocks(stream, size, stop - pos):
            yield buf, 0, n


#: A file modified this recently may still be written, or cut by `logrotate copytruncate`.
QUIET_AFTER = 60.0


def quiet_file(source: Source) -> bool:
    """A plain regular file that nothing seems to be writing: safe to map (mapped_blocks)."""
    if not source.splittable or not hasattr(mmap, "PROT_READ"):
        return False
    assert source.path is not None
    try:
        return time.time() - source.path.stat().st_mtime > QUIET_AFTER
    except OSError:
        return False


def split_ranges(path: Path, parts: int, size: int) -> list[tuple[int, int]]:
    """Cut a file into ``parts`` byte ranges that start and end at line boundaries."""
    bounds = [0]
    with path.open("rb") as fh:
        for i in range(1, parts):
            target = size * i // parts
            if target <= bounds[-1]:
                continue
            fh.seek(target)
            probe = fh.read(1 << 20)
            nl = probe.find(b"\n")
            if nl == -1:
                continue
            cut = target + nl + 1
            if cut < size:
                bounds.append(cut)
    bounds.append(size)
    return [(a, b) for a, b in itertools.pairwise(bounds) if b > a]


def is_terminal(fd: int) -> bool:
    try:
        return os.isatty(fd)
    except OSError:
        return False
