#!/usr/bin/env python3
"""The seeded log generator's historical entry point: ``import genlog`` and
``python benchmarks/genlog.py ...`` re-export the package ``loggen`` (see its docstring).
"""

from __future__ import annotations

import sys

import loggen
from loggen import *  # noqa: F403  -- the shim's API is loggen's ``__all__``, not a copy of it
from loggen.cli import main, parse_size

__all__ = ["main", "parse_size"]
__all__ += loggen.__all__

if __name__ == "__main__":
    sys.exit(main())
