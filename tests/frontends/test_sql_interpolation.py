"""SG007's facts: which sinks, which ways of building text, what is followed through variables,
and what is not interpolation at all. Each case is linted as a file with only SG007 selected."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import concise, lint_snippet


def sg007(tmp_path: Path, code: str, filename: str = "app.py") -> list[str]:
    report = lint_snippet(tmp_path, code, filename=filename, select=frozenset({"SG007"}))
    return [line for line in concise(report).splitlines() if not line.startswith("  help:")]


def helps(tmp_path: Path, code: str) -> list[str]:
    report = lint_snippet(tmp_path, code, filename="app.py", select=frozenset({"SG007"}))
    return [d.help or "" for d in report.diagnostics]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (
            'cur.execute(f"DELETE FROM t WHERE id = {i}")\n',
            ["1:13 SG007 SQL built with an f-string reaches cur.execute()"],
        ),
        (
            'cur.executemany("INSERT INTO t VALUES (%s)" % v, rows)\n',
            ["1:17 SG007 SQL built with % formatting reaches cur.executemany()"],
        ),
        (
            'conn.exec_driver_sql("SELECT {}".format(x))\n',
            ["1:22 SG007 SQL built with str.format() reaches conn.exec_driver_sql()"],
        ),
        ('sa.text("SELECT " + col)\n', ["1:9 SG007 SQL built with + concatenation reaches sa.text()"]),
        ('text(f"SELECT {x}")\n', ["1:6 SG007 SQL built with an f-string reaches text()"]),
        ('session.execute(f"SELECT {x}")\n', ["1:17 SG007 SQL built with an f-string reaches session.execute()"]),
        ('op.execute(f"UPDATE t SET a = {x}")\n', ["1:12 SG007 SQL built with an f-string reaches op.execute()"]),
        ('pd.read_sql(f"SELECT {x}", con)\n', ["1:13 SG007 SQL built with an f-string reaches pd.read_sql()"]),
        (
            'read_sql_query(sql=f"SELECT {x}", con=con)\n',
            ["1:20 SG007 SQL built with an f-string reaches read_sql_query()"],
        ),
        (
            'op.get_bind().execute(f"SELECT {x}")\n',
            ["1:23 SG007 SQL built with an f-string reaches op.get_bind().execute()"],
        ),
    ],
)
def test_each_sink_and_way_of_building(tmp_path: Path, code: str, expected: list[str]) -> None:
    assert [line.split("(): ")[0] + "()" for line in sg007(tmp_path, code)] == expected


def test_followed_through_a_variable_and_augmented_assignment(tmp_path: Path) -> None:
    code = (
        "def f(cur, name, n):\n"
        '    q = "SELECT * FROM t WHERE name = \'" + name + "\'"\n'
        '    q += f" LIMIT {n}"\n'
        "    cur.execute(q)\n"
    )
    assert sg007(tmp_path, code) == [
        '4:17 SG007 SQL built with + concatenation reaches cur.execute() through "q" (built on line 3): '
        "a value with a quote in it can rewrite the statement (SQL injection)"
    ]
    assert helps(tmp_path, code) == ['cur.execute("SELECT * FROM t WHERE name = %s LIMIT %s", (name, n))']


def test_a_variable_reassigned_to_constant_text_is_clean_again(tmp_path: Path) -> None:
    code = 'def f(cur, x):\n    q = f"SELECT {x}"\n    q = "SELECT 1"\n    cur.execute(q)\n'
    assert sg007(tmp_path, code) == []


def test_scopes_do_not_leak_between_functions(tmp_path: Path) -> None:
    code = 'def a(x):\n    q = f"SELECT {x}"\n    return q\n\n\ndef b(cur, q):\n    cur.execute(q)\n'
    assert sg007(tmp_path, code) == []


@pytest.mark.parametrize(
    "code",
    [
        'cur.execute("SELECT * FROM t WHERE id = %s", (i,))\n',
        'cur.execute("SELECT * FROM t WHERE id = %(id)s", {"id": i})\n',
        'session.execute(text("SELECT * FROM t WHERE id = :id"), {"id": i})\n',
        'cur.execute(sql.SQL("SELECT * FROM {}").format(sql.Identifier(table)))\n',
        'cur.execute(sql.SQL("SELECT {} FROM t").format(sql.SQL(", ").join(map(sql.Identifier, cols))))\n',
        'COLS = "a, b"\ncur.execute("SELECT " + COLS + " FROM t")\ncur.execute(f"SELECT {COLS} FROM t")\n',
        'cur.execute("SELECT 1 " "FROM t")\n',
        'cur.execute(f"SELECT 1")\n',
        'log.info(f"running {x}")\nprint("SELECT " + x)\n',
        "cursor.execute(query)\n",
        'df.execute_later(f"SELECT {x}")\n',
    ],
)
def test_not_interpolation(tmp_path: Path, code: str) -> None:
    assert sg007(tmp_path, code) == []


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (
            "cur.execute(f\"SELECT * FROM t WHERE a = '{a}' AND b LIKE '%{b}%'\")\n",
            'cur.execute("SELECT * FROM t WHERE a = %s AND b LIKE %s", (a, "%" + b + "%"))',
        ),
        (
            "cur.execute(f\"SELECT * FROM {table} WHERE id = {row['id']}\")\n",
            "cur.execute(sql.SQL(\"SELECT * FROM {} WHERE id = %s\").format(sql.Identifier(table)), (row['id'],))",
        ),
        (
            'op.execute("UPDATE t SET a = %s WHERE b = %s" % (x, y))\n',
            'op.execute(sa.text("UPDATE t SET a = :x WHERE b = :y").bindparams(x=x, y=y))',
        ),
        (
            'cur.execute("SELECT * FROM t WHERE a = {a} AND b = {0}".format(first, a=other.value))\n',
            'cur.execute("SELECT * FROM t WHERE a = %s AND b = %s", (other.value, first))',
        ),
        (
            'cur.execute(f"CREATE INDEX ix_{name} ON t (a)")\n',
            "bound parameters cannot stand for names: check name against a fixed list of allowed names "
            "(or compose it with psycopg.sql.Identifier), and pass values as bound parameters",
        ),
        (
            'conn.execute(f"ALTER SYSTEM SET {key} = {value}")\n',
            'conn.execute(sql.SQL("ALTER SYSTEM SET {} = {}").format(sql.Identifier(key), sql.Literal(value)))',
        ),
        (
            'conn.execute(f"DELETE FROM t WHERE id = {i}")\n',
            'conn.execute("DELETE FROM t WHERE id = %s", (i,))',
        ),
        (
            'op.execute(f"ALTER TABLE t ALTER COLUMN a SET DEFAULT {default}")\n',
            "ALTER cannot take bound parameters: check default against a fixed list of allowed values, "
            "or run it through psycopg with sql.Identifier / sql.Literal",
        ),
    ],
)
def test_the_help_shows_the_parameterized_form(tmp_path: Path, code: str, expected: str) -> None:
    assert helps(tmp_path, code) == [expected]


def test_suppression_comment_in_python(tmp_path: Path) -> None:
    code = (
        'cur.execute(f"SELECT {x}")  # sqlguard: ignore[SG007]\n'
        "# sqlguard: ignore[sql-string-interpolation]\n"
        'cur.execute(f"SELECT {y}")\n'
        'cur.execute(f"SELECT {z}")\n'
    )
    assert [line.split(" SG007")[0] for line in sg007(tmp_path, code)] == ["4:13"]


def test_a_constant_template_filled_in_later_is_interpolation(tmp_path: Path) -> None:
    code = (
        'BY_ID = "SELECT * FROM users WHERE id = %s"\n'
        "BY_NAME = \"SELECT * FROM users WHERE name = '{}'\"\n"
        "def find(cur, user_id, name):\n"
        "    cur.execute(BY_ID % user_id)\n"
        "    cur.execute(BY_NAME.format(name))\n"
        "    cur.execute(BY_ID, (user_id,))\n"
    )
    assert [line.split(": a value")[0] for line in sg007(tmp_path, code)] == [
        "4:17 SG007 SQL built with % formatting reaches cur.execute()",
        "5:17 SG007 SQL built with str.format() reaches cur.execute()",
    ]
    assert helps(tmp_path, code) == [
        'cur.execute("SELECT * FROM users WHERE id = %s", (user_id,))',
        'cur.execute("SELECT * FROM users WHERE name = %s", (name,))',
    ]
