"""Tests of the exact MILP of Eq. (1) against enumeration, a second solver and the evaluator."""

from __future__ import annotations

import math
import time
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import highspy
import pulp
import pytest
from hypothesis import HealthCheck, given, settings

from vdlt_spec.allocation.baselines import BASELINES
from vdlt_spec.allocation.bundled import bundled_instances
from vdlt_spec.allocation.evaluator import Constraint, evaluate
from vdlt_spec.allocation.exhaustive import exhaustive_optimum
from vdlt_spec.allocation.generate import generate
from vdlt_spec.allocation.instance import Instance, Utility
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.models.milp import (
    BuildInterrupted,
    Relaxation,
    SolverResult,
    SolveStatus,
    best_start,
    build_model,
    decide,
    diagnose_infeasibility,
    is_feasible,
    relaxation_dropping,
    solve,
)
from vdlt_spec.strategies import allocation_instances

SMALL = settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))


@SMALL
@given(allocation_instances())
def test_milp_optimum_equals_exhaustive_enumeration_for_both_solvers(instance: Instance) -> None:
    best = exhaustive_optimum(instance)
    for solver in ("highs", "cbc"):
        report = solve(instance, solver=solver, threads=1, diagnose=False)
        if best.evaluation is None:
            assert report.status is SolveStatus.INFEASIBLE, (solver, report.detail)
            continue
        assert report.status is SolveStatus.OPTIMAL, (solver, report.detail)
        assert report.proven_optimal
        assert report.allocation is not None
        ev = evaluate(instance, report.allocation)
        assert ev.feasible, (solver, ev.violations)  # the oracle passes the evaluator
        assert ev.objective == best.evaluation.objective, solver
        assert report.objective == ev.objective
        # the LP relaxation's bound (D-alloc-20) never cuts off the enumerated optimum
        assert report.relaxation_bound is not None
        assert report.relaxation_bound >= float(ev.objective) - 1e-9
        # so does the Lagrangian knapsack bound (D-alloc-23), and it is never above the LP's
        lagrangian = report.lagrangian_bound
        assert lagrangian is not None, report.detail
        lp = report.relaxation_bound
        assert float(ev.objective) - 1e-9 <= lagrangian <= lp + 1e-6 * (1 + abs(lp))
        for name, allocate in BASELINES.items():
            h = evaluate(instance, allocate(instance))
            if h.feasible:  # heuristics never beat the proven optimum
                assert h.objective <= ev.objective, name


@pytest.mark.parametrize(("seed", "utility"), [(11, Utility.THROUGHPUT), (12, Utility.WELFARE)])
def test_highs_and_cbc_agree_when_both_prove_optimality(seed: int, utility: Utility) -> None:
    instance = generate(24, 6, seed, utility)
    reports = [solve(instance, solver=s, threads=1) for s in ("highs", "cbc")]
    proven = [r for r in reports if r.status is SolveStatus.OPTIMAL]
    assert proven, [r.detail for r in reports]
    assert len({r.objective for r in proven}) == 1
    for r in proven:
        assert r.allocation is not None and evaluate(instance, r.allocation).feasible


def test_the_oracle_passes_the_evaluator_on_generated_instances() -> None:
    for name, instance in bundled_instances().items():
        report = solve(instance, threads=1, diagnose=False)
        if report.status is SolveStatus.INFEASIBLE:
            continue
        assert report.status is SolveStatus.OPTIMAL, name
        assert report.allocation is not None
        assert evaluate(instance, report.allocation).feasible, name
        assert report.warm_start is not None and report.warm_start <= report.objective


