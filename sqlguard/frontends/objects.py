"""Schema objects other than tables and indexes, as changes: CREATE, DROP, RENAME and SET SCHEMA
of views, functions, types, sequences, domains, extensions, triggers, policies and rules.

The SQL front end (``sql.py``) calls these with its statement builder, which supplies the
shared fields (spans, statement text, transaction) through ``common()``; each function returns
None for a form it does not model, which then stays a ``RawStatement``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pglast import ast, enums

from sqlguard.model import (
    BehaviourChange,
    Change,
    CreateObject,
    DropObject,
    OptionChange,
    RenameObject,
    Revoke,
    SetSchema,
)

_Type = enums.ObjectType

# The object types DROP, RENAME and SET SCHEMA are modelled for, as messages name them.
OBJECT_WORDS: dict[enums.ObjectType, str] = {
    _Type.OBJECT_VIEW: "view",
    _Type.OBJECT_MATVIEW: "materialized view",
    _Type.OBJECT_FUNCTION: "function",
    _Type.OBJECT_PROCEDURE: "procedure",
    _Type.OBJECT_ROUTINE: "routine",
    _Type.OBJECT_AGGREGATE: "aggregate",
    _Type.OBJECT_TYPE: "type",
    _Type.OBJECT_DOMAIN: "domain",
    _Type.OBJECT_SEQUENCE: "sequence",
    _Type.OBJECT_EXTENSION: "extension",
    _Type.OBJECT_TRIGGER: "trigger",
    _Type.OBJECT_POLICY: "policy",
    _Type.OBJECT_RULE: "rule",
    _Type.OBJECT_INDEX: "index",
    _Type.OBJECT_SCHEMA: "schema",
    _Type.OBJECT_TABCONSTRAINT: "constraint",
    _Type.OBJECT_TABLE: "table",
}
# Objects that hang off a table: DROP TRIGGER t ON tbl names them as (tbl, t).
_ON_TABLE = frozenset({_Type.OBJECT_TRIGGER, _Type.OBJECT_POLICY, _Type.OBJECT_RULE})
# What ``sql.py`` models itself.
_DROPPED_ELSEWHERE = frozenset({_Type.OBJECT_TABLE, _Type.OBJECT_INDEX, _Type.OBJECT_SCHEMA})
_RENAMED_ELSEWHERE = frozenset({_Type.OBJECT_TABLE, _Type.OBJECT_COLUMN})


def drop_object(common: dict[str, Any], node: ast.DropStmt) -> Change | None:
    """DROP VIEW / FUNCTION / TYPE / ... (not TABLE, INDEX or SCHEMA, which sql.py models)."""
    kind = node.removeType
    if kind in _DROPPED_ELSEWHERE or kind not in OBJECT_WORDS:
        return None
    table = None
    names: list[str] = []
    for obj in node.objects or ():
        if kind in _ON_TABLE and isinstance(obj, tuple):
            parts = [item.sval or "" for item in obj if isinstance(item, ast.String)]
            table, names = _unpublic(".".join(parts[:-1])), [*names, parts[-1] if parts else ""]
        else:
            names.append(object_name(obj))
    return DropObject(
        object_type=OBJECT_WORDS[kind],
        names=tuple(names),
        table=table,
        if_exists=bool(node.missing_ok),
        cascade=node.behavior == enums.DropBehavior.DROP_CASCADE,
        **common,
    )


def rename_object(common: dict[str, Any], node: ast.RenameStmt) -> Change | None:
    """ALTER INDEX/SEQUENCE/VIEW/TYPE/FUNCTION/DOMAIN/SCHEMA ... RENAME TO, and ALTER TABLE ...
    RENAME CONSTRAINT, ALTER TRIGGER/POLICY ... RENAME (tables and columns are sql.py's)."""
    kind = node.renameType
    if kind in _RENAMED_ELSEWHERE or kind not in OBJECT_WORDS:
        return None
    relation = _relation(node.relation) if node.relation is not None else None
    if kind in (*_ON_TABLE, _Type.OBJECT_TABCONSTRAINT):
        name, table = node.subname or "", relation
    elif kind == _Type.OBJECT_SCHEMA:
        name, table = node.subname or "", None
    else:
        name, table = relation or object_name(node.object), None
    return RenameObject(object_type=OBJECT_WORDS[kind], name=name, new_name=node.newname or "", table=table, **common)


def rename_enum_value(common: dict[str, Any], node: ast.AlterEnumStmt) -> Change | None:
    """ALTER TYPE ... RENAME VALUE 'a' TO 'b' (clients that write 'a' now fail)."""
    if node.oldVal is None or node.newVal is None:
        return None
    type_name = _unpublic(".".join(item.sval or "" for item in node.typeName or () if isinstance(item, ast.String)))
    return RenameObject(object_type="enum value", name=node.oldVal, new_name=node.newVal, table=type_name, **common)


def set_schema(common: dict[str, Any], node: ast.AlterObjectSchemaStmt) -> Change | None:
    """ALTER TABLE/VIEW/FUNCTION/TYPE/SEQUENCE/... SET SCHEMA."""
    kind = node.objectType
    if kind not in OBJECT_WORDS:
        return None
    name = _relation(node.relation) if node.relation is not None else object_name(node.object)
    return SetSchema(object_type=OBJECT_WORDS[kind], name=name, new_schema=node.newschema or "", **common)


def create_object(common: dict[str, Any], node: Any) -> Change | None:
    """CREATE FUNCTION/PROCEDURE, TYPE (enum, composite, range, base), SEQUENCE, EXTENSION,
    TRIGGER, POLICY and RULE: what later statements of the same migration may drop safely."""
    made = _made(node)
    if made is None:
        return None
    object_type, name, table, or_replace = made
    return CreateObject(object_type=object_type, name=name, table=table, or_replace=or_replace, **common)


# Kinds whose facts are read from libpg_query's JSON (a dict) when no tree was built: a function's
# body can be long, and building its pglast tree only to read the name tripled a file's parse time.
JSON_READ = frozenset({"CreateFunctionStmt"})


def tree_wanted(kind: str, body: dict[str, Any]) -> bool:
    """False for statements of a modelled kind that give no change, told from libpg_query's JSON
    (which leaves false booleans out): GRANT, of which only the REVOKE form is read."""
    if kind in ("GrantStmt", "GrantRoleStmt"):
        return not body.get("is_grant")
    return True


def _made(node: Any) -> tuple[str, str, str | None, bool] | None:
    if isinstance(node, dict):  # CreateFunctionStmt from JSON: {"funcname": [{"String": ...}], ...}
        names = [part.get("String", {}).get("sval", "") for part in node.get("funcname", ())]
        word = "procedure" if node.get("is_procedure") else "function"
        return word, _unpublic(".".join(names)), None, bool(node.get("replace"))
    if isinstance(node, ast.CreateFunctionStmt):
        word = "procedure" if node.is_procedure else "function"
        return word, _dotted(node.funcname), None, bool(node.replace)
    if isinstance(node, ast.CreateEnumStmt | ast.CreateRangeStmt):
        return "type", _dotted(node.typeName), None, False
    if isinstance(node, ast.CompositeTypeStmt) and node.typevar is not None:
        return "type", _relation(node.typevar), None, False
    if isinstance(node, ast.DefineStmt) and node.kind == _Type.OBJECT_TYPE:
        return "type", _dotted(node.defnames), None, False
    if isinstance(node, ast.CreateSeqStmt) and node.sequence is not None:
        return "sequence", _relation(node.sequence), None, False
    if isinstance(node, ast.CreateExtensionStmt):
        return "extension", node.extname or "", None, False
    if isinstance(node, ast.CreateTrigStmt):
        return "trigger", node.trigname or "", _relation(node.relation), bool(node.replace)
    if isinstance(node, ast.CreatePolicyStmt):
        return "policy", node.policy_name or "", _relation(node.table), False
    if isinstance(node, ast.RuleStmt):
        return "rule", node.rulename or "", _relation(node.relation), bool(node.replace)
    return None


def alter_policy(common: dict[str, Any], node: ast.AlterPolicyStmt) -> Change | None:
    """ALTER POLICY ... ON t (new roles, USING or WITH CHECK): who sees which rows changes."""
    return BehaviourChange(table=_relation(node.table), action="alter policy", name=node.policy_name, **common)


def revoke(common: dict[str, Any], node: Any) -> Change | None:
    """REVOKE ... ON ... FROM ..., and REVOKE role FROM role (GRANT is not a change clients notice)."""
    if isinstance(node, ast.GrantStmt) and not node.is_grant:
        privileges = tuple(p.priv_name or "" for p in node.privileges or () if isinstance(p, ast.AccessPriv)) or (
            "all",
        )
        return Revoke(
            privileges=privileges,
            object_type=OBJECT_WORDS.get(node.objtype, "object") if node.objtype is not None else "object",
            objects=tuple(
                object_name(obj) if not isinstance(obj, ast.RangeVar) else _relation(obj) for obj in node.objects or ()
            ),
            grantees=tuple(_role(spec) for spec in node.grantees or ()),
            **common,
        )
    if isinstance(node, ast.GrantRoleStmt) and not node.is_grant:
        return Revoke(
            privileges=tuple(p.priv_name or "" for p in node.granted_roles or () if isinstance(p, ast.AccessPriv)),
            object_type="role",
            objects=(),
            grantees=tuple(_role(spec) for spec in node.grantee_roles or ()),
            role_membership=True,
            **common,
        )
    return None


def _role(spec: Any) -> str:
    if isinstance(spec, ast.RoleSpec) and spec.rolename:
        return spec.rolename
    roletype = getattr(spec, "roletype", None)
    return roletype.name.removeprefix("ROLESPEC_") if roletype is not None else ""


# ALTER SEQUENCE options that change the values clients get (not OWNED BY, not AS alone).
_SEQUENCE_VALUES = frozenset({"restart", "start", "increment", "minvalue", "maxvalue", "cycle", "cache", "as"})


def option_change(common: dict[str, Any], node: Any) -> Change | None:
    """ALTER DATABASE / ROLE / SYSTEM / FUNCTION / EXTENSION / SEQUENCE options."""
    if isinstance(node, ast.AlterDatabaseSetStmt | ast.AlterDatabaseStmt):
        options = _set_names(node.setstmt) if isinstance(node, ast.AlterDatabaseSetStmt) else _defnames(node.options)
        return OptionChange(object_type="database", name=node.dbname or "", options=options, **common)
    if isinstance(node, ast.AlterRoleSetStmt | ast.AlterRoleStmt):
        options = _set_names(node.setstmt) if isinstance(node, ast.AlterRoleSetStmt) else _defnames(node.options)
        return OptionChange(object_type="role", name=_role(node.role), options=options, **common)
    if isinstance(node, ast.AlterSystemStmt):
        return OptionChange(object_type="system", name="", options=_set_names(node.setstmt), **common)
    if isinstance(node, ast.AlterFunctionStmt) and node.func is not None:
        word = OBJECT_WORDS.get(node.objtype, "function") if node.objtype is not None else "function"
        return OptionChange(object_type=word, name=object_name(node.func), options=_defnames(node.actions), **common)
    if isinstance(node, ast.AlterExtensionStmt | ast.AlterExtensionContentsStmt):
        return OptionChange(object_type="extension", name=node.extname or "", options=("update",), **common)
    if isinstance(node, ast.AlterSeqStmt) and node.sequence is not None:
        values = tuple(name for name in _defnames(node.options) if name in _SEQUENCE_VALUES)
        if values:
            return OptionChange(object_type="sequence", name=_relation(node.sequence), options=values, **common)
    return None


def view_options(common: dict[str, Any], node: ast.AlterTableStmt) -> Change | None:
    """ALTER VIEW / MATERIALIZED VIEW ... SET (...) / RESET (...)."""
    if node.objtype not in (_Type.OBJECT_VIEW, _Type.OBJECT_MATVIEW):
        return None
    kinds = (enums.AlterTableType.AT_SetRelOptions, enums.AlterTableType.AT_ResetRelOptions)
    options = tuple(name for cmd in node.cmds or () if cmd.subtype in kinds for name in _defnames(cmd.def_))
    if not options:
        return None
    return OptionChange(
        object_type=OBJECT_WORDS[node.objtype], name=_relation(node.relation), options=options, **common
    )


def _defnames(items: Any) -> tuple[str, ...]:
    return tuple(item.defname or "" for item in items or () if isinstance(item, ast.DefElem))


def _set_names(setstmt: Any) -> tuple[str, ...]:
    return (setstmt.name or "all",) if isinstance(setstmt, ast.VariableSetStmt) else ()


# ALTER TABLE subcommands that change what triggers, rules or row security do.
TABLE_BEHAVIOUR: dict[enums.AlterTableType, str] = {
    enums.AlterTableType.AT_DisableTrig: "disable trigger",
    enums.AlterTableType.AT_DisableTrigAll: "disable trigger",
    enums.AlterTableType.AT_DisableTrigUser: "disable trigger",
    enums.AlterTableType.AT_DisableRule: "disable rule",
    enums.AlterTableType.AT_DisableRowSecurity: "disable row level security",
    enums.AlterTableType.AT_NoForceRowSecurity: "no force row level security",
}

# DISABLE TRIGGER ALL / USER: the name a BehaviourChange carries for them.
TRIGGER_SETS: dict[enums.AlterTableType, str] = {
    enums.AlterTableType.AT_DisableTrigAll: "ALL",
    enums.AlterTableType.AT_DisableTrigUser: "USER",
}


def object_name(obj: Any) -> str:
    """The dotted name of a DROP/RENAME target: a name list, a type, or a function with args."""
    if isinstance(obj, ast.ObjectWithArgs):
        return _dotted(obj.objname)
    if isinstance(obj, ast.TypeName):
        return _dotted(obj.names)
    if isinstance(obj, ast.String):
        return obj.sval or ""
    return _dotted(obj)


def _dotted(parts: Any) -> str:
    if not isinstance(parts, tuple):
        return ""
    items = [item.sval or "" for item in parts if isinstance(item, ast.String)]
    return _unpublic(".".join(items))


def _relation(relation: Any) -> str:
    if relation is None:
        return ""
    name = f"{relation.schemaname}.{relation.relname}" if relation.schemaname else relation.relname or ""
    return _unpublic(name)


def _unpublic(name: str) -> str:
    """Names as the schema state keeps them: ``public.`` dropped, other schemas kept."""
    return name.removeprefix("public.")


# Node types whose statements this module turns into changes, each with its converter.
CONVERTERS: dict[str, Callable[[dict[str, Any], Any], Change | None]] = {
    "AlterObjectSchemaStmt": set_schema,
    "AlterPolicyStmt": alter_policy,
    **dict.fromkeys(("GrantStmt", "GrantRoleStmt"), revoke),
    **dict.fromkeys(
        (
            "AlterDatabaseSetStmt",
            "AlterDatabaseStmt",
            "AlterRoleSetStmt",
            "AlterRoleStmt",
            "AlterSystemStmt",
            "AlterFunctionStmt",
            "AlterExtensionStmt",
            "AlterExtensionContentsStmt",
            "AlterSeqStmt",
        ),
        option_change,
    ),
    **dict.fromkeys(
        (
            "CreateFunctionStmt",
            "CreateEnumStmt",
            "CreateRangeStmt",
            "CompositeTypeStmt",
            "DefineStmt",
            "CreateSeqStmt",
            "CreateExtensionStmt",
            "CreateTrigStmt",
            "CreatePolicyStmt",
            "RuleStmt",
        ),
        create_object,
    ),
}
