"""Solve Eq. (1) exactly and report the outcome honestly: the oracle's phases in order (§IV-E).

:func:`solve` reads as its phases: build the model (:mod:`.model`), choose the warm start
(:mod:`.start`), bound the optimum (:mod:`.bounds`, :mod:`.lagrangian`), repair and probe or
search (:mod:`.start`, :mod:`.search`), run the solver (:mod:`.solvers`), and decide, verify and
report (:mod:`.report`). The status is the oracle's, never the solver's word alone (D-alloc-13).

Not a spec module: it measures solve time and drives external solvers.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Unpack

from vdlt_spec.allocation.decision import Allocation
from vdlt_spec.allocation.instance import Instance, Utility
from vdlt_spec.models.milp.bounds import Relaxed, proof_target, relax, tightest
from vdlt_spec.models.milp.lagrangian import LagrangianBound, lagrangian_bound
from vdlt_spec.models.milp.model import AllocationModel, BuildInterrupted, build_model, export
from vdlt_spec.models.milp.options import OptionChanges, SolveOptions
from vdlt_spec.models.milp.report import Findings, PhaseTime, SolveReport, interrupted, report
from vdlt_spec.models.milp.search import Probe, climb, probe, searches_first, worthwhile
from vdlt_spec.models.milp.solution import extract
from vdlt_spec.models.milp.solvers import SolverResult, SolverSettings, run_solver, use_threads
from vdlt_spec.models.milp.start import (
    REPAIR_CAP_S,
    REPAIR_SHARE,
    Start,
    choose_start,
    heuristic_starts,
    repair,
)

#: Share of a solve's time limit the solver has before the neighbourhood search takes over
#: the rest (D-alloc-19).
SOLVER_SHARE = 0.5
#: Share of a solve's time limit for guessing the optimum down from the LP bound (D-alloc-22).
PROBE_SHARE = 0.25
#: Share of a time limit for the Lagrangian bound (D-alloc-23).
BOUND_SHARE = 0.25

#: The phases of a solve, in the order they may run, as :func:`solve` names them to its
#: ``on_phase`` callback and in the report's times.
PHASES = ("building", "bounds", "probing", "solver", "search", "checking")


@dataclass
class Clock:
    """Time a solve's phases against its limit, counted from the start of the solve.

    Each :meth:`enter` closes the phase before it, adds its seconds to that phase's total and
    tells ``on_phase`` (if any) which phase begins.
    """

    limit: float | None
    on_phase: Callable[[str], None] | None = None
    began: float = field(default_factory=time.perf_counter)
    current: str | None = None
    since: float = 0.0
    spent: dict[str, float] = field(default_factory=dict)

    def enter(self, phase: str | None) -> None:
        """Close the running phase and begin ``phase`` (None: close it and begin nothing)."""
        now = time.perf_counter()
        if self.current is not None:
            self.spent[self.current] = self.spent.get(self.current, 0.0) + now - self.since
        self.current, self.since = phase, now
        if self.on_phase is not None and phase is not None:
            self.on_phase(phase)

    def left(self) -> float | None:
        """Return the seconds left of the limit (None without one), never below 0."""
        if self.limit is None:
            return None
        return max(self.limit - (time.perf_counter() - self.began), 0.0)

    def deadline(self) -> float | None:
        """Return the ``perf_counter()`` reading at which the limit runs out (None without one)."""
        return None if self.limit is None else self.began + self.limit

    def share(self, fraction: float) -> float | None:
        """Return ``fraction`` of the limit, but no more than the time left (None without one)."""
        left = self.left()
        return None if self.limit is None or left is None else min(fraction * self.limit, left)

    def times(self) -> tuple[PhaseTime, ...]:
        """Return the seconds of each phase that ran, in :data:`PHASES` order."""
        self.enter(None)
        return tuple(PhaseTime(p, self.spent[p]) for p in PHASES if p in self.spent)


@dataclass(frozen=True)
class Plan:
    """Say which phases a solve runs, from its options and the model's size (D-alloc-19/20)."""

    searching: bool  # probe and search: a time limit and an instance large enough to pay
    first: bool  # the search runs before the solver (above the search-first size)
    heuristic: bool  # the heuristics choose the warm start (none was handed in)

    @property
    def relaxes(self) -> bool:
        """Tell whether the heuristic start or the search-first bound needs the LP relaxation."""
        return self.heuristic or self.first


