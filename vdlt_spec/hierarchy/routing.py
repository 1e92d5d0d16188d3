"""Route decisions to the local group of their domain or to the top, and count them (§IV-H).

A transaction is decided locally when every execution node it needs lies in one local domain
and its class is not global; otherwise it is escalated to the top (D-hier-3, D-hier-4).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from vdlt_spec.cos import ServiceClass
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.hierarchy.structure import Hierarchy, Layer, require_valid_hierarchy

GLOBAL_CLASSES = frozenset({ServiceClass.MANAGEMENT_CONTROL})  # D-hier-3


@dataclass(frozen=True)
class RoutingRequest:
    """Ask who decides transaction ``id`` of a class that needs these execution nodes (§IV-H).

    ``id`` names the transaction (:class:`vdlt_spec.cos.Transaction` is the transaction
    itself); routing needs only its class and the execution nodes it touches.
    """

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
    request: RoutingRequest,
    global_classes: frozenset[ServiceClass],
) -> Route:
    unknown = sorted(set(request.nodes) - set(domain))
    if unknown:
        raise SpecError(
            Reason.UNKNOWN_EXECUTION_NODE,
            f"transaction {request.id} needs unknown nodes {unknown}",
        )
    if request.service_class in global_classes:
        return Route(request.id, Layer.TOP, top, f"global class {request.service_class.name}")
    if not request.nodes:
        raise SpecError(
            Reason.EMPTY_TRANSACTION_SCOPE,
            f"transaction {request.id} of class {request.service_class.name} "
            "needs no execution node",
        )
    groups = sorted({domain[n] for n in request.nodes})
    if len(groups) == 1:
        return Route(request.id, Layer.LOCAL, groups[0], "all its execution nodes in one domain")
    return Route(request.id, Layer.TOP, top, f"spans {len(groups)} local domains")


def route(
    hierarchy: Hierarchy,
    request: RoutingRequest,
    global_classes: frozenset[ServiceClass] = GLOBAL_CLASSES,
) -> Route:
    """Route one transaction to the local group of its domain, or to the top (§IV-H).

    Local when every execution node it needs lies in one domain and its class is not global;
    otherwise the top group decides it (D-hier-3, D-hier-4).
    """
    return _route(_domains(hierarchy), hierarchy.top, request, global_classes)


def route_all(
    hierarchy: Hierarchy,
    requests: Iterable[RoutingRequest],
    global_classes: frozenset[ServiceClass] = GLOBAL_CLASSES,
) -> tuple[Route, ...]:
    """Route every transaction of a workload, in order (§IV-H)."""
    domain = _domains(hierarchy)
    return tuple(_route(domain, hierarchy.top, request, global_classes) for request in requests)


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
    requests: Iterable[RoutingRequest],
    global_classes: frozenset[ServiceClass] = GLOBAL_CLASSES,
) -> Load:
    """Count the decisions of each layer and group for a workload (§IV-H)."""
    routes = route_all(hierarchy, requests, global_classes)
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
