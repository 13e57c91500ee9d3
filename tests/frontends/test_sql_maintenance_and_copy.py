"""The SQL front end models VACUUM, CLUSTER, partitions and domains, and skips COPY data rows
while keeping every later offset (so lines and columns stay exact)."""

from __future__ import annotations

from pathlib import Path

from sqlguard.frontends import sql
from sqlguard.model import (
    AlterDomainAddConstraint,
    AttachPartition,
    Cluster,
    CreateDomain,
    DetachPartition,
    RawStatement,
    Vacuum,
)
from tests.conftest import concise, lint_snippet

DUMP = """\
--
-- PostgreSQL database dump
--
COPY public.orders (id, note) FROM stdin;
1\tit's; not SQL $$
2\t\\N
\\.
COPY public.empty (id) FROM stdin;
\\.
ALTER TABLE orders ALTER COLUMN note SET NOT NULL;
"""


def test_copy_data_rows_are_not_parsed_and_offsets_are_kept(tmp_path: Path) -> None:
    report = lint_snippet(tmp_path, DUMP, filename="dump.sql", select=frozenset({"SG012"}))
    assert concise(report).startswith('10:1 SG012 SET NOT NULL on "orders"."note"')


def test_copy_statements_stay_statements() -> None:
    parsed = sql.parse(DUMP)
    assert parsed.errors == []
    kinds = [c.kind for c in parsed.changes if isinstance(c, RawStatement)]
    assert kinds == ["CopyStmt", "CopyStmt"]


def test_copy_without_terminator_is_reported_not_swallowed() -> None:
    parsed = sql.parse("COPY t (a) FROM stdin;\n1\tx y\nSELECT 1;\n")
    assert parsed.errors, "an unterminated COPY block is broken input"


def test_maintenance_and_partition_changes() -> None:
    parsed = sql.parse(
        "VACUUM (FULL, ANALYZE) orders, items;\nVACUUM orders;\nCLUSTER orders USING orders_pkey;\n"
        "ALTER TABLE m DETACH PARTITION m_2020 CONCURRENTLY;\n"
        "ALTER TABLE m DETACH PARTITION m_2020 FINALIZE;\n"
        "ALTER TABLE m ATTACH PARTITION m_2021 FOR VALUES FROM ('2021-01-01') TO ('2022-01-01');\n"
    )
    vacuum_full, vacuum, cluster, detach, finalize, attach = parsed.changes
    assert isinstance(vacuum_full, Vacuum) and vacuum_full.full and vacuum_full.tables == ("orders", "items")
    assert isinstance(vacuum, Vacuum) and not vacuum.full
    assert isinstance(cluster, Cluster) and (cluster.table, cluster.index) == ("orders", "orders_pkey")
    assert isinstance(detach, DetachPartition) and detach.concurrently and not detach.finalize
    assert isinstance(finalize, DetachPartition) and finalize.finalize and finalize.partition == "m_2020"
    assert isinstance(attach, AttachPartition) and attach.partition == "m_2021"


def test_domains_and_default_facts() -> None:
    parsed = sql.parse(
        "CREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%');\n"
        "ALTER DOMAIN email ADD CONSTRAINT email_len CHECK (length(VALUE) < 300) NOT VALID;\n"
        "ALTER TABLE t ADD COLUMN a uuid DEFAULT public.gen_random_uuid(),"
        " ADD COLUMN b timestamptz DEFAULT now(), ADD COLUMN c int DEFAULT NULL,"
        " ADD COLUMN d timestamptz DEFAULT CURRENT_TIMESTAMP;\n"
    )
    domain, alter, *columns = parsed.changes
    assert isinstance(domain, CreateDomain) and domain.name == "email" and len(domain.constraints) == 1
    assert isinstance(alter, AlterDomainAddConstraint) and alter.constraint.not_valid
    calls = [c.column.default_calls for c in columns]  # type: ignore[attr-defined]
    assert calls == [("gen_random_uuid",), ("now",), (), ("current_timestamp",)]
    assert [c.column.default_is_null for c in columns] == [False, False, True, False]  # type: ignore[attr-defined]


def test_copy_options_on_later_lines_and_psql_copy() -> None:
    text = (
        "COPY t (a, b)\n"
        "FROM stdin\n"
        "WITH (FORMAT csv, DELIMITER ';');\n"
        "x;1\n"
        "\\.\n"
        "\\copy t (a) from stdin\n"
        "it's\n"
        "\\.\n"
        "VACUUM FULL t;\n"
    )
    parsed = sql.parse(text)
    assert parsed.errors == []
    copy, vacuum = parsed.changes
    assert isinstance(copy, RawStatement) and "DELIMITER ';'" in copy.statement
    assert isinstance(vacuum, Vacuum) and text[vacuum.span.start :].startswith("VACUUM FULL t")
