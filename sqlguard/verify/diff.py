"""Differences between two schema snapshots, worded for the person who wrote the migration.

A left-behind table brings its columns, constraints and indexes with it; listing each of them
would bury the one line that matters, so objects of a table that is itself extra or missing are
folded into that table's line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pglast import parser

from sqlguard.verify.snapshot import SchemaObject, Snapshot

DiffKind = Literal["extra", "missing", "changed"]


@dataclass(frozen=True)
class Change:
    attribute: str
    expected: str | None
    actual: str | None


@dataclass(frozen=True)
class Difference:
    """One object that differs: present only in the actual schema, only in the expected one, or changed."""

    kind: DiffKind
    object_kind: str
    name: str
    changes: tuple[Change, ...] = ()
    folded: int = 0  # dependent objects (columns, indexes...) that went with a table

    @property
    def label(self) -> str:
        return f"{self.object_kind} {display_name(self.name)}"


def display_name(name: str) -> str:
    """Drop the default schema: `ix_orders_user_id`, not `public.ix_orders_user_id`.

    Names are the snapshot's keys (``format('%I.%I', nspname, relname)``, ``ck on public.t``,
    ``public.f(a integer)``), which keep the schema so objects in different schemas stay apart;
    so the schema goes for display only, read with PostgreSQL's scanner: an unquoted ``public``
    followed by ``.`` that does not itself follow a ``.`` (``s.public.x`` keeps its column path).
    """
    try:
        tokens = list(parser.scan(name))
    except parser.ParseError:
        return name
    drop: list[tuple[int, int]] = []
    for index, token in enumerate(tokens[:-1]):
        after_dot = index > 0 and tokens[index - 1].name == "ASCII_46" and tokens[index - 1].end + 1 == token.start
        dot = tokens[index + 1]
        if (
            token.name == "IDENT"
            and name[token.start : token.end + 1] == "public"
            and dot.name == "ASCII_46"
            and dot.start == token.end + 1
            and not after_dot
        ):
            drop.append((token.start, dot.end + 1))
    for start, end in reversed(drop):
        name = name[:start] + name[end:]
    return name


def diff_snapshots(expected: Snapshot, actual: Snapshot) -> list[Difference]:
    """What differs in ``actual`` compared with ``expected``, tables first, then by name."""
    want, got = expected.by_key(), actual.by_key()
    extra = [got[k] for k in got.keys() - want.keys()]
    missing = [want[k] for k in want.keys() - got.keys()]
    gone_tables = {o.name for o in extra + missing if o.kind == "table"}

    def fold(objs: list[SchemaObject]) -> tuple[list[SchemaObject], dict[str, int]]:
        kept: list[SchemaObject] = []
        counts: dict[str, int] = {}
        for o in objs:
            owner = o.table
            if o.kind != "table" and owner in gone_tables and owner is not None:
                counts[owner] = counts.get(owner, 0) + 1
            else:
                kept.append(o)
        return kept, counts

    extra, extra_counts = fold(extra)
    missing, missing_counts = fold(missing)
    out: list[Difference] = []
    for o in extra:
        out.append(Difference("extra", o.kind, o.name, folded=extra_counts.get(o.name, 0)))
    for o in missing:
        out.append(Difference("missing", o.kind, o.name, folded=missing_counts.get(o.name, 0)))
    for key in want.keys() & got.keys():
        before, after = want[key].attrs(), got[key].attrs()
        if before != after:
            changes = tuple(
                Change(attr, before.get(attr), after.get(attr))
                for attr in sorted(before.keys() | after.keys())
                if before.get(attr) != after.get(attr)
            )
            out.append(Difference("changed", key[0], key[1], changes))
    order = {"table": 0, "column": 1, "constraint": 2, "index": 3}
    out.sort(key=lambda d: (order.get(d.object_kind, 9), d.object_kind, d.name, d.kind))
    return out


def _value(text: str | None) -> str:
    if text is None:
        return "(none)"
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= 120 else one_line[:117] + "..."


def describe(diff: Difference, phase: Literal["down", "re-up"], step: str) -> str:
    """One sentence naming the object, what is wrong with it, and the migration responsible.

    After a downgrade the expected schema is the one before the upgrade; after the second upgrade
    it is the one the first upgrade produced.
    """
    folded = f" (with {diff.folded} dependent object{'s' if diff.folded != 1 else ''})" if diff.folded else ""
    if phase == "down":
        if diff.kind == "extra":
            return f"{diff.label} still exists after downgrade of {step}{folded}"
        if diff.kind == "missing":
            return f"{diff.label} is missing after downgrade of {step}: it existed before the upgrade{folded}"
        what = "; ".join(
            f"{c.attribute} was {_value(c.expected)}, now {_value(c.actual)}" for c in diff.changes
        )
        return f"{diff.label} differs after downgrade of {step} from before the upgrade: {what}"
    if diff.kind == "extra":
        return f"{diff.label} exists after re-upgrade of {step} but not after its first upgrade{folded}"
    if diff.kind == "missing":
        return f"{diff.label} is missing after re-upgrade of {step}: the first upgrade created it{folded}"
    what = "; ".join(f"{c.attribute} was {_value(c.expected)}, now {_value(c.actual)}" for c in diff.changes)
    return f"{diff.label} differs after re-upgrade of {step} from the first upgrade: {what}"
