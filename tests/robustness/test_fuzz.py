"""Fuzzing: whatever text or bytes a migration holds, sqlguard reports, it never crashes.

Statements are built from real DDL pieces (so the front ends and checks get past parsing and
into their interesting paths), mixed with random text and random bytes. The properties: no
exception from ``Linter.lint_text`` or the CLI, every finding inside the text, and input
problems reported as E001/E002 with a position inside the text. Budget: about 20 seconds.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sqlguard.cli import cli
from sqlguard.config import Config
from sqlguard.diagnostics import INPUT_ERROR_IDS, FileReport
from sqlguard.engine import Linter

REPO = Path(__file__).resolve().parents[2]
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

names = st.sampled_from(["orders", "public.users", '"Weird ""Name"""', "billing.invoices", "t", "x" * 70, "tenant_id"])
columns = st.sampled_from(["id", "tenant_id", "created_at", "email", '"Col"', "a", "b"])
types = st.sampled_from(
    ["int", "bigint", "serial", "varchar(255)", "char(2)", "json", "jsonb", "timestamp", "timestamptz", "text", "int[]"]
)
column_defs = st.builds(
    lambda c, t, extra: f"{c} {t}{extra}",
    columns,
    types,
    st.sampled_from(["", " NOT NULL", " PRIMARY KEY", " DEFAULT now()", " REFERENCES users (id)", " UNIQUE"]),
)
statements = st.one_of(
    st.builds(
        lambda n, cs: f"CREATE TABLE {n} ({', '.join(cs)})", names, st.lists(column_defs, min_size=0, max_size=4)
    ),
    st.builds(lambda n, c: f"ALTER TABLE {n} ADD COLUMN {c}", names, column_defs),
    st.builds(lambda n, c: f"ALTER TABLE {n} DROP COLUMN {c}", names, columns),
    st.builds(lambda n, a, b: f"ALTER TABLE {n} RENAME COLUMN {a} TO {b}", names, columns, columns),
    st.builds(lambda n, m: f"ALTER TABLE {n} RENAME TO {m}", names, names),
    st.builds(lambda n, c: f"ALTER TABLE {n} ALTER COLUMN {c} DROP NOT NULL", names, columns),
    st.builds(lambda n: f"ALTER TABLE {n} ENABLE ROW LEVEL SECURITY", names),
    st.builds(
        lambda u, cc, n, cs: f"CREATE {u}INDEX {cc}idx_{abs(hash(n)) % 97} ON {n} ({', '.join(cs)})",
        st.sampled_from(["", "UNIQUE "]),
        st.sampled_from(["", "CONCURRENTLY "]),
        names,
        st.lists(columns, min_size=1, max_size=3),
    ),
    st.builds(lambda n, c: f"CREATE INDEX i ON {n} ({c}) ALGORITHM=INPLACE LOCK=NONE", names, columns),
    st.builds(lambda n, c: f"ALTER TABLE {n} ADD INDEX k ({c}), LOCK=SHARED", names, columns),
    st.builds(lambda n, c: f"UPDATE {n} SET {c} = 1, {c} = 2", names, columns),
    st.builds(lambda n: f"DELETE FROM {n}", names),
    st.builds(lambda n: f"TRUNCATE {n} CASCADE", names),
    st.builds(lambda n: f"DROP TABLE IF EXISTS {n}", names),
    st.sampled_from(
        [
            "BEGIN",
            "COMMIT",
            "ROLLBACK",
            "START TRANSACTION",
            "SET lock_timeout = '5s'",
            "SET LOCAL lock_timeout = 0",
            "ALTER TYPE mood ADD VALUE 'happy'",
            "DROP SCHEMA s CASCADE",
            "DROP DATABASE d",
            "CREATE VIEW v AS SELECT 1",
            "VACUUM FULL orders",
            "\\set ON_ERROR_STOP on",
            "$$ unterminated",
            "'unterminated",
            "/* unterminated comment",
            "SELECT 1 -- trailing",
        ]
    ),
    st.text(max_size=40),
)
separators = st.sampled_from([";\n", "; ", ";", "\n", " ;; ", ";\n-- note\n", ";\r\n"])
scripts = st.builds(lambda parts, sep: sep.join(parts), st.lists(statements, min_size=1, max_size=8), separators)
dialects = st.sampled_from(["postgres", "postgres", "mysql", "sqlite"])
LINTERS: dict[tuple[str, bool, int], Linter] = {}


def _linter(dialect: str, assume: bool, version: int) -> Linter:
    key = (dialect, assume, version)
    if key not in LINTERS:
        config = Config(
            select=frozenset({"ALL"}), dialect=dialect, assume_in_transaction=assume, target_version=version
        )
        LINTERS[key] = Linter(config)
    return LINTERS[key]


def _check(report: FileReport) -> None:
    size = len(report.text)
    for diagnostic in report.diagnostics:
        assert 0 <= diagnostic.span.start <= diagnostic.span.end, diagnostic
        if diagnostic.is_input_error:
            assert diagnostic.rule in INPUT_ERROR_IDS
            assert diagnostic.span.start <= max(size - 1, 0), f"{diagnostic} outside a text of {size} chars"
        else:
            assert diagnostic.span.end <= size, diagnostic


