"""User mistakes exit 2 with one line and no traceback; the real module entry point works."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sqlguard.verify import backends

from .helpers import fixture, no_postgres, run_cli, run_module


def assert_one_line_error(result_stderr: str, expected: str) -> None:
    lines = [line for line in result_stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result_stderr
    assert lines[0].startswith("sqlguard verify: error: ")
    assert expected in lines[0]
    assert "Traceback" not in result_stderr


def test_bad_dsn_exits_2() -> None:
    proc = run_module(str(fixture("verify-good-dir")), "--dsn", "postgresql://nobody@127.0.0.1:1/nothing")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert_one_line_error(proc.stderr, "cannot connect to --dsn server")


@pytest.mark.parametrize("bad", ["not a dsn", "postgresql://x:y@host:notaport/db", "foo=bar"])
def test_malformed_dsn_exits_2(bad: str) -> None:
    result = run_cli(str(fixture("verify-good-dir")), "--dsn", bad)
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "--dsn")


def test_no_migrations_exits_2(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("no SQL here")
    result = run_cli(str(tmp_path))
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "no migrations found")


def test_missing_path_exits_2(tmp_path: Path) -> None:
    result = run_cli(str(tmp_path / "nope"))
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "path does not exist")


def test_backend_dsn_without_dsn_exits_2() -> None:
    result = run_cli(str(fixture("verify-good-dir")), "--backend", "dsn")
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "--backend dsn needs --dsn")


def test_usage_error_in_json_mode_still_reports_json(tmp_path: Path) -> None:
    result = run_cli(str(tmp_path), "--format", "json")
    assert result.exit_code == 2
    assert json.loads(result.stdout) == {"ok": False, "error": f"no migrations found in {tmp_path}"}


def test_module_auto_backend_verifies_and_names_backend() -> None:
    """A real `python -m sqlguard.verify` run that starts (and removes) its own server."""
    if not (backends.find_local_bindirs() or backends.embedded_available()):
        no_postgres("no PostgreSQL backend for the auto-backend run")
    proc = run_module(str(fixture("verify-good-updown")))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    first = proc.stdout.splitlines()[0]
    assert first.startswith(("backend: local (PostgreSQL ", "backend: embedded (PostgreSQL ")), first
    assert "verified 4 migration(s)" in proc.stdout


def test_unavailable_backend_exits_2() -> None:
    """No Docker engine answers on this machine: asking for it is a one-line environment error."""
    if backends.docker_available():
        pytest.skip("a Docker engine answers here")
    result = run_cli(str(fixture("verify-good-dir")), "--backend", "docker")
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "no Docker engine answers")


def test_role_without_createdb_exits_2(dsn: str) -> None:
    import psycopg
    from psycopg.conninfo import make_conninfo

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS sqlguard_test_weak")
        conn.execute("CREATE ROLE sqlguard_test_weak LOGIN NOCREATEDB")
    try:
        result = run_cli(
            str(fixture("verify-good-dir")), "--dsn", make_conninfo(dsn, user="sqlguard_test_weak")
        )
        assert result.exit_code == 2
        assert_one_line_error(
            result.stderr, "cannot create a scratch database on the server: permission denied"
        )
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("DROP ROLE sqlguard_test_weak")
