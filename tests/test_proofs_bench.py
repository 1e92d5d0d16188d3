"""Benchmark of the proof obligations (run with ``pytest -m bench -s``); prints its table."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
if str(BENCHMARKS) not in sys.path:  # the scripts share benchmarks/harness.py
    sys.path.insert(0, str(BENCHMARKS))


@pytest.mark.bench
def test_proof_suite_timings(load_benchmark: Callable[[str], ModuleType]) -> None:
    bench = load_benchmark("bench_proofs")
    rows = bench.time_obligations(with_cvc5=True)
    peer = bench.qf_fd_peer()
    print()
    print(bench.render(rows, peer))
    assert all(r.verdict == "valid" for r in rows)
    assert all(p["simplex"] == "unsat" for p in peer)
