"""Bound the utility of Eq. (1) from above: the LP relaxation, and proofs from a bound (§IV-E).

Every utility is a multiple of the model's granularity, so an allocation within one step of a
bound is optimal (D-alloc-13): :func:`proof_target` turns the tightest known bound into the
utility above which that holds. The tighter Lagrangian knapsack bound is in :mod:`.lagrangian`.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import highspy
import pulp

from vdlt_spec.models.milp.model import AllocationModel
from vdlt_spec.models.milp.solvers import HiGHSDriver, silence_banner

#: Safety margin on the float bound when proving exact optimality from the granularity.
BOUND_MARGIN = 1e-7

#: Placement variables above which the LP relaxation is solved by interior point.
LARGE = 20_000
#: Relative widening of the LP relaxation's objective before it is used as a bound (D-alloc-20).
RELAXATION_MARGIN = 1e-6


@dataclass(frozen=True)
class Relaxed:
    """Hold the LP relaxation of a model: its values and, if solved, a bound (§IV-E)."""

    values: dict[str, float]
    bound: float | None  # on the utility (penalty, if elastic), widened by the LP's own error
    duals: tuple[float, ...] = ()  # the rows' duals (HiGHS's, minimising), if solved


def relax(model: AllocationModel, threads: int | None = None) -> Relaxed:
    """Solve the LP relaxation of the model and bound its utility from it (§IV-E; D-alloc-20).

    Large relaxations go to interior point without crossover (rounding needs no vertex). Its
    objective is within HiGHS's reported primal-dual error of the LP optimum, so the bound is
    widened by that error plus ``RELAXATION_MARGIN`` of the objective's magnitude; without an
    optimal LP there is no bound.
    """
    silence_banner()
    lp_options: dict[str, Any] = (
        {"solver": "ipm", "run_crossover": "off"} if len(model.place) > LARGE else {}
    )
    relaxed = HiGHSDriver(None, mip=False, msg=False, threads=threads, **lp_options)
    model.problem.solve(relaxed)
    bound = None
    if relaxed.model_status == highspy.HighsModelStatus.kOptimal and relaxed.primal_valid:
        value = relaxed.info.objective_function_value
        error = abs(relaxed.info.primal_dual_objective_error)
        widen = (error + RELAXATION_MARGIN) * (1 + abs(value))
        maximise = model.problem.sense == pulp.LpMaximize
        bound = -value + widen if maximise else value - widen  # PuLP minimises -utility
    return Relaxed(relaxed.values, bound, relaxed.duals if bound is not None else ())


def top_guess(granularity: Fraction, ceiling: float) -> Fraction:
    """Return the largest multiple of the granularity at or under a bound: the first guess."""
    return (Fraction(ceiling) // granularity) * granularity


def tightest(*bounds: float | None) -> float | None:
    """Return the smallest of the known bounds on the utility, None if there is none."""
    known = [b for b in bounds if b is not None]
    return min(known) if known else None


def proof_target(granularity: Fraction, *bounds: float | None) -> float | None:
    """Return the utility above which the tightest of ``bounds`` proves optimality, if any.

    Every utility is a multiple of the granularity, so one above this value is within one step
    of the bound: no allocation can be better (D-alloc-13). :func:`~.report.decide` proves
    with it, and the search stops there.
    """
    tightest_bound = tightest(*bounds)
    if tightest_bound is None:
        return None
    return tightest_bound - float(granularity) * (1 - BOUND_MARGIN)
