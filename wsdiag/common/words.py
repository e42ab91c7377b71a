"""Counts in words: `1 failure`, `2 failures`, `1 of 1 connection`."""

from __future__ import annotations


def plural(n: int, word: str, many: str | None = None) -> str:
    """`1 failure`, `1,204 failures` (``many``: the plural when it is not ``word`` + s)."""
    return f"{n:,} {noun(n, word, many)}"


def noun(n: int, word: str, many: str | None = None) -> str:
    """The noun alone, in the number ``n`` asks for."""
    return word if n == 1 else (many or word + "s")


def of(n: int, total: int, word: str, many: str | None = None) -> str:
    """`1 of 1 connection`, `3 of 4 connections`: the noun agrees with the total."""
    return f"{n:,} of {total:,} {noun(total, word, many)}"
