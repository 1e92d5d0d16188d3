"""Build the MILP of Eq. (1) from an instance, in PuLP, and export it as LP or MPS (§IV-E, §IV-G).

The model is the one written down in docs/allocation.md: binary placement delta[n, j, l]
(transaction n on node j at rate level l), binary control level u[n, m] (rho), admission x[n],
integer group size K[n] and fault bound f[n] = floor((K[n]-1)/3), and the top-k-sum variables
of C1. Every nonlinear part is exact: latency is hyperbolic in the rate, so rates are discrete
levels with precomputed times; the max over replicas is one latency row per (transaction,
node) that needs no big-M (a row whose node is unused still states the valid "ordering +
consensus <= bound").

Reductions, each exact (D-alloc-12): only the candidates of :mod:`.candidates` are created,
rows that can never bind are left out, and identical nodes are ordered by load (symmetry
breaking).
"""

from __future__ import annotations

import itertools
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import pulp

from vdlt_spec.allocation import quantities as q
from vdlt_spec.allocation.evaluator import SYSTEM, Constraint
from vdlt_spec.allocation.instance import (
    Instance,
    TransactionStream,
    Utility,
    check_float_range,
)
from vdlt_spec.models.milp.candidates import (
    Candidate,
    candidates,
    control_options,
    granularity,
    group_bounds,
    identical_groups,
)
from vdlt_spec.models.milp.relaxation import ConstraintMode, Key, Relaxation
from vdlt_spec.roles import NodeRole


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


def _linear(terms: Iterable[tuple[float, Any]]) -> pulp.LpAffineExpression:
    """Return the sum of coefficient * variable-or-expression, like ``pulp.lpSum`` of products.

    The same expression term by term, in the same order, without one intermediate expression
    per product, which would dominate the time to build a large model.
    """
    expr = pulp.LpAffineExpression()
    for coefficient, term in terms:
        if isinstance(term, pulp.LpAffineExpression):
            expr.addInPlace(term, coefficient)
        else:
            expr.addterm(term, coefficient)
    return expr


class BuildInterrupted(Exception):
    """Say that building a model passed its deadline, and how far it had got."""

    def __init__(self, written: int, transactions: int) -> None:
        """Record how many of the instance's transactions had their rows written."""
        super().__init__(f"{written} of {transactions} transactions written")
        self.written = written
        self.transactions = transactions


def build_model(
    instance: Instance, relaxation: Relaxation | None = None, deadline: float | None = None
) -> AllocationModel:
    """Build the MILP of Eq. (1) for an instance; elastic or with constraints dropped (§IV-E).

    Rows in order: each transaction's own (admission, control level, group size, latency,
    throughput, security, cost, privacy, eligibility), the aggregate capacity (hard model
    only), the node and control-tier capacities, C1, and the symmetry rows. With a
    ``deadline`` (a ``time.perf_counter()`` reading), building stops with
    :class:`BuildInterrupted` before the first transaction written after it. An instance with
    a number outside :data:`~vdlt_spec.allocation.instance.FLOAT_RANGE` is refused.
    """
    check_float_range(instance)
    rows = _Rows(instance, relaxation or Relaxation())
    for n, tx in enumerate(instance.transactions):
        if deadline is not None and time.perf_counter() >= deadline:
            raise BuildInterrupted(n, len(instance.transactions))
        rows.transaction(n, tx)
    if not rows.relax.elastic:
        rows.reserved()
    rows.capacities()
    theta, excess = rows.decentralization()
    groups = rows.symmetry()
    rows.prob += pulp.lpSum(rows.penalty) if rows.relax.elastic else pulp.lpSum(rows.objective)
    return AllocationModel(
        instance=instance,
        relaxation=rows.relax,
        problem=rows.prob,
        admit=rows.admit,
        control=rows.control,
        place=rows.place,
        size=rows.size,
        faults=rows.faults,
        theta=theta,
        excess=excess,
        slacks=rows.slacks,
        candidates=rows.cands,
        granularity=granularity(rows.coefficients),
        symmetric_groups=groups,
    )


