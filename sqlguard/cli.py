"""The ``sqlguard`` command: lint, rules, explain (verify and lsp register themselves here too).

Exit codes: 0 clean; 1 findings at or above ``--fail-on``; 2 usage, config or input errors
(when there is no finding to report); 3 an internal error, which is a bug in sqlguard.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from sqlguard import __version__
from sqlguard.catalogue import load_pages
from sqlguard.config import Config, ConfigError, find_config_file, load_config, parse_target_version
from sqlguard.diagnostics import FileReport, Severity
from sqlguard.engine import Linter, RunResult, known_rules, selectors
from sqlguard.reading import decode_source
from sqlguard.reporters import FORMATS, concise, github, sarif, text
from sqlguard.reporters import json as json_reporter
from sqlguard.reporters.escape import escaped as _escaped

if TYPE_CHECKING:
    from sqlguard.cache import ParseCache

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2
EXIT_INTERNAL = 3


def _split(values: tuple[str, ...]) -> list[str]:
    return [item.strip() for value in values for item in value.split(",") if item.strip()]


def resolve_config(config_path: str | None, start: Path) -> Config:
    """The effective config: ``--config`` if given, else the nearest file above ``start``."""
    known = selectors(known_rules())
    path = Path(config_path) if config_path else find_config_file(start)
    return load_config(path, known)


def exit_code(reports: list[FileReport], fail_on: Severity) -> int:
    diagnostics = [d for report in reports for d in report.diagnostics]
    if any(not d.is_input_error and d.severity.rank >= fail_on.rank for d in diagnostics):
        return EXIT_FINDINGS
    if any(d.is_input_error for d in diagnostics):
        return EXIT_ERROR
    return EXIT_CLEAN


class _LazyGroup(click.Group):
    """A group whose optional commands are imported only when asked for by name (or by --help).

    verify and lsp pull in psycopg, pygls and rich at import time; importing them for every
    ``sqlguard lint`` would cost more than the lint of a small file.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands: dict[str, str] = {}  # command name -> "module:attribute"

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None or cmd_name not in self.lazy_commands:
            return command
        module_name, _, attribute = self.lazy_commands[cmd_name].partition(":")
        try:
            import importlib

            command = getattr(importlib.import_module(module_name), attribute)
        except (ImportError, AttributeError):  # an optional part that is not installed
            return None
        self.add_command(command, cmd_name)
        return command


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sqlguard")
def cli() -> None:
    """Catch PostgreSQL migration hazards before merge: locks, rewrites, lost rollbacks, injections."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option(
    "--fail-on",
    type=click.Choice([s.value for s in Severity]),
    default=None,
    help="Lowest severity that makes the exit code 1 (default: warning, or fail-on in config).",
)
@click.option("--select", multiple=True, help="Only these rules (ids, names or categories; comma separated).")
@click.option("--extend-select", multiple=True, help="Add rules to the selection, e.g. an opt-in category.")
@click.option("--ignore", multiple=True, help="Skip these rules (ids, names or categories).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Use this sqlguard.toml/pyproject.toml.")
@click.option("--target-version", help="PostgreSQL major version the migrations run on, e.g. 13.")
@click.option("--assume-in-transaction/--no-assume-in-transaction", default=None,
              help="Treat every SQL file as running inside one transaction (as many migration tools do).")
@click.option("--dialect", type=click.Choice(["postgres", "mysql", "sqlite"]), default=None,
              help="SQL dialect of .sql files (default: postgres, or dialect in config).")
@click.option("--stdin-filename", help="Name to report (and pick the language by) when PATH is '-'.")
@click.option("--no-color", is_flag=True, help="Plain output even on a terminal (NO_COLOR works too).")
@click.option("--fix", "apply_fixes", is_flag=True, help="Apply safe fixes, then report the rest.")
@click.option("--diff", "show_diff", is_flag=True, help="Print safe fixes as a unified diff; write nothing.")
@click.option("--no-context", is_flag=True,
              help="Check only the files given, without the schema state of the earlier migrations of their chain.")
@click.option("--no-cache", is_flag=True, help="Parse every file afresh and write no cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False),
              help="Cache folder (default: $SQLGUARD_CACHE_DIR, cache-dir in config, or .sqlguard_cache).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Processes that parse files (default: every core, for large runs only).")
@click.option("--changed-since", metavar="REF",
              help="Report only files changed since the merge base of REF and HEAD (git); all are still read.")
def lint(
    paths: tuple[str, ...],
    output_format: str,
    fail_on: str | None,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    config_path: str | None,
    target_version: str | None,
    assume_in_transaction: bool | None,
    stdin_filename: str | None,
    no_color: bool,
    dialect: str | None = None,
    apply_fixes: bool = False,
    show_diff: bool = False,
    no_context: bool = False,
    no_cache: bool = False,
    cache_dir: str | None = None,
    jobs: int | None = None,
    changed_since: str | None = None,
) -> None:
    """Lint SQL files, Alembic migrations and Python code under PATHS ('-' reads stdin)."""
    if not paths:
        raise click.UsageError("give at least one path to lint (a file, a folder, or '-' for stdin)")
    try:
        config = resolve_config(config_path, Path.cwd())
        known = selectors(known_rules())
        from sqlguard.config import check_selectors

        overrides: dict[str, object] = {}
        if select:
            overrides["select"] = frozenset(check_selectors(_split(select), known, "--select"))
        if extend_select:
            overrides["extend_select"] = config.extend_select | frozenset(
                check_selectors(_split(extend_select), known, "--extend-select")
            )
        if ignore:
            overrides["ignore"] = config.ignore | frozenset(check_selectors(_split(ignore), known, "--ignore"))
        if target_version:
            overrides["target_version"] = parse_target_version(target_version, "--target-version")
        if fail_on:
            overrides["fail_on"] = Severity(fail_on)
        overrides["assume_in_transaction"] = assume_in_transaction
        overrides["dialect"] = dialect
        config = config.with_overrides(**overrides)
    except ConfigError as error:
        _fail(str(error))
    if changed_since and (apply_fixes or show_diff):
        raise click.UsageError("--changed-since narrows what is reported; it cannot be combined with --fix or --diff")
    changed = _changed_files(changed_since) if changed_since else None
    _batch_gc()
    linter = Linter(config, cache=_parse_cache(config, no_cache, cache_dir), jobs=jobs)
    if paths == ("-",):
        name = stdin_filename or "stdin.sql"
        source, problem = decode_source(sys.stdin.buffer.read())  # bytes: a BOM or bad UTF-8 as in a file
        if source is None:
            _fail(f"{name} (stdin): {problem}")
        source = source or ""
        # An editor piping a buffer names the file it came from: it sees its chain like the file would.
        schema, chain = (None, None)
        if stdin_filename and not no_context:
            schema, chain = linter.context_before(str(Path(name)), source)
        result = RunResult(reports=[linter.lint_text(name, source, schema=schema, chain=chain)])
    else:
        if "-" in paths:
            raise click.UsageError("'-' (stdin) cannot be mixed with other paths")
        result = linter.lint_paths(paths, context=not no_context)
    if linter.cache is not None:
        result.notes.extend(linter.cache.warnings)
    if apply_fixes or show_diff:
        fixed_paths = None if paths == ("-",) else paths
        _fix(linter, result, config, output_format, fixed_paths, not no_context, write=not show_diff,
             color=not no_color)
    for note in result.notes:
        click.echo(f"sqlguard: warning: {_escaped(note)}", err=True)
    reports, scope = result.reports, None
    if changed_since and changed is not None:  # report on the changed files only
        from sqlguard.gitdiff import keep_changed

        narrowed = keep_changed(reports, changed)
        reports = narrowed.reports
        scope = github.Scope(changed_since, narrowed.hidden_findings, narrowed.hidden_files)
    _emit(reports, output_format, color=not no_color and text.use_color(sys.stdout), scope=scope)
    if not result.reports and not result.excluded:
        _fail("no SQL or Python files found to lint")
    sys.exit(exit_code(reports, config.fail_on))


def _fix(
    linter: Linter,
    result: RunResult,
    config: Config,
    output_format: str,
    paths: tuple[str, ...] | None,
    context: bool,
    *,
    write: bool,
    color: bool,
) -> None:
    """``--fix``: write safe fixes and report what is left. ``--diff``: print them, exit 1 if any.

    With stdin, ``--fix`` prints the fixed text to stdout (as formatters do) instead of writing.
    """
    from sqlguard import fixes

    stdin = paths is None
    outcomes = fixes.fix_run(linter, result, paths, context=context)
    for note in result.notes:
        click.echo(f"sqlguard: warning: {_escaped(note)}", err=True)
    if not write:
        click.echo("".join(f.diff() for f in outcomes if f.changed), nl=False)
        click.echo(f"sqlguard: {fixes.summary(outcomes, written=False)}", err=True)
        if any(f.changed for f in outcomes):
            sys.exit(EXIT_FINDINGS)
        broken = any(d.is_input_error for f in outcomes if f.report is not None for d in f.report.diagnostics)
        sys.exit(EXIT_ERROR if broken else EXIT_CLEAN)
    if stdin:
        click.echo(outcomes[0].fixed, nl=False)
        click.echo(f"sqlguard: {fixes.summary(outcomes, written=True)}", err=True)
        sys.exit(exit_code([f.report for f in outcomes if f.report is not None], config.fail_on))
    # Every file is tried: one that cannot be written keeps its original bytes, its findings as
    # they were before the fix, and a line saying so; the others are written.
    failed: list[tuple[str, str]] = []
    for index, outcome in enumerate(outcomes):
        if not outcome.changed:
            continue
        try:
            fixes.write_fixed(Path(outcome.path), outcome.fixed)
        except fixes.WriteError as error:
            failed.append((outcome.path, str(error)))
            outcomes[index] = fixes.FileFix(outcome.path, outcome.original, outcome.original,
                                            report=result.reports[index])
    reports = [f.report for f in outcomes if f.report is not None]
    _emit(reports, output_format, color=color and text.use_color(sys.stdout))
    click.echo(f"sqlguard: {fixes.summary(outcomes, written=True)}", err=True)
    for path, reason in failed:
        click.echo(f"sqlguard: error: {_escaped(f'{path}: fixes not written, the file is unchanged: {reason}')}",
                   err=True)
    if not reports:
        _fail("no SQL or Python files found to lint")
    sys.exit(EXIT_ERROR if failed else exit_code(reports, config.fail_on))


def _changed_files(ref: str) -> frozenset[Path]:
    from sqlguard.gitdiff import GitError, changed_files

    try:
        return changed_files(ref, Path.cwd())
    except GitError as error:
        _fail(f"--changed-since {ref}: {error}")
        raise  # not reached: _fail exits


def _emit(
    reports: list[FileReport], output_format: str, *, color: bool, scope: github.Scope | None = None
) -> None:
    shown = [report for report in reports if report.diagnostics] if output_format != "text" else reports
    if output_format == "text":
        click.echo(text.render(reports, color=color), nl=False, color=color)
    elif output_format == "concise":
        click.echo(concise.render(shown), nl=False)
    elif output_format == "json":
        click.echo(json_reporter.render(reports), nl=False)
    elif output_format == "sarif":
        click.echo(sarif.render(reports), nl=False)
    else:
        click.echo(github.render(shown), nl=False)
        click.echo(github.summary_line(reports, scope))
        problem = github.write_step_summary(reports, scope)
        if problem:
            click.echo(f"sqlguard: warning: {problem}", err=True)


def _batch_gc() -> None:
    """Collect cyclic garbage less often during a lint run.

    A run builds hundreds of thousands of small objects that all live until the end (parsed
    changes, cached or from worker processes); with the default thresholds the collector walks
    them again and again (measured: a fifth of a warm run). Cycles are still collected, in larger
    batches; a command-line run is short-lived, so this is the CLI's call, not the engine's.
    """
    import gc

    gc.set_threshold(100_000, 50, 100)


def _parse_cache(config: Config, no_cache: bool, cache_dir: str | None) -> ParseCache | None:
    """The lint cache unless ``--no-cache``; see ``sqlguard.cache`` for where it lives."""
    if no_cache:
        return None
    from sqlguard.cache import ParseCache, resolve_cache_dir

    return ParseCache(resolve_cache_dir(cache_dir, config), config)


def _fail(message: str) -> None:
    click.echo(f"sqlguard: error: {_escaped(message)}", err=True)
    sys.exit(EXIT_ERROR)


@cli.command("rules")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--all", "show_all", is_flag=True, help="Also list opt-in rules (shown by default; kept for symmetry).")
def rules_command(output_format: str, show_all: bool) -> None:
    """List every rule: id, name, category, default severity, fix, version and default state."""
    rules = known_rules()
    rows = [
        {
            "id": rule.id,
            "name": rule.page.name,
            "category": rule.page.category,
            "severity": rule.page.severity.value,
            "fix": rule.page.fix,
            "versions": rule.page.meta.get("versions")
            or (f"PG {rule.page.min_version}+" if rule.page.min_version else "all"),
            "default": "off" if rule.page.opt_in else "on",
            "dialects": ", ".join(rule.page.dialects),
            "summary": rule.page.summary,
        }
        for rule in rules.values()
    ]
    if output_format == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(box=None, pad_edge=False, show_edge=False)
    columns = ("id", "name", "category", "severity", "fix", "versions", "default", "dialects")
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(row[column] for column in columns))
    console = Console(highlight=False, no_color=not text.use_color(sys.stdout), width=150)
    console.print(table)


@cli.command()
@click.argument("rule")
def explain(rule: str) -> None:
    """Show a rule's page: why it matters, bad and good examples, the safe fix."""
    pages = load_pages()
    wanted = rule.strip().lower()
    page = next((p for p in pages.values() if wanted in (p.id.lower(), p.name, *p.aliases)), None)
    if page is None:
        _fail(f"unknown rule {rule!r} (see `sqlguard rules`)")
        return
    hidden = {"More cases"}
    body = "\n\n".join(f"## {title}\n{content}" for title, content in page.sections.items() if title not in hidden)
    header = f"{page.id} {page.name} ({page.category}, {page.severity.value}, fix: {page.fix})"
    click.echo(f"{header}\n\n{body}\n")


