"""Search for better allocations: probing down from a bound, and large-neighbourhood search.

Probing (D-alloc-22) guesses the optimum down from a bound, one HiGHS run with an objective
cutoff per guess; a refuted guess is itself a bound (D-alloc-23).

The neighbourhood search (D-alloc-19) improves a feasible allocation. The warm start of the
oracle (LP-guided rounding or a baseline, D-alloc-12) is a few per cent below the optimum on
large instances, where branch and bound within a time limit barely moves it. The search climbs
from it with the model itself: repeatedly fix every
transaction's decisions to the incumbent except those of a neighbourhood, a few random nodes'
transactions plus a sample of the rejected ones, and let HiGHS re-optimise that sub-MIP from
the incumbent (so it can only improve). The neighbourhood grows while sub-MIPs are solved to
optimality and shrinks when they hit their time limit (adaptive LNS, as in relaxation-induced
and fix-and-optimize heuristics).

The result is only a better start: it is re-read into an :class:`Allocation`, scored by the
exact evaluator and handed to the solver, which alone decides the status (D-alloc-13). The
search proves nothing and is never reported as a bound.

Not a spec module: it drives an external solver and stops on wall-clock time.
"""

from __future__ import annotations

import math
import random
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import highspy
import numpy as np
import pulp

from vdlt_spec.models.milp.bounds import proof_target, top_guess
from vdlt_spec.models.milp.model import AllocationModel
from vdlt_spec.models.milp.solution import extract
from vdlt_spec.models.milp.solvers import SolverResult, SolverSettings, load_highs, run_highs
from vdlt_spec.models.milp.start import Start, choose_start

#: Transactions freed by the first neighbourhood, and the bounds the adaptive size stays in.
FIRST_SIZE = 60
MIN_SIZE = 20
MAX_SIZE = 400
#: Neighbourhoods in a row without improvement after which the search stops by itself.
STALL = 12
#: The same inside a time-limited solve, where nothing uses the time a stalled search leaves
#: but the solver after a search-first run, which at that size needs most of its time to reach
#: its root (D-alloc-19, D-alloc-20): a search that runs on still finds better allocations.
SOLVE_STALL = 3 * STALL
#: Sub-MIP time limit: a share of the time left, within these bounds (seconds).
SUB_SHARE = 0.25
SUB_MIN_S, SUB_MAX_S = 0.5, 4.0
#: An instance whose transactions all fit in this many first neighbourhoods is left to the
#: solver: a neighbourhood that frees most of the model is the model.
WORTHWHILE = 2
#: Above this many binaries the solver spends most of a time limit on presolve and its root LP,
#: and its bound at the limit is the LP relaxation's anyway: there the search goes first,
#: bounded by the LP relaxation, and the solver gets what time it leaves (D-alloc-20).
SEARCH_FIRST = 50_000


@dataclass(frozen=True)
class SearchReport:
    """Report a search: rounds, improving rounds, objective before and after, seconds."""

    rounds: int
    improved: int
    start: float
    best: float
    seconds: float
    values: dict[str, float]


@dataclass(frozen=True)
class Probe:
    """Report a probing: the run that found an allocation (if any), the refuted bound, a note."""

    run: SolverResult | None
    refuted: float | None  # the cutoff of the lowest refuted guess: a bound (D-alloc-23)
    note: str


@dataclass(frozen=True)
class Climb:
    """Report a neighbourhood search from a start: what beats it (if any), seconds, a note."""

    better: Start | None
    seconds: float
    note: str


def worthwhile(model: AllocationModel) -> bool:
    """Tell whether the search pays: more transactions than a few neighbourhoods (D-alloc-19)."""
    return len(model.admit) > WORTHWHILE * FIRST_SIZE


def searches_first(model: AllocationModel) -> bool:
    """Tell whether the search runs before the solver rather than after it (D-alloc-20)."""
    return model.binaries > SEARCH_FIRST


