"""The rule catalogue: one Markdown page per rule in ``rules/``, read as data.

``sqlguard rules``, ``sqlguard explain``, LSP hover and the tests all read these pages, so the
examples users see are the examples the tests run. A page has a small front matter (id, name,
category, severity, fix) and fixed ``##`` headings (Why, Bad, Good, then optional sections).

A code fence may carry ``file=NAME`` (lint the block as that file) and ``target=N`` (lint it
with ``target-version`` N, for behaviour that depends on the PostgreSQL version, e.g.
```` ```sql target=10 ````). An optional ``versions:`` front matter key is the free-text
version applicability that ``sqlguard rules`` shows (default: ``PG min_version+`` or ``all``).
``dialects: postgres, mysql, sqlite`` lists the SQL dialects a rule runs on (default: postgres
only, since most advice is PostgreSQL's); ```` ```mysql ```` and ```` ```sqlite ```` blocks are
linted with that dialect. ``opt_in: true`` keeps a rule off unless selected.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlguard.diagnostics import Severity

REQUIRED_SECTIONS = ("Why", "Bad", "Good")
OPTIONAL_SECTIONS = ("Alembic", "Fix safety", "Known problems", "More cases", "References")
FIX_PROMISES = ("never", "sometimes", "always")
CATEGORIES = ("correctness", "locking", "types", "reversibility", "security", "breaking", "convention")
# Opt-in categories are off unless selected by name (``select = ["convention"]``).
OPT_IN_CATEGORIES = frozenset({"convention"})
CODE_LANGUAGES = ("sql", "python", "mysql", "sqlite")


class CatalogueError(Exception):
    """A rule page is malformed (a bug in sqlguard itself, caught by the tests)."""


@dataclass(frozen=True)
class Example:
    """A code block of a page and the concise diagnostics expected from it (may be empty)."""

    section: str
    index: int
    language: str
    code: str
    expected: str | None
    filename: str | None = None
    # ```sql target=11 lints the block with target-version 11 (version-aware rules show both sides).
    target_version: int | None = None
    # ```sql require-down=file lints the block as one file of a chain that has down migrations.
    require_down: str | None = None

    @property
    def label(self) -> str:
        return f"{self.section.lower().replace(' ', '-')}-{self.index}"


@dataclass(frozen=True)
class RulePage:
    id: str
    name: str
    category: str
    severity: Severity
    fix: str
    path: Path
    sections: dict[str, str]
    examples: tuple[Example, ...]
    min_version: int | None = None
    opt_in: bool = False
    aliases: tuple[str, ...] = ()
    squawk: tuple[str, ...] = ()
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        """The first sentence of Why: the one-line reason shown under each finding."""
        why = " ".join(self.sections.get("Why", "").split())
        # A sentence ends at ". ", but not at the ellipsis of ``ALTER COLUMN ... SET NOT NULL``.
        end = re.search(r"(?<!\.)\.\s", why)
        return why if end is None else why[: end.start() + 1]

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def dialects(self) -> tuple[str, ...]:
        """SQL dialects the rule applies to (front matter ``dialects: postgres, mysql``).

        PostgreSQL only unless the page says otherwise: advice like CONCURRENTLY or lock_timeout
        is wrong for MySQL and SQLite, so a rule must opt in to other dialects.
        """
        return _list(self.meta.get("dialects", "postgres"))


def pages_dir() -> Path:
    """``rules/`` beside the package in a checkout, or ``sqlguard/rules`` in an installed wheel."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "rules", here.parent / "rules"):
        if candidate.is_dir():
            return candidate
    raise CatalogueError(f"rule pages not found next to {here}")


@functools.cache
def load_pages(directory: Path | None = None) -> dict[str, RulePage]:
    folder = directory or pages_dir()
    pages: dict[str, RulePage] = {}
    for path in sorted(folder.glob("SG*.md")):
        page = parse_page(path)
        if page.id in pages:
            raise CatalogueError(f"duplicate rule id {page.id} in {path}")
        pages[page.id] = page
    return pages


