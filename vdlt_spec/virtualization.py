"""Place virtual DLT systems on one substrate DLT system, and account for them (§III-C, §IV-B).

A substrate DLT system is a set of physical nodes, each owned by a DLT infrastructure provider
(DInP), with a capacity in three resources (Fig. 4). A virtual DLT system belongs to a virtual
DLT service provider (vDSP), serves some classes of service, and consists of virtual nodes, each
in the management/control role or the execution role (Fig. 8) with a resource demand.

Admission embeds a virtual system's nodes onto physical nodes, never moving another system
(isolation), never exceeding a capacity, never putting two nodes of one system on one physical
node (anti-affinity: one physical fault costs a BFT group at most one replica), and putting
management/control nodes only on physical nodes that declare what §IV-B asks of them. The
rules and the admission order are recorded in docs/decisions.md (D-virt-1 ... D-virt-9).

Units (D-virt-1): compute in millicores (1000 = one core), storage in MiB, bandwidth in kbit/s;
all amounts are non-negative integers, so every sum and comparison is exact.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction

import networkx as nx
from networkx.algorithms import bipartite

from vdlt_spec.cos import ServiceClass
from vdlt_spec.crypto import quorum_size as certificate_quorum
from vdlt_spec.errors import Reason, SpecError

# --- resources (D-virt-1) ----------------------------------------------------------------

RESOURCE_KINDS = ("compute", "storage", "bandwidth")
RESOURCE_UNITS = {"compute": "millicores", "storage": "MiB", "bandwidth": "kbit/s"}
MILLICORES_PER_CORE = 1000
MIB_PER_GIB = 1024
MIB_PER_TIB = 1024 * MIB_PER_GIB
KBITS_PER_MBIT = 1000


def _require_id(value: object, what: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise SpecError(Reason.BAD_IDENTIFIER, f"{what} must be a non-empty string, got {value!r}")


@dataclass(frozen=True)
class Resources:
    """Hold an amount of compute, storage and bandwidth, exact non-negative integers (§III-C)."""

    compute: int = 0
    storage: int = 0
    bandwidth: int = 0

    def __post_init__(self) -> None:
        for kind in RESOURCE_KINDS:
            amount = getattr(self, kind)
            if isinstance(amount, bool) or not isinstance(amount, int):
                raise SpecError(
                    Reason.SCHEMA_VIOLATION, f"{kind} must be an integer, got {amount!r}"
                )
            if amount < 0:
                raise SpecError(Reason.NEGATIVE_RESOURCE, f"{kind} must be >= 0, got {amount}")

    def amount(self, kind: str) -> int:
        """Return the amount of one resource kind (§III-C)."""
        if kind not in RESOURCE_KINDS:
            raise SpecError(Reason.SCHEMA_VIOLATION, f"unknown resource kind {kind!r}")
        value: int = getattr(self, kind)
        return value

    def __add__(self, other: Resources) -> Resources:
        """Add two amounts kind by kind, exactly (§III-C)."""
        return Resources(
            self.compute + other.compute,
            self.storage + other.storage,
            self.bandwidth + other.bandwidth,
        )

    def __sub__(self, other: Resources) -> Resources:
        """Subtract kind by kind; going below zero is ``NEGATIVE_RESOURCE`` (§III-C)."""
        return Resources(
            self.compute - other.compute,
            self.storage - other.storage,
            self.bandwidth - other.bandwidth,
        )

    def shortfall(self, available: Resources) -> tuple[str, ...]:
        """Return the kinds in which this demand exceeds ``available``, in kind order (§III-C)."""
        return tuple(k for k in RESOURCE_KINDS if getattr(self, k) > getattr(available, k))

    def fits_in(self, available: Resources) -> bool:
        """Say whether this demand fits in ``available`` in every kind (§III-C)."""
        return (
            self.compute <= available.compute
            and self.storage <= available.storage
            and self.bandwidth <= available.bandwidth
        )

    def describe(self) -> str:
        """Render the amounts with their units, for rejection details (§III-C)."""
        return ", ".join(f"{k}={self.amount(k)} {RESOURCE_UNITS[k]}" for k in RESOURCE_KINDS)


NO_RESOURCES = Resources()


def total(amounts: Iterable[Resources]) -> Resources:
    """Sum amounts of resources exactly (§III-C)."""
    result = NO_RESOURCES
    for amount in amounts:
        result = result + amount
    return result


# --- the substrate (Fig. 4) and management requirements (§IV-B, D-virt-5) -------------------

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
        _require_id(self.id, "physical node id")
        _require_id(self.dinp, f"DInP of physical node {self.id}")
        _require_id(self.region, f"region of physical node {self.id}")


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


# --- virtual DLT systems (Figs. 3, 4, 8) --------------------------------------------------------


class Role(StrEnum):
    """Name the two roles a virtual node can have (§IV-B, Fig. 8)."""

    MANAGEMENT_CONTROL = "management_control"
    EXECUTION = "execution"


ROLES = (Role.MANAGEMENT_CONTROL, Role.EXECUTION)
MIN_GROUP_SIZE = 1


@dataclass(frozen=True)
class VirtualNode:
    """Describe a virtual node: its id within its system, its role and its demand (Fig. 8)."""

    id: str
    role: Role
    demand: Resources

    def __post_init__(self) -> None:
        _require_id(self.id, "virtual node id")
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
        _require_id(self.id, "virtual system id")
        _require_id(self.vdsp, f"vDSP of virtual system {self.id}")
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

    def group(self, role: Role) -> tuple[VirtualNode, ...]:
        """Return the system's nodes of one role, in declared order (§III-B, Fig. 3)."""
        return tuple(n for n in self.nodes if n.role == role)

    def demand(self) -> Resources:
        """Return the total demand of the system's nodes (§III-C)."""
        return total(n.demand for n in self.nodes)


