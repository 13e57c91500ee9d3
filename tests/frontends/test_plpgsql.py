"""SQL inside PL/pgSQL: DO blocks and called function bodies, placed at the statement in the body."""

from __future__ import annotations

from pathlib import Path

from sqlguard.frontends import sql
from sqlguard.frontends.plpgsql import literal_value, quote_ident
from sqlguard.model import AddConstraint, CreateIndex, CreateObject, DropIndex, FunctionBody, FunctionCall, RawStatement
from tests.conftest import lint_snippet


def ids_at(tmp_path: Path, code: str, filename: str = "migration.sql") -> list[tuple[int, int, str]]:
    report = lint_snippet(tmp_path, code, filename=filename)
    found = []
    for d in report.diagnostics:
        position = report.lines.position(d.span.start)
        found.append((position.line, position.column, d.rule))
    return found


GUARDED_FK = """\
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'fk') THEN
    ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (c) REFERENCES customers (id);
  END IF;
END $$;
"""


def test_guarded_foreign_key_in_do_block_is_reported_at_its_line_and_column(tmp_path: Path) -> None:
    assert (4, 28, "SG014") in ids_at(tmp_path, GUARDED_FK)


def test_do_block_changes_keep_their_statement_and_the_do_itself_stays(tmp_path: Path) -> None:
    changes = sql.parse(GUARDED_FK).changes
    assert isinstance(changes[0], RawStatement) and changes[0].kind == "DoStmt"
    constraint = next(c for c in changes if isinstance(c, AddConstraint))
    assert constraint.block == "do"
    assert constraint.statement.startswith("ALTER TABLE orders ADD CONSTRAINT fk")
    assert GUARDED_FK[constraint.statement_span.start :].startswith("ALTER TABLE orders")


def test_branches_loops_handlers_and_nested_blocks(tmp_path: Path) -> None:
    code = """\
DO $body$
DECLARE i int;
BEGIN
  IF false THEN NULL;
  ELSIF true THEN CREATE INDEX a_idx ON orders (a);
  ELSE DROP INDEX b_idx;
  END IF;
  FOR i IN 1..2 LOOP
    BEGIN
      CREATE INDEX c_idx ON orders (c);
    EXCEPTION WHEN others THEN
      ALTER TABLE orders ADD CONSTRAINT u UNIQUE (d);
    END;
  END LOOP;
END $body$;
"""
    assert ids_at(tmp_path, code) == [(5, 19, "SG004"), (6, 8, "SG004"), (10, 7, "SG004"), (12, 30, "SG016")]


def test_execute_of_literals_and_format_is_read_dynamic_sql_is_skipped(tmp_path: Path) -> None:
    code = """\
DO $$
DECLARE t text := 'orders';
BEGIN
  EXECUTE 'CREATE INDEX x_idx ON orders (x)';
  EXECUTE format('CREATE INDEX %I ON %I (y)', 'y_idx', 'orders');
  EXECUTE 'CREATE INDEX z_idx ON ' || t || ' (z)';
  EXECUTE format('CREATE INDEX w_idx ON %I (w)', t);
  EXECUTE 'CREATE INDEX v_idx ON orders (v) WHERE v > $1' USING 1;
  EXECUTE 'DROP INDEX "it''s_idx"';
END $$;
"""
    assert ids_at(tmp_path, code) == [(4, 12, "SG004"), (5, 19, "SG004"), (9, 12, "SG004")]
    drop = next(c for c in sql.parse(code).changes if isinstance(c, DropIndex))
    assert drop.names == ("it's_idx",)


def test_format_substitutes_quoted_identifiers() -> None:
    changes = sql.parse("DO $$ BEGIN EXECUTE format('CREATE INDEX %I ON %I (a)', 'Big', 'order'); END $$;").changes
    index = next(c for c in changes if isinstance(c, CreateIndex))
    assert (index.name, index.table) == ("Big", "order")
    assert quote_ident("order") == '"order"' and quote_ident("plain_1") == "plain_1"


def test_concurrently_inside_a_do_block_is_refused_outside_any_transaction(tmp_path: Path) -> None:
    code = "DO $$ BEGIN CREATE INDEX CONCURRENTLY a_idx ON orders (a); END $$;\n"
    assert ids_at(tmp_path, code) == [(1, 13, "SG005")]


