"""Tree rules on hand-built graphs, the workload generator's documented defaults and its checks."""

import random
from fractions import Fraction

import networkx as nx
import pytest

from vdlt_spec import hierarchy
from vdlt_spec.cos import ServiceClass
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.hierarchy.structure import LAYER


def _graph() -> tuple[hierarchy.Hierarchy, nx.DiGraph]:
    nodes = [hierarchy.ExecutionNode(f"eu-{i}", "eu") for i in range(3)]
    built = hierarchy.build(nodes, 5)
    return built, hierarchy.tree(built)


def test_an_execution_node_managed_by_an_execution_node_is_flagged() -> None:
    built, graph = _graph()
    graph.add_edge("eu-0", "eu-1")
    details = [v.detail for v in hierarchy.tree_violations(graph, built.top, 5)]
    assert "managed by something not a local group" in details


def test_a_node_of_unknown_layer_is_flagged() -> None:
    built, graph = _graph()
    graph.add_node("zz", **{LAYER: "zzz"})
    details = [v.detail for v in hierarchy.tree_violations(graph, built.top, 5)]
    assert "unknown layer 'zzz'" in details


def test_the_default_sweep_is_the_documented_one() -> None:
    """D-hier-8: the sweep measures 0, 1/4, 1/2, 3/4, 9/10 and 1, in that order."""
    localities = hierarchy.SWEEP_LOCALITIES
    assert localities == (0, Fraction(1, 4), Fraction(1, 2), Fraction(3, 4), Fraction(9, 10), 1)
    assert all(isinstance(p, Fraction) for p in localities)


def _regions() -> hierarchy.Hierarchy:
    """Three regions of four execution nodes, one local group each."""
    return hierarchy.build(hierarchy.regional_nodes(3, 4), 5)


def test_a_local_transaction_needs_two_nodes_of_one_domain() -> None:
    """D-hier-5: at locality 1 every non-global transaction needs two nodes of one group."""
    built = _regions()
    region = {m.id: g.id for g in built.groups for m in g.members}
    txs = hierarchy.workload(built, random.Random(3), 200, Fraction(1), Fraction(0))
    assert hierarchy.LOCAL_SPAN == 2
    assert all(len(tx.nodes) == 2 and len({region[n] for n in tx.nodes}) == 1 for tx in txs)
    assert all(len(set(tx.nodes)) == 2 for tx in txs)


def test_a_cross_domain_transaction_needs_one_node_in_each_of_two_domains() -> None:
    """D-hier-5: at locality 0 every non-global transaction spans exactly two domains."""
    built = _regions()
    region = {m.id: g.id for g in built.groups for m in g.members}
    txs = hierarchy.workload(built, random.Random(3), 200, Fraction(0), Fraction(0))
    assert all(len(tx.nodes) == 2 and len({region[n] for n in tx.nodes}) == 2 for tx in txs)
    assert {tx.service_class for tx in txs}.isdisjoint(hierarchy.GLOBAL_CLASSES)


def test_one_domain_keeps_every_transaction_local_and_small_groups_cap_the_span() -> None:
    """With fewer domains than the span, or fewer members, the workload stays in one group."""
    one = hierarchy.build(hierarchy.regional_nodes(1, 4), 5)
    txs = hierarchy.workload(one, random.Random(5), 100, Fraction(0), Fraction(0))
    assert all(len(tx.nodes) == 2 for tx in txs)
    singles = hierarchy.build(hierarchy.regional_nodes(1, 1), 5)
    txs = hierarchy.workload(singles, random.Random(5), 20, Fraction(0), Fraction(0))
    assert {tx.nodes for tx in txs} == {("r0-000",)}


def test_a_global_share_of_one_draws_only_management_control() -> None:
    txs = hierarchy.workload(_regions(), random.Random(1), 50, Fraction(1, 2), Fraction(1))
    assert {(tx.service_class, tx.nodes) for tx in txs} == {(ServiceClass.MANAGEMENT_CONTROL, ())}
    assert [tx.id for tx in txs] == [f"tx{i}" for i in range(50)]


@pytest.mark.parametrize("count", [True, False, 1.0, "2", 0, -1])
def test_regional_nodes_reject_a_count_that_is_not_a_positive_integer(count: object) -> None:
    for regions, per_region in ((count, 2), (2, count)):
        with pytest.raises(SpecError) as info:
            hierarchy.regional_nodes(regions, per_region)  # type: ignore[arg-type]
        assert info.value.reason is Reason.BAD_USAGE
        assert "must be an integer >= 1" in info.value.detail


@pytest.mark.parametrize("count", [True, 1.0, "2", -1])
def test_workload_rejects_a_count_that_is_not_a_natural_number(count: object) -> None:
    with pytest.raises(SpecError) as info:
        hierarchy.workload(_regions(), random.Random(1), count, Fraction(1), Fraction(0))  # type: ignore[arg-type]
    assert info.value.reason is Reason.BAD_USAGE
    assert hierarchy.workload(_regions(), random.Random(1), 0, Fraction(1), Fraction(0)) == ()


