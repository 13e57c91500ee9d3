"""SG007: SQL with only names pasted in (a table of a helper's argument) is a warning with the
identifier advice; a pasted value stays an injection error."""

from __future__ import annotations

from pathlib import Path

from sqlguard.config import Config
from sqlguard.diagnostics import Severity
from sqlguard.engine import Linter

CONFIG = Config(select=frozenset({"SG007"}))


def test_names_are_warnings_and_values_errors(tmp_path: Path) -> None:
    path = tmp_path / "helpers.py"
    path.write_text(
        "def count_rows(cursor, table, owner):\n"
        '    cursor.execute(f"SELECT count(*) FROM {table}")\n'
        "    cursor.execute(f\"SELECT count(*) FROM {table} WHERE owner = '{owner}'\")\n",
        encoding="utf-8",
    )
    report = Linter(CONFIG).lint_paths([str(path)]).reports[0]
    found = [(report.lines.position(d.span.start).line, d.severity) for d in report.diagnostics]
    assert found == [(2, Severity.WARNING), (3, Severity.ERROR)]
