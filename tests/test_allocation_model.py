"""Tests of the allocation data, quantities, evaluator, generator and baselines (§IV-E, §IV-G)."""

from __future__ import annotations

import json
from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings

from vdlt_spec import serial
from vdlt_spec.allocation import quantities as q
from vdlt_spec.allocation.baselines import BASELINES, baseline_named
from vdlt_spec.allocation.bundled import bundled_instances
from vdlt_spec.allocation.decision import Allocation, Assignment, Replica
from vdlt_spec.allocation.evaluator import Constraint, evaluate, relative_slack, tightest
from vdlt_spec.allocation.generate import generate
from vdlt_spec.allocation.instance import Instance, Utility
from vdlt_spec.allocation.schema import (
    allocation_schema,
    instance_schema,
    loads_instance,
    parse_allocation,
    parse_instance,
)
from vdlt_spec.cos import class_of, reserved_bits
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.roles import NodeRole
from vdlt_spec.strategies import allocation_instances

FEW = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def tiny() -> Instance:
    return bundled_instances()["tiny-exhaustive"]


def test_fault_bound_and_consensus_time_follow_pbft(tiny: Instance) -> None:
    assert [q.fault_bound(k) for k in range(1, 11)] == [0, 0, 0, 1, 1, 1, 2, 2, 2, 3]
    # tau_0 + tau_K * K + tau_f * f with (10, 5, 10) ms
    assert q.consensus_ms(tiny, 4) == 10 + 5 * 4 + 10 * 1


def test_quantities_use_the_documented_units(tiny: Instance) -> None:
    tx, node = tiny.transactions[0], tiny.nodes[2]
    assert q.execution_ms(tx, Fraction(2)) == 20  # 40 Mcycles / 2 GHz = 20 ms
    assert q.transfer_ms(tiny, tx, node) == Fraction(8 * 10, 50) + 20  # other region: +20
    assert q.execution_demand_ghz(tx) == Fraction(10 * 40, 1000)
    assert q.link_demand_mbps(tx) == Fraction(8 * 10 * 10, 1000)


def test_nakamoto_coefficient_and_top_sum() -> None:
    loads = [Fraction(v) for v in (5, 3, 1, 1)]
    assert q.top_sum(loads, 2) == 8
    assert q.top_sum(loads, 0) == 0
    # 5 is not more than half of 10, so one node does not suffice; 5 + 3 is
    assert q.nakamoto_coefficient(loads, Fraction(1, 2)) == 2
    assert q.nakamoto_coefficient([Fraction(6), Fraction(4)], Fraction(1, 2)) == 1
    assert q.nakamoto_coefficient([], Fraction(1, 2)) == 0


def test_nakamoto_needs_strictly_more_than_the_share() -> None:
    assert q.nakamoto_coefficient([Fraction(5), Fraction(5)], Fraction(1, 2)) == 2


def _place(tx: str, control: str, *replicas: tuple[str, int]) -> Assignment:
    return Assignment(tx, Fraction(control), tuple(Replica(n, Fraction(r)) for n, r in replicas))


def test_evaluator_scores_a_feasible_allocation(tiny: Instance) -> None:
    allocation = Allocation(
        (_place("t0", "1/2", ("n0", 1), ("n1", 1)), _place("t2", "1", ("n3", 2)))
    )
    ev = evaluate(tiny, allocation)
    assert ev.feasible, ev.violations
    assert ev.throughput == 25
    # value minus control (price 1 per GHz) and replica costs (node price x rate)
    assert ev.welfare == 30 - (Fraction(1, 2) + 1 + 2) + 30 - (1 + 3 * 2)
    assert ev.nakamoto == 2
    assert ev.objective == ev.throughput


@pytest.mark.parametrize(
    ("allocation", "constraint", "subject"),
    [
        # t0 needs 2 replicas
        (Allocation((_place("t0", "1", ("n0", 1)),)), Constraint.REPLICAS_MIN, "t0"),
        # t1 is private: n1 is not privacy-capable
        (Allocation((_place("t1", "1", ("n0", 1), ("n1", 1)),)), Constraint.PRIVACY, "t1"),
        # 3 GHz is not a rate level
        (Allocation((_place("t2", "1", ("n2", 3)),)), Constraint.RATE_LEVEL, "t2"),
        # n1 has 2 GHz: two replicas of 2 GHz exceed it
        (
            Allocation((_place("t0", "1/2", ("n1", 2), ("n0", 1)), _place("t2", "1", ("n1", 2)))),
            Constraint.CPU,
            "n1",
        ),
        # t2's 60 ms bound: two replicas, one in the other region, at 1 GHz
        (Allocation((_place("t2", "1/2", ("n0", 1)),)), Constraint.LATENCY, "t2"),
        # n2 has trust 9/10 and K=1 tolerates no fault
        (
            Allocation((_place("t2", "1", ("n2", 2)), _place("t0", "1", ("n0", 1), ("n2", 1)))),
            Constraint.SECURITY,
            "t0",
        ),
        # all load on two nodes: D=2 needs the top node to hold at most 2/3
        (Allocation((_place("t2", "1", ("n3", 2)),)), Constraint.DECENTRALIZATION, "system"),
    ],
)
def test_evaluator_names_the_violated_constraint_and_subject(
    tiny: Instance, allocation: Allocation, constraint: Constraint, subject: str
) -> None:
    ev = evaluate(tiny, allocation)
    assert not ev.feasible
    assert (constraint, subject) in {(r.constraint, r.subject) for r in ev.violations}


