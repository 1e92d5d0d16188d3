"""Benchmark of certificate verification (run with ``pytest -m bench -s``); prints its table."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import pytest


@pytest.mark.bench
def test_certificate_verification_benchmark(load_benchmark: Callable[[str], ModuleType]) -> None:
    bench = load_benchmark("bench_certificates")
    report = bench.run(n=100, repeat=5, readable=True)
    print()
    print(bench.render(report))
    assert report["musig_keyagg_matches_native"]
    assert report["certificate_bytes"] == 13 + 64
    assert report["cache"]["misses"] == 1 and report["cache"]["hits"] > 0
    assert all(t["median_s"] > 0 for t in report["timings"])
