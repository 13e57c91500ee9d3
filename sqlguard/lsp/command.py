"""``sqlguard lsp``: start the language server on stdin/stdout.

pygls is an optional extra, so it is imported only when the command runs: without it the
command says how to install it instead of failing with a traceback.
"""

from __future__ import annotations

import sys

import click

INSTALL_HINT = "sqlguard: error: the language server needs pygls: pip install 'sqlguard[lsp]'"
_OPTIONAL = ("pygls", "lsprotocol", "cattrs", "attrs")


@click.command()
@click.option("--stdio", is_flag=True, help="Talk LSP over stdin/stdout (the default; editors pass it).")
def lsp(stdio: bool) -> None:
    """Start the language server (editors run this): diagnostics, hover, quick fixes."""
    try:
        from sqlguard.lsp.server import build_server
    except ImportError as error:
        if (error.name or "").split(".")[0] not in _OPTIONAL:
            raise
        click.echo(INSTALL_HINT, err=True)
        sys.exit(2)
    from sqlguard.frontends.sql import enable_statement_cache

    # A long-lived process re-linting the same files on every keystroke: reuse unchanged statements.
    enable_statement_cache()
    build_server().start_io()
