"""The language server: open document → ``Linter.lint_text`` → LSP diagnostics, hover, quick fixes.

Thin on purpose (as Fixit's LSP is over its CLI function): linting, fixes and suppression
rules all live in the engine; this module only schedules work and converts types.
Diagnostics are published on open and save at once, and on change after a short quiet
period (``DEBOUNCE_SECONDS``) so typing does not queue a lint per keystroke.

Start-up is kept short because editors wait for the ``initialize`` answer: the rule pages, the
rule registry (every check module) and pglast's statement cache are loaded by the first lint,
not when the server is built (benchmarks/lsp_startup.py measures spawn to initialize).
"""

from __future__ import annotations

import asyncio
import re
import traceback
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from sqlguard import __version__
from sqlguard.catalogue import RulePage
from sqlguard.config import ConfigError
from sqlguard.diagnostics import Diagnostic, FileReport, Span
from sqlguard.engine import SQL_SUFFIXES
from sqlguard.frontends import PYTHON_SUFFIXES
from sqlguard.lsp import convert
from sqlguard.lsp.project import Project

DEBOUNCE_SECONDS = 0.2
FIX_ALL = f"{types.CodeActionKind.SourceFixAll.value}.sqlguard"  # editors run it on save when asked
LANGUAGE_SUFFIX = {"sql": ".sql", "pgsql": ".sql", "postgres": ".sql", "python": ".py"}
HOVER_SECTIONS = ("Why", "Bad", "Good", "Alembic", "Fix safety")
# Files whose change can change findings in open documents: configs and earlier migrations.
WATCHED_GLOBS = ("**/sqlguard.toml", "**/pyproject.toml", "**/*.sql")
_DIAGNOSTICS_BLOCK = re.compile(r"```diagnostics\n.*?```\n?", re.DOTALL)


@dataclass
class Linted:
    """The last lint of one document version: what hover and code actions answer from."""

    version: int | None
    view: convert.DocumentView
    report: FileReport
    kind: str


