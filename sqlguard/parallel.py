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

import contextlib
import gc
import os
import signal
import sys
import threading
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
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(config, os.getpid()))
    texts = iter(text for _, text in sources)
    finished = False
    try:
        with paused_gc():
            # The parent's objects go to the permanent generation before the workers fork: a
            # worker's collections then never walk them (which would also copy their pages).
            gc.freeze()
            try:
                with _signals_held():
                    results = pool.map(_parse_chunk, chunks)  # submits every chunk: the workers fork now
            finally:
                gc.unfreeze()
            for blobs in results:
                for blob in blobs:
                    yield decoded(blob, next(texts)), blob
        finished = True
    finally:
        # Done: reap the idle workers. Given up (an error, or the caller stopped): do not wait
        # for chunks nobody will read. (Terminating the workers here could kill one holding the
        # pool's queue lock and hang the interpreter's exit; on Ctrl-C or SIGTERM the CLI exits
        # at once instead, and each worker gets SIGTERM when its parent dies, see _init_worker.)
        pool.shutdown(wait=finished, cancel_futures=not finished)


@contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait while the workers fork: a Python signal handler that runs inside
    fork's after-fork hooks has its exception swallowed ("Exception ignored in _releaseLock"), so
    a Ctrl-C then would be lost and the run would go on. Delivered when this block ends."""
    held = {signal.SIGINT, signal.SIGTERM}
    blocking = hasattr(signal, "pthread_sigmask") and threading.current_thread() is threading.main_thread()
    if blocking:
        signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        if blocking:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, held)


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


def _init_worker(config: Config, parent: int) -> None:
    """Keep the config; leave Ctrl-C to the parent (which ends the pool), and on Linux ask to be
    sent SIGTERM when the parent dies, however it dies (even SIGKILL), so no worker outlives it."""
    global _worker_config
    _worker_config = config
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's handler: just end
    if hasattr(signal, "pthread_sigmask"):  # forked while the parent held them (_signals_held)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            import ctypes

            pr_set_pdeathsig = 1
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
            if os.getppid() != parent:  # the parent died before the call: nobody will send it
                os._exit(1)


def _parse_chunk(chunk: Sequence[tuple[str, str]]) -> list[str]:
    config = _worker_config if _worker_config is not None else Config()
    return [encoded(parse_file(path, text, config)) for path, text in chunk]
