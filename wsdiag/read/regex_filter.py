"""The C filter's pass with regexes (the pure-Python path, and the C filter's reference): which
lines of a chunk may matter, and how many of the others cannot be records, by kind."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from wsdiag.read.linefilter import KINDS
from wsdiag.summary.inputs import MAX_SAMPLES


@dataclass
class Found:
    """What a filter pass found in ``chunk[start:end]`` (see Scanner._candidates)."""

    lines: int  # newlines
    starts: list[int]  # lines that may matter
    inert: list[int]  # lines that cannot be records, counted by kind: blank, continuation, unrecognized
    samples: list[int]  # the first MAX_SAMPLES of the unrecognized ones, for their samples
    first_plain: int  # the first and last line skipped as plain (-1: none)
    last_plain: int


def regex_filter(
    odd: tuple[re.Pattern[bytes], re.Pattern[bytes]], chunk: bytes | bytearray, start: int, end: int
) -> Found:
    """The C filter's pass with regexes, but for `#N` (see Scanner._candidates): odd lines, and
    runs of inert lines counted by kind; the plain lines are the gaps between them."""
    odd_at, odd_line = odd
    found = Found(chunk.count(b"\n", start, end), [], [0, 0, 0], [], -1, -1)
    at = start  # the first line not accounted for yet

    def gap(upto: int) -> None:
        """Lines from ``at`` to ``upto`` are plain."""
        if upto > at:
            if found.first_plain < 0:
                found.first_plain = at
            found.last_plain = max(at, chunk.rfind(b"\n", at, upto - 1) + 1)

    first = odd_at.match(chunk, start, end)
    # The finditer goes on after line 0, or after the run that starts there.
    after = first.end() if first is not None and first.lastgroup else start
    matches = itertools.chain([first], odd_line.finditer(chunk, after, end))
    for n, m in enumerate(matches):
        if m is None:
            continue
        line = m.start() + (n > 0)  # a finditer match starts at the newline before its line
        if line >= end:
            continue
        gap(line)
        kind = m.lastgroup
        if kind is None:
            found.starts.append(line)
            at = chunk.find(b"\n", line, end) + 1 or end
            continue
        lines = chunk.count(b"\n", line, m.end()) + 1
        found.inert[KINDS.index(kind)] += lines
        sample = line
        while kind == "unrecognized" and len(found.samples) < MAX_SAMPLES and sample <= m.end():
            found.samples.append(sample)
            sample = chunk.find(b"\n", sample, end) + 1
        at = m.end() + 1
    gap(end)
    return found
