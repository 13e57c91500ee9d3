"""The cache's codec: every migration the front ends make comes back equal, and nothing but
sqlguard's own value classes, with fields of their declared types, can come out of it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from sqlguard import codec
from sqlguard.config import Config
from sqlguard.diagnostics import Diagnostic, Edit, Fix, Severity, Span
from sqlguard.engine import Linter
from sqlguard.frontends import parse_file
from sqlguard.model import CreateIndex, Migration

REPO = Path(__file__).resolve().parents[2]
SOURCES = sorted(p for p in (REPO / "fixtures").rglob("*") if p.suffix in {".sql", ".py"} and p.is_file())


def test_every_fixture_migration_and_report_round_trips() -> None:
    """Equality of records compares field values, so a tuple read back as a list, or a str where
    a Severity was, fails here."""
    assert len(SOURCES) > 100
    linter = Linter(Config(), jobs=1)
    for path in SOURCES:
        text = path.read_text(encoding="utf-8", errors="replace")
        migration = dataclasses.replace(parse_file(str(path), text, Config()), text="")
        assert codec.decode(codec.encode(migration)) == migration, path
        report = linter.lint_text(str(path), text)
        assert codec.decode(codec.encode(report.diagnostics)) == report.diagnostics, path


def test_values_keep_their_types() -> None:
    diagnostic = Diagnostic("SG004", Span(1, 2), "m", fix=Fix("t", (Edit.insert(3, " X"),)), severity=Severity.INFO)
    back = codec.decode(codec.encode(diagnostic))
    assert back == diagnostic and type(back.severity) is Severity and type(back.fix.edits) is tuple
    index = CreateIndex(span=Span(0, 1), statement_span=Span(0, 1), table="t", name=None, columns=("a", None),
                        qualified_names=frozenset({"s.t", "a"}))
    back_index = codec.decode(codec.encode(index))
    assert back_index == index and type(back_index.qualified_names) is frozenset


@pytest.mark.parametrize("text", [
    '{"Config":[]}',  # a sqlguard class, but not a value class of the model
    '{"Linter":[]}',
    '{"Record":[]}',  # the records' base, from sqlguard.records
    '{"dataclass":[]}',  # a name in sqlguard.model that is no class
    '{"system":["touch x"]}',
    '{"Span":[1]}',  # too few fields
    '{"Span":[1,2,3]}',
    '{"Span":[1,"2"]}',  # a field of the wrong type
    '{"Span":[true,2]}',  # a bool is no int here
    '{"Span":[1,2],"Edit":[]}',  # two classes in one object
    '{"Edit":[{"Span":[1,2]},3]}',
    '{"Diagnostic":["SG004",{"Span":[1,2]},"m",null,null,"fatal","",""]}',  # no such Severity
    '{"Fix":["t",[{"Span":[1,2]}],true]}',  # a Span where an Edit must be
    "[" * 50_000 + "]" * 50_000,
])
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        codec.decode(text)


def test_encoding_refuses_what_it_cannot_read_back() -> None:
    with pytest.raises(TypeError):
        codec.encode(Migration(path="p", text="", revision=object()))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        codec.encode(Path("x"))
