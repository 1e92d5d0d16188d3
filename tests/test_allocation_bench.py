"""Benchmark of the allocation oracle (marked bench: excluded from the default run).

Runs the quick variant of benchmarks/bench_allocation.py and prints its tables; the full run
that produced the tables of docs/allocation.md is `python benchmarks/bench_allocation.py`.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_allocation.py"


@pytest.mark.bench
def test_allocation_benchmark_quick(capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("bench_allocation", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_allocation"] = module
    spec.loader.exec_module(module)
    assert module.main(["--quick", "--time-limit", "30"]) == 0
    out = capsys.readouterr().out
    with capsys.disabled():
        print(out)
    assert "Fixed set" in out and "Scale curve" in out
    # every heuristic share is at most 100 % of a proven optimum
    for line in out.splitlines():
        if line.startswith("- ") and "greedy" in line and "of the optimum" in line:
            share = float(line.split(":")[1].split("%")[0])
            assert share <= 100.0
