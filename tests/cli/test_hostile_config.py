"""Config, encoding and signal trouble: a one-line message and exit 2 (or 130/143 for signals),
never exit 3, and no pool worker outliving the run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sqlguard.config import ConfigError, find_config_file
from tests.conftest import REPO, run_cli

DEEP_TOML = "x = " + "[" * 5000 + "]" * 5000 + "\n"


@pytest.mark.parametrize(("config", "message"), [
    ('[per-file-ignores]\n"" = ["SG004"]\n', "per-file-ignores has an empty glob; name the files it is for"),
    ('per-file-ignores = { "a.sql" = [1] }\n', "per-file-ignores['a.sql'] must be a list of rule ids"),
    ("per-file-ignores = [1]\n", "'per-file-ignores' must be a table of glob = [rule ids]"),
    ("tool = 1\n", "'tool' must be a table"),
    (DEEP_TOML, "invalid TOML: nested too deeply"),
])
def test_bad_config_values_exit_2_with_one_line(tmp_path: Path, config: str, message: str) -> None:
    (tmp_path / "sqlguard.toml").write_text(config, encoding="utf-8")
    (tmp_path / "a.sql").write_text("SELECT 1;\n", encoding="utf-8")
    result = run_cli("lint", "--no-cache", "a.sql", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"sqlguard: error: {tmp_path / 'sqlguard.toml'}: {message}\n"


def test_deeply_nested_pyproject_above_is_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(DEEP_TOML, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.sql").write_text("SELECT 1;\n", encoding="utf-8")
    result = run_cli("lint", "--no-cache", "--format", "concise", "a.sql", cwd=tmp_path / "sub")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")  # not a sqlguard config


def test_unreadable_pyproject_above_is_a_config_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Root reads every file, so the permission error is raised where the file is read."""
    (tmp_path / "pyproject.toml").write_text("[tool.sqlguard]\n", encoding="utf-8")
    real = Path.read_bytes

    def refuse(path: Path) -> bytes:
        if path.name == "pyproject.toml":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(ConfigError) as raised:
        find_config_file(tmp_path)
    assert str(raised.value) == f"{tmp_path / 'pyproject.toml'}: cannot read (Permission denied)"


def test_stdin_that_is_not_utf8_is_an_input_error(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "sqlguard", "lint", "-"], input=b"SELECT '\xff';\n",
                            capture_output=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(REPO)},
                            timeout=60, check=False)
    assert (result.returncode, result.stdout) == (2, b"")
    assert result.stderr == b"sqlguard: error: stdin.sql (stdin): not UTF-8 text (invalid byte at offset 8)\n"


def test_stdin_byte_order_mark_is_left_out(tmp_path: Path) -> None:
    result = run_cli("lint", "--format", "concise", "-", stdin="\ufeffCREATE INDEX i ON t (a);\n", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == (
        'stdin.sql:1:1: SG004 CREATE INDEX on "t" blocks writes to it until the index is built'
    )


def test_lone_surrogate_in_a_python_string_is_linted(tmp_path: Path) -> None:
    """Python accepts ``"\\ud800"``; libpg_query takes UTF-8, which cannot hold it (was exit 3)."""
    (tmp_path / "a1.py").write_text(
        'from alembic import op\nrevision = "a1"\ndown_revision = None\n\n'
        'def upgrade():\n    op.execute("CREATE INDEX i ON t (a) -- \\ud800")\n\n'
        'def downgrade():\n    op.execute("DROP INDEX i")\n',
        encoding="utf-8",
    )
    result = run_cli("lint", "--no-cache", "--format", "concise", "--select", "SG004", "a1.py", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines()[0] == (
        'a1.py:6:17: SG004 CREATE INDEX on "t" blocks writes to it until the index is built'
    )


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text()
        found |= {int(child) for child in text.split()}
    return found


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")
@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_ends_the_pool_workers_and_exits_128_plus_it(tmp_path: Path, signum: int, code: int) -> None:
    statements = "".join(f"CREATE TABLE t{n} (id bigint PRIMARY KEY, v text);\n" for n in range(60))
    for n in range(3000):
        (tmp_path / f"{n:04}_m.sql").write_text(statements, encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "sqlguard", "lint", "--no-cache", "--jobs", "2", "--format", "concise", "."],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 60
        workers: set[int] = set()
        while len(workers) < 2 and time.monotonic() < deadline and process.poll() is None:
            workers = _children(process.pid)  # waits for the pool to start: no fixed delay
        assert len(workers) >= 2, "the pool never started"
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:  # a hang: do not leave it behind
            process.kill()
            process.communicate()
    assert (process.returncode, stderr.splitlines()[-1]) == (code, "sqlguard: interrupted")
    while any(_alive(worker) for worker in workers) and time.monotonic() < deadline:
        pass  # a terminated worker may take a moment to be reaped by init
    assert not any(_alive(worker) for worker in workers)
