"""Benchmark of batch work on Dask (run with ``pytest -m bench -s``); prints its figures."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import pytest


@pytest.mark.bench
def test_a_dataset_builds_on_one_and_two_workers_and_a_campaign_is_safe(
    load_benchmark: Callable[[str], ModuleType],
) -> None:
    bench = load_benchmark("bench_batch")
    report = bench.run(instances=20, transactions=30, nodes=8, time_limit=60.0, runs=200)
    print()
    print(bench.render(report))
    assert [b["cases"] for b in report["builds"]] == [20, 20]
    assert report["speedup_1_to_2"] > 0 and report["empty_task_seconds"] > 0
    assert report["campaign"]["runs"] == 200 and report["campaign"]["violations"] == 0