def parse_page(path: Path) -> RulePage:
    text = path.read_text(encoding="utf-8")
    meta, body = _front_matter(text, path)
    sections = _sections(body)
    for required in ("id", "name", "category", "severity", "fix"):
        if required not in meta:
            raise CatalogueError(f"{path.name}: front matter lacks {required!r}")
    try:
        severity = Severity(meta["severity"])
    except ValueError as error:
        raise CatalogueError(f"{path.name}: unknown severity {meta['severity']!r}") from error
    examples: list[Example] = []
    for heading, content in sections.items():
        examples.extend(_examples(heading, content))
    category = meta["category"]
    return RulePage(
        id=meta["id"],
        name=meta["name"],
        category=category,
        severity=severity,
        fix=meta["fix"],
        path=path,
        sections=sections,
        examples=tuple(examples),
        min_version=int(meta["min_version"]) if meta.get("min_version") else None,
        opt_in=category in OPT_IN_CATEGORIES or meta.get("opt_in", "false") == "true",
        aliases=_list(meta.get("aliases", "")),
        squawk=_list(meta.get("squawk", "")),
        meta=meta,
    )


def _list(value: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.strip("[]").split(",") if item.strip())


def _front_matter(text: str, path: Path) -> tuple[dict[str, str], str]:
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise CatalogueError(f"{path.name}: page must start with a '---' front matter")
    meta: dict[str, str] = {}
    for number, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            return meta, "\n".join(lines[number + 1 :])
        key, _, value = line.partition(":")
        meta[key.strip()] = value.split("#", 1)[0].strip()
    raise CatalogueError(f"{path.name}: front matter is not closed")


def _sections(body: str) -> dict[str, str]:
    sections: dict[str, str] = {}
    current: str | None = None
    buffer: list[str] = []
    in_fence = False
    for line in body.splitlines():
        if line.startswith("```"):
            in_fence = not in_fence
        if not in_fence and line.startswith("## "):
            if current is not None:
                sections[current] = "\n".join(buffer).strip("\n")
            current = line[3:].strip()
            buffer = []
        elif current is not None:
            buffer.append(line)
    if current is not None:
        sections[current] = "\n".join(buffer).strip("\n")
    return sections


def _examples(section: str, content: str) -> list[Example]:
    """Code blocks of a section; a ```diagnostics block belongs to the code block before it.

    The fence may name the file (```sql file=0001_add_orders.up.sql) and the PostgreSQL version
    to lint with (```sql target=11), so version-aware rules can show both sides on one page.
    """
    blocks: list[tuple[str, str, str | None, int | None, str | None]] = []
    lines = content.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("```") and len(line) > 3:
            info = line[3:].strip().split()
            language = info[0]
            filename = next((part[5:] for part in info[1:] if part.startswith("file=")), None)
            target_text = next((part[7:] for part in info[1:] if part.startswith("target=")), None)
            if target_text is not None and not target_text.isdigit():
                raise CatalogueError(f"code fence {line!r}: target= takes a PostgreSQL major version")
            target = int(target_text) if target_text is not None else None
            require_down = next((part[13:] for part in info[1:] if part.startswith("require-down=")), None)
            j = i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            blocks.append((language, "\n".join(lines[i + 1 : j]) + "\n", filename, target, require_down))
            i = j + 1
            continue
        i += 1
    examples: list[Example] = []
    for position, (language, code, filename, target, require_down) in enumerate(blocks):
        if language not in CODE_LANGUAGES:
            continue
        expected = None
        if position + 1 < len(blocks) and blocks[position + 1][0] == "diagnostics":
            expected = blocks[position + 1][1]
        examples.append(
            Example(section, len(examples) + 1, language, code, expected, filename, target, require_down)
        )
    return examples
