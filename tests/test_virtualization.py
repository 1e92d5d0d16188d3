"""Tests of virtualization (§III-C, §IV-B): admission rules, validator, leases, faults."""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from vdlt_spec import serial
from vdlt_spec import virtualization as v
from vdlt_spec.cos import ServiceClass
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.roles import NodeRole
from vdlt_spec.strategies import SMALL_MANAGEMENT, resources, substrates, virtual_systems
from vdlt_spec.virtualization import admission, faults

R = v.Resources
MC, EX = NodeRole.MANAGEMENT_CONTROL, NodeRole.EXECUTION
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def host(name: str, amount: int, qualified: bool, dinp: str = "d0", region: str = "r0") -> Any:
    return v.PhysicalNode(name, dinp, region, R(amount, amount, amount), qualified, qualified)


def system(name: str, managers: int, executors: int, demand: int = 1, vdsp: str = "a") -> Any:
    nodes = [v.VirtualNode(f"m{i}", MC, R(demand, demand, demand)) for i in range(managers)]
    nodes += [v.VirtualNode(f"e{i}", EX, R(demand, demand, demand)) for i in range(executors)]
    return v.VirtualSystem(name, vdsp, (ServiceClass.FAST_CONFIRMATION,), tuple(nodes))


SUBSTRATE = v.Substrate(
    (
        host("p0", 10, True, "d0", "eu"),
        host("p1", 10, False, "d0", "eu"),
        host("p2", 10, True, "d1", "us"),
        host("p3", 4, False, "d1", "us"),
    ),
    (),
    SMALL_MANAGEMENT,
)


def free_of(substrate: v.Substrate, placement: v.Placement) -> dict[str, v.Resources]:
    return v.free_capacity(substrate, placement)


# --- resources and malformed input -------------------------------------------------------------


@given(resources(), resources())
def test_resources_add_and_subtract_exactly(a: v.Resources, b: v.Resources) -> None:
    assert (a + b) - b == a
    assert a.fits_in(a + b)
    assert a.shortfall(a + b) == ()
    assert v.total([a, b, v.NO_RESOURCES]) == a + b


def test_negative_and_non_integer_amounts_are_rejected() -> None:
    with pytest.raises(SpecError) as info:
        R(1, -1, 0)
    assert info.value.reason is Reason.NEGATIVE_RESOURCE
    with pytest.raises(SpecError) as info:
        R(1, 0, 0) - R(2, 0, 0)
    assert info.value.reason is Reason.NEGATIVE_RESOURCE
    for bad in (1.5, True, "3"):
        with pytest.raises(SpecError) as info:
            R(bad, 0, 0)  # type: ignore[arg-type]
        assert info.value.reason is Reason.SCHEMA_VIOLATION


@pytest.mark.parametrize(
    ("build", "reason"),
    [
        (lambda: v.Substrate((host("p", 1, True), host("p", 1, True))), "DUPLICATE_PHYSICAL_NODE"),
        (lambda: v.Substrate((host("p", 1, True),), (v.Link("p", "q"),)), "UNKNOWN_PHYSICAL_NODE"),
        (lambda: v.Substrate((host("p", 1, True),), (v.Link("p", "p"),)), "BAD_LINK"),
        (
            lambda: v.Substrate(
                (host("p", 1, True), host("q", 1, True)), (v.Link("p", "q"), v.Link("q", "p"))
            ),
            "BAD_LINK",
        ),
        (lambda: host("", 1, True), "BAD_IDENTIFIER"),
        (lambda: v.PhysicalNode("p", " ", "r", R()), "BAD_IDENTIFIER"),
        (lambda: system("s", 0, 2), "EMPTY_GROUP"),
        (lambda: system("s", 2, 0), "EMPTY_GROUP"),
        (lambda: v.VirtualSystem("s", "a", (), system("s", 1, 1).nodes), "NO_SERVICE_CLASS"),
        (
            lambda: v.VirtualSystem(
                "s", "a", (ServiceClass.LOW_COST, ServiceClass.LOW_COST), system("s", 1, 1).nodes
            ),
            "DUPLICATE_CLASS",
        ),
        (
            lambda: v.VirtualSystem(
                "s", "a", (ServiceClass.LOW_COST,), system("s", 1, 1).nodes * 2
            ),
            "DUPLICATE_VIRTUAL_NODE",
        ),
        (lambda: v.group_quorum(0), "GROUP_SIZE_OUT_OF_BOUNDS"),
    ],
)
def test_malformed_input_is_rejected_with_a_reason(build: Any, reason: str) -> None:
    with pytest.raises(SpecError) as info:
        build()
    assert info.value.reason.value == reason


