"""Settings from ``[tool.sqlguard]`` in pyproject.toml or from sqlguard.toml.

The nearest file above the starting folder wins (sqlguard.toml before pyproject.toml in the same
folder). Every key and rule id is checked: a typo is an error with the file's name, never a
silently ignored setting.
"""

from __future__ import annotations

import difflib
import fnmatch
import functools
import os
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePath
from typing import Any

from sqlguard.diagnostics import Severity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

DEFAULT_EXCLUDES = (
    ".git",
    ".hg",
    ".venv",
    "venv",
    "node_modules",
    "__pycache__",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".ruff_cache",
    "build",
    "dist",
    "site-packages",
)
DIALECTS = ("postgres", "mysql", "sqlite")
KNOWN_KEYS = {
    "select",
    "extend-select",
    "ignore",
    "per-file-ignores",
    "severity",
    "target-version",
    "exclude",
    "extend-exclude",
    "fail-on",
    "assume-in-transaction",
    "dialect",
    "migration-dirs",
    "cache-dir",
    "require-down",
    "verify-irreversible",  # read by sqlguard.verify.settings
}
# SG006 for up migrations without a down: once per chain that has no down at all ("chain"), for
# every such file ("file"), or never ("off": a forward-only project).
REQUIRE_DOWN = ("chain", "file", "off")


class ConfigError(Exception):
    """The configuration is wrong; the message names the file and the key."""


@dataclass(frozen=True)
class Config:
    """Effective settings for one run. ``select`` None means every rule not opt-in."""

    select: frozenset[str] | None = None
    extend_select: frozenset[str] = frozenset()
    ignore: frozenset[str] = frozenset()
    per_file_ignores: tuple[tuple[str, frozenset[str]], ...] = ()
    severity: tuple[tuple[str, Severity], ...] = ()
    target_version: int = 16
    exclude: tuple[str, ...] = DEFAULT_EXCLUDES
    fail_on: Severity = Severity.WARNING
    assume_in_transaction: bool = False
    dialect: str = "postgres"
    migration_dirs: tuple[str, ...] = ()
    cache_dir: str | None = None
    require_down: str = "chain"
    path: Path | None = None
    root: Path = field(default_factory=Path.cwd)

    def with_overrides(self, **changes: Any) -> Config:
        return replace(self, **{key: value for key, value in changes.items() if value is not None})

    def is_excluded_name(self, name: str, posix_path: str) -> bool:
        """Whether ``exclude`` drops an entry met while walking folders already found not excluded:
        only its own ``name`` and its whole path (``/`` separators) can match. Discovery asks this
        for every file, with strings: a ``Path`` per file cost more than the match."""
        matches = _exclude_matcher(self.exclude)
        return matches(name) is not None or matches(posix_path) is not None

    def ignored_for(self, path: str) -> frozenset[str]:
        """Rule selectors ignored for ``path`` by ``per-file-ignores``."""
        if not self.per_file_ignores:
            return frozenset()
        relative = _relative(path, self.root)
        ignored: set[str] = set()
        for pattern, selectors in self.per_file_ignores:
            if PurePath(relative).match(pattern) or fnmatch.fnmatch(relative, pattern):
                ignored |= selectors
        return frozenset(ignored)


@functools.cache
def _exclude_matcher(patterns: tuple[str, ...]) -> Callable[[str], re.Match[str] | None]:
    """All exclude globs as one compiled regex (as ``fnmatch`` reads them): discovery asks for
    every part of every path, and one match per part is many times cheaper than one per pattern."""
    if not patterns:
        return lambda text: None
    combined = "|".join(f"(?:{fnmatch.translate(os.path.normcase(p))})" for p in patterns)
    search = re.compile(combined).match
    return lambda text: search(os.path.normcase(text))


def _relative(path: str, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError):
        return Path(path).as_posix()


def find_config_file(start: Path) -> Path | None:
    """The nearest sqlguard.toml, or pyproject.toml with a [tool.sqlguard] table, above ``start``."""
    folder = start if start.is_dir() else start.parent
    folder = folder.resolve()
    for candidate in (folder, *folder.parents):
        own = candidate / "sqlguard.toml"
        pyproject = candidate / "pyproject.toml"
        try:
            if own.is_file():
                return own
            if pyproject.is_file() and _has_sqlguard_table(pyproject):
                return pyproject
        except OSError as error:  # a folder or file above us that we may not read: say so
            raise ConfigError(f"{error.filename or candidate}: cannot read ({error.strerror or error})") from error
    return None


def _has_sqlguard_table(pyproject: Path) -> bool:
    """Whether ``pyproject`` configures sqlguard; raises ``OSError`` when it cannot be read (an
    unreadable config is an error, not a reason to lint with another one)."""
    text = pyproject.read_bytes().decode("utf-8", errors="replace")
    try:
        data = _parse_toml(text)
    except (tomllib.TOMLDecodeError, ConfigError):
        return "[tool.sqlguard]" in text  # a broken one that means us: load_config says what is wrong
    tool = data.get("tool")
    return isinstance(tool, dict) and "sqlguard" in tool


