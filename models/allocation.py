"""Solve Eq. (1) exactly: the allocation MILP, its solvers, honest status, infeasibility diagnosis.

The model is the one written down in docs/allocation.md (§IV-E, §IV-G): binary placement
delta[n, j, l] (transaction n on node j at rate level l), binary control level u[n, m] (rho),
admission x[n], integer group size K[n] and fault bound f[n] = floor((K[n]-1)/3), and the
top-k-sum variables of C1. Every nonlinear part is exact: latency is hyperbolic in the rate,
so rates are discrete levels with precomputed times; the max over replicas is one latency row
per (transaction, node) that needs no big-M (a row whose node is unused still states the valid
"ordering + consensus <= bound").

Reductions, each exact (D-alloc-12): candidates that violate a constraint on their own are not
created; a rate level above the lowest one that meets the latency bound in the worst case (the
largest group, the slowest ordering) is dominated and not created; identical nodes are ordered
by load (symmetry breaking); a heuristic allocation warm-starts the solver.

Statuses are decided here, never taken from the solver's word alone (D-alloc-13): ``optimal``
only when the solver stopped on its gap criterion and its bound is within the objective's
granularity of the exact utility of the returned allocation, which the exact evaluator also
found feasible. PuLP maps HiGHS's time limit to "Optimal" and lets CBC fill variables from a
relaxation on a time-out; both are read past here.

Not a spec module: it measures solve time and drives external solvers.
"""

from __future__ import annotations

import itertools
import math
import os
import re
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from fractions import Fraction
from typing import Any

import highspy
import pulp

from vdlt_spec.allocation import quantities as q
from vdlt_spec.allocation.decision import Allocation, Assignment, Replica
from vdlt_spec.allocation.evaluator import (
    PLACEMENT_CONSTRAINTS,
    SYSTEM,
    Constraint,
    ConstraintReport,
    evaluate,
)
from vdlt_spec.allocation.instance import Instance, Node, TransactionStream, Utility
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.models.allocation_bound import lagrangian_bound
from vdlt_spec.models.allocation_search import (
    SOLVE_STALL,
    improve,
    searches_first,
    worthwhile,
)
from vdlt_spec.roles import NodeRole

#: Constraints the elastic relaxation may violate (the others are structure: one level per
#: replica, one control level per admitted transaction, mandatory admission).
RELAXABLE = PLACEMENT_CONSTRAINTS | {
    Constraint.DECENTRALIZATION,
    Constraint.CPU,
    Constraint.STORAGE,
    Constraint.BANDWIDTH,
    Constraint.CONTROL_CAPACITY,
}
SOLVERS = ("highs", "cbc")
#: A binary is "on" above this value (solvers return floats).
ON = 0.5
#: Safety margin on the float bound when proving exact optimality from the granularity.
BOUND_MARGIN = 1e-7
#: The solvers' absolute gap stays this share below one granularity step (D-alloc-13).
ABS_GAP_MARGIN = 1e-6
#: Placement variables above which the LP relaxation is solved by interior point.
LARGE = 20_000
#: Relative widening of the LP relaxation's objective before it is used as a bound (D-alloc-20).
RELAXATION_MARGIN = 1e-6
#: Share of a solve's time limit the solver has before the neighbourhood search takes over
#: the rest (D-alloc-19).
SOLVER_SHARE = 0.5
#: Share of a solve's time limit for guessing the optimum down from the LP bound (D-alloc-22).
PROBE_SHARE = 0.25
#: Share of a time limit for the Lagrangian bound (D-alloc-23); measured at 200 x 40: 1.3-2.1 s.
BOUND_SHARE = 0.25
#: Share of a time limit (or seconds, without one) for placing the Lagrangian relaxation's
#: admissions (D-alloc-23; throughput only, where admissions alone fix the utility). Measured
#: at 200 x 40: 0.3-2.5 s where the probing took 5-15 s.
REPAIR_SHARE = 0.1
REPAIR_CAP_S = 10.0


class Mode(StrEnum):
    """Say how the model treats a constraint: enforced, elastic, or left out (D-alloc-14)."""

    HARD = "hard"
    SOFT = "soft"
    DROPPED = "dropped"


Key = tuple[Constraint, str]


@dataclass(frozen=True)
class Relaxation:
    """Choose per constraint whether it is hard, elastic or dropped (D-alloc-14)."""

    elastic: bool = False
    dropped: frozenset[Key] = frozenset()

    def mode(self, constraint: Constraint, subject: str) -> Mode:
        """Return how ``constraint`` on ``subject`` enters the model."""
        if (constraint, subject) in self.dropped:
            return Mode.DROPPED
        if self.elastic and constraint in RELAXABLE:
            return Mode.SOFT
        return Mode.HARD


class Status(StrEnum):
    """Report how a solve ended, decided by this module (D-alloc-13)."""

    OPTIMAL = "optimal"
    GAP_REACHED = "gap_reached"
    TIME_LIMIT = "time_limit"
    INFEASIBLE = "infeasible"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Candidate:
    """Hold one placement option: n on node j at rate level l, with coefficients (§IV-E)."""

    n: int
    j: int
    level: int
    rate: Fraction
    time_ms: Fraction
    cost: Fraction


@dataclass
class AllocationModel:
    """Hold a built PuLP problem and the maps from its variables to the instance (§IV-E)."""

    instance: Instance
    relaxation: Relaxation
    problem: pulp.LpProblem
    admit: dict[int, pulp.LpVariable]
    control: dict[tuple[int, int], pulp.LpVariable]
    place: dict[tuple[int, int, int], pulp.LpVariable]
    size: dict[int, pulp.LpVariable]
    faults: dict[int, pulp.LpVariable]
    theta: pulp.LpVariable | None
    excess: dict[int, pulp.LpVariable]
    slacks: dict[Key, pulp.LpVariable]
    candidates: dict[int, list[Candidate]]
    granularity: Fraction
    symmetric_groups: list[list[int]] = field(default_factory=list)

    @property
    def binaries(self) -> int:
        """Return the number of binary variables."""
        return len(self.admit) + len(self.control) + len(self.place)


@dataclass(frozen=True)
class SolveReport:
    """Report a solve: status, exact objective, bound, gap, allocation, diagnosis (D-alloc-13)."""

    instance: str
    solver: str
    status: Status
    proven_optimal: bool
    objective: Fraction | None
    incumbent: float | None
    bound: float | None
    gap: float | None
    seconds: float
    solve_seconds: float
    detail: str
    admitted: int
    transactions: int
    variables: int
    constraints: int
    binaries: int
    warm_start: Fraction | None
    allocation: Allocation | None
    diagnosis: tuple[ConstraintReport, ...] = ()
    searched: Fraction | None = None  # the warm start after the neighbourhood search
    search_seconds: float = 0.0
    relaxation_bound: float | None = None  # the LP relaxation's bound, if it was solved
    lagrangian_bound: float | None = None  # the Lagrangian knapsack bound (D-alloc-23), if any


# --- candidates and reductions -------------------------------------------------------------


def _group_bounds(
    instance: Instance, tx: TransactionStream, relax: Relaxation, nodes: int
) -> tuple[int, int]:
    k_lo = tx.min_replicas if relax.mode(Constraint.REPLICAS_MIN, tx.id) is Mode.HARD else 1
    k_hi = nodes
    if relax.mode(Constraint.REPLICAS_MAX, tx.id) is Mode.HARD:
        k_hi = min(k_hi, instance.max_replicas)
    return k_lo, k_hi


