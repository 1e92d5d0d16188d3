"""Gather the options of one solve of Eq. (1) in one record (§IV-E; D-alloc-13).

:class:`SolveOptions` holds them, checked on construction; :class:`OptionChanges` names the same
fields for :func:`~.oracle.solve`'s keyword arguments, which change a few of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypedDict

from vdlt_spec.allocation.decision import Allocation
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.models.milp.solvers import SOLVERS


@dataclass(frozen=True)
class SolveOptions:
    """Choose how one solve runs: solver, limits, starts, which phases, exports (D-alloc-13).

    ``gap`` is a relative gap at which the solver may stop. ``warm_start`` is any allocator's
    answer, used if the evaluator accepts it; without one, the best heuristic start is used
    when ``use_heuristic_start`` holds. ``search`` lets a time-limited solve of a large enough
    instance probe and search (D-alloc-19, D-alloc-22); ``bounds`` solves the LP relaxation and
    the Lagrangian bound first (D-alloc-20, D-alloc-23); ``diagnose`` names the binding
    constraints of an infeasible instance (D-alloc-14). ``lp_path`` and ``mps_path`` export
    the model; ``solver_options`` go to the solver as they are.
    """

    solver: str = "highs"
    time_limit: float | None = None
    gap: float | None = None
    threads: int | None = None
    warm_start: Allocation | None = None
    use_heuristic_start: bool = True
    search: bool = True
    bounds: bool = True
    diagnose: bool = True
    lp_path: str | None = None
    mps_path: str | None = None
    solver_options: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        """Refuse an unknown solver, a non-positive time limit or a gap outside [0, 1)."""
        if self.solver not in SOLVERS:
            raise SpecError(Reason.UNKNOWN_SOLVER, f"solver must be one of {', '.join(SOLVERS)}")
        if self.time_limit is not None and self.time_limit <= 0:
            raise SpecError(
                Reason.PARAMETER_OUT_OF_RANGE, f"time limit must be > 0, got {self.time_limit}"
            )
        if self.gap is not None and not 0 <= self.gap < 1:
            raise SpecError(Reason.PARAMETER_OUT_OF_RANGE, f"gap must be in [0, 1), got {self.gap}")


class OptionChanges(TypedDict, total=False):
    """Name the fields of :class:`SolveOptions` that a call to ``solve`` may change."""

    solver: str
    time_limit: float | None
    gap: float | None
    threads: int | None
    warm_start: Allocation | None
    use_heuristic_start: bool
    search: bool
    bounds: bool
    diagnose: bool
    lp_path: str | None
    mps_path: str | None
    solver_options: Mapping[str, Any] | None
