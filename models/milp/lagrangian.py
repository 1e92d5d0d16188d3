"""Bound Eq. (1) below the LP relaxation: a Lagrangian relaxation that keeps the capacity knapsack.

The LP relaxation's bound can lie a few units of utility above the optimum, and that gap is a
packing argument: the relaxation prices every execution node's CPU alike and admits
transactions by halves, which no integer allocation can do. Branch and bound closes such a gap
slowly, because thousands of near-equal packings must each be cut off (D-alloc-22,
allocation.md §6).

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
capacity (:mod:`.knapsack`) picks one per transaction (HiGHS's branch and bound on the whole
relaxation where the programme does not apply). The relaxation's best admissions are kept, for
the oracle to place (:func:`~.start.repair`).

Not a spec module: it drives an external solver and stops on wall-clock time.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

import highspy
import numpy as np
import pulp

from vdlt_spec.models.milp.knapsack import by_dynamic_programming
from vdlt_spec.models.milp.model import AllocationModel
from vdlt_spec.models.milp.solvers import load_highs

#: Node capacity rows (``<family>_<node>``) summed into one knapsack row per family whose
#: duals bind. The CPU knapsack alone, in whole rate units, is solved by a dynamic programme;
#: when storage or bandwidth rows bind too, branch and bound on the relaxation with all of
#: their knapsacks may then tighten the bound further.
KNAPSACK_FAMILIES = ("cpu", "capacity_storage", "capacity_bandwidth")
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
    :func:`~.bounds.relax` keeps them) or solves it for them, and builds
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
        solved = by_dynamic_programming(cpu_sub, owner, admits, unit, left, threads, leaning)
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
        # on small models it settles quickly; on large ones it would find no useful bound
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
