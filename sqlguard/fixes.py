"""Apply the safe machine fixes of a file's findings: used by ``lint --fix``/``--diff`` and the LSP.

A fix is only applied when its rule marked it ``safe``, when its edits do not overlap another
fix chosen in the same round, and when the result parses no worse than the original (a fix
that would introduce a syntax error is dropped, not written). After each round the text is
linted again, because one fix can reveal or settle another finding; a few rounds are enough.
"""

from __future__ import annotations

import codecs
import contextlib
import difflib
import os
import stat
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlguard.context import ChainFacts
from sqlguard.diagnostics import UNREADABLE_FILE, Diagnostic, Edit, FileReport, apply_edits
from sqlguard.engine import Linter, RunResult
from sqlguard.model import Migration
from sqlguard.schema import SchemaState

MAX_ROUNDS = 4


@dataclass
class FileFix:
    """One file before and after its safe fixes, with the findings that were fixed."""

    path: str
    original: str
    fixed: str
    applied: list[Diagnostic] = field(default_factory=list)
    report: FileReport | None = None

    @property
    def changed(self) -> bool:
        return self.fixed != self.original

    def diff(self) -> str:
        """A unified diff of the fix, as ``git apply`` reads it."""
        lines = difflib.unified_diff(
            self.original.splitlines(keepends=True),
            self.fixed.splitlines(keepends=True),
            fromfile=f"a/{self.path}",
            tofile=f"b/{self.path}",
        )
        marker = "\n\\ No newline at end of file\n"
        return "".join(line if line.endswith("\n") else line + marker for line in lines)


def choose_edits(diagnostics: Iterable[Diagnostic]) -> tuple[list[Diagnostic], list[Edit]]:
    """Safe fixes whose edits overlap no fix chosen before them (first in the file wins)."""
    chosen: list[Diagnostic] = []
    edits: list[Edit] = []
    for diagnostic in diagnostics:
        fix = diagnostic.fix
        if fix is None or not fix.safe or not fix.edits:
            continue
        if any(_overlaps(new, old) for new in fix.edits for old in edits):
            continue
        chosen.append(diagnostic)
        edits.extend(fix.edits)
    return chosen, edits


def _overlaps(a: Edit, b: Edit) -> bool:
    """Two edits touch the same text, or insert at the same point (their order would be a guess)."""
    if a.span.start == b.span.start:
        return True
    return a.span.start < b.span.end and b.span.start < a.span.end


def fix_text(
    linter: Linter, path: str, text: str, schema: SchemaState | None = None, chain: ChainFacts | None = None
) -> FileFix:
    """Apply safe fixes to ``text`` until none is left (at most ``MAX_ROUNDS`` rounds).

    ``schema`` is the state *before* this file (earlier files of its chain); every round lints a
    branch of it, so it is left untouched and the caller can still move it past this file.
    """
    base = schema if schema is not None else SchemaState()
    current = text
    applied: list[Diagnostic] = []
    report = linter.lint_text(path, current, schema=base.branch(), chain=chain)
    for _ in range(MAX_ROUNDS):
        chosen, edits = choose_edits(report.diagnostics)
        if not edits:
            break
        candidate = apply_edits(current, edits)
        again = linter.lint_text(path, candidate, schema=base.branch(), chain=chain)
        if _input_errors(again) > _input_errors(report):
            break  # the fix would break the file: keep what we have
        current, report = candidate, again
        applied.extend(chosen)
    return FileFix(path=path, original=text, fixed=current, applied=applied, report=report)


def _input_errors(report: FileReport) -> int:
    return sum(1 for d in report.diagnostics if d.is_input_error)


def fix_run(
    linter: Linter, result: RunResult, paths: Sequence[str] | None = None, *, context: bool = True
) -> list[FileFix]:
    """Fix every readable file of a lint run, each against the schema state just before it in
    its chain (as the run checked it). ``paths`` None: the run linted one text from stdin."""
    if paths is None:
        return [_fix_report(linter, report) for report in result.reports]
    fixed: dict[str, FileFix] = {}

    def visit(migration: Migration, state: SchemaState, chain: ChainFacts | None) -> FileReport:
        outcome = fix_text(linter, migration.path, migration.text, state, chain)
        linter.advance(state, migration)
        fixed[migration.path] = outcome
        return outcome.report or FileReport(path=migration.path, text=migration.text)

    linter.lint_paths(paths, context=context, visit=visit)
    return [fixed.get(report.path) or _unchanged(report) for report in result.reports]


def _fix_report(linter: Linter, report: FileReport) -> FileFix:
    if any(d.rule == UNREADABLE_FILE for d in report.diagnostics):
        return _unchanged(report)
    return fix_text(linter, report.path, report.text)


def _unchanged(report: FileReport) -> FileFix:
    return FileFix(path=report.path, original=report.text, fixed=report.text, report=report)


class WriteError(Exception):
    """A fixed file could not be written; the original is left as it was. The message says why."""


def write_fixed(path: Path, text: str, *, root: Path | None = None) -> None:
    """Replace the file by ``text`` as it was read (UTF-8, its line endings, a byte-order mark
    kept), atomically: the new bytes go to a temporary file beside it, are flushed to disk, get
    the file's mode (and owner, where allowed), and only then take its name with ``os.replace``.
    A failure at any step (full disk, file-size limit, read-only folder) leaves the original
    bytes untouched and raises ``WriteError``; writing in place would leave it cut short.

    A symbolic link is written through only when its target lies under ``root`` (default: the
    current folder), so a link in a repository cannot make ``--fix`` write elsewhere; the link
    itself is kept. A file without write permission is left alone."""
    target = Path(os.path.realpath(path))
    top = Path(os.path.realpath(root if root is not None else os.getcwd()))
    if path.is_symlink() and not target.is_relative_to(top):
        raise WriteError(f"a symbolic link to {target}, outside {top}")
    try:
        status = os.stat(target)
        original = target.read_bytes()
    except OSError as error:
        raise WriteError(f"cannot read it: {error.strerror or error}") from error
    if not stat.S_ISREG(status.st_mode):
        raise WriteError("not a regular file")
    if not status.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(target, os.W_OK):
        raise WriteError("the file is read-only")
    try:
        data = (codecs.BOM_UTF8 if original.startswith(codecs.BOM_UTF8) else b"") + text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise WriteError(f"the fixed text is not valid UTF-8 ({error.reason})") from error
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".sqlguard-fix")
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, stat.S_IMODE(status.st_mode))
        if hasattr(os, "chown") and (status.st_uid, status.st_gid) != _owner(temporary):
            with contextlib.suppress(OSError):  # only root may give a file away; the mode is kept
                os.chown(temporary, status.st_uid, status.st_gid)
        os.replace(temporary, target)
        temporary = None
    except OSError as error:
        raise WriteError(f"cannot write it: {error.strerror or error}") from error
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def _owner(path: str) -> tuple[int, int]:
    status = os.stat(path)
    return status.st_uid, status.st_gid


def summary(fixes: Sequence[FileFix], *, written: bool) -> str:
    """One line for stderr: how many findings were (or would be) fixed, in how many files."""
    count = sum(len(f.applied) for f in fixes)
    files = sum(1 for f in fixes if f.changed)
    if not count:
        return "no safe fixes available"
    rules = ", ".join(sorted({d.rule for f in fixes for d in f.applied}))
    verb = "fixed" if written else "would fix"
    findings = f"{count} finding{'s' if count != 1 else ''}"
    return f"{verb} {findings} in {files} file{'s' if files != 1 else ''} ({rules})"
