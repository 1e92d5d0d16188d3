"""Tests of the Lagrangian knapsack bound of Eq. (1) and its use by the oracle (D-alloc-23)."""

from __future__ import annotations

import json
import math
from fractions import Fraction
from pathlib import Path

import highspy
import numpy as np
import pytest

from vdlt_spec.allocation.decision import Allocation, Assignment, Replica
from vdlt_spec.allocation.evaluator import evaluate
from vdlt_spec.allocation.generate import generate
from vdlt_spec.allocation.instance import Utility
from vdlt_spec.allocation.schema import parse_allocation
from vdlt_spec.models.milp import (
    Relaxation,
    SolveStatus,
    build_model,
    extract,
    lagrangian,
    lagrangian_bound,
    load_highs,
    relax,
    solve,
)
from vdlt_spec.models.milp.knapsack import by_dynamic_programming
from vdlt_spec.models.milp.lagrangian import _owners, _rate_unit, _relaxation
from vdlt_spec.models.milp.solvers import SolverSettings, run_highs


def _pure_optimum(instance: object) -> Fraction:
    """Solve with HiGHS alone: no LP relaxation, so no Lagrangian bound and no probing."""
    report = solve(instance, threads=1, use_heuristic_start=False, bounds=False)  # type: ignore[arg-type]
    assert report.status is SolveStatus.OPTIMAL and report.lagrangian_bound is None, report.detail
    assert report.objective is not None
    return report.objective


@pytest.mark.parametrize("seed", [1, 3, 4, 5])
@pytest.mark.parametrize("utility", [Utility.THROUGHPUT, Utility.WELFARE])
def test_the_bound_lies_between_the_optimum_and_the_lp_bound(utility: Utility, seed: int) -> None:
    instance = generate(40, 8, seed, utility)
    model = build_model(instance)
    lp = relax(model, threads=1).bound
    bound = lagrangian_bound(model, time_limit=None, threads=1)
    assert lp is not None and bound.bound is not None, bound.detail
    optimum = _pure_optimum(instance)
    assert float(optimum) - 1e-9 <= bound.bound <= lp + 1e-6 * (1 + abs(lp))
    # on these instances the integer knapsack closes at least one step of the LP's gap
    assert math.floor(bound.bound) < math.floor(lp)


def test_the_bound_proves_the_optimum_the_lp_bound_cannot() -> None:
    instance = generate(40, 8, 3, Utility.THROUGHPUT)  # LP bound 231.04, optimum at most 219
    report = solve(instance, threads=1, time_limit=30)
    assert report.status is SolveStatus.OPTIMAL and report.proven_optimal, report.detail
    assert report.lagrangian_bound is not None and report.relaxation_bound is not None
    assert report.objective is not None
    assert report.bound == report.lagrangian_bound < report.relaxation_bound - 1
    assert float(report.objective) <= report.lagrangian_bound < float(report.objective) + 1
    assert report.objective == _pure_optimum(instance)


def test_the_relaxations_admissions_are_repaired_into_the_proven_optimum() -> None:
    instance = generate(60, 12, 3, Utility.THROUGHPUT)  # LP bound 424.65, Lagrangian 421.0
    report = solve(instance, threads=1, time_limit=30)
    assert "Lagrangian admissions placed: 421" in report.detail
    assert "highs not run" in report.detail  # the bound proves the placed allocation
    assert report.status is SolveStatus.OPTIMAL and report.allocation is not None
    assert evaluate(instance, report.allocation).feasible
    assert report.objective == _pure_optimum(instance)


def test_a_known_allocation_the_bound_proves_ends_its_solve_early() -> None:
    instance = generate(60, 12, 1, Utility.THROUGHPUT)
    model = build_model(instance)
    full = lagrangian_bound(model, time_limit=None, threads=1)
    optimum = _pure_optimum(instance)
    early = lagrangian_bound(model, time_limit=None, threads=1, best=optimum)
    assert full.bound is not None and early.bound is not None
    assert float(optimum) <= early.bound < float(optimum) + 1
    assert early.bound >= full.bound - 1e-9


BEST_KNOWN = Path(__file__).resolve().parents[1] / "benchmarks" / "best_known"


def test_the_best_known_benchmark_allocation_is_proven_optimal() -> None:
    # welfare seed 2 of the 200 x 40 benchmark: the oracle reaches 13,464 in 60 s; 13,465 was
    # found outside it (allocation.md §6). Handed in, any bound under 13,466 proves it: the LP
    # relaxation's (13,465.9) and the Lagrangian (13,465.3) both do
    instance = generate(200, 40, 2, Utility.WELFARE)
    known = parse_allocation(json.loads((BEST_KNOWN / "gen-200x40-s2-welfare.json").read_text()))
    assert evaluate(instance, known).objective == 13465
    report = solve(instance, threads=1, time_limit=60, warm_start=known)
    assert report.status is SolveStatus.OPTIMAL and report.proven_optimal, report.detail
    assert report.objective == 13465 and report.warm_start == 13465
    assert report.lagrangian_bound is not None and report.lagrangian_bound < 13466
    assert report.relaxation_bound is not None and report.relaxation_bound >= 13465


