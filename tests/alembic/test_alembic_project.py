"""A realistic Alembic project (fixtures/alembic-project/) and Python app code (fixtures/python-app/),
linted through the real command: golden output, revision order, branches, and no crash on
anything a versions directory may hold."""

from __future__ import annotations

from pathlib import Path

from sqlguard.config import Config
from sqlguard.diagnostics import Position
from sqlguard.engine import Linter
from sqlguard.frontends.revisions import order_revisions, revision_ids
from tests.conftest import FIXTURES, concise, run_cli

run = run_cli

PROJECT = FIXTURES / "alembic-project"
VERSIONS = PROJECT / "migrations" / "versions"
APP = FIXTURES / "python-app"
GOLDEN = Path(__file__).parent / "golden"
# The golden files pin the rules this project is about; rules added later have their own tests.
GOLDEN_RULES = "SG001,SG002,SG003,SG004,SG005,SG006,SG007"



def test_alembic_project_golden_output() -> None:
    result = run("lint", "fixtures/alembic-project", "--format", "concise", "--select", GOLDEN_RULES)
    assert result.returncode == 1, result.stderr
    assert result.stdout == (GOLDEN / "alembic-project.concise").read_text(encoding="utf-8")


def test_python_app_golden_output_with_suppression_and_per_file_ignores() -> None:
    """broken.py is one E001 and the rest is still checked; repository.py's ignore comment and
    pyproject's per-file-ignores for scripts/ silence their findings."""
    result = run("lint", ".", "--format", "concise", "--select", GOLDEN_RULES, cwd=APP)
    assert result.returncode == 1, result.stderr
    assert result.stdout == (GOLDEN / "python-app.concise").read_text(encoding="utf-8")
    assert "scripts/" not in result.stdout and "repository.py" not in result.stdout


def test_files_are_linted_in_down_revision_order() -> None:
    files = sorted(VERSIONS.glob("*.py"))
    ordered = order_revisions(files, lambda p: p.read_text(encoding="utf-8"))
    position = {revision_ids(p.read_text(encoding="utf-8"))[0]: i for i, p in enumerate(ordered)}  # type: ignore[index]
    for path in ordered:
        revision, parents = revision_ids(path.read_text(encoding="utf-8"))  # type: ignore[misc]
        assert all(position[parent] < position[revision] for parent in parents), path.name
    assert ordered[0].name == "1975ea83b712_create_customers.py"
    assert ordered[-1].name == "3c9e1b5d7f20_create_invoices.py"


def test_our_order_agrees_with_alembics_own_graph() -> None:
    """Alembic itself (loading our fixture's revision modules) walks the same graph."""
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(AlembicConfig(str(PROJECT / "alembic.ini")))
    parents = {rev.revision: set(rev._all_down_revisions) for rev in script.walk_revisions()}
    ordered = order_revisions(sorted(VERSIONS.glob("*.py")), lambda p: p.read_text(encoding="utf-8"))
    seen: set[str] = set()
    for path in ordered:
        revision = path.name.split("_")[0]
        assert parents[revision] <= seen, path.name
        seen.add(revision)
    assert seen == set(parents)


def test_fk_indexed_in_an_earlier_revision_is_known_only_in_chain_order() -> None:
    """2e6f0a9b3c15 sorts before e8c4a2f9b611 by name, but its FK uses e8c4's index: linted
    alone it still sees its chain (the revisions before it in the graph), unless told not to."""
    linter = Linter(Config(select=frozenset({"SG002"})))
    named = [str(VERSIONS / "2e6f0a9b3c15_add_payment_order_fk.py")]
    assert linter.lint_paths(named).diagnostics == []
    alone = linter.lint_paths(named, context=False)
    assert [d.rule for d in alone.diagnostics] == ["SG002"]
    whole = linter.lint_paths([str(VERSIONS)])
    flagged = [r.path.rsplit("/", 1)[-1] for r in whole.reports if r.diagnostics]
    assert flagged == ["3c9e1b5d7f20_create_invoices.py"]


def write_revision(folder: Path, name: str, revision: str, down: str) -> Path:
    path = folder / name
    path.write_text(
        f"from alembic import op\n\nrevision = {revision!r}\ndown_revision = {down}\n\n\n"
        f"def upgrade():\n    op.create_index('ix_{revision}', 't', ['a'])\n\n\n"
        f"def downgrade():\n    op.drop_index('ix_{revision}', table_name='t')\n",
        encoding="utf-8",
    )
    return path


def test_branches_merges_cycles_and_missing_parents_are_ordered_without_crashing(tmp_path: Path) -> None:
    names = [
        write_revision(tmp_path, "a_merge.py", "m", '("b1", "b2")'),
        write_revision(tmp_path, "b_branch1.py", "b1", '"root"'),
        write_revision(tmp_path, "c_branch2.py", "b2", '"root"'),
        write_revision(tmp_path, "d_root.py", "root", "None"),
        write_revision(tmp_path, "e_orphan.py", "orphan", '"not-here"'),
        write_revision(tmp_path, "f_cycle1.py", "x", '"y"'),
        write_revision(tmp_path, "g_cycle2.py", "y", '"x"'),
    ]
    (tmp_path / "h_notes.sql").write_text("SELECT 1;\n", encoding="utf-8")
    files = sorted(tmp_path.iterdir())
    ordered = [p.name for p in order_revisions(files, lambda p: p.read_text(encoding="utf-8"))]
    assert ordered == [
        "d_root.py",
        "b_branch1.py",
        "c_branch2.py",
        "a_merge.py",
        "e_orphan.py",
        "f_cycle1.py",
        "g_cycle2.py",
        "h_notes.sql",
    ]
    assert len(names) == 7
    result = run("lint", str(tmp_path), "--format", "concise", "--select", "SG004")
    assert result.returncode == 1, result.stderr
    assert result.stdout.count("SG004") == 7