def test_no_fix_is_offered_inside_a_block(tmp_path: Path) -> None:
    report = lint_snippet(tmp_path, "DO $$ BEGIN CREATE INDEX a_idx ON orders (a); END $$;\n")
    assert [d.rule for d in report.diagnostics] == ["SG004"]
    assert report.diagnostics[0].fix is None


def test_other_languages_are_not_read_as_plpgsql(tmp_path: Path) -> None:
    code = "DO LANGUAGE plperl $$ CREATE INDEX a_idx ON orders (a); $$;\n"
    assert ids_at(tmp_path, code) == []


def test_function_body_is_checked_only_where_the_migration_calls_it(tmp_path: Path) -> None:
    definition = """\
CREATE PROCEDURE drop_old() LANGUAGE plpgsql AS $$
BEGIN
  DROP INDEX old_idx;
END $$;
"""
    assert ids_at(tmp_path, definition) == []
    assert ids_at(tmp_path, definition + "CALL drop_old();\n") == [(3, 3, "SG004")]
    called_from_do = definition.replace("PROCEDURE drop_old()", "FUNCTION drop_old() RETURNS void")
    called_from_do += "DO $$ BEGIN PERFORM drop_old(); END $$;\n"
    assert ids_at(tmp_path, called_from_do) == [(3, 3, "SG004")]
    # A body never named again in the file is not even read (its parse costs, nothing runs it).
    assert [type(c) for c in sql.parse(definition).changes] == [CreateObject]
    changes = sql.parse(definition + "CALL drop_old();\n").changes
    assert [type(c) for c in changes] == [CreateObject, FunctionBody, RawStatement, FunctionCall]


def test_do_block_inside_op_execute_with_escapes_is_placed_in_the_python_file(tmp_path: Path) -> None:
    code = '''\
from alembic import op

revision = "a1"
down_revision = None


def upgrade():
    op.execute("DO $$ BEGIN\\n  IF true THEN\\n    DROP INDEX \\"Old\\";\\n  END IF;\\nEND $$;")
    op.execute("""
        CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $fn$
        BEGIN
            ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (c) REFERENCES customers (id);
        END $fn$;
    """)
    op.execute("SELECT f()")


def downgrade():
    op.execute("SELECT 1")
'''
    found = ids_at(tmp_path, code, filename="versions/a1_x.py")
    # DROP INDEX "Old" starts after the 3rd \\n escape; the FK is at its place in the body.
    line8 = code.splitlines()[7]
    assert (8, line8.index("DROP INDEX") + 1, "SG004") in found
    assert (12, 36, "SG014") in found


def test_literal_value_reads_quotes_and_dollar_quotes() -> None:
    assert literal_value("'it''s'") == ("it's", [1, 2, 3, 5, 6])
    assert literal_value("$a$x$a$") == ("x", [3, 4])
    assert literal_value("E'x\\n'") is None


def test_a_directive_inside_the_block_silences_the_statement_under_it(tmp_path: Path) -> None:
    silenced = GUARDED_FK.replace("    ALTER TABLE", "    -- sqlguard: ignore[SG014]\n    ALTER TABLE")
    found = ids_at(tmp_path, silenced)
    assert (5, 28, "SG002") in found and not any(rule == "SG014" for _, _, rule in found)
    python = (
        'from alembic import op\n\nrevision = "a1"\ndown_revision = None\n\n\ndef upgrade():\n'
        f'    op.execute("""{silenced}""")\n\n\ndef downgrade():\n    op.execute("SELECT 1")\n'
    )
    assert not any(rule == "SG014" for _, _, rule in ids_at(tmp_path, python, filename="versions/a1.py"))


def test_single_quoted_body_and_language_after_the_body(tmp_path: Path) -> None:
    code = (
        "DO 'BEGIN\n"
        "  EXECUTE ''CREATE INDEX a_idx ON orders (a)'';\n"
        "  DROP INDEX \"it''s\";\n"
        "END';\n"
        "CREATE OR REPLACE FUNCTION g() RETURNS void AS $$\n"
        "BEGIN\n"
        "  CREATE INDEX b_idx ON orders (b);\n"
        "END;\n"
        "$$ LANGUAGE plpgsql;\n"
        "SELECT g();\n"
    )
    # A literal inside a quoted body is quoted twice; each statement still lands where written.
    assert ids_at(tmp_path, code) == [(2, 13, "SG004"), (3, 3, "SG004"), (7, 3, "SG004")]