@pytest.mark.parametrize("p", [Fraction(-1, 2), Fraction(3, 2), True, 0.5, "1/2"])
def test_workload_rejects_a_probability_outside_the_unit_interval(p: object) -> None:
    for locality, share in ((p, Fraction(0)), (Fraction(0), p)):
        with pytest.raises(SpecError) as info:
            hierarchy.workload(_regions(), random.Random(1), 1, locality, share)  # type: ignore[arg-type]
        assert info.value.reason is Reason.BAD_PROBABILITY


def _findings(graph: nx.DiGraph) -> set[tuple[str, str, str]]:
    return {(v.kind.value, v.subject, v.detail) for v in hierarchy.tree_violations(graph, "top", 5)}


def test_a_top_group_with_a_parent_is_flagged() -> None:
    _, graph = _graph()
    graph.add_edge("eu/0", "top")
    assert ("BAD_HIERARCHY", "top", "the top group has a parent") in _findings(graph)


def test_a_second_top_group_and_what_the_top_manages_besides_groups_are_flagged() -> None:
    _, graph = _graph()
    graph.add_node("top2", **{LAYER: hierarchy.Layer.TOP})
    graph.add_node("x", **{LAYER: "zzz"})
    graph.add_edge("top", "x")
    findings = _findings(graph)
    assert ("BAD_HIERARCHY", "top2", "a second top group") in findings
    assert ("BAD_HIERARCHY", "top", "top manages non-groups ['x']") in findings


@pytest.mark.parametrize("layer", ["local", "zzz"])
def test_a_top_of_another_layer_is_no_top(layer: str) -> None:
    _, graph = _graph()
    graph.nodes["top"][LAYER] = layer
    assert _findings(graph) == {("BAD_HIERARCHY", "top", "no top management/control group")}


def test_members_of_another_region_are_flagged_in_the_tree_both_ways() -> None:
    built = hierarchy.build(hierarchy.regional_nodes(2, 2), 5)
    graph = hierarchy.tree(built)
    graph.remove_edge("r0/0", "r0-000")
    graph.remove_edge("r1/0", "r1-000")
    graph.add_edge("r1/0", "r0-000")
    graph.add_edge("r0/0", "r1-000")
    assert _findings(graph) == {
        ("REGION_MISMATCH", "r0-000", "in r0, managed from r1 group r1/0"),
        ("REGION_MISMATCH", "r1-000", "in r1, managed from r0 group r0/0"),
    }


def test_members_of_another_region_are_flagged_in_the_data_both_ways() -> None:
    a, b = hierarchy.ExecutionNode("a-0", "a"), hierarchy.ExecutionNode("b-0", "b")
    swapped = hierarchy.Hierarchy(
        (hierarchy.LocalGroup("a/0", "a", (b,)), hierarchy.LocalGroup("b/0", "b", (a,))), 5
    )
    found = [(v.kind, v.subject, v.detail) for v in hierarchy.validate(swapped)]
    assert found == [
        (Reason.REGION_MISMATCH, "b-0", "in b, managed from a group a/0"),
        (Reason.REGION_MISMATCH, "a-0", "in a, managed from b group b/0"),
    ]
    with pytest.raises(SpecError) as info:
        hierarchy.require_valid_hierarchy(swapped)
    assert info.value.reason is Reason.REGION_MISMATCH
    assert info.value.detail == "b-0: in b, managed from a group a/0 (2 violation(s))"


def test_two_domains_are_enough_for_a_cross_domain_transaction() -> None:
    """With exactly LOCAL_SPAN domains, locality 0 still spans both of them."""
    built = hierarchy.build(hierarchy.regional_nodes(2, 3), 5)
    txs = hierarchy.workload(built, random.Random(9), 50, Fraction(0), Fraction(0))
    assert all({n[:2] for n in tx.nodes} == {"r0", "r1"} for tx in txs)


def test_the_load_of_no_transaction_is_all_zero() -> None:
    built = _regions()
    load = hierarchy.load(built, ())
    assert (load.total, load.top, load.top_share, load.busiest_local) == (0, 0, 0, 0)
    assert [g.decisions for g in load.local] == [0, 0, 0]


def test_data_faults_are_reported_before_the_tree_is_checked() -> None:
    """A member of another region is a data fault: validate stops there, with no tree finding
    (here the group also exceeds its bound, which the tree check would add)."""
    a, b = hierarchy.ExecutionNode("a-0", "a"), hierarchy.ExecutionNode("b-0", "b")
    mixed = hierarchy.Hierarchy((hierarchy.LocalGroup("a/0", "a", (a, b)),), 1)
    found = [(v.kind, v.subject, v.detail) for v in hierarchy.validate(mixed)]
    assert found == [(Reason.REGION_MISMATCH, "b-0", "in b, managed from a group a/0")]
    clash = hierarchy.Hierarchy((hierarchy.LocalGroup("a-0", "a", (a, b)),), 5)
    found = [(v.kind, v.subject, v.detail) for v in hierarchy.validate(clash)]
    assert found == [
        (Reason.BAD_HIERARCHY, "a-0", "names used twice"),
        (Reason.REGION_MISMATCH, "b-0", "in b, managed from a group a-0"),
    ]