class SqlguardServer(LanguageServer):
    """Keeps per-folder settings, pending debounced lints and the last result per document."""

    def __init__(self) -> None:
        super().__init__(
            "sqlguard", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental
        )
        self._project: Project | None = None
        self._pages: dict[str, RulePage] | None = None
        self.freeze_after_warm_up = False  # ``sqlguard lsp`` sets it: see command._quiet_collector
        self.pending: dict[str, asyncio.Task[None]] = {}
        self.linted: dict[str, Linted] = {}
        self.shown_errors: set[str] = set()
        self.relinting: asyncio.Task[None] | None = None

    @property
    def project(self) -> Project:
        """Configs and linters, built by the first lint (importing every check module)."""
        if self._project is None:
            from sqlguard.frontends.sql import enable_statement_cache

            # A long-lived process re-linting the same files on every keystroke: reuse unchanged statements.
            enable_statement_cache()
            self._project = Project()
            if self.freeze_after_warm_up:
                import gc

                gc.collect()
                gc.freeze()  # what the first lint loaded lives as long as the server: never walk it again
        return self._project

    @property
    def pages(self) -> dict[str, RulePage]:
        if self._pages is None:
            from sqlguard.catalogue import load_pages

            self._pages = load_pages()
        return self._pages

    # -- linting -------------------------------------------------------------------------------
    def lint_path(self, uri: str) -> str | None:
        """The file name to lint a document as, or None when it is neither SQL nor Python."""
        document = self.workspace.get_text_document(uri)
        path = to_fs_path(uri) or document.path or uri
        if path.lower().endswith(SQL_SUFFIXES + PYTHON_SUFFIXES):
            return path
        suffix = LANGUAGE_SUFFIX.get(document.language_id or "")
        return path + suffix if suffix else None

    def lint(self, uri: str, *, fresh: bool = False) -> Linted | None:
        """Lint the document's current text; a broken config or a crash becomes one diagnostic.

        Hover and code actions reuse the last lint of the same version; publishing (``fresh``)
        always lints again, because the config or an earlier migration may have changed on disk.
        """
        path = self.lint_path(uri)
        if path is None:
            return None
        document = self.workspace.get_text_document(uri)
        view = convert.DocumentView(document.source, document.position_codec)
        cached = self.linted.get(uri)
        if (
            not fresh
            and cached is not None
            and cached.version == document.version
            and cached.view.text == view.text
        ):
            return cached
        kind = "python" if path.lower().endswith(PYTHON_SUFFIXES) else "sql"
        try:
            linter = self.project.linter(Path(path))
            if linter.excluded(path):  # as on the command line: the config's exclude wins
                report = FileReport(path=path, text=view.text)
            else:
                schema, chain = self.project.context_before(linter, Path(path), view.text)
                report = linter.lint_text(path, view.text, schema=schema, chain=chain)
        except ConfigError as error:
            return self._problem(
                uri, document.version, view, kind, "config", f"sqlguard config error: {error}"
            )
        except Exception as error:  # a bug in sqlguard must not take the editor's server down
            self.window_log_message(
                types.LogMessageParams(type=types.MessageType.Error, message=traceback.format_exc())
            )
            message = f"sqlguard internal error: {type(error).__name__}: {error} (a bug; please report it)"
            return self._problem(uri, document.version, view, kind, "internal", message)
        linted = Linted(document.version, view, report, kind)
        self.linted[uri] = linted
        return linted

    def _problem(
        self, uri: str, version: int | None, view: convert.DocumentView, kind: str, code: str, message: str
    ) -> Linted:
        """One diagnostic at the top of the file plus one window message per distinct problem."""
        if message not in self.shown_errors:
            self.shown_errors.add(message)
            self.window_show_message(types.ShowMessageParams(type=types.MessageType.Error, message=message))
        finding = Diagnostic(code, Span(0, 0), message)
        linted = Linted(version, view, FileReport(path=uri, text=view.text, diagnostics=[finding]), kind)
        self.linted[uri] = linted
        return linted

    def publish(self, uri: str) -> None:
        linted = self.lint(uri, fresh=True)
        if linted is None:
            return
        diagnostics = [
            convert.diagnostic(finding, linted.view, self.pages.get(finding.rule))
            for finding in linted.report.diagnostics
        ]
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=linted.version)
        )

    def publish_later(self, uri: str) -> None:
        self.cancel(uri)
        self.pending[uri] = asyncio.get_running_loop().create_task(self._after_quiet(uri))

    async def _after_quiet(self, uri: str) -> None:
        await asyncio.sleep(DEBOUNCE_SECONDS)
        self.pending.pop(uri, None)
        self.publish(uri)

    def cancel(self, uri: str) -> None:
        task = self.pending.pop(uri, None)
        if task is not None:
            task.cancel()

    def relint_open_documents(self) -> None:
        """Re-lint every open document after a config or migration changed on disk.

        In the background and one document per turn of the event loop, so hover and code
        actions are answered in between (a save announces the saved file to every watcher, and
        linting ten documents in the notification handler kept requests waiting for seconds).
        The caches need no flushing: each checks the stamps of the files it was built from.
        """
        self.linted.clear()
        self.shown_errors.clear()
        if self.relinting is not None:
            self.relinting.cancel()
        uris = list(self.workspace.text_documents)
        self.relinting = asyncio.get_running_loop().create_task(self._relint_one_by_one(uris))

    async def _relint_one_by_one(self, uris: list[str]) -> None:
        await asyncio.sleep(DEBOUNCE_SECONDS)  # one save can announce several files: take them together
        for uri in uris:
            if uri in self.workspace.text_documents:
                self.cancel(uri)
                self.publish(uri)
            await asyncio.sleep(0)  # let waiting requests in before the next document
        self.relinting = None

    async def watch_files(self) -> None:
        """Ask the client to report config and migration changes, when it can register watchers."""
        workspace = self.client_capabilities.workspace
        watched = workspace.did_change_watched_files if workspace is not None else None
        if watched is None or not watched.dynamic_registration:
            return  # such clients send the notification by their own settings, or not at all (mtime still works)
        options = types.DidChangeWatchedFilesRegistrationOptions(
            watchers=[types.FileSystemWatcher(glob_pattern=glob) for glob in WATCHED_GLOBS]
        )
        registration = types.Registration(
            id="sqlguard-watched-files",
            method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=options,
        )
        try:
            await self.client_register_capability_async(
                types.RegistrationParams(registrations=[registration])
            )
        except Exception as error:  # the client refused: config changes are still seen through mtimes
            self.window_log_message(
                types.LogMessageParams(type=types.MessageType.Warning, message=f"cannot watch files: {error}")
            )

    # -- hover and code actions -----------------------------------------------------------------
    def findings_at(self, uri: str, where: types.Range) -> tuple[Linted, list[Diagnostic]] | None:
        linted = self.lint(uri)
        if linted is None:
            return None
        found = [d for d in linted.report.diagnostics if convert.overlaps(linted.view.range(d.span), where)]
        return linted, found

    def hover_text(self, finding: Diagnostic, kind: str) -> str:
        page = self.pages.get(finding.rule)
        lines = [f"**{finding.rule}** {finding.message}"]
        if finding.help:
            lines.append(f"```{kind}\n{finding.help}\n```")
        if page is not None:
            lines.append(
                f"**{page.id} {page.name}** ({page.category}, {page.severity.value}, fix: {page.fix})"
            )
            for title in HOVER_SECTIONS:
                if title in page.sections:
                    body = _DIAGNOSTICS_BLOCK.sub("", page.sections[title]).strip()
                    lines.append(f"### {title}\n{body}")
            lines.append(f"[{page.path.name}]({page.path.resolve().as_uri()})")
        return "\n\n".join(lines)

    def fix_all(self, uri: str) -> types.CodeAction | None:
        """Every safe fix of the file at once (``source.fixAll.sqlguard``), as ``lint --fix`` does."""
        linted = self.lint(uri)
        path = self.lint_path(uri)
        if linted is None or path is None or not any(d.fix and d.fix.safe for d in linted.report.diagnostics):
            return None
        from sqlguard.fixes import fix_text

        linter = self.project.linter(Path(path))
        schema, chain = self.project.context_before(linter, Path(path), linted.view.text)
        outcome = fix_text(linter, path, linted.view.text, schema, chain)
        if not outcome.changed:
            return None
        whole = Span(0, len(linted.view.text))
        edit = types.TextEdit(range=linted.view.range(whole), new_text=outcome.fixed)
        rules = ", ".join(sorted({d.rule for d in outcome.applied}))
        return types.CodeAction(
            title=f"Apply all safe sqlguard fixes ({rules})",
            kind=FIX_ALL,
            edit=types.WorkspaceEdit(changes={uri: [edit]}),
        )

    def code_actions(
        self, uri: str, where: types.Range, only: list[str] | None = None
    ) -> list[types.CodeAction]:
        wanted = only or [types.CodeActionKind.QuickFix, FIX_ALL]
        actions = []
        if any(FIX_ALL.startswith(kind) for kind in wanted):
            fix_all = self.fix_all(uri)
            if fix_all is not None:
                actions.append(fix_all)
        if not any(types.CodeActionKind.QuickFix.startswith(kind) for kind in wanted):
            return actions
        found = self.findings_at(uri, where)
        if found is None:
            return actions
        linted, findings = found
        quick: list[types.CodeAction] = []
        for finding in findings:
            lsp_diagnostic = convert.diagnostic(finding, linted.view, self.pages.get(finding.rule))
            if finding.fix is not None:
                edits = [linted.view.text_edit(edit) for edit in finding.fix.edits]
                quick.append(
                    types.CodeAction(
                        title=f"{finding.fix.title} ({finding.rule})",
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[lsp_diagnostic],
                        is_preferred=finding.fix.safe,
                        edit=types.WorkspaceEdit(changes={uri: edits}),
                    )
                )
            if finding.rule not in self.pages:
                continue  # input and config errors cannot be suppressed
            from sqlguard.lsp.ignore import ignore_edit

            line = linted.view.index.position(finding.span.start).line
            edit = ignore_edit(linted.view.text, linted.kind, line, finding.rule)
            if edit is not None:
                quick.append(
                    types.CodeAction(
                        title=f"Ignore {finding.rule} on this line",
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[lsp_diagnostic],
                        edit=types.WorkspaceEdit(changes={uri: [linted.view.text_edit(edit)]}),
                    )
                )
        return quick + actions


