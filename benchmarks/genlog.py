#!/usr/bin/env python3
"""The seeded log generator's historical entry point: ``import genlog`` and
``python benchmarks/genlog.py ...`` (the generator itself is the package ``loggen``).

    python benchmarks/genlog.py --size 1G --layout file --seed 1 -o big.log --expected big.json
"""

from __future__ import annotations

import sys

from loggen import (
    CLIENTS,
    FAILURE_CLASSES,
    LAYOUTS,
    LEVELS,
    LOGGERS,
    TOKEN_LENGTH,
    WRAPPERS,
    Expected,
    GenConfig,
    generate,
)
from loggen.cli import main, parse_size

__all__ = [
    "CLIENTS",
    "FAILURE_CLASSES",
    "LAYOUTS",
    "LEVELS",
    "LOGGERS",
    "TOKEN_LENGTH",
    "WRAPPERS",
    "Expected",
    "GenConfig",
    "generate",
    "main",
    "parse_size",
]

if __name__ == "__main__":
    sys.exit(main())
