"""Benchmark of iPBFT against classic PBFT (run with ``pytest -m bench -s``); prints its table."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import pytest


@pytest.mark.bench
def test_ipbft_grows_linearly_and_classic_quadratically(
    load_benchmark: Callable[[str], ModuleType],
) -> None:
    bench = load_benchmark("bench_consensus")
    report = bench.run(sizes=(4, 7, 16, 31, 64), speed_n=16, speed_decisions=4)
    print()
    print(bench.render(report))
    exponents = report["exponents_n_ge_16"]
    assert 0.9 < exponents["ipbft"] < 1.15
    assert 1.85 < exponents["classic"] < 2.15
    rows = {(r["mode"], r["n"]): r for r in report["rows"]}
    ratios = [rows[("classic", n)]["messages"] / rows[("ipbft", n)]["messages"] for n in (16, 64)]
    assert ratios[1] > 3 * ratios[0]  # the gap itself grows about linearly in n
    assert all(report["certificate_bytes"][n] == (n + 7) // 8 + 64 for n in (4, 64))
    assert report["decisions_per_second"]["real"] > 0