def node_eligible(
    instance: Instance,
    tx: TransactionStream,
    node: Node,
    relax: Relaxation,
    link: Fraction,
) -> bool:
    """Tell whether a node may host the transaction under its hard pair constraints (§IV-G).

    ``link`` is the transaction's link demand (``quantities.link_demand_mbps``), computed once
    per transaction by the caller.
    """

    def hard(c: Constraint, s: str) -> bool:
        return relax.mode(c, s) is Mode.HARD

    lent = node.role is NodeRole.MANAGEMENT_CONTROL and not tx.high_security
    exposed = tx.private and not node.private
    too_big = tx.storage_gb > node.storage_gb
    too_fast = link > node.bandwidth_mbps
    return not (
        (lent and hard(Constraint.ELIGIBILITY, tx.id))
        or (exposed and hard(Constraint.PRIVACY, tx.id))
        or (too_big and hard(Constraint.STORAGE, node.id))
        or (too_fast and hard(Constraint.BANDWIDTH, node.id))
    )


def control_options(instance: Instance, tx: TransactionStream, relax: Relaxation) -> list[int]:
    """Return the control levels that can order the transaction under hard constraints (§IV-B)."""
    out = []
    for m, rho in enumerate(instance.control_levels_ghz):
        slow = rho < q.ordering_demand_ghz(tx)
        too_big = rho > instance.control_capacity_ghz
        too_dear = q.control_cost(instance, rho) > tx.budget
        if (
            (slow and relax.mode(Constraint.ORDERING_THROUGHPUT, tx.id) is Mode.HARD)
            or (too_big and relax.mode(Constraint.CONTROL_CAPACITY, SYSTEM) is Mode.HARD)
            or (too_dear and relax.mode(Constraint.COST, tx.id) is Mode.HARD)
        ):
            continue
        out.append(m)
    return out


def candidates(
    instance: Instance, n: int, relax: Relaxation, controls: Sequence[int]
) -> list[Candidate]:
    """Return the placements of transaction n that survive the exact reductions (D-alloc-12)."""
    tx = instance.transactions[n]
    levels = instance.control_levels_ghz
    if not controls:
        return []
    ords = [q.ordering_ms(tx, levels[m]) for m in controls]
    ctrl_costs = [q.control_cost(instance, levels[m]) for m in controls]

    def hard(c: Constraint, s: str) -> bool:
        return relax.mode(c, s) is Mode.HARD

    link = q.link_demand_mbps(tx)
    eligible = [
        j for j, node in enumerate(instance.nodes) if node_eligible(instance, tx, node, relax, link)
    ]
    k_lo, k_hi = _group_bounds(instance, tx, relax, len(eligible))
    # per transaction, computed once: the latency left in the best case (fastest ordering,
    # smallest group) and the worst (slowest, largest), the budget left after the cheapest
    # ordering, and the levels that meet C3 with their execution times
    best_left = tx.latency_ms - min(ords) - q.consensus_ms(instance, k_lo)
    worst = max(ords) + q.consensus_ms(instance, k_hi) if k_hi >= 1 else None
    budget_left = tx.budget - min(ctrl_costs)
    demand = q.execution_demand_ghz(tx)
    levels_ok = [
        (level, rate, q.execution_ms(tx, rate))
        for level, rate in enumerate(instance.rate_levels_ghz)
        if not (hard(Constraint.THROUGHPUT, tx.id) and rate < demand)
    ]
    latency_hard = hard(Constraint.LATENCY, tx.id)
    cost_hard = hard(Constraint.COST, tx.id)
    out: list[Candidate] = []
    for j in eligible:
        node = instance.nodes[j]
        cpu_hard = hard(Constraint.CPU, node.id)
        transfer = q.transfer_ms(instance, tx, node)
        options: list[Candidate] = []
        for level, rate, execution in levels_ok:
            if cpu_hard and rate > node.cpu_ghz:
                continue
            t = transfer + execution
            if latency_hard and t > best_left:
                continue
            cost = q.replica_cost(tx, node, rate)
            if cost_hard and cost > budget_left:
                continue
            options.append(Candidate(n, j, level, rate, t, cost))
        if latency_hard and worst is not None:
            for index, c in enumerate(options):
                if c.time_ms + worst <= tx.latency_ms:
                    options = options[: index + 1]  # higher levels are dominated
                    break
        out.extend(options)
    return out


def _granularity(values: Iterable[Fraction]) -> Fraction:
    nonzero = [abs(v) for v in values if v != 0]
    if not nonzero:
        return Fraction(1)
    denominator = math.lcm(*(v.denominator for v in nonzero))
    numerator = math.gcd(*(int(v * denominator) for v in nonzero))
    return Fraction(numerator, denominator)


def _identical_groups(instance: Instance) -> list[list[int]]:
    groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for j, node in enumerate(instance.nodes):
        key = (
            node.role,
            node.cpu_ghz,
            node.trust,
            node.compute_price,
            node.storage_price,
            node.storage_gb,
            node.bandwidth_mbps,
            node.private,
            node.region,
        )
        groups[key].append(j)
    return [g for g in groups.values() if len(g) > 1]


# --- the model ------------------------------------------------------------------------------


def _linear(terms: Iterable[tuple[float, Any]]) -> pulp.LpAffineExpression:
    """Return the sum of coefficient * variable-or-expression, like ``pulp.lpSum`` of products.

    The same expression term by term, in the same order, without one intermediate expression
    per product (a third of building the 1000 x 100 model went there).
    """
    expr = pulp.LpAffineExpression()
    for coefficient, term in terms:
        if isinstance(term, pulp.LpAffineExpression):
            expr.addInPlace(term, coefficient)
        else:
            expr.addterm(term, coefficient)
    return expr


