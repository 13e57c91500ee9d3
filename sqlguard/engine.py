"""The lint engine: files → front ends → schema state → checks → suppressions → reports.

The CLI, the pre-commit hook and the language server all call ``Linter.lint_paths`` or
``Linter.lint_text``; there is no second way to lint.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlguard import chains
from sqlguard.catalogue import CATEGORIES, RulePage, load_pages
from sqlguard.chains import ChainKey, chain_of
from sqlguard.config import Config
from sqlguard.context import ChainFacts, Context
from sqlguard.diagnostics import UNREADABLE_FILE, Diagnostic, FileReport, Severity, Span
from sqlguard.frontends import PYTHON_SUFFIXES, parse_file, revisions
from sqlguard.frontends.revisions import revision_ids
from sqlguard.layouts import DBMATE_DOWN, classify, dbmate_sections, is_dbmate, natural_key
from sqlguard.model import Change, Migration
from sqlguard.reading import Source, read_file, read_source, read_unique
from sqlguard.registry import RegisteredCheck, load_checks
from sqlguard.schema import SchemaState
from sqlguard.snapshots import Snapshots
from sqlguard.stamps import Stamp, Stamps, stamp_of
from sqlguard.suppress import apply_suppressions, find_suppressions

if TYPE_CHECKING:
    from sqlguard.cache import ParseCache


SQL_SUFFIXES = chains.SQL_SUFFIXES
PYTHON_SYNTAX_ERROR = "Python syntax error"  # how the Python front end words a file it cannot parse
# The problem of a source not read because its stamp is unchanged (``sqlguard.stamps``).
UNREAD = "\0not read: known by its stamp"
# What ``--fix`` runs instead of the checks for each file asked for: the file, parsed, and the
# state just before it, which it must move past the file (``Linter.advance``).
Visit = Callable[[Migration, "SchemaState", "ChainFacts | None"], FileReport]
ALL_SELECTOR = "ALL"
# Chains shorter than this are rebuilt from their parses rather than kept as state snapshots.
SNAPSHOT_MIN_FILES = 32


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
    # Files named on the command line that ``exclude`` drops (not an error: pre-commit names them).
    excluded: list[str] = field(default_factory=list)

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
        self.snapshots = Snapshots(cache) if cache is not None else None
        self.jobs = jobs
        self.rules = known_rules()
        self.enabled = self._enabled_rules()
        self._dispatch: dict[tuple[type, str], list[Rule]] = {}
        self._aliases = self._alias_map()
        self._severity = {rule_id: self._severity_for(rule_id) for rule_id in self.enabled}
        self._why = {rule_id: rule.page.summary for rule_id, rule in self.enabled.items()}  # a regex each
        # ``why-mysql:`` / ``why-sqlite:`` front matter: the reason in that database's terms.
        self._why_in = {
            (rule_id, dialect): rule.page.meta[f"why-{dialect}"]
            for rule_id, rule in self.enabled.items()
            for dialect in ("mysql", "sqlite")
            if rule.page.meta.get(f"why-{dialect}")
        }

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
        """Lower-case names (ours, squawk's) to ids; a squawk name that two rules cover
        (``require-timeout-settings``) maps to both, comma-separated."""
        aliases: dict[str, str] = {}
        for rule in self.rules.values():
            for name in (rule.page.name, *rule.page.aliases, *rule.page.squawk):
                known = aliases.get(name.lower())
                aliases[name.lower()] = rule.id if known is None or known == rule.id else f"{known},{rule.id}"
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
    def lint_paths(self, paths: Sequence[str], *, context: bool = True, visit: Visit | None = None) -> RunResult:
        """Lint files and folders, each file in its chain (``sqlguard.chains``).

        A file is checked after the schema state of every migration before it in its chain, whether
        or not those were named, and only the files named (or found in the folders named) are
        reported: ``lint FILE`` gives exactly that file's findings of ``lint FOLDER``. ``context``
        False (``--no-context``) folds only the files asked for. ``visit`` replaces the checks of
        each file asked for (``--fix`` fixes a file against the state just before it); results
        are then not served from the cache."""
        result = RunResult()
        requested: list[str] = []  # spelled as str(Path) spells them: reports and cache keys use it
        for raw in paths:
            path = Path(raw)
            if not path.exists():
                result.reports.append(_unreadable(raw, "no such file or directory"))
            elif path.is_dir():
                found = self.discover(path)
                if not found:
                    result.notes.append(f"{raw}: no SQL or Python files found")
                requested.extend(found)
            elif self.excluded(str(path)):
                result.notes.append(f"{raw}: excluded by the configuration, not linted")
                result.excluded.append(raw)
            else:
                requested.append(str(path))
        seen: set[object] = set()
        # Stamps of the files asked for, taken before they are read (``sqlguard.stamps``): a folder
        # run then leaves the next run on one of its files nothing to read but that file.
        stamping = context and visit is None and self.cache is not None
        stamped = _stamp_pairs(p for p in requested if chains.kind_of(p) == "sql") if stamping else {}
        sources = read_unique(requested, seen)
        by_chain: dict[ChainKey, list[Source]] = {}
        for source in sources:
            by_chain.setdefault(chain_of(source[0], self.config), []).append(source)
        done: dict[str, tuple[FileReport, str | None]] = {}
        slots = {source[0]: index for index, source in enumerate(sources)}
        for key, asked in by_chain.items():
            stamps = self._stamps(key) if context and visit is None else None
            if stamps is not None:
                stamps.taken.update((path, stamped[path]) for path, _, _ in asked if path in stamped)
            if context:
                chain = self._chain_sources(key, asked, seen, stamps)
            else:
                chain = chains.fold_order(key, asked, _path, _text)
            facts = chain_facts(key, chain, stamps) if context else None
            wanted = {path for path, _, _ in asked}
            if self.cache is not None and visit is None:
                self._fold_cached(key, facts, chain, wanted, self.cache, done, stamps)
            else:
                self._fold(key, facts, chain, wanted, done, visit)
            if stamps is not None:
                stamps.flush()
            if key.kind == "python":  # Alembic revisions are reported in revision order, in their places
                places = sorted(slots[path] for path in wanted)
                for place, source in zip(places, [s for s in chain if s[0] in wanted], strict=True):
                    sources[place] = source
        if self.cache is not None:
            self.cache.flush()  # once per run: each shard written is a file created
        for spelled, _, _ in sources:
            report, note = done[spelled]
            if note is not None:
                result.notes.append(note)
            result.reports.append(report)
        return result

    def excluded(self, path: str) -> bool:
        """Whether ``exclude`` drops a file named on the command line or opened in the editor (as
        ruff's force-exclude does): its name, or a folder on its way from the config's root (or
        from the current folder, for a relative path outside it)."""
        absolute = os.path.abspath(path)
        root = os.path.abspath(self.config.root)
        relative = absolute[len(root) + 1 :] if absolute.startswith(root + os.sep) else None
        if relative is None:
            relative = os.path.normpath(path) if not os.path.isabs(path) else os.path.basename(path)
        parts = [part for part in relative.split(os.sep) if part not in ("", ".", "..")]
        return any(
            self.config.is_excluded_name(part, "/".join(parts[: index + 1])) for index, part in enumerate(parts)
        )

    def _chain_sources(
        self,
        key: ChainKey,
        asked: list[Source],
        seen: set[object],
        stamps: Stamps | None = None,
        listed: Sequence[str] | None = None,
    ) -> list[Source]:
        """Every file of the chain, in fold order: ``asked`` (already read) and the others, read
        here (each file once: one met among ``asked``, under any name, is not read again). With
        ``stamps``, a file whose stamp is unchanged since the last run is not read: its source
        is ``(path, None, UNREAD)`` and ``stamps`` holds its key."""
        by_path = {source[0]: source for source in asked}
        if listed is None:
            listed = chains.members(key, self.config, self.discover)
        to_read = []
        unasked = [path for path in listed if path not in by_path]
        pairs = _stamp_pairs(unasked) if stamps is not None else {}
        for path in unasked:
            if stamps is None:
                to_read.append(path)
                continue
            own, counterpart = pairs[path]
            if own is not None and stamps.known(path, own, counterpart) is not None and own[:2] not in seen:
                seen.add(own[:2])  # (device, inode): the identity ``_read`` records
                by_path[path] = (path, None, UNREAD)
            else:
                stamps.taken[path] = (own, counterpart)  # before the read: a later change is seen
                to_read.append(path)
        others = read_unique(to_read, seen)
        if key.kind == "python":
            # Only Alembic revisions make a chain: the modules beside an application file change
            # no schema, and parsing them all for its sake would cost far more than it.
            if not any(_is_revision(source) for source in asked):
                return list(asked)
            others = [source for source in others if _is_revision(source)]
        by_path.update((source[0], source) for source in others)
        pool = [by_path[path] for path in listed if path in by_path]
        if len(pool) < len(by_path):  # a file asked for under a name the listing spells otherwise
            order = chains.natural_order(key)
            pool = sorted(by_path.values(), key=lambda source: order(source[0]))
        return chains.fold_order(key, pool, _path, _text)

    def chain_before(self, path: str) -> tuple[ChainKey, list[str]]:
        """The chain of ``path`` and the paths of its members, in natural order, ``path`` included
        (the language server stamps them to know when the state before a file must be rebuilt)."""
        key = chain_of(path, self.config)
        member_paths = chains.members(key, self.config, self.discover)
        if path not in member_paths:
            member_paths = sorted([*member_paths, path], key=chains.natural_order(key))
        return key, member_paths

    def context_before(
        self, path: str, text: str, member_paths: Sequence[str] | None = None
    ) -> tuple[SchemaState, ChainFacts]:
        """The schema state just before ``path`` in its chain (for a down file: just after its up)
        and the chain's facts, from the chain's files on disk (``text`` is the file's own text,
        which may be unsaved: the editor's buffer, or stdin; ``member_paths``: the chain's files
        as ``chain_before`` listed them, when the caller keeps that listing)."""
        key = chain_of(path, self.config)
        stamps = self._stamps(key)
        own: Source = (path, text, "")
        ordered = self._chain_sources(key, [own], set(), stamps, member_paths)
        facts = chain_facts(key, ordered, stamps)
        end = next(index for index, source in enumerate(ordered) if source is own)
        if self.cache is None:
            return self._state_after(ordered, end), facts
        keys = _keys(self.cache, ordered, stamps)
        _remember_stamps(stamps, ordered, keys)
        state = self._state_after(ordered, end, keys, self._state_links(self.cache, key, keys))
        self.cache.flush()
        if stamps is not None:
            stamps.flush()
        return state, facts

    def _state_after(
        self,
        chain: Sequence[Source],
        end: int,
        keys: Sequence[str] | None = None,
        links: Sequence[str] | None = None,
        served: set[str] | None = None,
    ) -> SchemaState:
        """The state after ``chain[:end]``: a snapshot when one was kept for that prefix (see
        ``sqlguard.snapshots``), else folded from the files' parses (down files never move it);
        with the cache, a long chain's rebuilt state is kept as a snapshot. ``served``: files
        whose result hit the cache (already counted)."""
        if end == 0:
            return SchemaState()
        snapshots = self.snapshots
        if snapshots is not None and links is not None:
            found = snapshots.load(links[end - 1])
            if found is not None:
                return found
        chosen = [index for index in range(end) if not _down_only(chain[index][0])]
        state = SchemaState()
        if keys is None:
            parsed = self._parse_read([chain[index] for index in chosen])
        else:
            counted = [not served or chain[index][0] not in served for index in chosen]
            parsed = self._parse_sources([chain[i] for i in chosen], [keys[i] for i in chosen], counted)
        for item in parsed:
            if isinstance(item, Migration):
                self.advance(state, item)
        if snapshots is not None and links is not None and end >= SNAPSHOT_MIN_FILES:
            snapshots.store(links[end - 1], state)
        return state

    @staticmethod
    def _links(cache: ParseCache, key: ChainKey, facts: ChainFacts | None, keys: Sequence[str]) -> list[str]:
        """Each file's result link (``sqlguard.cache``): its key on top of every earlier one's,
        seeded by the chain's name and its facts (the only things a result reads from later files)."""
        return _chained(cache, cache.chain_start([f"{key.kind}:{key.root}", repr(facts)]), keys)

    @staticmethod
    def _state_links(cache: ParseCache, key: ChainKey, keys: Sequence[str]) -> list[str]:
        """Each file's state link: what the schema state after it depends on (the parses of the
        chain's files up to it), shared by every entry point whatever its config's place."""
        return _chained(cache, cache.chain_start([f"state:{key.kind}:{key.root}"], results=False), keys)

    def _stamps(self, key: ChainKey) -> Stamps | None:
        """The chain's stamps from the last run (``sqlguard.stamps``), with the cache only, and
        not for Alembic: its order needs every revision's text."""
        if self.cache is None or key.kind == "python":
            return None
        return Stamps(self.cache, self.cache.chain_start([f"stamps:{key.kind}:{key.root}"], results=False))

    @staticmethod
    def advance(state: SchemaState, migration: Migration) -> None:
        """Move ``state`` past ``migration``'s up changes without checking them."""
        for change in migration.changes:
            state.apply(change, migration.path)

    def _fold(
        self,
        key: ChainKey,
        facts: ChainFacts | None,
        chain: Sequence[Source],
        wanted: set[str],
        done: dict[str, tuple[FileReport, str | None]],
        visit: Visit | None,
    ) -> None:
        """Fold the chain's schema state file by file, checking (or visiting) the files wanted."""
        state = SchemaState()
        needed = [source for source in chain if source[0] in wanted or not _down_only(source[0])]
        for item in self._parse_read(needed):
            if item.path not in wanted:
                if isinstance(item, Migration):
                    self.advance(state, item)
            elif isinstance(item, FileReport):
                done[item.path] = (item, None)
            elif visit is not None:
                done[item.path] = (visit(item, state, facts), _empty_note(item))
            else:
                report = self.lint_text(
                    item.path, item.text, schema=state, migration=item, dialect=key.dialect, chain=facts
                )
                done[item.path] = (report, _empty_note(item))

    def _fold_cached(
        self,
        key: ChainKey,
        facts: ChainFacts | None,
        chain: Sequence[Source],
        wanted: set[str],
        cache: ParseCache,
        done: dict[str, tuple[FileReport, str | None]],
        stamps: Stamps | None = None,
    ) -> None:
        """``_fold`` with the cache (see ``sqlguard.cache``): stored results while the links of the
        chain hit; from the first wanted file whose link misses, the state before it (a snapshot,
        or rebuilt from the earlier files' parses and then kept as one) and the checks, storing
        each later wanted file's result."""
        keys = _keys(cache, chain, stamps)
        _remember_stamps(stamps, chain, keys)
        links = self._links(cache, key, facts, keys)
        first_miss = len(chain)
        served: set[str] = set()
        for index, ((path, text, problem), link) in enumerate(zip(chain, links, strict=True)):
            if path not in wanted:
                continue
            if text is None:
                done[path] = (_unreadable(path, problem), None)
                continue
            stored = cache.load_result(link)
            if stored is None:
                first_miss = index
                break
            report_path, note, diagnostics = stored
            done[path] = (FileReport(path=report_path, text=text, diagnostics=diagnostics), note)
            served.add(path)
        if first_miss == len(chain):  # everything served: no migration loaded, no check run
            return
        state_links = self._state_links(cache, key, keys)
        state = self._state_after(chain, first_miss, keys, state_links, served)
        rest = [i for i in range(first_miss, len(chain)) if not _down_only(chain[i][0]) or chain[i][0] in wanted]
        parsed = self._parse_sources([chain[i] for i in rest], [keys[i] for i in rest], [True] * len(rest))
        for index, item in zip(rest, parsed, strict=True):
            if item.path not in wanted:
                if isinstance(item, Migration):
                    self.advance(state, item)
                continue
            if isinstance(item, FileReport):
                done[item.path] = (item, None)
                continue
            note = _empty_note(item)
            report = self.lint_text(
                item.path, item.text, schema=state, migration=item, dialect=key.dialect, chain=facts
            )
            done[item.path] = (report, note)
            cache.store_result(links[index], (report.path, note, report.diagnostics))
        if self.snapshots is not None and len(chain) >= SNAPSHOT_MIN_FILES and rest and len(wanted) == len(chain):
            self.snapshots.store(state_links[-1], state)  # a migration written after the last one starts here

    def _parse_all(self, files: Sequence[Path | str]) -> list[Migration | FileReport]:
        """Read and parse every file, in order: from the cache when it has the file, else with
        the front ends (on several processes for large runs). Unreadable files become reports.
        Checks are not run here: they need the schema state in order, see ``lint_paths``."""
        return list(self._parse_read([(str(path), *read_source(path)) for path in files]))

    def _parse_read(self, sources: Sequence[Source]) -> Iterator[Migration | FileReport]:
        """``_parse_all`` for files already read, yielded in order as they are parsed."""
        keys = _keys(self.cache, sources) if self.cache is not None else ["" for _ in sources]
        yield from self._parse_sources(sources, keys, [True] * len(sources))
        if self.cache is not None:
            self.cache.flush()

    def _parse_sources(
        self, sources: Sequence[Source], keys: Sequence[str], counted: Sequence[bool]
    ) -> Iterator[Migration | FileReport]:
        """Migrations (or unreadable-file reports) for ``sources``, in order, from the parse cache
        or parsed; a file whose ``counted`` is False was already counted as a result hit. Parsed
        files are yielded as soon as they are ready (the pool keeps parsing the later ones meanwhile)."""
        from sqlguard.parallel import parse_all

        cache = self.cache
        slots: list[Migration | FileReport | None] = []
        pending: list[tuple[str, str]] = []
        for (path, text, problem), key, count in zip(sources, keys, counted, strict=True):
            if problem == UNREAD and cache is not None:  # known by its stamp: read only to parse it
                cached = cache.load(key, "", count=count)
                if cached is not None:
                    slots.append(cached)
                    continue
                _, text, problem = read_file(path)
            if text is None:
                slots.append(_unreadable(path, problem))
                continue
            cached = cache.load(key, text, count=count) if cache is not None else None
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
        self,
        path: str,
        text: str,
        *,
        schema: SchemaState | None = None,
        migration: Migration | None = None,
        dialect: str | None = None,
        chain: ChainFacts | None = None,
    ) -> FileReport:
        """Lint one file's text. ``schema`` is the state before it (earlier files of its chain) and
        is moved past its up changes; ``migration`` is the file already parsed (from the cache or a
        worker process), if it was; ``dialect`` is its chain's, when the chain's folder says one.

        Each statement is checked against the schema as it stands just before it, then applied.
        The down part (a down file, a dbmate down section, ``downgrade()``) starts from the state
        after the up part and advances on a branch of its own, which the chain never sees."""
        if migration is None:
            migration = parse_file(path, text, self.config)
        state = schema if schema is not None else SchemaState()
        dialect = dialect or (chain.dialect if chain is not None else None) or migration.dialect
        context = Context(
            migration=migration,
            schema=state,
            target_version=self.config.target_version,
            assume_in_transaction=self.config.assume_in_transaction,
            chain=chain,
            require_down=self.config.require_down,
            dialect=dialect,
        )
        diagnostics = list(migration.errors)
        if migration.kind == "python" and dialect != "postgres":
            # SQL strings in a revision of a SQLite or MySQL chain are that database's SQL, which
            # PostgreSQL's grammar cannot judge (PRAGMA...); Python's own syntax errors stay.
            diagnostics = [d for d in diagnostics if d.message.startswith(PYTHON_SYNTAX_ERROR)]
        self._check_phase(migration.changes, state, context, dialect, diagnostics)
        context.schema = state
        for rule in self._rules_for(Migration, dialect):
            diagnostics.extend(self._run(rule, migration, context))
        if migration.down_changes:
            self._check_phase(migration.down_changes, state.branch(), context, dialect, diagnostics)
        context.schema = state
        diagnostics = self._filter(path, text, migration, diagnostics)
        diagnostics.sort(key=lambda d: (d.span.start, d.rule))
        return FileReport(path=path, text=text, diagnostics=diagnostics)

    def _check_phase(
        self, changes: Sequence[Change], state: SchemaState, context: Context, dialect: str, out: list[Diagnostic]
    ) -> None:
        """Check and apply ``changes`` in order; rules that look ahead run once the phase is applied."""
        context.schema = state
        path = context.migration.path
        for change in changes:
            context.change = change
            for rule in self._rules_for(type(change), dialect):
                if not rule.check.lookahead:
                    out.extend(self._run(rule, change, context))
            state.apply(change, path)
        for change in changes:
            context.change = change
            for rule in self._rules_for(type(change), dialect):
                if rule.check.lookahead:
                    out.extend(self._run(rule, change, context))
        context.change = None

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
        why = self._why_in.get((rule_id, context.dialect)) or self._why[rule_id]
        return [
            Diagnostic(rule_id, d.span, d.message, d.help, d.fix, severity=_capped(severity, d.severity), name=name,
                       why=why)
            for d in found
        ]

    def _filter(self, path: str, text: str, migration: Migration, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
        ignored = self.config.ignored_for(path)
        if ignored:
            ignored_ids = set().union(*(self.expand(s) for s in ignored))
            diagnostics = [d for d in diagnostics if d.is_input_error or d.rule not in ignored_ids]
        suppressions = find_suppressions(text, migration.kind, self._aliases)
        return apply_suppressions(diagnostics, suppressions, text)


def chain_facts(key: ChainKey, chain: Sequence[Source], stamps: Stamps | None = None) -> ChainFacts:
    """What checks may ask about a chain as a whole (``ChainFacts``), from its files' names and
    texts in fold order: a down file, or a dbmate file with a down section, is a way back (for a
    file known by its stamp, the stamps remember whether it had one)."""
    first = next((source for source in chain if chains.up_of_down(source[0]) is None), None)
    if first is None or key.kind == "python":
        problems: tuple[revisions.GraphProblem, ...] = ()
        if key.kind == "python" and len(chain) > 0 and revisions.graph_is_whole(key.root):
            problems = revisions.graph_problems([(path, text) for path, text, _ in chain if text is not None])
        return ChainFacts(
            first=first[0] if first else "", forward_only=False, dialect=key.dialect, revision_problems=problems
        )
    has_down = any(
        chains.up_of_down(path) is not None
        or (text is not None and has_dbmate_down(text))
        or (problem == UNREAD and stamps is not None and stamps.flag(path))
        for path, text, problem in chain
    )
    in_layout = classify(first[0], first[1]) is not None or os.path.dirname(first[0]) != key.root
    return ChainFacts(first=first[0], forward_only=in_layout and not has_down, dialect=key.dialect)


def has_dbmate_down(text: str) -> bool:
    """A dbmate file whose down section has a statement (what ``Stamps`` remembers of a file it
    does not read): an empty section, which dbmate's template writes, is no way back."""
    if DBMATE_DOWN not in text.lower() or not is_dbmate(text):
        return False
    down = dbmate_sections(text).down
    if down is None:
        return False
    from sqlguard.frontends.sqlfile import has_statements  # pglast, only for dbmate files

    return has_statements(text[down[0] : down[1]])


def _capped(configured: Severity, cap: Severity) -> Severity:
    """The configured severity, lowered to the check's cap (``Context.diagnostic(at_most=...)``)."""
    return cap if cap.rank < configured.rank else configured


def _path(source: Source) -> str:
    return source[0]


def _text(source: Source) -> str | None:
    return source[1]


def _down_only(path: str) -> bool:
    """A down file: it never changes the forward state of its chain, so a fold that only moves
    the state past it need not parse it."""
    return chains.down_role(path) is not None


def _keys(cache: ParseCache, sources: Sequence[Source], stamps: Stamps | None = None) -> list[str]:
    """The cache key of each file (from its stamp when it was not read); an unreadable file's
    stands for its problem (no entry has it)."""
    readable = iter(cache.keys([(path, text) for path, text, _ in sources if text is not None]))
    keys = []
    for path, text, problem in sources:
        if text is not None:
            keys.append(next(readable))
        elif problem == UNREAD and stamps is not None:
            keys.append(stamps.key(path))
        else:
            keys.append(f"unreadable:{problem}")
    return keys


def _remember_stamps(stamps: Stamps | None, chain: Sequence[Source], keys: Sequence[str]) -> None:
    """Keep the keys of the files read this run under the stamps taken before reading them."""
    if stamps is None:
        return
    for (path, text, _), key in zip(chain, keys, strict=True):
        taken = stamps.taken.get(path)
        if taken is not None and text is not None:
            stamps.remember(path, taken[0], taken[1], key, has_dbmate_down(text))


def _is_revision(source: Source) -> bool:
    return source[1] is not None and revision_ids(source[1]) is not None


def _chained(cache: ParseCache, seed: str, keys: Sequence[str]) -> list[str]:
    links: list[str] = []
    link = seed
    for key in keys:
        link = cache.chain_next(link, key)
        links.append(link)
    return links


def _stamp_pairs(paths: Iterable[str]) -> dict[str, tuple[Stamp | None, Stamp | None]]:
    """Each file's stamp and its counterpart's (which its cache key holds), each file stat'ed once
    whether met as itself or as another's counterpart."""
    memo: dict[str, Stamp | None] = {}

    def stamp(path: str) -> Stamp | None:
        if path not in memo:
            memo[path] = stamp_of(path)
        return memo[path]

    pairs = {}
    for path in paths:
        counterpart = _counterpart(path)
        pairs[path] = (stamp(path), stamp(counterpart) if counterpart else None)
    return pairs


def _counterpart(path: str) -> str | None:
    """The file's down (or up) counterpart, whose text or presence its cache key holds."""
    role = classify(path) if path.lower().endswith(SQL_SUFFIXES) else None
    return role.counterpart_path if role is not None else None


def _posix(path: str) -> str:
    return path if os.sep == "/" else path.replace(os.sep, "/")


def _empty_note(migration: Migration) -> str | None:
    if not migration.text.strip() and migration.kind == "sql":  # an empty __init__.py is normal
        return f"{migration.path}: empty file, nothing to lint"
    return None


def _unreadable(path: str, reason: str) -> FileReport:
    diagnostic = Diagnostic(UNREADABLE_FILE, Span(0, 0), reason, name="unreadable-file")
    return FileReport(path=path, text="", diagnostics=[diagnostic])
