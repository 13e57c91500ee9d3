"""One golden output per reporter over the bundled example migrations, plus format checks:
JSON parses with 1-based positions, SARIF 2.1.0 validates, GitHub annotations escape properly.

``SQLGUARD_UPDATE_EXAMPLES=1`` rewrites the golden files; review the diff.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import jsonschema
import pytest
import sarif_pydantic

from sqlguard.diagnostics import Diagnostic, FileReport, Severity, Span
from sqlguard.reporters import concise, github, sarif, text
from tests.cli.test_exit_codes import run

GOLDEN = Path(__file__).parent / "golden"
ARGS = ("lint", "fixtures/sql-numbered", "fixtures/sql-dbmate", "--select", "SG001,SG002,SG003,SG004,SG005,SG006")

# The parts of the SARIF 2.1.0 schema that code scanning relies on, written from the spec's
# required properties: version, runs[].tool.driver.name, results with ruleId, a message text,
# a level from the enumeration and 1-based regions.
SARIF_REQUIRED = {
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "version": {"const": "2.1.0"},
        "runs": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["tool", "results"],
                "properties": {
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {
                            "driver": {
                                "type": "object",
                                "required": ["name", "rules"],
                                "properties": {
                                    "rules": {
                                        "type": "array",
                                        "items": {"type": "object", "required": ["id"]},
                                    }
                                },
                            }
                        },
                    },
                    "results": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["ruleId", "message", "locations", "level"],
                            "properties": {
                                "level": {"enum": ["none", "note", "warning", "error"]},
                                "message": {"type": "object", "required": ["text"]},
                                "locations": {
                                    "type": "array",
                                    "minItems": 1,
                                    "items": {
                                        "type": "object",
                                        "required": ["physicalLocation"],
                                        "properties": {
                                            "physicalLocation": {
                                                "type": "object",
                                                "required": ["artifactLocation", "region"],
                                                "properties": {
                                                    "region": {
                                                        "type": "object",
                                                        "required": ["startLine", "startColumn"],
                                                        "properties": {
                                                            "startLine": {"type": "integer", "minimum": 1},
                                                            "startColumn": {"type": "integer", "minimum": 1},
                                                            "endLine": {"type": "integer", "minimum": 1},
                                                            "endColumn": {"type": "integer", "minimum": 1},
                                                        },
                                                    }
                                                },
                                            }
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
}


@pytest.mark.parametrize("output_format", ["text", "concise", "json", "sarif", "github"])
def test_golden_output(output_format: str) -> None:
    result = run(*ARGS, "--format", output_format)
    assert result.returncode == 1, result.stderr
    golden = GOLDEN / f"sql-fixtures.{output_format}"
    if os.environ.get("SQLGUARD_UPDATE_EXAMPLES"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(result.stdout)
    assert result.stdout == golden.read_text()


def test_sarif_is_valid() -> None:
    document = json.loads(run(*ARGS, "--format", "sarif").stdout)
    jsonschema.validate(document, SARIF_REQUIRED)
    log = sarif_pydantic.Sarif.model_validate(document)
    assert log.version == "2.1.0"
    results = document["runs"][0]["results"]
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    assert {r["ruleId"] for r in results} == {rule["id"] for rule in rules}
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)


def test_json_positions_are_one_based() -> None:
    document = json.loads(run(*ARGS, "--format", "json").stdout)
    first = document["diagnostics"][0]
    assert (first["path"], first["rule"], first["start"]) == (
        "fixtures/sql-numbered/0002_create_orders.up.sql",
        "SG001",
        {"line": 3, "column": 8},
    )
    assert first["fix"]["edits"][0] == {
        "start": {"line": 3, "column": 8},
        "end": {"line": 3, "column": 14},
        "text": "bigint GENERATED BY DEFAULT AS IDENTITY",
    }


def test_github_escapes_and_drops_columns_on_multi_line_spans() -> None:
    text = "CREATE INDEX a,b\n  ON t (a);\n"
    one_line = Diagnostic("SG004", Span(0, 5), "50% done\nnext", help="x", severity=Severity.WARNING, name="n")
    multi = Diagnostic("SG004", Span(0, 20), "m", severity=Severity.INFO, name="n")
    out = github.render([FileReport("dir/a,b:c.sql", text, [one_line, multi])]).splitlines()
    assert out[0] == (
        "::warning file=dir/a%2Cb%3Ac.sql,line=1,col=1,endColumn=6,title=SG004 n::50%25 done%0Anext%0Ahelp: x"
    )
    assert out[1] == "::notice file=dir/a%2Cb%3Ac.sql,line=1,endLine=2,title=SG004 n::m"


def test_sarif_of_an_empty_run_is_valid() -> None:
    document = json.loads(sarif.render([FileReport("a.sql", "SELECT 1;\n", [])]))
    jsonschema.validate(document, SARIF_REQUIRED)
    assert document["runs"][0]["results"] == []


def _report_with_controls() -> FileReport:
    source = "SELECT 1;\r\nCREATE INDEX i ON t (a); -- \x1b[31mred\x07\n"
    diagnostic = Diagnostic(
        "SG004", Span(11, 23), "a [bold]message[/bold]\x1b]0;title\x07",
        help="first\nsecond", name="rule-name", why="why",
    )
    return FileReport("m.sql", source, [diagnostic])


def test_text_colour_output_is_the_plain_output_with_styles() -> None:
    report = _report_with_controls()
    plain = text.render([report])
    coloured = text.render([report], color=True)
    assert "\x1b[" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


def test_text_output_escapes_control_characters_and_keeps_brackets() -> None:
    """Messages show controls as escapes; the source line shows one space for each, so the
    caret stays under its column."""
    plain = text.render([_report_with_controls()])
    assert plain.splitlines()[:3] == [
        "m.sql:2:1: SG004 a [bold]message[/bold]\\x1b]0;title\\x07 [rule-name]",
        "2 | CREATE INDEX i ON t (a); --  [31mred ",
        "  | ^^^^^^^^^^^^",
    ]
    assert not set(plain) & {"\x1b", "\x07", "\r"}


def test_concise_positions_are_the_line_index_positions() -> None:
    # The concise reporter counts newlines between findings instead of building a line index;
    # both must place every finding alike: before, on and after newlines, at both ends, past the
    # end, with CRLF, and when findings are not in file order.
    text = "SELECT 1;\r\n\nCREATE INDEX i ON t (a);\nx"
    offsets = [0, 9, 10, 11, 12, 13, 36, 37, len(text), len(text) + 5, -1, 12, 3, 38, 0]
    report = FileReport(
        path="m.sql", text=text, diagnostics=[Diagnostic("SG004", Span(o, o), "m") for o in offsets]
    )
    expected = "".join(
        f"m.sql:{report.lines.position(o).line}:{report.lines.position(o).column}: SG004 m\n" for o in offsets
    )
    assert concise.render([report]) == expected
