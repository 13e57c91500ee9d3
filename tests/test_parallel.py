"""Parsing on a process pool gives exactly the reports of a serial run, in the same order."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import sqlguard.parallel
from sqlguard.config import Config
from sqlguard.engine import Linter
from sqlguard.parallel import MIN_FILES_FOR_POOL, workers_for
from sqlguard.reporters import concise, json


def make_project(folder: Path, steps: int) -> Path:
    """Numbered migrations where findings depend on order: step N indexes the table of step N-1
    (a finding) and its own new table (fine), plus a broken file and a dbmate file."""
    for n in range(1, steps + 1):
        (folder / f"{n}_step.sql").write_text(
            f"CREATE TABLE t{n} (id bigint PRIMARY KEY, a int);\n"
            f"CREATE INDEX i{n} ON t{n} (a);\n"
            + (f"\nCREATE INDEX j{n} ON t{n - 1} (a);\n" if n > 1 else ""),
            encoding="utf-8",
        )
    broken = "CREATE TABEL x (id int);\nDROP INDEX k;\n"
    (folder / f"{steps + 1}_broken.sql").write_text(broken, encoding="utf-8")
    (folder / f"{steps + 2}_dbmate.sql").write_text(
        "-- migrate:up\nCREATE INDEX m ON t1 (a);\n-- migrate:down\nDROP INDEX m;\n", encoding="utf-8"
    )
    return folder


def reports(folder: Path, jobs: int | None) -> tuple[str, str]:
    result = Linter(Config(), jobs=jobs).lint_paths([str(folder)])
    return concise.render(result.reports), json.render(result.reports)


def test_pool_and_serial_runs_give_identical_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = make_project(tmp_path, 40)
    used: list[int] = []
    real = sqlguard.parallel._parse_in_pool

    def spy(sources: object, config: Config, workers: int) -> object:
        used.append(workers)
        return real(sources, config, workers)  # type: ignore[arg-type]

    monkeypatch.setattr(sqlguard.parallel, "_parse_in_pool", spy)
    serial = reports(folder, 1)
    parallel = reports(folder, 2)
    assert used == [2]
    assert parallel == serial
    text = serial[0]
    assert f"{folder}/2_step.sql:4:1: SG004 CREATE INDEX on \"t1\" blocks writes" in text
    assert f"{folder}/40_step.sql:4:1: SG004 CREATE INDEX on \"t39\"" in text
    assert f"{folder}/41_broken.sql:1:8: E001 syntax error at or near \"TABEL\"" in text
    assert f"{folder}/42_dbmate.sql:2:1: SG004" in text
    assert "i40" not in text  # the index on a table made in the same file is fine, in both modes


def test_failing_pool_falls_back_to_serial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = make_project(tmp_path, 5)
    expected = reports(folder, 1)

    def broken(*args: object) -> object:
        raise OSError("no processes here")

    monkeypatch.setattr(sqlguard.parallel, "_parse_in_pool", broken)
    assert reports(folder, 2) == expected


def test_pool_failing_midway_parses_the_rest_serially(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = make_project(tmp_path, 8)
    expected = reports(folder, 1)
    real = sqlguard.parallel._parse_in_pool

    def breaks_after_three(sources: object, config: Config, workers: int) -> Iterator[object]:
        for count, parsed in enumerate(real(sources, config, workers)):  # type: ignore[arg-type]
            if count == 3:
                raise OSError("a worker died")
            yield parsed

    monkeypatch.setattr(sqlguard.parallel, "_parse_in_pool", breaks_after_three)
    assert reports(folder, 2) == expected


@pytest.mark.parametrize(
    ("jobs", "pending", "cpus", "expected"),
    [
        (None, 1, 8, 1),  # one small file never starts a pool
        (None, MIN_FILES_FOR_POOL, 8, 1),
        (None, MIN_FILES_FOR_POOL + 1, 8, 8),
        (None, MIN_FILES_FOR_POOL + 1, 1, 1),  # one core: no pool
        (1, 10_000, 8, 1),
        (4, 10_000, 8, 4),
        (4, 2, 8, 2),  # never more workers than files
    ],
)
def test_workers_for(
    jobs: int | None, pending: int, cpus: int, expected: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlguard.parallel, "available_cpus", lambda: cpus)
    assert workers_for(jobs, pending) == expected
