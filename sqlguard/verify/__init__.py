"""`sqlguard verify`: run every migration up, down and up again in a throwaway PostgreSQL.

Static lint can only guess whether a downgrade really undoes its upgrade; this package finds out by
running it against a real server and comparing catalog snapshots. Entry points: `verify_path` (the
library API), `command.verify` (the click command) and `bench_chain_seconds` (for benchmarks).

Names are loaded lazily so that the watchdog subprocess (`python -m sqlguard.verify.watchdog`)
starts without importing psycopg, SQLAlchemy or Alembic.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Failure", "StepResult", "VerifyReport", "bench_chain_seconds", "verify_path"]


def __getattr__(name: str) -> Any:
    if name in {"Failure", "StepResult", "VerifyReport", "verify_path"}:
        from sqlguard.verify import run

        return getattr(run, name)
    if name == "bench_chain_seconds":
        from sqlguard.verify import bench

        return bench.bench_chain_seconds
    raise AttributeError(name)
