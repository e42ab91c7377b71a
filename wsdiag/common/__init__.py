"""Leaf helpers every layer uses: counts in words (:mod:`~wsdiag.common.words`) and exhaustive
choices over an Enum (:mod:`~wsdiag.common.choices`)."""
