"""``--changed-since REF`` over a real git repository, the GitHub summary line and job summary."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_cli

OLD_INDEX = "CREATE INDEX t_a_idx ON t (a);\n"
NEW_INDEX = "CREATE INDEX t_b_idx ON t (b);\n"
TABLE = "CREATE TABLE t (id bigint PRIMARY KEY, a int, b int, c bigint);\nCREATE INDEX t_c_idx ON t (c);\n"
GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_SYSTEM": os.devnull,
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
}
NO_GITHUB = {"GITHUB_STEP_SUMMARY": "", "GITHUB_SERVER_URL": "", "GITHUB_REPOSITORY": "", "GITHUB_SHA": ""}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=repo, env={**os.environ, **GIT_ENV}, capture_output=True, text=True, check=True
    )
    return done.stdout


def commit(repo: Path, files: dict[str, str], message: str) -> None:
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """main: a table and an old migration with a finding; branch feature: one new migration."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    commit(repo, {"db/0001_table.sql": TABLE, "db/0002_old_index.sql": OLD_INDEX}, "base")
    git(repo, "checkout", "-q", "-b", "feature")
    commit(repo, {"db/0003_new_index.sql": NEW_INDEX}, "new index")
    return repo


def lint(repo: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_cli("lint", "db", "--select", "SG004", *args, cwd=repo, env={**NO_GITHUB, **(env or {})})


def test_only_findings_in_changed_files_are_reported(repo: Path) -> None:
    result = lint(repo, "--format", "github", "--changed-since", "main")
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        "::error file=db/0003_new_index.sql,line=1,col=1,endColumn=30,title=SG004 non-concurrent-index::"
        'CREATE INDEX on "t" blocks writes to it until the index is built%0A'
        "help: CREATE INDEX CONCURRENTLY t_b_idx ON t (b);",
        "sqlguard: 1 error in 1 of 1 file; only files changed since main are reported "
        "(1 finding in unchanged files not shown)",
    ]


def test_without_changed_since_every_file_is_reported_with_a_summary_line(repo: Path) -> None:
    result = lint(repo, "--format", "github")
    assert [line.split(",")[0] for line in result.stdout.splitlines()[:-1]] == [
        "::error file=db/0002_old_index.sql",
        "::error file=db/0003_new_index.sql",
    ]
    assert result.stdout.splitlines()[-1] == "sqlguard: 2 errors in 2 of 3 files"


def test_findings_only_in_unchanged_files_exit_0(repo: Path) -> None:
    commit(repo, {"db/0003_new_index.sql": "CREATE INDEX CONCURRENTLY t_b_idx ON t (b);\n"}, "fixed")
    result = lint(repo, "--format", "github", "--changed-since", "main")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == (
        "sqlguard: no findings in 1 file; only files changed since main are reported "
        "(1 finding in unchanged files not shown)\n"
    )


def test_commits_on_the_base_after_the_branch_started_are_not_the_branchs(repo: Path) -> None:
    git(repo, "checkout", "-q", "main")
    commit(repo, {"db/0004_main_only.sql": "CREATE INDEX t_ab_idx ON t (a, b);\n"}, "on main")
    git(repo, "checkout", "-q", "feature")
    git(repo, "merge", "-q", "--no-edit", "main")  # the branch now contains main's new file
    document = json.loads(lint(repo, "--format", "json", "--changed-since", "main").stdout)
    assert [d["path"] for d in document["diagnostics"]] == ["db/0003_new_index.sql"]


def test_uncommitted_and_untracked_files_count_as_changed(repo: Path) -> None:
    (repo / "db" / "0002_old_index.sql").write_text(OLD_INDEX + "-- edited, not committed\n")
    (repo / "db" / "0005_untracked.sql").write_text("CREATE INDEX t_ba_idx ON t (b, a);\n")
    (repo / ".gitignore").write_text("ignored.sql\n")
    (repo / "db" / "ignored.sql").write_text("CREATE INDEX t_x_idx ON t (a);\n")
    document = json.loads(lint(repo, "--format", "json", "--changed-since", "main").stdout)
    assert [d["path"] for d in document["diagnostics"]] == [
        "db/0002_old_index.sql",
        "db/0003_new_index.sql",
        "db/0005_untracked.sql",
    ]


