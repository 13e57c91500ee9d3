"""SG080 over whole Alembic folders: several heads, unknown parents, duplicate ids and cycles are
found from the graph of the folder, the same when one file is linted alone (pre-commit)."""

from __future__ import annotations

from pathlib import Path

from sqlguard.config import Config
from sqlguard.engine import Linter


def revision(folder: Path, name: str, rev: str, down: str, extra: str = "") -> Path:
    path = folder / f"{name}.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f'"""{name}"""\nfrom alembic import op\n\nrevision = "{rev}"\ndown_revision = {down}\n{extra}\n\n'
        "def upgrade():\n    op.execute(\"SELECT 1\")\n\n\ndef downgrade():\n    op.execute(\"SELECT 1\")\n",
        encoding="utf-8",
    )
    return path


def findings(*paths: Path) -> list[tuple[str, int, int, str]]:
    result = Linter(Config(select=frozenset({"SG080"}))).lint_paths([str(path) for path in paths])
    found = []
    for report in result.reports:
        for d in report.diagnostics:
            position = report.lines.position(d.span.start)
            found.append((Path(report.path).name, position.line, position.column, d.message))
    return sorted(found)


def test_two_heads_are_reported_at_each_heads_revision_line_in_a_folder_and_alone(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    revision(versions, "a1_base", "a1", "None")
    b2 = revision(versions, "b2_left", "b2", '"a1"')
    revision(versions, "c3_right", "c3", '"a1"')
    expected_b2 = (
        "b2_left.py",
        4,
        1,
        'revision "b2" is a head beside "c3": `alembic upgrade head` fails with "Multiple head revisions"',
    )
    folder = findings(versions)
    assert [f[:3] for f in folder] == [("b2_left.py", 4, 1), ("c3_right.py", 4, 1)]
    assert folder[0] == expected_b2
    assert findings(b2) == [expected_b2]  # pre-commit: only the staged file, same finding


def test_a_merge_revision_leaves_one_head(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    revision(versions, "a1_base", "a1", "None")
    revision(versions, "b2_left", "b2", '"a1"')
    revision(versions, "c3_right", "c3", '"a1"')
    revision(versions, "d4_merge", "d4", '("b2", "c3")')
    assert findings(versions) == []


def test_branch_labels_keep_heads_on_purpose(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    revision(versions, "a1_base", "a1", "None")
    revision(versions, "b2_left", "b2", '"a1"')
    revision(versions, "c3_right", "c3", '"a1"', extra='branch_labels = ("reports",)')
    assert findings(versions) == []


def test_unknown_parent_and_duplicate_ids(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    revision(versions, "a1_base", "a1", "None")
    revision(versions, "b2_x", "b2", '"zz"')
    revision(versions, "b2_y", "a1", '"a1"')
    found = findings(versions)
    assert ("b2_x.py", 5, 1) in [f[:3] for f in found]
    assert any(f[0] == "b2_x.py" and 'down_revision "zz" names no revision' in f[3] for f in found)
    duplicates = [f for f in found if "is also the id of" in f[3]]
    assert [f[:3] for f in duplicates] == [("a1_base.py", 4, 1), ("b2_y.py", 4, 1)]
    assert [f[:3] for f in findings(versions / "b2_x.py")] == [("b2_x.py", 5, 1)]  # linted alone


def test_cycle_of_two_revisions(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    revision(versions, "a1_base", "a1", "None")
    revision(versions, "b2_x", "b2", '"c3"')
    revision(versions, "c3_y", "c3", '"b2"')
    cycle = [f for f in findings(versions) if "cycle" in f[3]]
    assert [f[:3] for f in cycle] == [("b2_x.py", 5, 1), ("c3_y.py", 5, 1)]
    assert "(b2, c3)" in cycle[0][3]


def test_no_finding_where_parents_may_live_in_other_folders(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    revision(versions / "2024", "b2_x", "b2", '"a1"')  # a1 sits in versions/2023
    revision(versions / "2023", "a1_base", "a1", "None")
    assert findings(versions / "2024") == []
    ini_project = tmp_path / "project"
    (ini_project / "migrations").mkdir(parents=True)
    (ini_project / "alembic.ini").write_text("[alembic]\nversion_locations = %(here)s/a %(here)s/b\n")
    revision(ini_project / "migrations" / "versions", "b2_x", "b2", '"a1"')
    assert findings(ini_project / "migrations" / "versions") == []


def test_the_bundled_alembic_project_has_a_sound_graph(fixtures: Path) -> None:
    assert findings(fixtures / "alembic-project") == []
