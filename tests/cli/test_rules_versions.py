"""``sqlguard rules`` shows each rule's version applicability from its page."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli

REPO = Path(__file__).resolve().parents[2]



def test_rules_json_shows_versions() -> None:
    result = run_cli("rules", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = {row["id"]: row for row in json.loads(result.stdout)}
    assert rows["SG021"]["versions"] == "PG 14+"
    assert rows["SG011"]["versions"] == "all (stricter before PG 11)"
    assert rows["SG020"]["versions"] == "all (REPACK from PG 19)"
    assert rows["SG013"]["versions"] == "all"
    assert rows["SG013"]["category"] == "locking" and rows["SG013"]["severity"] == "error"


def test_target_version_flag_changes_what_fires(tmp_path: Path) -> None:
    migration = tmp_path / "001_detach.sql"
    migration.write_text("ALTER TABLE m DETACH PARTITION m_2020;\n", encoding="utf-8")
    old = run_cli("lint", str(migration), "--format", "concise", "--target-version", "13")
    new = run_cli("lint", str(migration), "--format", "concise", "--target-version", "14")
    assert (old.returncode, new.returncode) == (0, 1), old.stdout + old.stderr + new.stdout + new.stderr
    assert f"{migration}:1:1: SG021 DETACH PARTITION" in new.stdout