def build_model(instance: Instance, relaxation: Relaxation | None = None) -> AllocationModel:
    """Build the MILP of Eq. (1) for an instance; elastic or with constraints dropped (§IV-E)."""
    relax = relaxation or Relaxation()
    elastic = relax.elastic
    sense = pulp.LpMinimize if elastic else pulp.LpMaximize
    prob = pulp.LpProblem("vdlt_allocation", sense)
    txs, nodes = instance.transactions, instance.nodes
    levels = instance.control_levels_ghz
    slacks: dict[Key, pulp.LpVariable] = {}
    penalty: list[Any] = []

    def mode(c: Constraint, s: str) -> Mode:
        return relax.mode(c, s)

    def slack(c: Constraint, s: str, scale: Fraction) -> pulp.LpVariable:
        var = pulp.LpVariable(f"s_{len(slacks)}", lowBound=0)
        slacks[(c, s)] = var
        penalty.append(float(1 / max(scale, Fraction(1, 1000))) * var)
        return var

    admit: dict[int, pulp.LpVariable] = {}
    control: dict[tuple[int, int], pulp.LpVariable] = {}
    place: dict[tuple[int, int, int], pulp.LpVariable] = {}
    size: dict[int, pulp.LpVariable] = {}
    faults: dict[int, pulp.LpVariable] = {}
    cands: dict[int, list[Candidate]] = {}
    by_node: dict[int, list[tuple[int, Any]]] = defaultdict(list)  # j -> (n, y_nj expression)
    rate_on_node: dict[int, list[Any]] = defaultdict(list)
    objective: list[Any] = []
    coefficients: list[Fraction] = []

    for n, tx in enumerate(txs):
        controls = control_options(instance, tx, relax)
        cs = candidates(instance, n, relax, controls)
        cands[n] = cs
        per_node: dict[int, list[Candidate]] = defaultdict(list)
        for c in cs:
            per_node[c.j].append(c)
        k_lo, k_hi = _group_bounds(instance, tx, relax, len(per_node))
        possible = bool(controls) and len(per_node) >= max(k_lo, 1)
        x = pulp.LpVariable(f"x_{n}", cat=pulp.LpBinary)
        if tx.mandatory:
            x.lowBound = 1
        elif not possible:
            x.upBound = 0
        admit[n] = x
        us = {m: pulp.LpVariable(f"u_{n}_{m}", cat=pulp.LpBinary) for m in controls}
        control.update({(n, m): v for m, v in us.items()})
        prob += pulp.lpSum(us.values()) == x, f"one_control_{n}"
        ds = {
            (c.j, c.level): pulp.LpVariable(f"d_{n}_{c.j}_{c.level}", cat=pulp.LpBinary) for c in cs
        }
        place.update({(n, j, lv): v for (j, lv), v in ds.items()})
        k = pulp.LpVariable(f"k_{n}", lowBound=0, upBound=len(per_node), cat=pulp.LpInteger)
        f_hi = q.fault_bound(max(len(per_node), 1))
        f = pulp.LpVariable(f"f_{n}", lowBound=0, upBound=f_hi, cat=pulp.LpInteger)
        size[n], faults[n] = k, f
        prob += k == pulp.lpSum(ds.values()), f"size_{n}"
        prob += k >= x, f"one_replica_{n}"
        # no replica without admission; for a node with a single option this row is what ties
        # its placement to x (a row per such pair would only slow the LP: D-alloc-12)
        prob += k <= len(per_node) * x, f"admitted_{n}"
        prob += 3 * f <= k - x, f"fault_floor_hi_{n}"
        prob += 3 * f >= k - 3 * x, f"fault_floor_lo_{n}"
        # group size bounds
        if mode(Constraint.REPLICAS_MIN, tx.id) is Mode.HARD:
            prob += k >= tx.min_replicas * x, f"kmin_{n}"
        elif mode(Constraint.REPLICAS_MIN, tx.id) is Mode.SOFT:
            s = slack(Constraint.REPLICAS_MIN, tx.id, Fraction(1))
            prob += k + s >= tx.min_replicas * x, f"kmin_{n}"
        if mode(Constraint.REPLICAS_MAX, tx.id) is Mode.HARD:
            if instance.max_replicas < len(per_node):
                prob += k <= instance.max_replicas * x, f"kmax_{n}"
        elif mode(Constraint.REPLICAS_MAX, tx.id) is Mode.SOFT:
            s = slack(Constraint.REPLICAS_MAX, tx.id, Fraction(1))
            prob += k - s <= instance.max_replicas * x, f"kmax_{n}"
        # per-node: at most one level, and the latency row of that replica
        ord_terms = [(float(q.ordering_ms(tx, levels[m])), v) for m, v in us.items()]
        cons = (
            float(instance.consensus_base_ms) * x
            + float(instance.consensus_per_replica_ms) * k
            + float(instance.consensus_per_fault_ms) * f
        )
        lat_mode = mode(Constraint.LATENCY, tx.id)
        lat_slack = (
            slack(Constraint.LATENCY, tx.id, tx.latency_ms) if lat_mode is Mode.SOFT else None
        )
        thr_mode = mode(Constraint.THROUGHPUT, tx.id)
        thr_slack = (
            slack(Constraint.THROUGHPUT, tx.id, q.execution_demand_ghz(tx))
            if thr_mode is Mode.SOFT
            else None
        )
        # a row whose options all meet the bound in the worst case (slowest ordering, largest
        # group) can never bind: it is left out (D-alloc-12)
        worst_ms = q.consensus_ms(instance, k_hi) + max(
            (q.ordering_ms(tx, levels[m]) for m in controls), default=Fraction(0)
        )
        for j, options in per_node.items():
            y = _linear((1, ds[(c.j, c.level)]) for c in options)
            redundant = lat_mode is Mode.HARD and all(
                c.time_ms + worst_ms <= tx.latency_ms for c in options
            )
            if len(options) > 1:
                prob += y <= x, f"link_{n}_{j}"
            by_node[j].append((n, y))
            rate_on_node[j].extend((float(c.rate), ds[(c.j, c.level)]) for c in options)
            if lat_mode is not Mode.DROPPED and not redundant:
                row = (
                    _linear(ord_terms)
                    + cons
                    + _linear((float(c.time_ms), ds[(c.j, c.level)]) for c in options)
                )
                rhs = float(tx.latency_ms) * x + (lat_slack if lat_slack is not None else 0)
                prob += row <= rhs, f"latency_{n}_{j}"
            if thr_slack is not None:
                need = q.execution_demand_ghz(tx)
                prob += (
                    _linear((float(c.rate - need), ds[(c.j, c.level)]) for c in options) + thr_slack
                    >= 0,
                    f"throughput_{n}_{j}",
                )
        if lat_mode is not Mode.DROPPED and not per_node:
            rhs = float(tx.latency_ms) * x + (lat_slack if lat_slack is not None else 0)
            prob += _linear(ord_terms) + cons <= rhs, f"latency_{n}"
        if mode(Constraint.ORDERING_THROUGHPUT, tx.id) is Mode.SOFT:
            need = q.ordering_demand_ghz(tx)
            s = slack(Constraint.ORDERING_THROUGHPUT, tx.id, need)
            prob += (
                _linear((float(levels[m] - need), v) for m, v in us.items()) + s >= 0,
                f"ordering_{n}",
            )
        # security: expected faulty replicas within f
        untrust = [(float(1 - nodes[c.j].trust), ds[(c.j, c.level)]) for c in cs]
        sec_mode = mode(Constraint.SECURITY, tx.id)
        if sec_mode is Mode.HARD:
            prob += _linear(untrust) <= f, f"security_{n}"
        elif sec_mode is Mode.SOFT:
            s = slack(Constraint.SECURITY, tx.id, Fraction(1))
            prob += _linear(untrust) <= f + s, f"security_{n}"
        # C4 cost
        cost_expr = _linear(
            itertools.chain(
                ((float(c.cost), ds[(c.j, c.level)]) for c in cs),
                ((float(q.control_cost(instance, levels[m])), v) for m, v in us.items()),
            )
        )
        cost_mode = mode(Constraint.COST, tx.id)
        if cost_mode is not Mode.DROPPED:
            dearest = sorted(
                (max(c.cost for c in options) for options in per_node.values()), reverse=True
            )
            worst = sum(dearest[:k_hi], Fraction(0)) + max(
                (q.control_cost(instance, levels[m]) for m in controls), default=Fraction(0)
            )
            if cost_mode is Mode.SOFT:
                s = slack(Constraint.COST, tx.id, max(tx.budget, Fraction(1)))
                prob += cost_expr <= float(tx.budget) * x + s, f"cost_{n}"
            elif worst > tx.budget:
                prob += cost_expr <= float(tx.budget) * x, f"cost_{n}"
        # C5 privacy and control-node eligibility, when elastic
        if mode(Constraint.PRIVACY, tx.id) is Mode.SOFT and tx.private:
            exposed = [ds[(c.j, c.level)] for c in cs if not nodes[c.j].private]
            s = slack(Constraint.PRIVACY, tx.id, Fraction(1))
            prob += pulp.lpSum(exposed) <= s, f"privacy_{n}"
        if mode(Constraint.ELIGIBILITY, tx.id) is Mode.SOFT and not tx.high_security:
            lent = [
                ds[(c.j, c.level)] for c in cs if nodes[c.j].role is NodeRole.MANAGEMENT_CONTROL
            ]
            s = slack(Constraint.ELIGIBILITY, tx.id, Fraction(1))
            prob += pulp.lpSum(lent) <= s, f"eligibility_{n}"
        # objective
        if instance.utility is Utility.THROUGHPUT:
            objective.append(float(tx.throughput_tps) * x)
            coefficients.append(tx.throughput_tps)
        else:
            objective.append(float(tx.value) * x - cost_expr)
            coefficients.append(tx.value)
            coefficients.extend(c.cost for c in cs)
            coefficients.extend(q.control_cost(instance, levels[m]) for m in controls)

    # aggregate capacity: every replica of n reserves at least its lowest candidate rate, and all
    # replicas together fit in the nodes' total rate; implied, but it exposes one knapsack row
    # to the solver's cut generators (D-alloc-12)
    if not elastic:
        reserved = []
        for n, cs in cands.items():
            if cs:
                expr = _linear((float(c.rate), place[(n, c.j, c.level)]) for c in cs)
                reserved.append(expr)
                prob += expr >= float(min(c.rate for c in cs)) * size[n], f"reserved_{n}"
        hard_cpu = [j for j, node in enumerate(nodes) if mode(Constraint.CPU, node.id) is Mode.HARD]
        if len(hard_cpu) == len(nodes) and reserved:
            total_cpu = sum((node.cpu_ghz for node in nodes), Fraction(0))
            prob += pulp.lpSum(reserved) <= float(total_cpu), "total_cpu"

    # node capacities
    storage = [tx.storage_gb for tx in txs]
    link = [q.link_demand_mbps(tx) for tx in txs]
    for j, node in enumerate(nodes):
        hosted = by_node.get(j, [])
        for constraint, cap, demand in (
            (Constraint.STORAGE, node.storage_gb, storage),
            (Constraint.BANDWIDTH, node.bandwidth_mbps, link),
        ):
            terms = [(demand[n], y) for n, y in hosted if demand[n] > 0]
            m_ = mode(constraint, node.id)
            if m_ is Mode.DROPPED or sum((a for a, _ in terms), Fraction(0)) <= cap:
                continue
            expr = _linear((float(a), y) for a, y in terms)
            if m_ is Mode.SOFT:
                expr = expr - slack(constraint, node.id, max(cap, Fraction(1)))
            prob += expr <= float(cap), f"{constraint.value}_{j}"
        m_ = mode(Constraint.CPU, node.id)
        if m_ is not Mode.DROPPED and rate_on_node.get(j):
            expr = _linear(rate_on_node[j])
            if m_ is Mode.SOFT:
                expr = expr - slack(Constraint.CPU, node.id, node.cpu_ghz)
            prob += expr <= float(node.cpu_ghz), f"cpu_{j}"
    m_ = mode(Constraint.CONTROL_CAPACITY, SYSTEM)
    if m_ is not Mode.DROPPED and control:
        expr = _linear((float(levels[m]), v) for (_, m), v in control.items())
        if m_ is Mode.SOFT:
            expr = expr - slack(
                Constraint.CONTROL_CAPACITY, SYSTEM, max(instance.control_capacity_ghz, Fraction(1))
            )
        prob += expr <= float(instance.control_capacity_ghz), "control_capacity"

    # C1: the top (D-1) loads hold at most share phi of all load (Ogryczak-Tamir top-k sum)
    theta = None
    excess: dict[int, pulp.LpVariable] = {}
    top = instance.decentralization_nodes - 1
    m_ = mode(Constraint.DECENTRALIZATION, SYSTEM)
    if top >= 1 and m_ is not Mode.DROPPED:
        theta = pulp.LpVariable("theta", lowBound=0)
        loads = {
            j: _linear((float(txs[n].throughput_tps), y) for n, y in hosted)
            for j, hosted in by_node.items()
        }
        for j, load in loads.items():
            excess[j] = pulp.LpVariable(f"e_{j}", lowBound=0)
            prob += excess[j] >= load - theta, f"excess_{j}"
        total = _linear((float(txs[n].throughput_tps), size[n]) for n in size)
        rhs = float(instance.decentralization_share) * total
        if m_ is Mode.SOFT:
            total_tps = sum((t.throughput_tps for t in txs), Fraction(0))
            rhs = rhs + slack(Constraint.DECENTRALIZATION, SYSTEM, max(total_tps, Fraction(1)))
        prob += top * theta + pulp.lpSum(excess.values()) <= rhs, "decentralization"

    # symmetry breaking: identical nodes carry non-increasing loads, in list order
    groups: list[list[int]] = []
    if not elastic and not relax.dropped:
        for group in _identical_groups(instance):
            groups.append(group)
            for a, b in itertools.pairwise(group):
                la = _linear((float(txs[n].throughput_tps), y) for n, y in by_node.get(a, []))
                lb = _linear((float(txs[n].throughput_tps), y) for n, y in by_node.get(b, []))
                prob += la >= lb, f"symmetry_{a}_{b}"

    prob += pulp.lpSum(penalty) if elastic else pulp.lpSum(objective)
    return AllocationModel(
        instance=instance,
        relaxation=relax,
        problem=prob,
        admit=admit,
        control=control,
        place=place,
        size=size,
        faults=faults,
        theta=theta,
        excess=excess,
        slacks=slacks,
        candidates=cands,
        granularity=_granularity(coefficients),
        symmetric_groups=groups,
    )


