#!/usr/bin/env python3
"""Time ``wsdiag analyze --format json`` against ``grep -cE`` and ``wc -l`` on generated logs.

The log comes from benchmarks/genlog.py (seeded, with its exact expected counts) and is reused
when it already exists. Every tool runs ``--runs`` times, interleaved, and the table shows the
median wall time, MB/s, the ratio to grep and the peak RSS of the largest process (wsdiag's
forked workers included). wsdiag's JSON is checked against the generator's expected counts,
and so is ``cat FILE | wsdiag analyze -``. ``--pure`` times the pure-Python path too
(``WSDIAG_PURE_PYTHON=1``). ``--suite`` runs every layout, level and collector's prefix of
SUITE in turn and prints one row each (the last is a Hermes log); ``--client hermes`` measures
a Hermes log alone.

    python benchmarks/bench.py --size 1G                 # file layout, DEBUG, seed 1
    python benchmarks/bench.py --size 4G --runs 3 --dir /tmp --delete
    python benchmarks/bench.py --size 256M --layout console --wrapper docker-t --pure
    python benchmarks/bench.py --size 256M --suite --runs 5
    python benchmarks/bench.py --size 1G --client hermes   # mpforce1 Hermes DEBUG file log

Pure standard library; POSIX only (os.wait4 for the peak RSS of each run).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import genlog  # noqa: E402

#: The grep that wsdiag is timed against, per client: the failure and reconnection lines
#: (Hermes puts the client's uuid after `#N - `).
GREP = {
    "pubsub": ["grep", "-cE", "#[0-9]+ - (WebSocket error|Reconnecting)"],
    "hermes": ["grep", "-cE", "#[0-9]+ - ([0-9a-f-]{36} - )?(WebSocket error|Reconnecting)"],
}
#: (layout, level, collector's prefix, client) of the logs --suite measures.
SUITE: tuple[tuple[str, str, str, str], ...] = (
    ("file", "DEBUG", "none", "pubsub"),
    ("console", "DEBUG", "none", "pubsub"),
    ("file", "INFO", "none", "pubsub"),
    ("console", "INFO", "none", "pubsub"),
    ("less", "DEBUG", "none", "pubsub"),
    ("less", "INFO", "none", "pubsub"),
    ("console", "DEBUG", "docker-t", "pubsub"),
    ("console", "DEBUG", "compose", "pubsub"),
    ("console", "DEBUG", "journald", "pubsub"),
    ("console", "INFO", "journald", "pubsub"),
    ("console", "INFO", "fly", "pubsub"),
    ("file", "DEBUG", "none", "hermes"),
)


@dataclass
class Tool:
    name: str
    argv: list[str]  # the file is appended (or piped in with stdin=True)
    stdin: bool = False
    check: bool = False  # stdout is wsdiag JSON to check against the expected counts
    env: dict[str, str] | None = None
    times: list[float] = field(default_factory=list)
    rss_kib: int = 0
    outputs: list[bytes] = field(default_factory=list)


TIME = shutil.which("time", path="/usr/bin:/bin")  # GNU time: peak RSS without our own memory


def _run(tool: Tool, path: Path) -> None:
    """One timed run: stdout into a pipe we drain (grep stops early on /dev/null).

    The peak RSS is the largest of the tool's processes (wsdiag's forked workers included), as
    GNU time reports it; without it, os.wait4's figure may include this script's own memory
    copied into the child before it runs the tool.
    """
    argv = tool.argv if tool.stdin else [*tool.argv, str(path)]
    with tempfile.TemporaryFile() as out, tempfile.NamedTemporaryFile("r") as rss:
        if TIME is not None:
            argv = [TIME, "-f", "%M", "-o", rss.name, *argv]
        src = path.open("rb") if tool.stdin else None
        start = time.perf_counter()
        try:
            proc = subprocess.Popen(argv, stdin=src or subprocess.DEVNULL, stdout=subprocess.PIPE, env=tool.env)
            assert proc.stdout is not None
            shutil.copyfileobj(proc.stdout, out)
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            if src is not None:
                src.close()
        elapsed = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):  # grep -c exits 1 when it counts nothing
            raise SystemExit(f"{tool.name}: exit status {code}")
        tool.times.append(elapsed)
        peak = int(rss.read().strip().splitlines()[-1]) if TIME is not None else usage.ru_maxrss
        tool.rss_kib = max(tool.rss_kib, peak)
        out.seek(0)
        if tool.check and not tool.outputs:
            tool.outputs.append(out.read())


def _check(doc: dict[str, object], expected: dict[str, object], name: str) -> list[str]:
    """Differences between a wsdiag/1 document and genlog's expected counts."""
    d: dict[str, dict[str, object]] = doc  # type: ignore[assignment]
    got = {
        "ids": d["connections"]["ids"],
        "pool_size": d["connections"]["pool_size"],
        "by_class": d["failures"]["by_class"],
        "failures_total": d["failures"]["total"],
        "reconnects": d["reconnects"]["count"],
        "closes": d["closes"],
        "topics_listened": d["topics"]["listened"],
        "streamers": d["topics"]["streamers"],
        "lines": d["inputs"][0]["lines"],  # type: ignore[index]
        "first": d["span"]["first"],
        "last": d["span"]["last"],
    }
    return [
        f"{name}: {key} = {value!r}, expected {expected[key]!r}"
        for key, value in got.items()
        if value != expected[key]
    ]