def test_earlier_migrations_still_feed_the_schema_state(repo: Path) -> None:
    # The FK's index is built in 0001, which is unchanged: no SG002 in the new file.
    commit(repo, {"db/0006_fk.sql": "ALTER TABLE t ADD FOREIGN KEY (c) REFERENCES t (id) NOT VALID;\n"}, "fk")
    result = run_cli("lint", "db", "--select", "SG002", "--changed-since", "main", "--format", "concise",
                     cwd=repo, env=NO_GITHUB)
    assert (result.returncode, result.stdout) == (0, ""), result.stderr


def test_paths_are_matched_from_a_subfolder_and_as_absolute_paths(repo: Path) -> None:
    result = run_cli("lint", str(repo / "db"), "--select", "SG004", "--format", "concise",
                     "--changed-since", "main", cwd=repo / "db", env=NO_GITHUB)
    assert result.stdout.splitlines()[0].startswith(f"{repo / 'db' / '0003_new_index.sql'}:1:1: SG004")
    assert "0002_old_index" not in result.stdout


def test_unknown_ref_exits_2_with_one_line(repo: Path) -> None:
    result = lint(repo, "--changed-since", "origin/nope")
    assert result.returncode == 2
    assert result.stderr == (
        "sqlguard: error: --changed-since origin/nope: unknown revision 'origin/nope' "
        "(in CI, fetch it: actions/checkout with fetch-depth: 0)\n"
    )


def test_outside_a_repository_exits_2(tmp_path: Path) -> None:
    (tmp_path / "a.sql").write_text(NEW_INDEX)
    result = run_cli("lint", "a.sql", "--changed-since", "main", cwd=tmp_path,
                     env={**NO_GITHUB, "GIT_CEILING_DIRECTORIES": str(tmp_path.parent)})
    assert result.returncode == 2
    assert result.stderr.startswith("sqlguard: error: --changed-since main: not a git repository")
    assert len(result.stderr.splitlines()) == 1


def test_changed_since_with_fix_is_a_usage_error(repo: Path) -> None:
    result = lint(repo, "--fix", "--changed-since", "main")
    assert result.returncode == 2
    assert "--changed-since narrows what is reported" in result.stderr


def test_job_summary_is_appended_to_github_step_summary(repo: Path) -> None:
    summary = repo.parent / "summary.md"
    summary.write_text("earlier step\n")
    env = {
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "acme/shop",
        "GITHUB_SHA": "0123abc",
    }
    result = lint(repo, "--format", "github", "--changed-since", "main", env=env)
    assert result.returncode == 1
    assert summary.read_text() == (
        "earlier step\n"
        "## sqlguard\n"
        "\n"
        "1 error in 1 of 1 file; only files changed since main are reported (1 finding in unchanged files not shown).\n"
        "\n"
        "| level | where | rule | finding |\n"
        "|---|---|---|---|\n"
        "| error | [db/0003_new_index.sql:1:1](https://github.com/acme/shop/blob/0123abc/db/0003_new_index.sql#L1) "
        '| SG004 non-concurrent-index | CREATE INDEX on "t" blocks writes to it until the index is built |\n'
        "\n"
    )


def test_job_summary_escapes_table_cells_and_skips_links_outside_actions(tmp_path: Path) -> None:
    from sqlguard.diagnostics import Diagnostic, FileReport, Span
    from sqlguard.reporters import github

    finding = Diagnostic("SG004", Span(0, 1), "a | b\nc <d>", name="n")
    markdown = github.job_summary([FileReport("x|y.sql", "x\n", [finding])], None, environ={})
    assert "| error | x\\|y.sql:1:1 | SG004 n | a \\| b c &lt;d> |" in markdown.splitlines()


def test_an_unwritable_job_summary_is_a_warning_not_a_failure(repo: Path) -> None:
    result = lint(repo, "--format", "github", env={"GITHUB_STEP_SUMMARY": str(repo / "missing" / "summary.md")})
    assert result.returncode == 1
    assert result.stderr == (
        f"sqlguard: warning: cannot write the job summary to {repo / 'missing' / 'summary.md'}: "
        "No such file or directory\n"
    )