@pytest.mark.parametrize(
    "text",
    [
        '{"nodes": [{"id": "p", "dinp": "d", "region": "r", "capacity": {"compute": -1}}]}',
        '{"nodes": [{"id": "p", "dinp": "d", "region": "r"}]}',
        '{"nodes": [], "extra": 1}',
        '{"nodes": "p0"}',
    ],
)
def test_malformed_json_is_rejected(text: str) -> None:
    with pytest.raises(SpecError) as info:
        serial.loads(v.Substrate, text)
    assert info.value.reason in {Reason.NEGATIVE_RESOURCE, Reason.SCHEMA_VIOLATION}


def test_data_round_trips_through_json() -> None:
    placement = v.admit(SUBSTRATE, v.EMPTY_PLACEMENT, system("s", 2, 2))
    assert serial.loads(v.Substrate, serial.dumps(SUBSTRATE)) == SUBSTRATE
    assert serial.loads(v.Placement, serial.dumps(placement)) == placement


# --- admission -----------------------------------------------------------------------------------


def test_admission_follows_the_documented_orders() -> None:
    placement = v.admit(SUBSTRATE, v.EMPTY_PLACEMENT, system("s", 2, 2))
    # management first on qualified hosts by id; execution on unqualified hosts first
    assert placement.hosts_of("s") == {"m0": "p0", "m1": "p2", "e0": "p1", "e1": "p3"}
    assert v.validate(SUBSTRATE, placement) == ()


def test_larger_nodes_are_placed_first() -> None:
    nodes = (
        v.VirtualNode("m", MC, R(1, 1, 1)),
        v.VirtualNode("small", EX, R(1, 1, 1)),
        v.VirtualNode("big", EX, R(6, 6, 6)),
    )
    s = v.VirtualSystem("s", "a", (ServiceClass.LOW_COST,), nodes)
    assert [n.id for n in v.placement_order(SUBSTRATE, s)] == ["m", "big", "small"]
    placement = v.admit(SUBSTRATE, v.EMPTY_PLACEMENT, s)
    assert placement.hosts_of("s") == {"m": "p0", "big": "p1", "small": "p3"}


@pytest.mark.parametrize(
    ("candidate", "reason", "mentions"),
    [
        (system("big", 1, 1, demand=11), "INSUFFICIENT_RESOURCES", "compute"),
        (system("many-managers", 3, 1), "NO_MANAGEMENT_HOST", "at most 2"),
        (system("too-many", 2, 3), "ANTI_AFFINITY_UNSATISFIABLE", "5 distinct"),
    ],
)
def test_rejections_name_the_reason(candidate: Any, reason: str, mentions: str) -> None:
    with pytest.raises(SpecError) as info:
        v.admit(SUBSTRATE, v.EMPTY_PLACEMENT, candidate)
    assert info.value.reason.value == reason
    assert mentions in info.value.detail


def test_rejection_names_the_blocking_resource_and_host() -> None:
    nodes = (v.VirtualNode("m", MC, R(1, 1, 1)), v.VirtualNode("e", EX, R(1, 20, 1)))
    s = v.VirtualSystem("s", "a", (ServiceClass.LOW_COST,), nodes)
    with pytest.raises(SpecError) as info:
        v.admit(SUBSTRATE, v.EMPTY_PLACEMENT, s)
    assert info.value.reason is Reason.INSUFFICIENT_RESOURCES
    assert "storage 20" in info.value.detail and "physical node p2" in info.value.detail


def test_no_qualified_host_at_all() -> None:
    bare = v.Substrate((host("p0", 10, False), host("p1", 10, False)), (), SMALL_MANAGEMENT)
    with pytest.raises(SpecError) as info:
        v.admit(bare, v.EMPTY_PLACEMENT, system("s", 1, 1))
    assert info.value.reason is Reason.NO_MANAGEMENT_HOST