def test_no_crash_on_odd_revision_files(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    versions.mkdir()
    odd = {
        "empty.py": "",
        "computed_ids.py": (
            "from alembic import op\nrevision = make_id()\ndown_revision = PARENT\n\n"
            "def upgrade():\n    op.execute(SQL)\n"
        ),
        "star_args.py": (
            "from alembic import op\nrevision = 'a'\ndown_revision = None\n\ndef upgrade():\n"
            "    op.create_table(*TABLE_ARGS)\n    op.add_column(**kwargs)\n    op.create_index()\n"
            "    op.alter_column()\n    op.create_foreign_key(None, None, None, None, None)\n"
            "    with op.batch_alter_table(name) as b:\n        b.drop_column('x')\n"
            "    op.execute(sa.text())\n    op.execute(b'SELECT 1')\n    op.bulk_insert(t, rows)\n"
            "    await op.execute('SELECT 1')\n\nasync def downgrade():\n    yield\n"
        ),
        "lambda_and_classes.py": (
            "from alembic import op\nrevision = 'b'\ndown_revision = 'a'\nclass upgrade:\n    pass\n"
            "downgrade = lambda: op.drop_table('t')\n"
        ),
        "nested_sql_error.py": (
            "from alembic import op\nrevision = 'c'\ndown_revision = 'b'\n\n"
            "def upgrade():\n    op.execute('\\x00 CREATE')\n"
        ),
        "latin1.py": "# coding: latin-1\nop.execute('SELECT 1')\n",
    }
    for name, text in odd.items():
        (versions / name).write_text(text, encoding="utf-8")
    (versions / "binary.py").write_bytes(b"\x00\x01op.execute")
    result = run("lint", str(versions), "--format", "concise")
    assert result.returncode in (0, 1, 2), result.stderr
    assert "Traceback" not in result.stderr
    report = Linter(Config()).lint_paths([str(versions)])
    assert {Path(r.path).name for r in report.reports} == {*odd, "binary.py"}


def test_every_fixture_python_file_lints_without_crashing() -> None:
    linter = Linter(Config())
    for path in sorted(FIXTURES.rglob("*.py")):
        report = linter.lint_text(str(path), path.read_text(encoding="utf-8"))
        assert all(d.rule != "E002" for d in report.diagnostics), concise(report)


def test_parenthesized_and_very_long_concatenations_are_read_or_named(tmp_path: Path) -> None:
    """Grouped and long concatenations reach SG007 at the call's argument; one thousands of terms
    deep (more than CPython itself nests) is an E003 note for the file, never a silent pass."""
    grouped = 'cur.execute(("SELECT " + x) + (" FROM t"))\nQ = ("a" + "b") + "c"\ncur.execute(Q)\n'
    long = 'def f(cur, x):\n    cur.execute("SELECT a"' + " + x" * 480 + ")\n"
    deep = 'cur.execute("a"' + " + x" * 3000 + ")\n"
    linter = Linter(Config(select=frozenset({"SG007"})))
    assert [d.rule for d in linter.lint_text("grouped.py", grouped).diagnostics] == ["SG007"]
    report = linter.lint_text("long.py", long)
    assert [(d.rule, report.lines.position(d.span.start)) for d in report.diagnostics] == [
        ("SG007", Position(2, 17))
    ]
    report = linter.lint_text("deep.py", deep)
    assert [(d.rule, d.message) for d in report.diagnostics] == [
        ("E003", "an expression nested thousands of levels deep: nothing in this file was checked")
    ]


def test_mangled_fixture_files_get_a_syntax_error_exactly_when_python_rejects_them() -> None:
    """Cut, paste and splice the fixture revisions at random (fixed seed): the linter never
    raises, reports an E001 on the line CPython names when CPython rejects the text, and none
    when CPython accepts it."""
    import ast
    import random
    import warnings

    texts = [p.read_text(encoding="utf-8") for p in sorted(VERSIONS.glob("*.py"))]
    pieces = ["(", ")", ",", "=", "None", "'x'", '"""', "f'{a}'", "op.execute", "\\", "\n", "    ", "*", ":"]
    rng = random.Random(7)
    linter = Linter(Config())
    rejected = 0
    for _ in range(120):
        text = rng.choice(texts)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(text) + 1)
            if rng.random() < 0.5:
                text = text[:at] + text[at + rng.randint(1, 30) :]
            else:
                text = text[:at] + rng.choice(pieces) + text[at:]
        report = linter.lint_text("mangled.py", text)
        python_errors = [d for d in report.diagnostics if d.message.startswith("Python syntax error")]
        lines = [report.lines.position(d.span.start).line for d in python_errors]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ast.parse(text)
        except SyntaxError as error:
            rejected += 1
            assert lines == [error.lineno], text
        else:
            assert lines == [], text
    assert 20 < rejected < 110  # both sides of the property were exercised