def build_server() -> SqlguardServer:
    """A server with every feature registered (tests and ``sqlguard lsp`` both use this)."""
    server = SqlguardServer()

    @server.feature(types.INITIALIZED)
    async def initialized(ls: SqlguardServer, params: types.InitializedParams) -> None:
        await ls.watch_files()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: SqlguardServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: SqlguardServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.publish_later(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: SqlguardServer, params: types.DidSaveTextDocumentParams) -> None:
        # Lint now, dropping a pending debounced lint. Caches stay: they check file stamps.
        ls.cancel(params.text_document.uri)
        ls.publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: SqlguardServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.cancel(uri)
        ls.linted.pop(uri, None)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: SqlguardServer, params: types.DidChangeWatchedFilesParams) -> None:
        ls.relint_open_documents()

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: SqlguardServer, params: types.HoverParams) -> types.Hover | None:
        at = types.Range(start=params.position, end=params.position)
        found = ls.findings_at(params.text_document.uri, at)
        if not found or not found[1]:
            return None
        linted, findings = found
        text = "\n\n---\n\n".join(ls.hover_text(finding, linted.kind) for finding in findings)
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
            range=linted.view.range(findings[0].span),
        )

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL]),
    )
    def code_action(ls: SqlguardServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        only = [str(kind) for kind in params.context.only] if params.context.only else None
        return ls.code_actions(params.text_document.uri, params.range, only)

    return server