def test_a_system_never_straddles_unlinked_parts() -> None:
    nodes = tuple(host(f"p{i}", 10, True) for i in range(4))
    split = v.Substrate(nodes, (v.Link("p0", "p1"), v.Link("p2", "p3")), SMALL_MANAGEMENT)
    assert v.reachability_groups(split) == (("p0", "p1"), ("p2", "p3"))
    placement = v.admit(split, v.EMPTY_PLACEMENT, system("a", 1, 1))
    assert set(placement.hosts_of("a").values()) == {"p0", "p1"}
    with pytest.raises(SpecError) as info:
        v.admit(split, v.EMPTY_PLACEMENT, system("b", 1, 2))
    assert info.value.reason is Reason.SUBSTRATE_DISCONNECTED


def test_admitting_twice_and_invalid_placements_are_rejected() -> None:
    placement = v.admit(SUBSTRATE, v.EMPTY_PLACEMENT, system("s", 1, 1))
    with pytest.raises(SpecError) as info:
        v.admit(SUBSTRATE, placement, system("s", 1, 1))
    assert info.value.reason is Reason.DUPLICATE_VIRTUAL_SYSTEM
    broken = dataclasses.replace(placement, assignments=placement.assignments[:1])
    with pytest.raises(SpecError) as info:
        v.admit(SUBSTRATE, broken, system("t", 1, 1))
    assert info.value.reason is Reason.INVALID_PLACEMENT
    with pytest.raises(SpecError) as info:
        v.release(SUBSTRATE, placement, "nope")
    assert info.value.reason is Reason.UNKNOWN_VIRTUAL_SYSTEM


@FAST
@given(substrates(max_nodes=7), st.lists(virtual_systems(max_group=3), min_size=1, max_size=4))
def test_admission_equals_exhaustive_search(
    substrate: v.Substrate, candidates: list[v.VirtualSystem]
) -> None:
    """The matching-guided first fit is the readable backtracking definition, and complete."""
    placement = v.EMPTY_PLACEMENT
    for index, candidate in enumerate(candidates):
        candidate = dataclasses.replace(candidate, id=f"s{index}")
        expected = v.embedding_by_search(substrate, placement, candidate)
        try:
            after = v.admit(substrate, placement, candidate)
        except SpecError as exc:
            assert expected is None, f"rejected ({exc.reason}) although {expected} exists"
            continue
        assert after.hosts_of(candidate.id) == expected
        placement = after


@FAST
@given(
    substrates(max_nodes=7, with_links=True),
    st.lists(virtual_systems(max_group=3), min_size=1, max_size=5),
)
def test_admission_keeps_every_rule_and_is_deterministic(
    substrate: v.Substrate, candidates: list[v.VirtualSystem]
) -> None:
    systems = [dataclasses.replace(c, id=f"s{i}") for i, c in enumerate(candidates)]
    first = v.admit_all(substrate, systems)
    again = v.admit_all(serial.loads(v.Substrate, serial.dumps(substrate)), systems)
    assert first == again
    assert v.validate(substrate, first.placement) == ()
    assert v.worst_single_failure(substrate, first.placement) <= 1
    admitted = [o.system for o in first.outcomes if o.admitted]
    assert [s.id for s in first.placement.systems] == admitted
    for outcome in first.outcomes:
        assert outcome.admitted == (outcome.reason is None)


# --- validator ------------------------------------------------------------------------------------


def _valid_pair() -> tuple[v.Substrate, v.Placement]:
    linked = dataclasses.replace(
        SUBSTRATE,
        nodes=(*SUBSTRATE.nodes, host("p4", 10, True), host("p5", 10, False)),
        links=(v.Link("p0", "p1"), v.Link("p1", "p2"), v.Link("p2", "p3"), v.Link("p4", "p5")),
    )
    placement = v.admit_all(linked, [system("a", 2, 2), system("b", 1, 1, demand=2)]).placement
    assert v.validate(linked, placement) == ()
    return linked, placement


def _move(placement: v.Placement, system_id: str, node: str, to: str) -> v.Placement:
    return dataclasses.replace(
        placement,
        assignments=tuple(
            dataclasses.replace(a, host=to) if (a.system, a.node) == (system_id, node) else a
            for a in placement.assignments
        ),
    )


