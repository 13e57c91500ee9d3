"""Engine findings → LSP types. The only place where 0-based lines and client units appear.

The engine speaks character offsets; LSP speaks 0-based lines and columns in the client's
units (UTF-16 unless negotiated otherwise). pygls' position codec does the unit conversion;
``LineIndex`` gives the 1-based line and column we subtract one from here, once.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec, ServerTextPosition

from sqlguard.catalogue import RulePage
from sqlguard.diagnostics import Diagnostic, Edit, LineIndex, Severity, Span

SOURCE = "sqlguard"
_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}


class DocumentView:
    """One version of a document's text, able to turn spans into LSP ranges and back."""

    def __init__(self, text: str, codec: PositionCodec) -> None:
        self.text = text
        self.index = LineIndex(text)
        # pygls codecs index lines the way LSP clients count them: split on "\n", keep the ends.
        self.lines: Sequence[str] = text.splitlines(keepends=True) or [""]
        self.codec = codec

    def position(self, offset: int) -> types.Position:
        one_based = self.index.position(offset)
        server = ServerTextPosition(
            line=one_based.line - 1, character=one_based.column - 1
        )  # 0-based for LSP
        if server.line >= len(self.lines):
            return types.Position(line=server.line, character=0)
        if self.lines[server.line][: server.character].isascii():
            # One unit per character in UTF-8, UTF-16 and UTF-32 alike: no conversion to do
            # (the codec walks the line character by character, the bulk of a publish).
            return types.Position(line=server.line, character=server.character)
        return self.codec.position_to_client_units(self.lines, server)

    def range(self, span: Span) -> types.Range:
        return types.Range(start=self.position(span.start), end=self.position(max(span.end, span.start)))

    def offset(self, position: types.Position) -> int:
        """Character offset of a client position (clamped to the text)."""
        if position.line >= len(self.lines):
            return len(self.text)
        server = self.codec.position_from_client_units(self.lines, position)
        return self.index.offset(server.line + 1, server.character + 1)  # back to 1-based for LineIndex

    def text_edit(self, edit: Edit) -> types.TextEdit:
        return types.TextEdit(range=self.range(edit.span), new_text=edit.text)


def diagnostic(finding: Diagnostic, view: DocumentView, page: RulePage | None) -> types.Diagnostic:
    """A finding as an LSP diagnostic: rule id as code, the rule page as its link."""
    message = finding.message if not finding.help else f"{finding.message}\nhelp: {finding.help}"
    return types.Diagnostic(
        range=view.range(finding.span),
        message=message,
        severity=_SEVERITY.get(finding.severity, types.DiagnosticSeverity.Error),
        code=finding.rule,
        code_description=types.CodeDescription(href=_page_uri(page.path)) if page is not None else None,
        source=SOURCE,
        data={"rule": finding.rule, "start": finding.span.start, "end": finding.span.end},
    )


@functools.cache
def _page_uri(path: Path) -> str:
    """The rule page's ``file://`` link, resolved once per page (resolving stats every folder)."""
    return path.resolve().as_uri()


def overlaps(a: types.Range, b: types.Range) -> bool:
    """Ranges touch (inclusive ends, so a cursor at a finding's edge still counts)."""
    a_start, a_end = (a.start.line, a.start.character), (a.end.line, a.end.character)
    b_start, b_end = (b.start.line, b.start.character), (b.end.line, b.end.character)
    return a_start <= b_end and b_start <= a_end