# --- reading and writing solutions ------------------------------------------------------------


def extract(model: AllocationModel, values: dict[str, float]) -> Allocation:
    """Read the allocation encoded by the variable values of a solved model (§IV-E)."""
    inst = model.instance
    assignments = []
    for n, x in model.admit.items():
        if values.get(x.name, 0.0) <= ON:
            continue
        ms = [m for (nn, m), v in model.control.items() if nn == n and values.get(v.name, 0) > ON]
        replicas = [
            Replica(inst.nodes[c.j].id, c.rate)
            for c in model.candidates[n]
            if values.get(model.place[(n, c.j, c.level)].name, 0.0) > ON
        ]
        rho = inst.control_levels_ghz[ms[0]] if ms else inst.control_levels_ghz[0]
        assignments.append(Assignment(inst.transactions[n].id, rho, tuple(replicas)))
    return Allocation(tuple(assignments))


def _sorted_identical(model: AllocationModel, allocation: Allocation) -> Allocation:
    inst = model.instance
    if not model.symmetric_groups:
        return allocation
    load: dict[str, Fraction] = defaultdict(Fraction)
    tps = {t.id: t.throughput_tps for t in inst.transactions}
    for a in allocation.assignments:
        for r in a.replicas:
            load[r.node] += tps[a.transaction]
    rename: dict[str, str] = {}
    for group in model.symmetric_groups:
        ids = [inst.nodes[j].id for j in group]
        by_load = sorted(ids, key=lambda i: (-load[i], ids.index(i)))
        rename.update(dict(zip(by_load, ids, strict=True)))
    return Allocation(
        tuple(
            Assignment(
                a.transaction,
                a.control_ghz,
                tuple(Replica(rename.get(r.node, r.node), r.rate_ghz) for r in a.replicas),
            )
            for a in allocation.assignments
        )
    )