def solve(
    instance: Instance,
    options: SolveOptions | None = None,
    *,
    on_phase: Callable[[str], None] | None = None,
    **changes: Unpack[OptionChanges],
) -> SolveReport:
    """Solve Eq. (1) for an instance and report the outcome honestly (§IV-E; D-alloc-13).

    Takes the :class:`SolveOptions` (defaults if none), with ``changes`` to a few of its
    fields as keywords: ``solve(instance, threads=1, bounds=False)``. A ``warm_start`` seeds
    the solver if the evaluator accepts it and is otherwise left out with a note; without one
    the best heuristic start does when ``use_heuristic_start`` holds. With ``search`` and a
    ``time_limit``, an instance large enough for it to pay gets the solver for
    :data:`SOLVER_SHARE` of the limit and, unless that settled it, a large-neighbourhood search
    from the best allocation so far for the rest; the solver's bound still stands (D-alloc-19).
    Above the search-first size the search runs first and the solver gets what it leaves; the
    LP relaxation bounds every such solve (D-alloc-20). Below it, with ``bounds``, the LP
    relaxation's bound and the Lagrangian knapsack bound come first (D-alloc-23; under
    throughput the relaxation's admissions are placed too), then, with HiGHS, probing down
    from the tighter bound with an objective cutoff, for :data:`PROBE_SHARE` of the limit
    (D-alloc-22). Without ``bounds`` and without the heuristic start, the solver runs alone.

    The time limit counts from the call, model building and warm start included. Building
    stops at the limit (between two transactions) and the solve ends ``time_limit`` with no
    allocation; phases that cannot stop part-way (the LP relaxation, the heuristics) may pass
    it, and the phases after them get what is left. ``on_phase`` is told the name of each phase
    (:data:`PHASES`) as it begins; the report gives the seconds each took.
    """
    opts = replace(options or SolveOptions(), **changes)
    use_threads(opts.threads)
    clock = Clock(opts.time_limit, on_phase)
    began = clock.began
    # build
    clock.enter("building")
    try:
        model = build_model(instance, deadline=clock.deadline())
    except BuildInterrupted as stop:
        return _unbuilt(instance, opts, clock, stop)
    export(model, opts.lp_path, opts.mps_path)
    plan = _plan(model, opts)
    # warm start
    clock.enter("bounds")
    relaxed = relax(model, opts.threads) if plan.relaxes or opts.bounds else None
    chosen = choose_start(model, _starts(model, opts, plan, relaxed))
    warm = None if chosen is None else chosen.objective
    prepared = time.perf_counter()
    notes: list[str] = []
    if opts.warm_start is not None and chosen is None:
        notes.append("the warm start handed in is infeasible or outside the model: not used")
    # bounds
    lagrangian = _lagrangian(model, opts, plan, relaxed, chosen, clock)
    if lagrangian is not None:
        notes.append(lagrangian.detail)
    known = tightest(relaxed.bound if relaxed else None, lagrangian.bound if lagrangian else None)
    goal = proof_target(model.granularity, known)
    # repair: place the Lagrangian relaxation's admissions
    if _repairs(instance, opts, lagrangian, chosen, goal):
        assert lagrangian is not None and lagrangian.admitted is not None
        share = clock.share(REPAIR_SHARE)
        limit = REPAIR_CAP_S if share is None else share
        repaired = repair(model, lagrangian.admitted, limit, opts.threads, known)
        notes.append(repaired.note)
        found = [] if repaired.found is None else [repaired.found]
        chosen = choose_start(model, found, None if chosen is None else chosen.objective) or chosen
    # search first, on models too large for the solver to pass its root in the limit: climb,
    # bound by the LP relaxation, and leave the solver the time the search does not use
    searched, search_seconds = None, 0.0
    if plan.first and opts.time_limit is not None and chosen is not None:
        clock.enter("search")
        climbed = climb(model, chosen, clock.left() or 0.0, opts.threads, goal)
        notes.append(climbed.note)
        search_seconds = climbed.seconds
        if climbed.better is not None:
            chosen, searched = climbed.better, climbed.better.objective
    proved = chosen is not None and goal is not None and float(chosen.objective) > goal
    # probe down from the bound
    probed: Probe | None = None
    if _probes(opts, plan, proved, chosen, known):
        assert chosen is not None and known is not None and opts.time_limit is not None
        clock.enter("probing")
        probed = probe(
            model,
            known,
            chosen.objective,
            clock.share(PROBE_SHARE) or 0.0,
            opts.threads,
            opts.solver_options,
        )
        notes.append(probed.note)
        known = tightest(known, probed.refuted)
        goal = proof_target(model.granularity, known)
        if probed.run is not None and probed.run.values is not None:
            found = [extract(model, probed.run.values)]
            chosen = choose_start(model, found, chosen.objective) or chosen
            proved = goal is not None and float(chosen.objective) > goal
    # the solver
    started = chosen is not None
    raw = _solver(model, opts, plan, chosen, proved, probed, goal, clock)
    # search after the solver, from the best allocation so far
    settled = raw.proven_gap or raw.infeasible
    if plan.searching and not plan.first and not settled and opts.time_limit is not None:
        pool = ([chosen.allocation] if chosen else []) + (
            [extract(model, raw.values)] if raw.values is not None else []
        )
        origin = choose_start(model, pool)
        left = clock.left() or 0.0
        if origin is not None and left >= 1:
            clock.enter("search")
            target = proof_target(model.granularity, raw.bound, known)
            climbed = climb(model, origin, left, opts.threads, target)
            notes.append(climbed.note)
            search_seconds = climbed.seconds
            if climbed.better is not None:
                chosen, searched = climbed.better, climbed.better.objective
    # decide, verify and report
    clock.enter("checking")
    raw = _merge(model, raw, chosen, known, notes, proved)
    findings = Findings(
        result=raw,
        began=began,
        solve_seconds=time.perf_counter() - prepared,
        warm_start=warm,
        started=started,
        searched=searched,
        search_seconds=search_seconds,
        relaxation_bound=None if relaxed is None else relaxed.bound,
        lagrangian_bound=None if lagrangian is None else lagrangian.bound,
    )
    done = report(instance, model, opts, findings)
    return replace(done, phase_seconds=clock.times(), seconds=time.perf_counter() - began)


