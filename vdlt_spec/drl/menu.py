"""Offer the placements the DRL environment may choose for one transaction (§IV-F, §IV-G).

The environment decides one transaction per step by choosing one entry of a menu (or
rejecting it). Each entry is the placement a node ranking yields: the first nodes of the
ranking that can host the transaction, the smallest group and the cheapest control and rate
levels that meet its latency bound, exactly as a greedy builds one (§IV-G). An entry is
offered only if it fits the capacity still free and the evaluator's own per-transaction report
(:func:`vdlt_spec.allocation.evaluator.transaction_reports`) finds every local constraint of
Eq. (1) satisfied: C2-C5, security, group size, control-node eligibility, the rate and control
menus. So a masked choice cannot violate a local constraint; the evaluator stays the judge.

:class:`Reservations` tracks the capacity still free (execution rate, storage, link, the
control tier) and each node's C1 load; :func:`repair_decentralization` enforces C1 at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from vdlt_spec.allocation import quantities as q
from vdlt_spec.allocation.decision import Assignment, Replica
from vdlt_spec.allocation.evaluator import transaction_reports
from vdlt_spec.allocation.exhaustive import LOCAL
from vdlt_spec.allocation.instance import Instance, Node, TransactionStream, Utility
from vdlt_spec.allocation.reservations import Reservations


def decentralization_slack(instance: Instance, loads: list[Fraction]) -> Fraction:
    """Return C1's slack for these node loads: share * total - top (D-1) loads (§IV-E, C1)."""
    top = q.top_sum(loads, instance.decentralization_nodes - 1)
    return instance.decentralization_share * sum(loads, Fraction(0)) - top


def gain(instance: Instance, tx: TransactionStream, a: Assignment) -> Fraction:
    """Return what admitting ``tx`` as ``a`` adds to the objective of Eq. (1) (§IV-E).

    Throughput: the stream's rate; welfare: its value less the cost of its placement. The sum
    over the admitted transactions is the evaluator's objective.
    """
    if instance.utility is Utility.THROUGHPUT:
        return tx.throughput_tps
    cost = q.control_cost(instance, a.control_ghz) + sum(
        (q.replica_cost(tx, instance.node(r.node), r.rate_ghz) for r in a.replicas), Fraction(0)
    )
    return tx.value - cost


NodeKey = Callable[[TransactionStream, Node, Reservations], tuple[object, ...]]


def _remote(tx: TransactionStream, node: Node) -> bool:
    return node.region != tx.origin


#: The node rankings that make the menu, in slot order (§IV-G: trust, speed, price, load).
RANKINGS: tuple[tuple[str, NodeKey], ...] = (
    ("least-loaded", lambda tx, n, s: (s.load[n.id], n.compute_price, n.id)),
    ("cheapest", lambda tx, n, s: (n.compute_price, s.load[n.id], n.id)),
    ("most-spare-rate", lambda tx, n, s: (-s.cpu[n.id], n.compute_price, n.id)),
    ("tightest-fit", lambda tx, n, s: (s.cpu[n.id], n.compute_price, n.id)),
    ("most-trusted", lambda tx, n, s: (-n.trust, _remote(tx, n), n.id)),
    ("nearest", lambda tx, n, s: (_remote(tx, n), -n.bandwidth_mbps, s.load[n.id], n.id)),
    (
        "spare-private",
        lambda tx, n, s: (n.private and not tx.private, s.load[n.id], n.compute_price, n.id),
    ),
    ("most-spare-link", lambda tx, n, s: (-s.link[n.id], s.load[n.id], n.id)),
)
#: Entries of the menu: one per ranking.
MENU_SIZE = len(RANKINGS)


def locally_feasible(instance: Instance, tx: TransactionStream, a: Assignment) -> bool:
    """Tell whether every local constraint of Eq. (1) holds for ``a``, by the evaluator (§IV-E)."""
    return all(r.satisfied for r in transaction_reports(instance, tx, a) if r.constraint in LOCAL)


