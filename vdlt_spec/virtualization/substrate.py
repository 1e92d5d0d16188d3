"""Describe the substrate DLT system and who may host management/control (Fig. 4, §IV-B).

A substrate DLT system is a set of physical nodes, each owned by a DLT infrastructure provider
(DInP), with a capacity in three resources, and the links between them (D-virt-5, D-virt-6).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.virtualization.resources import (
    KBITS_PER_MBIT,
    MIB_PER_TIB,
    MILLICORES_PER_CORE,
    RESOURCE_UNITS,
    Resources,
    require_identifier,
)

# Anchor: EIP-7870's recommendation for an Ethereum attester (8 cores, 4 TB, 25 Mbit/s up).
MANAGEMENT_MIN_COMPUTE = 8 * MILLICORES_PER_CORE
MANAGEMENT_MIN_STORAGE = 4 * MIB_PER_TIB
MANAGEMENT_MIN_BANDWIDTH = 25 * KBITS_PER_MBIT
MANAGEMENT_MINIMUM = Resources(
    MANAGEMENT_MIN_COMPUTE, MANAGEMENT_MIN_STORAGE, MANAGEMENT_MIN_BANDWIDTH
)


@dataclass(frozen=True)
class ManagementRequirements:
    """State what a physical node must declare to host management/control nodes (§IV-B).

    §IV-B: "a stable performance, e.g., a dedicated IP address, running 24/7, high bandwidth,
    good hardware". The hardware floor applies to the node's total capacity.
    """

    minimum: Resources = MANAGEMENT_MINIMUM
    dedicated_address: bool = True
    always_on: bool = True


@dataclass(frozen=True)
class PhysicalNode:
    """Describe a physical node of the substrate: owner DInP, region, capacity (§III-C, Fig. 4).

    ``dedicated_address`` and ``always_on`` are declared data that §IV-B asks of hosts of
    management/control nodes.
    """

    id: str
    dinp: str
    region: str
    capacity: Resources
    dedicated_address: bool = False
    always_on: bool = False

    def __post_init__(self) -> None:
        require_identifier(self.id, "physical node id")
        require_identifier(self.dinp, f"DInP of physical node {self.id}")
        require_identifier(self.region, f"region of physical node {self.id}")


@dataclass(frozen=True)
class Link:
    """Connect two physical nodes of the substrate (§III-C, Fig. 4)."""

    a: str
    b: str


@dataclass(frozen=True)
class Substrate:
    """Hold the substrate DLT system: physical nodes, links, management requirements (Fig. 4).

    With no links declared the substrate is one fully reachable network (D-virt-6).
    """

    nodes: tuple[PhysicalNode, ...]
    links: tuple[Link, ...] = ()
    management: ManagementRequirements = field(default_factory=ManagementRequirements)

    def __post_init__(self) -> None:
        ids = [n.id for n in self.nodes]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise SpecError(
                Reason.DUPLICATE_PHYSICAL_NODE, f"physical node ids repeated: {duplicates}"
            )
        known = set(ids)
        seen: set[frozenset[str]] = set()
        for link in self.links:
            for end in (link.a, link.b):
                if end not in known:
                    raise SpecError(
                        Reason.UNKNOWN_PHYSICAL_NODE, f"link {link.a}-{link.b}: no node {end!r}"
                    )
            pair = frozenset((link.a, link.b))
            if len(pair) == 1:
                raise SpecError(Reason.BAD_LINK, f"link {link.a}-{link.b} joins a node to itself")
            if pair in seen:
                raise SpecError(Reason.BAD_LINK, f"link {link.a}-{link.b} declared twice")
            seen.add(pair)

    def node(self, node_id: str) -> PhysicalNode:
        """Return the physical node ``node_id`` or reject it as unknown (§III-C)."""
        for candidate in self.nodes:
            if candidate.id == node_id:
                return candidate
        raise SpecError(Reason.UNKNOWN_PHYSICAL_NODE, f"no physical node {node_id!r}")


def substrate_graph(substrate: Substrate) -> nx.Graph:
    """Return the substrate as a networkx graph with node attributes (§III-C, Fig. 4)."""
    graph = nx.Graph()
    for node in substrate.nodes:
        graph.add_node(node.id, dinp=node.dinp, region=node.region, capacity=node.capacity)
    graph.add_edges_from((link.a, link.b) for link in substrate.links)
    return graph


def reachability_groups(substrate: Substrate) -> tuple[tuple[str, ...], ...]:
    """Return the parts of the substrate whose nodes reach each other, in order (§III-C).

    Each part is sorted by node id; parts are ordered by their smallest id. With no links
    declared the whole substrate is one part (§III-C, D-virt-6).
    """
    ids = sorted(n.id for n in substrate.nodes)
    if not substrate.links:
        return (tuple(ids),) if ids else ()
    parts = [tuple(sorted(c)) for c in nx.connected_components(substrate_graph(substrate))]
    return tuple(sorted(parts))


def management_shortfalls(
    node: PhysicalNode, requirements: ManagementRequirements
) -> tuple[str, ...]:
    """Name the §IV-B requirements that ``node`` fails for hosting management/control nodes."""
    missing = [
        f"{kind} capacity below {requirements.minimum.amount(kind)} {RESOURCE_UNITS[kind]}"
        for kind in requirements.minimum.shortfall(node.capacity)
    ]
    if requirements.dedicated_address and not node.dedicated_address:
        missing.append("no dedicated address")
    if requirements.always_on and not node.always_on:
        missing.append("not running 24/7")
    return tuple(missing)


def qualifies_for_management(node: PhysicalNode, requirements: ManagementRequirements) -> bool:
    """Say whether ``node`` may host management/control virtual nodes (§IV-B, D-virt-5)."""
    return not management_shortfalls(node, requirements)
