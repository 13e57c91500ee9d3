"""`sqlguard rules` shows what a rule applies to: version notes, dialects, opt-in state."""

from __future__ import annotations

import json

from click.testing import CliRunner

from sqlguard.cli import cli


def _rows() -> dict[str, dict[str, str]]:
    result = CliRunner().invoke(cli, ["rules", "--format", "json"])
    assert result.exit_code == 0, result.output
    return {row["id"]: row for row in json.loads(result.output)}


def test_rules_show_version_notes_dialects_and_opt_in() -> None:
    rows = _rows()
    assert rows["SG043"]["versions"] == "all (<12 fails)"
    assert rows["SG065"]["dialects"] == "mysql"
    assert rows["SG030"]["dialects"] == "postgres, mysql, sqlite"
    assert rows["SG004"]["dialects"] == "postgres"
    assert [rows[i]["default"] for i in ("SG053", "SG054", "SG060", "SG061", "SG062", "SG063", "SG064")] == ["off"] * 7
    assert rows["SG030"]["default"] == "on"
    assert rows["SG050"]["default"] == "off" and rows["SG050"]["category"] == "locking"


def test_rules_table_is_not_truncated() -> None:
    result = CliRunner().invoke(cli, ["rules"], env={"NO_COLOR": "1"})
    line = next(line for line in result.output.splitlines() if line.startswith("SG043"))
    assert "enum-value-in-transaction" in line and "all (<12 fails)" in line and line.rstrip().endswith("postgres")


def test_the_why_line_under_each_finding_states_the_hazard() -> None:
    """The first sentence of Why is printed under every finding: it must be the hazard itself,
    not a note about enabling the rule, and not cut short at an ellipsis inside the sentence."""
    for rule_id, row in _rows().items():
        summary = row["summary"]
        assert not summary.startswith("Off by default"), rule_id
        assert not summary.endswith("..."), f"{rule_id}: {summary}"
        assert len(summary) > 40, f"{rule_id}: {summary}"
