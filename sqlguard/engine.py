"""The lint engine: files → front ends → schema state → checks → suppressions → reports.

The CLI, the pre-commit hook and the language server all call ``Linter.lint_paths`` or
``Linter.lint_text``; there is no second way to lint.
"""

from __future__ import annotations

import codecs
import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlguard.catalogue import CATEGORIES, RulePage, load_pages
from sqlguard.config import Config
from sqlguard.context import Context
from sqlguard.diagnostics import UNREADABLE_FILE, Diagnostic, FileReport, Severity, Span
from sqlguard.frontends import PYTHON_SUFFIXES, parse_file
from sqlguard.frontends.revisions import order_revisions
from sqlguard.layouts import natural_key
from sqlguard.model import Change, Migration
from sqlguard.registry import RegisteredCheck, load_checks
from sqlguard.schema import SchemaState
from sqlguard.suppress import apply_suppressions, find_suppressions

if TYPE_CHECKING:
    from sqlguard.cache import ParseCache

# A file as read: its path, its text (None when unreadable) and, then, why.
Source = tuple[str, str | None, str]

SQL_SUFFIXES = (".sql", ".pgsql", ".psql")
# O_BINARY: no newline translation on Windows. O_NONBLOCK: opening a FIFO named x.sql returns at
# once instead of waiting for a writer (it is then refused as not a regular file).
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
ALL_SELECTOR = "ALL"


@dataclass(frozen=True)
class Rule:
    """A rule as the engine runs it: the page's metadata joined with its check."""

    page: RulePage
    check: RegisteredCheck

    @property
    def id(self) -> str:
        return self.page.id


@dataclass
class RunResult:
    """Reports for every file looked at, plus messages about paths that held nothing to lint."""

    reports: list[FileReport] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [d for report in self.reports for d in report.diagnostics]


def known_rules() -> dict[str, Rule]:
    """Every rule that has both a page and a check, keyed by id."""
    checks = load_checks()
    pages = load_pages()
    return {rule_id: Rule(pages[rule_id], checks[rule_id]) for rule_id in sorted(pages) if rule_id in checks}


def selectors(rules: dict[str, Rule]) -> set[str]:
    """Everything a config may name: ids, names, aliases, squawk names, categories, ALL."""
    names: set[str] = {ALL_SELECTOR, *CATEGORIES}
    for rule in rules.values():
        names |= {rule.id, rule.page.name, *rule.page.aliases}
    return names


