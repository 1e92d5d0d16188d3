"""Tests of the large-neighbourhood search that improves the oracle's start (D-alloc-19)."""

from __future__ import annotations

import time

import pytest

from vdlt_spec.allocation.baselines import per_class_greedy
from vdlt_spec.allocation.evaluator import evaluate
from vdlt_spec.allocation.generate import generate
from vdlt_spec.allocation.instance import Utility
from vdlt_spec.models.milp import (
    SolveStatus,
    build_model,
    extract,
    improve,
    searches_first,
    solve,
    start_values,
    worthwhile,
)


@pytest.mark.parametrize("utility", [Utility.THROUGHPUT, Utility.WELFARE])
def test_search_climbs_from_a_weak_start_and_stays_feasible(utility: Utility) -> None:
    instance = generate(150, 20, seed=7, utility=utility)
    model = build_model(instance)
    weak = per_class_greedy(instance)
    before = evaluate(instance, weak)
    assert before.feasible
    start = start_values(model, weak)
    assert start is not None
    report = improve(model, start, time_limit=6, threads=1)
    found = evaluate(instance, extract(model, report.values))
    assert found.feasible, found.violations[:3]
    assert report.rounds >= 1
    assert report.start == pytest.approx(float(before.objective))
    assert report.best == pytest.approx(float(found.objective))
    # the per-class greedy serves classes, not utility: one re-optimised neighbourhood beats it
    assert found.objective > before.objective
    assert report.improved >= 1
    mandatory = {t.id for t in instance.transactions if t.mandatory}
    assert mandatory <= {a.transaction for a in extract(model, report.values).assignments}


def test_search_stops_once_it_reaches_the_target_a_bound_proves() -> None:
    instance = generate(150, 20, seed=7, utility=Utility.WELFARE)
    model = build_model(instance)
    weak = per_class_greedy(instance)
    start = start_values(model, weak)
    assert start is not None
    value = float(evaluate(instance, weak).objective)
    # already there: no neighbourhood is tried
    assert improve(model, start, time_limit=6, threads=1, target=value).rounds == 0
    # one unit above the start: the first improving neighbourhood ends the search
    report = improve(model, start, time_limit=30, threads=1, target=value + 1)
    assert report.best >= value + 1
    assert report.improved == 1


def test_search_stops_by_itself_without_a_time_limit() -> None:
    instance = generate(130, 16, seed=3)
    model = build_model(instance)
    start = start_values(model, per_class_greedy(instance))
    assert start is not None
    report = improve(model, start, time_limit=None, threads=1, stall=2)
    assert report.best >= report.start
    assert report.rounds >= report.improved + 2  # it ended on two idle rounds
    assert evaluate(instance, extract(model, report.values)).feasible


def test_solve_searches_only_large_instances_under_a_time_limit() -> None:
    small = generate(40, 8, seed=2)
    assert not worthwhile(build_model(small))
    report = solve(small, threads=1, time_limit=30)
    assert report.search_seconds == 0 and report.searched is None

    large = generate(150, 20, seed=7, utility=Utility.WELFARE)
    assert worthwhile(build_model(large))
    report = solve(large, threads=1, time_limit=8)
    assert report.allocation is not None
    ev = evaluate(large, report.allocation)
    assert ev.feasible and ev.objective == report.objective
    assert report.warm_start is not None and report.objective >= report.warm_start
    if report.searched is not None:  # the search ran and improved on the solver's incumbent
        assert report.objective == report.searched
    assert report.bound is not None and report.bound >= float(report.objective) - 1e-6
    # without a time limit the solver alone decides: no search
    assert solve(small, threads=1).search_seconds == 0


