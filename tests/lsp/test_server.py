"""The language server over real stdio: diagnostics on open/change/save, hover, quick fixes, config."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.lsp.conftest import (
    SERVER_COMMAND,
    SERVER_ENV,
    apply_text_edits,
    change_all,
    diagnostics_for,
    open_document,
)

BAD = "SELECT 1;\n  CREATE INDEX idx_a ON orders (a);\n"


def _range(start: tuple[int, int], end: tuple[int, int]) -> types.Range:
    return types.Range(
        start=types.Position(line=start[0], character=start[1]),
        end=types.Position(line=end[0], character=end[1]),
    )


async def test_open_publishes_rule_id_link_and_exact_range(client: LanguageClient, tmp_path: Path) -> None:
    published = await open_document(client, tmp_path / "001_index.sql", BAD)
    [diagnostic] = published.diagnostics
    assert diagnostic.range == _range((1, 2), (1, 34))
    assert diagnostic.code == "SG004"
    assert diagnostic.source == "sqlguard"
    assert diagnostic.severity == types.DiagnosticSeverity.Error
    assert diagnostic.message == (
        'CREATE INDEX on "orders" blocks writes to it until the index is built\n'
        "help: CREATE INDEX CONCURRENTLY idx_a ON orders (a);"
    )
    assert diagnostic.code_description is not None
    assert diagnostic.code_description.href.endswith("/rules/SG004-non-concurrent-index.md")


async def test_columns_are_utf16_code_units(client: LanguageClient, tmp_path: Path) -> None:
    published = await open_document(client, tmp_path / "emoji.sql", "/* 😀 */ CREATE INDEX i ON t (a);\n")
    assert [d.range for d in published.diagnostics] == [_range((0, 9), (0, 32))]


async def test_changes_are_debounced_into_one_lint_of_the_latest_text(
    client: LanguageClient, tmp_path: Path
) -> None:
    path = tmp_path / "m.sql"
    uri = path.as_uri()
    await open_document(client, path, "SELECT 1;\n")
    change_all(client, uri, 2, "CREATE INDEX i ON t (a);\n")
    change_all(client, uri, 3, "SELECT 2;\n")
    change_all(client, uri, 4, "SELECT 2;\nDROP INDEX i;\n")
    published = await diagnostics_for(client, uri)
    assert published.version == 4  # versions 2 and 3 were never linted on their own
    assert [(d.code, d.range.start.line, d.range.start.character) for d in published.diagnostics] == [
        ("SG004", 1, 0)
    ]


async def test_incremental_change_and_save(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "m.sql"
    uri = path.as_uri()
    await open_document(client, path, BAD)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(range=_range((1, 15), (1, 15)), text="CONCURRENTLY ")
            ],
        )
    )
    assert list((await diagnostics_for(client, uri)).diagnostics) == []
    path.write_text("CREATE INDEX CONCURRENTLY idx_a ON orders (a);\n")
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert list((await diagnostics_for(client, uri)).diagnostics) == []


async def test_broken_file_gets_an_error_diagnostic_and_the_server_keeps_going(
    client: LanguageClient, tmp_path: Path
) -> None:
    path = tmp_path / "broken.sql"
    published = await open_document(client, path, "SELECT 1;\nCREATE INDEXX i ON t (a);\n")
    [diagnostic] = published.diagnostics
    assert (diagnostic.code, diagnostic.range.start) == ("E001", types.Position(line=1, character=7))
    assert diagnostic.severity == types.DiagnosticSeverity.Error
    change_all(client, path.as_uri(), 2, "CREATE INDEX i ON t (a);\n")
    assert [d.code for d in (await diagnostics_for(client, path.as_uri())).diagnostics] == ["SG004"]


async def test_hover_shows_the_rule_page(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "m.sql"
    await open_document(client, path, BAD)
    document = types.TextDocumentIdentifier(uri=path.as_uri())
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=document, position=types.Position(line=1, character=10))
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    text = hover.contents.value
    assert text.startswith('**SG004** CREATE INDEX on "orders" blocks writes')
    assert "**SG004 non-concurrent-index** (locking, error, fix: sometimes)" in text
    assert "### Why\nWithout CONCURRENTLY, building, dropping or rebuilding an index locks" in text
    assert "```diagnostics" not in text
    assert hover.range == _range((1, 2), (1, 34))
    nothing = await client.text_document_hover_async(
        types.HoverParams(text_document=document, position=types.Position(line=0, character=3))
    )
    assert nothing is None


async def _actions(
    client: LanguageClient, uri: str, where: types.Range, only: list[str] | None = None
) -> list[types.CodeAction]:
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=where,
            context=types.CodeActionContext(diagnostics=[], only=only),
        )
    )
    assert result is not None
    return [action for action in result if isinstance(action, types.CodeAction)]


async def test_code_actions_fix_and_ignore_apply_cleanly(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "m.sql"
    uri = path.as_uri()
    await open_document(client, path, BAD)
    actions = await _actions(client, uri, _range((1, 5), (1, 5)), only=[types.CodeActionKind.QuickFix])
    assert [(a.title, a.kind, a.is_preferred) for a in actions] == [
        ("Add CONCURRENTLY (SG004)", types.CodeActionKind.QuickFix, True),
        ("Ignore SG004 on this line", types.CodeActionKind.QuickFix, None),
    ]
    fixed = []
    for action in actions:
        assert action.edit is not None and action.edit.changes is not None
        assert action.diagnostics is not None and action.diagnostics[0].code == "SG004"
        fixed.append(apply_text_edits(BAD, list(action.edit.changes[uri])))
    assert fixed == [
        "SELECT 1;\n  CREATE INDEX CONCURRENTLY idx_a ON orders (a);\n",
        "SELECT 1;\n  -- sqlguard: ignore[SG004]\n  CREATE INDEX idx_a ON orders (a);\n",
    ]
    for version, text in enumerate(fixed, start=2):
        change_all(client, uri, version, text)
        assert list((await diagnostics_for(client, uri)).diagnostics) == []
    assert await _actions(client, uri, _range((0, 0), (0, 0))) == []


async def test_config_is_found_cached_and_reloaded(client: LanguageClient, tmp_path: Path) -> None:
    config = tmp_path / "sqlguard.toml"
    config.write_text('ignore = ["SG004"]\n')
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    path = migrations / "001.sql"
    uri = path.as_uri()
    assert list((await open_document(client, path, BAD)).diagnostics) == []

    config.write_text("ignore = [\n")  # broken TOML, announced by the client's file watcher
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=config.as_uri(), type=types.FileChangeType.Changed)]
        )
    )
    [problem] = (await diagnostics_for(client, uri)).diagnostics
    assert problem.range == _range((0, 0), (0, 0))
    assert problem.code == "config"
    assert problem.message.startswith(f"sqlguard config error: {config}: invalid TOML")
    assert client.messages[-1].type == types.MessageType.Error

    config.write_text("ignore = []\ntarget-version = 13\n")  # no notification: the mtime tells
    change_all(client, uri, 2, BAD)
    assert [d.code for d in (await diagnostics_for(client, uri)).diagnostics] == ["SG004"]


def test_lsp_without_pygls_prints_the_install_hint_and_exits_2() -> None:
    blocked = (
        "import sys; sys.modules['pygls'] = None; sys.argv = ['sqlguard', 'lsp']; "
        "from sqlguard.cli import main; main()"
    )
    result = subprocess.run(
        [sys.executable, "-c", blocked], env=SERVER_ENV, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert result.stderr == "sqlguard: error: the language server needs pygls: pip install 'sqlguard[lsp]'\n"


async def test_earlier_migrations_in_the_folder_feed_the_schema(
    client: LanguageClient, tmp_path: Path
) -> None:
    (tmp_path / "001_create.sql").write_text(
        "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint);\n"
        "CREATE INDEX idx_orders_customer ON orders (customer_id);\n"
    )
    fk = "ALTER TABLE orders ADD CONSTRAINT fk_c FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;\n"
    # 002 comes after 001: the index made there covers the foreign key.
    assert list((await open_document(client, tmp_path / "002_fk.sql", fk)).diagnostics) == []
    # 000 comes before it: no index is known yet, so SG002 fires at the constraint.
    published = await open_document(client, tmp_path / "000_fk.sql", fk)
    assert [(d.code, d.range.start.line, d.range.start.character) for d in published.diagnostics] == [
        ("SG002", 0, 23)
    ]


WATCHING = types.ClientCapabilities(
    workspace=types.WorkspaceClientCapabilities(
        did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(dynamic_registration=True)
    )
)


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER_COMMAND, server_env=SERVER_ENV))
async def watching_client(lsp_client: LanguageClient, tmp_path: Path) -> AsyncIterator[None]:
    registered: asyncio.Future[types.RegistrationParams] = asyncio.get_running_loop().create_future()
    lsp_client.registered = registered  # type: ignore[attr-defined]

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        if not registered.done():
            registered.set_result(params)

    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=WATCHING, root_uri=tmp_path.as_uri())
    )
    yield
    await lsp_client.shutdown_session()


async def test_server_asks_to_watch_configs_and_migrations(watching_client: LanguageClient) -> None:
    params = await asyncio.wait_for(watching_client.registered, 30)  # type: ignore[attr-defined]
    [registration] = params.registrations
    assert registration.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    globs = [watcher["globPattern"] for watcher in registration.register_options["watchers"]]
    assert globs == ["**/sqlguard.toml", "**/pyproject.toml", "**/*.sql"]


async def test_close_clears_diagnostics_and_other_files_are_left_alone(
    client: LanguageClient, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.txt"
    notes_uri = notes.as_uri()
    notes.write_text("CREATE INDEX i ON t (a);\n")
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=notes_uri, language_id="plaintext", version=1, text=notes.read_text()
            )
        )
    )
    path = tmp_path / "m.sql"
    assert [d.code for d in (await open_document(client, path, BAD)).diagnostics] == ["SG004"]
    # Notifications arrive in order: had notes.txt been linted, its diagnostics would be here by now.
    assert notes_uri not in client.diagnostics
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=path.as_uri()))
    )
    assert list((await diagnostics_for(client, path.as_uri())).diagnostics) == []


async def test_fix_all_source_action_applies_every_safe_fix(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "m.sql"
    uri = path.as_uri()
    text = "CREATE TABLE t (id serial PRIMARY KEY, at timestamp);\nCREATE INDEX a ON orders (x);\nDROP INDEX b;\n"
    await open_document(client, path, text)
    everything = await _actions(client, uri, _range((0, 0), (0, 0)))
    assert [a.kind for a in everything] == ["source.fixAll.sqlguard"]  # no finding under the cursor
    [action] = await _actions(client, uri, _range((0, 0), (0, 0)), only=["source.fixAll"])
    assert action.title == "Apply all safe sqlguard fixes (SG001, SG003, SG004)"
    assert action.edit is not None and action.edit.changes is not None
    fixed = apply_text_edits(text, list(action.edit.changes[uri]))
    assert fixed == (
        "CREATE TABLE t (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, at timestamptz);\n"
        "CREATE INDEX CONCURRENTLY a ON orders (x);\nDROP INDEX CONCURRENTLY b;\n"
    )
    change_all(client, uri, 2, fixed)
    assert list((await diagnostics_for(client, uri)).diagnostics) == []
    assert await _actions(client, uri, _range((0, 0), (0, 0)), only=["source.fixAll"]) == []


async def test_save_relints_with_a_config_changed_on_disk(client: LanguageClient, tmp_path: Path) -> None:
    config = tmp_path / "sqlguard.toml"
    config.write_text('ignore = ["SG004"]\n')
    path = tmp_path / "m.sql"
    assert list((await open_document(client, path, BAD)).diagnostics) == []
    config.write_text("ignore = []\n")  # same document version; only the config's mtime changed
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=path.as_uri()))
    )
    assert [d.code for d in (await diagnostics_for(client, path.as_uri())).diagnostics] == ["SG004"]
