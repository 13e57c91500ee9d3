"""Where the "ignore SGnnn on this line" quick fix puts its comment, for SQL and Python."""

from __future__ import annotations

from sqlguard.diagnostics import apply_edits
from sqlguard.lsp.ignore import ignore_edit
from sqlguard.suppress import find_suppressions


def _ignored(text: str, kind: str, line: int, rule: str = "SG004") -> str:
    edit = ignore_edit(text, kind, line, rule)
    assert edit is not None
    return apply_edits(text, [edit])


def test_sql_comment_goes_on_its_own_line_above_with_the_same_indent() -> None:
    text = "BEGIN;\n    CREATE INDEX i ON t (a);\n"
    assert (
        _ignored(text, "sql", 2) == "BEGIN;\n    -- sqlguard: ignore[SG004]\n    CREATE INDEX i ON t (a);\n"
    )


def test_python_comment_uses_hash() -> None:
    text = "def upgrade():\n    op.create_index('i', 't', ['a'])\n"
    expected = "def upgrade():\n    # sqlguard: ignore[SG004]\n    op.create_index('i', 't', ['a'])\n"
    assert _ignored(text, "python", 2) == expected


def test_an_existing_directive_above_is_extended() -> None:
    text = "-- sqlguard: ignore[SG001]\nCREATE INDEX i ON t (a);\n"
    assert _ignored(text, "sql", 2) == "-- sqlguard: ignore[SG001, SG004]\nCREATE INDEX i ON t (a);\n"


def test_inside_a_multiline_python_string_the_comment_goes_after_the_closing_line() -> None:
    text = 'op.execute("""\nCREATE INDEX i ON t (a)\n""")\n'
    # Line 2 starts inside the string: no comment can go above it or at its end.
    assert ignore_edit(text, "python", 2, "SG004") is None
    ignored = _ignored(text, "python", 1)
    assert ignored == '# sqlguard: ignore[SG004]\nop.execute("""\nCREATE INDEX i ON t (a)\n""")\n'


def test_inside_a_multiline_sql_string_the_comment_goes_at_the_end_of_the_line() -> None:
    text = "SELECT 'a\nb', 1; SELECT 2;\n"
    ignored = _ignored(text, "sql", 2, "SG999")
    assert ignored == "SELECT 'a\nb', 1; SELECT 2;  -- sqlguard: ignore[SG999]\n"
    assert find_suppressions(ignored, "sql", {}).covers(2, {"SG999"})


def test_python_backslash_continuation_is_never_broken() -> None:
    text = "x = 1 + \\\n    2\n"
    ignored = _ignored(text, "python", 2, "SG007")
    assert ignored == "x = 1 + \\\n    2  # sqlguard: ignore[SG007]\n"
