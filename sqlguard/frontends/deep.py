"""Parsing input nested deeper than Python's default stack allows, without crashing the process.

Deep input is legal and real: SQL built from hundreds of ``||`` or ``+`` terms, generated
``ARRAY[`` literals, nested sub-selects, long method chains. The parsers and the code that reads
their trees recurse once or more per level: libpg_query's JSON is decoded by ``json`` (recursive
C), pglast and libcst build and walk their trees in recursive Python, and libcst's native parser
recurses on the C stack. With Python's default recursion limit (1,000) a few hundred levels
raise ``RecursionError``; with a raised limit on the main thread's 8 MB stack, the native
parser would overflow the C stack and kill the process (exit 139, no report at all).

So a front end runs as usual first (nearly every file), and only when it hits the recursion
limit is it run again, here: in a thread with a ``STACK_BYTES`` stack (reserved, not committed:
untouched pages cost no memory) and a recursion limit of ``RECURSION_LIMIT``. Input deeper than
that still raises ``RecursionError``, which the caller turns into a note for that file
(``parse_file``). The recursion limit is interpreter-wide, so it is raised only while the
thread runs and one deep parse runs at a time (``_lock``); the calling thread waits for it.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import TypeVar

STACK_BYTES = 512 * 1024 * 1024
RECURSION_LIMIT = 100_000  # a few KB of C stack per level at most, within STACK_BYTES

_T = TypeVar("_T")
_lock = threading.Lock()


def hit_recursion_limit(error: BaseException) -> bool:
    """Whether ``error`` is a ``RecursionError`` or was raised while handling one (libcst's
    position bookkeeping turns one into a ``KeyError`` on the way out)."""
    seen: BaseException | None = error
    for _ in range(20):
        if seen is None:
            return False
        if isinstance(seen, RecursionError):
            return True
        seen = seen.__context__
    return False


def call_deep(function: Callable[..., _T], *args: object) -> _T:
    """``function(*args)`` on a thread with room for deep recursion; raises what it raised."""
    results: list[_T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(function(*args))
        except BaseException as error:  # handed to the calling thread, which raises it
            errors.append(error)

    with _lock:
        previous_limit = sys.getrecursionlimit()
        previous_stack = threading.stack_size()
        worker = threading.Thread(target=run, name="sqlguard-deep-parse", daemon=True)
        sys.setrecursionlimit(max(previous_limit, RECURSION_LIMIT))
        try:
            threading.stack_size(STACK_BYTES)  # read when the thread starts
            try:
                worker.start()
            finally:
                threading.stack_size(previous_stack)
            worker.join()
        except (RuntimeError, ValueError) as error:  # no thread with such a stack: as deep as it gets
            raise RecursionError("no room for a deeper stack") from error
        finally:
            sys.setrecursionlimit(previous_limit)
    if errors:
        raise errors[0]
    return results[0]
