"""Each fixture scenario through the real command against real PostgreSQL (see conftest.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner

from sqlguard.verify.bench import bench_chain_seconds
from sqlguard.verify.command import verify

from .helpers import fixture, run_cli


def verify_json(name: str, dsn: str) -> tuple[int, dict[str, Any]]:
    result = run_cli(str(fixture(name)), "--dsn", dsn, "--format", "json")
    return result.exit_code, json.loads(result.stdout)


@pytest.mark.parametrize(
    "name", ["verify-good-updown", "verify-good-dir", "verify-good-dbmate", "verify-good-flyway"]
)
def test_good_chains_pass(name: str, dsn: str) -> None:
    code, report = verify_json(name, dsn)
    assert code == 0, report
    assert report["ok"] is True
    assert report["kind"] == "sql"
    assert report["steps"] and all(s["status"] == "passed" for s in report["steps"])


def test_good_updown_passes_in_text(dsn: str) -> None:
    result = run_cli(str(fixture("verify-good-updown")), "--dsn", dsn)
    assert result.exit_code == 0, result.output
    assert "backend: dsn (PostgreSQL" in result.stdout
    assert "✓ 4_tenant_isolation" in result.stdout
    assert "verified 4 migration(s)" in result.stdout


@pytest.mark.parametrize(
    ("name", "step", "message"),
    [
        (
            "verify-forgotten-index",
            "0002_add_orders",
            "index ix_users_email still exists after downgrade of 0002_add_orders",
        ),
        (
            "verify-forgotten-column",
            "0002_add_users_email",
            "column users.email still exists after downgrade of 0002_add_users_email",
        ),
        (
            "verify-forgotten-constraint",
            "0002_check_price_positive",
            "constraint price_positive on products still exists after downgrade of 0002_check_price_positive",
        ),
    ],
)
def test_forgotten_object_in_down_fails(name: str, step: str, message: str, dsn: str) -> None:
    code, report = verify_json(name, dsn)
    assert code == 1
    failure = report["failure"]
    assert (failure["step"], failure["phase"]) == (step, "down")
    assert failure["differences"] == [message]
    assert [s["status"] for s in report["steps"]] == ["passed", "failed"]


def test_forgotten_index_text_names_object_and_migration(dsn: str) -> None:
    result = run_cli(str(fixture("verify-forgotten-index")), "--dsn", dsn)
    assert result.exit_code == 1
    assert "FAILED index ix_users_email still exists after downgrade of 0002_add_orders" in result.stdout


def test_not_rerunnable_fails(dsn: str) -> None:
    code, report = verify_json("verify-not-rerunnable", dsn)
    assert code == 1
    failure = report["failure"]
    assert (failure["step"], failure["phase"]) == ("0002_add_feature_flags", "re-up")
    assert failure["error"]["sqlstate"] == "23505"
    assert failure["error"]["statement"].startswith("INSERT INTO settings")
    assert failure["error"]["line"] == 2


def test_sql_error_reports_statement(dsn: str) -> None:
    code, report = verify_json("verify-sql-error", dsn)
    assert code == 1
    failure = report["failure"]
    assert (failure["step"], failure["phase"]) == ("0002_add_users_age", "up")
    error = failure["error"]
    assert error["message"] == 'type "integr" does not exist'
    assert error["statement"] == "ALTER TABLE users ADD COLUMN age integr"
    assert error["file"].endswith("0002_add_users_age.up.sql")
    assert (error["line"], error["column"]) == (3, 34)  # points at "integr" in the file, comment included

    text = run_cli(str(fixture("verify-sql-error")), "--dsn", dsn).stdout
    assert 'upgrade of 0002_add_users_age failed: type "integr" does not exist' in text
    assert "0002_add_users_age.up.sql:3:34" in text
    assert "statement: ALTER TABLE users ADD COLUMN age integr" in text


def test_alembic_passes(dsn: str) -> None:
    code, report = verify_json("verify-alembic", dsn)
    assert code == 0, report
    assert report["kind"] == "alembic"
    assert [s["name"].split()[0] for s in report["steps"]] == [
        "a1_create_users",
        "b2_create_orders",
        "c3_add_users_status",
        "d4_add_orders_note",
    ]


def test_alembic_broken_downgrade_fails(dsn: str) -> None:
    code, report = verify_json("verify-alembic-broken-downgrade", dsn)
    assert code == 1
    failure = report["failure"]
    assert failure["step"].startswith("c3_add_users_status")
    assert failure["phase"] == "down"
    assert failure["differences"] == [
        "type user_status still exists after downgrade of c3_add_users_status (add users status)"
    ]


def test_fifty_step_chain_is_fast(dsn: str) -> None:
    """The issue's budget is 20 s for 50 steps including server start (~2 s here); this run reuses
    the session server, so it must stay well inside the remainder even on a busy machine."""
    seconds = bench_chain_seconds(50, dsn=dsn)
    assert seconds < 18, f"50 steps took {seconds:.1f}s"


def test_alembic_foreign_url_is_refused(dsn: str) -> None:
    """An env.py that connects elsewhere must not get to migrate that database."""
    from psycopg.conninfo import conninfo_to_dict

    from sqlguard.verify.runners import sqlalchemy_url

    elsewhere = sqlalchemy_url(dsn)  # the server's maintenance database, not the scratch one
    assert conninfo_to_dict(dsn)["dbname"] == "postgres"
    result = CliRunner().invoke(
        verify,
        [str(fixture("verify-alembic-foreign-url")), "--dsn", dsn],
        env={"APP_DATABASE_URL": elsewhere},
        catch_exceptions=False,
    )
    assert result.exit_code == 2
    assert "env.py connected to database 'postgres', not the scratch database" in result.stderr
    with psycopg.connect(dsn) as conn:
        row = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
    assert row == (0,)


def test_alembic_sql_error_points_at_revision(dsn: str) -> None:
    code, report = verify_json("verify-alembic-sql-error", dsn)
    assert code == 1
    failure = report["failure"]
    assert failure["step"].startswith("b2_add_users_age") and failure["phase"] == "up"
    error = failure["error"]
    assert error["message"] == 'type "integr" does not exist'
    assert error["statement"] == "ALTER TABLE users ADD COLUMN age integr"
    assert error["file"].endswith("b2_add_users_age.py") and error["line"] == 14


def test_alembic_renamed_version_table_is_not_a_difference(dsn: str, tmp_path: Path) -> None:
    """env.py may pass version_table=...; that table survives downgrade to base by design."""
    project = tmp_path / "project"
    shutil.copytree(fixture("verify-alembic"), project)
    env = project / "migrations" / "env.py"
    env.write_text(
        env.read_text().replace(
            "target_metadata=target_metadata)",
            'target_metadata=target_metadata, version_table="schema_versions")',
        )
    )
    assert "schema_versions" in env.read_text()
    result = run_cli(str(project), "--dsn", dsn)
    assert result.exit_code == 0, result.output
