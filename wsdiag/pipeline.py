"""Run the scan over every source, in parallel where it pays, and merge the summaries (year-less
logs: read.year_chain)."""

from __future__ import annotations

import contextlib
import mmap
import os
import select
import signal
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, BinaryIO, NoReturn

from wsdiag.parse.redact import neutralise
from wsdiag.read.file_parts import mapped_blocks, quiet_file, split_ranges
from wsdiag.read.layouts import YearResolver
from wsdiag.read.scan import Scanner, scanner_maps
from wsdiag.read.sources import (
    CHUNK,
    CUT_SHORT,
    InputError,
    ReadError,
    Source,
    blocks,
    open_stream,
)
from wsdiag.read.year_chain import YearState, has_year, year_chain, year_states
from wsdiag.summary.inputs import InputStats
from wsdiag.summary.summary import Summary

if TYPE_CHECKING:
    from wsdiag.read.scan import Buffer
    from wsdiag.read.timefilter import Window
    from wsdiag.summary.same_run import SameRun

__all__ = [
    "PARALLEL_MIN",
    "Options",
    "Progress",
    "analyze",
    "reading",
    "scan_parts",
    "scan_source",
    "scanner_for",
    "year_chain",
]

#: Files smaller than this are scanned in-process: workers cost more than they save.
PARALLEL_MIN = 48 * 1024 * 1024

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Options:
    """How the sources are read (the year of year-less stamps, workers, the time window)."""

    year: int | None = None
    jobs: int | None = None  # None: one per CPU
    today: date | None = None
    simple: bool = False  # reference path, for tests
    window: Window | None = None  # --since/--until


def scanner_for(
    summary: Summary, source: Source, opts: Options, years: YearResolver | None = None
) -> Scanner:
    """A scanner that feeds ``source``'s lines into ``summary`` with the run's options;
    ``years``: the resolver that the year-less inputs before this one left (see year_chain)."""
    if years is None:
        years = YearResolver.for_log(opts.year, opts.today)
    return Scanner(summary, summary.input(source.name), years, window=opts.window)



@contextlib.contextmanager
def reading(source: Source, stats: InputStats) -> Iterator[BinaryIO]:
    """Open a source; a failure part-way is recorded on ``stats`` and what was read counts."""
    try:
        stream = open_stream(source)
    except OSError as exc:
        raise InputError(f"{source.name}: cannot read ({exc.strerror or exc})") from None
    try:
        yield stream
    except ReadError as exc:
        stats.read_error = neutralise(str(exc))
    except OSError as exc:  # its text may quote a path: controls escaped (a path is not redacted)
        stats.read_error = neutralise(exc.strerror or str(exc))
    finally:
        if source.path is not None:
            stream.close()


def _scan_stream(
    source: Source,
    opts: Options,
    start: int = 0,
    stop: int | None = None,
    progress: Progress | None = None,
    years: YearResolver | None = None,
) -> Summary:
    """The Summary of ``source[start:stop]``; ``years``: the resolver its year-less dates
    continue (the scan moves it on), or a fresh one."""
    summary = Summary()
    scanner = scanner_for(summary, source, opts, years)
    with reading(source, scanner.stats) as stream:
        parts: Iterator[tuple[Buffer, int, int]]
        if not opts.simple and opts.window is None and scanner_maps() and quiet_file(source):
            assert source.size is not None
            parts = mapped_blocks(stream, start, stop or source.size)
        else:
            if start:
                stream.seek(start)
            limit = None if stop is None else stop - start
            parts = ((buf, 0, n) for buf, n in blocks(stream, CHUNK, limit))
        got = 0
        for buf, begin, end in parts:
            if opts.simple:
                scanner.simple(bytes(memoryview(buf)[begin:end]))
            else:
                scanner.chunk(buf, end, begin)
            got += end - begin
            if progress is not None:
                progress(end - begin)
        if source.splittable and source.size is not None and got < (stop or source.size) - start:
            raise ReadError(CUT_SHORT)  # fewer bytes than the file had: it shrank meanwhile
    return summary


def _scan_part(
    source: Source,
    opts: Options,
    start: int,
    stop: int,
    progress: Progress | None = None,
    years: YearState | None = None,
) -> tuple[Summary, YearState]:
    """The Summary of ``source[start:stop]``, with year-less dates resolved from ``years`` (or
    afresh), and where the year resolver stands at its end."""
    resolver = YearResolver.for_log(opts.year, opts.today) if years is None else YearResolver(*years)
    return _scan_stream(source, opts, start, stop, progress, resolver), resolver.state()


