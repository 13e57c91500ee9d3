"""``--changed-since REF``: which files a branch changed, asked of git.

A file counts as changed when it differs between the merge base of ``REF`` and ``HEAD`` and the
working tree (committed on the branch, staged or not), or is untracked and not ignored. The merge
base, not ``REF`` itself, so commits that landed on the base branch after the branch started do
not count as the branch's own (what a pull request's "Files changed" tab shows).

The lint still reads every path it is given, so earlier migrations feed the schema state; only
what is reported is narrowed to the changed files (see ``keep_changed``).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlguard.diagnostics import FileReport


class GitError(Exception):
    """git is missing, the folder is not a repository, or the ref is unknown (a user error)."""


def _git(cwd: Path, *args: str) -> str:
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=60
        )
    except FileNotFoundError as error:
        raise GitError("git is not installed") from error
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["git failed"])[-1]
        raise GitError(last.removeprefix("fatal: "))
    return done.stdout


def changed_files(ref: str, cwd: Path) -> frozenset[Path]:
    """Resolved paths of the files changed since the merge base of ``ref`` and ``HEAD``."""
    top = Path(_git(cwd, "rev-parse", "--show-toplevel").strip())
    if not _known(cwd, ref):
        raise GitError(f"unknown revision {ref!r} (in CI, fetch it: actions/checkout with fetch-depth: 0)")
    base = _git(cwd, "merge-base", ref, "HEAD").strip()
    names = _git(cwd, "diff", "--name-only", "--no-renames", "-z", base, "--").split("\0")
    names += _git(top, "ls-files", "--others", "--exclude-standard", "-z").split("\0")
    return frozenset((top / name).resolve() for name in names if name)


def _known(cwd: Path, ref: str) -> bool:
    try:
        _git(cwd, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except GitError:
        return False
    return True


@dataclass(frozen=True)
class Narrowed:
    """The reports of changed files, and how much was left out."""

    reports: list[FileReport]
    hidden_findings: int
    hidden_files: int


def keep_changed(reports: Iterable[FileReport], changed: frozenset[Path]) -> Narrowed:
    """Only the reports of changed files; the findings of the others are counted, not shown."""
    kept: list[FileReport] = []
    hidden_findings = hidden_files = 0
    for report in reports:
        if Path(report.path).resolve() in changed:
            kept.append(report)
        else:
            hidden_files += 1
            hidden_findings += len(report.diagnostics)
    return Narrowed(kept, hidden_findings, hidden_files)