class Linter:
    """Lints files with one configuration. Building it once per run keeps dispatch tables warm."""

    def __init__(
        self, config: Config | None = None, *, cache: ParseCache | None = None, jobs: int | None = None
    ) -> None:
        """``cache`` (off unless given) skips parsing unchanged files; ``jobs`` is how many
        processes parse a large run (None: automatic, see ``sqlguard.parallel``)."""
        self.config = config or Config()
        self.cache = cache
        self.jobs = jobs
        self.rules = known_rules()
        self.enabled = self._enabled_rules()
        self._dispatch: dict[tuple[type, str], list[Rule]] = {}
        self._aliases = self._alias_map()
        self._severity = {rule_id: self._severity_for(rule_id) for rule_id in self.enabled}
        self._why = {rule_id: rule.page.summary for rule_id, rule in self.enabled.items()}  # a regex each

    # -- selection -----------------------------------------------------------------------------
    def expand(self, selector: str) -> set[str]:
        """The rule ids a selector (id, name, alias, category or ALL) stands for."""
        key = selector.lower()
        if key == ALL_SELECTOR.lower():
            return set(self.rules)
        result = set()
        for rule in self.rules.values():
            page = rule.page
            if key in (rule.id.lower(), page.name, page.category) or key in page.aliases:
                result.add(rule.id)
        return result

    def _enabled_rules(self) -> dict[str, Rule]:
        config = self.config
        if config.select is None:
            chosen = {rule_id for rule_id, rule in self.rules.items() if not rule.page.opt_in}
        else:
            chosen = set().union(*(self.expand(s) for s in config.select)) if config.select else set()
        for selector in config.extend_select:
            chosen |= self.expand(selector)
        for selector in config.ignore:
            chosen -= self.expand(selector)
        return {rule_id: self.rules[rule_id] for rule_id in sorted(chosen)}

    def _severity_for(self, rule_id: str) -> Severity:
        severity = self.rules[rule_id].page.severity
        for selector, level in self.config.severity:
            if rule_id in self.expand(selector):
                severity = level
        return severity

    def _alias_map(self) -> dict[str, str]:
        aliases: dict[str, str] = {}
        for rule in self.rules.values():
            for name in (rule.page.name, *rule.page.aliases, *rule.page.squawk):
                aliases[name.lower()] = rule.id
        return aliases

    def _rules_for(self, kind: type, dialect: str = "postgres") -> list[Rule]:
        """Enabled rules subscribed to ``kind`` that apply to ``dialect`` (a rule runs only on the
        SQL dialects its page names, PostgreSQL unless it says more; Python files are "postgres")."""
        rules = self._dispatch.get((kind, dialect))
        if rules is None:
            rules = [
                rule
                for rule in self.enabled.values()
                if any(issubclass(kind, on) for on in rule.check.on) and dialect in rule.page.dialects
            ]
            self._dispatch[(kind, dialect)] = rules
        return rules

    # -- linting -------------------------------------------------------------------------------
    def lint_paths(self, paths: Sequence[str]) -> RunResult:
        result = RunResult()
        files: list[str] = []  # spelled as str(Path) spells them: reports and cache keys use it
        for raw in paths:
            path = Path(raw)
            if not path.exists():
                result.reports.append(_unreadable(raw, "no such file or directory"))
            elif path.is_dir():
                found = self.discover(path)
                if not found:
                    result.notes.append(f"{raw}: no SQL or Python files found")
                files.extend(found)
            else:
                files.append(str(path))
        # Each file is read once: the same text orders Alembic revisions, keys the cache and is parsed.
        sources = _revision_order(_read_unique(files))
        if self.cache is None:
            self._lint_in_order(self._parse_read(sources), SchemaState(), result)
        else:
            self._lint_cached(sources, self.cache, result)
        return result

    def _lint_in_order(self, parsed: Iterable[Migration | FileReport], schema: SchemaState, result: RunResult) -> None:
        """Run the checks file by file, in order, on one schema state (what a cold run does)."""
        for item in parsed:
            self._lint_item(item, schema, result)

    def _lint_item(
        self, item: Migration | FileReport, schema: SchemaState, result: RunResult
    ) -> tuple[FileReport, str | None]:
        """Add one parsed file's report (and its empty-file note) to ``result``, checked in order."""
        if isinstance(item, FileReport):
            result.reports.append(item)
            return item, None
        note = _empty_note(item)
        if note is not None:
            result.notes.append(note)
        report = self.lint_text(item.path, item.text, schema=schema, migration=item)
        result.reports.append(report)
        return report, note

    def _lint_cached(self, sources: Sequence[Source], cache: ParseCache, result: RunResult) -> None:
        """Lint with both cache levels (see ``sqlguard.cache``): stored results while the chain of
        keys hits, then the schema state rebuilt from the earlier files' changes and the checks run
        from the first file whose link misses, storing each later file's result."""
        keys = _keys(cache, sources)
        links: list[str] = []
        link = cache.chain_start([path for path, _, _ in sources])
        for key in keys:
            link = cache.chain_next(link, key)
            links.append(link)
        served: list[FileReport] = []
        notes: list[str] = []
        for (path, text, problem), link in zip(sources, links, strict=False):
            if text is None:
                served.append(_unreadable(path, problem))
                continue
            stored = cache.load_result(link)
            if stored is None:
                break
            report_path, note, diagnostics = stored
            served.append(FileReport(path=report_path, text=text, diagnostics=diagnostics))
            if note is not None:
                notes.append(note)
        result.reports.extend(served)
        result.notes.extend(notes)
        first_miss = len(served)
        if first_miss == len(sources):  # everything served: no migration loaded, no check run
            cache.flush()
            return
        parsed = self._parse_sources(sources, keys, counted_from=first_miss)
        schema = SchemaState()
        for index, (item, link) in enumerate(zip(parsed, links, strict=True)):
            if index < first_miss:  # checks only read the schema: applying is enough
                if isinstance(item, Migration):
                    for change in item.changes:
                        schema.apply(change, item.path)
                continue
            report, note = self._lint_item(item, schema, result)
            if isinstance(item, Migration):
                cache.store_result(link, (report.path, note, report.diagnostics))
        cache.flush()

    def _parse_all(self, files: Sequence[Path | str]) -> list[Migration | FileReport]:
        """Read and parse every file, in order: from the cache when it has the file, else with
        the front ends (on several processes for large runs). Unreadable files become reports.
        Checks are not run here: they need the schema state in order, see ``lint_paths``."""
        return list(self._parse_read([(str(path), *read_source(path)) for path in files]))

    def _parse_read(self, sources: Sequence[Source]) -> Iterator[Migration | FileReport]:
        """``_parse_all`` for files already read, yielded in order as they are parsed."""
        keys = _keys(self.cache, sources) if self.cache is not None else ["" for _ in sources]
        yield from self._parse_sources(sources, keys)
        if self.cache is not None:
            self.cache.flush()

    def _parse_sources(
        self, sources: Sequence[Source], keys: Sequence[str], counted_from: int = 0
    ) -> Iterator[Migration | FileReport]:
        """Migrations (or unreadable-file reports) for ``sources``, in order, from the parse cache
        or parsed; files before ``counted_from`` were already counted as result hits. Parsed files
        are yielded as soon as they are ready (the pool keeps parsing the later ones meanwhile)."""
        from sqlguard.parallel import parse_all

        cache = self.cache
        slots: list[Migration | FileReport | None] = []
        pending: list[tuple[str, str]] = []
        for index, ((path, text, problem), key) in enumerate(zip(sources, keys, strict=True)):
            if text is None:
                slots.append(_unreadable(path, problem))
                continue
            cached = cache.load(key, text, count=index >= counted_from) if cache is not None else None
            slots.append(cached)
            if cached is None:
                pending.append((path, text))
        parsed = parse_all(pending, self.config, self.jobs)
        for slot, key in zip(slots, keys, strict=True):
            if slot is None:
                migration, blob = next(parsed)
                if cache is not None:
                    cache.store(key, blob if blob is not None else migration)
                slot = migration
            yield slot
        for _ in parsed:  # ends the pool's run: its workers are reaped and the collector is back on
            raise AssertionError("the pool yielded more files than were pending")

    def discover(self, folder: Path | str) -> list[str]:
        """Lintable files under ``folder``, in migration order (natural sort), minus excludes.

        Paths are strings spelled as ``str(Path)`` would spell them (``sub/x.sql`` under ``.``, not
        ``./sub/x.sql``), since reports and cache keys show them; a run walks thousands of files,
        and a ``Path`` for each cost more than the walk."""
        config = self.config
        top = Path(folder)
        if any(config.is_excluded_name(part, _posix(part)) for part in top.parts):
            return []
        spelled = str(top)
        suffixes = SQL_SUFFIXES + PYTHON_SUFFIXES
        found: list[str] = []
        for root, dirs, names in os.walk(spelled):
            # os.walk spells the folders under "." as "./sub"; a Path as "sub"
            here = root[2:] if spelled == "." else root
            prefix = os.path.join(here, "")  # "" or the folder with one separator after it
            dirs[:] = sorted(d for d in dirs if not config.is_excluded_name(d, _posix(prefix + d)))
            for name in names:
                if name.lower().endswith(suffixes):
                    candidate = prefix + name
                    if not config.is_excluded_name(name, _posix(candidate)):
                        found.append(candidate)
        # Every path starts with the folder and a separator, so comparing what follows orders them
        # as the whole paths would be ordered (the separator ends the folder's last text chunk).
        start = len(os.path.join("" if spelled == "." else spelled, ""))
        return sorted(found, key=lambda path: natural_key(path[start:]))

    def lint_text(
        self, path: str, text: str, *, schema: SchemaState | None = None, migration: Migration | None = None
    ) -> FileReport:
        """Lint one file's text. ``schema`` carries state from earlier files of the same run;
        ``migration`` is the file already parsed (from the cache or a worker process), if it was."""
        if migration is None:
            migration = parse_file(path, text, self.config)
        state = schema if schema is not None else SchemaState()
        for change in migration.changes:
            state.apply(change, migration.path)
        context = Context(
            migration=migration,
            schema=state,
            target_version=self.config.target_version,
            assume_in_transaction=self.config.assume_in_transaction,
        )
        diagnostics = list(migration.errors)
        for rule in self._rules_for(Migration, migration.dialect):
            diagnostics.extend(self._run(rule, migration, context))
        for change in (*migration.changes, *migration.down_changes):
            for rule in self._rules_for(type(change), migration.dialect):
                diagnostics.extend(self._run(rule, change, context))
        diagnostics = self._filter(path, text, migration, diagnostics)
        diagnostics.sort(key=lambda d: (d.span.start, d.rule))
        return FileReport(path=path, text=text, diagnostics=diagnostics)

    def _run(self, rule: Rule, subject: Change | Migration, context: Context) -> list[Diagnostic]:
        """One check on one subject. Called ~14 times per file and silent in most calls, so it
        does nothing more than run the check until there is something to report."""
        rule_id = rule.page.id
        context.rule_id = rule_id
        found = list(rule.check.check(subject, context))
        if not found:
            return found
        severity = self._severity[rule_id]
        name = rule.page.name
        why = self._why[rule_id]
        return [
            Diagnostic(rule_id, d.span, d.message, d.help, d.fix, severity=severity, name=name, why=why)
            for d in found
        ]

    def _filter(self, path: str, text: str, migration: Migration, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
        ignored = self.config.ignored_for(path)
        if ignored:
            ignored_ids = set().union(*(self.expand(s) for s in ignored))
            diagnostics = [d for d in diagnostics if d.is_input_error or d.rule not in ignored_ids]
        suppressions = find_suppressions(text, migration.kind, self._aliases)
        return apply_suppressions(diagnostics, suppressions, text)


def read_source(path: Path | str) -> tuple[str | None, str]:
    """The file's text, or None and a one-line reason (binary, not UTF-8, unreadable)."""
    _, text, problem = _read(os.fspath(path))
    return text, problem


def _read(path: str) -> tuple[object, str | None, str]:
    """The file's identity (see ``_identity``), then what ``read_source`` returns.

    Read through its descriptor: the ``fstat`` that sizes the read also says which file it is,
    where a ``Path`` read and a separate ``stat`` cost twice as much over a whole run."""
    try:
        descriptor = os.open(path, _READ_FLAGS)
    except IsADirectoryError:
        return _identity(path), None, "is a directory"
    except OSError as error:
        return _identity(path), None, f"cannot read file: {error.strerror or error}"
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode) and not stat.S_ISDIR(status.st_mode):
            return (status.st_dev, status.st_ino), None, f"not a regular file ({_file_kind(status.st_mode)}), skipped"
        data = _read_all(descriptor, status.st_size if stat.S_ISREG(status.st_mode) else -1)
    except IsADirectoryError:  # opening a folder read-only works on Linux; reading it does not
        return _identity(path), None, "is a directory"
    except OSError as error:
        return _identity(path), None, f"cannot read file: {error.strerror or error}"
    finally:
        os.close(descriptor)
    text, problem = _decode(data)
    return (status.st_dev, status.st_ino), text, problem


