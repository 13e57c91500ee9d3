"""The `sqlguard verify` click command: options, progress display, text/JSON report, exit codes.

Exit codes follow the rest of sqlguard: 0 every step verified, 1 a step failed verification,
2 a usage, input or connection problem (one line on stderr, never a traceback), 130 interrupted.
"""

from __future__ import annotations

import contextlib
import json
import signal
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import click
from rich.console import Console
from rich.markup import escape

from sqlguard.verify.backends import BACKENDS, BackendName
from sqlguard.verify.diff import SHORT, Difference
from sqlguard.verify.errors import VerifyUsageError
from sqlguard.verify.run import Failure, Options, VerifyReport, verify_path
from sqlguard.verify.settings import project_settings

_PHASE_WORDS = {"up": "upgrade", "down": "downgrade", "re-up": "re-upgrade"}


@contextmanager
def _signals_as_interrupt() -> Iterator[None]:
    """SIGTERM and SIGHUP unwind like Ctrl-C, so every `finally` that removes a server runs."""

    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    previous: dict[signal.Signals, Any] = {}
    for sig in (signal.SIGTERM, signal.SIGHUP):
        with contextlib.suppress(ValueError):  # not the main thread: leave signals alone
            previous[sig] = signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


class _Display:
    """Progress for people: a live status line on a terminal, one line per finished step otherwise."""

    def __init__(self, console: Console, enabled: bool) -> None:
        self.console = console
        self.enabled = enabled
        self.live = enabled and console.is_terminal
        self._status: Any = None

    def server(self, backend: str, version: str, detail: str) -> None:
        if self.enabled:
            short = version.split(" ")[0]
            self.console.print(f"backend: [bold]{backend}[/] (PostgreSQL {escape(short)}, {escape(detail)})")

    def progress(self, index: int, name: str, phase: str) -> None:
        if not self.enabled:
            return
        if phase in _ENDINGS:
            self.stop()
            self.console.print(_ENDINGS[phase].format(name=escape(name)))
            return
        if self.live:
            text = f"{escape(name)}: {_PHASE_WORDS.get(phase, phase)}…"
            if self._status is None:
                self._status = self.console.status(text)
                self._status.start()
            else:
                self._status.update(text)

    def stop(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None


_ENDINGS = {
    "done": "  [green]✓[/] {name}",
    "failed": "  [red]✗[/] {name}",
    "irreversible": "  [yellow]↛[/] {name}  (irreversible: up only)",
}
WIDTH = 100  # long before/after values are wrapped to this width, never cut


def _wrapped(label: str, value: str | None) -> list[str]:
    """``before: ...`` with the value's own lines kept and each wrapped to fit WIDTH."""
    text = "(none)" if value is None else value.strip()
    first = f"      {label}: "
    indent = " " * len(first)
    lines: list[str] = []
    for raw in text.splitlines() or [""]:
        lines.extend(textwrap.wrap(raw, WIDTH - len(first), subsequent_indent="  ") or [""])
    return [first + lines[0], *(indent + line for line in lines[1:])]


def _render_failure(console: Console, failure: Failure) -> None:
    console.print(f"[red bold]FAILED[/] {escape(failure.summary)}")
    if failure.error is not None:
        err = failure.error
        if err.location():
            console.print(f"  at {escape(err.location())}")
        if err.statement:
            statement = err.statement if len(err.statement) < 600 else err.statement[:600] + " …"
            console.print("  statement: " + escape(statement).replace("\n", "\n    "))
        for label, value in (("sqlstate", err.sqlstate), ("detail", err.detail), ("hint", err.hint)):
            if value:
                console.print(f"  {label}: {escape(value)}")
    several = len(failure.differences) > 1  # a single one is the summary line already
    raw: tuple[Difference | None, ...] = failure.raw_differences or (None,) * len(failure.differences)
    for line, diff in zip(failure.differences, raw, strict=True):
        if several:
            console.print(f"  - {escape(line)}")
        for change in diff.changes if diff is not None else ():
            if len(" ".join((change.expected or "").split())) <= SHORT and len(
                " ".join((change.actual or "").split())
            ) <= SHORT:
                continue  # the sentence already says both
            console.print(f"    {escape(change.attribute)}:")
            for text in (*_wrapped("before", change.expected), *_wrapped("after", change.actual)):
                console.print(escape(text))


def _render_text(console: Console, report: VerifyReport) -> None:
    passed = sum(1 for s in report.steps if s.status == "passed")
    total = len(report.steps)
    for failure in report.failures:
        _render_failure(console, failure)
    irreversible = report.irreversible
    for step in irreversible:
        reason = escape(step.reason or "")
        console.print(f"[yellow]IRREVERSIBLE[/] {escape(step.name)}: {reason} (applied up, not stepped down)")
    marked = f", {len(irreversible)} irreversible (up only)" if irreversible else ""
    if not report.failures:
        console.print(
            f"[green]verified {passed} migration(s)[/] up → down → up{marked} in {report.seconds:.1f}s"
        )
        return
    not_run = sum(1 for s in report.steps if s.status == "not run")
    tail = f", {not_run} not run" if not_run else ""
    console.print(
        f"{len(report.failures)} failed, {passed} of {total} migration(s) verified{marked}{tail} "
        f"({report.seconds:.1f}s)"
    )


@click.command("verify")
@click.argument("path", type=click.Path(path_type=Path), default=Path("."))
@click.option(
    "--dsn",
    envvar="SQLGUARD_VERIFY_DSN",
    help="Existing server (URL or libpq conninfo; env SQLGUARD_VERIFY_DSN): a scratch database is "
    "created there and dropped afterwards.",
)
@click.option(
    "--backend",
    type=click.Choice(BACKENDS),
    default="auto",
    show_default=True,
    help="Where the throwaway PostgreSQL comes from.",
)
@click.option(
    "--pg-version",
    type=click.IntRange(9, 40),
    help="PostgreSQL major version to verify on (default: target-version from the configuration, "
    "else the newest server at hand).",
)
@click.option(
    "--keep-going",
    is_flag=True,
    help="After a failure, continue in a fresh database with the chain applied up to the failed "
    "migration; report every failure.",
)
@click.option(
    "--strict-column-order",
    is_flag=True,
    help="Also compare the order of columns (ignored by default: a down that re-adds a column puts it last).",
)
@click.option(
    "--setup",
    "setup",
    type=click.Path(path_type=Path, dir_okay=False),
    help="SQL run in each fresh database before the first migration (roles, extensions).",
)
@click.option(
    "--app",
    "app",
    envvar="FLASK_APP",
    help="Flask-Migrate projects: the app to run migrations in, as `flask --app` takes it "
    "(module or module:factory; env FLASK_APP; default: app.py or wsgi.py).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: progress and a readable failure; json: a machine report on stdout.",
)
def verify(
    path: Path,
    dsn: str | None,
    backend: BackendName,
    pg_version: int | None,
    keep_going: bool,
    strict_column_order: bool,
    setup: Path | None,
    app: str | None,
    output_format: str,
) -> None:
    """Run every migration up, down and up again in a throwaway PostgreSQL and compare schemas.

    PATH is an Alembic project (alembic.ini or its script folder) or a folder of SQL migrations.
    """
    with _interrupt_exits_130():
        _verify(path, dsn, backend, pg_version, keep_going, strict_column_order, setup, app, output_format)


@contextmanager
def _interrupt_exits_130() -> Iterator[None]:
    """Ctrl-C at any moment, even before a server exists, ends with 130 and one line."""
    try:
        yield
    except KeyboardInterrupt:
        Console(stderr=True).print("sqlguard verify: interrupted; the throwaway database was removed")
        sys.exit(130)


def _verify(
    path: Path,
    dsn: str | None,
    backend: BackendName,
    pg_version: int | None,
    keep_going: bool,
    strict_column_order: bool,
    setup: Path | None,
    app: str | None,
    output_format: str,
) -> None:
    console = Console(highlight=False, soft_wrap=True)
    errors = Console(stderr=True, highlight=False, soft_wrap=True)
    display = _Display(console, enabled=output_format == "text")
    try:
        with _signals_as_interrupt():
            settings = project_settings(path)
            options = Options(
                strict_column_order=strict_column_order,
                keep_going=keep_going,
                irreversible=settings.irreversible,
                setup=setup,
            )
            report = verify_path(
                path,
                backend=backend,
                dsn=dsn,
                progress=display.progress,
                on_server=display.server,
                options=options,
                pg_version=pg_version if pg_version is not None else settings.target_version,
                on_warning=lambda text: errors.print(f"sqlguard verify: warning: {escape(text)}"),
                app=app,
            )
    except VerifyUsageError as exc:
        display.stop()
        errors.print(f"sqlguard verify: error: {escape(str(exc))}")
        if output_format == "json":
            click.echo(json.dumps({"ok": False, "error": str(exc)}))
        sys.exit(2)
    except KeyboardInterrupt:
        display.stop()
        raise
    display.stop()
    if output_format == "json":
        click.echo(json.dumps(report.to_json(), indent=2))
    else:
        _render_text(console, report)
    sys.exit(0 if report.ok else 1)
