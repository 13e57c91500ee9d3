"""SG003's Python fix (``sa.DateTime()`` → ``sa.DateTime(timezone=True)``) is built from facts the
Alembic front end reads with libcst (the dotted callee, each argument's source), not from a regex."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import lint_snippet

REVISION = """import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None


def upgrade():
    op.add_column("events", sa.Column("at", {type}))
"""


def _fixed(tmp_path: Path, written: str) -> tuple[str, str | None]:
    code = REVISION.format(type=written)
    report = lint_snippet(tmp_path, code, filename="versions/0001_events.py", select=frozenset({"SG003"}))
    (diagnostic,) = report.diagnostics
    start = code.index(written)
    assert (diagnostic.span.start, diagnostic.span.end) == (start, start + len(written))
    if diagnostic.fix is None:
        return diagnostic.help or "", None
    (edit,) = diagnostic.fix.edits
    assert (edit.span.start, edit.span.end) == (start, start + len(written))
    return diagnostic.help or "", edit.text


@pytest.mark.parametrize(
    ("written", "replacement"),
    [
        ("sa.DateTime()", "sa.DateTime(timezone=True)"),
        ("sa.DateTime", "sa.DateTime(timezone=True)"),
        ("sa.DateTime(timezone=False)", "sa.DateTime(timezone=True)"),
        ("sa.DateTime( timezone = False )", "sa.DateTime(timezone=True)"),
        ("sa.DateTime(timezone=False, precision=3)", "sa.DateTime(precision=3, timezone=True)"),
        ("postgresql.TIMESTAMP( precision = 3 ,)", "postgresql.TIMESTAMP(precision = 3, timezone=True)"),
        ("sa.types.DateTime(\n        precision=3,\n    )", "sa.types.DateTime(precision=3, timezone=True)"),
        ("DateTime()", "DateTime(timezone=True)"),
        # arguments the old regex could not read (nested parentheses, commas in strings) are kept whole
        ('sa.DateTime(info=dict(a="x, y"))', 'sa.DateTime(info=dict(a="x, y"), timezone=True)'),
    ],
)
def test_python_fix_keeps_the_other_arguments(tmp_path: Path, written: str, replacement: str) -> None:
    _, text = _fixed(tmp_path, written)
    assert text == replacement


@pytest.mark.parametrize("written", ["sa.ARRAY(sa.DateTime)", "types()[0].DateTime()"])
def test_no_python_fix_when_the_type_is_not_a_plain_call(tmp_path: Path, written: str) -> None:
    """ARRAY's own call takes no timezone (the old regex wrote ``sa.ARRAY(sa.DateTime, timezone=True)``)."""
    help_text, text = _fixed(tmp_path, written)
    assert text is None
    assert help_text == "sa.DateTime(timezone=True)"
