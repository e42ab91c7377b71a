"""Make a chunk whole lines the fast path can scan: each ending with LF (CRLF and a lone CR
as LF), and each line longer than MAX_LINE squashed into a placeholder line() counts as too
long; and what the next chunk needs of this one's last line."""

from __future__ import annotations

import mmap
from typing import TypeAlias

from wsdiag.parse.redact import ABOVE
from wsdiag.read.linefilter import MAX_LINE

#: What the fast path scans: whole lines of a read buffer, or a map of a file.
Buffer: TypeAlias = bytes | bytearray | mmap.mmap

_LF = ord("\n")


def fits_in_place(chunk: Buffer, begin: int, end: int) -> bool:
    """Whether ``chunk[begin:end]`` can be scanned as it is (a map of a file, read in place):
    no CR, a last newline, no line too long."""
    return chunk.find(b"\r", begin, end) == -1 and chunk[end - 1] == _LF and not long_lines(chunk, end, begin)


def whole_lines(chunk: bytes | bytearray, end: int) -> tuple[bytes | bytearray, int]:
    """``chunk[:end]`` as whole, newline-normalised lines, giants squashed: the chunk and its end
    (the chunk itself when it is already so)."""
    if chunk.find(b"\r", 0, end) != -1:
        chunk = normalise_newlines(bytes(memoryview(chunk)[:end]))
        end = len(chunk)
    if chunk[end - 1] != _LF:
        chunk = bytes(memoryview(chunk)[:end]) + b"\n"
        end = len(chunk)
    giants = long_lines(chunk, end)
    if giants:
        chunk = _squash_long_lines(chunk, end, giants)
        end = len(chunk)
    return chunk, end


def tail_line(chunk: Buffer, begin: int, end: int) -> bytes:
    """The end (ABOVE bytes at most) of the last line of ``chunk[begin:end]``, without its newline."""
    stop = end - 1 if chunk[end - 1] == _LF else end
    return bytes(chunk[max(begin, stop - ABOVE, chunk.rfind(b"\n", begin, stop) + 1) : stop])


def normalise_newlines(chunk: bytes) -> bytes:
    """CRLF and lone CR both end a line."""
    if b"\r" not in chunk:
        return chunk
    return chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def long_lines(chunk: Buffer, n: int, begin: int = 0) -> list[tuple[int, int]]:
    """(start, stop) of lines of ``chunk[begin:n]`` longer than MAX_LINE, in O(n/MAX_LINE) rfinds."""
    out: list[tuple[int, int]] = []
    pos = begin
    while pos < n:
        limit = pos + MAX_LINE + 1
        if limit >= n:
            break
        nl = chunk.rfind(b"\n", pos, limit)
        if nl == -1:
            stop = chunk.find(b"\n", limit, n)
            stop = n - 1 if stop == -1 else stop
            out.append((pos, stop))
            pos = stop + 1
        else:
            pos = nl + 1
    return out


_TOO_LONG = b"\0" * (MAX_LINE + 1)


def _squash_long_lines(chunk: Buffer, n: int, giants: list[tuple[int, int]]) -> bytes:
    """``chunk[:n]`` with each line longer than MAX_LINE replaced by MAX_LINE + 1 NULs: line()
    counts that as too long, like the original, and no pattern has to read through it."""
    parts: list[bytes] = []
    view = memoryview(chunk)
    pos = 0
    for start, stop in giants:
        parts += (bytes(view[pos:start]), _TOO_LONG)
        pos = stop
    parts.append(bytes(view[pos:n]))
    return b"".join(parts)

