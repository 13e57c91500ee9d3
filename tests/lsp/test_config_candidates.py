"""A client that watches no files (Neovim 0.7, say) still sees configs created or deleted on disk.

The ``client`` fixture announces no watched-file capability and sends no change notifications:
only the next lint (a ``didChange`` here) can notice what happened on disk.
"""

from __future__ import annotations

from pathlib import Path

from pytest_lsp import LanguageClient

from tests.lsp.conftest import change_all, diagnostics_for, open_document

BAD = "CREATE INDEX idx_a ON orders (a);\n"


async def _codes(client: LanguageClient, path: Path, version: int) -> list[object]:
    change_all(client, path.as_uri(), version, BAD)
    return [d.code for d in (await diagnostics_for(client, path.as_uri())).diagnostics]


async def test_a_config_created_while_running_applies_on_the_next_lint(
    client: LanguageClient, tmp_path: Path
) -> None:
    (tmp_path / "db").mkdir()
    path = tmp_path / "db" / "001.sql"
    assert [d.code for d in (await open_document(client, path, BAD)).diagnostics] == ["SG004"]
    (tmp_path / "sqlguard.toml").write_text('ignore = ["SG004"]\n')
    assert await _codes(client, path, 2) == []


async def test_a_deleted_config_falls_back_to_defaults_not_to_an_error(
    client: LanguageClient, tmp_path: Path
) -> None:
    config = tmp_path / "sqlguard.toml"
    config.write_text('ignore = ["SG004"]\n')
    path = tmp_path / "001.sql"
    assert list((await open_document(client, path, BAD)).diagnostics) == []
    config.unlink()
    assert await _codes(client, path, 2) == ["SG004"]  # not "config file not found"
    config.write_text('ignore = ["SG004"]\n')
    assert await _codes(client, path, 3) == []


async def test_a_nearer_config_wins_once_created_and_a_pyproject_table_counts(
    client: LanguageClient, tmp_path: Path
) -> None:
    (tmp_path / "sqlguard.toml").write_text('ignore = ["SG004"]\n')
    folder = tmp_path / "db"
    folder.mkdir()
    path = folder / "001.sql"
    assert list((await open_document(client, path, BAD)).diagnostics) == []
    (folder / "pyproject.toml").write_text('[project]\nname = "x"\n')  # no [tool.sqlguard]: not a config
    assert await _codes(client, path, 2) == []
    (folder / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.sqlguard]\nignore = []\n')
    assert await _codes(client, path, 3) == ["SG004"]
