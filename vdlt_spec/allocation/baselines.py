"""Allocate greedily: the per-class heuristic of §IV-G and a class-blind density baseline.

Both place one transaction at a time, mandatory ones first, on nodes ranked by a policy;
for each they try the smallest group first and the cheapest rate and control levels that meet
the latency bound, keep the placement only if every per-transaction constraint holds (checked
with the evaluator's own per-transaction report), and reserve its resources. A final repair
drops admitted transactions until the decentralization constraint C1 holds. They are
baselines for the exact MILP and for learned allocators; neither claims optimality.

* :func:`per_class_greedy` (§IV-G): classes in priority order, and a node ranking per class:
  fast confirmation on the most trusted nodes with the fewest replicas, computation-intensive
  on the nodes with the most spare rate, storage-intensive on the cheapest storage, low cost on
  the cheapest compute, management/control (high security) on the most trusted nodes, which
  include the management/control nodes; best effort and scavenger spread over the least loaded.
* :func:`density_greedy`: no classes; transactions by utility per reserved GHz, nodes by
  least load then price (a first-fit-decreasing knapsack heuristic).
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from vdlt_spec.allocation import quantities as q
from vdlt_spec.allocation.decision import Allocation, Assignment, Replica
from vdlt_spec.allocation.evaluator import (
    PLACEMENT_CONSTRAINTS,
    transaction_reports,
)
from vdlt_spec.allocation.instance import Instance, Node, TransactionStream, Utility
from vdlt_spec.allocation.reservations import Reservations
from vdlt_spec.cos import CLASS_RANKING, ServiceClass
from vdlt_spec.errors import Reason, SpecError

#: Classes the per-class heuristic places before all others: control traffic, then the
#: latency-critical class, then private (few privacy-capable hosts).
PLACED_FIRST: tuple[ServiceClass, ...] = (
    ServiceClass.MANAGEMENT_CONTROL,
    ServiceClass.FAST_CONFIRMATION,
    ServiceClass.PRIVATE,
)
#: Order in which the per-class heuristic serves the classes: ``PLACED_FIRST``, then the others
#: in Table II order (scavenger last).
CLASS_PRIORITY: tuple[ServiceClass, ...] = (
    *PLACED_FIRST,
    *(c for c in CLASS_RANKING if c not in PLACED_FIRST),
)
_TOO_FEW = "too few hosts"
NodeRank = Callable[[TransactionStream, Node, "Reservations"], tuple[object, ...]]
# An allocator: anything that maps an instance of Eq. (1) to an allocation (a baseline, the
# MILP oracle, a learned agent); the system and the leaderboards take one.
Allocator = Callable[[Instance], Allocation]


def _level(
    state: Reservations, node: Node, levels: list[tuple[Fraction, Fraction]], headroom_ms: Fraction
) -> Fraction | None:
    """Return the lowest of the (rate, execution ms) levels meeting C3 (``levels`` holds only
    those), the node's spare rate and the latency left."""
    for rate, execution in levels:
        if rate <= state.cpu[node.id] and execution <= headroom_ms:
            return rate
    return None


