"""Benchmark of the CBWFQ scheduler against a FIFO queue and ns.py (``pytest -m bench -s``)."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_queuing.py"
if str(BENCH.parent) not in sys.path:  # the scripts share benchmarks/harness.py
    sys.path.insert(0, str(BENCH.parent))


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_queuing", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.bench
def test_bench_queuing_throughput() -> None:
    """Print throughput on 10^6 transactions (VDLT_BENCH_COUNT overrides); assert work, not time."""
    count = int(os.environ.get("VDLT_BENCH_COUNT", "1000000"))
    result = _load().main(["--count", str(count)])
    rows = {r["scheduler"].split(" (")[0]: r for r in result["rows"]}
    assert rows["vdlt run_fast"]["departures"] == count
    assert rows["vdlt fifo_run"]["departures"] == count
    if "ns.py 0.4.3 WFQServer" in rows:
        assert rows["ns.py 0.4.3 WFQServer"]["departures"] == count
