"""Organise execution nodes under local and top management/control groups (§IV-H, Fig. 10).

The hierarchy is a tree: the top management/control group, under it the local groups, under
each local group the execution nodes of its domain (a handful, in one region; D-hier-1,
D-hier-2).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

import networkx as nx

from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.roles import NodeRole
from vdlt_spec.virtualization import Placement, Substrate, Violation, require_valid

DEFAULT_GROUP_SIZE = 5  # "a handful" of execution nodes per local group (D-hier-1)
MIN_GROUP_SIZE = 1
TOP_GROUP = "top"

LAYER = "layer"
REGION = "region"


class Layer(StrEnum):
    """Name the three levels of the tree of Fig. 10 (§IV-H)."""

    TOP = "top"
    LOCAL = "local"
    EXECUTION = "execution"


@dataclass(frozen=True)
class ExecutionNode:
    """Name an execution node and the region it sits in (§IV-G, §IV-H)."""

    id: str
    region: str

    def __post_init__(self) -> None:
        for what, value in (("execution node id", self.id), ("region", self.region)):
            if not isinstance(value, str) or not value.strip():
                raise SpecError(Reason.BAD_IDENTIFIER, f"{what} must be a non-empty string")


@dataclass(frozen=True)
class LocalGroup:
    """Describe a local management/control group: its region and its execution nodes (§IV-H).

    ``members`` lists the execution nodes of the group's domain, sorted by id.
    """

    id: str
    region: str
    members: tuple[ExecutionNode, ...]


@dataclass(frozen=True)
class Hierarchy:
    """Hold the two-layer hierarchy: the top group and the local groups under it (Fig. 10)."""

    groups: tuple[LocalGroup, ...]
    max_group_size: int = DEFAULT_GROUP_SIZE
    top: str = TOP_GROUP


def _check_group_size(size: object) -> int:
    if isinstance(size, bool) or not isinstance(size, int) or size < MIN_GROUP_SIZE:
        raise SpecError(
            Reason.GROUP_SIZE_OUT_OF_BOUNDS,
            f"the group size bound must be an integer >= {MIN_GROUP_SIZE}, got {size!r}",
        )
    return size


def build(
    nodes: Iterable[ExecutionNode],
    max_group_size: int = DEFAULT_GROUP_SIZE,
    top: str = TOP_GROUP,
) -> Hierarchy:
    """Build the hierarchy from execution nodes and their regions (§IV-H, D-hier-1, D-hier-2).

    Each region is split into the fewest local groups of at most ``max_group_size`` execution
    nodes, with sizes differing by at most one: the region's nodes sorted by id, larger groups
    first. Groups are named ``<region>/<index>`` and ordered by region, then index.
    """
    _check_group_size(max_group_size)
    listed = list(nodes)
    ids = [n.id for n in listed]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise SpecError(Reason.DUPLICATE_EXECUTION_NODE, f"execution nodes repeated: {duplicates}")
    by_region: dict[str, list[ExecutionNode]] = {}
    for node in listed:
        by_region.setdefault(node.region, []).append(node)
    groups = []
    for region in sorted(by_region):
        members = sorted(by_region[region], key=lambda n: n.id)
        count = -(-len(members) // max_group_size)
        base, extra = divmod(len(members), count)
        start = 0
        for index in range(count):
            size = base + (1 if index < extra else 0)
            groups.append(
                LocalGroup(f"{region}/{index}", region, tuple(members[start : start + size]))
            )
            start += size
    hierarchy = Hierarchy(tuple(groups), max_group_size, top)
    require_valid_hierarchy(hierarchy)
    return hierarchy


def from_placement(
    substrate: Substrate,
    placement: Placement,
    system_id: str,
    max_group_size: int = DEFAULT_GROUP_SIZE,
) -> Hierarchy:
    """Build the hierarchy of one admitted system's execution group (§III-C, §IV-H).

    Execution node ``<system>/<node>`` takes the region of the physical node hosting it.
    """
    require_valid(substrate, placement)
    system = placement.system(system_id)
    hosts = placement.hosts_of(system_id)
    region = {n.id: n.region for n in substrate.nodes}
    return build(
        (
            ExecutionNode(f"{system.id}/{n.id}", region[hosts[n.id]])
            for n in system.group(NodeRole.EXECUTION)
        ),
        max_group_size,
    )


def tree(hierarchy: Hierarchy) -> nx.DiGraph:
    """Return the hierarchy as a networkx tree: top → local groups → execution nodes (Fig. 10).

    Every node carries its ``layer``; local groups and execution nodes carry their ``region``.
    """
    graph = nx.DiGraph()
    graph.add_node(hierarchy.top, layer=Layer.TOP)
    for group in hierarchy.groups:
        graph.add_node(group.id, layer=Layer.LOCAL, region=group.region)
        graph.add_edge(hierarchy.top, group.id)
        for member in group.members:
            graph.add_node(member.id, layer=Layer.EXECUTION, region=member.region)
            graph.add_edge(group.id, member.id)
    return graph


def tree_violations(graph: nx.DiGraph, top: str, max_group_size: int) -> tuple[Violation, ...]:
    """List every way ``graph`` fails to be a valid two-layer hierarchy (§IV-H).

    Rules: the top group exists and has no parent; every local group hangs from the top and
    manages between 1 and ``max_group_size`` execution nodes of its own region; every execution
    node is managed by exactly one local group and manages nothing.
    """
    found: list[Violation] = []
    if top not in graph or graph.nodes[top].get(LAYER) != Layer.TOP:
        return (Violation(Reason.BAD_HIERARCHY, top, "no top management/control group"),)
    if graph.in_degree(top) != 0:
        found.append(Violation(Reason.BAD_HIERARCHY, top, "the top group has a parent"))
    for node in sorted(graph.nodes):
        layer = graph.nodes[node].get(LAYER)
        parents = sorted(graph.predecessors(node))
        children = sorted(graph.successors(node))
        if layer == Layer.TOP:
            if node != top:
                found.append(Violation(Reason.BAD_HIERARCHY, node, "a second top group"))
            stray = [c for c in children if graph.nodes[c].get(LAYER) != Layer.LOCAL]
            if stray:
                found.append(
                    Violation(Reason.BAD_HIERARCHY, node, f"top manages non-groups {stray}")
                )
        elif layer == Layer.LOCAL:
            if parents != [top]:
                found.append(
                    Violation(Reason.LOCAL_GROUP_DETACHED, node, f"parents {parents}, not [top]")
                )
            if not MIN_GROUP_SIZE <= len(children) <= max_group_size:
                found.append(
                    Violation(
                        Reason.GROUP_SIZE_OUT_OF_BOUNDS,
                        node,
                        f"manages {len(children)} execution nodes, bounds "
                        f"{MIN_GROUP_SIZE}..{max_group_size}",
                    )
                )
            for child in children:
                if graph.nodes[child].get(LAYER) != Layer.EXECUTION:
                    found.append(
                        Violation(Reason.BAD_HIERARCHY, node, f"manages non-execution {child}")
                    )
                elif graph.nodes[child].get(REGION) != graph.nodes[node].get(REGION):
                    found.append(
                        Violation(
                            Reason.REGION_MISMATCH,
                            child,
                            f"in {graph.nodes[child].get(REGION)}, managed from "
                            f"{graph.nodes[node].get(REGION)} group {node}",
                        )
                    )
        elif layer == Layer.EXECUTION:
            managers = [p for p in parents if graph.nodes[p].get(LAYER) == Layer.LOCAL]
            if len(parents) != len(managers):
                found.append(
                    Violation(Reason.BAD_HIERARCHY, node, "managed by something not a local group")
                )
            if not managers:
                found.append(Violation(Reason.EXECUTION_NODE_UNMANAGED, node, "no local group"))
            elif len(managers) > 1:
                found.append(
                    Violation(
                        Reason.EXECUTION_NODE_MULTIPLY_MANAGED, node, f"managed by {managers}"
                    )
                )
            if children:
                found.append(Violation(Reason.BAD_HIERARCHY, node, "an execution node manages"))
        else:
            found.append(Violation(Reason.BAD_HIERARCHY, str(node), f"unknown layer {layer!r}"))
    return tuple(found)


def validate(hierarchy: Hierarchy) -> tuple[Violation, ...]:
    """List every rule ``hierarchy`` breaks; empty means valid (§IV-H, D-hier-2)."""
    _check_group_size(hierarchy.max_group_size)
    names = [hierarchy.top] + [g.id for g in hierarchy.groups]
    members = [m.id for g in hierarchy.groups for m in g.members]
    found: list[Violation] = []
    clashes = sorted({n for n in names if names.count(n) > 1} | (set(names) & set(members)))
    if clashes:
        found.append(Violation(Reason.BAD_HIERARCHY, ", ".join(clashes), "names used twice"))
    for group in hierarchy.groups:
        for member in group.members:
            if member.region != group.region:
                found.append(
                    Violation(
                        Reason.REGION_MISMATCH,
                        member.id,
                        f"in {member.region}, managed from {group.region} group {group.id}",
                    )
                )
    if found:
        return tuple(found)
    return tree_violations(tree(hierarchy), hierarchy.top, hierarchy.max_group_size)


def require_valid_hierarchy(hierarchy: Hierarchy) -> None:
    """Reject a hierarchy that breaks any rule, naming the first violation (§IV-H)."""
    found = validate(hierarchy)
    if found:
        first = found[0]
        raise SpecError(first.kind, f"{first.subject}: {first.detail} ({len(found)} violation(s))")