def test_evaluator_reports_a_missing_mandatory_transaction(tiny: Instance) -> None:
    txs = (replace(tiny.transactions[0], mandatory=True), *tiny.transactions[1:])
    ev = evaluate(replace(tiny, transactions=txs), Allocation(()))
    assert [(r.constraint, r.subject) for r in ev.violations] == [(Constraint.MANDATORY, "t0")]


def test_evaluator_accepts_the_empty_allocation(tiny: Instance) -> None:
    ev = evaluate(tiny, Allocation(()))
    assert ev.feasible and ev.objective == 0 and ev.nakamoto == 0


@pytest.mark.parametrize(
    ("allocation", "reason"),
    [
        (Allocation((_place("tx", "1", ("n0", 1)),)), Reason.UNKNOWN_TRANSACTION),
        (Allocation((_place("t0", "1", ("zz", 1)),)), Reason.UNKNOWN_NODE),
        (
            Allocation((_place("t0", "1", ("n0", 1)), _place("t0", "1", ("n1", 1)))),
            Reason.DUPLICATE_TRANSACTION,
        ),
        (Allocation((_place("t0", "1", ("n0", 1), ("n0", 2)),)), Reason.DUPLICATE_NODE),
        (Allocation((_place("t0", "0", ("n0", 1)),)), Reason.NON_POSITIVE_RATE),
    ],
)
def test_evaluator_rejects_malformed_allocations(
    tiny: Instance, allocation: Allocation, reason: Reason
) -> None:
    with pytest.raises(SpecError) as info:
        evaluate(tiny, allocation)
    assert info.value.reason is reason


@FEW
@given(allocation_instances())
def test_instances_round_trip_through_json_and_schema(instance: Instance) -> None:
    text = serial.dumps(instance)
    assert loads_instance(text) == instance


def test_schema_carries_units_and_rejects_unknown_fields(tiny: Instance) -> None:
    schema = instance_schema()
    node = schema["$defs"]["Node"]["properties"]["cpu_ghz"]
    assert "[GHz]" in node["description"]
    data = serial.encode(tiny)
    data["nodes"][0]["colour"] = "red"
    with pytest.raises(SpecError) as info:
        parse_instance(data)
    assert info.value.reason is Reason.SCHEMA_VIOLATION
    assert "$.nodes[0]" in info.value.detail
    assert "Replica" in allocation_schema()["$defs"]


@pytest.mark.parametrize(
    ("path", "value", "reason"),
    [
        (("nodes", 0, "trust"), "3/2", Reason.TRUST_OUT_OF_RANGE),
        (("nodes", 1, "id"), "n0", Reason.DUPLICATE_NODE),
        (("transactions", 1, "id"), "t0", Reason.DUPLICATE_TRANSACTION),
        (("rate_levels_ghz",), ["2", "1"], Reason.PARAMETER_OUT_OF_RANGE),
        (("rate_levels_ghz",), ["0"], Reason.NON_POSITIVE_RATE),
        (("decentralization_share",), "1", Reason.PARAMETER_OUT_OF_RANGE),
        (("transactions", 0, "min_replicas"), 9, Reason.PARAMETER_OUT_OF_RANGE),
        (("transactions", 0, "latency_ms"), "0", Reason.PARAMETER_OUT_OF_RANGE),
        (("nodes", 0, "cpu_ghz"), "fast", Reason.SCHEMA_VIOLATION),
        (("transactions", 0, "service_class"), 9, Reason.SCHEMA_VIOLATION),
    ],
)
def test_bad_instances_get_a_clear_error(
    tiny: Instance, path: tuple[object, ...], value: object, reason: Reason
) -> None:
    data = serial.encode(tiny)
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(SpecError) as info:
        parse_instance(data)
    assert info.value.reason is reason


def test_malformed_json_is_reported_with_its_place() -> None:
    with pytest.raises(SpecError) as info:
        loads_instance('{"name": ')
    assert info.value.reason is Reason.MALFORMED_JSON


def test_allocation_parses_from_json(tiny: Instance) -> None:
    allocation = Allocation((_place("t2", "1", ("n2", 2)),))
    assert parse_allocation(json.loads(serial.dumps(allocation))) == allocation


