"""The pre-commit hook, run for real: ``pre-commit try-repo <this checkout> sqlguard`` on a temp repo.

pre-commit builds the hook's own virtualenv from this repository (committed HEAD, or a shadow
commit of the working tree) and installs the dependencies from PyPI, so the first run takes a
while; the environment lives in a session-wide PRE_COMMIT_HOME and is reused by every test here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")


@pytest.fixture(scope="session")
def pre_commit_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("pre-commit-home")
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    env.pop("PYTHONPATH", None)  # the hook must run from its own install, not from this checkout
    return env


def _project(tmp_path: Path, files: dict[str, str], env: dict[str, str]) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    subprocess.run(["git", "init", "-q", str(project)], check=True, env=env)
    for name, text in files.items():
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    subprocess.run(["git", "add", "-A"], cwd=project, check=True, env=env)
    return project


def _try_repo(project: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "sqlguard", "--all-files"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_hook_fails_on_a_blocking_index_with_the_sg004_finding(
    tmp_path: Path, pre_commit_env: dict[str, str]
) -> None:
    files = {
        "migrations/002_index.sql": "SELECT 1;\nCREATE INDEX idx_a ON orders (a);\n",
        "README.txt": "x\n",
    }
    result = _try_repo(_project(tmp_path, files, pre_commit_env), pre_commit_env)
    assert result.returncode == 1, result.stdout + result.stderr
    expected = (
        "migrations/002_index.sql:2:1: SG004 "
        'CREATE INDEX on "orders" blocks writes to it until the index is built'
    )
    assert expected in result.stdout
    assert "README.txt" not in result.stdout  # the hook only receives SQL and Python files


def test_hook_passes_on_a_safe_migration(tmp_path: Path, pre_commit_env: dict[str, str]) -> None:
    files = {"migrations/002_index.sql": "CREATE INDEX CONCURRENTLY idx_a ON orders (a);\n"}
    result = _try_repo(_project(tmp_path, files, pre_commit_env), pre_commit_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout


def test_a_staged_migration_is_checked_in_its_chain_and_only_it_is_reported(
    tmp_path: Path, pre_commit_env: dict[str, str]
) -> None:
    # 001 is committed (with a finding of its own); only 002 is staged. The hook receives 002
    # alone, sees the index 001 made (no SG002) and says nothing about 001.
    earlier = {
        "migrations/001_create/up.sql": "CREATE TABLE c (id bigint PRIMARY KEY, p_id bigint);\n"
        "CREATE INDEX c_p_idx ON c (p_id);\nCREATE INDEX c_id_idx ON orders (id);\n",
        "migrations/001_create/down.sql": "DROP TABLE c;\n",
    }
    project = _project(tmp_path, earlier, pre_commit_env)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "001"],
                   cwd=project, check=True, env=pre_commit_env)
    staged = project / "migrations" / "002_fk" / "up.sql"
    staged.parent.mkdir(parents=True)
    staged.write_text("ALTER TABLE c ADD CONSTRAINT c_p_fk FOREIGN KEY (p_id) REFERENCES p (id) NOT VALID;\n")
    (staged.parent / "down.sql").write_text("ALTER TABLE c DROP CONSTRAINT c_p_fk;\n")
    subprocess.run(["git", "add", "-A"], cwd=project, check=True, env=pre_commit_env)
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "sqlguard"],
        cwd=project, env=pre_commit_env, capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "001_create" not in result.stdout
    # The same file with --no-context would have been blocked: the hook's pass is the chain's doing.
    alone = subprocess.run(
        [sys.executable, "-m", "sqlguard", "lint", "--no-cache", "--no-context", "migrations/002_fk/up.sql"],
        cwd=project, env={**pre_commit_env, "PYTHONPATH": str(REPO)}, capture_output=True, text=True,
    )
    assert alone.returncode == 1 and "SG002" in alone.stdout
