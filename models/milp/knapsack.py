"""Solve a Lagrangian relaxation whose one coupling row is a knapsack in whole units (D-alloc-23).

Each transaction's own rows form a small MIP; its staircase of options (size on the knapsack,
best value at that size or below) comes from solving it repeatedly with a shrinking size cap,
and a dynamic programme over the capacity then picks one option per transaction: exact, and
much faster than branch and bound on the whole relaxation.

Not a spec module: it drives an external solver and stops on wall-clock time.
"""

from __future__ import annotations

import math
import time
from typing import Any

import highspy
import numpy as np

#: Weight of the LP relaxation's admission of a transaction when the dynamic programme breaks
#: ties between optimal selections (D-alloc-23); far below any utility step.
PREFERENCE = 1e-6


def by_dynamic_programming(
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
    h.setOptionValue("presolve", "off")  # on a few dozen columns it costs more than it saves
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
