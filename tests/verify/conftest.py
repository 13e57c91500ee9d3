"""One real PostgreSQL for the whole verify test session.

Tests talk to it through `--dsn`, each run in its own scratch database, so most tests cost a
fraction of a second. Tests about server lifecycle (SIGKILL, auto backend) start their own.
With CI=true, a missing PostgreSQL fails the tests instead of skipping them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sqlguard.verify import backends

from .helpers import no_postgres


@pytest.fixture(scope="session")
def pg_server() -> Iterator[backends.Server]:
    if backends.find_local_bindirs():
        server = backends.start_local()
    elif backends.embedded_available():
        server = backends.start_embedded()
    else:
        no_postgres("no PostgreSQL backend available for the verify tests")
        raise AssertionError("unreachable")
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def dsn(pg_server: backends.Server) -> str:
    return pg_server.conninfo
