"""Tie the MILP's C2 and C4 rows to the evaluator exactly at their bounds (§IV-E, Eq. (1)).

The MILP builds the rows of Eq. (1) as PuLP expressions with float coefficients; they cannot
share the evaluator's row rules (``vdlt_spec.allocation.rules``). This test puts the binding
latency bound and the binding budget of a one-stream instance exactly at the optimum's value
(the row must still admit the optimum) and one step ε below it (it must not), and checks that
the MILP's optimum equals exhaustive enumeration judged by the evaluator in every case.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest

from vdlt_spec.allocation.bundled import bundled_instances
from vdlt_spec.allocation.evaluator import Constraint, evaluate
from vdlt_spec.allocation.exhaustive import exhaustive_optimum
from vdlt_spec.allocation.instance import Instance, Utility
from vdlt_spec.models.milp import SolveStatus, solve

EPS = Fraction(1, 1000)


def _one_stream() -> Instance:
    """Return tiny's first stream alone, scored by welfare so that cost and speed matter."""
    tiny = bundled_instances()["tiny-exhaustive"]
    return replace(tiny, utility=Utility.WELFARE, transactions=(tiny.transactions[0],))


def _binding_value(instance: Instance, constraint: Constraint) -> Fraction:
    best = exhaustive_optimum(instance)
    assert best.evaluation is not None
    (report,) = [r for r in best.evaluation.reports if r.constraint is constraint]
    return report.value


def _with_bound(instance: Instance, constraint: Constraint, bound: Fraction) -> Instance:
    field = {Constraint.LATENCY: "latency_ms", Constraint.COST: "budget"}[constraint]
    tx = replace(instance.transactions[0], **{field: bound})
    return replace(instance, transactions=(tx,))


@pytest.mark.parametrize("constraint", [Constraint.LATENCY, Constraint.COST])
@pytest.mark.parametrize("step", [Fraction(0), -EPS])
def test_the_milp_row_agrees_with_the_evaluator_at_the_bound(
    constraint: Constraint, step: Fraction
) -> None:
    base = _one_stream()
    # tighten the bound onto the unconstrained optimum's value, so that the row binds
    value = _binding_value(base, constraint)
    instance = _with_bound(base, constraint, value + step)
    best = exhaustive_optimum(instance)
    report = solve(instance, solver="highs", threads=1, diagnose=False)
    assert report.status is SolveStatus.OPTIMAL, report.detail
    assert report.allocation is not None
    judged = evaluate(instance, report.allocation)
    assert judged.feasible, judged.violations
    assert judged.objective == best.evaluation.objective
    free = exhaustive_optimum(base).evaluation
    assert free is not None
    if step == 0:  # at the bound the row still admits the unconstrained optimum
        assert judged.objective == free.objective
    else:  # one step below, it does not: the optimum is worse
        assert judged.objective < free.objective