def test_generator_is_deterministic_and_realistic() -> None:
    a = generate(30, 8, 5, Utility.WELFARE)
    assert a == generate(30, 8, 5, Utility.WELFARE)
    assert a != generate(30, 8, 6, Utility.WELFARE)
    execution = [n for n in a.nodes if n.role.value == "execution"]
    assert len(execution) == 8
    assert all(10 <= n.cpu_ghz <= 30 and 10 <= n.bandwidth_mbps <= 100 for n in execution)
    assert all(t.mandatory == t.high_security for t in a.transactions)


@FEW
@given(allocation_instances())
def test_baselines_return_feasible_allocations_or_leave_mandatory_out(instance: Instance) -> None:
    for allocate in BASELINES.values():
        ev = evaluate(instance, allocate(instance))
        # the only violation a greedy may leave is a mandatory transaction it could not place
        assert {r.constraint for r in ev.violations} <= {Constraint.MANDATORY}


def test_baselines_drop_mandatory_transactions_when_they_alone_break_c1() -> None:
    # C1 over all nodes but one at share 1/100: any positive load breaks it, so a greedy must
    # end with nothing placed and say so as unplaced mandatory transactions (found by
    # Hypothesis: a lone mandatory transaction on one node was kept, violating C1)
    base = generate(40, 6, 1, Utility.THROUGHPUT)
    instance = replace(
        base, decentralization_nodes=len(base.nodes), decentralization_share=Fraction(1, 100)
    )
    assert any(t.mandatory for t in instance.transactions)
    for name, allocate in BASELINES.items():
        allocation = allocate(instance)
        ev = evaluate(instance, allocation)
        assert not allocation.assignments, name
        assert {r.constraint for r in ev.violations} == {Constraint.MANDATORY}, name


def test_baselines_are_feasible_on_a_generated_instance() -> None:
    instance = generate(60, 12, 3, Utility.THROUGHPUT)
    for name, allocate in BASELINES.items():
        ev = evaluate(instance, allocate(instance))
        assert ev.feasible, (name, ev.violations[:3])
        assert ev.admitted > 0


def test_node_roles_are_the_one_node_role_and_read_the_legacy_spelling() -> None:
    instance = bundled_instances()["small-throughput"]
    lent = [n for n in instance.nodes if n.role is NodeRole.MANAGEMENT_CONTROL]
    assert lent and all(isinstance(n.role, NodeRole) for n in instance.nodes)
    data = serial.encode(instance)
    assert {n["role"] for n in data["nodes"]} == {"execution", "management_control"}
    legacy = json.loads(json.dumps(data).replace('"management_control"', '"control"'))
    assert parse_instance(legacy) == instance
    assert instance_schema()["$defs"]["Node"]["properties"]["role"]["enum"] == [
        r.value for r in NodeRole
    ]


def test_a_stream_names_the_class_its_transactions_carry(tiny: Instance) -> None:
    for stream in tiny.transactions:
        assert class_of(stream.cos) is stream.service_class and reserved_bits(stream.cos) == 0


def test_tightest_ranks_reports_by_slack_relative_to_the_bound(tiny: Instance) -> None:
    ev = evaluate(tiny, BASELINES["density-greedy"](tiny))
    ranked = tightest(ev, len(ev.reports))
    assert sorted(ranked, key=id) == sorted(ev.reports, key=id)
    keys = [relative_slack(r) for r in ranked]
    assert keys == sorted(keys)
    assert tightest(ev, 2) == ranked[:2]
    assert tightest(ev, 0) == ()
    big = replace(ev.reports[0], bound=Fraction(-10), slack=Fraction(5))
    small = replace(ev.reports[0], bound=Fraction(1, 2), slack=Fraction(1))
    assert relative_slack(big) == Fraction(1, 2)  # divided by |bound|
    assert relative_slack(small) == 1  # a bound below 1 counts as 1
    assert tightest(replace(ev, reports=(small, big)), 1) == (big,)
    with pytest.raises(SpecError) as caught:
        tightest(ev, -1)
    assert caught.value.reason is Reason.PARAMETER_OUT_OF_RANGE


def test_utility_parses_its_name_and_rejects_others() -> None:
    assert Utility.parse("welfare") is Utility.WELFARE
    assert Utility.parse("throughput", "--utility") is Utility.THROUGHPUT
    with pytest.raises(SpecError) as caught:
        Utility.parse("magic", "--utility")
    assert caught.value.reason is Reason.BAD_USAGE
    assert caught.value.detail == "--utility must be throughput or welfare, got 'magic'"


def test_baseline_named_finds_each_heuristic_and_rejects_others() -> None:
    for name, heuristic in BASELINES.items():
        assert baseline_named(name) is heuristic
    with pytest.raises(SpecError) as caught:
        baseline_named("magic", "--name")
    assert caught.value.reason is Reason.BAD_USAGE
    assert caught.value.detail == (
        "--name must be one of per-class-greedy, density-greedy, got 'magic'"
    )