def _infeasible_cases() -> list[tuple[str, Instance]]:
    base = generate(10, 5, 21, Utility.THROUGHPUT)
    tx = base.transactions[0]
    late = replace(tx, mandatory=True, latency_ms=Fraction(25))
    poor = replace(tx, mandatory=True, budget=Fraction(1))
    greedy = replace(tx, mandatory=True, min_replicas=10)
    private = replace(tx, mandatory=True, private=True)
    nodes_public = tuple(replace(n, private=False) for n in base.nodes)
    return [
        ("latency", replace(base, transactions=(late, *base.transactions[1:]))),
        ("budget", replace(base, transactions=(poor, *base.transactions[1:]))),
        ("replicas", replace(base, transactions=(greedy, *base.transactions[1:]))),
        (
            "privacy",
            replace(base, nodes=nodes_public, transactions=(private, *base.transactions[1:])),
        ),
        ("bundled", bundled_instances()["infeasible-latency"]),
    ]


@pytest.mark.parametrize(("label", "instance"), _infeasible_cases())
def test_diagnosis_names_constraints_that_really_bind(label: str, instance: Instance) -> None:
    report = solve(instance, threads=1)
    assert report.status is SolveStatus.INFEASIBLE, label
    assert report.diagnosis, report.detail
    assert all(r.slack < 0 for r in report.diagnosis)
    # without the named constraints the instance is feasible; with them it is not
    assert is_feasible(instance, Relaxation()) is False
    assert is_feasible(instance, relaxation_dropping(report.diagnosis)) is True


def test_diagnosis_of_a_known_cause_names_it() -> None:
    instance = dict(_infeasible_cases())["latency"]
    diagnosis, _ = diagnose_infeasibility(instance, threads=1)
    assert (Constraint.LATENCY, "t0") in {(r.constraint, r.subject) for r in diagnosis}


@SMALL
@given(allocation_instances())
def test_every_infeasible_small_instance_gets_a_binding_diagnosis(instance: Instance) -> None:
    if is_feasible(instance, Relaxation()) is not False:
        return
    diagnosis, note = diagnose_infeasibility(instance, threads=1)
    assert diagnosis, note
    assert is_feasible(instance, relaxation_dropping(diagnosis)) is True


def test_status_decision_never_calls_a_limit_optimal() -> None:
    # HiGHS on a time limit: PuLP would call it "Optimal"; we do not
    limit = SolverResult(
        timed_out=True, values={}, incumbent=10.0, bound=12.0, detail="HiGHS kTimeLimit"
    )
    assert decide(limit, Fraction(10), Fraction(1)) == (SolveStatus.TIME_LIMIT, False)
    # a bound at the time limit is still a bound: an allocation within one granularity step of
    # it (the neighbourhood search's, found after the solver stopped) is proven optimal
    met = SolverResult(
        timed_out=True, values={}, incumbent=9.0, bound=10.7, detail="HiGHS kTimeLimit"
    )
    assert decide(met, Fraction(10), Fraction(1)) == (SolveStatus.OPTIMAL, True)
    assert decide(met, Fraction(9), Fraction(1)) == (SolveStatus.TIME_LIMIT, False)
    # a solver that neither met its gap nor stopped on time proves nothing, bound or not
    failed = SolverResult(values={}, incumbent=10.0, bound=10.0, detail="CBC failed")
    assert decide(failed, Fraction(10), Fraction(1)) == (SolveStatus.UNKNOWN, False)
    # the solver's gap criterion met, bound within one granularity step: proven
    closed = SolverResult(proven_gap=True, values={}, incumbent=10.0, bound=10.4, detail="kOptimal")
    assert decide(closed, Fraction(10), Fraction(1)) == (SolveStatus.OPTIMAL, True)
    # the solver's gap criterion met at a user's gap, bound further away: not proven
    loose = SolverResult(proven_gap=True, values={}, incumbent=10.0, bound=11.5, detail="kOptimal")
    assert decide(loose, Fraction(10), Fraction(1)) == (SolveStatus.GAP_REACHED, False)
    # no bound at all cannot prove anything
    unbounded = SolverResult(proven_gap=True, values={}, incumbent=10.0, detail="kOptimal")
    assert decide(unbounded, Fraction(10), Fraction(1))[1] is False