def _try_group(
    state: Reservations,
    tx: TransactionStream,
    ranked: list[tuple[Node, Fraction]],
    control_ghz: Fraction,
    k: int,
) -> Assignment | str | None:
    """Return a placement on the first k ranked nodes that can host, None if a per-transaction
    constraint fails, or ``_TOO_FEW`` if fewer than k nodes can host at all (then no larger
    group can: consensus time only grows with k)."""
    inst = state.instance
    need = q.execution_demand_ghz(tx)
    levels = [(r, q.execution_ms(tx, r)) for r in inst.rate_levels_ghz if r >= need]
    budget_ms = tx.latency_ms - q.ordering_ms(tx, control_ghz) - q.consensus_ms(inst, k)
    replicas: list[Replica] = []
    for node, transfer in ranked:
        rate = _level(state, node, levels, budget_ms - transfer)
        if rate is not None:
            replicas.append(Replica(node.id, rate))
            if len(replicas) == k:
                break
    if len(replicas) < k:
        return _TOO_FEW
    chosen = [inst.node(r.node) for r in replicas]
    if q.expected_faulty(chosen) > q.fault_bound(k):
        return None  # quick reject before the full per-transaction report
    cost = q.control_cost(inst, control_ghz) + sum(
        (q.replica_cost(tx, n, r.rate_ghz) for n, r in zip(chosen, replicas, strict=True)),
        Fraction(0),
    )
    if cost > tx.budget:
        return None
    a = Assignment(tx.id, control_ghz, tuple(replicas))
    reports = transaction_reports(inst, tx, a)
    # capacity and C1 are tracked apart, in the state and by the final repair
    if all(r.satisfied for r in reports if r.constraint in PLACEMENT_CONSTRAINTS):
        return a
    return None


def _worth(instance: Instance, tx: TransactionStream, a: Assignment) -> bool:
    if tx.mandatory or instance.utility is Utility.THROUGHPUT:
        return True
    cost = q.control_cost(instance, a.control_ghz) + sum(
        (q.replica_cost(tx, instance.node(r.node), r.rate_ghz) for r in a.replicas), Fraction(0)
    )
    return tx.value > cost


def _place(state: Reservations, tx: TransactionStream, rank: NodeRank) -> Assignment | None:
    inst = state.instance
    link = q.link_demand_mbps(tx)
    hosts = [(n, q.transfer_ms(inst, tx, n)) for n in inst.nodes if state.hosts(tx, n, link)]
    keys: list[Callable[[tuple[Node, Fraction]], tuple[object, ...]]] = [
        lambda h: rank(tx, h[0], state),
        lambda h: (-h[0].trust, h[0].id),  # if security fails on the first order
        lambda h: (h[0].compute_price, h[0].id),  # if the budget fails
    ]
    orders: list[list[tuple[Node, Fraction]]] = []  # sorted when first needed

    def order(i: int) -> list[tuple[Node, Fraction]]:
        while len(orders) <= i:
            orders.append(sorted(hosts, key=keys[len(orders)]))
        return orders[i]

    need = q.ordering_demand_ghz(tx)
    for control_ghz in inst.control_levels_ghz:
        if control_ghz < need or control_ghz > state.control:
            continue
        for k in range(tx.min_replicas, min(inst.max_replicas, len(hosts)) + 1):
            found = [_try_group(state, tx, order(0), control_ghz, k)]
            if found[0] == _TOO_FEW:
                break  # the node set that can host does not depend on the order
            for i in range(1, len(keys)):
                if isinstance(found[-1], Assignment):
                    break
                found.append(_try_group(state, tx, order(i), control_ghz, k))
            a = found[-1]
            if isinstance(a, Assignment):
                return a if _worth(inst, tx, a) else None
    return None


def _decentralized(state: Reservations) -> bool:
    """Tell whether the loads placed so far meet C1 (the state tracks them, as node_loads would)."""
    loads = list(state.load.values())
    top = q.top_sum(loads, state.instance.decentralization_nodes - 1)
    return top <= state.instance.decentralization_share * sum(loads, Fraction(0))


def _repair(state: Reservations, order: list[TransactionStream]) -> None:
    """Drop the last-served transactions on the busiest node until C1 holds (§IV-E, C1).

    Optional transactions go first; only if C1 fails on the mandatory ones alone are those
    dropped too, so that the allocation violates nothing but ``mandatory`` (the documented way
    a greedy fails). With nothing placed C1 holds, so the loop ends.
    """
    while not _decentralized(state):
        busiest = max(state.load, key=lambda nid: (state.load[nid], nid))
        placed = [tx for tx in reversed(order) if tx.id in state.placed]
        there = [t for t in placed if any(r.node == busiest for r in state.placed[t.id].replicas)]
        victim = (
            next((tx for tx in there if not tx.mandatory), None)
            or next((tx for tx in placed if not tx.mandatory), None)
            or there[0]
        )
        a = state.placed.pop(victim.id)
        for r in a.replicas:
            state.cpu[r.node] += r.rate_ghz
            state.disk[r.node] += victim.storage_gb
            state.link[r.node] += q.link_demand_mbps(victim)
            state.load[r.node] -= victim.throughput_tps
        state.control += a.control_ghz


