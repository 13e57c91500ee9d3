"""Check the chain promise on real projects: ``python benchmarks/chain_equivalence.py``.

docs/context.md promises that ``sqlguard lint FILE`` gives exactly the findings that file gets in
``sqlguard lint FOLDER``. For each project of ``precision_projects.json`` (checked out under
``--projects`` by ``precision.py checkout``) this lints the project's folders once with the Python
API (``Linter.lint_paths``, no cache), then lints each file alone the same way and compares the
two lists of findings (rule, span, message and help). It prints, per project, how many files were
compared and which differ, with the findings only one side has.

Linting a file alone folds its whole chain, so comparing every file of a 700-file chain costs
700 chain folds; ``--files N`` compares N files per project spread over its chain (a fixed seed
picks them), ``--files 0`` every file.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from sqlguard.cli import resolve_config
from sqlguard.diagnostics import Diagnostic, FileReport
from sqlguard.engine import Linter

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from precision import load_projects  # noqa: E402

Finding = tuple[str, int, int, str, str]


def findings(diagnostics: Iterable[Diagnostic]) -> list[Finding]:
    return sorted((d.rule, d.span.start, d.span.end, d.message, d.help or "") for d in diagnostics)


def by_file(reports: list[FileReport]) -> dict[str, list[Finding]]:
    return {os.path.normpath(report.path): findings(report.diagnostics) for report in reports}


def pick(paths: list[str], count: int, seed: int) -> list[str]:
    """``count`` paths spread over the chain: one drawn from each of ``count`` equal slices."""
    if count <= 0 or count >= len(paths):
        return paths
    rng = random.Random(seed)
    slices = [paths[len(paths) * i // count : len(paths) * (i + 1) // count] for i in range(count)]
    return [rng.choice(part) for part in slices if part]


def compare(project: dict, projects_dir: Path, count: int, seed: int) -> tuple[int, list[str], float]:
    """Lint one project's folders, then the picked files alone; the differences as lines."""
    root = projects_dir / project.get("checkout", project["name"])
    os.chdir(root)
    config = resolve_config(None, root)
    args = project.get("args", [])
    if "--dialect" in args:
        config = config.with_overrides(dialect=args[args.index("--dialect") + 1])
    linter = Linter(config, cache=None, jobs=1)
    started = time.perf_counter()
    folder = by_file(linter.lint_paths(project["folders"]).reports)
    chosen = pick(sorted(folder), count, seed)
    problems: list[str] = []
    for path in chosen:
        alone = by_file(Linter(config, cache=None, jobs=1).lint_paths([path]).reports).get(path, [])
        if alone != folder[path]:
            only_folder = [f for f in folder[path] if f not in alone]
            only_file = [f for f in alone if f not in folder[path]]
            problems.append(f"{path}: folder-only {only_folder[:3]} file-only {only_file[:3]}")
    return len(chosen), problems, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=Path, default=Path("/work/projects"))
    parser.add_argument("--files", type=int, default=40, help="files compared per project (0: all)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--only", help="comma-separated project names")
    args = parser.parse_args()
    projects = load_projects()
    if args.only:
        projects = [p for p in projects if p["name"] in args.only.split(",")]
    total = mismatched = 0
    for project in projects:
        compared, problems, seconds = compare(project, args.projects.resolve(), args.files, args.seed)
        total += compared
        mismatched += len(problems)
        print(f"{project['name']}: {compared} files compared, {len(problems)} differ ({seconds:.0f} s)")
        for line in problems:
            print(f"   {line}")
    print(f"all: {total} files compared, {mismatched} differ")
    sys.exit(1 if mismatched else 0)


if __name__ == "__main__":
    main()