def test_pulp_would_report_a_time_limit_as_optimal_but_we_do_not() -> None:
    instance = generate(150, 30, 4, Utility.THROUGHPUT)
    model = build_model(instance)
    pulp_solver = pulp.HiGHS(msg=False, timeLimit=0.5, threads=1)
    model.problem.solve(pulp_solver)
    status = model.problem.solverModel.getModelStatus()
    if status != highspy.HighsModelStatus.kTimeLimit:
        pytest.skip("solved within the limit on this machine")
    if pulp.LpStatus[model.problem.status] == "Not Solved":
        pytest.skip("no incumbent within the limit on this (loaded) machine")
    assert pulp.LpStatus[model.problem.status] == "Optimal"  # PuLP's mapping of a stopped run
    report = solve(instance, threads=1, time_limit=0.5, use_heuristic_start=False, bounds=False)
    assert report.status is not SolveStatus.OPTIMAL or report.proven_optimal
    if report.status is SolveStatus.TIME_LIMIT and report.objective is not None:
        assert report.bound is not None and float(report.objective) <= report.bound + 1e-6
        assert report.allocation is not None and evaluate(instance, report.allocation).feasible


def test_a_crashed_cbc_is_retried_cold_then_reported_undecided(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """CBC dies reading a MIP start into large models (seen at 1000 x 100): `solve` retries
    once without the warm start; a CBC that dies anyway is `unknown` with its reason."""
    original = pulp.PULP_CBC_CMD.actualSolve
    calls: list[bool] = []

    def crash_when_warm(self: pulp.PULP_CBC_CMD, lp: pulp.LpProblem, **kwargs: object) -> int:
        calls.append(bool(self.optionsDict.get("warmStart")))
        if calls[-1]:
            raise pulp.PulpSolverError("Pulp: Error while trying to execute, use msg=True")
        return int(original(self, lp, **kwargs))

    instance = bundled_instances()["small-throughput"]
    # without the bounds (D-alloc-23), which may prove the warm start before CBC runs
    start = best_start(instance, threads=1)
    monkeypatch.setattr(pulp.PULP_CBC_CMD, "actualSolve", crash_when_warm)
    report = solve(instance, solver="cbc", threads=1, time_limit=60, warm_start=start, bounds=False)
    assert calls == [True, False]
    assert (
        report.status is SolveStatus.OPTIMAL and "retried without the warm start" in report.detail
    )

    def crash(self: pulp.PULP_CBC_CMD, lp: pulp.LpProblem, **kwargs: object) -> int:
        raise pulp.PulpSolverError("Pulp: Error while trying to execute, use msg=True")

    monkeypatch.setattr(pulp.PULP_CBC_CMD, "actualSolve", crash)
    report = solve(instance, solver="cbc", threads=1)
    assert report.status is SolveStatus.UNKNOWN and not report.proven_optimal
    assert "CBC failed" in report.detail
    # what was computed before the crash is not lost: the warm start, feasible, unproven
    assert report.allocation is not None and report.objective == report.warm_start
    assert evaluate(instance, report.allocation).feasible


def test_a_cbc_stopped_without_a_solution_is_not_called_infeasible() -> None:
    """PuLP maps a CBC stopped before its first integer solution to "Infeasible" (found on the
    1000 x 100 welfare benchmark): that must read as undecided, never as infeasible."""
    instance = generate(300, 40, 2, Utility.WELFARE)
    report = solve(
        instance,
        solver="cbc",
        time_limit=1,
        threads=1,
        use_heuristic_start=False,
        bounds=False,
        diagnose=False,
    )
    assert report.status is not SolveStatus.INFEASIBLE
    assert report.status is SolveStatus.OPTIMAL or not report.proven_optimal


def test_a_claim_of_infeasibility_against_a_feasible_warm_start_is_not_passed_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from vdlt_spec.models.milp import oracle

    def wrong(*args: object, **kwargs: object) -> SolverResult:
        return SolverResult(infeasible=True, detail="a solver that is wrong")

    instance = bundled_instances()["small-welfare"]
    start = best_start(instance, threads=1)
    monkeypatch.setattr(oracle, "run_solver", wrong)
    report = solve(instance, threads=1, warm_start=start, bounds=False)  # no bound proves it
    assert report.status is SolveStatus.UNKNOWN and "contradicted by the feasible warm start" in (
        report.detail
    )


def test_exported_mps_resolves_to_the_same_optimum(tmp_path: Path) -> None:
    instance = bundled_instances()["small-welfare"]
    lp_file, mps_file = tmp_path / "m.lp", tmp_path / "m.mps"
    report = solve(instance, threads=1, lp_path=str(lp_file), mps_path=str(mps_file))
    assert report.status is SolveStatus.OPTIMAL and report.objective is not None
    assert lp_file.read_text().startswith("\\*")
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.readModel(str(mps_file))
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    assert math.isclose(h.getInfo().objective_function_value, float(report.objective))


def test_solver_arguments_are_checked() -> None:
    instance = bundled_instances()["tiny-exhaustive"]
    for kwargs, reason in (
        ({"solver": "gurobi"}, Reason.UNKNOWN_SOLVER),
        ({"time_limit": 0.0}, Reason.PARAMETER_OUT_OF_RANGE),
        ({"gap": 1.5}, Reason.PARAMETER_OUT_OF_RANGE),
    ):
        with pytest.raises(SpecError) as info:
            solve(instance, **kwargs)  # type: ignore[arg-type]
        assert info.value.reason is reason


def test_a_given_warm_start_is_used_and_never_worse() -> None:
    instance = bundled_instances()["small-throughput"]
    start = BASELINES["density-greedy"](instance)
    report = solve(instance, threads=1, warm_start=start)
    assert report.warm_start == evaluate(instance, start).objective
    assert report.objective is not None and report.objective >= report.warm_start


def test_cbc_preprocessing_infeasibility_is_read_as_infeasible() -> None:
    # found by Hypothesis: CBC prints no "Result" line, only "Pre-processing says infeasible or
    # unbounded" after a finite continuous optimum; the MILP is bounded, so it is infeasible
    from vdlt_spec.allocation.schema import loads_instance

    data = Path(__file__).parent / "data" / "cbc_preprocess_infeasible.json"
    instance = loads_instance(data.read_text(encoding="utf-8"))
    for solver in ("highs", "cbc"):
        report = solve(instance, solver=solver, threads=1, diagnose=False)
        assert report.status is SolveStatus.INFEASIBLE, (solver, report.detail)


def test_a_status_maps_to_its_exit_code() -> None:
    assert {s: s.exit_code for s in SolveStatus} == {
        SolveStatus.OPTIMAL: 0,
        SolveStatus.GAP_REACHED: 0,
        SolveStatus.INFEASIBLE: 1,
        SolveStatus.TIME_LIMIT: 2,
        SolveStatus.UNKNOWN: 2,
    }


def test_a_time_limit_that_comes_while_building_ends_the_solve_there() -> None:
    """The limit counts from the call: a model still being built when it runs out is not
    finished, solved or bounded, and the solve says so (status time_limit, no allocation)."""
    instance = generate(60, 20, 2, Utility.THROUGHPUT)
    with pytest.raises(BuildInterrupted) as stopped:
        build_model(instance, deadline=time.perf_counter())
    assert (stopped.value.written, stopped.value.transactions) == (0, 60)
    report = solve(instance, threads=1, time_limit=1e-9)
    assert report.status is SolveStatus.TIME_LIMIT and report.status.exit_code == 2
    assert report.allocation is None and report.objective is None and report.bound is None
    assert not report.solver_ran and report.variables == 0
    assert report.summary == "the time limit came before the model was built"
    assert "of 60 transactions written" in report.detail
    assert [p.phase for p in report.phase_seconds] == ["building"]
    # a deadline far away builds the same model as none at all
    far = build_model(instance, deadline=time.perf_counter() + 3600)
    assert far.problem.numConstraints() == build_model(instance).problem.numConstraints()