def _read_all(descriptor: int, size: int) -> bytes:
    """Everything left to read from ``descriptor``. ``size`` is a regular file's size (-1 for
    anything else): one read of that many bytes then suffices, unless the file changed size."""
    first = os.read(descriptor, size + 1 if size >= 0 else 65536)
    if size >= 0 and len(first) == size:
        return first
    chunks = [first]
    while chunks[-1]:
        chunks.append(os.read(descriptor, 65536))
    return b"".join(chunks)


def decode_source(data: bytes) -> tuple[str | None, str]:
    """Bytes read some other way (stdin) as a file's bytes are read: the text, or None and why."""
    return _decode(data)


def _decode(data: bytes) -> tuple[str | None, str]:
    """The text of a file's bytes: UTF-8 with its byte order mark, if any, left out (as the
    ``utf-8-sig`` codec does, whose Python-level decoder cost more than the C one it calls)."""
    nul = data.find(b"\x00")  # anywhere: parsers stop at a NUL, so a late one would cut the file short
    if nul != -1:
        return None, f"binary file (NUL byte at offset {nul}), not text"
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8"), ""
    except UnicodeDecodeError as error:  # the offset counts from after the mark, as utf-8-sig's
        return None, f"not UTF-8 text (invalid byte at offset {error.start})"


