"""SG080: an Alembic revision graph that ``alembic upgrade head`` cannot follow
(rules/SG080-broken-revision-graph.md).

The graph is the chain's (``ChainFacts.revision_problems``, computed once per chain from every
revision's ids), so a file linted alone (pre-commit) gets the findings it gets in a folder run.
Each finding is on the offending file's ``revision =`` or ``down_revision =`` line.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic, Span
from sqlguard.model import Migration
from sqlguard.registry import rule


@rule("SG080", on=Migration)
def broken_revision_graph(migration: Migration, ctx: Context) -> Iterator[Diagnostic]:
    if ctx.chain is None or migration.kind != "python":
        return
    for path, kind, detail, start, end in ctx.chain.revision_problems:
        if path != migration.path:
            continue
        message, help_text = _explained(kind, detail, migration.revision or "")
        yield ctx.diagnostic(Span(start, end), message, help=help_text)


def _explained(kind: str, detail: str, revision: str) -> tuple[str, str]:
    if kind == "heads":
        others = detail.split(", ")
        heads = " ".join([revision, *others])
        named = ", ".join(f'"{other}"' for other in others)
        return (
            f'revision "{revision}" is a head beside {named}: '
            '`alembic upgrade head` fails with "Multiple head revisions"',
            f"merge the heads into one revision: alembic merge -m \"merge heads\" {heads}",
        )
    if kind == "unknown-parent":
        return (
            f'down_revision "{detail}" names no revision of this folder: Alembic cannot place "{revision}" '
            "in the history and every upgrade fails",
            "point down_revision at the revision this one follows (`alembic heads` before adding it shows which)",
        )
    if kind == "duplicate":
        return (
            f'revision id "{revision}" is also the id of {detail}: Alembic refuses a history with one id twice',
            "give one of them a new id (`alembic revision` writes one) and point its children's down_revision at it",
        )
    return (
        f'revision "{revision}" is on a cycle of down_revision links ({detail}): Alembic cannot order them',
        "point down_revision of one of them at an older revision, so the history runs one way",
    )
