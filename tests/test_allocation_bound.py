"""Tests of the Lagrangian knapsack bound of Eq. (1) and its use by the oracle (D-alloc-23)."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from vdlt_spec.allocation.evaluator import evaluate
from vdlt_spec.allocation.generate import generate
from vdlt_spec.allocation.instance import Utility
from vdlt_spec.models.allocation import (
    Relaxation,
    Status,
    _run_highs,
    build_model,
    extract,
    relax,
    solve,
)
from vdlt_spec.models.allocation_bound import lagrangian_bound


def _pure_optimum(instance: object) -> Fraction:
    """Solve with HiGHS alone: no LP relaxation, so no Lagrangian bound and no probing."""
    report = solve(instance, threads=1, use_heuristic_start=False)  # type: ignore[arg-type]
    assert report.status is Status.OPTIMAL and report.lagrangian_bound is None, report.detail
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
    assert report.status is Status.OPTIMAL and report.proven_optimal, report.detail
    assert report.lagrangian_bound is not None and report.relaxation_bound is not None
    assert report.objective is not None
    assert report.bound == report.lagrangian_bound < report.relaxation_bound - 1
    assert float(report.objective) <= report.lagrangian_bound < float(report.objective) + 1
    assert report.objective == _pure_optimum(instance)


def test_the_relaxations_admissions_are_repaired_into_the_proven_optimum() -> None:
    instance = generate(60, 12, 4, Utility.WELFARE)  # LP bound 3494.4, Lagrangian 3475.0
    report = solve(instance, threads=1, time_limit=30)
    assert "Lagrangian admissions placed" in report.detail
    assert report.status is Status.OPTIMAL and report.allocation is not None
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


def test_there_is_no_lagrangian_bound_of_the_elastic_model() -> None:
    model = build_model(generate(20, 5, 1), Relaxation(elastic=True))
    bound = lagrangian_bound(model, time_limit=None)
    assert bound.bound is None and "maximisation" in bound.detail


def test_highs_stops_once_an_allocation_reaches_the_target() -> None:
    instance = generate(60, 12, 2, Utility.WELFARE)
    optimum = _pure_optimum(instance)
    model = build_model(instance)
    target = float(optimum) - 200  # any allocation above this one ends the run
    raw = _run_highs(model, time_limit=60, gap=None, threads=1, start=None, extra={}, target=target)
    assert raw.interrupted and not raw.proven_gap and raw.values is not None
    assert raw.incumbent is not None and raw.incumbent > target
    assert evaluate(instance, extract(model, raw.values)).feasible
