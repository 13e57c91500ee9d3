"""Any mix of corpus statements, comments, blank lines and COPY blocks lints without an internal
error, and every finding points inside the file (Hypothesis builds the mixes)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sqlguard.config import Config
from sqlguard.engine import Linter

STATEMENTS = [
    "CREATE TABLE orders (id bigint PRIMARY KEY, status text, total numeric(10,2));",
    "ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();",
    "ALTER TABLE orders ALTER COLUMN status SET NOT NULL;",
    "ALTER TABLE orders ALTER COLUMN total TYPE numeric(14,2);",
    "ALTER TABLE orders ADD CONSTRAINT c CHECK (total > 0) NOT VALID;",
    "ALTER TABLE orders VALIDATE CONSTRAINT c;",
    "ALTER TABLE orders ADD CONSTRAINT u UNIQUE (status);",
    "VACUUM FULL orders;",
    "CLUSTER orders USING orders_pkey;",
    "ALTER TABLE m DETACH PARTITION m_1;",
    "ALTER DOMAIN d ADD CONSTRAINT dc CHECK (VALUE > 0);",
    "BEGIN;",
    "COMMIT;",
    "SAVEPOINT s;",
    "SET lock_timeout = '2s';",
    "DO $$ BEGIN RAISE NOTICE 'x; y'; END $$;",
    "COPY orders (id) FROM stdin;\n1\n2;\n\\.",
    "\\set x 1",
    "SELEC broken;",
    "CREATE INDEX i ON orders (status);",
]
SEPARATORS = ["\n", "\n\n", " ", "\n-- note; with a semicolon\n", "\n/* block\n comment */\n", "\r\n"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(STATEMENTS), st.sampled_from(SEPARATORS)), max_size=12))
def test_any_mix_lints_and_points_inside_the_file(tmp_path: Path, parts: list[tuple[str, str]]) -> None:
    text = "".join(statement + separator for statement, separator in parts)
    report = Linter(Config(select=frozenset({"ALL"}))).lint_text(str(tmp_path / "mix.sql"), text)
    for diagnostic in report.diagnostics:
        assert 0 <= diagnostic.span.start <= diagnostic.span.end <= len(text)
