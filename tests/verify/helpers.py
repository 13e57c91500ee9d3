"""Helpers shared by the verify tests: where fixtures are, and how to run the command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from sqlguard.verify.command import verify

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def no_postgres(reason: str) -> None:
    """Skip, except under CI=true where a missing PostgreSQL must fail loudly."""
    if in_ci():
        pytest.fail(f"CI=true and {reason}")
    pytest.skip(reason)


def fixture(name: str) -> Path:
    path = FIXTURES / name
    assert path.is_dir(), path
    return path


def run_cli(*args: str) -> Result:
    """The command in-process, as `sqlguard verify ...` would run it."""
    return CliRunner().invoke(verify, list(args), catch_exceptions=False)


def subprocess_env(**extra: str) -> dict[str, str]:
    env = {**os.environ, **extra}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.pop("SQLGUARD_VERIFY_DSN", None)
    return env


def module_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "sqlguard.verify", *args]


def run_module(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """`python -m sqlguard.verify ...` in a real subprocess."""
    env = subprocess_env(**kwargs.pop("env", {}))
    return subprocess.run(
        module_argv(*args), capture_output=True, text=True, env=env, cwd=REPO, timeout=120, **kwargs
    )
