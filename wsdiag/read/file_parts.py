"""A plain regular file read in place and in parts: windows of a map of it (no copy), and byte
ranges cut at line ends for worker processes (pipeline)."""

from __future__ import annotations

import itertools
import mmap
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from wsdiag.read.scan import guard_map, map_was_cut
from wsdiag.read.sources import CHUNK, CUT_SHORT, ReadError, Source, blocks

_PROBE = 1 << 20  # bytes after a cut looked through for the line end it moves to


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
            probe = fh.read(_PROBE)
            nl = probe.find(b"\n")
            if nl == -1:
                continue
            cut = target + nl + 1
            if cut < size:
                bounds.append(cut)
    bounds.append(size)
    return [(a, b) for a, b in itertools.pairwise(bounds) if b > a]
