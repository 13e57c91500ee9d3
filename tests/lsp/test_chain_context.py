"""The editor sees a file's chain as CI does: for every layout, the diagnostics published for an
open migration are the ones a whole-chain ``lint FOLDER`` reports for it (over real stdio)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_lsp import LanguageClient

from sqlguard.config import Config
from sqlguard.diagnostics import LineIndex
from sqlguard.engine import Linter
from tests.chains.test_named_file_equals_chain_run import alembic, dbmate, folder_per_migration, numbered_up_down
from tests.lsp.conftest import open_document

Found = list[tuple[str | int | None, int, int]]


def _chain_run(root: Path) -> dict[str, Found]:
    found: dict[str, Found] = {}
    for report in Linter(Config(root=root.parent)).lint_paths([str(root)]).reports:
        lines = LineIndex(report.text)
        found[report.path] = [
            (d.rule, lines.position(d.span.start).line - 1, lines.position(d.span.start).column - 1)
            for d in report.diagnostics
        ]
    return found


@pytest.mark.parametrize("layout", [folder_per_migration, alembic, dbmate, numbered_up_down],
                         ids=lambda layout: layout.__name__)
async def test_every_file_gets_its_chain_run_diagnostics(client: LanguageClient, tmp_path: Path, layout) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "migrations"
    layout(root)
    expected = _chain_run(root)
    assert any(expected.values()), "the chain has no finding at all: the comparison proves nothing"
    for path, wanted in expected.items():
        file = Path(path)
        language = "python" if file.suffix == ".py" else "sql"
        published = await open_document(client, file, file.read_text(encoding="utf-8"), language)
        got = [(d.code, d.range.start.line, d.range.start.character) for d in published.diagnostics]
        assert sorted(got, key=str) == sorted(wanted, key=str), path


async def test_a_document_the_config_excludes_gets_no_diagnostics(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / "sqlguard.toml").write_text('extend-exclude = ["legacy"]\n', encoding="utf-8")
    (tmp_path / "legacy").mkdir()
    published = await open_document(client, tmp_path / "legacy" / "0001_x.sql", "CREATE INDEX i ON t (a);\n")
    assert list(published.diagnostics) == []
    (tmp_path / "current").mkdir()
    published = await open_document(client, tmp_path / "current" / "0001_x.sql", "CREATE INDEX i ON t (a);\n")
    assert [d.code for d in published.diagnostics] == ["SG004"]
