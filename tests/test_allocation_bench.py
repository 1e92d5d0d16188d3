"""Benchmarks of the allocation oracle: the benchmark, its resumable store, the proof split.

The benchmark test is marked bench (excluded from the default run): it runs the quick variant
of benchmarks/bench_allocation.py and prints its tables; the full run that produced the tables
of docs/allocation.md is `python benchmarks/bench_allocation.py`. The store test and the quick
run of benchmarks/bench_allocation_proof.py (finding against proving) run by default.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

from vdlt_spec.allocation.instance import Utility

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.mark.bench
def test_allocation_benchmark_quick(capsys: pytest.CaptureFixture[str]) -> None:
    module: Any = _bench_module()
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


def _bench_module(name: str = "bench_allocation") -> object:
    if str(BENCHMARKS) not in sys.path:  # the scripts import their shared helpers (known.py)
        sys.path.insert(0, str(BENCHMARKS))
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_the_benchmark_store_keeps_finished_rows_and_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crashed or interrupted benchmark loses nothing it measured."""
    bench: Any = _bench_module()
    calls: list[tuple[int, int, int, str]] = []

    def fake(
        n: int, j: int, seed: int, utility: Utility, time_limit: float, log: Any = None
    ) -> Any:
        calls.append((n, j, seed, utility.value))
        run = bench.SolverRun("optimal", True, 10.0, 10.0, 0.0, 1.0, 1.5, 3, 9.0)
        row = bench.Row(n, j, seed, utility.value, 7, 5)
        row.runs = {"highs": run, "cbc": run}
        return row

    monkeypatch.setattr(bench, "measure", fake)
    store = str(tmp_path / "runs.jsonl")
    first = bench.Measurer(store, 60.0)
    row = first(20, 4, 1, Utility.WELFARE)
    again = bench.Measurer(store, 60.0)(20, 4, 1, Utility.WELFARE)  # a new run, same store
    assert calls == [(20, 4, 1, "welfare")]
    assert again == row and isinstance(again.runs["cbc"], bench.SolverRun)
    bench.Measurer(store, 30.0)(20, 4, 1, Utility.WELFARE)  # another time limit: measured anew
    assert len(calls) == 2
    # a best-known allocation stored after the row was is read when the row is reused
    monkeypatch.setattr(bench, "_best_known", lambda *_: 11.0)
    reused = bench.Measurer(store, 60.0)(20, 4, 1, Utility.WELFARE)
    assert len(calls) == 2 and reused.best_known == 11.0


def test_the_proof_split_reproves_each_best_allocation(capsys: pytest.CaptureFixture[str]) -> None:
    """The finding/proving split re-solves from the best allocation and proves it (tiny set)."""
    split: Any = _bench_module("bench_allocation_proof")
    assert split.main(["--quick", "--time-limit", "30"]) == 0
    rows = [line.split(" | ") for line in capsys.readouterr().out.splitlines()]
    table = [r for r in rows if len(r) == 7 and r[1].isdigit()]
    assert len(table) == 4  # both utilities, seeds 1 and 2
    for _utility, _seed, best, solve_s, whole_s, proof_s, ratio in table:
        assert int(best) > 0
        # tiny instances are proven both ways; the cells are seconds, not "not proven"
        assert float(proof_s) >= 0 and float(ratio.rstrip(" |")) >= 0
        # the solve with the model and the warm start counted takes longer than without
        assert 0 <= float(solve_s) <= float(whole_s)


def test_the_benchmark_scores_against_a_better_stored_allocation() -> None:
    """Where no solver proved an optimum, a better best-known allocation is the reference."""
    bench: Any = _bench_module()
    unproven = bench.SolverRun("time_limit", False, 13464.0, 13465.3, 0.0001, 60.0, 61.0, 113, 1)
    row = bench.Row(200, 40, 2, "welfare", 9165, 3157, runs={"highs": unproven, "cbc": unproven})
    assert row.reference() == 13464.0 and row.reference_cell() == "13464.0"
    row.best_known = 13465.0
    assert row.reference() == 13465.0 and row.reference_cell() == "13465.0 (best known)"
    proven = bench.SolverRun("optimal", True, 13465.0, 13465.0, 0.0, 3.0, 4.0, 113, 1)
    row.runs["highs"] = proven  # a proven optimum is the reference, and no longer marked
    assert row.reference() == 13465.0 and row.reference_cell() == "13465.0"


def test_the_stored_best_known_allocations_are_feasible_and_named_after_their_instance() -> None:
    """Every file in benchmarks/best_known/ is a feasible allocation of the instance it names."""
    known: Any = _bench_module("known")
    from vdlt_spec.allocation.generate import generate

    files = sorted(known.BEST_KNOWN.glob("gen-*.json"))
    assert files, "benchmarks/best_known/ is empty"
    for path in files:
        size, seed, utility = path.stem.removeprefix("gen-").split("-")
        n, j = (int(x) for x in size.split("x"))
        instance = generate(n, j, int(seed.removeprefix("s")), Utility(utility))
        assert instance.name == path.stem
        found = known.best_known(instance)
        assert found is not None and found[1] > 0