def _injections() -> list[tuple[str, Any]]:
    _, p = _valid_pair()
    heavy = dataclasses.replace(
        p.systems[1],
        nodes=tuple(dataclasses.replace(n, demand=R(10, 10, 10)) for n in p.systems[1].nodes),
    )
    a_hosts = p.hosts_of("a")
    return [
        ("CAPACITY_EXCEEDED", dataclasses.replace(p, systems=(p.systems[0], heavy))),
        ("ANTI_AFFINITY_VIOLATED", _move(p, "a", "e0", a_hosts["e1"])),
        ("MANAGEMENT_HOST_UNQUALIFIED", _move(p, "a", "m0", "p3")),
        ("SYSTEM_DISCONNECTED", _move(p, "b", "e0", "p5")),
        ("UNKNOWN_PHYSICAL_NODE", _move(p, "a", "e0", "p9")),
        ("NODE_UNPLACED", dataclasses.replace(p, assignments=p.assignments[1:])),
        (
            "DUPLICATE_ASSIGNMENT",
            dataclasses.replace(p, assignments=(*p.assignments, p.assignments[0])),
        ),
        (
            "UNKNOWN_VIRTUAL_SYSTEM",
            dataclasses.replace(p, assignments=(*p.assignments, v.HostAssignment("z", "m0", "p0"))),
        ),
        (
            "UNKNOWN_VIRTUAL_NODE",
            dataclasses.replace(p, assignments=(*p.assignments, v.HostAssignment("a", "q", "p0"))),
        ),
        ("DUPLICATE_VIRTUAL_SYSTEM", dataclasses.replace(p, systems=(*p.systems, p.systems[0]))),
    ]


@pytest.mark.parametrize(("kind", "placement"), _injections(), ids=[k for k, _ in _injections()])
def test_validator_catches_every_injected_violation(kind: str, placement: v.Placement) -> None:
    substrate, _ = _valid_pair()
    kinds = {violation.kind.value for violation in v.validate(substrate, placement)}
    assert kind in kinds
    with pytest.raises(SpecError) as info:
        v.require_valid(substrate, placement)
    assert info.value.reason is Reason.INVALID_PLACEMENT


def test_validator_lists_every_violation_not_just_the_first() -> None:
    substrate, p = _valid_pair()
    hosts = p.hosts_of("a")
    both = _move(_move(p, "a", "e0", hosts["e1"]), "a", "m0", "p3")
    kinds = Counter(x.kind for x in v.validate(substrate, both))
    assert kinds[Reason.ANTI_AFFINITY_VIOLATED] == 1
    assert kinds[Reason.MANAGEMENT_HOST_UNQUALIFIED] == 1


def test_an_anti_affinity_breach_costs_two_replicas() -> None:
    """The one-failure property depends on anti-affinity: breaking it shows up as a loss of 2."""
    _, p = _valid_pair()
    hosts = p.hosts_of("a")
    shared = _move(p, "a", "e0", hosts["e1"])
    impacts = faults._impacts(shared, frozenset({hosts["e1"]}))
    assert max(i.lost for i in impacts) == 2


# --- leases and faults ------------------------------------------------------------------------


@FAST
@given(substrates(max_nodes=7), st.lists(virtual_systems(max_group=3), min_size=1, max_size=5))
def test_leases_sum_to_the_placed_demand(
    substrate: v.Substrate, candidates: list[v.VirtualSystem]
) -> None:
    systems = [dataclasses.replace(c, id=f"s{i}") for i, c in enumerate(candidates)]
    placement = v.admit_all(substrate, systems).placement
    leases = v.leases(substrate, placement)
    assert v.total(lease.resources for lease in leases) == v.placed_demand(placement)
    assert sum(lease.virtual_nodes for lease in leases) == len(placement.assignments)
    assert [(x.vdsp, x.dinp) for x in leases] == sorted({(x.vdsp, x.dinp) for x in leases})


def test_leases_split_by_vdsp_and_dinp() -> None:
    placement = v.admit_all(
        SUBSTRATE, [system("a", 1, 1, vdsp="A"), system("b", 1, 2, demand=2, vdsp="B")]
    ).placement
    assert placement.hosts_of("b") == {"m0": "p0", "e0": "p1", "e1": "p3"}
    table = {(x.vdsp, x.dinp): x for x in v.leases(SUBSTRATE, placement)}
    assert set(table) == {("A", "d0"), ("B", "d0"), ("B", "d1")}
    assert table[("A", "d0")].resources == R(2, 2, 2) and table[("A", "d0")].virtual_nodes == 2
    assert table[("B", "d0")].resources == R(4, 4, 4) and table[("B", "d0")].systems == ("b",)
    assert table[("B", "d1")].resources == R(2, 2, 2) and table[("B", "d1")].virtual_nodes == 1