@dataclass(frozen=True)
class Assignment:
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
    assignments: tuple[Assignment, ...] = ()

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


# --- validation (D-virt-2 ... D-virt-6) ----------------------------------------------------------


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
        if roles[(system_id, node_id)] == Role.MANAGEMENT_CONTROL:
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


# --- admission and release (D-virt-4, D-virt-8) --------------------------------------------------


def placement_order(substrate: Substrate, system: VirtualSystem) -> tuple[VirtualNode, ...]:
    """Order a system's nodes for admission: management/control first, then larger (§III-C).

    Key: role (management/control before execution), then the dominant share of the node's
    demand (the largest of demand / total substrate capacity over the three kinds, exact),
    decreasing, then node id (§III-C, D-virt-8).
    """
    capacity = total(n.capacity for n in substrate.nodes)

    def dominant_share(node: VirtualNode) -> Fraction:
        shares = [
            Fraction(node.demand.amount(k), capacity.amount(k))
            for k in RESOURCE_KINDS
            if capacity.amount(k) > 0
        ]
        return max(shares, default=Fraction(0))

    return tuple(
        sorted(
            system.nodes,
            key=lambda n: (ROLES.index(n.role), -dominant_share(n), n.id),
        )
    )


def host_order(substrate: Substrate, role: Role) -> tuple[str, ...]:
    """Order the physical nodes a node of ``role`` tries, first fit (§IV-B, D-virt-8).

    Management/control nodes try the qualified hosts by id; execution nodes try unqualified
    hosts first, then qualified ones, each by id, to keep qualified hosts for management.
    """
    qualified = {n.id for n in substrate.nodes if qualifies_for_management(n, substrate.management)}
    if role == Role.MANAGEMENT_CONTROL:
        return tuple(sorted(qualified))
    return tuple(sorted((n.id for n in substrate.nodes), key=lambda h: (h in qualified, h)))


def _matching_size(
    nodes: Sequence[VirtualNode], eligible: Mapping[str, Sequence[str]], taken: set[str]
) -> tuple[int, dict[str, str]]:
    """Return the size of a maximum matching of ``nodes`` to untaken eligible hosts, and it.

    Each node keeps only its first ``len(nodes)`` untaken hosts: this leaves the maximum
    matching size unchanged (a node matched beyond them finds one of them unused and moves
    there), and bounds the graph by ``len(nodes)**2`` edges whatever the substrate's size.
    """
    graph = nx.Graph()
    top = [("virtual", n.id) for n in nodes]
    graph.add_nodes_from(top)
    for node in nodes:
        usable = itertools.islice((h for h in eligible[node.id] if h not in taken), len(nodes))
        graph.add_edges_from((("virtual", node.id), ("physical", h)) for h in usable)
    matching = bipartite.hopcroft_karp_matching(graph, top_nodes=top)
    pairs = {v[1]: matching[v][1] for v in top if v in matching}
    return len(pairs), pairs


