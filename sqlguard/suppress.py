"""Inline suppressions: ``-- sqlguard: ignore[SG004]`` in SQL, ``# sqlguard: ignore[SG007]`` in Python.

A directive alone on its line covers the next line; at the end of a line it covers that line.
``sqlguard: ignore-file`` (optionally with ids) covers the whole file. squawk's
``-- squawk-ignore rule-name`` and ``-- squawk-ignore-file`` are understood too, mapped to our
ids, so teams moving from squawk keep their comments.

Comments are found with the real lexers (pglast's scanner, Python's tokenize), so a string that
happens to contain "sqlguard: ignore" does not count.
"""

from __future__ import annotations

import io
import tokenize
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from sqlguard.diagnostics import Diagnostic, LineIndex

ALL = "*"
_MARKERS = ("sqlguard:", "squawk-ignore")


@dataclass
class Suppressions:
    """Which rules are silenced for the whole file and for each 1-based line."""

    whole_file: set[str] = field(default_factory=set)
    by_line: dict[int, set[str]] = field(default_factory=dict)

    def covers(self, line: int, rule_ids: set[str]) -> bool:
        if ALL in self.whole_file or rule_ids & self.whole_file:
            return True
        on_line = self.by_line.get(line)
        return on_line is not None and (ALL in on_line or bool(rule_ids & on_line))

    def __bool__(self) -> bool:
        return bool(self.whole_file or self.by_line)


def find_suppressions(text: str, kind: str, aliases: Mapping[str, str]) -> Suppressions:
    """Read the directives of a file. ``aliases`` maps lower-case names (ours, squawk's) to ids
    (comma-separated where one squawk name covers several rules)."""
    found = Suppressions()
    if not any(marker in text for marker in _MARKERS):
        return found
    lines = LineIndex(text)
    for offset, comment in _comments(text, kind):
        directive = _directive(comment)
        if directive is None:
            continue
        scope, names = directive
        ids = {rule for name in names for rule in aliases.get(name.lower(), name.upper()).split(",")} or {ALL}
        if scope == "file":
            found.whole_file |= ids
            continue
        position = lines.position(offset)
        before = lines.line_text(position.line)[: position.column - 1]
        target = position.line + 1 if not before.strip() else position.line
        found.by_line.setdefault(target, set()).update(ids)
    return found


def apply_suppressions(diagnostics: list[Diagnostic], suppressions: Suppressions, text: str) -> list[Diagnostic]:
    """Drop diagnostics silenced by ``suppressions``; input errors are never silenced."""
    if not suppressions:
        return diagnostics
    lines = LineIndex(text)
    kept = []
    for diagnostic in diagnostics:
        line = lines.position(diagnostic.span.start).line
        ids = {diagnostic.rule, diagnostic.name} if diagnostic.name else {diagnostic.rule}
        if diagnostic.is_input_error or not suppressions.covers(line, ids):
            kept.append(diagnostic)
    return kept


def _directive(comment: str) -> tuple[str, list[str]] | None:
    """``("line"|"file", names)`` for a suppression comment, else None."""
    body = comment.strip().lstrip("-#/*").strip().removesuffix("*/").strip()
    lowered = body.lower()
    if lowered.startswith("sqlguard:"):
        rest = body[len("sqlguard:") :].strip()
        for word, scope in (("ignore-file", "file"), ("ignore", "line")):
            if rest.lower().startswith(word):
                tail = rest[len(word) :].strip()
                if tail.startswith("["):
                    return scope, _names(tail[1 : tail.find("]") if "]" in tail else len(tail)])
                return scope, []
        return None
    for word, scope in (("squawk-ignore-file", "file"), ("squawk-ignore", "line")):
        if lowered.startswith(word):
            return scope, _names(body[len(word) :])
    return None


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.replace(" ", ",").split(",") if part.strip()]


def _comments(text: str, kind: str) -> Iterator[tuple[int, str]]:
    if kind == "python":
        yield from _python_comments(text)
    else:
        yield from _sql_comments(text)


def _sql_comments(text: str) -> Iterator[tuple[int, str]]:
    from pglast import parser  # here, not at the top: only files that hold a directive need it

    try:
        tokens = parser.scan(text)
    except parser.ParseError:
        yield from _line_comments(text, "--")
        return
    for token in tokens:
        if token.name in ("SQL_COMMENT", "C_COMMENT"):
            yield token.start, text[token.start : token.end + 1]
        elif token.name == "SCONST" and text.startswith("$", token.start):
            # A dollar-quoted body (DO, CREATE FUNCTION): its statements are checked, so its
            # comments silence its lines as in the file around it.
            raw = text[token.start : token.end + 1]
            if any(marker in raw for marker in _MARKERS):
                tag = raw[: raw.index("$", 1) + 1]
                for offset, comment in _sql_comments(raw[len(tag) : len(raw) - len(tag)]):
                    yield token.start + len(tag) + offset, comment


def _python_comments(text: str) -> Iterator[tuple[int, str]]:
    lines = LineIndex(text)
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                yield lines.offset(token.start[0], token.start[1] + 1), token.string
            elif token.type == tokenize.STRING and any(marker in token.string for marker in _MARKERS):
                # SQL in a string (op.execute("""...""")): its own -- comments silence its lines,
                # since no Python comment can sit between them.
                start = lines.offset(token.start[0], token.start[1] + 1)
                for offset, comment in _string_sql_comments(token.string):
                    yield start + offset, comment
    except (tokenize.TokenError, SyntaxError):
        yield from _line_comments(text, "#")


def _string_sql_comments(literal: str) -> Iterator[tuple[int, str]]:
    """SQL comments inside a Python string literal's source, at offsets into that source."""
    body = literal.lstrip("rRbBuUfF")
    quote = body[:3] if body[:3] in ('"""', "'''") else body[:1]
    content_start = len(literal) - len(body) + len(quote)
    content = literal[content_start : len(literal) - len(quote)]
    for offset, comment in _sql_comments(content):
        yield content_start + offset, comment


def _line_comments(text: str, marker: str) -> Iterator[tuple[int, str]]:
    """Fallback when the lexer gives up (a broken file): comments found line by line."""
    offset = 0
    for line in text.splitlines(keepends=True):
        index = line.find(marker)
        if index != -1:
            yield offset + index, line[index:]
        offset += len(line)
