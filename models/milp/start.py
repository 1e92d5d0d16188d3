"""Choose the allocation the solver starts from, and repair the Lagrangian admissions (D-alloc-12).

The candidate starts are the LP-guided rounding and the density greedy (or an allocation handed
in); the best one the exact evaluator accepts and the model can take seeds the solver. Under
throughput, where admissions alone fix the utility, the Lagrangian relaxation's admitted set is
also placed by HiGHS (D-alloc-23): a primal heuristic that often reaches the bound.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from vdlt_spec.allocation.decision import Allocation
from vdlt_spec.allocation.evaluator import evaluate
from vdlt_spec.allocation.instance import Instance, Node, TransactionStream
from vdlt_spec.models.milp.bounds import Relaxed, proof_target, relax, top_guess
from vdlt_spec.models.milp.model import AllocationModel, build_model
from vdlt_spec.models.milp.solution import extract, start_values
from vdlt_spec.models.milp.solvers import SolverSettings, run_highs

#: Share of a time limit (or seconds, without one) for placing the Lagrangian relaxation's
#: admissions (D-alloc-23; throughput only, where admissions alone fix the utility).
REPAIR_SHARE = 0.1
REPAIR_CAP_S = 10.0


@dataclass(frozen=True)
class Start:
    """Hold an evaluator-feasible allocation, its values in the model and its exact utility."""

    allocation: Allocation
    values: dict[str, float]
    objective: Fraction


@dataclass(frozen=True)
class Repair:
    """Report a repair: the allocation placing the Lagrangian admissions (if found), a note."""

    found: Allocation | None
    note: str


def lp_guided(
    model: AllocationModel, threads: int | None = None, relaxed: Relaxed | None = None
) -> Allocation:
    """Place greedily in the order of the LP relaxation's admissions and placements (§IV-G).

    Runs the baselines' greedy with transactions ordered by their fractional admission x in
    the LP relaxation (solved here unless given) and nodes ranked by their fractional
    placement y: a rounding heuristic that seeds the solver (D-alloc-12); not a baseline.
    """
    from vdlt_spec.allocation.baselines import density, greedy

    inst = model.instance
    values = (relaxed or relax(model, threads)).values
    admit = {n: values.get(v.name, 0.0) for n, v in model.admit.items()}
    share: dict[tuple[int, int], float] = defaultdict(float)
    for (n, j, _), v in model.place.items():
        share[(n, j)] += values.get(v.name, 0.0)
    t_index, n_index = inst.transaction_index, inst.node_index
    order = sorted(
        inst.transactions,
        key=lambda t: (not t.mandatory, -admit[t_index[t.id]], -density(inst, t), t.id),
    )

    def rank(tx: TransactionStream, node: Node, state: Any) -> tuple[object, ...]:
        return (-share[(t_index[tx.id], n_index[node.id])], state.load[node.id], node.id)

    return greedy(inst, order, rank)


def heuristic_starts(
    model: AllocationModel, threads: int | None = None, relaxed: Relaxed | None = None
) -> list[Allocation]:
    """Return the candidate warm starts: LP-guided rounding and the density greedy (§IV-G).

    The per-class greedy is a baseline to score against, not a start: it is far below these
    two on the benchmark instances and costs preparation time (D-alloc-12).
    """
    from vdlt_spec.allocation.baselines import density_greedy

    return [lp_guided(model, threads, relaxed), density_greedy(model.instance)]


def choose_start(
    model: AllocationModel, starts: Iterable[Allocation], above: Fraction | None = None
) -> Start | None:
    """Return the best evaluator-feasible start that the model can take, if any beats ``above``."""
    best: Start | None = None
    for candidate in starts:
        ev = evaluate(model.instance, candidate)
        floor = best.objective if best is not None else above
        if not ev.feasible or (floor is not None and ev.objective <= floor):
            continue
        values = start_values(model, candidate)
        if values is not None:
            best = Start(candidate, values, ev.objective)
    return best


def best_start(instance: Instance, threads: int | None = None) -> Allocation | None:
    """Return the best feasible warm start, LP-guided or a baseline, if any (D-alloc-12)."""
    model = build_model(instance)
    chosen = choose_start(model, heuristic_starts(model, threads))
    return None if chosen is None else chosen.allocation


def repair(
    model: AllocationModel,
    admitted: frozenset[int],
    limit: float,
    threads: int | None,
    ceiling: float | None,
) -> Repair:
    """Place exactly the admissions of the Lagrangian relaxation's best solution (D-alloc-23).

    The relaxation keeps each transaction's own constraints and the total capacity, so its
    admitted set usually fits the nodes too; HiGHS then only has to find the placements. With
    a ``ceiling`` (a bound), only placements worth its last granularity step count (an
    objective cutoff half a step below it), and the run stops at the first. Returns the
    allocation found, if any, and a note.
    """
    began = time.perf_counter()
    extra: dict[str, Any] = {}
    target = None
    if ceiling is not None:
        g = model.granularity
        # HiGHS minimises -utility: a cutoff half a step under the top guess
        extra["objective_bound"] = -float(top_guess(g, ceiling) - g / 2)
        target = proof_target(g, ceiling)
    saved = {n: (x.lowBound, x.upBound) for n, x in model.admit.items()}
    try:
        for n, x in model.admit.items():
            x.lowBound = x.upBound = 1 if n in admitted else 0
        settings = SolverSettings(time_limit=limit, threads=threads, extra=extra, target=target)
        raw = run_highs(model, settings)
    finally:
        for n, x in model.admit.items():
            x.lowBound, x.upBound = saved[n]
    seconds = time.perf_counter() - began
    if raw.values is None:
        return Repair(None, f"no placement of the Lagrangian admissions found ({seconds:.2f} s)")
    return Repair(
        extract(model, raw.values),
        f"Lagrangian admissions placed: {raw.incumbent:g} ({seconds:.2f} s)",
    )