def _ratio(tool: Tool, grep: Tool) -> str:
    """The median of the tool's time over grep's in the same round (a shared machine slows
    both alike within a round), and the spread of that ratio."""
    ratios = sorted(t / g for t, g in zip(tool.times, grep.times, strict=True))
    return f"{statistics.median(ratios):.2f} ({ratios[0]:.2f}-{ratios[-1]:.2f})"


def _table(tools: list[Tool], size: int) -> str:
    grep = next(t for t in tools if t.name == "grep -cE")
    rows = [("tool", "median s", "MB/s", "x grep", "peak RSS MiB", "runs")]
    for t in tools:
        med = statistics.median(t.times)
        rows.append(
            (
                t.name,
                f"{med:.2f}",
                f"{size / med / 1e6:.0f}",
                _ratio(t, grep),
                f"{t.rss_kib / 1024:.0f}",
                " ".join(f"{x:.2f}" for x in t.times),
            )
        )
    return _rows(rows)


def _rows(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _log(
    args: argparse.Namespace, layout: str, level: str, wrapper: str, client: str
) -> tuple[Path, dict[str, object]]:
    """The generated log of these knobs (made once) and its expected counts."""
    stem = f"{layout}-{level.lower()}-{args.size}-s{args.seed}" + ("" if wrapper == "none" else f"-{wrapper}")
    stem += "" if client == "pubsub" else f"-{client}"
    log, exp_path = args.dir / f"{stem}.log", args.dir / f"{stem}.json"
    if not (log.exists() and exp_path.exists()):
        cfg = genlog.GenConfig(
            seed=args.seed, size=args.size, layout=layout, level=level, wrapper=wrapper, client=client
        )
        t0 = time.perf_counter()
        with log.open("wb") as fh:
            expected = genlog.generate(cfg, fh)
        exp_path.write_text(json.dumps(expected.to_json(), indent=1))
        print(f"generated {log} in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return log, json.loads(exp_path.read_text())


def _measure(
    args: argparse.Namespace, log: Path, expected: dict[str, object], full: bool, client: str = "pubsub"
) -> tuple[list[Tool], list[str]]:
    """Run the tools on one log, interleaved; the tools and the JSON's differences."""
    subprocess.run(["cat", str(log)], stdout=subprocess.DEVNULL, check=True)  # into page cache
    # Generated logs start in 2025: a year-less one is read with that year.
    wsdiag = [sys.executable, "-m", "wsdiag", "analyze", "--format", "json", "--year", "2025"]
    if args.jobs is not None:
        wsdiag += ["--jobs", str(args.jobs)]
    tools = [Tool("grep -cE", GREP[client])]
    if full:
        tools.append(Tool("wc -l", ["wc", "-l"]))
    tools.append(Tool("wsdiag analyze --format json", wsdiag, check=True))
    if args.pure:
        pure = {k: v for k, v in os.environ.items() if k != "WSDIAG_PURE_PYTHON"} | {"WSDIAG_PURE_PYTHON": "1"}
        tools.append(Tool("WSDIAG_PURE_PYTHON=1 wsdiag", wsdiag, check=True, env=pure))
    if full and not args.no_stdin:
        tools.append(Tool("cat | wsdiag analyze -", [*wsdiag, "-"], stdin=True, check=True))
    for _ in range(args.runs):
        for tool in tools:
            _run(tool, log)
    problems: list[str] = []
    for tool in tools:
        if tool.check:
            doc = json.loads(tool.outputs[0])
            problems += _check(doc, expected, tool.name)
    return tools, problems


def _suite_row(name: str, size: int, tools: list[Tool]) -> tuple[str, ...]:
    grep = tools[0]
    row = [name, f"{size / 2**20:.0f}", f"{statistics.median(grep.times):.2f}"]
    for t in tools[1:]:
        med = statistics.median(t.times)
        row += [f"{med:.2f}", f"{size / med / 1e6:.0f}", _ratio(t, grep), f"{t.rss_kib / 1024:.0f}"]
    return tuple(row)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--size", type=genlog.parse_size, default=genlog.parse_size("1G"))
    p.add_argument("--layout", choices=genlog.LAYOUTS, default="file")
    p.add_argument("--level", choices=genlog.LEVELS, default="DEBUG")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--runs", type=int, default=5, help="runs of each tool (interleaved)")
    p.add_argument("--dir", type=Path, default=HERE.parent / "bench-data", help="where logs go")
    p.add_argument("--jobs", type=int, default=None, help="wsdiag --jobs (default: one per CPU)")
    p.add_argument("--no-stdin", action="store_true", help="skip `cat FILE | wsdiag analyze -`")
    p.add_argument("--delete", action="store_true", help="delete the generated log afterwards")
    p.add_argument("--wrapper", choices=genlog.WRAPPERS, default="none", help="a collector's line prefix")
    p.add_argument("--client", choices=genlog.CLIENTS, default="pubsub", help="PubSub or Hermes lines")
    p.add_argument("--pure", action="store_true", help="time WSDIAG_PURE_PYTHON=1 too")
    p.add_argument("--suite", action="store_true", help="every log of SUITE, one row each")
    args = p.parse_args(argv)

    args.dir.mkdir(parents=True, exist_ok=True)
    # pip compiles a package's bytecode when it installs it; an editable install used with
    # PYTHONDONTWRITEBYTECODE=1 has none and would pay ~0.1 s a run to compile its modules.
    import wsdiag
    from wsdiag.read.linefilter import FILTERS

    compileall.compile_dir(Path(wsdiag.__file__).parent, quiet=1)
    line_filter = "C (wsdiag._lines)" if FILTERS.use_c else "regex (C filter not built)"
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"{cpus} CPUs, python {sys.version.split()[0]}, line filter: {line_filter}")
    problems: list[str] = []
    if args.suite:
        head = ["log", "MiB", "grep s", "wsdiag s", "MB/s", "x grep", "RSS MiB"]
        if args.pure:
            head += ["pure s", "MB/s", "x grep", "RSS MiB"]
        rows = [tuple(head)]
        for layout, level, wrapper, client in SUITE:
            log, expected = _log(args, layout, level, wrapper, client)
            tools, found = _measure(args, log, expected, full=False, client=client)
            problems += found
            name = f"{layout} {level}" + ("" if wrapper == "none" else f" behind {wrapper}")
            name += "" if client == "pubsub" else f" {client}"
            rows.append(_suite_row(name, log.stat().st_size, tools))
            print(" | ".join(rows[-1]), file=sys.stderr)
            if args.delete:
                log.unlink()
        print(_rows(rows))
    else:
        log, expected = _log(args, args.layout, args.level, args.wrapper, args.client)
        tools, problems = _measure(args, log, expected, full=True, client=args.client)
        size = log.stat().st_size
        print(f"{log.name}: {size / 2**20:.0f} MiB, {expected['lines']} lines")
        print(_table(tools, size))
        if args.delete:
            log.unlink()
    print("JSON vs expected counts: " + ("ok" if not problems else "MISMATCH"))
    for line in problems:
        print("  " + line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