@FUZZ
@given(
    script=scripts,
    dialect=dialects,
    assume=st.booleans(),
    version=st.sampled_from([10, 11, 12, 16]),
    name=st.sampled_from(["0001_add_x.sql", "update_db.sql", "V2__fix.sql", "up.sql", "m.up.sql", "x.py"]),
)
def test_lint_text_never_raises(script: str, dialect: str, assume: bool, version: int, name: str) -> None:
    report = _linter(dialect, assume, version).lint_text(name, script)
    _check(report)


PIECES = [
    f"{verb} {name}"
    for name in ("orders", "public.users", '"Weird ""Name"""', "billing.invoices", "x" * 70)
    for verb in ("TRUNCATE", "DELETE FROM", "DROP TABLE", "CREATE TABLE")
] + [
    "CREATE TABLE billing.invoices (id int PRIMARY KEY, tenant_id int REFERENCES customers (id), email varchar(9), "
    "email json, at timestamp, UNIQUE (email))",
    "ALTER TABLE billing.invoices ADD COLUMN c char(2), ADD COLUMN c int REFERENCES t (id), DROP COLUMN d",
    "ALTER TABLE orders ALTER COLUMN a TYPE json, ALTER COLUMN a DROP NOT NULL, ENABLE ROW LEVEL SECURITY",
    "ALTER TABLE orders RENAME COLUMN a TO b",
    "ALTER TABLE orders RENAME TO purchases",
    "CREATE UNIQUE INDEX i ON orders (email)",
    "CREATE INDEX i ON orders (lower(email)) ALGORITHM=COPY",
    "ALTER TABLE orders ADD UNIQUE KEY k (a), ALGORITHM=INPLACE, LOCK=NONE",
    "RENAME TABLE a TO b",
    "ALTER TABLE customers CHANGE COLUMN nm name VARCHAR(100), MODIFY email TEXT",
    "CREATE FULLTEXT INDEX f ON orders (note) LOCK=EXCLUSIVE",
    "CREATE TABLE m (id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY, KEY k (id)) ENGINE=InnoDB",
    "UPDATE orders SET a = 1, a = 2",
    "UPDATE orders SET (a, b) = (1, 2)",
    "TRUNCATE orders CASCADE",
    "DROP SCHEMA s CASCADE",
    "DROP DATABASE d",
    "ALTER TYPE mood ADD VALUE 'x'",
    "BEGIN",
    "COMMIT",
    "SET lock_timeout = 0",
]


def test_every_grammar_piece_in_every_dialect() -> None:
    """Each piece alone and all of them in one file, in every dialect, in and out of a transaction:
    random mixing above may miss a piece, this does not."""
    for dialect in ("postgres", "mysql", "sqlite"):
        for assume in (False, True):
            linter = _linter(dialect, assume, 11 if assume else 16)
            _check(linter.lint_text("0001_all.sql", ";\n".join(PIECES)))
            for piece in PIECES:
                _check(linter.lint_text("0002_add_piece.sql", piece + ";\n"))


@FUZZ
@given(text=st.text(max_size=200), dialect=dialects)
def test_random_text_never_raises(text: str, dialect: str) -> None:
    _check(_linter(dialect, False, 16).lint_text("random.sql", text))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(st.binary(max_size=120), scripts.map(lambda s: s.encode("utf-8"))), dialect=dialects)
def test_cli_on_random_files_exits_0_1_or_2(tmp_path: Path, data: bytes, dialect: str) -> None:
    path = tmp_path / "0001_fuzz.sql"
    path.write_bytes(data)
    result = CliRunner().invoke(cli, ["lint", str(path), "--format", "json", "--dialect", dialect, "--select", "ALL"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code in (0, 1, 2), result.output


def test_cli_subprocess_on_a_folder_of_awkward_files(tmp_path: Path) -> None:
    """The real console entry point (not only click's runner) over bytes no test above wrote."""
    (tmp_path / "0001_nul.sql").write_bytes(b"CREATE TABLE t (\x00);")
    (tmp_path / "0002_latin1.sql").write_bytes("CREATE TABLE caf\xe9 (id int);".encode("latin-1"))
    (tmp_path / "0003_broken.sql").write_text("CREATE TABLE (;\nDROP TABLE orders;\n", encoding="utf-8")
    (tmp_path / "0004_empty.sql").write_text("", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "sqlguard", "lint", str(tmp_path), "--format", "concise", "--select", "ALL"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1, result.stderr
    assert "internal error" not in result.stderr
    lines = [line for line in result.stdout.splitlines() if not line.startswith(" ")]
    assert any(line.startswith(f"{tmp_path / '0001_nul.sql'}:1:1: E002 ") for line in lines), lines
    assert any(line.startswith(f"{tmp_path / '0002_latin1.sql'}:1:1: E002 ") for line in lines), lines
    assert any(line.startswith(f"{tmp_path / '0003_broken.sql'}:1:") and " E001 " in line for line in lines), lines
    assert any(line.startswith(f"{tmp_path / '0003_broken.sql'}:2:1: SG033 ") for line in lines), lines
