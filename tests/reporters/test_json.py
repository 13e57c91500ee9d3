"""``--format json`` matches the JSON Schema shipped in the package, and its version is the format's."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

import sqlguard
from sqlguard.reporters import json as json_reporter
from tests.conftest import run_cli

SCHEMA = json.loads(json_reporter.SCHEMA_PATH.read_text(encoding="utf-8"))


def _validate(document: object) -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    jsonschema.Draft202012Validator(SCHEMA).validate(document)


def test_the_schema_ships_inside_the_package() -> None:
    assert json_reporter.SCHEMA_PATH.parent == Path(sqlguard.__file__).parent / "reporters"


@pytest.mark.parametrize(
    "args",
    [
        ("fixtures/sql-numbered", "fixtures/sql-dbmate", "fixtures/alembic-project"),
        ("fixtures/bad-input",),
    ],
    ids=["findings-and-fixes", "input-errors"],
)
def test_output_validates_against_the_shipped_schema(args: tuple[str, ...]) -> None:
    result = run_cli("lint", *args, "--format", "json")
    assert result.returncode in (1, 2), result.stderr
    document = json.loads(result.stdout)
    _validate(document)
    assert document["version"] == json_reporter.FORMAT_VERSION == 1
    assert document["sqlguard"] == sqlguard.__version__
    assert document["diagnostics"], "the fixtures have findings"


def test_a_clean_run_validates(tmp_path: Path) -> None:
    (tmp_path / "ok.sql").write_text("SELECT 1;\n")
    document = json.loads(run_cli("lint", str(tmp_path), "--format", "json").stdout)
    _validate(document)
    assert (document["files"], document["diagnostics"]) == (1, [])


def test_the_schema_rejects_what_it_promises_against() -> None:
    document = json.loads(run_cli("lint", "fixtures/sql-numbered", "--format", "json").stdout)
    document["diagnostics"][0]["start"]["line"] = 0  # positions are 1-based
    with pytest.raises(jsonschema.ValidationError):
        _validate(document)