def start_values(model: AllocationModel, allocation: Allocation) -> dict[str, float] | None:
    """Map an allocation onto the model's variables for a warm start (D-alloc-12); None if not.

    A replica on a dominated (pruned) level is moved to the dominating one, which keeps every
    constraint satisfied (D-alloc-12); anything else outside the model means no warm start.
    """
    inst = model.instance
    allocation = _sorted_identical(model, allocation)
    values: dict[str, float] = {v.name: 0.0 for v in model.problem.variables()}
    t_index = inst.transaction_index
    n_index = inst.node_index
    loads: dict[int, Fraction] = defaultdict(Fraction)
    for a in allocation.assignments:
        n = t_index[a.transaction]
        tx = inst.transactions[n]
        if a.control_ghz not in inst.control_levels_ghz:
            return None
        m = inst.control_levels_ghz.index(a.control_ghz)
        if (n, m) not in model.control:
            return None
        values[model.admit[n].name] = 1.0
        values[model.control[(n, m)].name] = 1.0
        for r in a.replicas:
            j = n_index[r.node]
            options = [c for c in model.candidates[n] if c.j == j]
            chosen = next((c for c in options if c.rate == r.rate_ghz), None)
            if chosen is None and options and r.rate_ghz > options[-1].rate:
                chosen = options[-1]
            if chosen is None:
                return None
            values[model.place[(n, j, chosen.level)].name] = 1.0
            loads[j] += tx.throughput_tps
        k = len(a.replicas)
        values[model.size[n].name] = float(k)
        values[model.faults[n].name] = float(q.fault_bound(k))
    if model.theta is not None:
        top = inst.decentralization_nodes - 1
        ordered = sorted(loads.values(), reverse=True) + [Fraction(0)] * len(inst.nodes)
        theta = ordered[top - 1]
        values[model.theta.name] = float(theta)
        for j, e in model.excess.items():
            values[e.name] = float(max(loads[j] - theta, Fraction(0)))
    return values


# --- solvers ----------------------------------------------------------------------------------


_BANNER_SHOWN = False


def _silence_banner() -> None:
    """Create the first HiGHS object with stdout closed: HiGHS prints a banner once per process
    on file descriptor 1, which would corrupt ``vdlt solve --json``."""
    global _BANNER_SHOWN
    if _BANNER_SHOWN:
        return
    import sys

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


_SCHEDULER_THREADS: list[int | None] = []


def _use_threads(threads: int | None) -> None:
    """Restart HiGHS's process-wide thread scheduler when a run asks for another thread count
    (HiGHS refuses to run otherwise)."""
    if _SCHEDULER_THREADS and _SCHEDULER_THREADS[-1] != threads:
        highspy.Highs.resetGlobalScheduler(True)
    _SCHEDULER_THREADS[:] = [threads]