def _embed(
    order: Sequence[VirtualNode], eligible: Mapping[str, Sequence[str]]
) -> dict[str, str] | None:
    """Return the first-fit embedding that keeps the rest placeable, or None if none exists.

    Each node, in ``order``, takes the first eligible free host after which the remaining
    nodes still have a complete matching (a maximum bipartite matching decides this), so the
    result is the lexicographically first feasible embedding in the documented orders.
    """
    size, matching = _matching_size(order, eligible, set())
    if size < len(order):
        return None
    taken: set[str] = set()
    result: dict[str, str] = {}
    for index, node in enumerate(order):
        rest = order[index + 1 :]
        matching.pop(node.id, None)
        owner = {h: v for v, h in matching.items()}
        for host in eligible[node.id]:
            if host in taken:
                continue
            if host in owner:
                # The rest stays placeable if the displaced node moves to a host nobody uses
                # (an augmenting path of length one); otherwise ask for a new matching.
                moved = owner[host]
                spare = next(
                    (h for h in eligible[moved] if h not in taken and h != host and h not in owner),
                    None,
                )
                if spare is not None:
                    matching[moved] = spare
                else:
                    size, candidate = _matching_size(rest, eligible, taken | {host})
                    if size < len(rest):
                        continue
                    matching = candidate
            result[node.id] = host
            taken.add(host)
            break
        else:  # pragma: no cover - the matching above guarantees a host
            raise AssertionError("embedding lost feasibility")
    return result


def _eligible(
    substrate: Substrate,
    free: Mapping[str, Resources],
    order: Sequence[VirtualNode],
    within: set[str],
) -> dict[str, list[str]]:
    hosts = {role: host_order(substrate, role) for role in ROLES}
    return {
        node.id: [h for h in hosts[node.role] if h in within and node.demand.fits_in(free[h])]
        for node in order
    }


def _explain(
    substrate: Substrate,
    free: Mapping[str, Resources],
    system: VirtualSystem,
    order: Sequence[VirtualNode],
    eligible: Mapping[str, Sequence[str]],
) -> SpecError:
    """Say why ``system`` cannot be embedded anywhere on the substrate (D-virt-9)."""
    for node in order:
        if eligible[node.id]:
            continue
        allowed = host_order(substrate, node.role)
        label = f"virtual system {system.id}: node {node.id} ({node.role.value}"
        if not allowed and node.role == Role.EXECUTION:
            return SpecError(Reason.INSUFFICIENT_RESOURCES, f"{label}): the substrate is empty")
        if not allowed:
            return SpecError(
                Reason.NO_MANAGEMENT_HOST,
                f"{label}): no physical node meets the management/control requirements",
            )
        blocked = [
            kind
            for kind in RESOURCE_KINDS
            if node.demand.amount(kind) > max(free[h].amount(kind) for h in allowed)
        ]
        if blocked:
            kind = blocked[0]
            best = max(allowed, key=lambda h: (free[h].amount(kind), h))
            return SpecError(
                Reason.INSUFFICIENT_RESOURCES,
                f"{label}) needs {kind} {node.demand.amount(kind)} {RESOURCE_UNITS[kind]}; "
                f"the most free on any allowed host is {free[best].amount(kind)} "
                f"(physical node {best})",
            )
        return SpecError(
            Reason.INSUFFICIENT_RESOURCES,
            f"{label}) needs {node.demand.describe()}; no allowed host has all of it free at once",
        )
    managers = [n for n in order if n.role == Role.MANAGEMENT_CONTROL]
    size, _ = _matching_size(managers, eligible, set())
    if size < len(managers):
        return SpecError(
            Reason.NO_MANAGEMENT_HOST,
            f"virtual system {system.id} needs {len(managers)} distinct qualified hosts for its "
            f"management/control group; at most {size} can take one",
        )
    size, _ = _matching_size(order, eligible, set())
    return SpecError(
        Reason.ANTI_AFFINITY_UNSATISFIABLE,
        f"virtual system {system.id} needs {len(order)} distinct physical nodes; "
        f"at most {size} of its nodes can be placed on distinct hosts",
    )