def test_an_infeasible_warm_start_is_left_out_with_a_note() -> None:
    instance = generate(20, 5, 1, Utility.WELFARE)
    t, n = instance.transactions[0], instance.nodes[0]
    one_replica = Allocation(
        (
            Assignment(
                t.id,
                instance.control_levels_ghz[-1],
                (Replica(n.id, instance.rate_levels_ghz[-1]),),
            ),
        )
    )
    assert not evaluate(instance, one_replica).feasible
    report = solve(instance, threads=1, warm_start=one_replica)
    assert "warm start handed in is infeasible" in report.detail
    assert report.warm_start is None and report.status is SolveStatus.OPTIMAL
    assert report.objective == _pure_optimum(instance)


def test_there_is_no_lagrangian_bound_of_the_elastic_model() -> None:
    model = build_model(generate(20, 5, 1), Relaxation(elastic=True))
    bound = lagrangian_bound(model, time_limit=None)
    assert bound.bound is None and "maximisation" in bound.detail


def test_highs_stops_once_an_allocation_reaches_the_target() -> None:
    instance = generate(60, 12, 2, Utility.WELFARE)
    optimum = _pure_optimum(instance)
    model = build_model(instance)
    target = float(optimum) - 200  # any allocation above this one ends the run
    raw = run_highs(model, SolverSettings(time_limit=60, threads=1, extra={}, target=target))
    assert raw.interrupted and not raw.proven_gap and raw.values is not None
    assert raw.incumbent is not None and raw.incumbent > target
    assert evaluate(instance, extract(model, raw.values)).feasible


@pytest.mark.parametrize(("size", "seed"), [((40, 8), 1), ((40, 8), 5), ((60, 12), 3)])
@pytest.mark.parametrize("utility", [Utility.THROUGHPUT, Utility.WELFARE])
def test_the_dynamic_programme_equals_the_relaxation_solved_as_one_mip(
    size: tuple[int, int], seed: int, utility: Utility
) -> None:
    """The fast path (a staircase per transaction, then a knapsack programme) is exact."""
    model = build_model(generate(*size, seed, utility))
    h = load_highs(model, 1)
    lp = h.getLp()
    h.setOptionValue("solve_relaxation", True)
    h.run()
    duals = np.array(h.getSolution().row_dual)
    sub, _, families = _relaxation(model, lp, duals, _owners(model), ("cpu",))
    assert families == ["cpu"]
    column = {v.name: i for i, v in enumerate(model.problem.variables())}
    admits = {n: column[v.name] for n, v in model.admit.items()}
    unit = _rate_unit(model)
    assert unit is not None
    solved = by_dynamic_programming(sub, _owners(model), admits, unit, None, 1)
    assert solved is not None
    plain = highspy.Highs()
    plain.setOptionValue("output_flag", False)
    plain.setOptionValue("threads", 1)
    plain.setOptionValue("mip_rel_gap", 0.0)
    plain.setOptionValue("mip_abs_gap", 0.0)
    plain.passModel(sub)
    plain.run()
    assert plain.getModelStatus() == highspy.HighsModelStatus.kOptimal
    value = plain.getInfo().objective_function_value
    assert solved[0] == pytest.approx(value, abs=1e-6 * (1 + abs(value)))


def test_branch_and_bound_stands_in_where_the_programme_does_not_apply(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model = build_model(generate(60, 12, 4, Utility.THROUGHPUT))
    fast = lagrangian_bound(model, time_limit=None, threads=1)
    monkeypatch.setattr(lagrangian, "_rate_unit", lambda model: None)
    slow = lagrangian_bound(model, time_limit=None, threads=1)
    assert "dynamic programme" in fast.detail and "HiGHS" in slow.detail
    assert fast.bound is not None and slow.bound is not None
    # the programme's is the relaxation's optimum; the MIP stops once its bound is in that
    # optimum's granularity step
    assert fast.bound - 1e-6 <= slow.bound < math.floor(fast.bound) + 1


def test_the_verify_check_fails_on_a_bound_below_the_optimum(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`vdlt verify`'s MILP check judges the reported bounds too; it can fail."""
    from dataclasses import replace

    from vdlt_spec.allocation import bundled
    from vdlt_spec.checks.allocation import milp_optimum
    from vdlt_spec.models import milp as oracle
    from vdlt_spec.verdict import Verdict

    name = "small-throughput"
    instance = bundled.bundled_instances()[name]
    honest = solve(instance, threads=1)
    assert honest.objective is not None and honest.lagrangian_bound is not None
    monkeypatch.setattr(bundled, "bundled_instances", lambda: {name: instance})
    for wrong, words in (
        ({"lagrangian_bound": float(honest.objective) - 1}, "cuts off the optimum"),
        ({"relaxation_bound": float(honest.objective) - 1}, "cuts off the optimum"),
        ({"lagrangian_bound": (honest.relaxation_bound or 0) + 1}, "above the LP's"),
    ):
        monkeypatch.setattr(oracle, "solve", lambda inst, _w=wrong, **_: replace(honest, **_w))
        outcome = milp_optimum()
        assert outcome.verdict is Verdict.INVALID and words in outcome.detail, outcome.detail
