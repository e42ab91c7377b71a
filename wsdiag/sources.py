"""Open inputs (files, directories, stdin, compressed files) and yield whole-line byte chunks."""

from __future__ import annotations

import bz2
import gzip
import itertools
import lzma
import os
import stat
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from wsdiag.scan import MAX_LINE

CHUNK = 8 * 1024 * 1024

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bz2"),
    (b"\xfd7zXZ\x00", "xz"),
)


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

    @property
    def splittable(self) -> bool:
        """A plain regular file can be cut into byte ranges for worker processes."""
        return self.path is not None and self.codec is None


def _codec_of(head: bytes) -> str | None:
    for magic, codec in _MAGIC:
        if head.startswith(magic):
            return codec
    return None


def _source_for_file(path: Path, shown: str) -> Source:
    try:
        st = path.stat()
    except FileNotFoundError:
        raise InputError(f"{shown}: no such file or directory") from None
    except OSError as exc:
        raise InputError(f"{shown}: cannot read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{shown}: not a regular file (use - to read a pipe)")
    try:
        with path.open("rb") as fh:
            head = fh.read(6)
    except OSError as exc:
        raise InputError(f"{shown}: cannot read ({exc.strerror or exc})") from None
    return Source(shown, path, st.st_size, _codec_of(head))


def _is_log_name(name: str) -> bool:
    # miner.log, miner.log.2025-11-28 (daily rotation), miner.log.gz, miner.log.1.xz ...
    return ".log" in name and not name.startswith(".")


def resolve(paths: list[str]) -> list[Source]:
    """Turn command-line paths into sources; directories give their `*.log*` files."""
    sources: list[Source] = []
    for raw in paths:
        if raw == "-":
            sources.append(Source("<stdin>", None, None, None))
            continue
        path = Path(raw)
        if path.is_dir():
            try:
                entries = sorted(p for p in path.iterdir() if _is_log_name(p.name) and p.is_file())
            except OSError as exc:
                raise InputError(f"{raw}: cannot list directory ({exc.strerror or exc})") from None
            if not entries:
                raise InputError(f"{raw}: directory has no *.log* files")
            sources.extend(_source_for_file(p, str(p)) for p in entries)
            continue
        sources.append(_source_for_file(path, raw))
    return sources


def open_stream(source: Source) -> BinaryIO:
    """A binary stream of the source's (decompressed) bytes."""
    if source.path is None:
        return sys.stdin.buffer
    fh: BinaryIO = source.path.open("rb")
    if source.codec is None:
        return fh
    if source.codec == "gzip":
        return gzip.GzipFile(fileobj=fh)  # type: ignore[return-value]
    if source.codec == "bz2":
        return bz2.BZ2File(fh)  # type: ignore[return-value]
    return lzma.LZMAFile(fh)  # type: ignore[return-value]


def _last_break(data: bytes) -> int:
    """Index of the last line end in ``data``; a CR at the very end may be half of a CRLF."""
    nl = data.rfind(b"\n")
    cr = data.rfind(b"\r", nl + 1, len(data) - 1)
    return cr if cr > nl else nl


def chunks(stream: BinaryIO, size: int = CHUNK, limit: int | None = None) -> Iterator[bytes]:
    """Yield chunks that end at a line end (the last may not); memory stays O(size).

    A line longer than MAX_LINE is never held whole: it becomes a placeholder of MAX_LINE + 1
    bytes, which the scanner counts as one too-long line. ``limit`` stops after that many bytes.
    """
    carry = b""
    giant = False  # inside a too-long line whose bytes we are discarding
    remaining = limit
    while True:
        want = size if remaining is None else min(size, remaining)
        if want <= 0:
            break
        try:
            block = stream.read(want)
        except (EOFError, OSError, zlib.error, lzma.LZMAError, ValueError) as exc:
            if carry and not giant:
                yield carry
            raise ReadError(str(exc) or type(exc).__name__) from None
        if not block:
            break
        if remaining is not None:
            remaining -= len(block)
        if giant:
            ends = [i for i in (block.find(b"\n"), block.find(b"\r")) if i != -1]
            if not ends:
                continue
            giant = False
            yield b"\0" * (MAX_LINE + 1) + b"\n"
            block = block[min(ends) + 1 :]
            if not block:
                continue
        data = carry + block if carry else block
        cut = _last_break(data)
        if cut == -1:
            if len(data) > MAX_LINE:
                giant, carry = True, b""
            else:
                carry = data
            continue
        yield data[: cut + 1]
        carry = data[cut + 1 :]
        if len(carry) > MAX_LINE:
            giant, carry = True, b""
    if giant:
        yield b"\0" * (MAX_LINE + 1) + b"\n"
    elif carry:
        yield carry


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
