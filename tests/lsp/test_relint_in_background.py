"""A change on disk re-lints the open documents in the background: requests are answered first."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import open_document

BAD = "CREATE INDEX idx_a ON orders (a);\n"


async def test_requests_are_answered_before_the_relint_of_open_documents(
    client: LanguageClient, tmp_path: Path
) -> None:
    paths = [tmp_path / f"00{n}_index.sql" for n in range(1, 5)]
    for path in paths:
        await open_document(client, path, BAD)
    for path in paths:
        client.diagnostics.pop(path.as_uri(), None)
    config = tmp_path / "sqlguard.toml"
    config.write_text('ignore = ["SG004"]\n')
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=config.as_uri(), type=types.FileChangeType.Created)]
        )
    )
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=paths[0].as_uri()),
            position=types.Position(line=0, character=3),
        )
    )
    # Before: the notification handler linted all four documents before reading the hover request.
    assert [p.name for p in paths if p.as_uri() in client.diagnostics] == []
    assert hover is None  # answered with the new config: the finding is ignored now
    # Then every open document is re-linted with the new config (they come one loop turn apart,
    # so collect them as they arrive rather than waiting for each in turn).
    uris = [path.as_uri() for path in paths]
    while not all(uri in client.diagnostics for uri in uris):
        await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert [list(client.diagnostics[uri]) for uri in uris] == [[], [], [], []]
