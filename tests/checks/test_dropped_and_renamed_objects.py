"""SG037/SG038/SG056 across files and phases, and the facts the SQL front end now models for them
(pages lint one file at a time)."""

from __future__ import annotations

from pathlib import Path

from sqlguard.config import Config
from sqlguard.diagnostics import Severity, Span
from sqlguard.engine import Linter
from sqlguard.frontends import objects, sql
from sqlguard.model import RawStatement
from tests.conftest import concise, lint_snippet


def _lint_dir(tmp_path: Path, files: dict[str, str], **config: object) -> list[str]:
    for name, code in files.items():
        (tmp_path / name).write_text(code, encoding="utf-8")
    result = Linter(Config(**config)).lint_paths([str(tmp_path)])  # type: ignore[arg-type]
    return [f"{Path(r.path).name} {line}" for r in result.reports for line in concise(r).splitlines() if " SG" in line]


def test_a_view_made_by_an_earlier_migration_is_live(tmp_path: Path) -> None:
    out = _lint_dir(
        tmp_path,
        {
            "0001_create_view.sql": "CREATE VIEW active_customers AS SELECT 1 AS id;\n",
            "0002_drop_view.sql": "\n  DROP VIEW active_customers;\n",
        },
        select=frozenset({"SG037"}),
    )
    assert out == [
        '0002_drop_view.sql 2:3 SG037 dropping view "active_customers" breaks every running client that still'
        " queries it"
    ]


def test_dbmate_down_that_drops_what_up_made_is_silent_and_up_is_reported(tmp_path: Path) -> None:
    code = (
        "-- migrate:up\n"
        "DROP FUNCTION order_total(bigint);\n"
        "CREATE FUNCTION order_total_v2(bigint) RETURNS numeric LANGUAGE sql AS 'SELECT 0';\n"
        "-- migrate:down\n"
        "DROP FUNCTION order_total_v2(bigint);\n"
        "ALTER FUNCTION order_total_v2(bigint) RENAME TO order_total;\n"
    )
    report = lint_snippet(tmp_path, code, filename="20260101000000_totals.sql", select=frozenset({"SG037", "SG038"}))
    assert [line for line in concise(report).splitlines() if " SG" in line] == [
        '2:1 SG037 dropping function "order_total" breaks every running client that still calls it (function bodies'
        " that call it are not tracked, so they fail only when run)"
    ]


def test_drop_default_in_a_later_subcommand_points_at_it(tmp_path: Path) -> None:
    code = "ALTER TABLE orders ADD COLUMN note text,\n  ALTER COLUMN status DROP DEFAULT;\n"
    report = lint_snippet(tmp_path, code, select=frozenset({"SG037"}))
    assert concise(report).startswith('2:3 SG037 dropping the default of "orders"."status" ')


def test_a_new_column_default_can_be_dropped(tmp_path: Path) -> None:
    code = "ALTER TABLE orders ADD COLUMN note text DEFAULT '';\nALTER TABLE orders ALTER COLUMN note DROP DEFAULT;\n"
    assert concise(lint_snippet(tmp_path, code, select=frozenset({"SG037"}))) == ""


def test_alembic_server_default_none_is_a_drop_but_an_unread_default_is_not(tmp_path: Path) -> None:
    code = (
        "import sqlalchemy as sa\nfrom alembic import op\n\nrevision = 'a1'\ndown_revision = None\n\n\n"
        "def upgrade():\n"
        "    op.alter_column('orders', 'status', server_default=some_default())\n"
        "    op.alter_column('orders', 'kind', server_default=None)\n\n\n"
        "def downgrade():\n    pass\n"
    )
    report = lint_snippet(tmp_path, code, filename="a1_defaults.py", select=frozenset({"SG037"}))
    lines = [line for line in concise(report).splitlines() if " SG" in line]
    assert lines == [
        '10:39 SG037 dropping the default of "orders"."kind" makes every running client that omits kind in an INSERT'
        " write NULL, or fail if the column is NOT NULL"
    ]


def test_index_rename_is_info(tmp_path: Path) -> None:
    report = lint_snippet(
        tmp_path, "ALTER INDEX orders_idx RENAME TO orders_customer_idx;\n", select=frozenset({"SG038"})
    )
    assert [d.severity for d in report.diagnostics] == [Severity.INFO]


def test_lock_timeout_still_sees_the_alter_table_forms_now_modelled(tmp_path: Path) -> None:
    for statement in (
        "ALTER TABLE orders ALTER COLUMN id DROP IDENTITY;",
        "ALTER TABLE orders ALTER COLUMN total DROP EXPRESSION;",
        "ALTER TABLE orders DISABLE TRIGGER ALL;",
    ):
        report = lint_snippet(tmp_path, statement + "\n", select=frozenset({"SG050", "SG055"}))
        assert [d.rule for d in report.diagnostics] == ["SG050", "SG055"], statement


def test_squawk_timeout_settings_silences_both_timeout_rules(tmp_path: Path) -> None:
    code = "-- squawk-ignore-file require-timeout-settings\nALTER TABLE orders ADD COLUMN note text;\n"
    assert concise(lint_snippet(tmp_path, code, select=frozenset({"SG050", "SG055"}))) == ""


def test_objects_become_changes_not_raw_statements() -> None:
    text = (
        "DROP VIEW v, reporting.w;\n"
        "DROP TRIGGER t ON public.orders;\n"
        "ALTER TABLE orders RENAME CONSTRAINT a TO b;\n"
        "ALTER TYPE mood RENAME VALUE 'sad' TO 'blue';\n"
        "ALTER FUNCTION f(int) SET SCHEMA billing;\n"
        "ALTER TABLE orders ALTER c DROP IDENTITY IF EXISTS, DISABLE TRIGGER USER;\n"
        "CREATE SEQUENCE s;\n"
    )
    changes = sql.parse(text).changes
    facts = [
        (type(c).__name__, getattr(c, "object_type", None), getattr(c, "names", None) or getattr(c, "name", None))
        for c in changes
    ]
    assert facts == [
        ("DropObject", "view", ("v", "reporting.w")),
        ("DropObject", "trigger", ("t",)),
        ("RenameObject", "constraint", "a"),
        ("RenameObject", "enum value", "sad"),
        ("SetSchema", "function", "f"),
        ("ColumnGenerationChange", None, None),
        ("BehaviourChange", None, "USER"),
        ("CreateObject", "sequence", "s"),
    ]
    assert changes[1].table == "orders"  # type: ignore[attr-defined]


def test_create_function_is_read_the_same_from_json_and_from_a_tree() -> None:
    text = "CREATE OR REPLACE PROCEDURE app.p(a int) LANGUAGE sql AS $$ SELECT 1; $$;\nSELECT 1;\n"
    from_json = [c for c in sql.parse(text).changes if not isinstance(c, RawStatement)]
    trees = sql._statements_with_trees(text)
    assert trees[0].node is not None and not isinstance(trees[0].node, dict)
    from_tree = objects.create_object({"span": Span(0, 0), "statement_span": Span(0, 0)}, trees[0].node)
    assert [(c.object_type, c.name, c.or_replace) for c in from_json] == [("procedure", "app.p", True)]  # type: ignore[attr-defined]
    assert from_tree is not None
    assert (from_tree.object_type, from_tree.name, from_tree.or_replace) == ("procedure", "app.p", True)  # type: ignore[attr-defined]