@given(st.integers(min_value=1, max_value=10_000))
def test_quorum_is_the_smallest_two_thirds_majority(n: int) -> None:
    q = v.group_quorum(n)
    assert 3 * q > 2 * n >= 3 * (q - 1)


def test_fault_impact_counts_losses_and_quorums() -> None:
    seven = v.Substrate(tuple(host(f"p{i}", 10, True) for i in range(7)), (), SMALL_MANAGEMENT)
    placement = v.admit(seven, v.EMPTY_PLACEMENT, system("s", 4, 3))
    hosts = placement.hosts_of("s")
    one = v.fault_impact(seven, placement, [hosts["m0"]])
    assert [(i.role, i.size, i.lost, i.quorum, i.keeps_quorum) for i in one] == [
        (MC, 4, 1, 3, True),
        (EX, 3, 0, 3, True),
    ]
    two = v.fault_impact(seven, placement, [hosts["m0"], hosts["m1"], hosts["e0"]])
    assert [(i.lost, i.keeps_quorum) for i in two] == [(2, False), (1, False)]
    with pytest.raises(SpecError) as info:
        v.fault_impact(seven, placement, ["p99"])
    assert info.value.reason is Reason.UNKNOWN_PHYSICAL_NODE


# --- stateful: admission and release ----------------------------------------------------------


class AdmissionMachine(RuleBasedStateMachine):
    """Admit and release systems at random; every rule must hold after every step."""

    def __init__(self) -> None:
        super().__init__()
        self.substrate: v.Substrate | None = None
        self.placement = v.EMPTY_PLACEMENT
        self.counter = 0

    @precondition(lambda self: self.substrate is None)
    @rule(substrate=substrates(min_nodes=2, max_nodes=8, max_amount=12, with_links=True))
    def start(self, substrate: v.Substrate) -> None:
        self.substrate = substrate

    @precondition(lambda self: self.substrate is not None)
    @rule(candidate=virtual_systems(max_group=3, max_demand=4))
    def admit(self, candidate: v.VirtualSystem) -> None:
        assert self.substrate is not None
        candidate = dataclasses.replace(candidate, id=f"s{self.counter}")
        self.counter += 1
        before = self.placement
        try:
            after = v.admit(self.substrate, before, candidate)
        except SpecError as exc:
            assert exc.reason in {
                Reason.INSUFFICIENT_RESOURCES,
                Reason.NO_MANAGEMENT_HOST,
                Reason.ANTI_AFFINITY_UNSATISFIABLE,
                Reason.SUBSTRATE_DISCONNECTED,
            }
            assert v.embedding_by_search(self.substrate, before, candidate) is None
            return
        for s in before.systems:  # isolation: nobody else moved
            assert after.hosts_of(s.id) == before.hosts_of(s.id)
        assert after.systems[:-1] == before.systems and after.systems[-1] == candidate
        assert v.admit(self.substrate, before, candidate) == after  # deterministic
        self.placement = after

    @precondition(lambda self: self.substrate is not None and self.placement.systems)
    @rule(data=st.data())
    def release(self, data: st.DataObject) -> None:
        assert self.substrate is not None
        gone = data.draw(st.sampled_from([s.id for s in self.placement.systems]))
        before = self.placement
        free_before = v.free_capacity(self.substrate, before)
        after = v.release(self.substrate, before, gone)
        for s in after.systems:
            assert after.hosts_of(s.id) == before.hosts_of(s.id)
        released = before.system(gone)
        where = before.hosts_of(gone)
        free_after = v.free_capacity(self.substrate, after)
        for n in released.nodes:  # release gives back exactly the node's demand
            assert free_after[where[n.id]] == free_before[where[n.id]] + n.demand
        untouched = set(free_after) - set(where.values())
        assert all(free_after[h] == free_before[h] for h in untouched)
        self.placement = after

    @invariant()
    def rules_hold(self) -> None:
        if self.substrate is None:
            return
        assert v.validate(self.substrate, self.placement) == ()
        assert v.worst_single_failure(self.substrate, self.placement) <= 1
        free = v.free_capacity(self.substrate, self.placement)
        capacity = v.total(n.capacity for n in self.substrate.nodes)
        assert v.total(free.values()) + v.placed_demand(self.placement) == capacity


