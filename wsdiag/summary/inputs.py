"""How much of each input could be read, and in which layout."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

MAX_SAMPLES = 3  # unrecognized lines quoted per input


@dataclass
class InputStats:
    """How much of one input could be read, and in which layout."""

    path: str
    lines: int = 0
    records: int = 0
    continuation: int = 0
    unrecognized: int = 0
    too_long: int = 0
    blank: int = 0
    layouts: Counter[str] = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)
    implausible_ids: int = 0
    read_error: str | None = None  # why reading stopped early (truncated archive, I/O error)
    # The fork and version its (last) start banner names; "C" when mpforce1's logger variant C
    # shows (a space before INFO+ messages).
    fork: str | None = None
    fork_version: str | None = None
    logger: str | None = None

    def merge(self, other: InputStats) -> None:
        self.read_error = self.read_error or other.read_error
        if other.fork is not None:
            self.fork, self.fork_version = other.fork, other.fork_version
        self.logger = self.logger or other.logger
        self.lines += other.lines
        self.records += other.records
        self.continuation += other.continuation
        self.unrecognized += other.unrecognized
        self.too_long += other.too_long
        self.blank += other.blank
        self.layouts.update(other.layouts)
        self.implausible_ids += other.implausible_ids
        for s in other.samples:
            if len(self.samples) < MAX_SAMPLES:
                self.samples.append(s)

    @property
    def empty(self) -> bool:
        """Nothing but blank lines, or no line at all (a log just rotated), and read to its end."""
        return self.lines == self.blank and self.read_error is None

    @property
    def layout(self) -> str:
        kinds = [k for k in ("file", "console", "less") if self.layouts.get(k)]
        if not kinds:
            return "unknown"
        return kinds[0] if len(kinds) == 1 else "mixed"

