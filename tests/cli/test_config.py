"""Configuration from pyproject.toml / sqlguard.toml: honoured when right, a clear error when wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from sqlguard.config import ConfigError, find_config_file, load_config
from sqlguard.engine import known_rules, selectors
from tests.cli.test_exit_codes import run
from tests.conftest import FIXTURES

KNOWN = selectors(known_rules())


def test_pyproject_settings_apply() -> None:
    result = run("lint", ".", "--format", "concise", cwd=FIXTURES / "config-pyproject")
    # naive-timestamp ignored by name, SG004 ignored for legacy/*, SG002 lowered to info,
    # and fail-on = "error" so an info finding exits 0.
    assert result.stdout.startswith("0002_new.sql:1:83: SG002 ")
    assert "SG003" not in result.stdout and "SG004" not in result.stdout
    assert result.returncode == 0


def test_json_shows_the_configured_severity() -> None:
    result = run("lint", ".", "--format", "json", cwd=FIXTURES / "config-pyproject")
    assert '"severity": "info"' in result.stdout


def test_unknown_key_names_file_and_suggests() -> None:
    result = run("lint", ".", cwd=FIXTURES / "config-unknown-key")
    assert result.returncode == 2
    assert result.stderr.endswith("sqlguard.toml: unknown key 'selcet' (did you mean 'select'?)\n")
    assert len(result.stderr.splitlines()) == 1


def test_unknown_rule_id_in_config() -> None:
    result = run("lint", ".", cwd=FIXTURES / "config-unknown-rule")
    assert result.returncode == 2
    expected = "pyproject.toml [tool.sqlguard]: ignore: unknown rule 'SG999' (see `sqlguard rules`)\n"
    assert result.stderr.endswith(expected)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('target-version = "eleven"', "target-version must be a PostgreSQL major version"),
        ('fail-on = "fatal"', "severity must be error, warning or info"),
        ("select = 'SG004'", "'select' must be a list"),
        ("assume-in-transaction = 1", "'assume-in-transaction' must be true or false"),
        ('dialect = "oracle"', "dialect must be one of postgres, mysql, sqlite"),
        ("select = [", "invalid TOML"),
    ],
)
def test_bad_values_are_errors(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "sqlguard.toml"
    path.write_text(toml + "\n")
    with pytest.raises(ConfigError, match=message):
        load_config(path, KNOWN)


def test_nearest_config_wins_and_sqlguard_toml_beats_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.sqlguard]\nignore = ['SG004']\n")
    nested = tmp_path / "db" / "migrations"
    nested.mkdir(parents=True)
    assert find_config_file(nested) == (tmp_path / "pyproject.toml").resolve()
    (tmp_path / "db" / "sqlguard.toml").write_text("target-version = 11\n")
    assert find_config_file(nested) == (tmp_path / "db" / "sqlguard.toml").resolve()
    assert load_config(find_config_file(nested), KNOWN).target_version == 11


def test_pyproject_without_our_table_is_not_a_config(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert find_config_file(tmp_path) is None


def test_opt_in_category_can_be_selected(tmp_path: Path) -> None:
    path = tmp_path / "sqlguard.toml"
    path.write_text('select = ["locking"]\nextend-select = ["SG003"]\n')
    config = load_config(path, KNOWN)
    assert config.select == frozenset({"locking"}) and config.extend_select == frozenset({"SG003"})