def density(instance: Instance, tx: TransactionStream) -> Fraction:
    """Return a transaction's utility per GHz it reserves at its smallest group (§IV-G)."""
    rate = next(
        (r for r in instance.rate_levels_ghz if r >= q.execution_demand_ghz(tx)),
        instance.rate_levels_ghz[-1],
    )
    reserved = rate * tx.min_replicas
    gain = tx.throughput_tps if instance.utility is Utility.THROUGHPUT else tx.value
    return gain / reserved


def greedy(instance: Instance, order: list[TransactionStream], rank: NodeRank) -> Allocation:
    """Place transactions in ``order`` on nodes ranked by ``rank``, then repair C1 (§IV-G)."""
    state = Reservations(instance)
    for tx in order:
        a = _place(state, tx, rank)
        if a is not None:
            state.commit(tx, a)
    _repair(state, order)
    return Allocation(tuple(state.placed[t.id] for t in order if t.id in state.placed))


def _class_rank(tx: TransactionStream, node: Node, state: Reservations) -> tuple[object, ...]:
    cls = tx.service_class
    local = node.region != tx.origin
    if cls in (ServiceClass.FAST_CONFIRMATION, ServiceClass.MANAGEMENT_CONTROL):
        return (-node.trust, local, -node.bandwidth_mbps, node.id)
    if cls is ServiceClass.COMPUTATION_INTENSIVE:
        return (-state.cpu[node.id], node.compute_price, node.id)
    if cls is ServiceClass.STORAGE_INTENSIVE:
        return (node.storage_price, -state.link[node.id], node.id)
    if cls in (ServiceClass.LOW_COST, ServiceClass.PRIVATE):
        return (node.compute_price, local, node.id)
    return (state.load[node.id], node.compute_price, node.id)


def per_class_greedy(instance: Instance) -> Allocation:
    """Allocate class by class with a node ranking per class (§IV-G); see the module doc."""
    priority = {c: i for i, c in enumerate(CLASS_PRIORITY)}
    order = sorted(
        instance.transactions,
        key=lambda t: (
            not t.mandatory,
            priority[t.service_class],
            -density(instance, t),
            t.id,
        ),
    )
    return greedy(instance, order, _class_rank)


def _load_rank(tx: TransactionStream, node: Node, state: Reservations) -> tuple[object, ...]:
    return (state.load[node.id], node.compute_price, node.id)


def density_greedy(instance: Instance) -> Allocation:
    """Allocate class-blind: by utility per reserved GHz, on the least-loaded nodes (§IV-G)."""
    order = sorted(
        instance.transactions,
        key=lambda t: (not t.mandatory, -density(instance, t), t.id),
    )
    return greedy(instance, order, _load_rank)


BASELINES: dict[str, Callable[[Instance], Allocation]] = {
    "per-class-greedy": per_class_greedy,
    "density-greedy": density_greedy,
}


def baseline_named(name: str, where: str = "baseline") -> Allocator:
    """Return the baseline heuristic called ``name`` in :data:`BASELINES` (§IV-G).

    Any other name is ``BAD_USAGE``; ``where`` names the input in the message, e.g. a
    command-line option.
    """
    if name not in BASELINES:
        raise SpecError(
            Reason.BAD_USAGE, f"{where} must be one of {', '.join(BASELINES)}, got {name!r}"
        )
    return BASELINES[name]
