"""Check a placement against the rules of the substrate (§III-C, §IV-B, D-virt-2 ... D-virt-6).

A placement keeps every capacity, puts no two nodes of one system on one physical node
(anti-affinity: one physical fault costs a BFT group at most one replica), puts management/
control nodes only on qualified hosts, and keeps each system within one reachable part.
"""

from __future__ import annotations

from dataclasses import dataclass

from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.roles import NodeRole
from vdlt_spec.virtualization.resources import NO_RESOURCES, RESOURCE_UNITS, Resources
from vdlt_spec.virtualization.substrate import (
    Substrate,
    management_shortfalls,
    reachability_groups,
)
from vdlt_spec.virtualization.systems import Placement, VirtualSystem


@dataclass(frozen=True)
class Violation:
    """Name one rule a placement breaks (a ``Reason``), what breaks it, and how (§III-C)."""

    kind: Reason
    subject: str
    detail: str


def _used(
    substrate: Substrate, placement: Placement
) -> tuple[dict[str, Resources], list[Violation], dict[tuple[str, str], str]]:
    """Sum demand per host; report unknown ids, duplicates and unplaced nodes."""
    hosts = {n.id for n in substrate.nodes}
    violations: list[Violation] = []
    by_system: dict[str, VirtualSystem] = {}
    for system in placement.systems:
        if system.id in by_system:
            violations.append(
                Violation(Reason.DUPLICATE_VIRTUAL_SYSTEM, system.id, "admitted twice")
            )
            continue
        by_system[system.id] = system
    demands = {sid: {n.id: n.demand for n in s.nodes} for sid, s in by_system.items()}
    where: dict[tuple[str, str], str] = {}
    used = {h: NO_RESOURCES for h in sorted(hosts)}
    for a in placement.assignments:
        subject = f"{a.system}/{a.node}"
        if a.system not in by_system:
            violations.append(
                Violation(Reason.UNKNOWN_VIRTUAL_SYSTEM, subject, "system not admitted")
            )
            continue
        demand = demands[a.system]
        if a.node not in demand:
            violations.append(Violation(Reason.UNKNOWN_VIRTUAL_NODE, subject, "no such node"))
            continue
        if a.host not in hosts:
            violations.append(
                Violation(Reason.UNKNOWN_PHYSICAL_NODE, subject, f"no physical node {a.host!r}")
            )
            continue
        if (a.system, a.node) in where:
            violations.append(
                Violation(
                    Reason.DUPLICATE_ASSIGNMENT,
                    subject,
                    f"placed on {where[(a.system, a.node)]} and on {a.host}",
                )
            )
            continue
        where[(a.system, a.node)] = a.host
        used[a.host] = used[a.host] + demand[a.node]
    for system in by_system.values():
        for node in system.nodes:
            if (system.id, node.id) not in where:
                violations.append(
                    Violation(Reason.NODE_UNPLACED, f"{system.id}/{node.id}", "not placed")
                )
    return used, violations, where


def validate(substrate: Substrate, placement: Placement) -> tuple[Violation, ...]:
    """List every rule ``placement`` breaks on ``substrate``; empty means valid (§III-C, §IV-B).

    Checks, in this order: known and unique ids, every node placed once, capacity on every
    physical node (D-virt-2), anti-affinity (D-virt-3), management/control hosts (D-virt-5),
    reachability of each system's hosts (D-virt-6).
    """
    used, violations, where = _used(substrate, placement)
    by_id = {n.id: n for n in substrate.nodes}
    for host_id, amount in used.items():
        capacity = by_id[host_id].capacity
        for kind in amount.shortfall(capacity):
            violations.append(
                Violation(
                    Reason.CAPACITY_EXCEEDED,
                    host_id,
                    f"{kind} used {amount.amount(kind)} > capacity {capacity.amount(kind)} "
                    f"{RESOURCE_UNITS[kind]}",
                )
            )
    sharing: dict[tuple[str, str], list[str]] = {}
    for (system_id, node_id), host_id in where.items():
        sharing.setdefault((system_id, host_id), []).append(node_id)
    for (system_id, host_id), nodes in sharing.items():
        if len(nodes) > 1:
            violations.append(
                Violation(
                    Reason.ANTI_AFFINITY_VIOLATED,
                    f"{system_id}@{host_id}",
                    f"nodes {sorted(nodes)} of one system share a physical node",
                )
            )
    roles = {(s.id, n.id): n.role for s in placement.systems for n in s.nodes}
    for (system_id, node_id), host_id in where.items():
        if roles[(system_id, node_id)] == NodeRole.MANAGEMENT_CONTROL:
            missing = management_shortfalls(by_id[host_id], substrate.management)
            if missing:
                violations.append(
                    Violation(
                        Reason.MANAGEMENT_HOST_UNQUALIFIED,
                        f"{system_id}/{node_id}@{host_id}",
                        "; ".join(missing),
                    )
                )
    part_of = {h: i for i, part in enumerate(reachability_groups(substrate)) for h in part}
    parts_of: dict[str, set[int]] = {}
    for (system_id, _), host_id in where.items():
        parts_of.setdefault(system_id, set()).add(part_of[host_id])
    for system_id, parts in parts_of.items():
        if len(parts) > 1:
            violations.append(
                Violation(
                    Reason.SYSTEM_DISCONNECTED,
                    system_id,
                    f"hosts lie in {len(parts)} unconnected parts of the substrate",
                )
            )
    return tuple(violations)


def require_valid(substrate: Substrate, placement: Placement) -> None:
    """Reject a placement that breaks any rule with ``INVALID_PLACEMENT`` (§III-C)."""
    violations = validate(substrate, placement)
    if violations:
        first = violations[0]
        raise SpecError(
            Reason.INVALID_PLACEMENT,
            f"{len(violations)} violation(s), first {first.kind.value} at {first.subject}: "
            f"{first.detail}",
        )


def free_capacity(substrate: Substrate, placement: Placement) -> dict[str, Resources]:
    """Return each physical node's capacity left by a valid placement, by node id (§III-C)."""
    require_valid(substrate, placement)
    used, _, _ = _used(substrate, placement)
    return {n.id: n.capacity - used[n.id] for n in substrate.nodes}
