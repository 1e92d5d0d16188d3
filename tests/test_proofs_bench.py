"""Benchmark of the proof obligations (run with ``pytest -m bench -s``); prints its table."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import pytest


@pytest.mark.bench
def test_proof_suite_timings(load_benchmark: Callable[[str], ModuleType]) -> None:
    bench = load_benchmark("bench_proofs")
    rows = bench.time_obligations(with_cvc5=True)
    peer = bench.qf_fd_peer()
    print()
    print(bench.render(rows, peer))
    assert all(r.verdict == "valid" for r in rows)
    assert all(p["simplex"] == "unsat" for p in peer)