def _search(
    order: Sequence[VirtualNode], eligible: Mapping[str, Sequence[str]]
) -> dict[str, str] | None:
    """Find the first embedding by plain backtracking in the documented orders (readable path)."""
    chosen: dict[str, str] = {}

    def extend(index: int) -> bool:
        if index == len(order):
            return True
        node = order[index]
        for host in eligible[node.id]:
            if host in chosen.values():
                continue
            chosen[node.id] = host
            if extend(index + 1):
                return True
            del chosen[node.id]
        return False

    return dict(chosen) if extend(0) else None


def embedding_by_search(
    substrate: Substrate, placement: Placement, system: VirtualSystem
) -> dict[str, str] | None:
    """Return the embedding :func:`admit` must choose, by exhaustive backtracking (§III-C).

    The readable definition of admission (D-virt-8): the first embedding, trying the parts of
    the substrate in order, the nodes in :func:`placement_order` and, for each node, the hosts
    in :func:`host_order` that have its demand free; None when there is none. Exponential in
    the worst case: :func:`admit` computes the same embedding with bipartite matchings.
    """
    free = free_capacity(substrate, placement)
    order = placement_order(substrate, system)
    for part in reachability_groups(substrate):
        found = _search(order, _eligible(substrate, free, order, set(part)))
        if found is not None:
            return found
    return None


def admit(substrate: Substrate, placement: Placement, system: VirtualSystem) -> Placement:
    """Embed ``system`` without moving any admitted one, or reject it with a reason (§III-C).

    Deterministic and complete: the system is rejected only when no embedding keeps every
    rule with the other systems left where they are; the embedding is the one
    :func:`embedding_by_search` defines (D-virt-4, D-virt-8, D-virt-9).
    """
    free = free_capacity(substrate, placement)
    if any(s.id == system.id for s in placement.systems):
        raise SpecError(Reason.DUPLICATE_VIRTUAL_SYSTEM, f"virtual system {system.id} admitted")
    order = placement_order(substrate, system)
    parts = reachability_groups(substrate)
    for part in parts:
        embedding = _embed(order, _eligible(substrate, free, order, set(part)))
        if embedding is not None:
            added = tuple(Assignment(system.id, n.id, embedding[n.id]) for n in order)
            return Placement((*placement.systems, system), placement.assignments + added)
    everywhere = _eligible(substrate, free, order, set(free))
    if len(parts) > 1 and _embed(order, everywhere) is not None:
        raise SpecError(
            Reason.SUBSTRATE_DISCONNECTED,
            f"virtual system {system.id} fits only across parts of the substrate that are "
            f"not linked",
        )
    raise _explain(substrate, free, system, order, everywhere)


def release(substrate: Substrate, placement: Placement, system_id: str) -> Placement:
    """Remove one admitted system and its nodes, leaving every other one in place (§III-C)."""
    require_valid(substrate, placement)
    placement.system(system_id)
    return Placement(
        tuple(s for s in placement.systems if s.id != system_id),
        tuple(a for a in placement.assignments if a.system != system_id),
    )


@dataclass(frozen=True)
class AdmissionOutcome:
    """Record what happened to one system offered for admission: admitted, or why not (§III-C)."""

    system: str
    admitted: bool
    reason: Reason | None = None
    detail: str = ""


@dataclass(frozen=True)
class Campaign:
    """Hold the placement after offering systems in order, and each outcome (§III-C)."""

    placement: Placement
    outcomes: tuple[AdmissionOutcome, ...]


def admit_all(
    substrate: Substrate,
    systems: Sequence[VirtualSystem],
    placement: Placement = EMPTY_PLACEMENT,
) -> Campaign:
    """Offer ``systems`` for admission in order; a rejection changes nothing (§III-C).

    A rejected system is an outcome with its reason, not an error.
    """
    outcomes = []
    for system in systems:
        try:
            placement = admit(substrate, placement, system)
        except SpecError as exc:
            if exc.reason is Reason.INVALID_PLACEMENT:
                raise
            outcomes.append(AdmissionOutcome(system.id, False, exc.reason, exc.detail))
        else:
            outcomes.append(AdmissionOutcome(system.id, True))
    return Campaign(placement, tuple(outcomes))


