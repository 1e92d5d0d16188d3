"""Enumerate the placement options of Eq. (1) that survive the exact reductions (D-alloc-12).

A candidate that violates a hard constraint on its own is not created; a rate level above the
lowest one that meets the latency bound in the worst case (the largest group, the slowest
ordering) is dominated and not created. Also here: the objective's granularity and the groups
of identical nodes that the model orders by load.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from vdlt_spec.allocation import quantities as q
from vdlt_spec.allocation.evaluator import SYSTEM, Constraint
from vdlt_spec.allocation.instance import Instance, Node, TransactionStream
from vdlt_spec.models.milp.relaxation import ConstraintMode, Relaxation
from vdlt_spec.roles import NodeRole


@dataclass(frozen=True)
class Candidate:
    """Hold one placement option: n on node j at rate level l, with coefficients (§IV-E)."""

    n: int
    j: int
    level: int
    rate: Fraction
    time_ms: Fraction
    cost: Fraction


def group_bounds(
    instance: Instance, tx: TransactionStream, relax: Relaxation, nodes: int
) -> tuple[int, int]:
    """Return the least and largest group size of a transaction over ``nodes`` eligible nodes."""
    k_lo = (
        tx.min_replicas if relax.mode(Constraint.REPLICAS_MIN, tx.id) is ConstraintMode.HARD else 1
    )
    k_hi = nodes
    if relax.mode(Constraint.REPLICAS_MAX, tx.id) is ConstraintMode.HARD:
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
        return relax.mode(c, s) is ConstraintMode.HARD

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
            (slow and relax.mode(Constraint.ORDERING_THROUGHPUT, tx.id) is ConstraintMode.HARD)
            or (too_big and relax.mode(Constraint.CONTROL_CAPACITY, SYSTEM) is ConstraintMode.HARD)
            or (too_dear and relax.mode(Constraint.COST, tx.id) is ConstraintMode.HARD)
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
        return relax.mode(c, s) is ConstraintMode.HARD

    link = q.link_demand_mbps(tx)
    eligible = [
        j for j, node in enumerate(instance.nodes) if node_eligible(instance, tx, node, relax, link)
    ]
    k_lo, k_hi = group_bounds(instance, tx, relax, len(eligible))
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


def granularity(values: Iterable[Fraction]) -> Fraction:
    """Return the largest step of which every objective coefficient is a multiple (D-alloc-13)."""
    nonzero = [abs(v) for v in values if v != 0]
    if not nonzero:
        return Fraction(1)
    denominator = math.lcm(*(v.denominator for v in nonzero))
    numerator = math.gcd(*(int(v * denominator) for v in nonzero))
    return Fraction(numerator, denominator)


def identical_groups(instance: Instance) -> list[list[int]]:
    """Return the groups (two or more) of nodes that no constraint tells apart."""
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
