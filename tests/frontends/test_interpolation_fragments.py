"""What SG007's parameterized help reads from the SQL around each pasted value, through
pglast's scanner (keywords before it, an open '...' literal, a name glued to it, a utility
statement), string.Formatter (str.format fields) and ast (the bind name hint)."""

# ruff: noqa: E501  (a table of one-line snippets and the exact help each gets)
from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import lint_snippet

CASES = [
    (
        "cur.execute(f\"SELECT * FROM t WHERE b LIKE '{b}%'\")",
        'cur.execute("SELECT * FROM t WHERE b LIKE %s", (b + "%",))',
    ),
    (
        "cur.execute(f\"SELECT * FROM t WHERE b LIKE '%{b}'\")",
        'cur.execute("SELECT * FROM t WHERE b LIKE %s", ("%" + b,))',
    ),
    # the whole literal is the parameter (was a %s inside quotes)
    (
        "cur.execute(f\"SELECT * FROM t WHERE b = 'a {b} c'\")",
        'cur.execute("SELECT * FROM t WHERE b = %s", ("a " + b + " c",))',
    ),
    # '' in the literal is one quote in the value
    (
        "cur.execute(f\"SELECT * FROM t WHERE b = 'it''s {b}'\")",
        'cur.execute("SELECT * FROM t WHERE b = %s", ("it\'s " + b,))',
    ),
    (
        'cur.execute(f"SELECT * FROM \\"{t}\\" WHERE a = 1")',
        "cur.execute('SELECT * FROM \\\"%s\\\" WHERE a = 1', (t,))",
    ),
    (
        'cur.execute(f"SELECT * FROM t_{x} WHERE a = 1")',
        "bound parameters cannot stand for names: check x against a fixed list of allowed names (or compose it with psycopg.sql.Identifier), and pass values as bound parameters",
    ),
    (
        'cur.execute(f"SELECT * FROM {x}_tmp WHERE a = 1")',
        "bound parameters cannot stand for names: check x against a fixed list of allowed names (or compose it with psycopg.sql.Identifier), and pass values as bound parameters",
    ),
    (
        'cur.execute(f"SELECT * FROM s.{x} WHERE a = 1")',
        "bound parameters cannot stand for names: check x against a fixed list of allowed names (or compose it with psycopg.sql.Identifier), and pass values as bound parameters",
    ),
    (
        'cur.execute(f"SELECT {x}.col FROM t")',
        "bound parameters cannot stand for names: check x against a fixed list of allowed names (or compose it with psycopg.sql.Identifier), and pass values as bound parameters",
    ),
    (
        'cur.execute(f"SELECT * FROM a JOIN {x} ON true")',
        'cur.execute(sql.SQL("SELECT * FROM a JOIN {} ON true").format(sql.Identifier(x)))',
    ),
    (
        'cur.execute(f"insert into {x} values (1)")',
        'cur.execute(sql.SQL("insert into {} values (1)").format(sql.Identifier(x)))',
    ),
    (
        'cur.execute(f"update {x} set a = {y}")',
        'cur.execute(sql.SQL("update {} set a = %s").format(sql.Identifier(x)), (y,))',
    ),
    ('cur.execute(f"TRUNCATE {x}")', 'cur.execute(sql.SQL("TRUNCATE {}").format(sql.Identifier(x)))'),
    (
        'cur.execute(f"SELECT * FROM ONLY {x}")',
        'cur.execute(sql.SQL("SELECT * FROM ONLY {}").format(sql.Identifier(x)))',
    ),
    (
        'cur.execute(f"DROP TABLE IF EXISTS {x}")',
        'cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(x)))',
    ),
    ('cur.execute(f"SELECT * FROM /* c */ {x}")', 'cur.execute("SELECT * FROM /* c */ %s", (x,))'),
    (
        'cur.execute(f"SELECT a FROM t WHERE a = {x}1")',
        "bound parameters cannot stand for names: check x against a fixed list of allowed names (or compose it with psycopg.sql.Identifier), and pass values as bound parameters",
    ),
    ('cur.execute(f"SELECT a FROM t LIMIT {n}")', 'cur.execute("SELECT a FROM t LIMIT %s", (n,))'),
    (
        'op.execute(f"VACUUM {t}")',
        "VACUUM cannot take bound parameters: check t against a fixed list of allowed values, or run it through psycopg with sql.Identifier / sql.Literal",
    ),
    (
        'op.execute(f"lock table t in {mode} mode")',
        "LOCK cannot take bound parameters: check mode against a fixed list of allowed values, or run it through psycopg with sql.Identifier / sql.Literal",
    ),
    (
        'op.execute(f"refresh materialized view {v}")',
        "REFRESH cannot take bound parameters: check v against a fixed list of allowed values, or run it through psycopg with sql.Identifier / sql.Literal",
    ),
    (
        'op.execute(f"  grant select on t to {role}")',
        "GRANT cannot take bound parameters: check role against a fixed list of allowed values, or run it through psycopg with sql.Identifier / sql.Literal",
    ),
    (
        'op.execute(f"/* c */ ALTER TABLE t SET DEFAULT {d}")',
        'op.execute(sa.text("/* c */ ALTER TABLE t SET DEFAULT :d").bindparams(d=d))',
    ),
    (
        "op.execute(f\"SELECT set_config('a', {d}, false)\")",
        "op.execute(sa.text(\"SELECT set_config('a', :d, false)\").bindparams(d=d))",
    ),
    ('conn.execute(f"analyze {t}")', 'conn.execute(sql.SQL("analyze {}").format(sql.Literal(t)))'),
    (
        'cur.execute("SELECT {{a}} FROM t WHERE x = {}".format(v))',
        'cur.execute("SELECT {a} FROM t WHERE x = %s", (v,))',
    ),
    (
        'cur.execute("SELECT a FROM t WHERE x = {0!r:>10} AND y = {k.attr}".format(v, k=w))',
        'cur.execute("SELECT a FROM t WHERE x = %s AND y = %s", (v, k.attr))',
    ),
    # a nested format spec is read by string.Formatter
    (
        'cur.execute("SELECT a FROM t WHERE x = {:{w}}".format(v, w=3))',
        'cur.execute("SELECT a FROM t WHERE x = %s", (v,))',
    ),
    ("cur.execute(\"SELECT a FROM t WHERE x = '{}'\".format(v))", 'cur.execute("SELECT a FROM t WHERE x = %s", (v,))'),
    (
        "cur.execute(\"SELECT a FROM t WHERE x = %(n)s AND y = %%s AND z = %d\" % {'n': name, 'z': z})",
        'cur.execute("SELECT a FROM t WHERE x = %s AND y = %s AND z = %s", (name, value))',
    ),
    (
        'cur.execute("SELECT a FROM t WHERE x = %s AND y = %5.2f" % (a, b))',
        'cur.execute("SELECT a FROM t WHERE x = %s AND y = %s", (a, b))',
    ),
    (
        'cur.execute(f"SELECT a FROM t WHERE x = {str(user.id)}")',
        'cur.execute("SELECT a FROM t WHERE x = %s", (str(user.id),))',
    ),
    (
        "cur.execute(f\"SELECT a FROM t WHERE x = {row['email']}\")",
        "cur.execute(\"SELECT a FROM t WHERE x = %s\", (row['email'],))",
    ),
    (
        'cur.execute(f"SELECT a FROM t WHERE x = {user.name.lower()}")',
        'cur.execute("SELECT a FROM t WHERE x = %s", (user.name.lower(),))',
    ),
    ('cur.execute(f"SELECT a FROM t WHERE x = {a + b}")', 'cur.execute("SELECT a FROM t WHERE x = %s", (a + b,))'),
    (
        'cur.execute(f"SELECT a FROM t WHERE x = {get_id(x)}")',
        'cur.execute("SELECT a FROM t WHERE x = %s", (get_id(x),))',
    ),
    (
        "cur.execute(f\"SELECT a FROM t WHERE x = {items[0]} AND y = {int(d['k'])}\")",
        "cur.execute(\"SELECT a FROM t WHERE x = %s AND y = %s\", (items[0], int(d['k'])))",
    ),
    (
        'cur.execute(f"SELECT a FROM t WHERE x = {len(names)} AND y = {x.y[1].z}")',
        'cur.execute("SELECT a FROM t WHERE x = %s AND y = %s", (len(names), x.y[1].z))',
    ),
    (
        'cur.execute(f"SELECT a FROM t WHERE x = {f(x) + a}")',
        'cur.execute("SELECT a FROM t WHERE x = %s", (f(x) + a,))',
    ),
    ('cur.execute(f"SELECT a FROM t WHERE x = {-n}")', 'cur.execute("SELECT a FROM t WHERE x = %s", (-n,))'),
    (
        "cur.execute(f\"SELECT a FROM t WHERE x = {'lit' if c else d}\")",
        "cur.execute(\"SELECT a FROM t WHERE x = %s\", ('lit' if c else d,))",
    ),
    (
        "op.execute(f\"UPDATE t SET a = {str(user.id)}, b = {row['email']}, c = {user.name.lower()}, d = {a + b}\")",
        "op.execute(sa.text(\"UPDATE t SET a = :id, b = :email, c = :lower, d = :b\").bindparams(id=str(user.id), email=row['email'], lower=user.name.lower(), b=a + b))",
    ),
    (
        "op.execute(f\"UPDATE t SET a = {get_id(x)}, b = {items[0]}, c = {int(d['k'])}, d = {len(names)}, e = {x.y[1].z}\")",
        "op.execute(sa.text(\"UPDATE t SET a = :get_id, b = :items, c = :k, d = :names, e = :z\").bindparams(get_id=get_id(x), items=items[0], k=int(d['k']), names=len(names), z=x.y[1].z))",
    ),
    (
        "op.execute(f\"UPDATE t SET a = {f(x) + a}, b = {-n}, c = {'lit' if c else d}, d = {obj.get('key')}, e = {(a)}\")",
        "op.execute(sa.text(\"UPDATE t SET a = :f, b = :n, c = :d, d = :get, e = :a\").bindparams(f=f(x) + a, n=-n, d='lit' if c else d, get=obj.get('key'), a=a))",
    ),
    (
        'op.execute(f"UPDATE t SET a = {str(a, b)}, b = {x["k-2"]}, c = {id}, d = {id}, e = {3}")',
        'op.execute(sa.text("UPDATE t SET a = :b, b = :x, c = :id, d = :id_2, e = :value").bindparams(b=str(a, b), x=x["k-2"], id=id, id_2=id, value=3))',
    ),
    (
        "op.execute(\"UPDATE t SET a = %(n)s, b = %(n)s\" % {'n': name})",
        'op.execute(sa.text("UPDATE t SET a = :name, b = :name_2").bindparams(name=name, name_2=name))',
    ),
]


@pytest.mark.parametrize(("code", "expected"), CASES)
def test_the_parameterized_form(tmp_path: Path, code: str, expected: str) -> None:
    report = lint_snippet(tmp_path, code + "\n", filename="app.py", select=frozenset({"SG007"}))
    assert [d.help for d in report.diagnostics] == [expected]
