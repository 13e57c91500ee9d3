"""SARIF for code scanning: rule pages as help, percent-encoded URIs, category tags, and
fingerprints that follow a finding across commits (not its line number)."""

from __future__ import annotations

import json
from pathlib import Path

from sqlguard import __version__
from sqlguard.config import Config
from sqlguard.diagnostics import Diagnostic, FileReport, Span
from sqlguard.engine import Linter
from sqlguard.reporters import sarif
from tests.reporters.test_reporters import validate_sarif

INDEX = "CREATE INDEX orders_placed_at_idx ON orders (placed_at);\n"


def _sarif(*reports: FileReport) -> dict:
    document = json.loads(sarif.render(list(reports)))
    validate_sarif(document)
    return document["runs"][0]


def _lint(path: str, text: str) -> FileReport:
    return Linter(Config(select=frozenset({"SG004", "SG006"}))).lint_text(path, text)


def test_rules_link_their_page_at_the_release_tag_and_carry_it_as_markdown() -> None:
    run = _sarif(_lint("migrations/0002_index.sql", INDEX))
    (rule,) = [r for r in run["tool"]["driver"]["rules"] if r["id"] == "SG004"]
    assert rule["helpUri"] == (
        f"https://github.com/sqlguard/sqlguard/blob/v{__version__}/rules/SG004-non-concurrent-index.md"
    )
    markdown = rule["help"]["markdown"]
    assert markdown.startswith("# SG004 non-concurrent-index\n\n## Why\n")
    assert "## Bad\n```sql\nCREATE INDEX idx_orders_customer ON orders (customer_id);" in markdown
    assert "## More cases" not in markdown  # test cases stay out, as in `sqlguard explain`
    assert rule["help"]["text"].endswith(f"See {rule['helpUri']} or run `sqlguard explain SG004`.")
    assert rule["properties"]["tags"] == ["locking"]


def test_input_errors_have_no_page_but_a_tag() -> None:
    run = _sarif(_lint("broken.sql", "CREAT TABLE t (a int);\n"))
    (rule,) = run["tool"]["driver"]["rules"]
    assert rule["id"] == "E001" and "helpUri" not in rule
    assert rule["properties"]["tags"] == ["input-error"]


def test_file_uris_are_percent_encoded() -> None:
    finding = Diagnostic("SG004", Span(0, 6), "m", name="non-concurrent-index")
    run = _sarif(FileReport("db/my migrations/0001 #1 ü%.sql", INDEX, [finding]))
    location = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location["uri"] == "db/my%20migrations/0001%20%231%20%C3%BC%25.sql"


def test_absolute_paths_outside_the_folder_become_encoded_file_uris(tmp_path: Path) -> None:
    path = tmp_path / "a b.sql"
    finding = Diagnostic("SG004", Span(0, 6), "m", name="non-concurrent-index")
    run = _sarif(FileReport(str(path), INDEX, [finding]))
    uri = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == path.as_uri() and uri.endswith("/a%20b.sql")


def _fingerprints(text: str, path: str = "migrations/0002_index.sql") -> list[str]:
    run = _sarif(_lint(path, text))
    return [r["partialFingerprints"]["sqlguard/v1"] for r in run["results"] if r["ruleId"] == "SG004"]


def test_fingerprints_ignore_lines_above_and_reformatting() -> None:
    before = _fingerprints(INDEX)
    moved = _fingerprints("-- a comment added later\n\nSET lock_timeout = '1s';\n\n" + INDEX)
    reformatted = _fingerprints("CREATE INDEX orders_placed_at_idx\n    ON orders (placed_at);\n")
    assert len(before) == 1
    assert before == moved == reformatted


def test_fingerprints_differ_by_statement_rule_file_and_repeat() -> None:
    other_statement = _fingerprints("CREATE INDEX orders_total_idx ON orders (total);\n")
    other_file = _fingerprints(INDEX, path="migrations/0003_index.sql")
    twice = _fingerprints(INDEX + INDEX)
    original = _fingerprints(INDEX)
    assert len(twice) == 2 and twice[0] == original[0] and twice[1] != twice[0]
    assert len({original[0], other_statement[0], other_file[0], twice[1]}) == 4