def _register_optional_commands() -> None:
    """verify and lsp live in their own packages; they are added when present, and imported only
    when used (see ``_LazyGroup``)."""
    assert isinstance(cli, _LazyGroup)
    cli.lazy_commands = {"verify": "sqlguard.verify.command:verify", "lsp": "sqlguard.lsp.command:lsp"}


_register_optional_commands()


_signal_seen = 2  # SIGINT; SIGTERM's handler records itself here


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM unwinds like Ctrl-C, so ``finally`` blocks run (the process pool ends its workers)."""
    global _signal_seen
    _signal_seen = signum
    raise KeyboardInterrupt


def main() -> None:
    """Console entry point: never a traceback for a user's mistake; a one-line note for a bug.
    Ctrl-C exits 130 and SIGTERM 143 (128 + the signal), after the process pool's workers end.
    Click runs without its standalone handling, which would turn Ctrl-C into "Aborted!", exit 1."""
    import signal

    signal.signal(signal.SIGTERM, _terminate)
    try:
        code = cli.main(standalone_mode=False)
    except (KeyboardInterrupt, click.exceptions.Abort):
        # Every ``finally`` has run (verify's servers are gone). Exit now, without the exit
        # handlers: concurrent.futures' would wait for pool workers to finish their chunks; they
        # get SIGTERM as this process ends (sqlguard.parallel).
        with contextlib.suppress(Exception):
            click.echo("sqlguard: interrupted", err=True)
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(128 + _signal_seen)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except Exception as error:  # a bug in sqlguard: say so in one line, trace only on request
        if os.environ.get("SQLGUARD_DEBUG"):
            import traceback  # only here: it and textwrap cost ~2.5 ms of every start

            traceback.print_exc()
        click.echo(
            f"sqlguard: internal error: {type(error).__name__}: {_escaped(str(error))} "
            "(a bug; rerun with SQLGUARD_DEBUG=1 for the traceback and report it)",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
