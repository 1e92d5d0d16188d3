"""Score an allocator's allocation against the exact oracle's (§IV-E, §IV-F; Eq. (1)).

A DRL agent (§IV-F) or any heuristic is judged by how close its allocation comes to the
optimum of Eq. (1). The oracle (`vdlt solve`) gives the best allocation it found and a bound on
the optimum; where it proved optimality the two meet. Where it did not, the optimum lies
between them, so the share of the optimum an allocation reaches is an interval:
[utility / bound, utility / best]. Both allocations are re-scored by the exact evaluator here,
so a reference that does not belong to the instance, or an oracle report whose utility its own
allocation does not reach, is rejected rather than trusted. Exact arithmetic throughout.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from vdlt_spec.allocation.decision import Allocation
from vdlt_spec.allocation.evaluator import evaluate
from vdlt_spec.allocation.instance import Instance, Utility
from vdlt_spec.allocation.schema import parse_allocation
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.serial import decode

#: The statuses a `vdlt allocation solve --json` report may carry; only "optimal" is proven.
REPORT_STATUSES = ("optimal", "gap_reached", "time_limit", "infeasible", "unknown")


@dataclass(frozen=True)
class Reference:
    """Hold the oracle's answer: its best allocation, a bound on the optimum, and a proof flag.

    ``bound`` is None when only an allocation is known (nothing bounds the optimum from above);
    ``proven`` says the oracle proved ``allocation`` optimal. ``instance`` and ``claimed`` (the
    instance's name and the utility the oracle reported) are checked against the instance and
    the exact evaluator when given.
    """

    allocation: Allocation
    bound: Fraction | None = None
    proven: bool = False
    instance: str | None = None
    claimed: Fraction | None = None


@dataclass(frozen=True)
class Score:
    """Hold an allocation's standing against the oracle (§IV-F): utilities and shares.

    ``share_low`` and ``share_high`` bracket the share of the optimum reached: utility over the
    bound and utility over the best known utility (equal when the optimum is proven). They are
    None when the allocation is infeasible (it has no standing) or when the denominator is not
    positive (a share of nothing means nothing).
    """

    utility: Utility
    feasible: bool
    objective: Fraction
    best: Fraction
    bound: Fraction | None
    proven: bool
    share_low: Fraction | None
    share_high: Fraction | None
    shortfall: Fraction  # best - objective: how much the best known allocation does better


def _share(objective: Fraction, of: Fraction | None, feasible: bool) -> Fraction | None:
    return objective / of if feasible and of is not None and of > 0 else None


def score(instance: Instance, allocation: Allocation, reference: Reference) -> Score:
    """Score an allocation against the oracle's reference for the same instance (§IV-F).

    Raises ``SpecError(BAD_REFERENCE)`` if the reference allocation is infeasible for the
    instance, if its bound lies below its own utility, or if the scored allocation is feasible
    and beats the bound (or the proven optimum): a reference that is wrong is not a yardstick.
    A malformed allocation on either side is the evaluator's ``SpecError``.
    """
    if reference.instance is not None and reference.instance != instance.name:
        raise SpecError(
            Reason.BAD_REFERENCE,
            f"the reference is for instance {reference.instance!r}, not {instance.name!r}",
        )
    mine = evaluate(instance, allocation)
    theirs = evaluate(instance, reference.allocation)
    if not theirs.feasible:
        raise SpecError(
            Reason.BAD_REFERENCE,
            f"the reference allocation is infeasible for {instance.name}: "
            f"{theirs.violations[0].where}",
        )
    best = theirs.objective
    if reference.claimed is not None and reference.claimed != best:
        raise SpecError(
            Reason.BAD_REFERENCE,
            f"the reference reports utility {reference.claimed}, its allocation scores {best}",
        )
    bound = reference.bound
    if bound is not None and bound < best:
        raise SpecError(
            Reason.BAD_REFERENCE,
            f"the reference's bound {bound} lies below its own allocation's utility {best}",
        )
    if reference.proven and bound is not None and best > 0 and bound >= 2 * best:
        raise SpecError(
            Reason.BAD_REFERENCE,
            f"the reference claims its utility {best} proven optimal, but its bound {bound} "
            "lies a whole step or more above it, so it proves nothing",
        )
    if reference.proven:
        bound = best  # the optimum itself (a solver's bound may sit up to one step above it)
    if mine.feasible and bound is not None and mine.objective > bound:
        raise SpecError(
            Reason.BAD_REFERENCE,
            f"a feasible allocation reaches {mine.objective}, above the reference's "
            f"{'proven optimum' if reference.proven else 'bound'} {bound}: the reference is wrong",
        )
    return Score(
        utility=instance.utility,
        feasible=mine.feasible,
        objective=mine.objective,
        best=best,
        bound=bound,
        proven=reference.proven,
        share_low=_share(mine.objective, bound, mine.feasible),
        share_high=_share(mine.objective, best, mine.feasible),
        shortfall=best - mine.objective,
    )


def _fraction(value: Any, field: str) -> Fraction | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise SpecError(Reason.BAD_REFERENCE, f"{field} must be a number, got {str(value)[:40]!r}")
    try:
        if isinstance(value, str):
            number: Fraction = decode(Fraction, value, field)
            return number
        return Fraction(value)
    except (SpecError, ValueError, ZeroDivisionError, OverflowError):
        raise SpecError(
            Reason.BAD_REFERENCE, f"{field} must be a number, got {str(value)[:40]!r}"
        ) from None


def parse_reference(data: Any) -> Reference:
    """Read a reference: a `vdlt solve --json` report or a bare allocation document (§IV-F).

    A report gives the allocation, its bound, whether it is proven and the reported utility; a
    bare allocation (as `vdlt solve --out` writes it) gives only the allocation.
    """
    if isinstance(data, dict) and "assignments" in data:
        return Reference(parse_allocation(data))
    if not isinstance(data, dict) or "proven_optimal" not in data or "allocation" not in data:
        raise SpecError(
            Reason.BAD_REFERENCE,
            "expected a `vdlt solve --json` report or an allocation document",
        )
    if data["allocation"] is None:
        raise SpecError(
            Reason.BAD_REFERENCE, f"the report holds no allocation (status {data.get('status')})"
        )
    proven = data["proven_optimal"]
    if not isinstance(proven, bool):
        raise SpecError(
            Reason.BAD_REFERENCE, f"proven_optimal must be true or false, got {proven!r}"
        )
    status = data.get("status")
    if status not in REPORT_STATUSES:
        raise SpecError(
            Reason.BAD_REFERENCE,
            f"status must be one of {', '.join(REPORT_STATUSES)}, got {str(status)[:40]!r}",
        )
    if proven != (status == "optimal"):
        raise SpecError(
            Reason.BAD_REFERENCE,
            f"proven_optimal is {str(proven).lower()} but the status is {status!r}",
        )
    bound = _fraction(data.get("bound"), "bound")
    if proven and bound is None:
        raise SpecError(Reason.BAD_REFERENCE, "a report proven optimal must carry its bound")
    name = data.get("instance")
    return Reference(
        allocation=parse_allocation(data["allocation"]),
        bound=bound,
        proven=proven,
        instance=name if isinstance(name, str) else None,
        claimed=_fraction(data.get("objective"), "objective"),
    )


def accept_start(instance: Instance, allocation: Allocation) -> Allocation:
    """Return ``allocation`` as a start for the oracle if the evaluator finds it feasible (§IV-E).

    The oracle improves on a start or proves it optimal, so the start must satisfy every
    constraint of Eq. (1) (D-alloc-24). An infeasible one is ``INFEASIBLE_START``, naming the
    count and the first violated constraint; a malformed one keeps the evaluator's reason
    (e.g. ``UNKNOWN_TRANSACTION``).
    """
    evaluation = evaluate(instance, allocation)
    if not evaluation.feasible:
        raise SpecError(
            Reason.INFEASIBLE_START,
            f"the start is infeasible ({len(evaluation.violations)} violations, e.g. "
            f"{evaluation.violations[0].where}); `vdlt allocation evaluate` lists them",
        )
    return allocation
