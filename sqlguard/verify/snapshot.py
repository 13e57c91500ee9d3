"""A comparable picture of a database schema, read from the system catalogs, kept up to date cheaply.

We query pg_catalog instead of running pg_dump: it needs no client binaries of the right version,
takes a few milliseconds on a unix socket, and lets us choose keys that survive a drop-and-recreate
(names, never OIDs) and leave out what is not schema (data, sequence positions, owners, grants).
Objects that belong to an extension are represented by the extension alone, and the bookkeeping
tables of migration tools (alembic_version) are left out.

Every object belongs to an *anchor*: the table for its columns, constraints, indexes, triggers and
policies, the domain for its constraints, else the object itself. A snapshot is the objects grouped
by anchor. Reading the whole schema after every phase would make each step cost more than the one
before it (a 1,000-step chain re-reads 1,000 tables three times per step), so `Snapshotter` reads
only the anchors the phase touched: event triggers log what each DDL command created, altered or
dropped, the anchors of those objects and of everything that depends on them are re-read, and the
rest is carried over. Where event triggers cannot be created (a non-superuser on --dsn) every
snapshot is a full read, as with SQLGUARD_VERIFY_FULL_SNAPSHOTS=1.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

BOOKKEEPING_TABLES = frozenset({"alembic_version"})

# Where the change log and its event triggers live: created by verify, never part of a snapshot.
LOG_SCHEMA = "_sqlguard_verify"

# Every query returns rows of (anchor class, anchor oid, object class, object oid, kind, name,
# attribute, value) so one loop builds the snapshot; classes are catalog OIDs ('pg_class'::regclass).
# Every "%" is doubled: each query is sent with parameters. _USER_NS keeps system schemas, other
# sessions' temp schemas and our log out; _not_ext leaves out objects created by CREATE EXTENSION
# (the extension's own row covers them). _scope limits a query to the anchors being re-read.
_USER_NS = (
    "n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', '_sqlguard_verify') "
    "AND n.nspname NOT LIKE 'pg_temp_%%' AND n.nspname NOT LIKE 'pg_toast_temp_%%'"
)
_REL, _TYP, _PROC, _NSP, _EXT, _CON, _TRG, _POL = (
    f"'{name}'::regclass::oid"
    for name in (
        "pg_class", "pg_type", "pg_proc", "pg_namespace", "pg_extension",
        "pg_constraint", "pg_trigger", "pg_policy",
    )
)


def _scope(group: str, oid: str) -> str:
    return f"(%(all)s OR {oid} = ANY(%({group})s::oid[]))"


def _not_ext(catalog: str, oid: str) -> str:
    return (
        f"NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '{catalog}'::regclass "
        f"AND d.objid = {oid} AND d.deptype = 'e')"
    )


_BOOKKEEPING = "c.relname <> ALL(%(skip)s)"

QUERIES: tuple[str, ...] = (
    # schemas
    f"""SELECT {_NSP}, n.oid, {_NSP}, n.oid, 'schema'::text, n.nspname::text, 'exists'::text, 'yes'::text
        FROM pg_namespace n WHERE {_USER_NS}
        AND {_scope('nsp', 'n.oid')}
        AND {_not_ext("pg_namespace", "n.oid")}""",
    # tables, partitioned tables, foreign tables, materialized views: kind and table-level options
    f"""SELECT {_REL}, c.oid, {_REL}, c.oid, 'table', format('%%I.%%I', n.nspname, c.relname), a.key, a.value
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_description ds ON ds.classoid = 'pg_class'::regclass AND ds.objoid = c.oid
             AND ds.objsubid = 0,
        LATERAL (VALUES
            ('kind', CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'partitioned table'
                     WHEN 'f' THEN 'foreign table' END),
            ('persistence', CASE c.relpersistence WHEN 'u' THEN 'unlogged' WHEN 't' THEN 'temporary'
                            ELSE 'permanent' END),
            ('partition key', CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END),
            ('partition of', (SELECT format('%%s %%s', i.inhparent::regclass,
                                            pg_get_expr(c.relpartbound, c.oid))
                              FROM pg_inherits i WHERE i.inhrelid = c.oid AND c.relispartition)),
            ('options', array_to_string(c.reloptions, ', ')),
            ('row level security', CASE WHEN c.relforcerowsecurity THEN 'forced'
                                        WHEN c.relrowsecurity THEN 'enabled' END),
            ('comment', ds.description)
        ) AS a(key, value)
        WHERE c.relkind IN ('r', 'p', 'f') AND {_USER_NS} AND {_BOOKKEEPING}
          AND {_not_ext("pg_class", "c.oid")} AND a.value IS NOT NULL AND {_scope('rel', 'c.oid')}""",
    # columns
    f"""WITH cols AS (
            SELECT c.oid AS reloid, format('%%I.%%I.%%I', n.nspname, c.relname, att.attname) AS name,
                   format('%%I.%%I', n.nspname, c.relname) AS tbl,
                   format_type(att.atttypid, att.atttypmod) AS type,
                   row_number() OVER (PARTITION BY att.attrelid ORDER BY att.attnum) AS position,
                   att.attnotnull, att.attgenerated, att.attidentity, co.collname,
                   pg_get_expr(ad.adbin, ad.adrelid) AS expr, ds.description
            FROM pg_attribute att JOIN pg_class c ON c.oid = att.attrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_attrdef ad ON ad.adrelid = att.attrelid AND ad.adnum = att.attnum
            LEFT JOIN pg_collation co ON co.oid = att.attcollation AND att.attcollation <> 100
            LEFT JOIN pg_description ds ON ds.classoid = 'pg_class'::regclass
                 AND ds.objoid = att.attrelid AND ds.objsubid = att.attnum
            WHERE att.attnum > 0 AND NOT att.attisdropped AND c.relkind IN ('r', 'p', 'f')
              AND {_USER_NS} AND {_BOOKKEEPING} AND {_not_ext("pg_class", "c.oid")}
              AND {_scope('rel', 'c.oid')})
        SELECT {_REL}, cols.reloid, {_REL}, cols.reloid, 'column', cols.name, a.key, a.value
        FROM cols, LATERAL (VALUES
            ('type', cols.type),
            ('position', cols.position::text),
            ('nullable', CASE WHEN cols.attnotnull THEN 'NOT NULL' ELSE 'NULL' END),
            ('default', CASE WHEN cols.attgenerated = '' THEN cols.expr END),
            ('generated', CASE WHEN cols.attgenerated = 's'
                               THEN 'ALWAYS AS (' || cols.expr || ') STORED' END),
            ('identity', CASE cols.attidentity WHEN 'a' THEN 'GENERATED ALWAYS'
                                               WHEN 'd' THEN 'GENERATED BY DEFAULT' END),
            ('collation', cols.collname),
            ('comment', cols.description),
            ('table', cols.tbl)
        ) AS a(key, value)
        WHERE a.value IS NOT NULL""",
    # constraints on tables (CHECK, NOT NULL in PG 18 are per-table too) and on domains
    f"""SELECT CASE WHEN c.oid IS NOT NULL THEN {_REL} ELSE {_TYP} END, coalesce(c.oid, t.oid),
               {_CON}, con.oid, 'constraint', format('%%I on %%I.%%I', con.conname, n.nspname,
                                   coalesce(c.relname, t.typname)),
               a.key, a.value
        FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace
        LEFT JOIN pg_class c ON c.oid = con.conrelid
        LEFT JOIN pg_type t ON t.oid = con.contypid,
        LATERAL (VALUES ('definition', pg_get_constraintdef(con.oid)),
                        ('table', CASE WHEN c.oid IS NOT NULL
                                       THEN format('%%I.%%I', n.nspname, c.relname) END),
                        ('domain', CASE WHEN t.oid IS NOT NULL
                                        THEN format('%%I.%%I', n.nspname, t.typname) END)
        ) AS a(key, value)
        WHERE {_USER_NS} AND (c.relname IS NULL OR c.relname <> ALL(%(skip)s))
          AND con.contype <> 'n' AND con.conislocal
          AND {_not_ext("pg_constraint", "con.oid")}
          AND (c.oid IS NULL OR {_not_ext("pg_class", "c.oid")})
          AND (t.oid IS NULL OR {_not_ext("pg_type", "t.oid")}) AND a.value IS NOT NULL
          AND ({_scope('rel', 'con.conrelid')} OR {_scope('typ', 'con.contypid')})""",
    # indexes, except those that implement a constraint (the constraint row already says it)
    f"""SELECT {_REL}, t.oid, {_REL}, c.oid,
               'index', format('%%I.%%I', n.nspname, c.relname), a.key, a.value
        FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        JOIN pg_class t ON t.oid = i.indrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace,
        LATERAL (VALUES ('definition', pg_get_indexdef(c.oid)),
                        ('table', format('%%I.%%I', n.nspname, t.relname))) AS a(key, value)
        WHERE {_USER_NS} AND t.relname <> ALL(%(skip)s)
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                          AND d.objid = c.oid AND d.refclassid = 'pg_constraint'::regclass
                          AND d.deptype = 'i')
          AND {_not_ext("pg_class", "t.oid")} AND {_scope('rel', 't.oid')}""",
    # sequences, except those behind identity columns (the column's identity row covers them)
    f"""SELECT {_REL}, c.oid, {_REL}, c.oid, 'sequence', format('%%I.%%I', n.nspname, c.relname), a.key, a.value
        FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace,
        LATERAL (VALUES
            ('type', format_type(s.seqtypid, NULL)),
            ('start', s.seqstart::text), ('increment', s.seqincrement::text),
            ('min', s.seqmin::text), ('max', s.seqmax::text),
            ('cycle', CASE WHEN s.seqcycle THEN 'yes' ELSE 'no' END),
            ('owned by', (SELECT format('%%s.%%I', d.refobjid::regclass, att.attname)
                          FROM pg_depend d JOIN pg_attribute att
                            ON att.attrelid = d.refobjid AND att.attnum = d.refobjsubid
                          WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'a'))
        ) AS a(key, value)
        WHERE {_USER_NS} AND {_not_ext("pg_class", "c.oid")} AND a.value IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                          AND d.objid = c.oid AND d.deptype = 'i') AND {_scope('rel', 'c.oid')}""",
    # user-defined types: enums (ordered labels), domains, composite types, ranges
    f"""SELECT {_TYP}, t.oid, {_TYP}, t.oid, 'type', format('%%I.%%I', n.nspname, t.typname), 'definition',
               CASE t.typtype
                 WHEN 'e' THEN 'ENUM (' || (SELECT string_agg(quote_literal(e.enumlabel), ', '
                                                              ORDER BY e.enumsortorder)
                                            FROM pg_enum e WHERE e.enumtypid = t.oid) || ')'
                 WHEN 'd' THEN 'DOMAIN ' || format_type(t.typbasetype, t.typtypmod)
                               || CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END
                               || coalesce(' DEFAULT ' || t.typdefault, '')
                 WHEN 'c' THEN 'COMPOSITE (' || (SELECT string_agg(format('%%I %%s', att.attname,
                                                  format_type(att.atttypid, att.atttypmod)), ', '
                                                  ORDER BY att.attnum)
                                                 FROM pg_attribute att WHERE att.attrelid = t.typrelid
                                                 AND att.attnum > 0 AND NOT att.attisdropped) || ')'
                 WHEN 'r' THEN 'RANGE OF ' || (SELECT format_type(r.rngsubtype, NULL)
                                              FROM pg_range r WHERE r.rngtypid = t.oid)
                 ELSE t.typtype::text END
        FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        LEFT JOIN pg_class c ON c.oid = t.typrelid
        WHERE {_USER_NS} AND t.typtype IN ('e', 'd', 'c', 'r')
          AND (t.typtype <> 'c' OR c.relkind = 'c')
          AND {_not_ext("pg_type", "t.oid")} AND {_scope('typ', 't.oid')}""",
    # views and materialized views
    f"""SELECT {_REL}, c.oid, {_REL}, c.oid, CASE c.relkind WHEN 'v' THEN 'view' ELSE 'materialized view' END,
               format('%%I.%%I', n.nspname, c.relname), 'definition', pg_get_viewdef(c.oid, true)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('v', 'm') AND {_USER_NS} AND {_not_ext("pg_class", "c.oid")}
          AND {_scope('rel', 'c.oid')}""",
    # functions and procedures (aggregates by signature only: pg_get_functiondef rejects them)
    f"""SELECT {_PROC}, p.oid, {_PROC}, p.oid,
               CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' ELSE 'function' END,
               format('%%I.%%I(%%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)),
               'definition', CASE WHEN p.prokind = 'a' THEN 'aggregate' ELSE pg_get_functiondef(p.oid) END
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE {_USER_NS} AND {_not_ext("pg_proc", "p.oid")} AND {_scope('proc', 'p.oid')}""",
    # triggers
    f"""SELECT {_REL}, c.oid, {_TRG}, tg.oid,
               'trigger', format('%%I on %%I.%%I', tg.tgname, n.nspname, c.relname), a.key, a.value
        FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace,
        LATERAL (VALUES
            ('definition', pg_get_triggerdef(tg.oid)
                           || CASE tg.tgenabled WHEN 'D' THEN ' (disabled)' ELSE '' END),
            ('table', format('%%I.%%I', n.nspname, c.relname))
        ) AS a(key, value)
        WHERE NOT tg.tgisinternal AND {_USER_NS} AND {_BOOKKEEPING} AND {_not_ext("pg_class", "c.oid")}
          AND {_scope('rel', 'c.oid')}""",
    # row-level security policies
    f"""SELECT {_REL}, c.oid, {_POL}, pol.oid,
               'policy', format('%%I on %%I.%%I', pol.polname, n.nspname, c.relname), a.key, a.value
        FROM pg_policy pol JOIN pg_class c ON c.oid = pol.polrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace,
        LATERAL (VALUES
            ('command', CASE pol.polcmd WHEN '*' THEN 'ALL' WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT'
                                        WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' END),
            ('mode', CASE WHEN pol.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END),
            ('roles', (SELECT string_agg(CASE WHEN r = 0 THEN 'public' ELSE r::regrole::text END, ', '
                                         ORDER BY r) FROM unnest(pol.polroles) AS r)),
            ('using', pg_get_expr(pol.polqual, pol.polrelid)),
            ('with check', pg_get_expr(pol.polwithcheck, pol.polrelid)),
            ('table', format('%%I.%%I', n.nspname, c.relname))
        ) AS a(key, value)
        WHERE {_USER_NS} AND a.value IS NOT NULL AND {_scope('rel', 'c.oid')}""",
    # extensions
    f"""SELECT {_EXT}, e.oid, {_EXT}, e.oid, 'extension', e.extname, a.key, a.value
        FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace,
        LATERAL (VALUES ('version', e.extversion), ('schema', n.nspname)) AS a(key, value)
        WHERE e.extname <> 'plpgsql' AND {_scope('ext', 'e.oid')}""",
)


# The catalog a scope parameter of the queries above filters on, by the anchor's class name.
_SCOPE_GROUPS = {
    "pg_class": "rel",
    "pg_type": "typ",
    "pg_proc": "proc",
    "pg_namespace": "nsp",
    "pg_extension": "ext",
}

Anchor = tuple[int, int]  # (catalog oid, object oid)


@dataclass(frozen=True, order=True)
class SchemaObject:
    """One named object and the attributes that define it, as text."""

    kind: str
    name: str
    attributes: tuple[tuple[str, str], ...]

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name}"

    @property
    def table(self) -> str | None:
        """The table this object belongs to (columns, constraints, indexes, triggers, policies)."""
        return self.attrs().get("table")

    def attrs(self) -> dict[str, str]:
        return dict(self.attributes)


@dataclass(frozen=True, eq=False)
class Snapshot:
    """All user objects of one database at one moment; equal snapshots mean equal schemas.

    ``groups`` holds each anchor's objects; ``owners`` maps the OID of every object that is not
    its own anchor (index, constraint, trigger, policy) to its anchor, so that a dropped object,
    no longer in the catalogs, still says which anchor it came from. Equality is by names and
    definitions only: a table dropped and created again has a new OID but the same schema.
    """

    groups: Mapping[Anchor, tuple[SchemaObject, ...]]
    owners: Mapping[Anchor, Anchor] = field(default_factory=dict)

    @property
    def objects(self) -> tuple[SchemaObject, ...]:
        return tuple(sorted(o for group in self.groups.values() for o in group))

    def by_key(self) -> dict[tuple[str, str], SchemaObject]:
        return {(o.kind, o.name): o for group in self.groups.values() for o in group}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Snapshot) and self.objects == other.objects

    def __hash__(self) -> int:
        return hash(self.objects)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[Any, ...]]) -> Snapshot:
        groups, owners = _group(rows)
        return cls(groups, owners)


def _group(
    rows: Iterable[tuple[Any, ...]],
) -> tuple[dict[Anchor, tuple[SchemaObject, ...]], dict[Anchor, Anchor]]:
    attrs: dict[Anchor, dict[tuple[str, str], dict[str, str]]] = {}
    owners: dict[Anchor, Anchor] = {}
    for acls, aoid, ocls, ooid, kind, name, key, value in rows:
        anchor = (int(acls), int(aoid))
        attrs.setdefault(anchor, {}).setdefault((str(kind), str(name)), {})[str(key)] = str(value)
        own = (int(ocls), int(ooid))
        if own != anchor:
            owners[own] = anchor
    groups = {
        anchor: tuple(
            sorted(SchemaObject(kind, name, tuple(sorted(values.items()))) for (kind, name), values in objs.items())
        )
        for anchor, objs in attrs.items()
    }
    return groups, owners


# The same queries for a partial read: without the "all" switch, so the planner can look the
# anchors up by OID whatever plan it caches, and the read costs what was touched, not the schema.
# All of them are sent as one UNION ALL: a partial read touches a few rows, and one round trip
# and one plan instead of twelve is most of its cost. (The first query's columns are text, so
# the union's are too: a `name` column there would cut every name to 63 bytes.)
_SCOPED_QUERY = " UNION ALL ".join(f"({query})" for query in QUERIES).replace("%(all)s OR ", "FALSE OR ")


def _read(conn: Any, skip_tables: Iterable[str], scope: Mapping[str, list[int]] | None) -> list[tuple[Any, ...]]:
    params: dict[str, object] = {"skip": list(skip_tables), "all": scope is None}
    for group in _SCOPE_GROUPS.values():
        params[group] = list(scope.get(group, ())) if scope is not None else []
    rows: list[tuple[Any, ...]] = []
    with conn.cursor() as cur:
        for query in QUERIES if scope is None else (_SCOPED_QUERY,):
            # the partial read is prepared once: its plan looks anchors up by OID whatever they are
            cur.execute(query, params, prepare=scope is not None)
            rows.extend(cur.fetchall())
    return rows


def take_snapshot(conn: Any, skip_tables: Iterable[str] = BOOKKEEPING_TABLES) -> Snapshot:
    """Read the whole schema through ``conn`` (a psycopg connection, autocommit)."""
    return Snapshot.from_rows(_read(conn, skip_tables, None))


# What a phase touched: the event triggers append one row per object a DDL command created or
# altered (ddl_command_end) or dropped (sql_drop). The functions swallow their own errors: the log
# must never make a migration fail; a missing log table is noticed by `Snapshotter` instead.
_INSTALL = f"""
CREATE SCHEMA {LOG_SCHEMA};
CREATE TABLE {LOG_SCHEMA}.touched (classid oid NOT NULL, objid oid NOT NULL);
GRANT USAGE ON SCHEMA {LOG_SCHEMA} TO PUBLIC;
GRANT INSERT ON {LOG_SCHEMA}.touched TO PUBLIC;
CREATE FUNCTION {LOG_SCHEMA}.log_ddl() RETURNS event_trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    INSERT INTO {LOG_SCHEMA}.touched SELECT classid, objid FROM pg_event_trigger_ddl_commands();
    -- ATTACH/DETACH PARTITION names the parent only, and a detached partition no longer depends
    -- on it: log every relation this transaction rewrote, but only after commands on a
    -- partitioned table, the one case that needs this scan of pg_class
    BEGIN
        IF EXISTS (SELECT FROM pg_event_trigger_ddl_commands() c JOIN pg_class r
                   ON c.classid = 'pg_class'::regclass AND r.oid = c.objid WHERE r.relkind = 'p') THEN
            INSERT INTO {LOG_SCHEMA}.touched
            SELECT 'pg_class'::regclass, oid FROM pg_class WHERE xmin = pg_current_xact_id()::xid;
        END IF;
    EXCEPTION WHEN OTHERS THEN NULL;  -- before PostgreSQL 13 there is no pg_current_xact_id()
    END;
EXCEPTION WHEN OTHERS THEN NULL;
END $$;
CREATE FUNCTION {LOG_SCHEMA}.log_drop() RETURNS event_trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    INSERT INTO {LOG_SCHEMA}.touched SELECT classid, objid FROM pg_event_trigger_dropped_objects();
EXCEPTION WHEN OTHERS THEN NULL;
END $$;
CREATE EVENT TRIGGER sqlguard_verify_ddl ON ddl_command_end EXECUTE FUNCTION {LOG_SCHEMA}.log_ddl();
CREATE EVENT TRIGGER sqlguard_verify_drop ON sql_drop EXECUTE FUNCTION {LOG_SCHEMA}.log_drop();
-- also under session_replication_role = replica, which migrations set for bulk loads and which
-- silences event triggers enabled the default way: a change made there would go unseen
ALTER EVENT TRIGGER sqlguard_verify_ddl ENABLE ALWAYS;
ALTER EVENT TRIGGER sqlguard_verify_drop ENABLE ALWAYS;
"""

# The anchors of the touched objects that still exist, and of everything depending on them (two
# levels: a renamed table changes the text of the views and foreign keys that name it).
_ANCHORS = """
WITH RECURSIVE deps(classid, objid, depth) AS (
    SELECT t.classid, t.objid, 0 FROM unnest(%(classids)s::oid[], %(objids)s::oid[]) AS t(classid, objid)
    UNION
    SELECT d.classid, d.objid, deps.depth + 1 FROM pg_depend d
    JOIN deps ON d.refclassid = deps.classid AND d.refobjid = deps.objid
    WHERE deps.depth < 2 AND d.deptype IN ('n', 'a', 'i')
)
SELECT 'pg_class'::regclass::oid, CASE WHEN c.relkind IN ('i', 'I') THEN i.indrelid ELSE c.oid END
    FROM deps JOIN pg_class c ON deps.classid = 'pg_class'::regclass AND c.oid = deps.objid
    LEFT JOIN pg_index i ON i.indexrelid = c.oid WHERE c.relkind NOT IN ('c', 't')
UNION SELECT 'pg_type'::regclass::oid, c.reltype
    FROM deps JOIN pg_class c ON deps.classid = 'pg_class'::regclass AND c.oid = deps.objid
    WHERE c.relkind = 'c'
UNION SELECT CASE WHEN con.conrelid <> 0 THEN 'pg_class'::regclass::oid ELSE 'pg_type'::regclass::oid END,
             CASE WHEN con.conrelid <> 0 THEN con.conrelid ELSE con.contypid END
    FROM deps JOIN pg_constraint con ON deps.classid = 'pg_constraint'::regclass AND con.oid = deps.objid
UNION SELECT 'pg_class'::regclass::oid, tg.tgrelid
    FROM deps JOIN pg_trigger tg ON deps.classid = 'pg_trigger'::regclass AND tg.oid = deps.objid
UNION SELECT 'pg_class'::regclass::oid, pol.polrelid
    FROM deps JOIN pg_policy pol ON deps.classid = 'pg_policy'::regclass AND pol.oid = deps.objid
UNION SELECT 'pg_class'::regclass::oid, ad.adrelid
    FROM deps JOIN pg_attrdef ad ON deps.classid = 'pg_attrdef'::regclass AND ad.oid = deps.objid
UNION SELECT 'pg_class'::regclass::oid, r.ev_class
    FROM deps JOIN pg_rewrite r ON deps.classid = 'pg_rewrite'::regclass AND r.oid = deps.objid
UNION SELECT CASE WHEN rc.relkind IS NOT NULL AND rc.relkind <> 'c' THEN 'pg_class'::regclass::oid
                  ELSE 'pg_type'::regclass::oid END,
             CASE WHEN rc.relkind IS NOT NULL AND rc.relkind <> 'c' THEN rc.oid ELSE t.oid END
    FROM deps JOIN pg_type t ON deps.classid = 'pg_type'::regclass AND t.oid = deps.objid
    LEFT JOIN pg_class rc ON rc.oid = t.typrelid
UNION SELECT deps.classid, deps.objid FROM deps
    WHERE deps.classid IN ('pg_proc'::regclass, 'pg_namespace'::regclass, 'pg_extension'::regclass)
"""


class Snapshotter:
    """Takes successive snapshots of one database, re-reading only what changed in between.

    ``full_reads`` says whether every snapshot is a full read (no event triggers here), for the
    benchmark and the backend line.
    """

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.incremental = not os.environ.get("SQLGUARD_VERIFY_FULL_SNAPSHOTS") and self._install()
        # the partial read's plan, made once, looks anchors up by OID whatever they are; without
        # this the server plans it afresh each time (a few ms, more than running it)
        conn.execute("SET plan_cache_mode = force_generic_plan")
        self._catalogs: dict[str, int] = {}
        if self.incremental:
            for name in _SCOPE_GROUPS:
                row = conn.execute("SELECT %s::regclass::oid", (name,)).fetchone()
                self._catalogs[name] = int(row[0])
        self._skip: frozenset[str] | None = None

    def _install(self) -> bool:
        """Create the change log; False where this role may not create event triggers."""
        import psycopg

        try:
            with self.conn.transaction():
                self.conn.execute(_INSTALL)
        except psycopg.Error:
            return False
        return True

    def take(self, previous: Snapshot | None, skip_tables: Iterable[str]) -> Snapshot:
        """The schema now. ``previous`` must be this snapshotter's last result (or None)."""
        skip = frozenset(skip_tables)
        touched = self._drain()
        if previous is None or touched is None or skip != self._skip:
            self._skip = skip
            return take_snapshot(self.conn, skip)
        if not touched:
            return previous
        dirty = self._dirty(previous, touched)
        scope: dict[str, list[int]] = {group: [] for group in _SCOPE_GROUPS.values()}
        by_oid = {oid: name for name, oid in self._catalogs.items()}
        for classid, objid in dirty:
            name = by_oid.get(classid)
            if name is not None:
                scope[_SCOPE_GROUPS[name]].append(objid)
        fresh_groups, fresh_owners = _group(_read(self.conn, skip, scope))
        groups = dict(previous.groups)
        owners = dict(previous.owners)
        for anchor in dirty:
            groups.pop(anchor, None)
        # owners of re-read anchors are replaced, not pruned: a stale entry can only make a later
        # drop re-read one anchor too many, and pruning would visit every entry on every step
        groups.update(fresh_groups)
        owners.update(fresh_owners)
        return Snapshot(groups, owners)

    def _drain(self) -> list[Anchor] | None:
        """Take the log's rows; None if the log is gone (a migration dropped it) or never was."""
        import psycopg

        if not self.incremental:
            return None
        try:
            # read, then TRUNCATE: a DELETE would leave dead rows that every later read scans
            rows = self.conn.execute(f"SELECT DISTINCT classid, objid FROM {LOG_SCHEMA}.touched").fetchall()
            if rows:
                self.conn.execute(f"TRUNCATE {LOG_SCHEMA}.touched")
        except psycopg.Error:
            self.incremental = False
            return None
        return list({(int(c), int(o)) for c, o in rows})

    def _dirty(self, previous: Snapshot, touched: list[Anchor]) -> set[Anchor]:
        rows = self.conn.execute(
            _ANCHORS, {"classids": [c for c, _ in touched], "objids": [o for _, o in touched]}
        ).fetchall()
        dirty = {(int(c), int(o)) for c, o in rows}
        for obj in touched:  # dropped objects are no longer in the catalogs: the snapshot knows them
            if obj in previous.groups:
                dirty.add(obj)
            owner = previous.owners.get(obj)
            if owner is not None:
                dirty.add(owner)
        return dirty
