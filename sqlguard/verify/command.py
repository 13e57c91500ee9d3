"""The `sqlguard verify` click command: options, progress display, text/JSON report, exit codes.

Exit codes follow the rest of sqlguard: 0 every step verified, 1 a step failed verification,
2 a usage, input or connection problem (one line on stderr, never a traceback), 130 interrupted.
"""

from __future__ import annotations

import contextlib
import json
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import click
from rich.console import Console
from rich.markup import escape

from sqlguard.verify.backends import BACKENDS, BackendName
from sqlguard.verify.errors import VerifyUsageError
from sqlguard.verify.run import VerifyReport, verify_path

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
        self._names: list[str] = []

    def server(self, backend: str, version: str, detail: str) -> None:
        if self.enabled:
            short = version.split(" ")[0]
            self.console.print(f"backend: [bold]{backend}[/] (PostgreSQL {escape(short)}, {escape(detail)})")

    def progress(self, index: int, name: str, phase: str) -> None:
        if not self.enabled:
            return
        if phase == "done":
            self.console.print(f"  [green]✓[/] {escape(name)}")
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


def _render_text(console: Console, report: VerifyReport) -> None:
    failure = report.failure
    passed = sum(1 for s in report.steps if s.status == "passed")
    total = len(report.steps)
    if failure is None:
        console.print(f"[green]verified {total} migration(s)[/] up → down → up in {report.seconds:.1f}s")
        return
    console.print(f"  [red]✗[/] {escape(failure.step)}  ({failure.phase})")
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
    for line in failure.differences[1:] if len(failure.differences) > 1 else ():
        console.print(f"  also: {escape(line)}")
    console.print(f"{passed} of {total} migration(s) verified before the failure ({report.seconds:.1f}s)")


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
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: progress and a readable failure; json: a machine report on stdout.",
)
def verify(path: Path, dsn: str | None, backend: BackendName, output_format: str) -> None:
    """Run every migration up, down and up again in a throwaway PostgreSQL and compare schemas.

    PATH is an Alembic project (alembic.ini or its script folder) or a folder of SQL migrations.
    """
    console = Console(highlight=False, soft_wrap=True)
    errors = Console(stderr=True, highlight=False, soft_wrap=True)
    display = _Display(console, enabled=output_format == "text")
    try:
        with _signals_as_interrupt():
            report = verify_path(
                path, backend=backend, dsn=dsn, progress=display.progress, on_server=display.server
            )
    except VerifyUsageError as exc:
        display.stop()
        errors.print(f"sqlguard verify: error: {escape(str(exc))}")
        if output_format == "json":
            click.echo(json.dumps({"ok": False, "error": str(exc)}))
        sys.exit(2)
    except KeyboardInterrupt:
        display.stop()
        errors.print("sqlguard verify: interrupted; the throwaway database was removed")
        sys.exit(130)
    display.stop()
    if output_format == "json":
        click.echo(json.dumps(report.to_json(), indent=2))
    else:
        _render_text(console, report)
    sys.exit(0 if report.ok else 1)