# --- business model: leases (Fig. 5) ---------------------------------------------------------


@dataclass(frozen=True)
class Lease:
    """State what one DInP hosts for one vDSP: resources, virtual nodes, systems (Fig. 5)."""

    vdsp: str
    dinp: str
    resources: Resources
    virtual_nodes: int
    systems: tuple[str, ...]


def leases(substrate: Substrate, placement: Placement) -> tuple[Lease, ...]:
    """Return the lease of every (vDSP, DInP) pair of a valid placement, sorted (Fig. 5)."""
    require_valid(substrate, placement)
    dinp_of = {n.id: n.dinp for n in substrate.nodes}
    systems = {s.id: s for s in placement.systems}
    amounts: dict[tuple[str, str], Resources] = {}
    counts: dict[tuple[str, str], int] = {}
    names: dict[tuple[str, str], set[str]] = {}
    for a in placement.assignments:
        system = systems[a.system]
        key = (system.vdsp, dinp_of[a.host])
        demand = next(n.demand for n in system.nodes if n.id == a.node)
        amounts[key] = amounts.get(key, NO_RESOURCES) + demand
        counts[key] = counts.get(key, 0) + 1
        names.setdefault(key, set()).add(a.system)
    return tuple(
        Lease(
            vdsp,
            dinp,
            amounts[(vdsp, dinp)],
            counts[(vdsp, dinp)],
            tuple(sorted(names[(vdsp, dinp)])),
        )
        for vdsp, dinp in sorted(amounts)
    )


def placed_demand(placement: Placement) -> Resources:
    """Return the total demand of every admitted system (§III-C)."""
    return total(s.demand() for s in placement.systems)


# --- fault analysis (§III-D, D-virt-3) ---------------------------------------------------------


def quorum_size(group_size: int) -> int:
    """Return the smallest q with 3·q > 2·n, the BFT quorum of a group of n (§III-D, §IV-D).

    The same rule as the certificate quorum of the crypto component (DESIGN: 3·popcount > 2n).
    """
    if isinstance(group_size, bool) or not isinstance(group_size, int) or group_size < 1:
        raise SpecError(
            Reason.GROUP_SIZE_OUT_OF_BOUNDS, f"a group needs >= 1 member, got {group_size!r}"
        )
    return certificate_quorum(group_size)


@dataclass(frozen=True)
class GroupImpact:
    """Say what a set of failed physical nodes costs one group of one virtual system (§III-D)."""

    system: str
    role: Role
    size: int
    lost: int
    quorum: int
    keeps_quorum: bool


def fault_impact(
    substrate: Substrate, placement: Placement, failed: Iterable[str]
) -> tuple[GroupImpact, ...]:
    """Return, per system and group, the replicas lost to ``failed`` hosts and quorum (§III-D).

    A group keeps its quorum when n − lost ≥ quorum_size(n).
    """
    require_valid(substrate, placement)
    down = frozenset(failed)
    known = {n.id for n in substrate.nodes}
    unknown = sorted(down - known)
    if unknown:
        raise SpecError(Reason.UNKNOWN_PHYSICAL_NODE, f"failed nodes not in substrate: {unknown}")
    return _impacts(placement, down)


def _impacts(placement: Placement, down: frozenset[str]) -> tuple[GroupImpact, ...]:
    impacts = []
    for system in placement.systems:
        hosts = placement.hosts_of(system.id)
        for role in ROLES:
            group = system.group(role)
            lost = sum(1 for n in group if hosts[n.id] in down)
            quorum = quorum_size(len(group))
            impacts.append(
                GroupImpact(system.id, role, len(group), lost, quorum, len(group) - lost >= quorum)
            )
    return tuple(impacts)


def worst_single_failure(substrate: Substrate, placement: Placement) -> int:
    """Return the most replicas any one system loses when one physical node fails (D-virt-3).

    Counts both groups of the system together; anti-affinity makes this at most 1 for every
    valid placement.
    """
    require_valid(substrate, placement)
    worst = 0
    for node in substrate.nodes:
        lost: dict[str, int] = {}
        for impact in _impacts(placement, frozenset((node.id,))):
            lost[impact.system] = lost.get(impact.system, 0) + impact.lost
        worst = max([worst, *lost.values()])
    return worst
