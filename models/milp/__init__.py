"""Solve Eq. (1) exactly: the allocation MILP, its bounds, search, solvers and diagnosis (§IV-E).

The exact oracle of the resource allocation problem (§IV-E, §IV-G), in its phases:
:mod:`.model` builds the PuLP model from an instance (over the candidates of
:mod:`.candidates`, under a :class:`Relaxation`), :mod:`.start` chooses the warm start,
:mod:`.bounds` and :mod:`.lagrangian` bound the optimum, :mod:`.search` probes down from the
bound and searches neighbourhoods, :mod:`.solvers` drives HiGHS and CBC, :mod:`.report` decides
the status, and :mod:`.oracle`'s :func:`solve` runs them in order. :mod:`.diagnosis` names the
constraints that make an instance infeasible.

Not a spec module: it measures solve time and drives external solvers.
"""

from vdlt_spec.models.milp.bounds import Relaxed, proof_target, relax, tightest
from vdlt_spec.models.milp.candidates import Candidate, candidates, control_options, node_eligible
from vdlt_spec.models.milp.diagnosis import (
    diagnose_infeasibility,
    is_feasible,
    relaxation_dropping,
)
from vdlt_spec.models.milp.lagrangian import LagrangianBound, lagrangian_bound
from vdlt_spec.models.milp.model import (
    AllocationModel,
    BuildInterrupted,
    build_model,
    export,
)
from vdlt_spec.models.milp.options import OptionChanges, SolveOptions
from vdlt_spec.models.milp.oracle import PHASES, solve
from vdlt_spec.models.milp.relaxation import RELAXABLE, ConstraintMode, Relaxation
from vdlt_spec.models.milp.report import (
    PhaseTime,
    SolveReport,
    SolveStatus,
    decide,
    interrupted,
)
from vdlt_spec.models.milp.search import SearchReport, improve, searches_first, worthwhile
from vdlt_spec.models.milp.solution import extract, start_values
from vdlt_spec.models.milp.solvers import SOLVERS, SolverResult, SolverSettings, load_highs
from vdlt_spec.models.milp.start import (
    Start,
    best_start,
    choose_start,
    heuristic_starts,
    lp_guided,
)

__all__ = [
    "PHASES",
    "RELAXABLE",
    "SOLVERS",
    "AllocationModel",
    "BuildInterrupted",
    "Candidate",
    "ConstraintMode",
    "LagrangianBound",
    "OptionChanges",
    "PhaseTime",
    "Relaxation",
    "Relaxed",
    "SearchReport",
    "SolveOptions",
    "SolveReport",
    "SolveStatus",
    "SolverResult",
    "SolverSettings",
    "Start",
    "best_start",
    "build_model",
    "candidates",
    "choose_start",
    "control_options",
    "decide",
    "diagnose_infeasibility",
    "export",
    "extract",
    "heuristic_starts",
    "improve",
    "interrupted",
    "is_feasible",
    "lagrangian_bound",
    "load_highs",
    "lp_guided",
    "node_eligible",
    "proof_target",
    "relax",
    "relaxation_dropping",
    "searches_first",
    "solve",
    "start_values",
    "tightest",
    "worthwhile",
]
