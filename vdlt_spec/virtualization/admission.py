"""Admit virtual systems onto the substrate and release them (§III-C, D-virt-4, D-virt-8, D-virt-9).

Admission embeds a virtual system's nodes onto physical nodes without moving another system
(isolation) and keeping every rule of :mod:`vdlt_spec.virtualization.validation`; it rejects a
system only when no such embedding exists, and says why.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import networkx as nx
from networkx.algorithms import bipartite

from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.roles import NodeRole
from vdlt_spec.virtualization.resources import RESOURCE_KINDS, RESOURCE_UNITS, Resources, total
from vdlt_spec.virtualization.substrate import (
    Substrate,
    qualifies_for_management,
    reachability_groups,
)
from vdlt_spec.virtualization.systems import (
    EMPTY_PLACEMENT,
    ROLES,
    HostAssignment,
    Placement,
    VirtualNode,
    VirtualSystem,
)
from vdlt_spec.virtualization.validation import free_capacity, require_valid


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


def host_order(substrate: Substrate, role: NodeRole) -> tuple[str, ...]:
    """Order the physical nodes a node of ``role`` tries, first fit (§IV-B, D-virt-8).

    Management/control nodes try the qualified hosts by id; execution nodes try unqualified
    hosts first, then qualified ones, each by id, to keep qualified hosts for management.
    """
    qualified = {n.id for n in substrate.nodes if qualifies_for_management(n, substrate.management)}
    if role == NodeRole.MANAGEMENT_CONTROL:
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
        if not allowed and node.role == NodeRole.EXECUTION:
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
    managers = [n for n in order if n.role == NodeRole.MANAGEMENT_CONTROL]
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
            added = tuple(HostAssignment(system.id, n.id, embedding[n.id]) for n in order)
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
