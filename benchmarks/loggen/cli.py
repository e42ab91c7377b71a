"""The generator's command line (`python benchmarks/genlog.py`, `python -m loggen`)."""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from datetime import datetime

from . import __doc__ as _PACKAGE_DOC
from . import generate
from .config import (
    CLIENTS,
    LAYOUTS,
    LEVELS,
    LOGGERS,
    WRAPPERS,
    GenConfig,
)

_SIZE_RE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*", re.IGNORECASE)


def parse_size(text: str) -> int:
    """``500K`` / ``200M`` / ``1G`` (binary multiples) or a plain byte count."""
    m = _SIZE_RE.fullmatch(text)
    if m is None:
        raise argparse.ArgumentTypeError(f"bad size {text!r} (use e.g. 500K, 200M, 1G)")
    mult = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}[m.group(2).lower()]
    return int(float(m.group(1)) * mult)


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    p = argparse.ArgumentParser(description=_PACKAGE_DOC.split("\n\n")[0] if _PACKAGE_DOC else None)
    p.add_argument("--size", type=parse_size, default=GenConfig.size, help="target size: 500K, 200M, 1G")
    p.add_argument("--layout", choices=LAYOUTS, default="file")
    p.add_argument("--level", choices=LEVELS, default="DEBUG")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--connections", type=int, default=37)
    p.add_argument("--topics-per-streamer", type=int, default=2)
    p.add_argument("--failure-rate", type=float, default=0.002)
    p.add_argument("--outages", type=int, default=0)
    p.add_argument("--start", type=datetime.fromisoformat, default=None, help="ISO start time")
    p.add_argument("--year-rollover", action="store_true")
    p.add_argument("--no-echoes", action="store_true")
    p.add_argument("--no-tracebacks", action="store_true")
    p.add_argument("--no-tokens", action="store_true")
    p.add_argument("--wrapper", choices=WRAPPERS, default="none", help="a log collector's line prefix")
    p.add_argument(
        "--client", choices=CLIENTS, default="pubsub", help="PubSub (RDV) or Hermes (mpforce1) lines"
    )
    p.add_argument(
        "--logger", choices=LOGGERS, default="A", help="mpforce1 logger variant (C: with --client hermes)"
    )
    p.add_argument("-o", "--output", default="-", help="log file (default: stdout)")
    p.add_argument("--expected", default=None, help="write the Expected JSON here")
    p.add_argument("-v", "--verbose", action="store_true", help="print size and speed to stderr")
    a = p.parse_args(argv)
    cfg = GenConfig(
        seed=a.seed,
        size=a.size,
        layout=a.layout,
        level=a.level,
        connections=a.connections,
        topics_per_streamer=a.topics_per_streamer,
        failure_rate=a.failure_rate,
        outages=a.outages,
        year_rollover=a.year_rollover,
        echoes=not a.no_echoes,
        tracebacks=not a.no_tracebacks,
        tokens=not a.no_tokens,
        wrapper=a.wrapper,
        client=a.client,
        logger=a.logger,
    )
    if a.start is not None:
        cfg.start = a.start
    t0 = time.perf_counter()
    try:
        if a.output == "-":
            exp = generate(cfg, sys.stdout.buffer)
            sys.stdout.buffer.flush()
        else:
            with open(a.output, "wb") as fh:
                exp = generate(cfg, fh)
    except ValueError as e:
        p.error(str(e))
    except BrokenPipeError:  # e.g. `genlog.py | head`
        sys.stderr.close()
        return 1
    dt = time.perf_counter() - t0
    if a.expected:
        with open(a.expected, "w", encoding="utf-8") as fh:
            json.dump(exp.to_json(), fh, indent=2)
            fh.write("\n")
    if a.verbose:
        mb = exp.bytes / 1e6
        print(
            f"{exp.bytes} bytes, {exp.lines} lines in {dt:.2f}s ({mb / max(dt, 1e-9):.1f} MB/s)",
            file=sys.stderr,
        )
    return 0
