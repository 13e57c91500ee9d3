"""``--fix`` writes atomically: a write that fails leaves the original bytes, the run says which
files were fixed and which were not, and exits 2, never 3. Links out of the tree are not
followed. Real failures are used: a file-size limit (RLIMIT_FSIZE) in a subprocess, a read-only
file, a symlink pointing outside."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.conftest import REPO

BAD = "CREATE INDEX a ON orders (x);\n" + "-- padding to make the file larger than the limit\n" * 40
FIXED = BAD.replace("CREATE INDEX a", "CREATE INDEX CONCURRENTLY a")
LEFT = 'SG004 CREATE INDEX on "orders" blocks writes to it until the index is built'


def run_fix(*paths: str, cwd: Path, size_limit: int | None = None) -> tuple[int, str, str]:
    import subprocess
    import sys

    def limit() -> None:
        if size_limit is not None:
            import resource

            resource.setrlimit(resource.RLIMIT_FSIZE, (size_limit, size_limit))

    result = subprocess.run(
        [sys.executable, "-m", "sqlguard", "lint", "--fix", "--no-cache", "--format", "concise", *paths],
        cwd=cwd, env={**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"},
        capture_output=True, text=True, timeout=120, check=False, preexec_fn=limit,
    )
    return result.returncode, result.stdout, result.stderr


def test_fix_writes_a_whole_file_and_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "1.sql"
    path.write_text(BAD, encoding="utf-8")
    os.chmod(path, 0o640)
    before = path.stat().st_ino
    assert run_fix("1.sql", cwd=tmp_path) == (0, "", "sqlguard: fixed 1 finding in 1 file (SG004)\n")
    assert path.read_text(encoding="utf-8") == FIXED
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert path.stat().st_ino != before  # a new file took the name: the old one was never truncated
    assert sorted(p.name for p in tmp_path.iterdir()) == ["1.sql"]  # no temporary file left


@pytest.mark.skipif(os.name != "posix", reason="needs RLIMIT_FSIZE")
def test_failed_write_leaves_the_original_bytes_and_exits_2(tmp_path: Path) -> None:
    """Under a file-size limit smaller than the fixed file, the old in-place write left the file
    cut at the limit. Now the temporary copy fails and the original stays as it was."""
    path = tmp_path / "1.sql"
    path.write_text(BAD, encoding="utf-8")
    original = path.read_bytes()
    code, stdout, stderr = run_fix("1.sql", cwd=tmp_path, size_limit=len(original) // 2)
    assert path.read_bytes() == original
    assert (code, stdout.splitlines()[0]) == (2, f"1.sql:1:1: {LEFT}")
    assert stderr == (
        "sqlguard: no safe fixes available\n"
        "sqlguard: error: 1.sql: fixes not written, the file is unchanged: cannot write it: File too large\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["1.sql"]


def test_read_only_file_is_reported_and_the_others_are_fixed(tmp_path: Path) -> None:
    for name in ("1.sql", "2.sql", "3.sql"):
        (tmp_path / name).write_text(BAD, encoding="utf-8")
    os.chmod(tmp_path / "2.sql", 0o444)
    code, stdout, stderr = run_fix(".", cwd=tmp_path)
    assert (tmp_path / "1.sql").read_text(encoding="utf-8") == FIXED
    assert (tmp_path / "2.sql").read_text(encoding="utf-8") == BAD
    assert (tmp_path / "3.sql").read_text(encoding="utf-8") == FIXED
    assert (code, stdout.splitlines()) == (2, [f"2.sql:1:1: {LEFT}", "  help: " + FIXED.splitlines()[0]])
    assert stderr == (
        "sqlguard: fixed 2 findings in 2 files (SG004)\n"
        "sqlguard: error: 2.sql: fixes not written, the file is unchanged: the file is read-only\n"
    )


def test_symlink_out_of_the_tree_is_not_written_through(tmp_path: Path) -> None:
    outside = tmp_path / "outside.sql"
    outside.write_text(BAD, encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    (project / "linked.sql").symlink_to(outside)
    (project / "inside.sql").write_text(BAD, encoding="utf-8")
    (project / "sub").mkdir()
    (project / "sub" / "alias.sql").symlink_to(project / "inside.sql")
    code, _, stderr = run_fix("linked.sql", "sub/alias.sql", cwd=project)
    assert outside.read_text(encoding="utf-8") == BAD
    assert (project / "inside.sql").read_text(encoding="utf-8") == FIXED  # a link inside is followed
    assert (project / "sub" / "alias.sql").is_symlink() and (project / "linked.sql").is_symlink()
    assert code == 2
    assert stderr.splitlines()[1] == (
        f"sqlguard: error: linked.sql: fixes not written, the file is unchanged: a symbolic link to {outside}, "
        f"outside {project}"
    )
