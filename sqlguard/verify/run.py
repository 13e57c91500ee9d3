"""The verify loop: for each step, up → down → up, comparing catalog snapshots in between.

After step i's downgrade the schema must equal the one before its upgrade; after the second
upgrade it must equal the one the first upgrade produced. The snapshot after the second upgrade is
the "before" of step i+1. A step marked irreversible is applied up and not stepped down.

A failure leaves the database in a state no later step was written for, so by default it ends the
run. With ``keep_going`` the run continues in a fresh database where every earlier up (and the
failed step's up, when it applied) has been replayed, so each later step is checked from the
state its author expected, and the report lists every failure.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlguard.verify.backends import BackendName, open_server, scratch_database
from sqlguard.verify.diff import Difference, describe, diff_snapshots, display_name, to_json
from sqlguard.verify.errors import VerifyUsageError
from sqlguard.verify.runners import DbError, Runner, StepError, discover_runner
from sqlguard.verify.snapshot import Snapshot, Snapshotter, take_snapshot

Phase = Literal["up", "down", "re-up"]
StepStatus = Literal["passed", "failed", "irreversible", "not run"]


@dataclass(frozen=True)
class Failure:
    """Why a step failed: the step, the phase, and either a database error or differences."""

    step: str
    phase: Phase
    summary: str
    error: DbError | None = None
    differences: tuple[str, ...] = ()
    raw_differences: tuple[Difference, ...] = field(default=(), repr=False)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("raw_differences")
        data["details"] = [to_json(d) for d in self.raw_differences]
        return data


@dataclass(frozen=True)
class StepResult:
    name: str
    status: StepStatus
    seconds: float = 0.0
    reason: str | None = None  # why a step is irreversible


@dataclass(frozen=True)
class Options:
    """How to verify: the command's flags and the project's configuration."""

    strict_column_order: bool = False
    keep_going: bool = False
    irreversible: frozenset[str] = frozenset()  # step names marked in the configuration
    setup: Path | None = None  # SQL run in every fresh database before the first migration


@dataclass
class VerifyReport:
    source: str
    kind: str
    backend: str
    server_version: str
    steps: list[StepResult] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0
    server_choice: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def failure(self) -> Failure | None:
        """The first failure (the only one without ``keep_going``)."""
        return self.failures[0] if self.failures else None

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def irreversible(self) -> list[StepResult]:
        return [s for s in self.steps if s.status == "irreversible"]

    def to_json(self) -> dict[str, Any]:
        failures = [f.to_json() for f in self.failures]
        return {
            "ok": self.ok,
            "source": self.source,
            "kind": self.kind,
            "backend": self.backend,
            "server_version": self.server_version,
            "server_choice": self.server_choice,
            "steps": [asdict(s) for s in self.steps],
            "failure": failures[0] if failures else None,
            "failures": failures,
            "irreversible": [{"step": s.name, "reason": s.reason} for s in self.irreversible],
            "warnings": self.warnings,
            "seconds": self.seconds,
        }


# Progress callback: (step index, step name, phase), called before each phase and with "done",
# "failed" or "irreversible" when a step ends.
Progress = Callable[[int, str, str], None]
Databases = Callable[[], contextlib.AbstractContextManager[str]]


def _noop(index: int, name: str, phase: str) -> None:
    return None


def verify_steps(
    runner: Runner,
    databases: Databases,
    options: Options = Options(),
    progress: Progress = _noop,
) -> tuple[list[StepResult], list[Failure], list[str]]:
    """Run the loop; ``databases()`` gives a fresh empty database (one, unless a step fails).

    Returns the step results, the failures and warnings (the change log missed something)."""
    names = runner.step_names()
    results: list[StepResult] = []
    failures: list[Failure] = []
    warnings: list[str] = []
    start = 0
    while start < len(names):
        with databases() as conninfo:
            stopped = _run_from(runner, conninfo, start, results, failures, options, progress, warnings)
        if stopped is None:
            break
        if not options.keep_going or stopped + 1 >= len(names):
            results.extend(StepResult(n, "not run") for n in names[len(results) :])
            break
        start = stopped + 1
    return results, failures, warnings


def _run_from(
    runner: Runner,
    conninfo: str,
    start: int,
    results: list[StepResult],
    failures: list[Failure],
    options: Options,
    progress: Progress,
    warnings: list[str],
) -> int | None:
    """Verify steps ``start``... in a fresh database; the index of the step that failed, or None."""
    import psycopg

    names = runner.step_names()
    runner.prepare(conninfo)
    if options.setup is not None:
        _run_setup(options.setup, conninfo)
    runner.open(conninfo)
    try:
        _replay(runner, start, results, failures)
        with psycopg.connect(conninfo, autocommit=True) as conn:
            snapshots = Snapshotter(conn)

            def snap(previous: Snapshot | None) -> Snapshot:
                return snapshots.take(previous, runner.skip_tables)

            before = snap(None)
            for index in range(start, len(names)):
                name = names[index]
                started = time.perf_counter()
                reason = runner.irreversible(index)
                if reason is None and name in options.irreversible:
                    reason = "listed in verify-irreversible"
                failure, before = _verify_one(runner, index, name, before, snap, progress, reason, options)
                elapsed = round(time.perf_counter() - started, 4)
                if failure is not None:
                    results.append(StepResult(name, "failed", elapsed))
                    failures.append(failure)
                    progress(index, name, "failed")
                    return index
                if reason is not None:
                    results.append(StepResult(name, "irreversible", elapsed, reason))
                    progress(index, name, "irreversible")
                else:
                    results.append(StepResult(name, "passed", elapsed))
                    progress(index, name, "done")
            if snapshots.incremental:
                warnings.extend(_drift(before, take_snapshot(conn, runner.skip_tables)))
    finally:
        runner.close()
    return None


def _drift(kept: Snapshot, full: Snapshot) -> list[str]:
    """The last snapshot, kept up to date from the change log, must equal a full read at the end
    of the run; if not, the log missed a change and a comparison may have missed it too."""
    if kept == full:
        return []
    names = sorted({f"{o.kind} {display_name(o.name)}" for o in set(kept.objects) ^ set(full.objects)})
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return [
        f"the incremental snapshot missed changes to {shown}; comparisons may have missed them too: "
        "rerun with SQLGUARD_VERIFY_FULL_SNAPSHOTS=1 and please report it"
    ]


def _replay(runner: Runner, start: int, results: list[StepResult], failures: list[Failure]) -> None:
    """Apply the ups before ``start`` without checking them: the state the next step expects.

    A step whose own up failed is left out (there is nothing of it to apply). If a replayed up
    fails now although it applied before, the migrations depend on something outside the schema,
    and continuing would check nothing: that is an error of the run.
    """
    failed_up = {f.step for f in failures if f.phase == "up"}
    for index in range(start):
        if results[index].name in failed_up:
            continue
        try:
            runner.up(index)
        except StepError as exc:
            raise VerifyUsageError(
                f"--keep-going: replaying the upgrade of {results[index].name} in a fresh database failed: "
                f"{exc.error.message}"
            ) from None


def _run_setup(path: Path, conninfo: str) -> None:
    """The user's --setup script (roles, extensions...), statement by statement, before anything else."""
    import psycopg

    from sqlguard.verify.runners import db_error, display_path, split_statements

    try:
        script = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise VerifyUsageError(f"--setup {path}: cannot read it ({exc})") from None
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for start, statement in split_statements(script):
            try:
                conn.execute(statement, prepare=False)
            except psycopg.Error as exc:
                error = db_error(exc, statement, display_path(path, Path.cwd()), script, start)
                raise VerifyUsageError(f"--setup failed at {error.location()}: {error.message}") from None


