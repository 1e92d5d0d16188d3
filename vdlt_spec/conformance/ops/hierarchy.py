"""Conformance operations of the two-layer management hierarchy (§IV-H, Fig. 10).

``hierarchy.build`` fixes how execution nodes split into local groups by region;
``hierarchy.route`` fixes which layer and group decides a transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from vdlt_spec import hierarchy, serial
from vdlt_spec.conformance.operations import operation
from vdlt_spec.conformance.suite import VectorInput, inputs
from vdlt_spec.cos import ServiceClass


def _field(payload: Any, name: str, tp: Any, default: Any = None) -> Any:
    if name not in payload and default is not None:
        return default
    return serial.decode(tp, payload.get(name), f"$.{name}")


def _encode(**parts: Any) -> dict[str, Any]:
    encoded: dict[str, Any] = serial.encode(parts)
    return encoded


def _hierarchy(payload: Any) -> hierarchy.Hierarchy:
    nodes = _field(payload, "nodes", tuple[hierarchy.ExecutionNode, ...])
    size = _field(payload, "max_group_size", int, hierarchy.DEFAULT_GROUP_SIZE)
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
    tx = _field(payload, "transaction", hierarchy.RoutingRequest)
    decided = hierarchy.route(built, tx)
    return {"layer": decided.layer.value, "group": decided.group}


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
