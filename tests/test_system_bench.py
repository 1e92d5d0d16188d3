"""Benchmark of the vDLT system (``pytest -m bench -s``): determinism, scale, real certificates."""

from __future__ import annotations

import os
from collections.abc import Callable
from types import ModuleType

import pytest


@pytest.mark.bench
def test_bench_system(load_benchmark: Callable[[str], ModuleType]) -> None:
    """Run the scaling curve (VDLT_BENCH_SIZES overrides); assert work, not time."""
    sizes = os.environ.get("VDLT_BENCH_SIZES", "1000,10000,100000")
    result = load_benchmark("bench_system").main(["--sizes", sizes, "--real-count", "500"])
    assert result["deterministic"]
    assert all(row["confirmed"] > 0 for row in result["rows"])
    assert result["real"]["confirmed_real"] == result["real"]["confirmed_ideal"]


def test_bench_system_smoke(load_benchmark: Callable[[str], ModuleType]) -> None:
    """A tiny run of the benchmark script: byte-identical traces, one row per size."""
    result = load_benchmark("bench_system").main(
        ["--sizes", "60,120", "--real-count", "40", "--json"]
    )
    assert result["deterministic"] and len(result["rows"]) == 2
