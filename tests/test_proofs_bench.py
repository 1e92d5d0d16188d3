"""Benchmark of the proof obligations (run with ``pytest -m bench -s``); prints its table."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_proofs.py"


def load_benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_proofs", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    return module


@pytest.mark.bench
def test_proof_suite_timings() -> None:
    bench = load_benchmark()
    rows = bench.time_obligations(with_cvc5=True)
    peer = bench.qf_fd_peer()
    print()
    print(bench.render(rows, peer))
    assert all(r.verdict == "valid" for r in rows)
    assert all(p["simplex"] == "unsat" for p in peer)