def _unbuilt(
    instance: Instance, opts: SolveOptions, clock: Clock, stop: BuildInterrupted
) -> SolveReport:
    """Report a solve whose time limit came while the model was being built (D-alloc-41)."""
    return interrupted(
        instance.name,
        opts.solver,
        stop.transactions,
        time.perf_counter() - clock.began,
        f"the time limit came while building the model ({stop})",
        "the time limit came before the model was built",
        clock.times(),
    )


def _plan(model: AllocationModel, opts: SolveOptions) -> Plan:
    """Decide which phases run: search (and whether first) and the heuristic start."""
    searching = opts.search and opts.time_limit is not None and worthwhile(model)
    return Plan(
        searching=searching,
        first=searching and searches_first(model),
        heuristic=opts.warm_start is None and opts.use_heuristic_start,
    )


def _starts(
    model: AllocationModel, opts: SolveOptions, plan: Plan, relaxed: Relaxed | None
) -> list[Allocation]:
    """Return the candidate warm starts: the one handed in, or the heuristics' (D-alloc-12)."""
    if plan.heuristic:
        return heuristic_starts(model, opts.threads, relaxed)
    return [opts.warm_start] if opts.warm_start is not None else []


def _lagrangian(
    model: AllocationModel,
    opts: SolveOptions,
    plan: Plan,
    relaxed: Relaxed | None,
    chosen: Start | None,
    clock: Clock,
) -> LagrangianBound | None:
    """Close the LP bound's packing gap with a knapsack in integers, if asked (D-alloc-23)."""
    if not opts.bounds or relaxed is None or relaxed.bound is None or plan.first:
        return None
    return lagrangian_bound(
        model,
        time_limit=clock.share(BOUND_SHARE),
        threads=opts.threads,
        best=None if chosen is None else chosen.objective,
        relaxed=(relaxed.duals, relaxed.values) if relaxed.duals else None,
    )