class _Rows:
    """Write the rows of the model into one PuLP problem, phase by phase, keeping the maps."""

    def __init__(self, instance: Instance, relax: Relaxation) -> None:
        """Start an empty problem: minimise the penalty if elastic, else maximise the utility."""
        self.instance = instance
        self.relax = relax
        sense = pulp.LpMinimize if relax.elastic else pulp.LpMaximize
        self.prob = pulp.LpProblem("vdlt_allocation", sense)
        self.slacks: dict[Key, pulp.LpVariable] = {}
        self.penalty: list[Any] = []
        self.admit: dict[int, pulp.LpVariable] = {}
        self.control: dict[tuple[int, int], pulp.LpVariable] = {}
        self.place: dict[tuple[int, int, int], pulp.LpVariable] = {}
        self.size: dict[int, pulp.LpVariable] = {}
        self.faults: dict[int, pulp.LpVariable] = {}
        self.cands: dict[int, list[Candidate]] = {}
        # j -> (n, y_nj expression), and j -> (rate, delta) of every placement on j
        self.by_node: dict[int, list[tuple[int, Any]]] = defaultdict(list)
        self.rate_on_node: dict[int, list[Any]] = defaultdict(list)
        self.objective: list[Any] = []
        self.coefficients: list[Fraction] = []

    def mode(self, c: Constraint, s: str) -> ConstraintMode:
        """Return how constraint ``c`` on subject ``s`` enters the model."""
        return self.relax.mode(c, s)

    def slack(self, c: Constraint, s: str, scale: Fraction) -> pulp.LpVariable:
        """Return a new elastic slack of ``c`` on ``s``, penalised relative to ``scale``."""
        var = pulp.LpVariable(f"s_{len(self.slacks)}", lowBound=0)
        self.slacks[(c, s)] = var
        self.penalty.append(float(1 / max(scale, Fraction(1, 1000))) * var)
        return var

    def transaction(self, n: int, tx: TransactionStream) -> None:
        """Write transaction n's variables and its own rows, and its objective term."""
        instance, relax, prob, mode, slack = (
            self.instance,
            self.relax,
            self.prob,
            self.mode,
            self.slack,
        )
        nodes, levels = instance.nodes, instance.control_levels_ghz
        admit, control, place, size, faults = (
            self.admit,
            self.control,
            self.place,
            self.size,
            self.faults,
        )
        cands, by_node, rate_on_node = self.cands, self.by_node, self.rate_on_node
        objective, coefficients = self.objective, self.coefficients
        controls = control_options(instance, tx, relax)
        cs = candidates(instance, n, relax, controls)
        cands[n] = cs
        per_node: dict[int, list[Candidate]] = defaultdict(list)
        for c in cs:
            per_node[c.j].append(c)
        k_lo, k_hi = group_bounds(instance, tx, relax, len(per_node))
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
        # f = crypto.max_faulty(k) when admitted: 3f < k and 3(f + 1) >= k (the rule of
        # crypto.max_faulty_bounds, linearised: no strict rows in a MILP), f = 0 when not
        prob += 3 * f <= k - x, f"fault_floor_hi_{n}"
        prob += 3 * f >= k - 3 * x, f"fault_floor_lo_{n}"
        # group size bounds
        if mode(Constraint.REPLICAS_MIN, tx.id) is ConstraintMode.HARD:
            prob += k >= tx.min_replicas * x, f"kmin_{n}"
        elif mode(Constraint.REPLICAS_MIN, tx.id) is ConstraintMode.SOFT:
            s = slack(Constraint.REPLICAS_MIN, tx.id, Fraction(1))
            prob += k + s >= tx.min_replicas * x, f"kmin_{n}"
        if mode(Constraint.REPLICAS_MAX, tx.id) is ConstraintMode.HARD:
            if instance.max_replicas < len(per_node):
                prob += k <= instance.max_replicas * x, f"kmax_{n}"
        elif mode(Constraint.REPLICAS_MAX, tx.id) is ConstraintMode.SOFT:
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
            slack(Constraint.LATENCY, tx.id, tx.latency_ms)
            if lat_mode is ConstraintMode.SOFT
            else None
        )
        thr_mode = mode(Constraint.THROUGHPUT, tx.id)
        thr_slack = (
            slack(Constraint.THROUGHPUT, tx.id, q.execution_demand_ghz(tx))
            if thr_mode is ConstraintMode.SOFT
            else None
        )
        # a row whose options all meet the bound in the worst case (slowest ordering, largest
        # group) can never bind: it is left out (D-alloc-12)
        worst_ms = q.consensus_ms(instance, k_hi) + max(
            (q.ordering_ms(tx, levels[m]) for m in controls), default=Fraction(0)
        )
        for j, options in per_node.items():
            y = _linear((1, ds[(c.j, c.level)]) for c in options)
            redundant = lat_mode is ConstraintMode.HARD and all(
                c.time_ms + worst_ms <= tx.latency_ms for c in options
            )
            if len(options) > 1:
                prob += y <= x, f"link_{n}_{j}"
            by_node[j].append((n, y))
            rate_on_node[j].extend((float(c.rate), ds[(c.j, c.level)]) for c in options)
            if lat_mode is not ConstraintMode.DROPPED and not redundant:
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
        if lat_mode is not ConstraintMode.DROPPED and not per_node:
            rhs = float(tx.latency_ms) * x + (lat_slack if lat_slack is not None else 0)
            prob += _linear(ord_terms) + cons <= rhs, f"latency_{n}"
        if mode(Constraint.ORDERING_THROUGHPUT, tx.id) is ConstraintMode.SOFT:
            need = q.ordering_demand_ghz(tx)
            s = slack(Constraint.ORDERING_THROUGHPUT, tx.id, need)
            prob += (
                _linear((float(levels[m] - need), v) for m, v in us.items()) + s >= 0,
                f"ordering_{n}",
            )
        # security: expected faulty replicas within f
        untrust = [(float(1 - nodes[c.j].trust), ds[(c.j, c.level)]) for c in cs]
        sec_mode = mode(Constraint.SECURITY, tx.id)
        if sec_mode is ConstraintMode.HARD:
            prob += _linear(untrust) <= f, f"security_{n}"
        elif sec_mode is ConstraintMode.SOFT:
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
        if cost_mode is not ConstraintMode.DROPPED:
            dearest = sorted(
                (max(c.cost for c in options) for options in per_node.values()), reverse=True
            )
            worst = sum(dearest[:k_hi], Fraction(0)) + max(
                (q.control_cost(instance, levels[m]) for m in controls), default=Fraction(0)
            )
            if cost_mode is ConstraintMode.SOFT:
                s = slack(Constraint.COST, tx.id, max(tx.budget, Fraction(1)))
                prob += cost_expr <= float(tx.budget) * x + s, f"cost_{n}"
            elif worst > tx.budget:
                prob += cost_expr <= float(tx.budget) * x, f"cost_{n}"
        # C5 privacy and control-node eligibility, when elastic
        if mode(Constraint.PRIVACY, tx.id) is ConstraintMode.SOFT and tx.private:
            exposed = [ds[(c.j, c.level)] for c in cs if not nodes[c.j].private]
            s = slack(Constraint.PRIVACY, tx.id, Fraction(1))
            prob += pulp.lpSum(exposed) <= s, f"privacy_{n}"
        if mode(Constraint.ELIGIBILITY, tx.id) is ConstraintMode.SOFT and not tx.high_security:
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

    def reserved(self) -> None:
        """Write the aggregate capacity rows (hard model only).

        Every replica of n reserves at least its lowest candidate rate, and all replicas
        together fit in the nodes' total rate; implied, but it exposes one knapsack row to the
        solver's cut generators (D-alloc-12).
        """
        prob, mode, place, size = self.prob, self.mode, self.place, self.size
        cands, nodes = self.cands, self.instance.nodes
        reserved = []
        for n, cs in cands.items():
            if cs:
                expr = _linear((float(c.rate), place[(n, c.j, c.level)]) for c in cs)
                reserved.append(expr)
                prob += expr >= float(min(c.rate for c in cs)) * size[n], f"reserved_{n}"
        hard_cpu = [
            j
            for j, node in enumerate(nodes)
            if mode(Constraint.CPU, node.id) is ConstraintMode.HARD
        ]
        if len(hard_cpu) == len(nodes) and reserved:
            total_cpu = sum((node.cpu_ghz for node in nodes), Fraction(0))
            prob += pulp.lpSum(reserved) <= float(total_cpu), "total_cpu"

    def capacities(self) -> None:
        """Write the node capacity rows (storage, bandwidth, CPU) and the control tier's."""
        instance, prob, mode, slack = self.instance, self.prob, self.mode, self.slack
        txs, nodes, levels = instance.transactions, instance.nodes, instance.control_levels_ghz
        by_node, rate_on_node, control = self.by_node, self.rate_on_node, self.control
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
                if m_ is ConstraintMode.DROPPED or sum((a for a, _ in terms), Fraction(0)) <= cap:
                    continue
                expr = _linear((float(a), y) for a, y in terms)
                if m_ is ConstraintMode.SOFT:
                    expr = expr - slack(constraint, node.id, max(cap, Fraction(1)))
                prob += expr <= float(cap), f"{constraint.value}_{j}"
            m_ = mode(Constraint.CPU, node.id)
            if m_ is not ConstraintMode.DROPPED and rate_on_node.get(j):
                expr = _linear(rate_on_node[j])
                if m_ is ConstraintMode.SOFT:
                    expr = expr - slack(Constraint.CPU, node.id, node.cpu_ghz)
                prob += expr <= float(node.cpu_ghz), f"cpu_{j}"
        m_ = mode(Constraint.CONTROL_CAPACITY, SYSTEM)
        if m_ is not ConstraintMode.DROPPED and control:
            expr = _linear((float(levels[m]), v) for (_, m), v in control.items())
            if m_ is ConstraintMode.SOFT:
                expr = expr - slack(
                    Constraint.CONTROL_CAPACITY,
                    SYSTEM,
                    max(instance.control_capacity_ghz, Fraction(1)),
                )
            prob += expr <= float(instance.control_capacity_ghz), "control_capacity"

    def decentralization(self) -> tuple[pulp.LpVariable | None, dict[int, pulp.LpVariable]]:
        """Write C1: the top (D-1) loads hold at most share phi of all load (top-k sum).

        The Ogryczak-Tamir formulation: theta plus the loads' excesses over it; returns theta
        and the excesses (None and none when C1 is left out or D = 1).
        """
        instance, prob, mode, slack = self.instance, self.prob, self.mode, self.slack
        txs, by_node, size = instance.transactions, self.by_node, self.size
        theta = None
        excess: dict[int, pulp.LpVariable] = {}
        top = instance.decentralization_nodes - 1
        m_ = mode(Constraint.DECENTRALIZATION, SYSTEM)
        if top >= 1 and m_ is not ConstraintMode.DROPPED:
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
            if m_ is ConstraintMode.SOFT:
                total_tps = sum((t.throughput_tps for t in txs), Fraction(0))
                rhs = rhs + slack(Constraint.DECENTRALIZATION, SYSTEM, max(total_tps, Fraction(1)))
            prob += top * theta + pulp.lpSum(excess.values()) <= rhs, "decentralization"
        return theta, excess

    def symmetry(self) -> list[list[int]]:
        """Order identical nodes by non-increasing load, in list order; return their groups."""
        instance, prob, relax = self.instance, self.prob, self.relax
        txs, by_node = instance.transactions, self.by_node
        groups: list[list[int]] = []
        if not relax.elastic and not relax.dropped:
            for group in identical_groups(instance):
                groups.append(group)
                for a, b in itertools.pairwise(group):
                    la = _linear((float(txs[n].throughput_tps), y) for n, y in by_node.get(a, []))
                    lb = _linear((float(txs[n].throughput_tps), y) for n, y in by_node.get(b, []))
                    prob += la >= lb, f"symmetry_{a}_{b}"
        return groups


def export(model: AllocationModel, lp_path: str | None, mps_path: str | None) -> None:
    """Write the model as an LP file and/or an MPS file (with its objective sense)."""
    if lp_path is not None:
        model.problem.writeLP(lp_path)
    if mps_path is not None:
        model.problem.writeMPS(mps_path, with_objsense=True)