def _worker(args: tuple[Source, Options, int, int]) -> Summary:
    source, opts, start, stop = args
    return _scan_stream(source, opts, start, stop)


class _Shared:
    """Bytes scanned so far by each part, in memory shared with forked workers."""

    def __init__(self, parts: int) -> None:
        self.parts = parts
        self.mem = mmap.mmap(-1, 8 * parts)
        self.shown = 0

    def counter(self, part: int) -> Progress:
        done = 0

        def tick(n: int) -> None:
            nonlocal done
            done += n
            struct.pack_into("q", self.mem, 8 * part, done)

        return tick

    def report(self, progress: Progress | None) -> None:
        """Pass what all parts scanned since the last call on to ``progress``."""
        total = sum(struct.unpack_from(f"{self.parts}q", self.mem))
        if progress is not None and total > self.shown:
            progress(total - self.shown)
        self.shown = max(self.shown, total)


def _child(
    source: Source, opts: Options, span: tuple[int, int], years: YearState | None, out: int, tick: Progress
) -> NoReturn:
    """Body of a forked worker: scan one range, send the pickled Summary and year state (or
    the error), exit.

    A worker whose parent is gone (killed, even by SIGKILL) stops at its next chunk: nobody
    would read its summary.
    """
    import pickle  # here, not at the top: only a parallel run (a file of PARALLEL_MIN) needs it

    code = 1
    parent = os.getppid()

    def tick_while_wanted(n: int) -> None:
        if os.getppid() != parent:
            os._exit(1)
        tick(n)

    try:
        try:
            result: object = _scan_part(source, opts, span[0], span[1], tick_while_wanted, years)
        except Exception as exc:  # sent to the parent, which raises it
            result = exc
        data = pickle.dumps(result, pickle.HIGHEST_PROTOCOL)
        view = memoryview(data)
        while view:
            view = view[os.write(out, view) :]
        code = 0
    finally:
        os._exit(code)  # no atexit handlers, no flushing of the parent's stdio buffers


def _receive(pid: int, fd: int, shared: _Shared, progress: Progress | None) -> tuple[Summary, YearState]:
    """The Summary and year state a forked worker sends, showing every part's progress while
    waiting. The caller closes ``fd`` and, should this raise (Ctrl-C, SIGTERM), stops the
    worker."""
    import pickle  # see _child

    data: list[bytes] = []
    while True:
        ready, _, _ = select.select([fd], [], [], 0.1)
        shared.report(progress)
        if ready:
            block = os.read(fd, 1 << 20)
            if not block:
                break
            data.append(block)
    _, status = os.waitpid(pid, 0)
    if not data:
        raise RuntimeError(f"a worker process failed (wait status {status})")
    result = pickle.loads(b"".join(data))
    if isinstance(result, Exception):
        raise result
    assert isinstance(result, tuple) and isinstance(result[0], Summary)
    return result


def _forked(
    source: Source,
    opts: Options,
    ranges: list[tuple[int, int]],
    progress: Progress | None,
    years: list[YearState] | None = None,
) -> tuple[Summary, YearState]:
    """Scan ``ranges[1:]`` in forked workers and ``ranges[0]`` here, merged in range order,
    and where the year resolver stands at the end.

    Each worker's summary is merged as it arrives: memory holds two summaries at a time, not
    one per worker (each can reach MAX_MINUTES). With ``years`` (a year-less log), each range
    starts from the year state predicted for it; a range whose prediction proves wrong (the
    range before it ended elsewhere) is scanned again here, from where that one ended.
    """
    shared = _Shared(len(ranges))
    children: list[tuple[int, int]] = []  # (pid, read end of its pipe), until its summary came
    try:
        for part, span in enumerate(ranges[1:], 1):
            rfd, wfd = os.pipe()
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child's coverage is not collected
                os.close(rfd)
                _child(source, opts, span, None if years is None else years[part], wfd, shared.counter(part))
            os.close(wfd)
            children.append((pid, rfd))
        own = shared.counter(0)

        def tick(n: int) -> None:
            own(n)
            shared.report(progress)

        total, state = _scan_part(source, opts, *ranges[0], tick, None if years is None else years[0])
        for part in range(1, len(ranges)):
            pid, rfd = children[0]
            summary, end = _receive(pid, rfd, shared, progress)
            children.pop(0)
            os.close(rfd)
            if years is not None and years[part] != state:
                summary, end = _scan_part(source, opts, *ranges[part], years=state)
            total.merge(summary)
            state = end
        shared.report(progress)
        return total, state
    finally:
        # Only after an error, Ctrl-C or SIGTERM (cli.main turns it into an exception): stop
        # and reap the workers still running, which would otherwise scan on, orphaned.
        for pid, rfd in children:
            with contextlib.suppress(OSError):
                os.close(rfd)
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.waitpid(pid, 0)
        shared.mem.close()


