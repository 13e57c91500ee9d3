"""What verify reads from the project's configuration (`[tool.sqlguard]` or sqlguard.toml).

Only two keys matter here: ``target-version`` (the PostgreSQL major version the migrations are
written for, which picks the server when --pg-version is not given) and ``verify-irreversible``
(step names applied up only). The rest of the file is checked by the same parser lint uses, so a
typo fails verify exactly as it fails lint.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from sqlguard.config import ConfigError, find_config_file, load_config
from sqlguard.verify.errors import VerifyUsageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


@dataclass(frozen=True)
class ProjectSettings:
    target_version: int | None = None  # None: the file does not say
    irreversible: frozenset[str] = frozenset()
    where: str = ""


def project_settings(path: Path) -> ProjectSettings:
    """The settings of the configuration file nearest to ``path`` (none: the defaults)."""
    start = path if path.exists() else Path.cwd()
    found = find_config_file(start)
    if found is None:
        return ProjectSettings()
    from sqlguard.engine import known_rules, selectors

    try:
        load_config(found, selectors(known_rules()))
    except ConfigError as exc:
        raise VerifyUsageError(str(exc)) from None
    data = tomllib.loads(found.read_text(encoding="utf-8"))
    table = data.get("tool", {}).get("sqlguard", {}) if found.name == "pyproject.toml" else data
    if found.name != "pyproject.toml" and "tool" in data:
        table = data["tool"].get("sqlguard", data)
    version = table.get("target-version")
    names = table.get("verify-irreversible", [])
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise VerifyUsageError(f"{found}: 'verify-irreversible' must be a list of migration names")
    return ProjectSettings(
        target_version=int(str(version).split(".")[0]) if version is not None else None,
        irreversible=frozenset(names),
        where=str(found),
    )
