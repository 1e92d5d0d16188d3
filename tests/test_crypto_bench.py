"""Benchmark of certificate verification (run with ``pytest -m bench -s``); prints its table."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_certificates.py"


def load_benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_certificates", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    return module


@pytest.mark.bench
def test_certificate_verification_benchmark() -> None:
    bench = load_benchmark()
    report = bench.run(n=100, repeat=5, readable=True)
    print()
    print(bench.render(report))
    assert report["musig_keyagg_matches_native"]
    assert report["certificate_bytes"] == 13 + 64
    assert report["cache"]["misses"] == 1 and report["cache"]["hits"] > 0
    assert all(t["median_s"] > 0 for t in report["timings"])
