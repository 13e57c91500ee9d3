"""The start-up benchmark runs end to end against the real server (a smoke run, not a timing gate)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "lsp_startup.py"


def test_measure_times_initialize_and_first_diagnostics() -> None:
    spec = importlib.util.spec_from_file_location("lsp_startup", BENCHMARK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = module.measure(1)
    assert result["runs"] == 1
    assert 0 < result["initialize_min_ms"] <= result["initialize_median_ms"] <= result["initialize_max_ms"]
    assert result["initialize_median_ms"] < result["first_diagnostics_median_ms"]
