"""Drive the MILP solvers, HiGHS (through highspy) and CBC (through PuLP), and read them honestly.

Each run returns a :class:`SolverResult`: what the solver said, before the oracle decides the
status (D-alloc-13). PuLP maps HiGHS's time limit to "Optimal" and lets CBC fill variables from
a relaxation on a time-out; both are read past here, from HiGHS's model status and CBC's log.
HiGHS is warm-started and can stop at a target utility through its callbacks; CBC, which dies
reading a MIP start into large models, is retried once without it.
"""

from __future__ import annotations

import math
import os
import re
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import highspy
import numpy as np
import pulp

from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.models.milp.model import AllocationModel

SOLVERS = ("highs", "cbc")

#: The solvers' absolute gap stays this share below one granularity step (D-alloc-13).
ABS_GAP_MARGIN = 1e-6

_BANNER_SHOWN = False


def silence_banner() -> None:
    """Create the first HiGHS object with stdout closed, once per process.

    HiGHS prints a banner once per process on file descriptor 1, which would corrupt
    ``vdlt solve --json``.
    """
    global _BANNER_SHOWN
    if _BANNER_SHOWN:
        return
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            highspy.Highs()  # type: ignore[no-untyped-call]
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    _BANNER_SHOWN = True


class HiGHSDriver(pulp.HiGHS):  # type: ignore[misc]
    """Run PuLP's highspy-based HiGHS warm-started, and keep what it says (D-alloc-13)."""

    def __init__(
        self, start: dict[str, float] | None, target: float | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.start = start
        self.target = target  # in HiGHS's terms (minimised): an incumbent below it stops the run
        self.values: dict[str, float] = {}
        self.duals: tuple[float, ...] = ()
        self.model_status: Any = None
        self.run_status: Any = None
        self.info: Any = None
        self.primal_valid = False

    def actualSolve(self, lp: pulp.LpProblem) -> int:
        self.createAndConfigureSolver(lp)
        self.buildSolverModel(lp)
        h = lp.solverModel
        variables = lp.variables()
        if self.start is not None:
            index = np.array([v.index for v in variables], dtype=np.int32)
            vals = np.array([self.start.get(v.name, 0.0) for v in variables], dtype=np.float64)
            h.setSolution(len(variables), index, vals)
        if self.target is not None:
            # an improving solution past the target raises the flag and the next interrupt
            # check stops the run (the primal bound there may be an objective cutoff instead)
            target, reached = self.target, [False]

            def improving(event: Any) -> None:
                reached[0] = reached[0] or event.data_out.objective_function_value < target

            def interrupt(event: Any) -> None:
                if reached[0]:
                    event.interrupt()

            h.cbMipImprovingSolution.subscribe(improving)
            h.cbMipInterrupt.subscribe(interrupt)
        self.run_status = h.run()
        self.model_status = h.getModelStatus()
        self.info = h.getInfo()
        self.primal_valid = self.info.primal_solution_status == 2  # kSolutionStatusFeasible
        if self.primal_valid:
            solution = h.getSolution()
            col = list(solution.col_value)
            self.values = {v.name: col[v.index] for v in variables}
            if not self.mip:  # an LP's row duals, in the order of the model's rows
                self.duals = tuple(solution.row_dual)
        return 0


def _abs_gap(model: AllocationModel) -> float:
    """Return the absolute gap at which a solver may stop: just under one granularity step.

    Every utility is a multiple of the granularity g, so an incumbent within less than g of the
    bound is optimal. HiGHS compares its unrounded bound with the incumbent while it reports
    the bound rounded by objective integrality, so a smaller gap (such as g/2) keeps it
    searching for a proof it already holds (D-alloc-13).
    """
    return float(model.granularity) * (1 - ABS_GAP_MARGIN)


@dataclass(frozen=True, kw_only=True)
class SolverResult:
    """Hold what a solver returned, before the oracle decides the status (D-alloc-13)."""

    detail: str
    proven_gap: bool = False  # the solver stopped on its gap criterion (or proved optimality)
    infeasible: bool = False
    timed_out: bool = False
    values: dict[str, float] | None = None
    incumbent: float | None = None
    bound: float | None = None
    interrupted: bool = False  # stopped on reaching a utility an outside bound proves optimal
    ran: bool = True  # False when a bound or the time limit settled the solve before the solver


@dataclass(frozen=True, kw_only=True)
class SolverSettings:
    """Set one solver run: time limit, relative gap, threads, warm start, options, target.

    ``extra`` goes to the solver as it is (HiGHS options, or CBC command-line options);
    ``target`` is a utility at which HiGHS stops (CBC through PuLP cannot).
    """

    time_limit: float | None = None
    gap: float | None = None
    threads: int | None = None
    start: dict[str, float] | None = None
    extra: Mapping[str, Any] | None = None
    target: float | None = None


def run_highs(model: AllocationModel, settings: SolverSettings) -> SolverResult:
    """Run HiGHS; with a ``target``, stop once an allocation's utility exceeds it (D-alloc-23)."""
    silence_banner()
    sign = -1.0 if model.problem.sense == pulp.LpMaximize else 1.0
    target = settings.target
    options: dict[str, Any] = {"mip_abs_gap": _abs_gap(model), **(settings.extra or {})}
    solver = HiGHSDriver(
        settings.start,
        target=None if target is None else sign * target,
        msg=False,
        timeLimit=settings.time_limit,
        gapRel=settings.gap if settings.gap is not None else 0.0,
        threads=settings.threads,
        **options,
    )
    model.problem.solve(solver)
    st = solver.model_status
    ms = highspy.HighsModelStatus
    info = solver.info
    incumbent = sign * info.objective_function_value if solver.primal_valid else None
    bound = sign * info.mip_dual_bound if math.isfinite(info.mip_dual_bound) else None
    if st in (ms.kInfeasible, ms.kUnboundedOrInfeasible):
        return SolverResult(infeasible=True, detail=f"HiGHS: {st.name}")
    return SolverResult(
        proven_gap=st == ms.kOptimal,
        infeasible=False,
        timed_out=st == ms.kTimeLimit,
        values=solver.values if solver.primal_valid else None,
        incumbent=incumbent,
        bound=incumbent if bound is None and st == ms.kOptimal else bound,
        detail=f"HiGHS run {solver.run_status.name}, model status {st.name}, primal solution "
        f"status {info.primal_solution_status}",
        interrupted=st == ms.kInterrupt and solver.primal_valid,
    )


CBC_FAILED = "CBC failed"
_CBC_PRESOLVE_INFEASIBLE = re.compile(r"^Problem is infeasible", re.M)
# CBC's preprocessing cannot tell infeasible from unbounded; with a finite continuous optimum
# printed before it, the MILP is bounded (its relaxation is), so this means infeasible
_CBC_PREPROCESS_INFEASIBLE = re.compile(
    r"^Continuous objective value is [-+0-9.eE]+.*^Pre-processing says infeasible", re.M | re.S
)
_CBC_RESULT = re.compile(r"^Result - (.*)$", re.M)
_CBC_OBJECTIVE = re.compile(r"^Objective value:\s+(\S+)", re.M)
_CBC_BOUND = re.compile(r"^(?:Lower|Upper) bound:\s+(\S+)", re.M)


def _run_cbc(model: AllocationModel, settings: SolverSettings) -> SolverResult:
    """Run CBC through PuLP; read infeasibility, incumbent and bound from its log (D-alloc-13)."""
    prob = model.problem
    start = settings.start
    if start is not None:
        for v in prob.variables():
            v.setInitialValue(start.get(v.name, 0.0), check=False)
    handle, log_path = tempfile.mkstemp(suffix=".log", prefix="vdlt-cbc-")
    os.close(handle)
    try:
        solver = pulp.PULP_CBC_CMD(
            msg=False,
            timeLimit=settings.time_limit,
            gapRel=settings.gap if settings.gap is not None else 0.0,
            gapAbs=_abs_gap(model),
            threads=settings.threads,
            warmStart=start is not None,
            logPath=log_path,
            options=[f"{k} {v}" for k, v in (settings.extra or {}).items()],
        )
        try:
            prob.solve(solver)
        except pulp.PulpSolverError as exc:
            # the CBC binary died (e.g. out of memory) or wrote no solution: undecided, and say
            # why; the last lines of its log are the best account of it
            with open(log_path, encoding="utf-8", errors="replace") as fh:
                tail = " | ".join(line.strip() for line in fh.read().splitlines()[-3:] if line)
            detail = f"{CBC_FAILED}: {str(exc).split(':')[0]}; log: {tail or 'empty'}"
            return SolverResult(detail=detail)
        with open(log_path, encoding="utf-8", errors="replace") as fh:
            log = fh.read()
    finally:
        os.unlink(log_path)
    result = _CBC_RESULT.search(log)
    outcome = result.group(1).strip() if result else "no result line"
    # Only CBC's own result line proves infeasibility: PuLP also maps a CBC that stopped (time
    # limit, no integer solution yet, sometimes no result line at all) to LpStatusInfeasible.
    if (
        "infeasible" in outcome.lower()
        or _CBC_PRESOLVE_INFEASIBLE.search(log)
        or _CBC_PREPROCESS_INFEASIBLE.search(log)
    ):
        return SolverResult(infeasible=True, detail=f"CBC: {outcome} (proven infeasible)")
    integer = prob.sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
    values = {v.name: float(v.varValue or 0.0) for v in prob.variables()} if integer else None
    incumbent = None
    if values is not None:
        incumbent = float(prob.objective.constant) + sum(
            float(a) * values[v.name] for v, a in prob.objective.items()
        )
    found = _CBC_BOUND.search(log)
    # CBC prints the bound in the problem's own sense ("Upper bound" when maximizing).
    bound = float(found.group(1)) if found else None
    proven = outcome.startswith("Optimal solution found") and integer
    if proven and bound is None:
        bound = incumbent
    return SolverResult(
        proven_gap=proven,
        infeasible=False,
        timed_out="time" in outcome.lower(),
        values=values,
        incumbent=incumbent,
        bound=bound,
        detail=f"CBC: {outcome}",
    )


def run_solver(solver: str, model: AllocationModel, settings: SolverSettings) -> SolverResult:
    """Run the named solver; HiGHS stops early at the settings' target (CBC cannot)."""
    if solver == "highs":
        return run_highs(model, settings)
    if solver == "cbc":
        began = time.perf_counter()
        raw = _run_cbc(model, settings)
        if not raw.detail.startswith(CBC_FAILED) or settings.start is None:
            return raw
        # CBC can die reading a MIP start into a large model: try once more without it in the
        # time left, and say so (D-alloc-13)
        limit = settings.time_limit
        left = None if limit is None else limit - (time.perf_counter() - began)
        if left is not None and left <= 1:
            return raw
        again = _run_cbc(model, replace(settings, time_limit=left, start=None))
        return replace(
            again, detail=f"{again.detail} (retried without the warm start: {raw.detail})"
        )
    raise SpecError(Reason.UNKNOWN_SOLVER, f"solver must be one of {', '.join(SOLVERS)}")


_SCHEDULER: list[int | None] = []  # the thread count of HiGHS's scheduler in this process


def use_threads(threads: int | None) -> None:
    """Let this process's HiGHS runs use ``threads``, restarting its scheduler if it differs.

    HiGHS keeps one thread scheduler per process and fails a run (``kError``) whose
    ``threads`` option differs from the count the scheduler started with.
    """
    if _SCHEDULER and _SCHEDULER[0] != threads:
        highspy.Highs.resetGlobalScheduler(True)
    _SCHEDULER[:] = [threads]


def load_highs(model: AllocationModel, threads: int | None) -> highspy.Highs:
    """Load the model into a fresh HiGHS object through PuLP's own builder (columns = indexes)."""
    builder = pulp.HiGHS(msg=False, threads=threads)
    builder.createAndConfigureSolver(model.problem)
    builder.buildSolverModel(model.problem)
    h: highspy.Highs = model.problem.solverModel
    return h
