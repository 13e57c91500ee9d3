"""A generated N-step SQL chain and a timer around `verify_path`, for benchmarks and the speed test.

The issue's budget is a 50-step chain in under 20 s including server start; each generated step
creates a table with a foreign key, an index and a check constraint so that snapshots are not trivial.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from sqlguard.verify.backends import BackendName
from sqlguard.verify.run import VerifyReport, verify_path


def write_chain(folder: Path, steps: int) -> None:
    """Write ``steps`` migrations in the ``N_name.up.sql`` / ``.down.sql`` layout."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(1, steps + 1):
        ref = f"t{i - 1}" if i > 1 else None
        fk = f",\n    parent_id bigint REFERENCES {ref} (id)" if ref else ""
        up = (
            f"CREATE TABLE t{i} (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
            f"    name text NOT NULL CHECK (name <> ''){fk}\n);\n"
            f"CREATE INDEX ix_t{i}_name ON t{i} (name);\n"
        )
        (folder / f"{i:04d}_create_t{i}.up.sql").write_text(up, encoding="utf-8")
        (folder / f"{i:04d}_create_t{i}.down.sql").write_text(f"DROP TABLE t{i};\n", encoding="utf-8")


def write_real_chain(folder: Path, steps: int, broken: int | None = None, irreversible: int | None = None) -> None:
    """A chain shaped like real projects': every third step creates a table and a ``SELECT *`` view
    on it, the next drops a column (its down adds it back, at the end of the table, and recreates
    the view), the next indexes it. Step ``broken`` (1-based, an index step) has a down that forgets
    its index; step ``irreversible`` (an index step too) drops a column for good instead, marked
    ``-- sqlguard: irreversible`` and without a down file.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(1, steps + 1):
        table, kind = f"t{(i - 1) // 3}", (i - 1) % 3
        view = table.replace("t", "v", 1)
        recreate = f"DROP VIEW {view};\n{{}}\nCREATE VIEW {view} AS SELECT * FROM {table};\n"
        if kind == 0:
            name = f"{i:04d}_create_{table}"
            up = (
                f"CREATE TABLE {table} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, a text NOT NULL,"
                f" b integer DEFAULT 0, c text);\nCREATE VIEW {view} AS SELECT * FROM {table};\n"
            )
            down: str | None = f"DROP VIEW {view};\nDROP TABLE {table};\n"
        elif kind == 1:
            name = f"{i:04d}_drop_{table}_b"
            up = recreate.format(f"ALTER TABLE {table} DROP COLUMN b;")
            down = recreate.format(f"ALTER TABLE {table} ADD COLUMN b integer DEFAULT 0;")
        elif i == irreversible:
            name = f"{i:04d}_drop_{table}_c"
            up = "-- sqlguard: irreversible the values of c are gone\n" + recreate.format(
                f"ALTER TABLE {table} DROP COLUMN c;"
            )
            down = None
        else:
            name = f"{i:04d}_index_{table}_a"
            up = f"CREATE INDEX ix_{table}_a ON {table} (a);\n"
            down = f"DROP INDEX ix_{table}_a;\n" if i != broken else "SELECT 1;  -- forgot the index\n"
        (folder / f"{name}.up.sql").write_text(up, encoding="utf-8")
        if down is not None:
            (folder / f"{name}.down.sql").write_text(down, encoding="utf-8")


def bench_chain(steps: int = 50, backend: BackendName = "auto", dsn: str | None = None) -> VerifyReport:
    """Verify a fresh generated chain end to end (server start included) and return the report."""
    with tempfile.TemporaryDirectory(prefix="sqlguard-bench-") as tmp:
        write_chain(Path(tmp), steps)
        return verify_path(Path(tmp), backend=backend, dsn=dsn)


def bench_chain_seconds(steps: int = 50, backend: BackendName = "auto", dsn: str | None = None) -> float:
    """Wall-clock seconds to verify a generated ``steps``-step chain, server start included."""
    started = time.perf_counter()
    report = bench_chain(steps, backend, dsn)
    elapsed = time.perf_counter() - started
    if not report.ok:
        raise RuntimeError(f"the generated chain failed verification: {report.failure}")
    return elapsed


if __name__ == "__main__":
    import sys

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    print(f"{n} steps verified in {bench_chain_seconds(n):.2f}s")