def _file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def _read_unique(paths: Iterable[str]) -> list[Source]:
    """Every file read once, in order, keeping the first path of each file (a file named twice,
    or through a link, is linted once)."""
    seen: set[object] = set()
    sources: list[Source] = []
    for path in paths:
        identity, text, problem = _read(path)
        if identity not in seen:
            seen.add(identity)
            sources.append((path, text, problem))
    return sources


def _revision_order(sources: list[Source]) -> list[Source]:
    """``sources`` with Alembic revisions reordered among the places Python files hold (see
    ``order_revisions``; only Python files move, so only they are handed over, as ``Path``s)."""
    slots = [index for index, (path, _, _) in enumerate(sources) if path.endswith(".py")]
    if len(slots) < 2:
        return sources
    by_path = {Path(sources[index][0]): sources[index] for index in slots}
    ordered = order_revisions(list(by_path), lambda path: by_path[path][1])
    result = list(sources)
    for slot, path in zip(slots, ordered, strict=True):
        result[slot] = by_path[path]
    return result


def _keys(cache: ParseCache, sources: Sequence[Source]) -> list[str]:
    """The cache key of each file; an unreadable file's stands for its problem (no entry has it)."""
    readable = iter(cache.keys([(path, text) for path, text, _ in sources if text is not None]))
    return [next(readable) if text is not None else f"unreadable:{problem}" for _, text, problem in sources]


def _posix(path: str) -> str:
    return path if os.sep == "/" else path.replace(os.sep, "/")


def _empty_note(migration: Migration) -> str | None:
    if not migration.text.strip() and migration.kind == "sql":  # an empty __init__.py is normal
        return f"{migration.path}: empty file, nothing to lint"
    return None


def _unreadable(path: str, reason: str) -> FileReport:
    diagnostic = Diagnostic(UNREADABLE_FILE, Span(0, 0), reason, name="unreadable-file")
    return FileReport(path=path, text="", diagnostics=[diagnostic])


def _identity(path: str) -> object:
    """The file itself (device and inode: one stat, where ``resolve`` costs one per folder)."""
    try:
        status = os.stat(path)
    except OSError:
        return os.path.realpath(path)
    return (status.st_dev, status.st_ino)
