"""Tree rules on hand-built graphs: an execution node under another, a node of unknown layer."""

import networkx as nx

from vdlt_spec import hierarchy
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
