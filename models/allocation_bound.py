"""Bound Eq. (1) below the LP relaxation: a Lagrangian relaxation that keeps the capacity knapsack.

On generated 200 x 40 instances the LP relaxation's bound lies 1-4 units of utility above the
optimum, and the gap is a packing argument: the relaxation prices every execution node's CPU
alike (0.8125 tx/s per GHz on all 40 of them, throughput seed 1) and admits two transactions
by halves, which no integer allocation can do. Branch and bound closes that gap slowly, because
thousands of near-equal packings must each be cut off (D-alloc-22, allocation.md §6).

This module closes most of it with a Lagrangian relaxation (D-alloc-23). Take the LP
relaxation's row duals y. Keep every row of one transaction alone (its group, levels, latency,
security, cost, ...) and one knapsack row: the sum of the CPU capacity rows whose duals bind,
against their total capacity. Every other row (the node capacities themselves, the control
tier, C1, the symmetry rows) moves into the objective, priced at its dual; the CPU rows of the
knapsack at their dual minus the knapsack's common price, which the knapsack row now enforces
instead. For any multipliers of the right signs the optimum of this relaxation bounds the
optimum of Eq. (1) (weak Lagrangian duality), and with the LP's own duals it is never above
the LP bound; it is lower because the knapsack is solved in integers: a transaction is
admitted whole or not at all. What is left is a multiple-choice knapsack: each transaction's
options (CPU used, value) come from its own small MIP, and a dynamic programme over the
capacity picks one per transaction (HiGHS's branch and bound on the whole relaxation where the
programme does not apply). With this bound, and the allocations that the relaxation's
admissions (throughput) or the probing (welfare) then find, 9 of the 10 benchmark instances of
issue 6 are proven optimal, in a median of 3.9 s.

Not a spec module: it drives an external solver and stops on wall-clock time.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import highspy
import numpy as np
import pulp

from vdlt_spec.models.allocation_search import load_highs

if TYPE_CHECKING:
    from vdlt_spec.models.allocation import AllocationModel

#: Node capacity rows (``<family>_<node>``) summed into one knapsack row per family whose
#: duals bind. The CPU knapsack alone, in whole rate units, is solved by a dynamic programme;
#: when storage or bandwidth rows bind too, branch and bound on the relaxation with all of
#: their knapsacks may then tighten the bound further (on 40 x 8 instances it did, by up to 11
#: units of welfare; on the 200 x 40 set it changed no proof).
KNAPSACK_FAMILIES = ("cpu", "capacity_storage", "capacity_bandwidth")
#: Weight of the LP relaxation's admission of a transaction when the dynamic programme breaks
#: ties between optimal selections (D-alloc-23); far below any utility step.
PREFERENCE = 1e-6
#: Time for branch and bound with every binding knapsack after the dynamic programme, as a
#: multiple of the programme's own time (D-alloc-23).
SECOND_OPINION = 1.0
#: A dual this close to 0 is taken as 0 (not binding).
DUAL_TOLERANCE = 1e-9
#: Relative widening of the bound for the floating-point arithmetic of the duals and of HiGHS,
#: as for the LP relaxation's bound (D-alloc-20).
MARGIN = 1e-6

_FAMILY = re.compile(r"^(?P<family>[a-z_]+?)_(?P<node>\d+)$")


@dataclass(frozen=True)
class LagrangianBound:
    """Report the Lagrangian bound: its value on the utility (None if none), seconds, detail."""

    bound: float | None
    seconds: float
    detail: str
    admitted: frozenset[int] | None = None  # the relaxation's best admissions, to repair


def lagrangian_bound(
    model: AllocationModel,
    *,
    time_limit: float | None,
    threads: int | None = None,
    best: Fraction | None = None,
    relaxed: tuple[Sequence[float], Mapping[str, float]] | None = None,
) -> LagrangianBound:
    """Bound the utility of Eq. (1) by Lagrangian relaxation with the knapsacks kept (D-alloc-23).

    Takes the LP relaxation's row duals and column values from ``relaxed`` (as
    :func:`~vdlt_spec.models.allocation.relax` keeps them) or solves it for them, and builds
    the relaxation described in the module's docstring. With the CPU knapsack alone it is
    solved exactly by a dynamic programme; when storage or bandwidth rows bind as well (and the
    programme's bound does not already prove ``best``, the utility of a known allocation)
    HiGHS solves the relaxation with all the knapsacks, stopping once its bound can no longer
    drop by a granularity step (its incumbent lies in the same step) or proves ``best``; the
    tighter bound is returned. A bound at a stop or at ``time_limit`` is valid; it is widened
    by :data:`MARGIN` for floating point. Only for the hard (not elastic) maximisation model.
    """
    began = time.perf_counter()
    if model.relaxation.elastic or model.problem.sense != pulp.LpMaximize:
        return LagrangianBound(None, 0.0, "Lagrangian bound: only for the maximisation model")
    h = load_highs(model, threads)
    lp = h.getLp()
    if relaxed is None:
        h.setOptionValue("solve_relaxation", True)
        if time_limit is not None:
            h.setOptionValue("time_limit", max(time_limit, 0.1))
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            status = h.getModelStatus().name
            return LagrangianBound(None, _since(began), f"Lagrangian bound: LP relaxation {status}")
        solution = h.getSolution()
        relaxed = (solution.row_dual, dict(zip(_columns(model), solution.col_value, strict=True)))
    duals = np.array(relaxed[0], dtype=np.float64)
    owner = _owners(model)
    sub, constant, families = _relaxation(model, lp, duals, owner, KNAPSACK_FAMILIES)
    unit = _rate_unit(model)
    fast = None
    if "cpu" in families and unit is not None:
        # the CPU knapsack in whole rate units: per transaction a staircase, then a dynamic
        # programme over the capacity, exact and much faster than branch and bound
        cpu_sub, cpu_constant = (
            (sub, constant)
            if families == ["cpu"]
            else _relaxation(model, lp, duals, owner, ("cpu",))[:2]
        )
        left = None if time_limit is None else time_limit - _since(began)
        column = _columns(model)
        admits = {n: column[v.name] for n, v in model.admit.items()}
        leaning = {n: relaxed[1].get(v.name, 0.0) for n, v in model.admit.items()}
        solved = _by_dynamic_programming(cpu_sub, owner, admits, unit, left, threads, leaning)
        if solved is not None:
            bound = _widen(-(solved[0] + cpu_constant))
            capacity = cpu_sub.row_upper_[cpu_sub.num_row_ - 1]
            seconds = _since(began)
            fast = LagrangianBound(
                bound,
                seconds,
                f"Lagrangian bound {bound:.6g} in {seconds:.2f} s (dynamic programme over "
                f"{capacity:g} GHz of capacity)",
                solved[1],
            )
            g = float(model.granularity)
            if families == ["cpu"] or (best is not None and bound < float(best) + g):
                return fast
    if fast is not None:
        # a second opinion with every binding knapsack, for no longer than the programme took:
        # on 200 x 40 it settles in 1-1.5 s, at 1000 x 100 it had no useful bound after 20 s
        second = _since(began) + SECOND_OPINION * fast.seconds
        time_limit = second if time_limit is None else min(time_limit, second)
    slow = _by_branch_and_bound(model, sub, constant, began, time_limit, threads, best)
    if fast is None:
        return slow
    keep_fast = slow.bound is None or (fast.bound is not None and fast.bound <= slow.bound)
    tighter = fast if keep_fast else slow
    return replace(tighter, seconds=_since(began), detail=f"{fast.detail}; {slow.detail}")


def _by_branch_and_bound(
    model: AllocationModel,
    sub: highspy.HighsLp,
    constant: float,
    began: float,
    time_limit: float | None,
    threads: int | None,
    best: Fraction | None,
) -> LagrangianBound:
    """Solve the relaxation with HiGHS as one MIP; its bound at a stop is still valid."""
    g = float(model.granularity)
    solver = highspy.Highs()  # type: ignore[no-untyped-call]
    solver.setOptionValue("output_flag", False)
    solver.passModel(sub)
    solver.setOptionValue("mip_rel_gap", 0.0)
    solver.setOptionValue("mip_abs_gap", 0.0)
    if threads is not None:
        solver.setOptionValue("threads", threads)
    if time_limit is not None:
        left = time_limit - _since(began)
        if left < 0.1:
            return LagrangianBound(None, _since(began), "Lagrangian bound: no time left")
        solver.setOptionValue("time_limit", left)

    def settled(event: Any) -> None:
        # stop once no further granularity step can be gained, or ``best`` is proven
        out = event.data_out
        if not (math.isfinite(out.mip_dual_bound) and math.isfinite(out.mip_primal_bound)):
            return
        bound = _widen(-(out.mip_dual_bound + constant))
        found = -(out.mip_primal_bound + constant)
        if math.floor(bound / g) <= math.floor(found / g) or (
            best is not None and bound < float(best) + g
        ):
            event.interrupt()

    solver.cbMipInterrupt.subscribe(settled)
    solver.run()
    info = solver.getInfo()
    status = solver.getModelStatus()
    ms = highspy.HighsModelStatus
    if status in (ms.kInfeasible, ms.kUnboundedOrInfeasible):
        # the relaxation of a model with a feasible point is feasible: claim nothing
        return LagrangianBound(None, _since(began), f"Lagrangian bound: HiGHS {status.name}")
    if not math.isfinite(info.mip_dual_bound):
        return LagrangianBound(None, _since(began), f"Lagrangian bound: HiGHS {status.name}")
    bound = _widen(-(info.mip_dual_bound + constant))
    admitted = None
    if info.primal_solution_status == 2:  # kSolutionStatusFeasible
        values = solver.getSolution().col_value
        column = _columns(model)
        admitted = frozenset(n for n, v in model.admit.items() if values[column[v.name]] > 0.5)
    seconds = _since(began)
    return LagrangianBound(
        bound,
        seconds,
        f"Lagrangian bound {bound:.6g} in {seconds:.2f} s (HiGHS {status.name}, "
        f"{sub.num_row_} rows kept)",
        admitted,
    )


def _rate_unit(model: AllocationModel) -> float | None:
    """Return the largest rate that divides every rate level (GHz), the knapsack's unit."""
    levels = model.instance.rate_levels_ghz
    if not levels:
        return None
    denominator = math.lcm(*(r.denominator for r in levels))
    unit = Fraction(math.gcd(*(r.numerator * (denominator // r.denominator) for r in levels)))
    return float(unit / denominator)


def _by_dynamic_programming(
    sub: highspy.HighsLp,
    owner: Any,
    admits: dict[int, int],
    unit: float,
    time_limit: float | None,
    threads: int | None,
    preference: dict[int, float] | None = None,
) -> tuple[float, frozenset[int]] | None:
    """Solve a relaxation whose one coupling row is a knapsack in whole units (D-alloc-23).

    Each transaction's own rows form a small MIP; its staircase of options (size on the
    knapsack, best value at that size or below) comes from solving it, then again with the
    size capped one unit below the last, until only "not admitted" (size 0) or nothing is
    left. A dynamic programme over the capacity then picks one option per transaction. The
    C1 auxiliaries, in no row, sit at whichever bound their cost prefers. Returns the
    relaxation's optimum (HiGHS's minimisation) and the admissions of an optimal selection
    that leans to ``preference`` (per transaction, e.g. its LP admission), or None when a
    transaction's MIP is not solved to optimality or the time runs out.
    """
    began = time.perf_counter()
    nrow, ncol = sub.num_row_, sub.num_col_
    start = np.array(sub.a_matrix_.start_, dtype=np.int64)
    index = np.array(sub.a_matrix_.index_, dtype=np.int64)
    value = np.array(sub.a_matrix_.value_, dtype=np.float64)
    cost = np.array(sub.col_cost_, dtype=np.float64)
    col_lower = np.array(sub.col_lower_, dtype=np.float64)
    col_upper = np.array(sub.col_upper_, dtype=np.float64)
    row_lower = np.array(sub.row_lower_, dtype=np.float64)
    row_upper = np.array(sub.row_upper_, dtype=np.float64)
    integrality = list(sub.integrality_)
    knapsack = nrow - 1
    k_cols = index[start[knapsack] : start[knapsack + 1]]
    sizes = value[start[knapsack] : start[knapsack + 1]] / unit
    if np.any(np.abs(sizes - np.round(sizes)) > 1e-9):
        return None
    size = np.zeros(ncol, dtype=np.int64)
    size[k_cols] = np.round(sizes).astype(np.int64)
    capacity = math.floor(row_upper[knapsack] / unit + 1e-9)

    free = owner < 0
    total = float(np.minimum(cost[free] * col_lower[free], cost[free] * col_upper[free]).sum())
    row_owner = owner[index[start[:knapsack]]]
    rows_of: dict[int, list[int]] = {}
    for r, n in enumerate(row_owner.tolist()):
        rows_of.setdefault(n, []).append(r)
    staircases: dict[int, list[tuple[int, float, bool]]] = {}
    position = np.full(ncol, -1, dtype=np.int64)
    for n in np.unique(owner[owner >= 0]).tolist():
        if time_limit is not None and time.perf_counter() - began > time_limit:
            return None
        cols = np.flatnonzero(owner == n)
        position[cols] = np.arange(len(cols))
        options = _staircase(
            cols,
            position,
            int(position[admits[n]]),
            rows_of.get(n, []),
            (start, index, value, row_lower, row_upper),
            (cost, col_lower, col_upper, integrality),
            size,
            threads,
        )
        if options is None:
            return None
        staircases[n] = options
    optimum = _knapsack(staircases, capacity, {})
    if optimum is None:
        return None
    # the admissions to place: an optimal selection that leans to the LP relaxation's own
    # admissions, which fit the nodes fractionally (a tie-break worth at most 10^-6 per
    # transaction; the bound is the exact programme's)
    shift = {n: -PREFERENCE * (preference or {}).get(n, 0.0) for n in staircases}
    chosen = _knapsack(staircases, capacity, shift)
    return optimum[0] + total, (chosen or optimum)[1]


def _knapsack(
    staircases: dict[int, list[tuple[int, float, bool]]],
    capacity: int,
    shift: dict[int, float],
) -> tuple[float, frozenset[int]] | None:
    """Pick one option per transaction within the capacity, least total value (shifted)."""
    best = np.zeros(capacity + 1)  # least total value within each capacity
    choices: list[tuple[int, list[tuple[int, float, bool]], Any]] = []
    for n, options in staircases.items():
        merged = np.full(capacity + 1, np.inf)
        picked = np.full(capacity + 1, -1, dtype=np.int64)
        for o, (s_, v, admits) in enumerate(options):
            if s_ > capacity:
                continue
            candidate = best[: capacity + 1 - s_] + v + (shift.get(n, 0.0) if admits else 0.0)
            better = candidate < merged[s_:]
            merged[s_:][better] = candidate[better]
            picked[s_:][better] = o
        best = merged
        choices.append((n, options, picked))
    optimum = float(best[capacity])
    if not math.isfinite(optimum):
        return None
    # of the optimal selections, the one that uses the least capacity: the fuller the nodes,
    # the harder its admissions are to place
    left = int(np.flatnonzero(best <= optimum + 1e-9 * (1 + abs(optimum)))[0])
    admitted = set()
    for n, options, picked in reversed(choices):
        s_, _, admits = options[int(picked[left])]
        if admits:
            admitted.add(n)
        left -= s_
    return optimum, frozenset(admitted)


def _staircase(
    cols: Any,
    position: Any,
    admit: int,
    rows: list[int],
    matrix: tuple[Any, Any, Any, Any, Any],
    columns: tuple[Any, Any, Any, list[Any]],
    size: Any,
    threads: int | None,
) -> list[tuple[int, float, bool]] | None:
    """Return one transaction's options: (size, least value at that size or below, admits)."""
    start, index, value, row_lower, row_upper = matrix
    cost, col_lower, col_upper, integrality = columns
    starts, indexes, values = [0], [], []
    for r in rows:
        a, b = start[r], start[r + 1]
        indexes.append(position[index[a:b]])
        values.append(value[a:b])
        starts.append(starts[-1] + b - a)
    weights = size[cols]
    heavy = np.flatnonzero(weights)
    indexes.append(heavy)
    values.append(weights[heavy].astype(np.float64))
    starts.append(starts[-1] + len(heavy))
    lp = highspy.HighsLp()
    lp.num_col_ = len(cols)
    lp.num_row_ = len(rows) + 1
    lp.col_cost_ = cost[cols]
    lp.col_lower_ = col_lower[cols]
    lp.col_upper_ = col_upper[cols]
    lp.row_lower_ = np.append(row_lower[rows], -np.inf)
    lp.row_upper_ = np.append(row_upper[rows], np.inf)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.concatenate(indexes).astype(np.int32)
    lp.a_matrix_.value_ = np.concatenate(values)
    lp.integrality_ = [integrality[c] for c in cols.tolist()]
    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    h.setOptionValue("presolve", "off")  # for 50 columns it costs more than it saves (2.5 ms)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 0.0)
    if threads is not None:
        h.setOptionValue("threads", threads)
    h.passModel(lp)
    options: list[tuple[int, float, bool]] = []
    ms = highspy.HighsModelStatus
    while True:
        h.run()
        status = h.getModelStatus()
        if status == ms.kInfeasible:
            return options
        if status != ms.kOptimal:
            return None
        x = np.array(h.getSolution().col_value)
        used = round(float(weights @ x))
        options.append((used, h.getInfo().objective_function_value, x[admit] > 0.5))
        if used == 0:
            return options
        h.changeRowBounds(len(rows), -np.inf, used - 0.5)


def _since(began: float) -> float:
    return time.perf_counter() - began


def _widen(bound: float) -> float:
    return bound + MARGIN * (1 + abs(bound))


def _relaxation(
    model: AllocationModel,
    lp: Any,
    duals: Any,
    owner: Any,
    knapsack_families: tuple[str, ...],
) -> tuple[highspy.HighsLp, float, list[str]]:
    """Return the Lagrangian relaxation at ``duals`` (HiGHS's, minimising) and its constant.

    HiGHS minimises -utility; the relaxation's optimum plus the constant (the dualized rows'
    sum of multiplier times right-hand side) bounds that minimum from below. ``owner`` maps
    each column to its transaction (:func:`_owners`); the rows of ``knapsack_families`` with
    binding duals become the knapsack rows.
    """
    ncol, nrow = lp.num_col_, lp.num_row_
    names = [c.name for c in model.problem.constraints()]  # in the order PuLP passes them
    if len(names) != nrow:  # PuLP passes the rows in this order; anything else is a bug
        raise RuntimeError(f"model has {len(names)} rows, HiGHS {nrow}")
    start, index, value = _rowwise(lp.a_matrix_, nrow, ncol)
    row_of = np.repeat(np.arange(nrow), np.diff(start))
    lower = np.array(lp.row_lower_, dtype=np.float64)
    upper = np.array(lp.row_upper_, dtype=np.float64)
    col_upper = np.array(lp.col_upper_, dtype=np.float64)

    local = _local_rows(start, owner[index], nrow)
    y = np.where(np.abs(duals) <= DUAL_TOLERANCE, 0.0, duals)
    # a multiplier must price a side its row has: >= rows (finite lower) take y >= 0, <= rows
    # (finite upper) y <= 0 when minimising; a sign that only round-off gave is dropped
    y = np.where((y > 0) & ~np.isfinite(lower), 0.0, y)
    y = np.where((y < 0) & ~np.isfinite(upper), 0.0, y)
    y[local] = 0.0

    knapsacks: list[tuple[Any, float]] = []  # (dense row, capacity)
    kept_families: list[str] = []
    for family, rows in _families(names, knapsack_families).items():
        binding = [i for i in rows if y[i] < 0]
        if not binding:
            continue
        common = float(y[binding].max())  # the smallest price: every shifted one stays <= 0
        y[binding] -= common
        row = np.zeros(ncol)
        chosen = np.isin(row_of, binding)
        np.add.at(row, index[chosen], value[chosen])
        knapsacks.append((row, float(upper[binding].sum())))
        kept_families.append(family)

    side = np.where(y > 0, lower, np.where(y < 0, upper, 0.0))
    constant = float(y @ side)
    reduced = np.array(lp.col_cost_, dtype=np.float64)
    np.add.at(reduced, index, -value * y[row_of])
    # the C1 auxiliaries appear in no kept row: bound them by the total throughput, which no
    # load, no theta and no excess of a feasible allocation exceeds
    total = float(sum(t.throughput_tps for t in model.instance.transactions))
    col_upper = np.where((owner < 0) & ~np.isfinite(col_upper), total, col_upper)

    kept = np.flatnonzero(local)
    keep_entry = local[row_of]
    counts = [np.diff(start)[kept]]
    indexes, values = [index[keep_entry]], [value[keep_entry]]
    for row, _ in knapsacks:
        nonzero = np.flatnonzero(row)
        counts.append(np.array([len(nonzero)]))
        indexes.append(nonzero)
        values.append(row[nonzero])
    sub = highspy.HighsLp()
    sub.num_col_ = ncol
    sub.num_row_ = len(kept) + len(knapsacks)
    sub.col_cost_ = reduced
    sub.col_lower_ = np.array(lp.col_lower_, dtype=np.float64)
    sub.col_upper_ = col_upper
    sub.row_lower_ = np.concatenate([lower[kept], np.full(len(knapsacks), -np.inf)])
    sub.row_upper_ = np.concatenate([upper[kept], [cap for _, cap in knapsacks]])
    sub.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    sub.a_matrix_.start_ = np.concatenate([[0], np.cumsum(np.concatenate(counts))]).astype(np.int32)
    sub.a_matrix_.index_ = np.concatenate(indexes).astype(np.int32)
    sub.a_matrix_.value_ = np.concatenate(values)
    sub.integrality_ = list(lp.integrality_)
    return sub, constant, kept_families


def _rowwise(a: Any, nrow: int, ncol: int) -> tuple[Any, Any, Any]:
    """Return a HiGHS matrix as row starts, column indexes and values."""
    start = np.array(a.start_, dtype=np.int64)
    index = np.array(a.index_, dtype=np.int64)
    value = np.array(a.value_, dtype=np.float64)
    if a.format_ == highspy.MatrixFormat.kRowwise:
        return start, index, value
    col_of = np.repeat(np.arange(ncol), np.diff(start))
    order = np.lexsort((col_of, index))  # by row, then column
    counts = np.bincount(index, minlength=nrow)
    return np.concatenate([[0], np.cumsum(counts)]), col_of[order], value[order]


def _columns(model: AllocationModel) -> dict[str, int]:
    """Map each variable's name to its column in HiGHS (PuLP passes them in this order)."""
    return {v.name: i for i, v in enumerate(model.problem.variables())}


def _owners(model: AllocationModel) -> Any:
    """Map each column to the transaction whose decision it is, -1 for the shared ones."""
    column = _columns(model)
    owner = np.full(len(column), -1, dtype=np.int64)
    groups: Iterable[tuple[int, pulp.LpVariable]] = [
        *model.admit.items(),
        *((n, v) for (n, _), v in model.control.items()),
        *((n, v) for (n, _, _), v in model.place.items()),
        *model.size.items(),
        *model.faults.items(),
    ]
    for n, v in groups:
        owner[column[v.name]] = n
    return owner


def _local_rows(start: Any, owners: Any, nrow: int) -> Any:
    """Tell for each row whether all its columns belong to one transaction."""
    counts = np.diff(start)
    local = np.zeros(nrow, dtype=bool)
    nonempty = np.flatnonzero(counts > 0)
    if len(owners):
        low = np.minimum.reduceat(owners, start[nonempty])
        high = np.maximum.reduceat(owners, start[nonempty])
        local[nonempty] = (low >= 0) & (low == high)
    return local


def _families(names: list[str], kept: tuple[str, ...]) -> dict[str, list[int]]:
    """Group the node capacity rows of the ``kept`` resources by resource."""
    families: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        match = _FAMILY.match(name)
        if match and match["family"] in kept:
            families.setdefault(match["family"], []).append(i)
    return families
