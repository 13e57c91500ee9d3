"""SG002 counts the indexes PostgreSQL's foreign key check can use: a prefix of a composite key,
and a partial index whose WHERE only asks key columns to be non-null (measured on PostgreSQL 15
with auto_explain: the check ``WHERE $1 = col`` used both; it read the whole table past an index
``WHERE NOT deleted``)."""

from __future__ import annotations

from pathlib import Path

from sqlguard.config import Config
from sqlguard.engine import Linter
from sqlguard.frontends.sql import parse
from sqlguard.model import CreateIndex
from sqlguard.schema import SchemaState

CONFIG = Config(select=frozenset({"SG002"}))

REVISION = '''"""notes"""
import sqlalchemy as sa
from alembic import op

revision = "a1"
down_revision = None


def upgrade():
    op.create_table(
        "notes",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("author_id", sa.BigInteger(), sa.ForeignKey("users.id"), nullable=True),
    )
    op.create_index("notes_author_idx", "notes", ["author_id"], postgresql_where=sa.text({where!r}))


def downgrade():
    op.drop_table("notes")
'''


def _rules(path: Path) -> list[tuple[str, int, int]]:
    report = Linter(CONFIG).lint_paths([str(path)]).reports[0]
    found = []
    for d in report.diagnostics:
        at = report.lines.position(d.span.start)
        found.append((d.rule, at.line, at.column))
    return found


def test_alembic_partial_index_on_not_null_key_covers_the_foreign_key(tmp_path: Path) -> None:
    path = tmp_path / "versions" / "a1_notes.py"
    path.parent.mkdir()
    path.write_text(REVISION.format(where="author_id IS NOT NULL"), encoding="utf-8")
    assert _rules(path) == []


def test_alembic_partial_index_on_another_predicate_does_not(tmp_path: Path) -> None:
    path = tmp_path / "versions" / "a1_notes.py"
    path.parent.mkdir()
    path.write_text(REVISION.format(where="author_id IS NOT NULL AND id > 10"), encoding="utf-8")
    assert _rules(path) == [("SG002", 13, 49)]


def test_an_earlier_migrations_not_null_partial_index_covers_a_later_foreign_key(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "001_notes.sql").write_text(
        "CREATE TABLE notes (id bigint PRIMARY KEY, author_id bigint);\n"
        "CREATE INDEX notes_author_idx ON notes (author_id) WHERE author_id IS NOT NULL;\n",
        encoding="utf-8",
    )
    later = folder / "002_fk.sql"
    later.write_text(
        "ALTER TABLE notes ADD CONSTRAINT notes_author_fk FOREIGN KEY (author_id) REFERENCES users (id) NOT VALID;\n"
        "ALTER TABLE notes ADD COLUMN editor_id bigint REFERENCES users (id);\n",
        encoding="utf-8",
    )
    # the index covers author_id only: editor_id's key is still unindexed
    assert _rules(later) == [("SG002", 2, 47)]


def test_snapshots_keep_which_columns_a_partial_index_asks_to_be_non_null() -> None:
    state = SchemaState()
    for change in parse("CREATE INDEX i ON notes (author_id, id) WHERE author_id IS NOT NULL;").changes:
        assert isinstance(change, CreateIndex) and change.not_null_where == ("author_id",)
        state.apply(change, "001.sql")
    loaded = SchemaState.from_data(state.to_data())
    assert loaded.has_index_leading_with("notes", ("author_id",))
    assert not loaded.has_index_leading_with("notes", ("id",))
