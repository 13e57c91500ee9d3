"""The verify loop: for each step, up → down → up, comparing catalog snapshots in between.

After step i's downgrade the schema must equal the one before its upgrade; after the second
upgrade it must equal the one the first upgrade produced. The snapshot after the second upgrade is
the "before" of step i+1, so each step costs three snapshots. The first failure stops the run: the
database is in a state no later step was written for.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlguard.verify.backends import BackendName, open_server, scratch_database
from sqlguard.verify.diff import Difference, describe, diff_snapshots
from sqlguard.verify.runners import DbError, Runner, StepError, discover_runner
from sqlguard.verify.snapshot import Snapshot, take_snapshot

Phase = Literal["up", "down", "re-up"]
StepStatus = Literal["passed", "failed", "not run"]


@dataclass(frozen=True)
class Failure:
    """Why verification stopped: the step, the phase, and either a database error or differences."""

    step: str
    phase: Phase
    summary: str
    error: DbError | None = None
    differences: tuple[str, ...] = ()
    raw_differences: tuple[Difference, ...] = field(default=(), repr=False)


@dataclass(frozen=True)
class StepResult:
    name: str
    status: StepStatus
    seconds: float = 0.0


@dataclass
class VerifyReport:
    source: str
    kind: str
    backend: str
    server_version: str
    steps: list[StepResult] = field(default_factory=list)
    failure: Failure | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.failure is None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        if self.failure is not None:
            data["failure"].pop("raw_differences", None)
        return data


# Progress callback: (step index, step name, phase or "done"), called before each phase.
Progress = Callable[[int, str, str], None]


def _noop(index: int, name: str, phase: str) -> None:
    return None


def verify_steps(
    runner: Runner, conninfo: str, progress: Progress = _noop
) -> tuple[list[StepResult], Failure | None]:
    """Run the loop on an empty database at ``conninfo``."""
    import psycopg

    names = runner.step_names()
    results: list[StepResult] = []
    runner.open(conninfo)
    try:
        with psycopg.connect(conninfo, autocommit=True) as conn:

            def snap() -> Snapshot:
                return take_snapshot(conn, runner.skip_tables)

            before = snap()
            for index, name in enumerate(names):
                started = time.perf_counter()
                failure, before = _verify_one(runner, index, name, before, snap, progress)
                elapsed = time.perf_counter() - started
                results.append(StepResult(name, "failed" if failure else "passed", round(elapsed, 4)))
                if failure is not None:
                    results.extend(StepResult(n, "not run") for n in names[index + 1 :])
                    return results, failure
                progress(index, name, "done")
    finally:
        runner.close()
    return results, None


def _verify_one(
    runner: Runner,
    index: int,
    name: str,
    before: Snapshot,
    snap: Callable[[], Snapshot],
    progress: Progress,
) -> tuple[Failure | None, Snapshot]:
    def apply(phase: Phase, action: Callable[[int], None]) -> Failure | None:
        progress(index, name, phase)
        try:
            action(index)
        except StepError as exc:
            verb = {"up": "upgrade", "down": "downgrade", "re-up": "re-upgrade"}[phase]
            return Failure(name, phase, f"{verb} of {name} failed: {exc.error.message}", error=exc.error)
        return None

    failure = apply("up", runner.up)
    if failure:
        return failure, before
    after_up = snap()
    if not runner.has_down(index):
        return Failure(name, "down", f"{name} has no down migration"), after_up
    failure = apply("down", runner.down)
    if failure:
        return failure, after_up
    after_down = snap()
    diffs = diff_snapshots(before, after_down)
    if diffs:
        return _diff_failure(name, "down", diffs), after_down
    failure = apply("re-up", runner.up)
    if failure:
        return failure, after_down
    after_reup = snap()
    diffs = diff_snapshots(after_up, after_reup)
    if diffs:
        return _diff_failure(name, "re-up", diffs), after_reup
    return None, after_reup


def _diff_failure(name: str, phase: Literal["down", "re-up"], diffs: list[Difference]) -> Failure:
    lines = tuple(describe(d, phase, name) for d in diffs)
    summary = lines[0] if len(lines) == 1 else f"{lines[0]} (and {len(lines) - 1} more difference(s))"
    return Failure(name, phase, summary, differences=lines, raw_differences=tuple(diffs))


def verify_path(
    path: Path,
    backend: BackendName = "auto",
    dsn: str | None = None,
    progress: Progress = _noop,
    on_server: Callable[[str, str, str], None] | None = None,
) -> VerifyReport:
    """Find the migrations at ``path``, get a throwaway database, and verify every step.

    Raises `VerifyUsageError` for input problems (exit 2); a failed verification is a report with
    a failure (exit 1). The server and scratch database are gone when this returns or raises.
    """
    started = time.perf_counter()
    runner = discover_runner(path)
    server = open_server(backend, dsn)
    try:
        if on_server is not None:
            on_server(server.backend, server.version, server.detail)
        with scratch_database(server) as conninfo:
            results, failure = verify_steps(runner, conninfo, progress)
    finally:
        server.close()
    return VerifyReport(
        source=str(path),
        kind=runner.kind,
        backend=server.backend,
        server_version=server.version,
        steps=results,
        failure=failure,
        seconds=round(time.perf_counter() - started, 3),
    )
