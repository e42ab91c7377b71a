"""Leaf helpers every layer uses: how wsdiag writes counts in words."""
