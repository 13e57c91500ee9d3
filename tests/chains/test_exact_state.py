"""The schema state each statement sees, across the files of a chain: down phases, schemas,
dialect folders, and which files a run reports on."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlguard.cache import ParseCache
from sqlguard.config import Config
from sqlguard.engine import Linter

REVISION = (
    "import sqlalchemy as sa\nfrom alembic import op\n\nrevision = {revision!r}\ndown_revision = {down!r}\n\n\n"
    "def upgrade():\n{up}\n\n\ndef downgrade():\n{down_body}\n"
)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _rules(linter: Linter, *paths: Path) -> dict[str, list[str]]:
    reports = linter.lint_paths([str(p) for p in paths]).reports
    return {Path(r.path).name: [f"{d.rule}@{d.span.start}" for d in r.diagnostics] for r in reports}


def test_a_down_file_starts_from_the_state_after_its_up(tmp_path: Path) -> None:
    # The down file sorts before its up (".down" < ".up"), but runs after it: it sees the column
    # type the up set, and a rollback putting back the earlier type is not a finding.
    folder = tmp_path / "db"
    _write(folder / "0001_create.up.sql", "CREATE TABLE t (id bigint PRIMARY KEY, code varchar(10));\n")
    _write(folder / "0001_create.down.sql", "DROP TABLE t;\n")
    _write(folder / "0002_widen.up.sql", "ALTER TABLE t ALTER COLUMN code TYPE varchar(20);\n")
    down = _write(folder / "0002_widen.down.sql", "ALTER TABLE t ALTER COLUMN code TYPE varchar(10);\n")
    linter = Linter(Config(root=tmp_path, select=frozenset({"SG013"})))
    assert _rules(linter, folder) == {n: [] for n in ("0001_create.down.sql", "0001_create.up.sql",
                                                     "0002_widen.down.sql", "0002_widen.up.sql")}
    assert _rules(linter, down) == {"0002_widen.down.sql": []}
    # a down narrowing to a type the column never had is a real rewrite
    down.write_text("ALTER TABLE t ALTER COLUMN code TYPE varchar(5);\n", encoding="utf-8")
    assert _rules(linter, down) == {"0002_widen.down.sql": ["SG013@0"]}


def test_a_down_phase_advances_on_its_own_and_never_reaches_the_chain(tmp_path: Path) -> None:
    folder = tmp_path / "db"
    _write(folder / "0001_create.up.sql", "CREATE TABLE p (id bigint PRIMARY KEY);\n"
           "CREATE TABLE c (id bigint PRIMARY KEY, p_id bigint);\n")
    # The down creates an index: it must not make the FK of 0002 look covered.
    _write(folder / "0001_create.down.sql", "CREATE INDEX c_p_idx ON c (p_id);\nDROP TABLE c;\nDROP TABLE p;\n")
    later = _write(folder / "0002_fk.up.sql",
                   "ALTER TABLE c ADD CONSTRAINT c_p_fk FOREIGN KEY (p_id) REFERENCES p (id) NOT VALID;\n")
    linter = Linter(Config(root=tmp_path, select=frozenset({"SG002"})))
    assert _rules(linter, later) == {"0002_fk.up.sql": ["SG002@18"]}
    assert _rules(linter, folder)["0002_fk.up.sql"] == ["SG002@18"]


def test_alembic_schema_keywords_keep_the_foreign_key_and_its_index_in_their_schema(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    _write(versions / "a_tables.py", REVISION.format(revision="a", down=None, up=(
        '    op.create_table("orders", sa.Column("id", sa.BigInteger(), primary_key=True),'
        ' sa.Column("customer_id", sa.BigInteger()), schema="billing")\n'
        '    op.create_table("customers", sa.Column("id", sa.BigInteger(), primary_key=True), schema="billing")\n'
        '    op.create_table("orders", sa.Column("id", sa.BigInteger(), primary_key=True),'
        ' sa.Column("customer_id", sa.BigInteger()))\n'
        '    op.create_index("ix_orders_customer_id", "orders", ["customer_id"])'), down_body="    pass"))
    fk = _write(versions / "b_fk.py", REVISION.format(revision="b", down="a", up=(
        '    op.create_foreign_key("fk", "orders", "customers", ["customer_id"], ["id"],'
        ' source_schema="billing", referent_schema="billing", postgresql_not_valid=True)'), down_body="    pass"))
    linter = Linter(Config(root=tmp_path, select=frozenset({"SG002"})))
    # the index is on public.orders, the foreign key on billing.orders
    assert [d.rule for d in linter.lint_paths([str(fk)]).diagnostics] == ["SG002"]
    _write(versions / "a2_index.py", REVISION.format(revision="a2", down="a", up=(
        '    op.create_index("ix_b_orders_customer_id", "orders", ["customer_id"], schema="billing")'),
        down_body='    op.drop_index("ix_b_orders_customer_id", table_name="orders", schema="billing")'))
    fk.write_text(fk.read_text(encoding="utf-8").replace("down_revision = 'a'", "down_revision = 'a2'"),
                  encoding="utf-8")
    assert linter.lint_paths([str(fk)]).diagnostics == []


def test_a_folder_named_for_sqlite_is_its_own_chain_linted_as_sqlite(tmp_path: Path) -> None:
    body = '    op.execute("PRAGMA foreign_keys = ON")\n    op.create_index("ix_t_a", "t", ["a"])'
    for dialect in ("sqlite", "postgresql"):
        _write(tmp_path / "versions" / dialect / "a1_index.py",
               REVISION.format(revision="a1", down=None, up=body, down_body='    op.drop_index("ix_t_a")'))
    reports = Linter(Config(root=tmp_path)).lint_paths([str(tmp_path / "versions")]).reports
    found = {Path(r.path).parent.name: sorted({d.rule for d in r.diagnostics}) for r in reports}
    # no CONCURRENTLY advice and no PostgreSQL syntax error for SQLite; the PostgreSQL twin gets both
    assert "SG004" not in found["sqlite"] and "E001" not in found["sqlite"]
    assert {"SG004", "E001"} <= set(found["postgresql"])


def test_a_named_file_that_the_config_excludes_is_skipped_with_a_note(tmp_path: Path) -> None:
    _write(tmp_path / "sqlguard.toml", 'extend-exclude = ["legacy"]\n')
    legacy = _write(tmp_path / "legacy" / "0001_x.sql", "CREATE INDEX i ON t (a);\n")
    run = subprocess.run(
        [sys.executable, "-m", "sqlguard", "lint", "--no-cache", str(legacy.relative_to(tmp_path))],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "SG004" not in run.stdout
    assert "legacy/0001_x.sql: excluded by the configuration, not linted" in run.stderr


def test_no_context_and_stdin_filename_from_the_command_line(tmp_path: Path) -> None:
    folder = tmp_path / "db"
    _write(folder / "0001_create.sql", "CREATE TABLE p (id bigint PRIMARY KEY);\n"
           "CREATE TABLE c (id bigint PRIMARY KEY, p_id bigint);\nCREATE INDEX c_p_idx ON c (p_id);\n")
    later = _write(folder / "0002_fk.sql",
                   "ALTER TABLE c ADD CONSTRAINT c_p_fk FOREIGN KEY (p_id) REFERENCES p (id) NOT VALID;\n")

    def lint(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "sqlguard", "lint", "--no-cache", "--select", "SG002", "--format", "concise", *args],
            cwd=tmp_path, input=stdin, capture_output=True, text=True, check=False,
        )

    assert lint("db/0002_fk.sql").returncode == 0
    alone = lint("--no-context", "db/0002_fk.sql")
    assert alone.returncode == 1 and "db/0002_fk.sql:1:19: SG002" in alone.stdout
    piped = later.read_text(encoding="utf-8")
    assert lint("--stdin-filename", "db/0002_fk.sql", "-", stdin=piped).returncode == 0
    assert lint("--no-context", "--stdin-filename", "db/0002_fk.sql", "-", stdin=piped).returncode == 1


def test_an_alembic_ini_url_names_the_database_of_its_chain(tmp_path: Path) -> None:
    body = '    op.execute("PRAGMA foreign_keys = ON")\n    op.create_index("ix_t_a", "t", ["a"])'
    revision = _write(tmp_path / "migrations" / "versions" / "a1_index.py",
                      REVISION.format(revision="a1", down=None, up=body, down_body='    op.drop_index("ix_t_a")'))
    ini = _write(tmp_path / "alembic.ini", "[alembic]\nscript_location = migrations\nsqlalchemy.url = sqlite:///app.db\n")
    found = {d.rule for d in Linter(Config(root=tmp_path)).lint_paths([str(revision)]).diagnostics}
    assert not found & {"SG004", "E001"}
    ini.write_text("[alembic]\nsqlalchemy.url = postgresql+psycopg://app@localhost/app\n", encoding="utf-8")
    found = {d.rule for d in Linter(Config(root=tmp_path)).lint_paths([str(revision)]).diagnostics}
    assert {"SG004", "E001"} <= found


def test_application_modules_beside_a_python_file_are_not_its_chain(tmp_path: Path) -> None:
    # A staged application module: its neighbours change no schema and are neither read nor parsed.
    app = tmp_path / "app"
    user = _write(app / "user.py",
                  'def find(cur, name):\n    cur.execute(f"SELECT * FROM users WHERE name = \'{name}\'")\n')
    _write(app / "broken.py", "def (:\n")  # a neighbour that would be an E001 if it were parsed
    config = Config(root=tmp_path, select=frozenset({"SG007", "E001"}))
    linter = Linter(config, cache=ParseCache(tmp_path / "cache", config))
    result = linter.lint_paths([str(user)])
    assert [(r.path, [d.rule for d in r.diagnostics]) for r in result.reports] == [(str(user), ["SG007"])]
    assert linter.cache is not None and linter.cache.misses == 1  # only the file asked for was parsed