class _HiGHS(pulp.HiGHS):  # type: ignore[misc]
    """PuLP's highspy-based HiGHS, read honestly and warm-started (D-alloc-13)."""

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
            import numpy as np

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
    the bound rounded by objective integrality: with g/2 it went on for 30-40 s on 200 x 40
    instances whose proof it already had (throughput seed 2, welfare seed 5; D-alloc-13).
    """
    return float(model.granularity) * (1 - ABS_GAP_MARGIN)


def _relative_gap(incumbent: float | None, bound: float | None) -> float | None:
    if incumbent is None or bound is None:
        return None
    diff = abs(bound - incumbent)
    if diff == 0:
        return 0.0
    return diff / abs(incumbent) if incumbent != 0 else math.inf


@dataclass(frozen=True)
class Raw:
    """Hold what a solver returned, before this module decides the status (D-alloc-13)."""

    proven_gap: bool  # the solver stopped on its gap criterion (or proved optimality)
    infeasible: bool
    timed_out: bool
    values: dict[str, float] | None
    incumbent: float | None
    bound: float | None
    detail: str
    interrupted: bool = False  # stopped on reaching a utility an outside bound proves optimal


def _run_highs(
    model: AllocationModel,
    *,
    time_limit: float | None,
    gap: float | None,
    threads: int | None,
    start: dict[str, float] | None,
    extra: Mapping[str, Any],
    target: float | None = None,
) -> Raw:
    """Run HiGHS; with ``target``, stop once an allocation's utility exceeds it (D-alloc-23)."""
    _silence_banner()
    sign = -1.0 if model.problem.sense == pulp.LpMaximize else 1.0
    options: dict[str, Any] = {"mip_abs_gap": _abs_gap(model), **extra}
    solver = _HiGHS(
        start,
        target=None if target is None else sign * target,
        msg=False,
        timeLimit=time_limit,
        gapRel=gap if gap is not None else 0.0,
        threads=threads,
        **options,
    )
    model.problem.solve(solver)
    st = solver.model_status
    ms = highspy.HighsModelStatus
    info = solver.info
    incumbent = sign * info.objective_function_value if solver.primal_valid else None
    bound = sign * info.mip_dual_bound if math.isfinite(info.mip_dual_bound) else None
    if st in (ms.kInfeasible, ms.kUnboundedOrInfeasible):
        return Raw(False, True, False, None, None, None, f"HiGHS: {st.name}")
    return Raw(
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


def _run_cbc(
    model: AllocationModel,
    *,
    time_limit: float | None,
    gap: float | None,
    threads: int | None,
    start: dict[str, float] | None,
    extra: Mapping[str, Any],
) -> Raw:
    prob = model.problem
    if start is not None:
        for v in prob.variables():
            v.setInitialValue(start.get(v.name, 0.0), check=False)
    handle, log_path = tempfile.mkstemp(suffix=".log", prefix="vdlt-cbc-")
    os.close(handle)
    try:
        solver = pulp.PULP_CBC_CMD(
            msg=False,
            timeLimit=time_limit,
            gapRel=gap if gap is not None else 0.0,
            gapAbs=_abs_gap(model),
            threads=threads,
            warmStart=start is not None,
            logPath=log_path,
            options=[f"{k} {v}" for k, v in extra.items()],
        )
        try:
            prob.solve(solver)
        except pulp.PulpSolverError as exc:
            # the CBC binary died (e.g. out of memory) or wrote no solution: undecided, and say
            # why; the last lines of its log are the best account of it
            with open(log_path, encoding="utf-8", errors="replace") as fh:
                tail = " | ".join(line.strip() for line in fh.read().splitlines()[-3:] if line)
            detail = f"{CBC_FAILED}: {str(exc).split(':')[0]}; log: {tail or 'empty'}"
            return Raw(False, False, False, None, None, None, detail)
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
        return Raw(False, True, False, None, None, None, f"CBC: {outcome} (proven infeasible)")
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
    return Raw(
        proven_gap=proven,
        infeasible=False,
        timed_out="time" in outcome.lower(),
        values=values,
        incumbent=incumbent,
        bound=bound,
        detail=f"CBC: {outcome}",
    )


def _run(
    solver: str,
    model: AllocationModel,
    *,
    time_limit: float | None,
    gap: float | None,
    threads: int | None,
    start: dict[str, float] | None,
    extra: Mapping[str, Any] | None = None,
    target: float | None = None,
) -> Raw:
    """Run the named solver; HiGHS stops early at ``target`` (CBC through PuLP cannot)."""
    options = extra or {}
    if solver == "highs":
        return _run_highs(
            model,
            time_limit=time_limit,
            gap=gap,
            threads=threads,
            start=start,
            extra=options,
            target=target,
        )
    if solver == "cbc":
        began = time.perf_counter()
        raw = _run_cbc(
            model, time_limit=time_limit, gap=gap, threads=threads, start=start, extra=options
        )
        if not raw.detail.startswith(CBC_FAILED) or start is None:
            return raw
        # CBC 2.10 dies reading a MIP start into large models (seen at 1000 x 100): try once
        # more without it in the time left, and say so (D-alloc-13)
        left = None if time_limit is None else time_limit - (time.perf_counter() - began)
        if left is not None and left <= 1:
            return raw
        again = _run_cbc(
            model, time_limit=left, gap=gap, threads=threads, start=None, extra=options
        )
        return replace(
            again, detail=f"{again.detail} (retried without the warm start: {raw.detail})"
        )
    raise SpecError(Reason.UNKNOWN_SOLVER, f"solver must be one of {', '.join(SOLVERS)}")


@dataclass(frozen=True)
class Relaxed:
    """Hold the LP relaxation of a model: its values and, if solved, a bound (§IV-E)."""

    values: dict[str, float]
    bound: float | None  # on the utility (penalty, if elastic), widened by the LP's own error
    duals: tuple[float, ...] = ()  # the rows' duals (HiGHS's, minimising), if solved


def relax(model: AllocationModel, threads: int | None = None) -> Relaxed:
    """Solve the LP relaxation of the model and bound its utility from it (§IV-E; D-alloc-20).

    Large relaxations go to interior point without crossover (rounding needs no vertex). Its
    objective is within HiGHS's reported primal-dual error of the LP optimum, so the bound is
    widened by that error plus ``RELAXATION_MARGIN`` of the objective's magnitude; without an
    optimal LP there is no bound.
    """
    _silence_banner()
    lp_options: dict[str, Any] = (
        {"solver": "ipm", "run_crossover": "off"} if len(model.place) > LARGE else {}
    )
    relaxed = _HiGHS(None, mip=False, msg=False, threads=threads, **lp_options)
    model.problem.solve(relaxed)
    bound = None
    if relaxed.model_status == highspy.HighsModelStatus.kOptimal and relaxed.primal_valid:
        value = relaxed.info.objective_function_value
        error = abs(relaxed.info.primal_dual_objective_error)
        widen = (error + RELAXATION_MARGIN) * (1 + abs(value))
        maximise = model.problem.sense == pulp.LpMaximize
        bound = -value + widen if maximise else value - widen  # PuLP minimises -utility
    return Relaxed(relaxed.values, bound, relaxed.duals if bound is not None else ())


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

    The per-class greedy is a baseline to score against, not a start: it was never the best
    start on the benchmark (30.7-94.4 % of the optimum where the start reached 96.2-99.6 %)
    and took up to 0.6 s of the 200 x 40 preparation (D-alloc-12).
    """
    from vdlt_spec.allocation.baselines import density_greedy

    return [lp_guided(model, threads, relaxed), density_greedy(model.instance)]


def _best_start(
    model: AllocationModel, starts: Iterable[Allocation], above: Fraction | None = None
) -> tuple[Allocation, dict[str, float], Fraction] | None:
    """Return the best evaluator-feasible start that the model can take, if any beats ``above``."""
    best: tuple[Allocation, dict[str, float], Fraction] | None = None
    for candidate in starts:
        ev = evaluate(model.instance, candidate)
        floor = best[2] if best is not None else above
        if not ev.feasible or (floor is not None and ev.objective <= floor):
            continue
        values = start_values(model, candidate)
        if values is not None:
            best = (candidate, values, ev.objective)
    return best


def best_start(instance: Instance, threads: int | None = None) -> Allocation | None:
    """Return the best feasible warm start, LP-guided or a baseline, if any (D-alloc-12)."""
    model = build_model(instance)
    chosen = _best_start(model, heuristic_starts(model, threads))
    return None if chosen is None else chosen[0]


def solve(
    instance: Instance,
    *,
    solver: str = "highs",
    time_limit: float | None = None,
    gap: float | None = None,
    threads: int | None = None,
    warm_start: Allocation | None = None,
    use_heuristic_start: bool = True,
    search: bool = True,
    bounds: bool = True,
    diagnose: bool = True,
    lp_path: str | None = None,
    mps_path: str | None = None,
    solver_options: Mapping[str, Any] | None = None,
) -> SolveReport:
    """Solve Eq. (1) for an instance and report the outcome honestly (§IV-E; D-alloc-13).

    ``gap`` is a relative gap at which the solver may stop (then the status is ``gap_reached``
    unless the bound also proves the exact optimum). A ``warm_start`` (any allocator's answer)
    seeds the solver if the evaluator accepts it, and is otherwise left out with a note;
    without one the best of the heuristics' allocations does when ``use_heuristic_start``
    holds; with ``search`` and a ``time_limit``, an instance large enough for it to pay gets
    the solver for :data:`SOLVER_SHARE` of the limit and, unless that settled it, a
    large-neighbourhood search from the best allocation so far for the rest; the solver's
    bound still stands (D-alloc-19).
    Above the search-first size the search runs first and the solver gets what it leaves; the
    LP relaxation, solved for the warm start or for that bound, bounds every such solve
    (D-alloc-20). Below it, with ``bounds``, the LP relaxation's bound and the Lagrangian
    knapsack bound come first (D-alloc-23; under throughput the relaxation's admissions are
    placed too), then, with HiGHS, probing down from the tighter bound with an objective cutoff,
    for :data:`PROBE_SHARE` of the limit (D-alloc-22). Without ``bounds`` and without the
    heuristic start, the solver runs alone.
    """
    if solver not in SOLVERS:
        raise SpecError(Reason.UNKNOWN_SOLVER, f"solver must be one of {', '.join(SOLVERS)}")
    if time_limit is not None and time_limit <= 0:
        raise SpecError(Reason.PARAMETER_OUT_OF_RANGE, f"time limit must be > 0, got {time_limit}")
    if gap is not None and not 0 <= gap < 1:
        raise SpecError(Reason.PARAMETER_OUT_OF_RANGE, f"gap must be in [0, 1), got {gap}")
    began = time.perf_counter()
    model = build_model(instance)
    if lp_path is not None:
        model.problem.writeLP(lp_path)
    if mps_path is not None:
        model.problem.writeMPS(mps_path, with_objsense=True)
    searching = search and time_limit is not None and worthwhile(model)
    first = searching and searches_first(model)
    heuristic = warm_start is None and use_heuristic_start
    relaxed = relax(model, threads) if heuristic or first or bounds else None
    starts = [warm_start] if warm_start is not None else []
    if heuristic:
        starts = heuristic_starts(model, threads, relaxed)
    chosen = _best_start(model, starts)
    start, start_objective = (None, None) if chosen is None else (chosen[1], chosen[2])
    prepared = time.perf_counter()
    searched, search_seconds, notes = None, 0.0, []
    if warm_start is not None and chosen is None:
        notes.append("the warm start handed in is infeasible or outside the model: not used")
    proved = False
    lagrangian = None
    if bounds and relaxed is not None and relaxed.bound is not None and not first:
        # the LP bound's packing gap closed by a knapsack in integers (D-alloc-23)
        lagrangian = lagrangian_bound(
            model,
            time_limit=None if time_limit is None else BOUND_SHARE * time_limit,
            threads=threads,
            best=None if chosen is None else chosen[2],
            relaxed=(relaxed.duals, relaxed.values) if relaxed.duals else None,
        )
        notes.append(lagrangian.detail)
    known = _tightest(relaxed.bound if relaxed else None, lagrangian.bound if lagrangian else None)
    goal = _proof_target(model.granularity, known)
    unproven = chosen is None or goal is None or float(chosen[2]) <= goal
    # a primal heuristic, like the probing: HiGHS's runs only. Under throughput, admissions
    # alone fix the utility, so placing the relaxation's is a feasibility question; under
    # welfare the placements' cost must be optimal too, which the probing finds faster
    if (
        lagrangian is not None
        and lagrangian.admitted is not None
        and unproven
        and solver == "highs"
        and instance.utility is Utility.THROUGHPUT
    ):
        limit = REPAIR_CAP_S if time_limit is None else REPAIR_SHARE * time_limit
        repaired, note = _repair(model, lagrangian.admitted, limit, threads, known)
        notes.append(note)
        chosen = _best_start(model, repaired, None if chosen is None else chosen[2]) or chosen
        start = None if chosen is None else chosen[1]
    if first and time_limit is not None and chosen is not None:
        # too large for the solver to pass its root in the limit: climb first, bound by the LP
        # relaxation, and leave the solver the time the search does not use (D-alloc-20)
        better, search_seconds, note = _climb(model, chosen, time_limit, threads, goal)
        notes.append(note)
        if better is not None:
            chosen, searched, start = better, better[2], better[1]
    proved = chosen is not None and goal is not None and float(chosen[2]) > goal
    probed: Raw | None = None
    if (
        searching
        and not first
        and not proved
        and solver == "highs"
        and chosen is not None
        and known is not None
        and time_limit is not None
    ):
        probed, refuted, note = _probe(
            model, known, chosen[2], PROBE_SHARE * time_limit, threads, solver_options
        )
        notes.append(note)
        known = _tightest(known, refuted)
        goal = _proof_target(model.granularity, known)
        if probed is not None and probed.values is not None:
            chosen = _best_start(model, [extract(model, probed.values)], chosen[2]) or chosen
            start = chosen[1]
            proved = goal is not None and float(chosen[2]) > goal
    left = None if time_limit is None else time_limit - (time.perf_counter() - prepared)
    if proved:
        what = "the search's allocation" if first else "the best allocation so far"
        done = f"{solver} not run: a bound proves {what}"
        raw = Raw(True, False, False, None, None, None, done)
    elif probed is not None and probed.proven_gap:
        raw = probed
    elif left is None or left >= 1:
        share = SOLVER_SHARE if searching and not first and left is not None else 1.0
        raw = _run(
            solver,
            model,
            time_limit=None if left is None else share * left,
            gap=gap,
            threads=threads,
            start=start,
            extra=solver_options,
            target=goal,
        )
    else:
        unused = f"{solver} not run: the search used the limit"
        raw = Raw(False, False, True, None, None, None, unused)
    settled = raw.proven_gap or raw.infeasible
    if searching and not first and not settled and time_limit is not None:
        pool = ([chosen[0]] if chosen else []) + (
            [extract(model, raw.values)] if raw.values is not None else []
        )
        origin = _best_start(model, pool)
        left = time_limit - (time.perf_counter() - prepared)
        if origin is not None and left >= 1:
            target = _proof_target(model.granularity, raw.bound, known)
            better, search_seconds, note = _climb(model, origin, left, threads, target)
            notes.append(note)
            if better is not None:
                chosen, searched = better, better[2]
    if (notes or proved) and chosen is not None and not raw.infeasible:
        # after a search, the best allocation so far stands unless the solver found a better one
        mine = _best_start(model, [extract(model, raw.values)]) if raw.values else None
        if mine is None or mine[2] < chosen[2]:
            raw = replace(raw, values=chosen[1], incumbent=float(chosen[2]))
    if known is not None:
        raw = replace(raw, bound=_tightest(known, raw.bound))
    if notes:
        raw = replace(raw, detail="; ".join([raw.detail, *notes]))
    solve_seconds = time.perf_counter() - prepared
    base = SolveReport(
        instance=instance.name,
        solver=solver,
        status=Status.UNKNOWN,
        proven_optimal=False,
        objective=None,
        incumbent=None,
        bound=raw.bound,
        gap=None,
        seconds=time.perf_counter() - began,
        solve_seconds=solve_seconds,
        detail=raw.detail,
        admitted=0,
        transactions=len(instance.transactions),
        variables=model.problem.numVariables(),
        constraints=model.problem.numConstraints(),
        binaries=model.binaries,
        warm_start=start_objective,
        allocation=None,
        searched=searched,
        search_seconds=search_seconds,
        relaxation_bound=None if relaxed is None else relaxed.bound,
        lagrangian_bound=None if lagrangian is None else lagrangian.bound,
    )
    if raw.infeasible and start is not None:
        # the warm start is an evaluator-feasible allocation: a solver that claims otherwise is
        # wrong, and the claim is not passed on (D-alloc-13)
        return replace(
            base,
            detail=f"{raw.detail}; contradicted by the feasible warm start (utility "
            f"{searched or start_objective}), so undecided",
        )
    if raw.infeasible:
        diagnosis: tuple[ConstraintReport, ...] = ()
        detail = raw.detail
        if diagnose:
            remaining = None if time_limit is None else max(time_limit - base.seconds, 1.0)
            diagnosis, note = diagnose_infeasibility(
                instance, solver=solver, time_limit=remaining, threads=threads
            )
            detail = f"{detail}; {note}"
        return replace(
            base,
            status=Status.INFEASIBLE,
            bound=None,
            detail=detail,
            diagnosis=diagnosis,
            seconds=time.perf_counter() - began,
        )
    if raw.values is None:
        status = Status.TIME_LIMIT if raw.timed_out else Status.UNKNOWN
        return replace(base, status=status, detail=f"{raw.detail}; no integer solution")
    allocation = extract(model, raw.values)
    ev = evaluate(instance, allocation)
    found = replace(
        base,
        objective=ev.objective,
        incumbent=raw.incumbent,
        admitted=ev.admitted,
        allocation=allocation,
    )
    if not ev.feasible:
        worst = ev.violations[0]
        return replace(
            found,
            detail=f"{raw.detail}; the exact evaluator rejects the solver's allocation: "
            f"{worst.where} off by {float(-worst.slack):.3g} "
            f"{worst.unit} (numerical tolerance)",
        )
    status, proven = decide(raw, ev.objective, model.granularity)
    return replace(
        found,
        status=status,
        proven_optimal=proven,
        gap=_relative_gap(float(ev.objective), raw.bound),
    )


def _repair(
    model: AllocationModel,
    admitted: frozenset[int],
    limit: float,
    threads: int | None,
    ceiling: float | None,
) -> tuple[list[Allocation], str]:
    """Place exactly the admissions of the Lagrangian relaxation's best solution (D-alloc-23).

    The relaxation keeps each transaction's own constraints and the total capacity, so its
    admitted set usually fits the nodes too; HiGHS then only has to find the placements. With
    a ``ceiling`` (a bound), only placements worth its last granularity step count (an
    objective cutoff half a step below it), and the run stops at the first. Returns the
    allocation found, if any.
    """
    began = time.perf_counter()
    extra: dict[str, Any] = {}
    target = None
    if ceiling is not None:
        g = model.granularity
        # HiGHS minimises -utility: a cutoff half a step under the top guess
        extra["objective_bound"] = -float(_top_guess(g, ceiling) - g / 2)
        target = _proof_target(g, ceiling)
    saved = {n: (x.lowBound, x.upBound) for n, x in model.admit.items()}
    try:
        for n, x in model.admit.items():
            x.lowBound = x.upBound = 1 if n in admitted else 0
        raw = _run_highs(
            model,
            time_limit=limit,
            gap=None,
            threads=threads,
            start=None,
            extra=extra,
            target=target,
        )
    finally:
        for n, x in model.admit.items():
            x.lowBound, x.upBound = saved[n]
    seconds = time.perf_counter() - began
    if raw.values is None:
        return [], f"no placement of the Lagrangian admissions found ({seconds:.2f} s)"
    return (
        [extract(model, raw.values)],
        f"Lagrangian admissions placed: {raw.incumbent:g} ({seconds:.2f} s)",
    )


def _probe(
    model: AllocationModel,
    ceiling: float,
    floor: Fraction,
    limit: float,
    threads: int | None,
    extra: Mapping[str, Any] | None,
) -> tuple[Raw | None, float | None, str]:
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
    guess = _top_guess(g, ceiling)
    began = time.perf_counter()
    tried = 0
    refuted: float | None = None
    while guess - g / 2 > floor:
        left = limit - (time.perf_counter() - began)
        if left < 1:
            break
        cutoff = float(guess - g / 2)
        raw = _run_highs(
            model,
            time_limit=left,
            gap=None,
            threads=threads,
            start=None,
            # HiGHS minimises -utility
            extra={**(extra or {}), "objective_bound": -cutoff, "mip_abs_gap": 0.0},
            target=_proof_target(g, ceiling, refuted),
        )
        tried += 1
        if raw.values is not None and raw.incumbent is not None and raw.incumbent >= cutoff:
            seconds = time.perf_counter() - began
            return (
                raw,
                refuted,
                f"probing from the bound found {raw.incumbent:g} at guess {guess} "
                f"({tried} runs, {seconds:.2f} s)",
            )
        if not (raw.infeasible or raw.proven_gap):
            break
        refuted = cutoff
        guess -= g
    seconds = time.perf_counter() - began
    return (
        None,
        refuted,
        f"probing from the bound stopped at guess {guess}, nothing found ({tried} runs, "
        f"{seconds:.2f} s)",
    )


def _top_guess(granularity: Fraction, ceiling: float) -> Fraction:
    """Return the largest multiple of the granularity at or under a bound: the first guess."""
    return (Fraction(ceiling) // granularity) * granularity


def _tightest(*bounds: float | None) -> float | None:
    """Return the smallest of the known bounds on the utility, None if there is none."""
    known = [b for b in bounds if b is not None]
    return min(known) if known else None


def _proof_target(granularity: Fraction, *bounds: float | None) -> float | None:
    """Return the utility above which the tightest of ``bounds`` proves optimality, if any.

    Every utility is a multiple of the granularity, so one above this value is within one step
    of the bound: no allocation can be better (D-alloc-13). :func:`decide` proves with it, and
    the search stops there.
    """
    tightest = _tightest(*bounds)
    if tightest is None:
        return None
    return tightest - float(granularity) * (1 - BOUND_MARGIN)


def _climb(
    model: AllocationModel,
    origin: tuple[Allocation, dict[str, float], Fraction],
    limit: float,
    threads: int | None,
    target: float | None,
) -> tuple[tuple[Allocation, dict[str, float], Fraction] | None, float, str]:
    """Run the neighbourhood search from ``origin``: what beats it, seconds, a note (D-alloc-19)."""
    report = improve(
        model, origin[1], time_limit=limit, threads=threads, stall=SOLVE_STALL, target=target
    )
    better = _best_start(model, [extract(model, report.values)], origin[2])
    reached = origin[2] if better is None else better[2]
    note = f"neighbourhood search from {origin[2]} reached {reached} in {report.rounds} rounds"
    return better, report.seconds, note


def decide(raw: Raw, exact: Fraction, granularity: Fraction) -> tuple[Status, bool]:
    """Decide the status of a solve whose allocation the evaluator accepts (D-alloc-13).

    Optimal only if the solver stopped on its gap criterion or its time limit (a bound at the
    limit is still a bound) and its bound lies within one granularity step of the exact
    utility: every utility is a multiple of the granularity, so no allocation can be better.
    The allocation may be the neighbourhood search's, found after the solver stopped
    (D-alloc-13, D-alloc-19).
    """
    target = _proof_target(granularity, raw.bound)
    stopped = raw.proven_gap or raw.timed_out or raw.interrupted
    proven = stopped and target is not None and float(exact) > target
    if proven:
        return Status.OPTIMAL, True
    if raw.proven_gap:
        return Status.GAP_REACHED, False
    if raw.timed_out:
        return Status.TIME_LIMIT, False
    return Status.UNKNOWN, False


# --- infeasibility diagnosis ------------------------------------------------------------------


def diagnose_infeasibility(
    instance: Instance,
    *,
    solver: str = "highs",
    time_limit: float | None = None,
    threads: int | None = None,
) -> tuple[tuple[ConstraintReport, ...], str]:
    """Name the constraints that make an instance infeasible, in domain terms (D-alloc-14).

    Solves the elastic relaxation (every domain constraint may be violated at a cost
    proportional to its violation relative to its bound; structure and mandatory admission stay
    hard) and returns the exact evaluator's violations of the least-violating allocation: which
    transaction or node, which bound, by how much.
    """
    model = build_model(instance, Relaxation(elastic=True))
    raw = _run(solver, model, time_limit=time_limit, gap=None, threads=threads, start=None)
    if raw.infeasible:
        return (), "even the elastic relaxation is infeasible (structure or mandatory admission)"
    if raw.values is None:
        return (), "the elastic relaxation found no solution within the time limit"
    allocation = extract(model, raw.values)
    ev = evaluate(instance, allocation)
    note = "least violation" if raw.proven_gap else "a violating allocation (not proven least)"
    return ev.violations, f"diagnosis from the elastic relaxation: {note}"


def relaxation_dropping(diagnosis: Iterable[ConstraintReport]) -> Relaxation:
    """Return the relaxation leaving out the diagnosed constraints, to confirm they bind (§IV-E)."""
    return Relaxation(dropped=frozenset((r.constraint, r.subject) for r in diagnosis))


def is_feasible(
    instance: Instance,
    relaxation: Relaxation,
    *,
    solver: str = "highs",
    time_limit: float | None = None,
) -> bool | None:
    """Tell whether the model under a relaxation has a solution, None if undecided (§IV-E)."""
    model = build_model(instance, relaxation)
    model.problem.setObjective(pulp.lpSum([]))
    raw = _run(solver, model, time_limit=time_limit, gap=None, threads=None, start=None)
    if raw.infeasible:
        return False
    return True if raw.values is not None else None
