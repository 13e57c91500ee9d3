"""Parse many files on several cores; the checks still run in order, in the parent.

Only parsing is spread out: it is the costly, independent part (each file's changes depend on its
own text alone). Applying changes to the one ``SchemaState`` and running the checks must follow
migration order, so the engine does that afterwards, serially, exactly as for a serial run; this
is why parallel and serial runs give the same reports.

A pool costs a few tens of milliseconds to start, so it is used only when there are more than
``MIN_FILES_FOR_POOL`` files to parse and more than one worker; one small file never pays for it.
If the pool fails for any reason (a platform without working processes, a result that cannot be
pickled), the files are parsed serially instead, so a bug in a front end surfaces the same way in
both modes.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace

from sqlguard.config import Config
from sqlguard.frontends import parse_file
from sqlguard.model import Migration

MIN_FILES_FOR_POOL = 200
_CHUNK = 32

_worker_config: Config | None = None


def available_cpus() -> int:
    """Cores this process may run on (the affinity mask where the OS has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS and Windows have no affinity call
        return max(1, os.cpu_count() or 1)


def workers_for(jobs: int | None, pending: int) -> int:
    """How many processes to parse ``pending`` files with: 1 means no pool at all.

    ``jobs`` None is automatic: every available core, but only for runs large enough to win.
    An explicit ``jobs`` above 1 always uses a pool (capped by the number of files).
    """
    if jobs is None:
        if pending <= MIN_FILES_FOR_POOL:
            return 1
        jobs = available_cpus()
    return max(1, min(jobs, pending))


def parse_all(sources: Sequence[tuple[str, str]], config: Config, jobs: int | None = None) -> list[Migration]:
    """Parse ``(path, text)`` pairs into migrations, in the same order, on ``jobs`` processes."""
    workers = workers_for(jobs, len(sources))
    if workers > 1:
        try:
            return _parse_in_pool(sources, config, workers)
        except Exception:  # fall back to the serial path, which raises any front-end bug plainly
            pass
    return [parse_file(path, text, config) for path, text in sources]


def _parse_in_pool(sources: Sequence[tuple[str, str]], config: Config, workers: int) -> list[Migration]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork inherits the imported front ends (no re-import per worker); elsewhere use the default.
    method = "fork" if sys.platform.startswith("linux") else None
    context = multiprocessing.get_context(method)
    chunks = [sources[i : i + _CHUNK] for i in range(0, len(sources), _CHUNK)]
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(config,))
    with pool, paused_gc():
        parsed = [migration for chunk in pool.map(_parse_chunk, chunks) for migration in chunk]
    # Workers send migrations back without their text (the parent has it): half the pickling.
    for migration, (_, text) in zip(parsed, sources, strict=True):
        migration.text = text  # fresh objects from the pickle: no one else holds them
    return parsed


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while unpickling many objects that all survive.

    Unpickling parsed migrations allocates hundreds of thousands of small objects and frees none;
    the collector would walk them again and again (measured: 6x slower loads). The objects hold
    no cycles, so nothing is lost by collecting once afterwards instead.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _init_worker(config: Config) -> None:
    global _worker_config
    _worker_config = config


def _parse_chunk(chunk: Sequence[tuple[str, str]]) -> list[Migration]:
    config = _worker_config if _worker_config is not None else Config()
    return [replace(parse_file(path, text, config), text="") for path, text in chunk]
