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

Key = tuple[str, str]

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


def _changed_objects(expected: Snapshot, actual: Snapshot) -> tuple[dict[Key, SchemaObject], dict[Key, SchemaObject]]:
    """The objects of the anchors whose groups differ, by (kind, name), on each side.

    Snapshots taken one after another share every group the phases did not touch, so only the
    touched ones are compared by name; a group under a new OID (dropped and created again) is
    compared like any other, by name.
    """
    want: dict[Key, SchemaObject] = {}
    got: dict[Key, SchemaObject] = {}
    for anchor in expected.groups.keys() | actual.groups.keys():
        before, after = expected.groups.get(anchor, ()), actual.groups.get(anchor, ())
        if before is after or before == after:
            continue
        want.update(((o.kind, o.name), o) for o in before)
        got.update(((o.kind, o.name), o) for o in after)
    return want, got


def diff_snapshots(expected: Snapshot, actual: Snapshot, strict_column_order: bool = False) -> list[Difference]:
    """What differs in ``actual`` compared with ``expected``, tables first, then by name.

    Column order is not compared unless ``strict_column_order``: a down that drops a column and an
    up that adds it back leave it at the end of the table, and no query that names its columns can
    tell. For the same reason a view's select list is compared as a set. With strict order, a
    table whose columns moved gets one difference, its column order, instead of one per column.
    """
    want, got = _changed_objects(expected, actual)
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
    moved: set[str] = set()
    for key in want.keys() & got.keys():
        before, after = want[key].attrs(), got[key].attrs()
        if key[0] == "column" and before.pop("position", None) != after.pop("position", None):
            moved.add(before.get("table") or after.get("table") or "")
        if key[0] in {"view", "materialized view"} and not strict_column_order:
            before["definition"] = _unordered_select(before.get("definition", ""))
            after["definition"] = _unordered_select(after.get("definition", ""))
        if before != after:
            changes = tuple(
                Change(attr, want[key].attrs().get(attr), got[key].attrs().get(attr))
                for attr in sorted(before.keys() | after.keys())
                if before.get(attr) != after.get(attr)
            )
            out.append(Difference("changed", key[0], key[1], changes))
    if strict_column_order:
        for table in sorted(moved - gone_tables - {""}):
            out.append(
                Difference(
                    "changed",
                    "table",
                    table,
                    (Change("column order", _column_order(want, table), _column_order(got, table)),),
                )
            )
    order = {"table": 0, "column": 1, "constraint": 2, "index": 3}
    out.sort(key=lambda d: (order.get(d.object_kind, 9), d.object_kind, d.name, d.kind))
    return out


def _column_order(objects: dict[Key, SchemaObject], table: str) -> str:
    columns = [
        (int(o.attrs().get("position", "0")), o.name.rpartition(".")[2])
        for (kind, _), o in objects.items()
        if kind == "column" and o.table == table
    ]
    return ", ".join(name for _, name in sorted(columns))


def _unordered_select(definition: str) -> str:
    """A view definition with its top-level select list in a fixed order.

    ``SELECT *`` is expanded when the view is created, so a view recreated over a table whose
    columns moved lists them in another order. Only a plain SELECT is reordered, and not when its
    ORDER BY or GROUP BY names output columns by position: there the order has a meaning.
    """
    from pglast import ast, parse_sql
    from pglast.stream import RawStream

    try:
        statements = parse_sql(definition)
    except Exception:  # pglast raises its own ParseError; any failure keeps the text as it is
        return definition
    if len(statements) != 1 or not isinstance(statements[0].stmt, ast.SelectStmt):
        return definition
    select = statements[0].stmt
    if select.op != 0 or not select.targetList:  # SETOP_NONE: no UNION / INTERSECT / EXCEPT
        return definition
    by_position = [
        clause
        for clause in (*(select.sortClause or ()), *(select.groupClause or ()))
        if isinstance(getattr(clause, "node", clause), ast.A_Const)
    ]
    if by_position:
        return definition
    items = sorted(RawStream()(target) for target in select.targetList)
    select.targetList = ()
    return RawStream()(select) + " | " + ", ".join(items)


SHORT = 60  # a value this long or shorter is quoted in the sentence itself


def _value(text: str | None) -> str:
    return "(none)" if text is None else " ".join(text.split())


def _changes(diff: Difference) -> str:
    """``type was integer, now bigint``; a long value is only named here and shown in full by the
    reporters from the structured before/after, so two long texts never look cut the same way."""
    parts = []
    for c in diff.changes:
        before, after = _value(c.expected), _value(c.actual)
        if len(before) <= SHORT and len(after) <= SHORT:
            parts.append(f"{c.attribute} was {before}, now {after}")
        else:
            parts.append(f"{c.attribute} changed")
    return "; ".join(parts)


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
        return f"{diff.label} differs after downgrade of {step} from before the upgrade: {_changes(diff)}"
    if diff.kind == "extra":
        return f"{diff.label} exists after re-upgrade of {step} but not after its first upgrade{folded}"
    if diff.kind == "missing":
        return f"{diff.label} is missing after re-upgrade of {step}: the first upgrade created it{folded}"
    return f"{diff.label} differs after re-upgrade of {step} from the first upgrade: {_changes(diff)}"


def to_json(diff: Difference) -> dict[str, object]:
    """The structured form of a difference: the object, how it differs, and every changed
    attribute's value before and after in full ("before" is what the comparison expected)."""
    return {
        "object": diff.object_kind,
        "name": diff.name,
        "difference": diff.kind,
        "dependents": diff.folded,
        "changes": [{"attribute": c.attribute, "before": c.expected, "after": c.actual} for c in diff.changes],
    }