def _pooled(source: Source, opts: Options, ranges: list[tuple[int, int]]) -> list[Summary]:
    """Without fork (Windows): worker processes started afresh, no progress from them."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=len(ranges), mp_context=ctx) as pool:
        return list(pool.map(_worker, [(source, opts, a, b) for a, b in ranges]))


def _jobs(opts: Options) -> int:
    if opts.jobs is not None:
        return max(1, opts.jobs)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)



def scan_source(
    source: Source, opts: Options, progress: Progress | None = None, years: YearResolver | None = None
) -> Summary:
    """Summary of one source, using worker processes for big plain files. ``years``: the
    resolver a year-less source continues (moved on to where the source ends)."""
    jobs = _jobs(opts)
    if opts.simple or jobs == 1 or not source.splittable or (source.size or 0) < PARALLEL_MIN:
        return _scan_stream(source, opts, progress=progress, years=years)
    assert source.path is not None and source.size is not None
    ranges = split_ranges(source.path, jobs, source.size)
    if len(ranges) == 1:
        return _scan_stream(source, opts, progress=progress, years=years)
    if years is not None or not has_year(source):
        # Year-less: each range starts from the year state predicted for it, checked after.
        resolver = YearResolver.for_log(opts.year, opts.today) if years is None else years
        states = None
        if opts.window is None and hasattr(os, "fork"):
            states = year_states(source, ranges, resolver.state())
        if states is None:
            return _scan_stream(source, opts, progress=progress, years=resolver)
        total, end = _forked(source, opts, ranges, progress, states)
        resolver.restore(end)
        return total
    if not hasattr(os, "fork"):  # pragma: no cover - not POSIX
        parts = _pooled(source, opts, ranges)
        if progress is not None:
            progress(source.size)
        for part in parts[1:]:
            parts[0].merge(part)
        return parts[0]
    return _forked(source, opts, ranges, progress)[0]


def scan_parts(
    sources: list[Source], opts: Options, progress: Progress | None = None
) -> tuple[list[Summary], dict[str, tuple[int, bool, int | None]]]:
    """The summary of each source alone (year-less ones continue each other's years, see
    year_chain), and the year resolver's state as each of those began."""
    chained: dict[str, Summary] = {}  # by name: one per input (sources.resolve)
    begun: dict[str, tuple[int, bool, int | None]] = {}
    years = YearResolver.for_log(opts.year, opts.today)
    for source in year_chain(sources):  # one resolver for them all, in time order
        begun[source.name] = years.state()
        chained[source.name] = scan_source(source, opts, progress, years)
    parts = [chained[s.name] if s.name in chained else scan_source(s, opts, progress) for s in sources]
    return parts, begun


def analyze(sources: list[Source], opts: Options, progress: Progress | None = None) -> Summary:
    """One merged, finished Summary of all sources, combined in time order.

    Inputs that are the same run in two layouts (the console and the file log) are counted
    once (see :mod:`wsdiag.summary.same_run`); ``Summary.same_run`` says which.
    """
    parts, begun = scan_parts(sources, opts, progress)

    def rescan(i: int, skip: tuple[tuple[datetime, datetime], ...]) -> Summary | None:
        source = sources[i]
        if source.path is None:
            return None  # standard input, read once
        from wsdiag.read.timefilter import Window

        user = opts.window or Window()
        again = replace(opts, window=replace(user, skip=user.skip + skip))
        state = begun.get(source.name)  # a year-less one takes the years it took the first time
        return scan_source(source, again, None, None if state is None else YearResolver(*state))

    repeated: list[SameRun] = []
    if len(sources) > 1:  # one input alone repeats nothing: its run needs no same_run import
        from wsdiag.summary import same_run

        parts, repeated = same_run.count_once([s.name for s in sources], parts, rescan)
    # Rotated files and halves of a log are merged oldest first, whatever the argument order.
    parts.sort(key=lambda s: (s.first is None, s.first or datetime.min))
    total = Summary()
    for part in parts:
        total.merge(part)
    # Inputs are reported in the order the user gave them.
    total.inputs = {s.name: total.inputs[s.name] for s in sources if s.name in total.inputs}
    if opts.window is not None:
        total.window = (opts.window.since, opts.window.until)
    total.same_run = repeated
    return total.finish()