def test_models_too_large_for_the_solver_s_root_search_first_bounded_by_the_lp(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from vdlt_spec.models.milp import search as allocation_search

    instance = generate(150, 20, seed=7, utility=Utility.WELFARE)
    model = build_model(instance)
    assert worthwhile(model) and not searches_first(model)
    monkeypatch.setattr(allocation_search, "SEARCH_FIRST", model.binaries - 1)
    assert searches_first(model)
    report = solve(instance, threads=1, time_limit=6)
    assert report.search_seconds > 0
    assert "neighbourhood search" in report.detail
    assert report.allocation is not None and report.warm_start is not None
    ev = evaluate(instance, report.allocation)
    assert ev.feasible and ev.objective == report.objective >= report.warm_start
    # the reported bound is the tighter of the LP relaxation's and the solver's, and valid
    assert report.relaxation_bound is not None and report.bound is not None
    assert float(report.objective) - 1e-6 <= report.bound <= report.relaxation_bound
    if report.searched is not None:
        assert report.objective >= report.searched


def test_a_search_that_uses_the_whole_limit_leaves_its_allocation_not_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from vdlt_spec.models.milp import SearchReport
    from vdlt_spec.models.milp import search as allocation_search

    instance = generate(150, 20, seed=7)
    monkeypatch.setattr(allocation_search, "SEARCH_FIRST", 0)

    def slow_idle(model: object, start: dict[str, float], **_: object) -> SearchReport:
        time.sleep(2.5)  # past the whole limit, improving nothing
        return SearchReport(0, 0, 0.0, 0.0, 2.5, dict(start))

    monkeypatch.setattr(allocation_search, "improve", slow_idle)
    report = solve(instance, threads=1, time_limit=2)
    assert "not run" in report.detail
    assert report.status is SolveStatus.TIME_LIMIT and report.searched is None
    assert report.allocation is not None and report.objective == report.warm_start
    assert report.bound == report.relaxation_bound and report.gap is not None


def test_a_search_first_allocation_the_lp_bound_proves_skips_the_solver(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from vdlt_spec.models.milp import Relaxed, choose_start, heuristic_starts, oracle
    from vdlt_spec.models.milp import search as allocation_search

    instance = generate(150, 20, seed=7)
    monkeypatch.setattr(allocation_search, "SEARCH_FIRST", 0)
    real_relax = oracle.relax
    tight: list[float] = []

    def relax_with_a_tight_bound(model: object, threads: int | None = None) -> object:
        # pretend the LP relaxation were tight at the warm start (a bound within one step)
        relaxed = real_relax(model, threads)  # type: ignore[arg-type]
        start = choose_start(model, heuristic_starts(model, threads, relaxed))  # type: ignore[arg-type]
        assert start is not None
        tight.append(float(start.objective) + 0.5)
        return Relaxed(relaxed.values, tight[0])

    monkeypatch.setattr(oracle, "relax", relax_with_a_tight_bound)
    report = solve(instance, threads=1, time_limit=30)
    assert "not run" in report.detail and "proves" in report.detail
    assert report.status is SolveStatus.OPTIMAL and report.proven_optimal
    assert report.bound == tight[0] == report.relaxation_bound
    assert report.objective == report.warm_start
    assert report.allocation is not None and evaluate(instance, report.allocation).feasible


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("utility", [Utility.THROUGHPUT, Utility.WELFARE])
def test_probing_down_from_a_bound_above_the_optimum_finds_and_proves_it(
    utility: Utility, seed: int
) -> None:
    """Guesses above the optimum find nothing and step down; the right one proves (D-alloc-22)."""
    from fractions import Fraction

    from vdlt_spec.models.milp.search import probe

    instance = generate(60, 12, seed=seed, utility=utility)
    optimum = solve(instance, threads=1)
    assert optimum.proven_optimal and optimum.objective is not None
    model = build_model(instance)
    # a ceiling 2.5 steps above the optimum: guesses optimum + 2, + 1 must come back empty
    probed = probe(model, float(optimum.objective) + 2.5, Fraction(0), 60, 1, None)
    raw, refuted, note = probed.run, probed.refuted, probed.note
    assert raw is not None and raw.values is not None, note
    found = evaluate(instance, extract(model, raw.values))
    assert found.feasible and found.objective == optimum.objective
    # the refuted guess optimum + 1 is itself a bound: nothing lies above its cutoff, so the
    # run at the optimum stops as soon as it holds it, proven (D-alloc-23)
    assert refuted == float(optimum.objective) + 0.5
    assert raw.proven_gap or raw.interrupted
    assert raw.bound is not None and float(optimum.objective) - 1e-6 <= raw.bound
    assert "(3 runs" in note
    # nothing above the floor to guess: no run at all
    assert probe(model, float(optimum.objective), optimum.objective, 60, 1, None).run is None