def _repairs(
    instance: Instance,
    opts: SolveOptions,
    lagrangian: LagrangianBound | None,
    chosen: Start | None,
    goal: float | None,
) -> bool:
    """Tell whether to place the Lagrangian admissions: a primal heuristic, HiGHS's only.

    Under throughput, admissions alone fix the utility, so placing the relaxation's is a
    feasibility question; under welfare the placements' cost must be optimal too, which the
    probing finds faster.
    """
    unproven = chosen is None or goal is None or float(chosen.objective) <= goal
    return (
        lagrangian is not None
        and lagrangian.admitted is not None
        and unproven
        and opts.solver == "highs"
        and instance.utility is Utility.THROUGHPUT
    )


def _probes(
    opts: SolveOptions, plan: Plan, proved: bool, chosen: Start | None, known: float | None
) -> bool:
    """Tell whether to probe down from the bound: HiGHS, searching, unproven (D-alloc-22)."""
    return (
        plan.searching
        and not plan.first
        and not proved
        and opts.solver == "highs"
        and chosen is not None
        and known is not None
        and opts.time_limit is not None
    )


def _solver(
    model: AllocationModel,
    opts: SolveOptions,
    plan: Plan,
    chosen: Start | None,
    proved: bool,
    probed: Probe | None,
    goal: float | None,
    clock: Clock,
) -> SolverResult:
    """Run the solver in the time left, unless a bound or the probing already settled it."""
    left = clock.left()
    if proved:
        what = "the search's allocation" if plan.first else "the best allocation so far"
        return SolverResult(
            proven_gap=True, ran=False, detail=f"{opts.solver} not run: a bound proves {what}"
        )
    if probed is not None and probed.run is not None and probed.run.proven_gap:
        return probed.run
    if left is None or left >= 1:
        share = SOLVER_SHARE if plan.searching and not plan.first and left is not None else 1.0
        settings = SolverSettings(
            time_limit=None if left is None else share * left,
            gap=opts.gap,
            threads=opts.threads,
            start=None if chosen is None else chosen.values,
            extra=opts.solver_options,
            target=goal,
        )
        clock.enter("solver")
        return run_solver(opts.solver, model, settings)
    return SolverResult(
        timed_out=True,
        ran=False,
        detail=f"{opts.solver} not run: the phases before it used the time limit",
    )


def _merge(
    model: AllocationModel,
    raw: SolverResult,
    chosen: Start | None,
    known: float | None,
    notes: list[str],
    proved: bool,
) -> SolverResult:
    """Merge the solver's outcome with the best allocation so far, the bounds and the notes.

    After a search or a proof, the best allocation so far stands unless the solver found a
    better one; the bound is the tightest known; the notes follow the solver's detail.
    """
    if (notes or proved) and chosen is not None and not raw.infeasible:
        mine = choose_start(model, [extract(model, raw.values)]) if raw.values else None
        if mine is None or mine.objective < chosen.objective:
            raw = replace(raw, values=chosen.values, incumbent=float(chosen.objective))
    if known is not None:
        raw = replace(raw, bound=tightest(known, raw.bound))
    if notes:
        raw = replace(raw, detail="; ".join([raw.detail, *notes]))
    return raw
