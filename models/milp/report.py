"""Decide the status of a solve and report it honestly (§IV-E; D-alloc-13).

Statuses are decided here, never taken from the solver's word alone: ``optimal`` only when
the solver stopped on its gap criterion (or its time limit, or at a target a bound proves)
and its bound is within the objective's granularity of the exact utility of the returned
allocation, which the exact evaluator also found feasible. A claim of infeasibility against a
feasible warm start is not passed on; a proven infeasibility is diagnosed (D-alloc-14).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from enum import StrEnum
from fractions import Fraction

from vdlt_spec.allocation.decision import Allocation
from vdlt_spec.allocation.evaluator import ConstraintReport, evaluate
from vdlt_spec.allocation.instance import Instance
from vdlt_spec.models.milp.bounds import proof_target
from vdlt_spec.models.milp.diagnosis import diagnose_infeasibility
from vdlt_spec.models.milp.model import AllocationModel
from vdlt_spec.models.milp.options import SolveOptions
from vdlt_spec.models.milp.solution import extract
from vdlt_spec.models.milp.solvers import SolverResult


class SolveStatus(StrEnum):
    """Report how a solve ended, decided by the oracle (D-alloc-13)."""

    OPTIMAL = "optimal"
    GAP_REACHED = "gap_reached"
    TIME_LIMIT = "time_limit"
    INFEASIBLE = "infeasible"
    UNKNOWN = "unknown"

    @property
    def exit_code(self) -> int:
        """Return the process exit code of this status (D-alloc-13).

        0 optimal or the asked gap reached, 1 proven infeasible, 2 undecided (a time limit or
        an unknown end), as a verdict's 0 valid, 1 invalid, 2 unknown.
        """
        if self in (SolveStatus.OPTIMAL, SolveStatus.GAP_REACHED):
            return 0
        return 1 if self is SolveStatus.INFEASIBLE else 2


@dataclass(frozen=True)
class PhaseTime:
    """Say how long one phase of a solve took, in seconds (building, bounds, solver, ...)."""

    phase: str
    seconds: float


@dataclass(frozen=True)
class SolveReport:
    """Report a solve: status, exact objective, bound, gap, allocation, diagnosis (D-alloc-13)."""

    instance: str
    solver: str
    status: SolveStatus
    proven_optimal: bool
    objective: Fraction | None
    incumbent: float | None
    bound: float | None
    gap: float | None
    seconds: float
    solve_seconds: float
    detail: str
    admitted: int
    transactions: int
    variables: int
    constraints: int
    binaries: int
    warm_start: Fraction | None
    allocation: Allocation | None
    diagnosis: tuple[ConstraintReport, ...] = ()
    searched: Fraction | None = None  # the warm start after the neighbourhood search
    search_seconds: float = 0.0
    relaxation_bound: float | None = None  # the LP relaxation's bound, if it was solved
    lagrangian_bound: float | None = None  # the Lagrangian knapsack bound (D-alloc-23), if any
    solver_ran: bool = True  # False when a bound or the time limit settled it before the solver
    summary: str = ""  # why the solve ended with its status, in plain words
    phase_seconds: tuple[PhaseTime, ...] = ()  # the seconds of each phase that ran, in order


@dataclass(frozen=True)
class Findings:
    """Hold what the phases before the report found, for :func:`report` (D-alloc-13)."""

    result: SolverResult  # the solver's outcome, merged with the search's and the bounds'
    began: float  # perf_counter() when the solve began
    solve_seconds: float  # from the end of the preparation (model, starts) to the report
    warm_start: Fraction | None  # the utility of the start handed to the solver, if any
    started: bool  # whether the solver had an evaluator-feasible start
    searched: Fraction | None = None
    search_seconds: float = 0.0
    relaxation_bound: float | None = None
    lagrangian_bound: float | None = None


def interrupted(
    name: str,
    solver: str,
    transactions: int,
    seconds: float,
    detail: str,
    summary: str,
    phase_seconds: tuple[PhaseTime, ...],
) -> SolveReport:
    """Report a solve the time limit stopped before there was a model to solve (D-alloc-41)."""
    return SolveReport(
        instance=name,
        solver=solver,
        status=SolveStatus.TIME_LIMIT,
        proven_optimal=False,
        objective=None,
        incumbent=None,
        bound=None,
        gap=None,
        seconds=seconds,
        solve_seconds=0.0,
        detail=detail,
        admitted=0,
        transactions=transactions,
        variables=0,
        constraints=0,
        binaries=0,
        warm_start=None,
        allocation=None,
        solver_ran=False,
        summary=summary,
        phase_seconds=phase_seconds,
    )


def report(
    instance: Instance, model: AllocationModel, options: SolveOptions, found: Findings
) -> SolveReport:
    """Verify the allocation found with the exact evaluator and decide the status (D-alloc-13).

    An infeasibility claimed against a feasible start is reported undecided; a proven one is
    diagnosed if ``options.diagnose`` holds; an allocation the evaluator rejects is reported
    undecided with its worst violation.
    """
    raw = found.result
    base = SolveReport(
        instance=instance.name,
        solver=options.solver,
        status=SolveStatus.UNKNOWN,
        proven_optimal=False,
        objective=None,
        incumbent=None,
        bound=raw.bound,
        gap=None,
        seconds=time.perf_counter() - found.began,
        solve_seconds=found.solve_seconds,
        detail=raw.detail,
        admitted=0,
        transactions=len(instance.transactions),
        variables=model.problem.numVariables(),
        constraints=model.problem.numConstraints(),
        binaries=model.binaries,
        warm_start=found.warm_start,
        allocation=None,
        searched=found.searched,
        search_seconds=found.search_seconds,
        relaxation_bound=found.relaxation_bound,
        lagrangian_bound=found.lagrangian_bound,
        solver_ran=raw.ran,
    )
    return _summarised(_decided(instance, model, options, found, base))


def _decided(
    instance: Instance,
    model: AllocationModel,
    options: SolveOptions,
    found: Findings,
    base: SolveReport,
) -> SolveReport:
    """Decide the status of ``base`` from what the phases found (D-alloc-13)."""
    raw = found.result
    if raw.infeasible and found.started:
        # the warm start is an evaluator-feasible allocation: a solver that claims otherwise is
        # wrong, and the claim is not passed on (D-alloc-13)
        return replace(
            base,
            detail=f"{raw.detail}; contradicted by the feasible warm start (utility "
            f"{found.searched or found.warm_start}), so undecided",
            summary="the solver called the instance infeasible, but the warm start "
            "is a feasible allocation",
        )
    if raw.infeasible:
        return _infeasible(instance, options, base, found.began)
    if raw.values is None:
        status = SolveStatus.TIME_LIMIT if raw.timed_out else SolveStatus.UNKNOWN
        why = "the time limit came" if raw.timed_out else "the solver stopped"
        return replace(
            base,
            status=status,
            detail=f"{raw.detail}; no integer solution",
            summary=f"{why} before any allocation was found",
        )
    allocation = extract(model, raw.values)
    ev = evaluate(instance, allocation)
    solved = replace(
        base,
        objective=ev.objective,
        incumbent=raw.incumbent,
        admitted=ev.admitted,
        allocation=allocation,
    )
    if not ev.feasible:
        worst = ev.violations[0]
        return replace(
            solved,
            detail=f"{raw.detail}; the exact evaluator rejects the solver's allocation: "
            f"{worst.where} off by {float(-worst.slack):.3g} "
            f"{worst.unit} (numerical tolerance)",
            summary=f"the solver's allocation breaks {worst.where} by "
            f"{float(-worst.slack):.3g} {worst.unit} (a rounding error of the solver)",
        )
    status, proven = decide(raw, ev.objective, model.granularity)
    return replace(
        solved,
        status=status,
        proven_optimal=proven,
        gap=0.0 if proven else _relative_gap(float(ev.objective), raw.bound),
    )


def _summarised(r: SolveReport) -> SolveReport:
    """Give a decided report its one-line account in plain words, unless it has one."""
    if r.summary:
        return r
    if r.status is SolveStatus.INFEASIBLE:
        text = "no allocation meets every constraint"
    elif r.status is SolveStatus.OPTIMAL:
        how = "the solver proved it" if r.solver_ran else "a bound proved it before the solver ran"
        text = f"no allocation has a higher utility ({how})"
    elif r.status is SolveStatus.GAP_REACHED:
        text = "the allocation is within the asked gap of the bound"
    elif r.status is SolveStatus.TIME_LIMIT:
        text = "the time limit ended the solve before a proof of optimality"
    else:
        text = "the solver stopped without a proof either way"
    return replace(r, summary=text)


def _infeasible(
    instance: Instance, options: SolveOptions, base: SolveReport, began: float
) -> SolveReport:
    """Report a proven infeasibility, with the diagnosis when asked for (D-alloc-14)."""
    diagnosis: tuple[ConstraintReport, ...] = ()
    detail = base.detail
    if options.diagnose:
        limit = options.time_limit
        remaining = None if limit is None else max(limit - base.seconds, 1.0)
        diagnosis, note = diagnose_infeasibility(
            instance, solver=options.solver, time_limit=remaining, threads=options.threads
        )
        detail = f"{detail}; {note}"
    return replace(
        base,
        status=SolveStatus.INFEASIBLE,
        bound=None,
        detail=detail,
        diagnosis=diagnosis,
        seconds=time.perf_counter() - began,
    )


def _relative_gap(incumbent: float | None, bound: float | None) -> float | None:
    """Return |bound - incumbent| / |incumbent|; None without both or at a zero incumbent.

    A relative gap to a zero utility has no finite value, so there is none (the bound says
    how far the optimum may be).
    """
    if incumbent is None or bound is None:
        return None
    diff = abs(bound - incumbent)
    if diff == 0:
        return 0.0
    return diff / abs(incumbent) if incumbent != 0 else None


def decide(raw: SolverResult, exact: Fraction, granularity: Fraction) -> tuple[SolveStatus, bool]:
    """Decide the status of a solve whose allocation the evaluator accepts (D-alloc-13).

    Optimal only if the solver stopped on its gap criterion or its time limit (a bound at the
    limit is still a bound) and its bound lies within one granularity step of the exact
    utility: every utility is a multiple of the granularity, so no allocation can be better.
    The allocation may be the neighbourhood search's, found after the solver stopped
    (D-alloc-13, D-alloc-19).
    """
    target = proof_target(granularity, raw.bound)
    stopped = raw.proven_gap or raw.timed_out or raw.interrupted
    proven = stopped and target is not None and float(exact) > target
    if proven:
        return SolveStatus.OPTIMAL, True
    if raw.proven_gap:
        return SolveStatus.GAP_REACHED, False
    if raw.timed_out:
        return SolveStatus.TIME_LIMIT, False
    return SolveStatus.UNKNOWN, False
