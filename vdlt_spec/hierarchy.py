"""Organise management/control in two layers and route decisions to them (§IV-H, Fig. 10).

§IV-H: "There are two layers for the management/control nodes. The bottom layer
management/control nodes are responsible for the local services and applications that occur
frequently near the local execution nodes. Multiple groups of local management/control nodes are
deployed throughout the system; each group manage/control one of a handful of execution nodes.
The top management/control nodes are responsible for the global services and applications that
need a global view of the system."

The hierarchy is a tree: the top management/control group, under it the local groups, under
each local group the execution nodes of its domain (a handful, in one region). A transaction is
decided locally when every execution node it needs lies in one local domain and its class is
not global; otherwise it is escalated to the top (docs/decisions.md D-hier-1 ... D-hier-5).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

import networkx as nx

from vdlt_spec.cos import ServiceClass
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.virtualization import Placement, Role, Substrate, Violation, require_valid

DEFAULT_GROUP_SIZE = 5  # "a handful" of execution nodes per local group (D-hier-1)
MIN_GROUP_SIZE = 1
TOP_GROUP = "top"
GLOBAL_CLASSES = frozenset({ServiceClass.MANAGEMENT_CONTROL})  # D-hier-3
LOCAL_SPAN = 2  # execution nodes a generated transaction needs (D-hier-5)

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
            for n in system.group(Role.EXECUTION)
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


# --- routing (D-hier-3, D-hier-4) ------------------------------------------------------------


@dataclass(frozen=True)
class Transaction:
    """Name a transaction, its class, and the execution nodes it needs (§IV-A, §IV-H)."""

    id: str
    service_class: ServiceClass
    nodes: tuple[str, ...]


@dataclass(frozen=True)
class Route:
    """Say which layer and group decides a transaction, and why (§IV-H)."""

    transaction: str
    layer: Layer
    group: str
    why: str


def _domains(hierarchy: Hierarchy) -> dict[str, str]:
    require_valid_hierarchy(hierarchy)
    return {m.id: g.id for g in hierarchy.groups for m in g.members}


def _route(
    domain: dict[str, str],
    top: str,
    tx: Transaction,
    global_classes: frozenset[ServiceClass],
) -> Route:
    unknown = sorted(set(tx.nodes) - set(domain))
    if unknown:
        raise SpecError(
            Reason.UNKNOWN_EXECUTION_NODE, f"transaction {tx.id} needs unknown nodes {unknown}"
        )
    if tx.service_class in global_classes:
        return Route(tx.id, Layer.TOP, top, f"global class {tx.service_class.name}")
    if not tx.nodes:
        raise SpecError(
            Reason.EMPTY_TRANSACTION_SCOPE,
            f"transaction {tx.id} of class {tx.service_class.name} needs no execution node",
        )
    groups = sorted({domain[n] for n in tx.nodes})
    if len(groups) == 1:
        return Route(tx.id, Layer.LOCAL, groups[0], "all its execution nodes in one domain")
    return Route(tx.id, Layer.TOP, top, f"spans {len(groups)} local domains")


def route(
    hierarchy: Hierarchy,
    tx: Transaction,
    global_classes: frozenset[ServiceClass] = GLOBAL_CLASSES,
) -> Route:
    """Route one transaction to the local group of its domain, or to the top (§IV-H).

    Local when every execution node it needs lies in one domain and its class is not global;
    otherwise the top group decides it (D-hier-3, D-hier-4).
    """
    return _route(_domains(hierarchy), hierarchy.top, tx, global_classes)


def route_all(
    hierarchy: Hierarchy,
    txs: Iterable[Transaction],
    global_classes: frozenset[ServiceClass] = GLOBAL_CLASSES,
) -> tuple[Route, ...]:
    """Route every transaction of a workload, in order (§IV-H)."""
    domain = _domains(hierarchy)
    return tuple(_route(domain, hierarchy.top, tx, global_classes) for tx in txs)


# --- load summary ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupLoad:
    """Count the decisions one management/control group made (§IV-H)."""

    group: str
    decisions: int


@dataclass(frozen=True)
class Load:
    """Summarise who decided a workload: the top layer and each local group (§IV-H).

    ``top_share`` is the top layer's fraction of all decisions; a flat, one-layer design would
    have one group make all of them (share 1).
    """

    total: int
    top: int
    local: tuple[GroupLoad, ...]
    top_share: Fraction
    busiest_local: int


def load(
    hierarchy: Hierarchy,
    txs: Iterable[Transaction],
    global_classes: frozenset[ServiceClass] = GLOBAL_CLASSES,
) -> Load:
    """Count the decisions of each layer and group for a workload (§IV-H)."""
    routes = route_all(hierarchy, txs, global_classes)
    counts = {g.id: 0 for g in hierarchy.groups}
    top = 0
    for r in routes:
        if r.layer == Layer.TOP:
            top += 1
        else:
            counts[r.group] += 1
    share = Fraction(top, len(routes)) if routes else Fraction(0)
    return Load(
        len(routes),
        top,
        tuple(GroupLoad(g, c) for g, c in counts.items()),
        share,
        max(counts.values(), default=0),
    )


def _check_probability(name: str, p: Fraction) -> None:
    if not isinstance(p, Fraction | int) or isinstance(p, bool) or not 0 <= p <= 1:
        raise SpecError(Reason.BAD_PROBABILITY, f"{name} must be a fraction in [0, 1], got {p!r}")


def _bernoulli(rng: random.Random, p: Fraction) -> bool:
    p = Fraction(p)
    return rng.randrange(p.denominator) < p.numerator


def workload(
    hierarchy: Hierarchy,
    rng: random.Random,
    count: int,
    locality: Fraction,
    global_share: Fraction,
) -> tuple[Transaction, ...]:
    """Generate a seeded workload of global, local and cross-domain transactions (§IV-H).

    (D-hier-5) With probability ``global_share`` a transaction is of the management/
    control class and needs no execution node. Otherwise its class is drawn from the other
    classes and, with probability ``locality``, it needs up to ``LOCAL_SPAN`` nodes of one
    local domain; else one node in each of ``LOCAL_SPAN`` distinct domains (when the hierarchy
    has that many). Exact: probabilities are fractions tested with integer draws.
    """
    _check_probability("locality", locality)
    _check_probability("global_share", global_share)
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise SpecError(Reason.BAD_USAGE, f"count must be an integer >= 0, got {count!r}")
    require_valid_hierarchy(hierarchy)
    groups = list(hierarchy.groups)
    if not groups:
        raise SpecError(Reason.EXECUTION_NODE_UNMANAGED, "the hierarchy has no execution node")
    local_classes = sorted(c for c in ServiceClass if c not in GLOBAL_CLASSES)
    txs = []
    for index in range(count):
        tx_id = f"tx{index}"
        if _bernoulli(rng, global_share):
            txs.append(Transaction(tx_id, ServiceClass.MANAGEMENT_CONTROL, ()))
            continue
        service_class = rng.choice(local_classes)
        if _bernoulli(rng, locality) or len(groups) < LOCAL_SPAN:
            group = rng.choice(groups)
            picked = rng.sample(group.members, min(LOCAL_SPAN, len(group.members)))
        else:
            picked = [rng.choice(g.members) for g in rng.sample(groups, LOCAL_SPAN)]
        txs.append(Transaction(tx_id, service_class, tuple(sorted(n.id for n in picked))))
    return tuple(txs)


@dataclass(frozen=True)
class SweepRow:
    """One row of a locality sweep: the locality and the measured load (§IV-H)."""

    locality: Fraction
    load: Load


def locality_sweep(
    hierarchy: Hierarchy,
    seed: int,
    count: int,
    localities: Sequence[Fraction],
    global_share: Fraction,
) -> tuple[SweepRow, ...]:
    """Measure the load of seeded workloads at each locality (§IV-H); one seed per row."""
    return tuple(
        SweepRow(
            Fraction(p),
            load(
                hierarchy,
                workload(hierarchy, random.Random(seed), count, Fraction(p), global_share),
            ),
        )
        for p in localities
    )