def _group(
    state: Reservations,
    ranked: list[tuple[Node, Fraction]],
    levels: list[tuple[Fraction, Fraction]],
    headroom_ms: Fraction,
    k: int,
) -> list[Replica] | None:
    """Return the first ``k`` ranked hosts, each at its lowest rate meeting C2 and C3.

    ``levels`` holds the (rate, execution ms) pairs whose rate meets C3; ``headroom_ms`` is the
    latency bound less ordering and consensus time.
    """
    replicas: list[Replica] = []
    for node, transfer in ranked:
        room, free = headroom_ms - transfer, state.cpu[node.id]
        for rate, execution in levels:
            if rate <= free and execution <= room:
                replicas.append(Replica(node.id, rate))
                break
        if len(replicas) == k:
            return replicas
    return None


def build(
    state: Reservations,
    tx: TransactionStream,
    hosts: list[tuple[Node, Fraction]],
    key: NodeKey,
    checked: dict[Assignment, bool],
) -> Assignment | None:
    """Return the placement a node ranking yields for ``tx``, or None if it yields none (§IV-G).

    Control levels cheapest first, then group sizes smallest first; the first placement that
    fits the free capacity and meets every local constraint is the answer. ``checked``
    remembers the local verdict of each placement already judged (the rankings often agree).
    """
    inst = state.instance
    ranked = sorted(hosts, key=lambda h: key(tx, h[0], state))
    need = q.ordering_demand_ghz(tx)
    rate_need = q.execution_demand_ghz(tx)
    levels = [(r, q.execution_ms(tx, r)) for r in inst.rate_levels_ghz if r >= rate_need]
    for control_ghz in inst.control_levels_ghz:
        if control_ghz < need or control_ghz > state.control:
            continue
        for k in range(tx.min_replicas, min(inst.max_replicas, len(ranked)) + 1):
            headroom = tx.latency_ms - q.ordering_ms(tx, control_ghz) - q.consensus_ms(inst, k)
            replicas = _group(state, ranked, levels, headroom, k)
            if replicas is None:
                break  # consensus time only grows with k: no larger group meets C2 either
            a = Assignment(tx.id, control_ghz, tuple(replicas))
            if a not in checked:
                checked[a] = _cheap_checks(inst, tx, a) and locally_feasible(inst, tx, a)
            if checked[a] and state.fits(tx, a):
                return a
    return None


def _cheap_checks(instance: Instance, tx: TransactionStream, a: Assignment) -> bool:
    """Reject a placement early on security or cost, the checks that usually fail."""
    nodes = [instance.node(r.node) for r in a.replicas]
    if q.expected_faulty(nodes) > q.fault_bound(len(nodes)):
        return False
    cost = q.control_cost(instance, a.control_ghz) + sum(
        (q.replica_cost(tx, n, r.rate_ghz) for n, r in zip(nodes, a.replicas, strict=True)),
        Fraction(0),
    )
    return cost <= tx.budget


def menu(state: Reservations, tx: TransactionStream) -> tuple[Assignment | None, ...]:
    """Return one placement (or None) per ranking of :data:`RANKINGS` for ``tx`` (§IV-F)."""
    inst = state.instance
    hosts = [(n, q.transfer_ms(inst, tx, n)) for n in inst.nodes if state.may_host(tx, n)]
    if len(hosts) < tx.min_replicas:
        return (None,) * MENU_SIZE
    checked: dict[Assignment, bool] = {}
    return tuple(build(state, tx, hosts, key, checked) for _, key in RANKINGS)


def repair_decentralization(
    state: Reservations, order: list[TransactionStream]
) -> list[tuple[TransactionStream, Assignment]]:
    """Drop placements until C1 holds; return the dropped ones, in order (§IV-E, C1).

    Deterministic: while C1 fails, drop the last-decided optional transaction that has a
    replica on the busiest node (ties: the node id), else the last-decided optional one, else
    the last-decided mandatory one on that node. With nothing placed C1 holds, so it ends.
    """
    inst = state.instance
    dropped: list[tuple[TransactionStream, Assignment]] = []
    while decentralization_slack(inst, list(state.load.values())) < 0:
        busiest = max(state.load, key=lambda nid: (state.load[nid], nid))
        placed = [tx for tx in reversed(order) if tx.id in state.placed]
        there = [t for t in placed if any(r.node == busiest for r in state.placed[t.id].replicas)]
        victim = (
            next((t for t in there if not t.mandatory), None)
            or next((t for t in placed if not t.mandatory), None)
            or there[0]
        )
        dropped.append((victim, state.release(victim)))
    return dropped
