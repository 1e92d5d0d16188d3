"""Describe virtual DLT systems and where their nodes are placed (§III-C, Figs. 3, 4, 8).

A virtual DLT system belongs to a virtual DLT service provider (vDSP), serves some classes of
service, and consists of virtual nodes, each in the management/control role or the execution
role (Fig. 8) with a resource demand. A placement lists the admitted systems and the physical
node of each of their virtual nodes.
"""

from __future__ import annotations

from dataclasses import dataclass

from vdlt_spec.cos import ServiceClass
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.roles import NodeRole
from vdlt_spec.virtualization.resources import Resources, require_identifier, total

ROLES: tuple[NodeRole, ...] = tuple(NodeRole)
"""The roles of a virtual system's groups, in admission order: management/control first."""

MIN_GROUP_SIZE = 1


@dataclass(frozen=True)
class VirtualNode:
    """Describe a virtual node: its id within its system, its role and its demand (Fig. 8)."""

    id: str
    role: NodeRole
    demand: Resources

    def __post_init__(self) -> None:
        require_identifier(self.id, "virtual node id")
        if self.role not in ROLES:
            raise SpecError(Reason.SCHEMA_VIOLATION, f"virtual node {self.id}: bad role")


@dataclass(frozen=True)
class VirtualSystem:
    """Describe a virtual DLT system: owner vDSP, classes served, its two groups (§III-C).

    The management/control group and the execution group (Fig. 3) are the nodes of each role;
    each must have at least ``MIN_GROUP_SIZE`` nodes (D-virt-7).
    """

    id: str
    vdsp: str
    classes: tuple[ServiceClass, ...]
    nodes: tuple[VirtualNode, ...]

    def __post_init__(self) -> None:
        require_identifier(self.id, "virtual system id")
        require_identifier(self.vdsp, f"vDSP of virtual system {self.id}")
        if not self.classes:
            raise SpecError(Reason.NO_SERVICE_CLASS, f"virtual system {self.id} serves no class")
        if len(set(self.classes)) != len(self.classes):
            raise SpecError(Reason.DUPLICATE_CLASS, f"virtual system {self.id} repeats a class")
        ids = [n.id for n in self.nodes]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise SpecError(
                Reason.DUPLICATE_VIRTUAL_NODE,
                f"virtual system {self.id} repeats node ids {duplicates}",
            )
        for role in ROLES:
            if len(self.group(role)) < MIN_GROUP_SIZE:
                raise SpecError(
                    Reason.EMPTY_GROUP,
                    f"virtual system {self.id} needs at least {MIN_GROUP_SIZE} "
                    f"{role.value} node(s)",
                )

    def group(self, role: NodeRole) -> tuple[VirtualNode, ...]:
        """Return the system's nodes of one role, in declared order (§III-B, Fig. 3)."""
        return tuple(n for n in self.nodes if n.role == role)

    def demand(self) -> Resources:
        """Return the total demand of the system's nodes (§III-C)."""
        return total(n.demand for n in self.nodes)


@dataclass(frozen=True)
class HostAssignment:
    """Put one virtual node of one virtual system on one physical node (§III-C, Fig. 4)."""

    system: str
    node: str
    host: str


@dataclass(frozen=True)
class Placement:
    """Hold the admitted virtual systems in admission order and where their nodes are (§III-C).

    The constructor checks nothing beyond types, so that :func:`validate` can report every
    violation of a placement read from elsewhere (§III-C).
    """

    systems: tuple[VirtualSystem, ...] = ()
    assignments: tuple[HostAssignment, ...] = ()

    def system(self, system_id: str) -> VirtualSystem:
        """Return the admitted system ``system_id`` or reject it as unknown (§III-C)."""
        for candidate in self.systems:
            if candidate.id == system_id:
                return candidate
        raise SpecError(Reason.UNKNOWN_VIRTUAL_SYSTEM, f"no admitted virtual system {system_id!r}")

    def hosts_of(self, system_id: str) -> dict[str, str]:
        """Map each virtual node of ``system_id`` to its physical node (§III-C)."""
        return {a.node: a.host for a in self.assignments if a.system == system_id}


EMPTY_PLACEMENT = Placement()
