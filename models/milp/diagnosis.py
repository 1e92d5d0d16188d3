"""Diagnose an infeasible instance in domain terms by elastic relaxation (§IV-E; D-alloc-14).

Every domain constraint may be violated at a cost proportional to its violation relative to its
bound; the least-violating allocation, read by the exact evaluator, names which transaction or
node, which bound, and by how much. Dropping the named constraints confirms that they bind.
"""

from __future__ import annotations

from collections.abc import Iterable

import pulp

from vdlt_spec.allocation.evaluator import ConstraintReport, evaluate
from vdlt_spec.allocation.instance import Instance
from vdlt_spec.models.milp.model import build_model
from vdlt_spec.models.milp.relaxation import Relaxation
from vdlt_spec.models.milp.solution import extract
from vdlt_spec.models.milp.solvers import SolverSettings, run_solver


def diagnose_infeasibility(
    instance: Instance,
    *,
    solver: str = "highs",
    time_limit: float | None = None,
    threads: int | None = None,
) -> tuple[tuple[ConstraintReport, ...], str]:
    """Name the constraints that make an instance infeasible, in domain terms (D-alloc-14).

    Solves the elastic relaxation (every domain constraint may be violated at a cost
    proportional to its violation relative to its bound; structure and mandatory admission stay
    hard) and returns the exact evaluator's violations of the least-violating allocation: which
    transaction or node, which bound, by how much.
    """
    model = build_model(instance, Relaxation(elastic=True))
    raw = run_solver(solver, model, SolverSettings(time_limit=time_limit, threads=threads))
    if raw.infeasible:
        return (), "even the elastic relaxation is infeasible (structure or mandatory admission)"
    if raw.values is None:
        return (), "the elastic relaxation found no solution within the time limit"
    allocation = extract(model, raw.values)
    ev = evaluate(instance, allocation)
    note = "least violation" if raw.proven_gap else "a violating allocation (not proven least)"
    return ev.violations, f"diagnosis from the elastic relaxation: {note}"


def relaxation_dropping(diagnosis: Iterable[ConstraintReport]) -> Relaxation:
    """Return the relaxation leaving out the diagnosed constraints, to confirm they bind (§IV-E)."""
    return Relaxation(dropped=frozenset((r.constraint, r.subject) for r in diagnosis))


def is_feasible(
    instance: Instance,
    relaxation: Relaxation,
    *,
    solver: str = "highs",
    time_limit: float | None = None,
) -> bool | None:
    """Tell whether the model under a relaxation has a solution, None if undecided (§IV-E)."""
    model = build_model(instance, relaxation)
    model.problem.setObjective(pulp.lpSum([]))
    raw = run_solver(solver, model, SolverSettings(time_limit=time_limit))
    if raw.infeasible:
        return False
    return True if raw.values is not None else None
