"""The latency benchmark runs end to end against the real server (a smoke run, not a timing gate)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "lsp_latency.py"


def test_measure_reports_percentiles_for_a_500_line_migration() -> None:
    spec = importlib.util.spec_from_file_location("lsp_latency", BENCHMARK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.migration().count("\n") == 500
    result = module.measure(3)
    assert result["runs"] == 3 and result["lines"] == 500
    assert result["diagnostics"] == 50  # one SG004 per block on the existing "orders" table
    assert 0 < result["p50_ms"] <= result["p95_ms"] <= result["max_ms"]
    assert 0 < result["typing_p50_ms"] <= result["typing_p95_ms"]
    changed = [a != b for a, b in zip(module.typed(1).split("\n"), module.typed(2).split("\n"), strict=True)]
    assert sum(changed) == 1, "typing changes one line"
