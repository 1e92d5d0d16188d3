"""Tests of the two-layer management hierarchy (§IV-H, Fig. 10): build, validate, route, load."""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vdlt_spec import hierarchy as h
from vdlt_spec import virtualization as v
from vdlt_spec.cos import ServiceClass
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.roles import NodeRole
from vdlt_spec.strategies import SMALL_MANAGEMENT, hierarchies

FAST = settings(max_examples=60, deadline=None)


def nodes(per_region: dict[str, int]) -> list[h.ExecutionNode]:
    return [
        h.ExecutionNode(f"{region}-{i:02d}", region)
        for region, count in per_region.items()
        for i in range(count)
    ]


def test_build_splits_regions_into_balanced_handfuls() -> None:
    built = h.build(nodes({"eu": 12, "us": 5, "asia": 1}))
    sizes = {g.id: len(g.members) for g in built.groups}
    assert sizes == {"asia/0": 1, "eu/0": 4, "eu/1": 4, "eu/2": 4, "us/0": 5}
    assert built.max_group_size == h.DEFAULT_GROUP_SIZE
    assert h.validate(built) == ()
    assert [m.id for m in built.groups[1].members] == ["eu-00", "eu-01", "eu-02", "eu-03"]


@FAST
@given(hierarchies())
def test_built_hierarchies_are_valid_trees(built: h.Hierarchy) -> None:
    graph = h.tree(built)
    assert nx.is_arborescence(graph)
    assert h.validate(built) == ()
    executions = [n for n, d in graph.nodes(data=True) if d["layer"] == h.Layer.EXECUTION]
    assert all(graph.in_degree(x) == 1 for x in executions)
    for group in built.groups:
        assert 1 <= len(group.members) <= built.max_group_size
        assert {m.region for m in group.members} == {group.region}
    per_region: dict[str, list[int]] = {}
    for group in built.groups:
        per_region.setdefault(group.region, []).append(len(group.members))
    for sizes in per_region.values():  # fewest groups, balanced
        assert max(sizes) - min(sizes) <= 1
        assert len(sizes) == -(-sum(sizes) // built.max_group_size)


def _mutations() -> list[tuple[str, Any]]:
    def graph() -> nx.DiGraph:
        return h.tree(h.build(nodes({"eu": 6, "us": 2}), 3))

    def orphan(g: nx.DiGraph) -> None:
        g.remove_edge("eu/0", "eu-00")

    def twice(g: nx.DiGraph) -> None:
        g.add_edge("eu/1", "eu-00")

    def detach(g: nx.DiGraph) -> None:
        g.remove_edge("top", "us/0")

    def overfull(g: nx.DiGraph) -> None:
        g.remove_edge("eu/1", "eu-03")
        g.add_edge("eu/0", "eu-03")

    def empty(g: nx.DiGraph) -> None:
        g.add_node("eu/9", layer=h.Layer.LOCAL, region="eu")
        g.add_edge("top", "eu/9")

    def far(g: nx.DiGraph) -> None:
        g.remove_edge("us/0", "us-00")
        g.add_edge("eu/1", "us-00")
        g.remove_edge("eu/1", "eu-05")
        g.add_edge("us/0", "eu-05")

    def shortcut(g: nx.DiGraph) -> None:
        g.add_edge("top", "eu-00")

    def no_top(g: nx.DiGraph) -> None:
        g.nodes["top"]["layer"] = "other"

    cases = [
        ("EXECUTION_NODE_UNMANAGED", orphan),
        ("EXECUTION_NODE_MULTIPLY_MANAGED", twice),
        ("LOCAL_GROUP_DETACHED", detach),
        ("GROUP_SIZE_OUT_OF_BOUNDS", overfull),
        ("GROUP_SIZE_OUT_OF_BOUNDS", empty),
        ("REGION_MISMATCH", far),
        ("BAD_HIERARCHY", shortcut),
        ("BAD_HIERARCHY", no_top),
    ]
    out = []
    for kind, mutate in cases:
        g = graph()
        mutate(g)
        out.append((kind, g))
    return out


@pytest.mark.parametrize(("kind", "graph"), _mutations(), ids=[k for k, _ in _mutations()])
def test_tree_validation_catches_each_injected_fault(kind: str, graph: nx.DiGraph) -> None:
    kinds = {x.kind.value for x in h.tree_violations(graph, "top", 3)}
    assert kind in kinds


def test_hierarchy_data_faults_are_caught() -> None:
    built = h.build(nodes({"eu": 4, "us": 2}), 2)
    eu0, eu1, us0 = built.groups
    wrong_region = h.Hierarchy((h.LocalGroup("eu/0", "eu", us0.members), eu1), 2)
    assert {x.kind for x in h.validate(wrong_region)} == {Reason.REGION_MISMATCH}
    clash = h.Hierarchy((eu0, h.LocalGroup("eu/0", "eu", eu1.members)), 2)
    assert Reason.BAD_HIERARCHY in {x.kind for x in h.validate(clash)}
    too_big = h.Hierarchy((eu0, eu1, us0), 1)
    assert {x.kind for x in h.validate(too_big)} == {Reason.GROUP_SIZE_OUT_OF_BOUNDS}
    with pytest.raises(SpecError) as info:
        h.route(too_big, h.RoutingRequest("t", ServiceClass.LOW_COST, ("eu-00",)))
    assert info.value.reason is Reason.GROUP_SIZE_OUT_OF_BOUNDS


@pytest.mark.parametrize(
    ("call", "reason"),
    [
        (lambda: h.build(nodes({"eu": 2}), 0), "GROUP_SIZE_OUT_OF_BOUNDS"),
        (lambda: h.build(nodes({"eu": 2}), True), "GROUP_SIZE_OUT_OF_BOUNDS"),
        (lambda: h.build(nodes({"eu": 2}) * 2), "DUPLICATE_EXECUTION_NODE"),
        (lambda: h.ExecutionNode("", "eu"), "BAD_IDENTIFIER"),
        (lambda: h.ExecutionNode("x", ""), "BAD_IDENTIFIER"),
        (
            lambda: h.route(
                h.build(nodes({"eu": 2})), h.RoutingRequest("t", ServiceClass.LOW_COST, ("nope",))
            ),
            "UNKNOWN_EXECUTION_NODE",
        ),
        (
            lambda: h.route(
                h.build(nodes({"eu": 2})), h.RoutingRequest("t", ServiceClass.PRIVATE, ())
            ),
            "EMPTY_TRANSACTION_SCOPE",
        ),
        (
            lambda: h.workload(h.build(nodes({"eu": 2})), random.Random(1), 5, Fraction(3, 2), 0),
            "BAD_PROBABILITY",
        ),
        (
            lambda: h.workload(h.build(nodes({"eu": 2})), random.Random(1), -1, Fraction(1), 0),
            "BAD_USAGE",
        ),
        (
            lambda: h.workload(h.build([]), random.Random(1), 1, Fraction(1), 0),
            "EXECUTION_NODE_UNMANAGED",
        ),
    ],
)
def test_malformed_input_is_rejected(call: Any, reason: str) -> None:
    with pytest.raises(SpecError) as info:
        call()
    assert info.value.reason.value == reason


def test_routing_rules() -> None:
    built = h.build(nodes({"eu": 6, "us": 3}), 3)
    request = h.RoutingRequest("a", ServiceClass.FAST_CONFIRMATION, ("eu-00", "eu-02"))
    local = h.route(built, request)
    assert (local.layer, local.group) == (h.Layer.LOCAL, "eu/0")
    cross = h.route(built, h.RoutingRequest("b", ServiceClass.LOW_COST, ("eu-00", "eu-03")))
    assert (cross.layer, cross.group) == (h.Layer.TOP, "top")
    assert "2 local domains" in cross.why
    control = h.route(built, h.RoutingRequest("c", ServiceClass.MANAGEMENT_CONTROL, ("eu-00",)))
    assert (control.layer, control.group) == (h.Layer.TOP, "top")
    assert h.route(built, h.RoutingRequest("d", ServiceClass.MANAGEMENT_CONTROL, ())).layer == "top"
    private_global = h.route(
        built,
        h.RoutingRequest("e", ServiceClass.PRIVATE, ("us-00",)),
        frozenset({ServiceClass.PRIVATE}),
    )
    assert private_global.layer == h.Layer.TOP


@FAST
@given(hierarchies(), st.integers(0, 2**32), st.fractions(0, 1, max_denominator=8))
def test_routes_agree_with_the_tree(built: h.Hierarchy, seed: int, locality: Fraction) -> None:
    """A route is local exactly when the tree's lowest common ancestor is a local group."""
    graph = h.tree(built)
    txs = h.workload(built, random.Random(seed), 40, locality, Fraction(1, 10))
    load = h.load(built, txs)
    assert load.top + sum(g.decisions for g in load.local) == load.total == len(txs)
    for tx, r in zip(txs, h.route_all(built, txs), strict=True):
        if tx.service_class in h.GLOBAL_CLASSES:
            assert r.layer == h.Layer.TOP
            continue
        ancestor = tx.nodes[0]
        for other in tx.nodes[1:]:
            ancestor = nx.lowest_common_ancestor(graph, ancestor, other)
        if len(tx.nodes) == 1:
            ancestor = next(iter(graph.predecessors(ancestor)))
        expected = graph.nodes[ancestor]["layer"]
        assert r.layer == (h.Layer.LOCAL if expected == h.Layer.LOCAL else h.Layer.TOP)
        assert r.group == ancestor


def test_top_share_shrinks_as_traffic_becomes_local() -> None:
    built = h.build(nodes({"eu": 12, "us": 12, "asia": 12, "af": 12}))
    localities = [Fraction(k, 4) for k in range(5)]
    rows = h.locality_sweep(built, 7, 2000, localities, Fraction(1, 20))
    shares = [row.load.top_share for row in rows]
    assert shares == sorted(shares, reverse=True) and shares[0] == 1
    assert shares[-1] < Fraction(1, 10)  # only the global class stays at the top
    globals_ = sum(
        1
        for tx in h.workload(built, random.Random(7), 2000, Fraction(1), Fraction(1, 20))
        if tx.service_class in h.GLOBAL_CLASSES
    )
    assert rows[-1].load.top == globals_
    assert h.locality_sweep(built, 7, 2000, localities, Fraction(1, 20)) == rows  # seeded


def test_hierarchy_of_an_admitted_system() -> None:
    hosts = tuple(
        v.PhysicalNode(f"p{i}", "d", "eu" if i < 4 else "us", v.Resources(9, 9, 9), True, True)
        for i in range(8)
    )
    substrate = v.Substrate(hosts, (), SMALL_MANAGEMENT)
    nodes_ = [v.VirtualNode("m0", NodeRole.MANAGEMENT_CONTROL, v.Resources(1, 1, 1))] + [
        v.VirtualNode(f"e{i}", NodeRole.EXECUTION, v.Resources(1, 1, 1)) for i in range(7)
    ]
    system = v.VirtualSystem("s", "a", (ServiceClass.LOW_COST,), tuple(nodes_))
    placement = v.admit(substrate, v.EMPTY_PLACEMENT, system)
    built = h.from_placement(substrate, placement, "s", 2)
    regions = {m.id: m.region for g in built.groups for m in g.members}
    where = placement.hosts_of("s")
    assert regions == {f"s/e{i}": ("eu" if where[f"e{i}"] < "p4" else "us") for i in range(7)}
    assert h.validate(built) == ()


def test_regional_nodes_name_each_region_and_reject_empty_counts() -> None:
    built = h.regional_nodes(2, 3)
    assert [n.id for n in built] == ["r0-000", "r0-001", "r0-002", "r1-000", "r1-001", "r1-002"]
    assert {n.region for n in built} == {"r0", "r1"}
    for regions, per_region in ((0, 3), (2, 0)):
        with pytest.raises(SpecError) as info:
            h.regional_nodes(regions, per_region)
        assert info.value.reason is Reason.BAD_USAGE
    assert h.SWEEP_LOCALITIES[0] == 0 and h.SWEEP_LOCALITIES[-1] == 1


def test_a_sweep_reports_progress_by_row() -> None:
    built = h.build(h.regional_nodes(2, 4), 3)
    seen: list[tuple[int, int]] = []
    localities = (Fraction(0), Fraction(1, 2), Fraction(1))
    rows = h.locality_sweep(
        built, 7, 100, localities, Fraction(1, 20), lambda done, total: seen.append((done, total))
    )
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert rows == h.locality_sweep(built, 7, 100, localities, Fraction(1, 20))
