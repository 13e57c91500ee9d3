"""``--fix`` over a generated project of every layout (numbered up/down files, up/down folders,
dbmate, plain scripts, Alembic revisions) plus the robustness fixtures: every fixed file still
parses, no rule reports more in any file than before, and the findings whose safe fix was applied
are gone. (The rule pages' own examples are covered one fix at a time by tests/rules/test_fix_relint.py.)"""

from __future__ import annotations

import importlib.util
import json
import shutil
from collections import Counter
from pathlib import Path
from types import ModuleType

from tests.conftest import REPO, run_cli


def _corpus() -> ModuleType:
    spec = importlib.util.spec_from_file_location("corpus", REPO / "benchmarks" / "corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _findings(root: Path, *options: str) -> dict[str, Counter[str]]:
    result = run_cli("lint", "--format", "json", "--no-cache", *options, str(root))
    assert result.returncode in (0, 1), result.stderr
    counts: dict[str, Counter[str]] = {}
    for item in json.loads(result.stdout)["diagnostics"]:
        counts.setdefault(item["path"], Counter())[item["rule"]] += 1
    return counts


def _safe_fixes(root: Path) -> Counter[str]:
    result = run_cli("lint", "--format", "json", "--no-cache", str(root))
    document = json.loads(result.stdout)
    return Counter(item["path"] for item in document["diagnostics"] if (item.get("fix") or {}).get("safe"))


def test_fix_over_every_layout_keeps_files_valid_and_adds_nothing(tmp_path: Path) -> None:
    root = tmp_path / "project"
    _corpus().generate(root, 120, 20)
    shutil.copytree(REPO / "fixtures" / "robustness", root / "robustness", ignore=shutil.ignore_patterns("*.py"))
    before = _findings(root)
    fixable = _safe_fixes(root)
    assert sum(fixable.values()) > 10, "the corpus must exercise the fixes"
    fixed = run_cli("lint", "--fix", "--no-cache", str(root))
    assert fixed.returncode in (0, 1), fixed.stderr
    after = _findings(root)
    for path, counts in after.items():
        assert counts["E001"] <= before.get(path, Counter())["E001"], f"{path} no longer parses after --fix"
        grown = {rule: n for rule, n in counts.items() if n > before.get(path, Counter())[rule]}
        assert not grown, f"--fix brought new findings to {path}: {grown}"
    total_before = sum(sum(c.values()) for c in before.values())
    total_after = sum(sum(c.values()) for c in after.values())
    assert total_after <= total_before - sum(fixable.values()) + _left_unfixed(root), "fixed findings remain"


def _left_unfixed(root: Path) -> int:
    """Safe fixes still offered after --fix (two fixes that touch the same text are applied one per run)."""
    return sum(_safe_fixes(root).values())