AdmissionMachine.TestCase.settings = settings(
    max_examples=40, stateful_step_count=15, deadline=None
)
TestAdmissionMachine = AdmissionMachine.TestCase


def test_release_then_readmit_restores_the_placement() -> None:
    placement = v.admit_all(SUBSTRATE, [system("a", 1, 2), system("b", 1, 1)]).placement
    without = v.release(SUBSTRATE, placement, "b")
    assert v.free_capacity(SUBSTRATE, without) == v.free_capacity(
        SUBSTRATE, v.admit(SUBSTRATE, v.EMPTY_PLACEMENT, system("a", 1, 2))
    )
    assert v.admit(SUBSTRATE, without, system("b", 1, 1)) == placement


def test_admission_succeeds_where_plain_first_fit_fails() -> None:
    """Plain first fit puts a on p0 and strands b; the look-ahead puts a on p1 (D-virt-8)."""
    requirements = v.ManagementRequirements(minimum=R(1, 1, 1))
    substrate = v.Substrate(
        (
            v.PhysicalNode("p0", "d", "r", R(5, 5, 5)),
            v.PhysicalNode("p1", "d", "r", R(5, 1, 5)),
            v.PhysicalNode("q", "d", "r", R(9, 9, 9), True, True),
        ),
        (),
        requirements,
    )
    nodes = (
        v.VirtualNode("m", MC, R(1, 1, 1)),
        v.VirtualNode("a", EX, R(4, 1, 0)),
        v.VirtualNode("b", EX, R(1, 2, 0)),
    )
    s = v.VirtualSystem("s", "x", (ServiceClass.LOW_COST,), nodes)
    taken: dict[str, str] = {}
    for node in v.placement_order(substrate, s):  # plain first fit, no look-ahead
        for h in v.host_order(substrate, node.role):
            if h not in taken.values() and node.demand.fits_in(substrate.node(h).capacity):
                taken[node.id] = h
                break
    assert "b" not in taken
    assert v.admit(substrate, v.EMPTY_PLACEMENT, s).hosts_of("s") == {
        "m": "q",
        "a": "p1",
        "b": "p0",
    }


@pytest.mark.parametrize(
    ("eligible", "expected"),
    [
        # a must leave A and B to b and c: both are critical, found by re-matching
        ({"a": ["A", "B", "C"], "b": ["A", "B"], "c": ["A", "B"]}, {"a": "C"}),
        # a takes A, b moves to B, c to C
        ({"a": ["A", "C"], "b": ["A", "B"], "c": ["B", "C"]}, {"a": "A", "b": "B", "c": "C"}),
        # nothing for c
        ({"a": ["A"], "b": ["A"], "c": ["A"]}, None),
    ],
)
def test_look_ahead_embedding_equals_backtracking(
    eligible: dict[str, list[str]],
    expected: dict[str, str] | None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    order = [v.VirtualNode(n, EX, R()) for n in ("a", "b", "c")]
    calls: list[int] = []
    matching = admission._matching_size

    def counted(*args: Any) -> Any:
        calls.append(len(args[2]))
        return matching(*args)

    monkeypatch.setattr(admission, "_matching_size", counted)
    found = admission._embed(order, eligible)
    assert found == admission._search(order, eligible)
    if expected is None:
        assert found is None
    else:
        assert found is not None and expected.items() <= found.items()
    if eligible["a"] == ["A", "B", "C"]:
        assert any(calls), "the re-matching path was not exercised"


def test_place_reports_the_campaign_leases_and_faults() -> None:
    from vdlt_spec.conformance.ops.virtualization import FIRST, SECOND, SUBSTRATE, R, _system

    systems = (FIRST, _system("c", 5, 1, R(1, 1, 1)), SECOND)
    report = v.place(SUBSTRATE, systems, ["p0"])
    campaign = v.admit_all(SUBSTRATE, systems)
    assert report.placement == campaign.placement and report.outcomes == campaign.outcomes
    assert [o.system for o in report.rejected] == ["c"]
    assert report.leases == v.leases(SUBSTRATE, campaign.placement)
    assert report.faults == v.fault_impact(SUBSTRATE, campaign.placement, ["p0"])
    assert report.worst_single_failure == v.worst_single_failure(SUBSTRATE, campaign.placement)
    assert v.place(SUBSTRATE, systems).faults == ()
