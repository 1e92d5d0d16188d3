"""Track what a partial allocation of Eq. (1) leaves free, and the placements made (§IV-E).

One record serves every allocator that places one transaction at a time: the baselines of
§IV-G and the DRL environment's menu (§IV-F).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from vdlt_spec.allocation import quantities as q
from vdlt_spec.allocation.decision import Assignment
from vdlt_spec.allocation.instance import Instance, Node, TransactionStream
from vdlt_spec.roles import NodeRole

__all__ = ["Reservations"]


@dataclass
class Reservations:
    """Hold what a partial allocation leaves free, and the placements made, in order (§IV-E)."""

    instance: Instance
    cpu: dict[str, Fraction] = field(default_factory=dict)
    disk: dict[str, Fraction] = field(default_factory=dict)
    link: dict[str, Fraction] = field(default_factory=dict)
    load: dict[str, Fraction] = field(default_factory=dict)
    control: Fraction = Fraction(0)
    placed: dict[str, Assignment] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for n in self.instance.nodes:
            self.cpu[n.id] = n.cpu_ghz
            self.disk[n.id] = n.storage_gb
            self.link[n.id] = n.bandwidth_mbps
            self.load[n.id] = Fraction(0)
        self.control = self.instance.control_capacity_ghz

    def hosts(self, tx: TransactionStream, node: Node, link_mbps: Fraction) -> bool:
        """Tell whether the node may take a replica of tx that needs ``link_mbps`` of its link."""
        if node.role is NodeRole.MANAGEMENT_CONTROL and not tx.high_security:
            return False
        if tx.private and not node.private:
            return False
        return self.disk[node.id] >= tx.storage_gb and self.link[node.id] >= link_mbps

    def may_host(self, tx: TransactionStream, node: Node) -> bool:
        """Tell whether ``node`` may take a replica of ``tx``: role, privacy, storage, link."""
        if node.role is NodeRole.MANAGEMENT_CONTROL and not tx.high_security:
            return False
        if tx.private and not node.private:
            return False
        return (
            self.disk[node.id] >= tx.storage_gb
            and self.link[node.id] >= q.link_demand_mbps(tx)
            and self.cpu[node.id] > 0
        )

    def fits(self, tx: TransactionStream, a: Assignment) -> bool:
        """Tell whether placing ``a`` keeps every node and the control tier within capacity."""
        if a.control_ghz > self.control:
            return False
        link = q.link_demand_mbps(tx)
        return all(
            r.rate_ghz <= self.cpu[r.node]
            and tx.storage_gb <= self.disk[r.node]
            and link <= self.link[r.node]
            for r in a.replicas
        )

    def commit(self, tx: TransactionStream, a: Assignment) -> None:
        """Reserve the resources of ``a`` and record it."""
        self._move(tx, a, -1)
        self.placed[tx.id] = a

    def release(self, tx: TransactionStream) -> Assignment:
        """Free the resources of ``tx``'s placement and forget it; return the placement."""
        a = self.placed.pop(tx.id)
        self._move(tx, a, 1)
        return a

    def _move(self, tx: TransactionStream, a: Assignment, sign: int) -> None:
        link = q.link_demand_mbps(tx)
        for r in a.replicas:
            self.cpu[r.node] += sign * r.rate_ghz
            self.disk[r.node] += sign * tx.storage_gb
            self.link[r.node] += sign * link
            self.load[r.node] -= sign * tx.throughput_tps
        self.control += sign * a.control_ghz
