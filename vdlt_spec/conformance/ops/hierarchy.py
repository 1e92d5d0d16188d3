"""Conformance operations of the two-layer management hierarchy (§IV-H, Fig. 10).

``hierarchy.build`` fixes how execution nodes split into local groups by region;
``hierarchy.route`` fixes which layer and group decides a transaction and ``hierarchy.load`` how
many decisions each layer and group makes for a workload; ``hierarchy.validate`` and
``hierarchy.validate_tree`` fix the rules a hierarchy, given as groups or as a tree, must keep.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import networkx as nx

from vdlt_spec import hierarchy, serial
from vdlt_spec.conformance.operations import field, operation
from vdlt_spec.conformance.suite import VectorInput, inputs
from vdlt_spec.cos import ServiceClass
from vdlt_spec.virtualization import Violation


def _encode(**parts: Any) -> dict[str, Any]:
    encoded: dict[str, Any] = serial.encode(parts)
    return encoded


def _hierarchy(payload: Any) -> hierarchy.Hierarchy:
    nodes = field(payload, "nodes", tuple[hierarchy.ExecutionNode, ...])
    size = field(payload, "max_group_size", int, hierarchy.DEFAULT_GROUP_SIZE)
    return hierarchy.build(nodes, size)


@operation(
    "hierarchy.build",
    "§IV-H",
    input_schema='{"nodes": [ExecutionNode], "max_group_size"?: int}',
    output_schema='{"groups": [{id, region, members}]}',
)
def build(payload: Any) -> Any:
    """Split execution nodes into local groups by region, a handful each (§IV-H)."""
    built = _hierarchy(payload)
    return {
        "groups": [
            {"id": g.id, "region": g.region, "members": [m.id for m in g.members]}
            for g in built.groups
        ]
    }


@operation(
    "hierarchy.route",
    "§IV-H",
    input_schema='{"nodes", "max_group_size"?, "transaction": RoutingRequest}',
    output_schema='{"layer", "group"}',
)
def route(payload: Any) -> Any:
    """Say which layer and group decides a transaction (§IV-H)."""
    built = _hierarchy(payload)
    tx = field(payload, "transaction", hierarchy.RoutingRequest)
    decided = hierarchy.route(built, tx)
    return {"layer": decided.layer.value, "group": decided.group}


@operation(
    "hierarchy.load",
    "§IV-H",
    input_schema='{"nodes", "max_group_size"?, "transactions": [RoutingRequest]}',
    output_schema=(
        '{"routes": [{transaction, layer, group}], "total", "top", "local": [{group,'
        ' decisions}], "top_share": fraction, "busiest_local"}'
    ),
)
def load(payload: Any) -> Any:
    """Route a workload in order and count the decisions of each layer and group (§IV-H).

    ``local`` lists every local group, in hierarchy order, with the decisions it made (0 when
    none); ``busiest_local`` is the most any local group made (0 when there is none).
    """
    built = _hierarchy(payload)
    requests = field(payload, "transactions", tuple[hierarchy.RoutingRequest, ...])
    routes = hierarchy.route_all(built, requests)
    counted = hierarchy.load(built, requests)
    return {
        "routes": [
            {"transaction": r.transaction, "layer": r.layer.value, "group": r.group} for r in routes
        ],
        **_encode(
            total=counted.total,
            top=counted.top,
            local=counted.local,
            top_share=counted.top_share,
            busiest_local=counted.busiest_local,
        ),
    }


def _violations(found: tuple[Violation, ...]) -> dict[str, Any]:
    return {"violations": [{"kind": v.kind.value, "subject": v.subject} for v in found]}


@operation(
    "hierarchy.validate",
    "§IV-H",
    input_schema='{"groups": [{id, region, members: [ExecutionNode]}], "max_group_size"?, "top"?}',
    output_schema='{"violations": [{"kind", "subject"}]}',
)
def validate(payload: Any) -> Any:
    """List the rules a hierarchy given as local groups breaks (kind and subject), in order (§IV-H).

    Names used twice and members outside their group's region come first; only a hierarchy
    free of these is checked as a tree (:func:`hierarchy.validate`).
    """
    return _violations(hierarchy.validate(serial.decode(hierarchy.Hierarchy, payload, "$")))


@operation(
    "hierarchy.validate_tree",
    "§IV-H, Fig. 10",
    input_schema=(
        '{"top"?: str, "max_group_size"?: int, "nodes": [{id, layer?: str, region?: str}],'
        ' "edges": [[manager, managed]]}'
    ),
    output_schema='{"violations": [{"kind", "subject"}]}',
)
def validate_tree(payload: Any) -> Any:
    """List the rules a management tree breaks (kind and subject), node by node in id order (§IV-H).

    A node's layer is ``top``, ``local`` or ``execution``; any other layer, or none (a node
    named only by an edge), is itself a violation.
    """
    top = field(payload, "top", str, hierarchy.TOP_GROUP)
    size = field(payload, "max_group_size", int, hierarchy.DEFAULT_GROUP_SIZE)
    graph = nx.DiGraph()
    for i, item in enumerate(field(payload, "nodes", tuple[dict[str, Any], ...])):
        where = f"$.nodes[{i}]"
        attributes = {
            key: serial.decode(str, item[key], f"{where}.{key}")
            for key in (hierarchy.LAYER, hierarchy.REGION)
            if key in item
        }
        graph.add_node(serial.decode(str, item.get("id"), f"{where}.id"), **attributes)
    for manager, managed in field(payload, "edges", tuple[tuple[str, str], ...]):
        graph.add_edge(manager, managed)
    return _violations(hierarchy.tree_violations(graph, top, size))


@inputs("hierarchy")
def _hierarchy_inputs() -> Iterator[VectorInput]:
    nodes = [
        hierarchy.ExecutionNode(f"{region}-{i:02d}", region)
        for region, count in (("eu", 7), ("us", 5), ("asia", 2))
        for i in range(count)
    ]
    op = "hierarchy.build"
    yield VectorInput("hierarchy-build-default", op, _encode(nodes=nodes))
    yield VectorInput("hierarchy-build-3", op, _encode(nodes=nodes, max_group_size=3))
    yield VectorInput(
        "hierarchy-build-bad-size", op, _encode(nodes=nodes, max_group_size=0), "rejected"
    )
    yield VectorInput("hierarchy-build-duplicate", op, _encode(nodes=nodes + nodes[:1]), "rejected")
    op = "hierarchy.route"
    transactions = {
        "local": hierarchy.RoutingRequest("t1", ServiceClass.FAST_CONFIRMATION, ("eu-00", "eu-03")),
        "cross-group": hierarchy.RoutingRequest("t2", ServiceClass.LOW_COST, ("eu-00", "eu-04")),
        "cross-region": hierarchy.RoutingRequest("t3", ServiceClass.PRIVATE, ("eu-00", "us-00")),
        "global-class": hierarchy.RoutingRequest(
            "t4", ServiceClass.MANAGEMENT_CONTROL, ("asia-00",)
        ),
        "global-no-nodes": hierarchy.RoutingRequest("t5", ServiceClass.MANAGEMENT_CONTROL, ()),
        "unknown-node": hierarchy.RoutingRequest("t6", ServiceClass.LOW_COST, ("mars-00",)),
        "empty-scope": hierarchy.RoutingRequest("t7", ServiceClass.LOW_COST, ()),
    }
    for name, tx in transactions.items():
        yield VectorInput(
            f"hierarchy-route-{name}", op, _encode(nodes=nodes, max_group_size=4, transaction=tx)
        )
    yield VectorInput(
        "hierarchy-build-1",
        "hierarchy.build",
        _encode(nodes=nodes, max_group_size=1),
        "the smallest bound: one execution node per local group",
    )
    yield from _load_inputs(nodes)
    yield from _validate_inputs(nodes)
    yield from _tree_inputs()


def _load_inputs(nodes: list[hierarchy.ExecutionNode]) -> Iterator[VectorInput]:
    """Yield workloads: local and escalated decisions, an empty workload, no local group."""
    op = "hierarchy.load"
    r = hierarchy.RoutingRequest
    fast, low, mc = (
        ServiceClass.FAST_CONFIRMATION,
        ServiceClass.LOW_COST,
        ServiceClass.MANAGEMENT_CONTROL,
    )
    mixed = [
        r("t1", fast, ("eu-00", "eu-03")),
        r("t2", low, ("eu-04",)),
        r("t3", low, ("eu-00", "eu-01")),
        r("t4", low, ("eu-00", "eu-04")),
        r("t5", mc, ("asia-00",)),
        r("t6", fast, ("asia-01", "asia-00")),
        r("t7", low, ("us-00", "eu-00")),
        r("t8", fast, ("eu-02",)),
    ]
    yield VectorInput(
        f"{op}-mixed",
        op,
        _encode(nodes=nodes, max_group_size=4, transactions=mixed),
        "eu/0 decides 3, eu/1 and asia/0 1 each, us/0 and us/1 none; the top 3 of 8",
    )
    yield VectorInput(
        f"{op}-empty-workload",
        op,
        _encode(nodes=nodes, max_group_size=4, transactions=[]),
        "no decisions: every count 0, top share 0",
    )
    yield VectorInput(
        f"{op}-no-local-group",
        op,
        _encode(nodes=[], transactions=[r("t1", mc, ()), r("t2", mc, ())]),
        "no execution nodes, no local groups: the top decides all, the busiest local group 0",
    )
    yield VectorInput(
        f"{op}-unknown-node",
        op,
        _encode(nodes=nodes, transactions=[r("t1", low, ("eu-00",)), r("t2", low, ("mars-0",))]),
        "rejected input: one transaction needs a node outside the hierarchy",
    )


def _validate_inputs(nodes: list[hierarchy.ExecutionNode]) -> Iterator[VectorInput]:
    """Yield hierarchies given as groups: a valid one and one per broken rule (§IV-H)."""
    op = "hierarchy.validate"
    built = hierarchy.build(nodes, 4)
    yield VectorInput(f"{op}-built", op, _encode(**vars(built)), "a built hierarchy is valid")
    eu, us = tuple(nodes[:3]), tuple(nodes[7:9])
    group = hierarchy.LocalGroup
    cases: dict[str, tuple[tuple[hierarchy.LocalGroup, ...], int, str]] = {
        "region-mismatch-first": (
            (group("eu/0", "eu", (*eu, us[0])), group("us/0", "us", us[1:])),
            3,
            "a member of another region is reported alone, before the size of its group",
        ),
        "oversize-and-empty": (
            (group("eu/0", "eu", eu), group("us/0", "us", ())),
            2,
            "3 members > bound 2; a group of none",
        ),
        "name-clash": (
            (group("top", "eu", eu[:1]), group("eu-01", "eu", eu[1:])),
            3,
            "a group named like the top group, a group named like an execution node",
        ),
        "shared-member": (
            (group("eu/0", "eu", eu[:2]), group("eu/1", "eu", eu[1:])),
            3,
            "one execution node managed by two groups",
        ),
    }
    for name, (groups, size, comment) in cases.items():
        yield VectorInput(f"{op}-{name}", op, _encode(groups=groups, max_group_size=size), comment)
    yield VectorInput(
        f"{op}-bad-size",
        op,
        _encode(groups=built.groups, max_group_size=0),
        "rejected input: the group size bound is below 1",
    )


def _node(ident: str, layer: str | None, region: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"id": ident}
    if layer is not None:
        item["layer"] = layer
    if region is not None:
        item["region"] = region
    return item


def _tree_inputs() -> Iterator[VectorInput]:
    """Yield management trees: a valid one and one per rule of Fig. 10 it breaks (§IV-H)."""
    op = "hierarchy.validate_tree"
    base_nodes = [
        _node("top", "top"),
        _node("eu/0", "local", "eu"),
        _node("e1", "execution", "eu"),
        _node("e2", "execution", "eu"),
    ]
    base_edges = [["top", "eu/0"], ["eu/0", "e1"], ["eu/0", "e2"]]
    cases: dict[str, tuple[list[dict[str, Any]], list[list[str]], str]] = {
        "valid": ([], [], "top, one local group, two execution nodes of its region"),
        "top-manages-execution": (
            [_node("e3", "execution", "eu")],
            [["top", "e3"]],
            "the top group manages an execution node directly",
        ),
        "second-parent": (
            [_node("top2", "top"), _node("eu/1", "local", "eu"), _node("e3", "execution", "eu")],
            [["top", "eu/1"], ["top2", "eu/1"], ["eu/1", "e3"]],
            "a local group under the top and a second top group",
        ),
        "detached": (
            [_node("eu/1", "local", "eu"), _node("e3", "execution", "eu")],
            [["eu/1", "e3"]],
            "a local group with no parent",
        ),
        "under-an-unknown-layer": (
            [
                _node("zz", "regional", "eu"),
                _node("eu/1", "local", "eu"),
                _node("e3", "execution", "eu"),
            ],
            [["zz", "eu/1"], ["eu/1", "e3"]],
            "a local group under a node of an unknown layer",
        ),
        "unlayered": ([], [["eu/0", "e9"]], "a node named only by an edge has no layer"),
        "sizes-and-regions": (
            [
                _node("eu/1", "local", "eu"),
                _node("us/0", "local", "us"),
                _node("e3", "execution", "us"),
                _node("e4", "execution", "eu"),
                _node("e5", "execution", "eu"),
            ],
            [["top", "eu/1"], ["top", "us/0"], ["eu/1", "e3"], ["eu/1", "e4"], ["eu/1", "e5"]],
            "eu/1 manages 3 > bound 2, one of another region; us/0 manages none",
        ),
        "execution-misplaced": (
            [_node("e3", "execution", "eu"), _node("eu/1", "local", "eu")],
            [["top", "eu/1"], ["eu/1", "e1"], ["e1", "e3"], ["eu/0", "eu/1"]],
            "an execution node managed twice and managing another; a group managing a group",
        ),
        "top-has-parent": ([], [["eu/0", "top"]], "the top group has a parent"),
    }
    for name, (extra_nodes, extra_edges, comment) in cases.items():
        yield VectorInput(
            f"{op}-{name}",
            op,
            {
                "max_group_size": 2,
                "nodes": base_nodes + extra_nodes,
                "edges": base_edges + extra_edges,
            },
            comment,
        )
    yield VectorInput(
        f"{op}-bad-edge",
        op,
        {"nodes": base_nodes, "edges": [*base_edges, ["top", "eu/0", "e1"]]},
        "rejected input: an edge names a manager and one managed node",
    )
    yield VectorInput(
        f"{op}-no-top",
        op,
        {"nodes": base_nodes[1:], "edges": base_edges[1:]},
        "no top group: the one violation reported",
    )
    yield VectorInput(
        f"{op}-renamed-top",
        op,
        {
            "top": "root",
            "nodes": [_node("root", "top"), *base_nodes[1:]],
            "edges": [["root", "eu/0"], *base_edges[1:]],
        },
        "the top group may have another name",
    )