def _parse_toml(text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except RecursionError as error:  # tomllib recurses once per nested array or table
        raise ConfigError("nested too deeply") from error


def load_config(path: Path | None, known_selectors: Iterable[str]) -> Config:
    """Read ``path`` (or return defaults when None), validating keys and rule selectors."""
    if path is None:
        return Config()
    try:
        data = _parse_toml(path.read_text(encoding="utf-8"))
    except ConfigError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from error
    except FileNotFoundError as error:
        raise ConfigError(f"{path}: config file not found") from error
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read config file ({error})") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from error
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: 'tool' must be a table")
    if path.name == "pyproject.toml":
        table = tool.get("sqlguard", {})
        where = f"{path} [tool.sqlguard]"
    else:
        table = tool.get("sqlguard", data) if "tool" in data else data
        where = str(path)
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: expected a table of settings")
    return parse_settings(table, where, path, set(known_selectors))


def parse_settings(table: dict[str, Any], where: str, path: Path | None, known: set[str]) -> Config:
    unknown = sorted(set(table) - KNOWN_KEYS)
    if unknown:
        close = difflib.get_close_matches(unknown[0], sorted(KNOWN_KEYS), n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(sorted(KNOWN_KEYS))}"
        raise ConfigError(f"{where}: unknown key {unknown[0]!r} ({hint})")
    root = path.parent.resolve() if path is not None else Path.cwd()

    def selectors(key: str) -> frozenset[str]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ConfigError(f"{where}: {key!r} must be a list of rule ids, names or categories")
        return frozenset(check_selectors(value, known, f"{where}: {key}"))

    settings: dict[str, Any] = {"path": path, "root": root}
    if "select" in table:
        settings["select"] = selectors("select")
    settings["extend_select"] = selectors("extend-select")
    settings["ignore"] = selectors("ignore")
    per_file = table.get("per-file-ignores", {})
    if not isinstance(per_file, dict):
        raise ConfigError(f"{where}: 'per-file-ignores' must be a table of glob = [rule ids]")
    per_file_ignores = []
    for pattern, ids in per_file.items():
        if not pattern.strip():
            raise ConfigError(f"{where}: per-file-ignores has an empty glob; name the files it is for")
        if not isinstance(ids, list) or not all(isinstance(item, str) for item in ids):
            raise ConfigError(f"{where}: per-file-ignores[{pattern!r}] must be a list of rule ids")
        per_file_ignores.append((pattern, frozenset(check_selectors(ids, known, f"{where}: per-file-ignores"))))
    settings["per_file_ignores"] = tuple(per_file_ignores)
    severities = table.get("severity", {})
    if not isinstance(severities, dict):
        raise ConfigError(f"{where}: 'severity' must be a table of rule id = \"error|warning|info\"")
    parsed_severity = []
    for selector, level in severities.items():
        check_selectors([selector], known, f"{where}: severity")
        parsed_severity.append((selector.upper() if selector.upper() in known else selector, _severity(level, where)))
    settings["severity"] = tuple(parsed_severity)
    if "target-version" in table:
        settings["target_version"] = parse_target_version(table["target-version"], where)
    if "exclude" in table:
        settings["exclude"] = _strings(table["exclude"], "exclude", where)
    if "extend-exclude" in table:
        settings["exclude"] = DEFAULT_EXCLUDES + _strings(table["extend-exclude"], "extend-exclude", where)
    if "fail-on" in table:
        settings["fail_on"] = _severity(table["fail-on"], where)
    if "assume-in-transaction" in table:
        value = table["assume-in-transaction"]
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: 'assume-in-transaction' must be true or false")
        settings["assume_in_transaction"] = value
    if "dialect" in table:
        settings["dialect"] = parse_dialect(table["dialect"], where)
    if "migration-dirs" in table:
        settings["migration_dirs"] = _strings(table["migration-dirs"], "migration-dirs", where)
    if "require-down" in table:
        if table["require-down"] not in REQUIRE_DOWN:
            raise ConfigError(f"{where}: 'require-down' must be one of {', '.join(map(repr, REQUIRE_DOWN))}")
        settings["require_down"] = table["require-down"]
    if "cache-dir" in table:
        if not isinstance(table["cache-dir"], str):
            raise ConfigError(f"{where}: 'cache-dir' must be a path")
        settings["cache_dir"] = table["cache-dir"]
    return Config(**settings)


def check_selectors(values: Iterable[str], known: set[str], where: str) -> list[str]:
    """Rule ids (any case), rule names, categories or ``ALL``; anything else is an error."""
    result = []
    lowered = {item.lower(): item for item in known}
    for value in values:
        key = value.strip().lower()
        if key not in lowered:
            raise ConfigError(f"{where}: unknown rule {value!r} (see `sqlguard rules`)")
        result.append(lowered[key])
    return result


def parse_target_version(value: Any, where: str) -> int:
    try:
        version = int(str(value).split(".")[0])
    except ValueError:
        version = -1
    if not 9 <= version <= 30:
        raise ConfigError(f"{where}: target-version must be a PostgreSQL major version like 13 or 16, not {value!r}")
    return version


def parse_dialect(value: Any, where: str) -> str:
    if value not in DIALECTS:
        raise ConfigError(f"{where}: dialect must be one of {', '.join(DIALECTS)}, not {value!r}")
    return str(value)


def _severity(value: Any, where: str) -> Severity:
    try:
        return Severity(str(value).lower())
    except ValueError as error:
        raise ConfigError(f"{where}: severity must be error, warning or info, not {value!r}") from error


def _strings(value: Any, key: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where}: {key!r} must be a list of strings")
    return tuple(value)