def improve(
    model: AllocationModel,
    start: dict[str, float],
    *,
    time_limit: float | None,
    threads: int | None = None,
    seed: int = 0,
    stall: int = STALL,
    target: float | None = None,
) -> SearchReport:
    """Climb from a feasible start by re-optimising random neighbourhoods (D-alloc-19).

    Stops at ``time_limit`` seconds, after ``stall`` neighbourhoods in a row that did not
    improve, or once the objective reaches ``target`` (a value a bound proves optimal).
    Returns the best values found (the start's if none improved it).
    """
    began = time.perf_counter()
    variables = model.problem.variables()
    names = [v.name for v in variables]
    h = load_highs(model, threads)
    lp = h.getLp()
    lower = np.array(lp.col_lower_, dtype=np.float64)
    upper = np.array(lp.col_upper_, dtype=np.float64)
    cost = np.array(lp.col_cost_, dtype=np.float64)  # PuLP minimises -utility when maximising
    index = np.arange(len(names), dtype=np.int32)
    current = np.array([start.get(name, 0.0) for name in names], dtype=np.float64)

    # column groups: each transaction's decisions; the C1 auxiliaries stay free
    column = {v.name: i for i, v in enumerate(variables)}
    of_tx: dict[int, list[int]] = defaultdict(list)
    for n, v in model.admit.items():
        of_tx[n].append(column[v.name])
    for (n, _), v in model.control.items():
        of_tx[n].append(column[v.name])
    for n in model.size:
        of_tx[n] += [column[model.size[n].name], column[model.faults[n].name]]
    placement: dict[int, tuple[int, int]] = {}
    for (n, j, _), v in model.place.items():
        of_tx[n].append(column[v.name])
        placement[column[v.name]] = (n, j)
    always = np.ones(len(names), dtype=bool)
    for cols in of_tx.values():
        always[cols] = False
    admit_col = {n: column[v.name] for n, v in model.admit.items() if v.upBound != 0}
    nodes = sorted({j for _, j in placement.values()})
    hosts: dict[int, list[int]] = defaultdict(list)  # node -> transactions that may use it
    for n, j in set(placement.values()):
        hosts[j].append(n)

    rng = random.Random(seed)
    best = float(cost @ current)
    first = best
    sign = -1.0 if model.problem.sense == pulp.LpMaximize else 1.0
    # in the solver's terms (minimised): reaching ``goal`` ends the search
    goal = -math.inf if target is None else sign * target
    size = FIRST_SIZE
    rounds = improved = stalled = 0
    while stalled < stall and best > goal:
        left = math.inf if time_limit is None else time_limit - (time.perf_counter() - began)
        if left < SUB_MIN_S:
            break
        rounds += 1
        chosen = _neighbourhood(rng, size, current, placement, admit_col, nodes, hosts)
        free = always.copy()
        for n in chosen:
            free[of_tx[n]] = True
        h.changeColsBounds(
            len(names), index, np.where(free, lower, current), np.where(free, upper, current)
        )
        solution = highspy.HighsSolution()
        solution.col_value = list(current)
        solution.value_valid = True
        h.setSolution(solution)
        h.setOptionValue("time_limit", max(SUB_MIN_S, min(SUB_MAX_S, SUB_SHARE * left)))
        h.run()
        solved = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        if h.getInfo().primal_solution_status == 2:  # kSolutionStatusFeasible
            found = np.array(h.getSolution().col_value, dtype=np.float64)
            value = float(cost @ found)
            if value < best - 1e-6 * max(1.0, abs(best)):
                current = np.where(always, found, np.round(found))
                best, stalled = value, 0
                improved += 1
            else:
                stalled += 1
        else:
            stalled += 1
        size = min(MAX_SIZE, size + size // 4) if solved else max(MIN_SIZE, size * 3 // 4)
    h.changeColsBounds(len(names), index, lower, upper)
    return SearchReport(
        rounds=rounds,
        improved=improved,
        start=sign * first,
        best=sign * best,
        seconds=time.perf_counter() - began,
        values={name: float(current[i]) for i, name in enumerate(names)},
    )


def _neighbourhood(
    rng: random.Random,
    size: int,
    current: Any,
    placement: dict[int, tuple[int, int]],
    admit_col: dict[int, int],
    nodes: list[int],
    hosts: dict[int, list[int]],
) -> set[int]:
    """Return about ``size`` transactions: those on random nodes, then rejected ones there."""
    on_node: dict[int, set[int]] = defaultdict(set)
    for col, (n, j) in placement.items():
        if current[col] > 0.5:
            on_node[j].add(n)
    admitted = {n for n, col in admit_col.items() if current[col] > 0.5}
    chosen: set[int] = set()
    picked: list[int] = []
    order = nodes[:]
    rng.shuffle(order)
    for j in order:
        if len(chosen) >= size // 2:
            break
        picked.append(j)
        chosen |= on_node[j]
    rejected = sorted({n for j in picked for n in hosts[j]} - admitted)
    rng.shuffle(rejected)
    chosen.update(rejected[: max(size - len(chosen), 0)])
    return chosen


def probe(
    model: AllocationModel,
    ceiling: float,
    floor: Fraction,
    limit: float,
    threads: int | None,
    extra: Mapping[str, Any] | None,
) -> Probe:
    """Guess the optimum down from a bound, one HiGHS run per guess (§IV-E; D-alloc-22).

    Each guess v, from the largest multiple of the granularity g under ``ceiling`` down to just
    above ``floor`` (the warm start's utility), runs HiGHS with an objective cutoff at v - g/2:
    it may prune every node whose bound lies below v - g/2, and its reduced-cost fixing is as
    strong as if it held an allocation worth v. A run that ends with nothing at or above the
    cutoff (optimal or infeasible under it) says the guess was too high: the next one is one
    step lower. The first run that finds an allocation at or above its cutoff is returned: its
    bound is valid for the model without the cutoff, since everything the cutoff pruned lies
    below that allocation. A run that stops on the time limit ends the probing. A refuted
    guess is itself a bound: no allocation lies above its cutoff (D-alloc-23), so each run
    stops as soon as it holds an allocation that this bound or ``ceiling`` proves optimal. The
    runs have no absolute gap: HiGHS may only call a guess refuted once its tree is exhausted,
    never because its bound came within a gap of the cutoff.
    Returns that run (or None), the bound of the refuted guesses (or None) and a note.
    """
    g = model.granularity
    guess = top_guess(g, ceiling)
    began = time.perf_counter()
    tried = 0
    refuted: float | None = None
    while guess - g / 2 > floor:
        left = limit - (time.perf_counter() - began)
        if left < 1:
            break
        cutoff = float(guess - g / 2)
        settings = SolverSettings(
            time_limit=left,
            threads=threads,
            # HiGHS minimises -utility
            extra={**(extra or {}), "objective_bound": -cutoff, "mip_abs_gap": 0.0},
            target=proof_target(g, ceiling, refuted),
        )
        raw = run_highs(model, settings)
        tried += 1
        if raw.values is not None and raw.incumbent is not None and raw.incumbent >= cutoff:
            seconds = time.perf_counter() - began
            return Probe(
                raw,
                refuted,
                f"probing from the bound found {raw.incumbent:g} at guess {guess} "
                f"({_runs(tried)}, {seconds:.2f} s)",
            )
        if not (raw.infeasible or raw.proven_gap):
            break
        refuted = cutoff
        guess -= g
    seconds = time.perf_counter() - began
    return Probe(
        None,
        refuted,
        f"probing from the bound stopped at guess {guess}, nothing found ({_runs(tried)}, "
        f"{seconds:.2f} s)",
    )


def climb(
    model: AllocationModel,
    origin: Start,
    limit: float,
    threads: int | None,
    target: float | None,
) -> Climb:
    """Run the neighbourhood search from ``origin``: what beats it, seconds, a note (D-alloc-19)."""
    report = improve(
        model, origin.values, time_limit=limit, threads=threads, stall=SOLVE_STALL, target=target
    )
    better = choose_start(model, [extract(model, report.values)], origin.objective)
    reached = origin.objective if better is None else better.objective
    note = (
        f"neighbourhood search from {origin.objective} reached {reached} in {report.rounds} rounds"
    )
    return Climb(better, report.seconds, note)


def _runs(count: int) -> str:
    """Say how many solver runs the probing made, in words ("1 run", "3 runs")."""
    return f"{count} run" if count == 1 else f"{count} runs"
