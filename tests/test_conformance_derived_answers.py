"""Answers of conformance operations that must agree with one another (§III-C, §IV-H, §IV-K)."""

from __future__ import annotations

from fractions import Fraction

from vdlt_spec import serial
from vdlt_spec.conformance import suite
from vdlt_spec.conformance.operations import call
from vdlt_spec.conformance.vector import Vector

NO_EMBEDDING = {
    "INSUFFICIENT_RESOURCES",
    "NO_MANAGEMENT_HOST",
    "ANTI_AFFINITY_UNSATISFIABLE",
    "SUBSTRATE_DISCONNECTED",
}
"""The reasons admission gives when no embedding exists: the readable search answers null."""


def _vectors(name: str) -> dict[str, Vector]:
    return {v.id: v for v in suite.bundled()[name].vectors}


def test_the_readable_search_chooses_the_hosts_admission_chooses() -> None:
    vectors = _vectors("virtualization")
    compared = 0
    for vector_id, vector in vectors.items():
        if not vector_id.startswith("embedding-"):
            continue
        admission = vectors[vector_id.replace("embedding-", "admit-", 1)]
        assert admission.input == vector.input
        if admission.expect_output is not None:
            assert vector.expect_output == admission.expect_output
            compared += 1
        elif admission.expect_error in NO_EMBEDDING:
            assert vector.expect_output == {"hosts": None}
        else:
            assert vector.expect_error == admission.expect_error
    assert compared >= 5


def test_the_log_of_a_lawful_amendment_passes_its_audit() -> None:
    activated = _vectors("governance")["amendment-activated"]
    answer = call("governance.amendment", activated.input)
    assert answer["activated"] == ["a1"] and answer["violations"] == []
    log = {
        "params": activated.input["params"],
        "live": answer["params"],
        "version": answer["version"],
        "activated": answer["activated"],
        "amendments": {"a1": activated.input["events"][0]["amendment"]},
        "history": answer["history"],
    }
    assert call("governance.amendment_audit", log) == {"violations": []}
    replayed = {**log, "history": [*answer["history"], answer["history"][-1]]}
    assert (
        "a1: activated more than once" in call("governance.amendment_audit", replayed)["violations"]
    )


def test_the_load_of_a_workload_adds_up_to_its_routes() -> None:
    for vector in _vectors("hierarchy").values():
        if vector.op != "hierarchy.load" or vector.expect_output is None:
            continue
        out = vector.expect_output
        local = [g["decisions"] for g in out["local"]]
        top = sum(1 for r in out["routes"] if r["layer"] == "top")
        assert out["total"] == len(out["routes"]) == top + sum(local)
        assert out["top"] == top
        assert out["busiest_local"] == max(local, default=0)
        share = serial.decode(Fraction, out["top_share"])
        assert share == (Fraction(top, out["total"]) if out["total"] else 0)


def test_a_built_hierarchy_is_a_valid_tree() -> None:
    build = _vectors("hierarchy")["hierarchy-build-default"]
    groups = call("hierarchy.build", build.input)["groups"]
    nodes = [{"id": "top", "layer": "top"}]
    edges = []
    regions = {n["id"]: n["region"] for n in build.input["nodes"]}
    for group in groups:
        nodes.append({"id": group["id"], "layer": "local", "region": group["region"]})
        edges.append(["top", group["id"]])
        for member in group["members"]:
            nodes.append({"id": member, "layer": "execution", "region": regions[member]})
            edges.append([group["id"], member])
    assert call("hierarchy.validate_tree", {"nodes": nodes, "edges": edges}) == {"violations": []}
