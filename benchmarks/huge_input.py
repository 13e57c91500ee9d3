"""Time and memory of `sqlguard lint` on huge single files: ``python benchmarks/huge_input.py``.

Each input is generated at a quarter, half and all of its size, so the table shows whether time
and memory grow linearly with the input (the issue this guards against: a 115 KB one-line SQL
file printed 689 MB of text output, and a 24 KB Python expression took 24 s in libcst):

- one-line SQL: ``CREATE INDEX iN ON t (a); `` repeated on a single line to 1 MB (36,000
  statements, each an SG004 finding), linted with the default text output (source windows);
- a flat Python expression: a 100 KB list literal inside an Alembic revision (libcst's cost);
- a deep Python expression: 100 KB of ``'x' + 'x' + ...`` (18,000 terms, beyond what CPython
  nests: one E003 note without libcst).

Every run is a fresh ``python -m sqlguard lint --no-cache`` process with its output sent to
/dev/null, timed from outside (``run.run_once``: wall, CPU, peak RSS); best of ``--repeat``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import Command, run_once  # benchmarks/ is not a package: found through the path set above

REVISION = '''"""seed"""
from alembic import op

revision = "a1"
down_revision = None

VALUES = {expression}

def upgrade():
    op.create_index("ix", "t", ["a"])

def downgrade():
    op.drop_index("ix")
'''


def one_line_sql(size: int) -> str:
    statement = "CREATE INDEX i{n} ON t (a); "
    parts, total, n = [], 0, 0
    while total < size:
        part = statement.format(n=n)
        parts.append(part)
        total += len(part)
        n += 1
    return "".join(parts) + "\n"


def flat_python(size: int) -> str:
    items = ", ".join(str(n % 1000) for n in range(size // 5))
    return REVISION.format(expression=f"[{items}]")


def deep_python(size: int) -> str:
    return REVISION.format(expression=" + ".join(["'x'"] * (size // 6)))


INPUTS: dict[str, tuple[str, int, Callable[[int], str]]] = {
    "one-line SQL": ("huge.sql", 1_000_000, one_line_sql),
    "flat Python expression": ("a1_flat.py", 100_000, flat_python),
    "deep Python expression": ("a1_deep.py", 100_000, deep_python),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (default 3)")
    parser.add_argument("--format", default="text", help="output format to render (default text)")
    args = parser.parse_args()
    print(f"{'input':28} {'size':>9} {'wall s':>8} {'cpu s':>8} {'peak MB':>8} {'exit':>5}")
    with tempfile.TemporaryDirectory(prefix="sqlguard-huge-") as folder:
        for label, (name, full, make) in INPUTS.items():
            for fraction in (4, 2, 1):
                size = full // fraction
                path = Path(folder) / name
                path.write_text(make(size), encoding="utf-8")
                argv = [sys.executable, "-m", "sqlguard", "lint", "--no-cache", "--format", args.format, str(path)]
                best = min((run_once(Command(argv, cwd=Path(folder)), args.repeat) for _ in range(args.repeat)),
                           key=lambda timing: timing.wall)
                shown = f"{path.stat().st_size / 1000:,.0f} KB"
                print(f"{label:28} {shown:>9} {best.wall:8.2f} {best.cpu:8.2f} {best.peak_mb:8.0f} {best.exit_code:5}")


if __name__ == "__main__":
    main()
