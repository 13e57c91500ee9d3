"""Alembic projects as users have them: settings classes that validate DATABASE_URL, env.py errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from psycopg.conninfo import conninfo_to_dict

from sqlguard.verify.command import verify
from sqlguard.verify.runners import sqlalchemy_url

from .helpers import fixture, run_cli


def test_url_has_a_host_and_the_socket_as_query() -> None:
    url = sqlalchemy_url("host='/tmp/sock dir' port=5433 user=postgres password=p@ss dbname=scratch")
    assert url == "postgresql+psycopg://postgres:p%40ss@localhost:5433/scratch?host=/tmp/sock+dir"
    tcp = sqlalchemy_url("host=db.internal port=5432 user=app dbname=scratch sslmode=require")
    assert tcp == "postgresql+psycopg://app@db.internal:5432/scratch?sslmode=require"


def test_url_is_accepted_by_pydantic_postgres_dsn(dsn: str) -> None:
    from pydantic import PostgresDsn, TypeAdapter

    parsed = TypeAdapter(PostgresDsn).validate_python(sqlalchemy_url(dsn))
    assert parsed.hosts()[0]["host"] == "localhost"
    assert conninfo_to_dict(dsn)["host"] in str(parsed)


def test_fastapi_project_verifies_as_it_is(dsn: str) -> None:
    """Settings read DATABASE_URL through pydantic; the last revision's downgrade raises."""
    result = run_cli(str(fixture("verify-alembic-fastapi")), "--dsn", dsn, "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [s["status"] for s in report["steps"]] == ["passed", "passed", "irreversible"]
    assert report["irreversible"] == [
        {"step": "g3_drop_legacy (drop item legacy data)", "reason": "deleted rows cannot be brought back"}
    ]


def test_fastapi_keep_going_rereads_settings_for_the_fresh_database(dsn: str, tmp_path: Path) -> None:
    """After a failure the chain goes on in a new database: the settings module, built once at
    import, must be imported again or env.py would still point at the first one."""
    project = tmp_path / "backend"
    shutil.copytree(fixture("verify-alembic-fastapi"), project)
    revision = project / "app" / "alembic" / "versions" / "e1_create_item.py"
    revision.write_text(revision.read_text().replace('    op.drop_table("item")', '    op.execute("SELECT 1")'))
    result = run_cli(str(project), "--dsn", dsn, "--format", "json", "--keep-going")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert [s["status"] for s in report["steps"]] == ["failed", "passed", "irreversible"]
    assert report["failures"][0]["summary"].startswith("table item still exists after downgrade of e1_create_item")


def test_env_py_import_error_is_a_setup_error_with_frames(dsn: str, tmp_path: Path) -> None:
    project = tmp_path / "backend"
    shutil.copytree(fixture("verify-alembic-fastapi"), project)
    env = project / "app" / "alembic" / "env.py"
    env.write_text(env.read_text().replace("from app.models import metadata", "from app.modles import metadata"))
    result = run_cli(str(project), "--dsn", dsn)
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert lines[0] == (
        "sqlguard verify: error: the Alembic environment failed before any migration ran: "
        "ModuleNotFoundError: No module named 'app.modles'"
    )
    assert lines[-2].endswith("app/alembic/env.py:9 in <module>")
    assert lines[-1].strip() == "from app.modles import metadata"
    assert "Traceback" not in result.stderr


def test_flask_migrate_project_verifies_with_app(dsn: str) -> None:
    """`flask db init` layout (no script_location), env.py on current_app, an app factory."""
    result = run_cli(str(fixture("verify-flask-migrate")), "--dsn", dsn, "--app", "shop:create_app")
    assert result.exit_code == 0, result.output
    assert "verified 2 migration(s)" in result.stdout


def test_flask_migrate_folder_with_flask_app_env(dsn: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from the project folder on its migrations folder, the app named by FLASK_APP."""
    monkeypatch.chdir(fixture("verify-flask-migrate"))
    result = CliRunner().invoke(
        verify, ["migrations", "--dsn", dsn], env={"FLASK_APP": "shop"}, catch_exceptions=False
    )
    assert result.exit_code == 0, result.output


def test_flask_migrate_keep_going_builds_the_app_for_each_database(dsn: str, tmp_path: Path) -> None:
    project = tmp_path / "shop-project"
    shutil.copytree(fixture("verify-flask-migrate"), project)
    first = project / "migrations" / "versions" / "1a2b3c4d5e6f_create_product.py"
    first.write_text(first.read_text().replace('    op.drop_table("product")', '    op.execute("SELECT 1")'))
    result = run_cli(str(project), "--dsn", dsn, "--app", "shop:create_app", "--keep-going", "--format", "json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert [s["status"] for s in report["steps"]] == ["failed", "passed"]


def test_flask_app_not_found_is_a_setup_error(dsn: str) -> None:
    result = run_cli(str(fixture("verify-flask-migrate")), "--dsn", dsn)
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "sqlguard verify: error: the Flask app could not be loaded (--app or FLASK_APP names it): NoAppException"
    )
