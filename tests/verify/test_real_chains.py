"""What real projects' chains need: column order, --keep-going, irreversible steps, no false passes,
readable differences. One session server (conftest.py), each run in its own scratch database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sqlguard.verify.bench import write_real_chain

from .helpers import run_cli


def write(folder: Path, files: dict[str, str | bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    return folder


def verify_json(path: Path, dsn: str, *args: str) -> tuple[int, dict[str, Any]]:
    result = run_cli(str(path), "--dsn", dsn, "--format", "json", *args)
    return result.exit_code, json.loads(result.stdout)


DROP_COLUMN_CHAIN = {
    "1_users.up.sql": "CREATE TABLE users (id int PRIMARY KEY, email text, name text, age int);\n"
    "CREATE VIEW everyone AS SELECT * FROM users;\n",
    "1_users.down.sql": "DROP VIEW everyone;\nDROP TABLE users;\n",
    "2_drop_email.up.sql": "DROP VIEW everyone;\nALTER TABLE users DROP COLUMN email;\n"
    "CREATE VIEW everyone AS SELECT * FROM users;\n",
    "2_drop_email.down.sql": "DROP VIEW everyone;\nALTER TABLE users ADD COLUMN email text;\n"
    "CREATE VIEW everyone AS SELECT * FROM users;\n",
}


def test_readded_column_and_star_view_verify_clean(dsn: str, tmp_path: Path) -> None:
    """The down puts email back at the end of the table and the view lists it last: same schema."""
    code, report = verify_json(write(tmp_path, DROP_COLUMN_CHAIN), dsn)
    assert code == 0, report
    assert [s["status"] for s in report["steps"]] == ["passed", "passed"]


def test_strict_column_order_reports_one_line_per_table(dsn: str, tmp_path: Path) -> None:
    code, report = verify_json(write(tmp_path, DROP_COLUMN_CHAIN), dsn, "--strict-column-order")
    assert code == 1
    failure = report["failure"]
    assert (failure["step"], failure["phase"]) == ("2_drop_email", "down")
    table, view = failure["differences"]
    assert table == (
        "table users differs after downgrade of 2_drop_email from before the upgrade:"
        " column order was id, email, name, age, now id, name, age, email"
    )
    # PostgreSQL 18 prints the view short enough to quote, 15 names the table in every column
    assert view.startswith("view everyone differs after downgrade of 2_drop_email from before the upgrade: definition")


def test_keep_going_reports_every_failure_and_checks_the_rest(dsn: str, tmp_path: Path) -> None:
    files = {
        "1_a.up.sql": "CREATE TABLE a (id int);\n",
        "1_a.down.sql": "DROP TABLE a;\n",
        "2_ix.up.sql": "CREATE INDEX ix_a ON a (id);\n",
        "2_ix.down.sql": "SELECT 1;\n",  # forgets the index
        "3_b.up.sql": "CREATE TABLE b (id int REFERENCES_TYPO);\n",  # its up fails
        "3_b.down.sql": "DROP TABLE b;\n",
        "4_c.up.sql": "CREATE TABLE c (id int);\nDROP INDEX ix_a;\n",  # needs step 2's index
        "4_c.down.sql": "CREATE INDEX ix_a ON a (id);\nDROP TABLE c;\n",
    }
    code, report = verify_json(write(tmp_path, files), dsn, "--keep-going")
    assert code == 1
    assert [(f["step"], f["phase"]) for f in report["failures"]] == [("2_ix", "down"), ("3_b", "up")]
    assert [s["status"] for s in report["steps"]] == ["passed", "failed", "failed", "passed"]

    code, report = verify_json(tmp_path, dsn)  # without --keep-going the first failure ends the run
    assert [s["status"] for s in report["steps"]] == ["passed", "failed", "not run", "not run"]


def test_irreversible_markers_apply_up_only(dsn: str, tmp_path: Path) -> None:
    files = {
        "1_a.up.sql": "CREATE TABLE a (id int, legacy text);\n",
        "1_a.down.sql": "DROP TABLE a;\n",
        "2_drop_legacy.up.sql": "-- sqlguard: irreversible the legacy values are gone for good\n"
        "ALTER TABLE a DROP COLUMN legacy;\n",
        "3_b.up.sql": "CREATE TABLE b (id int);\n",
        "3_b.down.sql": "DROP TABLE b;\n",
        "4_truncate.up.sql": "TRUNCATE a;\n",
        "4_truncate.down.sql": "SELECT 1;\n",
        "pyproject.toml": '[tool.sqlguard]\nverify-irreversible = ["4_truncate"]\n',
    }
    code, report = verify_json(write(tmp_path, files), dsn)
    assert code == 0, report
    assert report["irreversible"] == [
        {"step": "2_drop_legacy", "reason": "the legacy values are gone for good"},
        {"step": "4_truncate", "reason": "listed in verify-irreversible"},
    ]
    assert [s["status"] for s in report["steps"]] == ["passed", "irreversible", "passed", "irreversible"]
    text = run_cli(str(tmp_path), "--dsn", dsn).stdout
    assert "IRREVERSIBLE 2_drop_legacy: the legacy values are gone for good (applied up, not stepped down)" in text
    assert "verified 2 migration(s) up → down → up, 2 irreversible (up only)" in text


def test_unclosed_transaction_is_a_failure(dsn: str, tmp_path: Path) -> None:
    """Without COMMIT nothing the file did is visible to anyone else: it must not "verify"."""
    files = {
        "1_a.up.sql": "CREATE TABLE a (id int);\n",
        "1_a.down.sql": "DROP TABLE a;\n",
        "2_b.up.sql": "-- adds b\nBEGIN;\nCREATE TABLE b (id int);\n",
        "2_b.down.sql": "DROP TABLE b;\n",
    }
    code, report = verify_json(write(tmp_path, files), dsn)
    assert code == 1
    failure = report["failure"]
    assert (failure["step"], failure["phase"]) == ("2_b", "up")
    assert failure["error"]["message"].startswith("the file ends inside a transaction (BEGIN without COMMIT)")
    assert (failure["error"]["line"], failure["error"]["column"], failure["error"]["statement"]) == (2, 1, "BEGIN")


def test_non_utf8_migration_is_an_input_error(dsn: str, tmp_path: Path) -> None:
    for name, broken in (("up", "2_b.up.sql"), ("down", "2_b.down.sql")):
        folder = tmp_path / name
        files: dict[str, str | bytes] = {
            "1_a.up.sql": "CREATE TABLE a (id int);\n",
            "1_a.down.sql": "DROP TABLE a;\n",
            "2_b.up.sql": "CREATE TABLE b (id int);\n",
            "2_b.down.sql": "DROP TABLE b;\n",
        }
        files[broken] = b"-- caf\xe9\nSELECT 1;\n"
        result = run_cli(str(write(folder, files)), "--dsn", dsn)
        assert result.exit_code == 2, result.output
        assert result.stderr.strip().endswith(f"{broken}: E002 not UTF-8 text (invalid byte at offset 6)")


def test_long_differences_show_before_and_after_in_full(dsn: str, tmp_path: Path) -> None:
    body = " + ".join(str(i) for i in range(1, 40))
    files = {
        "1_f.up.sql": f"CREATE FUNCTION f(x0 int) RETURNS int LANGUAGE sql AS $$SELECT x0 + {body}$$;\n",
        "1_f.down.sql": "DROP FUNCTION f(int);\n",
        "2_f.up.sql": "CREATE OR REPLACE FUNCTION f(x0 int) RETURNS int LANGUAGE sql AS $$SELECT x0 + 2$$;\n",
        "2_f.down.sql": "CREATE OR REPLACE FUNCTION f(x0 int) RETURNS int LANGUAGE sql AS $$SELECT x0 + 3$$;\n",
    }
    write(tmp_path, files)
    code, report = verify_json(tmp_path, dsn)
    assert code == 1
    [detail] = report["failure"]["details"]
    assert (detail["object"], detail["name"], detail["difference"]) == ("function", "public.f(x0 integer)", "changed")
    [change] = detail["changes"]
    assert change["attribute"] == "definition"
    assert "+ 39" in change["before"] and change["before"].rstrip().endswith("$function$")
    assert "SELECT x0 + 3" in change["after"]
    text = run_cli(str(tmp_path), "--dsn", dsn).stdout
    assert "definition changed" in text
    assert "+ 39" in text  # the end of the long text is shown, not cut
    wrapped = [line for line in text.splitlines() if line.startswith(" ") and " + " in line]
    assert len(wrapped) > 2 and max(len(line) for line in wrapped) <= 100


def test_setup_and_diesel_table_come_first(dsn: str, tmp_path: Path) -> None:
    files = {
        "setup.sql": "CREATE SCHEMA app;\n",
        "m/2024-01-01-000000_t/up.sql": "CREATE TABLE app.t (id int);\n"
        "CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\n"
        "CREATE TRIGGER touch BEFORE INSERT ON __diesel_schema_migrations\n"
        "    FOR EACH ROW EXECUTE FUNCTION app.touch();\n",
        "m/2024-01-01-000000_t/down.sql": "DROP TRIGGER touch ON __diesel_schema_migrations;\n"
        "DROP FUNCTION app.touch();\nDROP TABLE app.t;\n",
    }
    write(tmp_path, files)
    code, report = verify_json(tmp_path / "m", dsn, "--setup", str(tmp_path / "setup.sql"))
    assert code == 0, report
    result = run_cli(str(tmp_path / "m"), "--dsn", dsn)
    assert result.exit_code == 1  # without the setup, schema app does not exist
    assert 'schema "app" does not exist' in result.stdout


def test_done_means_300_steps_keep_going(dsn: str, tmp_path: Path) -> None:
    """The issue's bar: 300 steps with drop-column downs and SELECT * views, one broken down and one
    irreversible step; --keep-going reports exactly those two."""
    write_real_chain(tmp_path, 300, broken=60, irreversible=150)
    code, report = verify_json(tmp_path, dsn, "--keep-going")
    assert code == 1
    assert [(f["step"], f["phase"], f["summary"]) for f in report["failures"]] == [
        ("0060_index_t19_a", "down", "index ix_t19_a still exists after downgrade of 0060_index_t19_a")
    ]
    assert report["irreversible"] == [{"step": "0150_drop_t49_c", "reason": "the values of c are gone"}]
    statuses = [s["status"] for s in report["steps"]]
    assert statuses.count("passed") == 298 and len(statuses) == 300
    assert report["warnings"] == []  # the incremental snapshot equalled a full read at the end


def test_changes_under_replica_role_are_seen(dsn: str, tmp_path: Path) -> None:
    """session_replication_role = replica silences event triggers enabled the default way; the
    change log must still see the table this up leaves behind after its down."""
    files = {
        "1_a.up.sql": "CREATE TABLE a (id int);\n",
        "1_a.down.sql": "DROP TABLE a;\n",
        "2_load.up.sql": "SET session_replication_role = replica;\nCREATE TABLE staging (id int);\n",
        "2_load.down.sql": "SELECT 1;\n",
    }
    code, report = verify_json(write(tmp_path, files), dsn)
    assert code == 1
    assert report["failure"]["differences"] == [
        "table staging still exists after downgrade of 2_load (with 1 dependent object)"
    ]


def test_a_change_the_log_missed_is_reported(dsn: str, tmp_path: Path) -> None:
    """The last incremental snapshot is checked against a full read: a migration that switches
    the change log off cannot make the run pass silently."""
    files = {
        "1_quiet.up.sql": "ALTER EVENT TRIGGER sqlguard_verify_ddl DISABLE;\nCREATE TABLE unseen (id int);\n",
        "1_quiet.down.sql": "DROP TABLE unseen;\n",
    }
    result = run_cli(str(write(tmp_path, files)), "--dsn", dsn, "--format", "json")
    report = json.loads(result.stdout)
    assert report["warnings"] == [
        "the incremental snapshot missed changes to column unseen.id, table unseen; comparisons may have"
        " missed them too: rerun with SQLGUARD_VERIFY_FULL_SNAPSHOTS=1 and please report it"
    ]
    assert "sqlguard verify: warning: the incremental snapshot missed changes" in result.stderr


def test_full_snapshots_on_request(dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SQLGUARD_VERIFY_FULL_SNAPSHOTS", "1")
    files = {
        "1_quiet.up.sql": "ALTER EVENT TRIGGER sqlguard_verify_ddl DISABLE;\nCREATE TABLE unseen (id int);\n",
        "1_quiet.down.sql": "SELECT 1;\n",
    }
    code, report = verify_json(write(tmp_path, files), dsn)
    assert code == 1  # no change log is installed, so the statement fails
    assert report["failure"]["error"]["message"] == 'event trigger "sqlguard_verify_ddl" does not exist'