def _verify_one(
    runner: Runner,
    index: int,
    name: str,
    before: Snapshot,
    snap: Callable[[Snapshot | None], Snapshot],
    progress: Progress,
    irreversible: str | None,
    options: Options,
) -> tuple[Failure | None, Snapshot]:
    def apply(phase: Phase, action: Callable[[int], None]) -> Failure | None:
        progress(index, name, phase)
        try:
            action(index)
        except StepError as exc:
            verb = {"up": "upgrade", "down": "downgrade", "re-up": "re-upgrade"}[phase]
            return Failure(name, phase, f"{verb} of {name} failed: {exc.error.message}", error=exc.error)
        return None

    def compare(phase: Literal["down", "re-up"], expected: Snapshot, actual: Snapshot) -> Failure | None:
        diffs = diff_snapshots(expected, actual, options.strict_column_order)
        return _diff_failure(name, phase, diffs) if diffs else None

    failure = apply("up", runner.up)
    if failure:
        return failure, before
    after_up = snap(before)
    if irreversible is not None:
        return None, after_up
    if not runner.has_down(index):
        return Failure(name, "down", f"{name} has no down migration"), after_up
    failure = apply("down", runner.down)
    if failure:
        return failure, after_up
    after_down = snap(after_up)
    failure = compare("down", before, after_down)
    if failure:
        return failure, after_down
    failure = apply("re-up", runner.up)
    if failure:
        return failure, after_down
    after_reup = snap(after_down)
    return compare("re-up", after_up, after_reup), after_reup


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
    options: Options = Options(),
    pg_version: int | None = None,
    on_warning: Callable[[str], None] | None = None,
    app: str | None = None,
) -> VerifyReport:
    """Find the migrations at ``path``, get a throwaway database, and verify every step.

    Raises `VerifyUsageError` for input problems (exit 2); a failed verification is a report with
    failures (exit 1). The server and scratch databases are gone when this returns or raises.
    """
    started = time.perf_counter()
    runner = discover_runner(path, app)
    server = open_server(backend, dsn, pg_version)
    try:
        if on_server is not None:
            on_server(server.backend, server.version, server.detail)
        warnings = [*server.warnings, *_missing_extensions(runner, server.conninfo)]
        for warning in warnings:
            if on_warning is not None:
                on_warning(warning)

        @contextlib.contextmanager
        def databases() -> Iterator[str]:
            with scratch_database(server) as conninfo:
                yield conninfo

        results, failures, drift = verify_steps(runner, databases, options, progress)
        for warning in drift:
            warnings.append(warning)
            if on_warning is not None:
                on_warning(warning)
    finally:
        server.close()
    return VerifyReport(
        source=str(path),
        kind=runner.kind,
        backend=server.backend,
        server_version=server.version,
        steps=results,
        failures=failures,
        seconds=round(time.perf_counter() - started, 3),
        server_choice=server.detail,
        warnings=warnings,
    )


def _missing_extensions(runner: Runner, conninfo: str) -> list[str]:
    """One warning per extension the migrations create that this server cannot install, said
    before the run: the step will fail for a reason that is the server's, not the migration's."""
    import psycopg

    needed = runner.extensions()
    if not needed:
        return []
    with psycopg.connect(conninfo, autocommit=True) as conn:
        available = {str(row[0]) for row in conn.execute("SELECT name FROM pg_available_extensions")}
    out = []
    for extension, steps in sorted(needed.items()):
        if extension not in available:
            out.append(
                f"this server has no extension {extension!r}, which {', '.join(steps)} create(s): "
                "those steps will fail here; use a server that has it (--pg-version, --backend, --dsn)"
            )
    return out
