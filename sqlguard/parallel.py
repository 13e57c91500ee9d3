"""Parse many files on several cores while the parent checks them, in order, as they arrive.

Only parsing is spread out: it is the costly, independent part (each file's changes depend on its
own text alone). Applying changes to the one ``SchemaState`` and running the checks must follow
migration order, so the engine does that in the parent, file by file, exactly as for a serial run;
this is why parallel and serial runs give the same reports. Parsed files are yielded in order as
the workers finish them, so the parent's checks run while the workers still parse, instead of
after them.

Each worker sends a migration back encoded by itself as the parse cache stores it (JSON text from
``sqlguard.codec``, without the file's text, which the parent has): the parent decodes it once,
and the same text is what the cache stores, so no migration is encoded twice. (The codec's JSON
is also quicker to write than a pickle and about as quick to read.)

A pool costs a few tens of milliseconds to start, so it is used only when there are more than
``MIN_FILES_FOR_POOL`` files to parse and more than one worker; one small file never pays for it.
If the pool fails for any reason (a platform without working processes, a result that cannot be
encoded), the files not yet yielded are parsed serially instead, so a bug in a front end surfaces
the same way in both modes.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace

from sqlguard import codec
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


def parse_all(
    sources: Sequence[tuple[str, str]], config: Config, jobs: int | None = None
) -> Iterator[tuple[Migration, str | None]]:
    """Parse ``(path, text)`` pairs into migrations, yielded in the same order, on ``jobs``
    processes; each comes with its encoded form (``encoded``) when a worker made one, else None."""
    workers = workers_for(jobs, len(sources))
    done = 0
    if workers > 1:
        try:
            for parsed in _parse_in_pool(sources, config, workers):
                yield parsed
                done += 1
        except Exception:  # fall back to the serial path, which raises any front-end bug plainly
            pass
    for path, text in sources[done:]:
        yield parse_file(path, text, config), None


def encoded(migration: Migration) -> str:
    """``migration`` without its text, as JSON: what a worker sends and the parse cache stores.
    Raises ``TypeError`` for a migration holding something the codec does not store."""
    return codec.encode(replace(migration, text=""))


def decoded(blob: str, text: str) -> Migration:
    """The migration ``encoded`` made, with its ``text`` put back. Raises ``ValueError`` for
    anything else."""
    migration = codec.decode(blob)
    if not isinstance(migration, Migration):
        raise ValueError(f"expected a Migration, got {type(migration).__name__}")
    migration.text = text  # a fresh object from the text: no one else holds it
    return migration


def _parse_in_pool(
    sources: Sequence[tuple[str, str]], config: Config, workers: int
) -> Iterator[tuple[Migration, str]]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork inherits the imported front ends (no re-import per worker); elsewhere use the default.
    method = "fork" if sys.platform.startswith("linux") else None
    context = multiprocessing.get_context(method)
    chunks = [sources[i : i + _CHUNK] for i in range(0, len(sources), _CHUNK)]
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(config,))
    texts = iter(text for _, text in sources)
    finished = False
    try:
        with paused_gc():
            # The parent's objects go to the permanent generation before the workers fork: a
            # worker's collections then never walk them (which would also copy their pages).
            gc.freeze()
            try:
                results = pool.map(_parse_chunk, chunks)  # submits every chunk: the workers fork now
            finally:
                gc.unfreeze()
            for blobs in results:
                for blob in blobs:
                    yield decoded(blob, next(texts)), blob
        finished = True
    finally:
        # Done: reap the idle workers. Given up (an error, or the caller stopped): do not wait
        # for chunks nobody will read.
        pool.shutdown(wait=finished, cancel_futures=not finished)


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while decoding many objects that all survive.

    Decoding parsed migrations allocates hundreds of thousands of small objects and frees none;
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


def _parse_chunk(chunk: Sequence[tuple[str, str]]) -> list[str]:
    config = _worker_config if _worker_config is not None else Config()
    return [encoded(parse_file(path, text, config)) for path, text in chunk]
