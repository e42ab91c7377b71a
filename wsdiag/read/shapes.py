"""Byte shapes: the little pattern language that the C line filter runs and the regexes share.

A shape is written like a regular expression, in a subset where matching never needs to back
up, so a simple loop in C (``_lines.c``) and Python's ``re`` always agree on it:

* characters stand for themselves; ``\\`` escapes one, ``\\d`` is a digit;
* ``[...]`` is a class of bytes (ranges, ``^`` to negate, escapes);
* a character or class may be followed by ``?``, ``{n}`` or ``{m,n}`` (never unbounded);
* ``(?:...)?`` is an optional group;
* ``$`` at the very end: the line ends there (otherwise anything may follow).

A variable part must not be able to start what follows it (``[a-z]{1,9}x`` is refused when
``x`` is a letter): greedy matching is then the only matching, which is what both engines do.
:func:`shape` checks that when it reads a shape.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

#: Opcodes of the program handed to the C filter (see ``run_shape`` in _lines.c).
OP_END, OP_LIT, OP_RUN, OP_OPT, OP_EOL, OP_ALT = 0, 1, 2, 3, 4, 5

_DIGITS = frozenset(b"0123456789")
_BYTE_MAX = 0xFF  # shapes match bytes: a character past this is no byte
_COUNT_MAX = 0xFFFF  # a count the C program holds in 16 bits (_u16)


@dataclass(frozen=True)
class Lit:
    """Bytes that must be there as they are."""

    data: bytes


@dataclass(frozen=True)
class Run:
    """From ``lo`` to ``hi`` bytes, each one of ``chars``."""

    chars: frozenset[int]
    lo: int
    hi: int


@dataclass(frozen=True)
class Opt:
    """Steps that are there all or not at all (``(?:...)?``)."""

    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Eol:
    """The line ends here (``$``)."""


@dataclass(frozen=True)
class Alt:
    """Branches tried in turn: only as the last step (so no later step needs another branch),
    made by :func:`union`."""

    branches: tuple[tuple[Step, ...], ...]


Step = Lit | Run | Opt | Eol | Alt


@dataclass(frozen=True)
class Shape:
    """A parsed shape: its source, steps, and the regexes and C program made from them."""

    source: str
    steps: tuple[Step, ...]

    @functools.cached_property
    def regex(self) -> str:
        """The shape as a ``str`` regex (``$`` becomes a look-ahead for the line's end)."""
        return _regex(self.steps).decode("latin-1")

    @functools.cached_property
    def bytes_regex(self) -> bytes:
        """The shape as a ``bytes`` regex on a chunk of lines."""
        return _regex(self.steps)

    @functools.cached_property
    def program(self) -> bytes:
        """The shape as the C filter runs it."""
        return _program(self.steps) + bytes([OP_END])

    @property
    def first_regex(self) -> bytes:
        """A bytes regex for one byte a match can start with."""
        return class_regex(_first(self.steps)[0])

    @functools.cached_property
    def width(self) -> int | None:
        """The length of every match, or None when it varies."""
        lo, hi = _span(self.steps)
        return lo if lo == hi else None

    @property
    def longest(self) -> int:
        return _span(self.steps)[1]

    def positions(self) -> list[frozenset[int]]:
        """The bytes allowed at each position of a fixed-width shape."""
        out: list[frozenset[int]] = []
        for step in self.steps:
            if isinstance(step, Lit):
                out += [frozenset({b}) for b in step.data]
            elif isinstance(step, Run) and step.lo == step.hi:
                out += [step.chars] * step.lo
            else:
                raise ValueError(f"{self.source!r} has no fixed width")
        return out


class ShapeError(ValueError):
    """A shape outside the subset (or one that would need backing up to match)."""


def _first(steps: tuple[Step, ...]) -> tuple[frozenset[int], bool]:
    """The bytes a match can start with, and whether it can be empty."""
    first: set[int] = set()
    for step in steps:
        if isinstance(step, Lit):
            return frozenset(first | {step.data[0]}), False
        if isinstance(step, Run):
            first |= step.chars
            if step.lo:
                return frozenset(first), False
        elif isinstance(step, Opt):
            first |= _first(step.steps)[0]
        elif isinstance(step, Alt):
            firsts = [_first(b) for b in step.branches]
            return frozenset(first.union(*(f for f, _ in firsts))), any(e for _, e in firsts)
        else:
            return frozenset(first), True
    return frozenset(first), True


def check(steps: tuple[Step, ...], source: str, follow: frozenset[int] = frozenset()) -> None:
    """Refuse a variable part that could take bytes its successor (``follow`` after the end)
    could start with: only then is greedy matching without backing up the one matching."""
    for i, step in enumerate(steps):
        after, empty = _first(steps[i + 1 :])
        if empty:
            after |= follow
        if isinstance(step, Run) and step.lo != step.hi and step.chars & after:
            raise ShapeError(f"{source!r}: a run can take what follows it")
        if isinstance(step, Opt):
            check(step.steps, source, after)
            if _first(step.steps)[0] & after:
                raise ShapeError(f"{source!r}: an optional part can start what follows it")
        if isinstance(step, Eol) and (i != len(steps) - 1 or follow):
            raise ShapeError(f"{source!r}: $ only at the end")
        if isinstance(step, Alt):
            if i != len(steps) - 1 or follow:
                raise ShapeError(f"{source!r}: branches only at the end")
            for branch in step.branches:
                check(branch, source)


class _Reader:
    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0

    def error(self, why: str) -> ShapeError:
        return ShapeError(f"{self.src!r} at {self.pos}: {why}")

    def peek(self) -> str:
        return self.src[self.pos] if self.pos < len(self.src) else ""

    def take(self) -> str:
        ch = self.peek()
        if not ch:
            raise self.error("unexpected end")
        self.pos += 1
        return ch

    def char(self) -> int:
        ch = self.take()
        if ch == "\\":
            ch = self.take()
        code = ord(ch)
        if code > _BYTE_MAX:
            raise self.error("only bytes")
        return code

    def klass(self) -> frozenset[int]:
        negate = self.peek() == "^"
        if negate:
            self.pos += 1
        chars: set[int] = set()
        while self.peek() != "]":
            if self.src.startswith("\\d", self.pos):
                self.pos += 2
                chars |= _DIGITS
                continue
            lo = self.char()
            if self.peek() == "-" and self.src[self.pos + 1 : self.pos + 2] not in ("]", ""):
                self.pos += 1
                chars |= set(range(lo, self.char() + 1))
            else:
                chars.add(lo)
        self.pos += 1
        return frozenset(set(range(256)) - chars) if negate else frozenset(chars)

    def count(self) -> tuple[int, int] | None:
        if self.peek() == "?":
            self.pos += 1
            return 0, 1
        m = re.compile(r"\{(\d+)(?:,(\d+))?\}").match(self.src, self.pos)
        if m is None:
            return None
        self.pos = m.end()
        lo = int(m.group(1))
        hi = int(m.group(2)) if m.group(2) is not None else lo
        if hi < lo or hi == 0 or hi > _COUNT_MAX:
            raise self.error("bad count")
        return lo, hi

    def steps(self, group: bool = False) -> tuple[Step, ...]:
        out: list[Step] = []
        while self.peek() and not (group and self.peek() == ")"):
            if self.src.startswith("(?:", self.pos):
                self.pos += 3
                inner = self.steps(group=True)
                if self.take() != ")" or self.take() != "?":
                    raise self.error("only optional groups")
                out.append(Opt(inner))
                continue
            if self.peek() == "$":
                self.pos += 1
                out.append(Eol())
                continue
            if self.peek() in "()|*+.{}^":
                raise self.error(f"{self.peek()!r} is not in the subset")
            chars: frozenset[int]
            if self.src.startswith("\\d", self.pos):
                self.pos += 2
                chars = _DIGITS
            elif self.peek() == "[":
                self.pos += 1
                chars = self.klass()
            else:
                chars = frozenset({self.char()})
            n = self.count()
            if n is None and len(chars) == 1:
                byte = bytes(chars)
                if out and isinstance(out[-1], Lit):
                    out[-1] = Lit(out[-1].data + byte)
                else:
                    out.append(Lit(byte))
            else:
                lo, hi = n or (1, 1)
                out.append(Run(chars, lo, hi))
        return tuple(out)


@functools.cache
def shape(source: str) -> Shape:
    """Read a shape (see the module docstring); ShapeError if it is outside the subset."""
    reader = _Reader(source)
    steps = reader.steps()
    if reader.pos != len(source) or not steps:
        raise reader.error("not a shape")
    check(steps, source)
    return Shape(source, steps)


@functools.cache  # ~20 distinct classes, asked for ~200 times while the filters are built
def class_regex(chars: frozenset[int]) -> bytes:
    """A bytes regex for one byte of ``chars``."""
    if chars == _DIGITS:
        return rb"\d"
    if len(chars) == 1:
        return re.escape(bytes(chars))
    ranges: list[bytes] = []
    codes = sorted(chars)
    start = prev = codes[0]
    for code in [*codes[1:], -2]:
        if code == prev + 1:
            prev = code
            continue
        part = re.escape(bytes([start]))
        if prev > start:
            part += b"-" + re.escape(bytes([prev]))
        ranges.append(part)
        start = prev = code
    return b"[" + b"".join(ranges) + b"]"


def _regex(steps: tuple[Step, ...]) -> bytes:
    out = b""
    for step in steps:
        if isinstance(step, Lit):
            out += re.escape(step.data)
        elif isinstance(step, Run):
            count = b"" if (step.lo, step.hi) == (1, 1) else (
                b"?" if (step.lo, step.hi) == (0, 1) else
                b"{%d}" % step.lo if step.lo == step.hi else b"{%d,%d}" % (step.lo, step.hi)
            )
            out += class_regex(step.chars) + count
        elif isinstance(step, Opt):
            out += b"(?:" + _regex(step.steps) + b")?"
        elif isinstance(step, Alt):
            out += b"(?:" + b"|".join(_regex(b) for b in step.branches) + b")"
        else:
            out += rb"(?=\n|\Z)"
    return out


def _u16(n: int) -> bytes:
    return n.to_bytes(2, "little")


def _program(steps: tuple[Step, ...]) -> bytes:
    out = b""
    for step in steps:
        if isinstance(step, Lit):
            out += bytes([OP_LIT]) + _u16(len(step.data)) + step.data
        elif isinstance(step, Run):
            bitmap = bytearray(32)
            for c in step.chars:
                bitmap[c >> 3] |= 1 << (c & 7)
            out += bytes([OP_RUN]) + _u16(step.lo) + _u16(step.hi) + bytes(bitmap)
        elif isinstance(step, Opt):
            inner = _program(step.steps) + bytes([OP_END])
            out += bytes([OP_OPT]) + _u16(len(inner)) + inner
        elif isinstance(step, Alt):
            out += bytes([OP_ALT]) + _u16(len(step.branches))
            for branch in step.branches:
                inner = _program(branch) + bytes([OP_END])
                out += _u16(len(inner)) + inner
        else:
            out += bytes([OP_EOL])
    return out


def _span(steps: tuple[Step, ...]) -> tuple[int, int]:
    lo = hi = 0
    for step in steps:
        if isinstance(step, Lit):
            lo += len(step.data)
            hi += len(step.data)
        elif isinstance(step, Run):
            lo += step.lo
            hi += step.hi
        elif isinstance(step, Opt):
            hi += _span(step.steps)[1]
        elif isinstance(step, Alt):
            spans = [_span(b) for b in step.branches]
            lo += min(a for a, _ in spans)
            hi += max(b for _, b in spans)
    return lo, hi


def match(s: Shape, data: bytes, pos: int = 0) -> int | None:
    """Where a match of ``s`` at ``data[pos:]`` ends (the reference for the C loop), or None."""
    m = re.compile(s.bytes_regex).match(data, pos)
    return None if m is None else m.end()
