"""Virtualization pinned exactly: the management floor in its units, fault losses across systems,
admission's orders and look-ahead, and the validator's findings after a bad assignment."""

import random

import pytest

from vdlt_spec import virtualization as v
from vdlt_spec.cos import ServiceClass
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.roles import NodeRole
from vdlt_spec.strategies import SMALL_MANAGEMENT

R = v.Resources
MC, EX = NodeRole.MANAGEMENT_CONTROL, NodeRole.EXECUTION

# D-virt-5: 8 cores, 4 TiB, 25 Mbit/s, in millicores, MiB and kbit/s (D-virt-1).
FLOOR = R(8_000, 4 * 1024 * 1024, 25_000)


def _host(capacity: v.Resources) -> v.PhysicalNode:
    return v.PhysicalNode("p", "d", "r", capacity, dedicated_address=True, always_on=True)


def test_the_default_floor_is_eight_cores_four_tib_and_25_mbit() -> None:
    """A host with exactly the floor qualifies under the default requirements."""
    assert v.ManagementRequirements().minimum == FLOOR
    assert v.qualifies_for_management(_host(FLOOR), v.ManagementRequirements())
    assert v.management_shortfalls(_host(FLOOR + R(1, 1, 1)), v.ManagementRequirements()) == ()


@pytest.mark.parametrize(
    ("short", "detail"),
    [
        (R(7_999, 4 * 1024 * 1024, 25_000), "compute capacity below 8000 millicores"),
        (R(8_000, 4 * 1024 * 1024 - 1, 25_000), "storage capacity below 4194304 MiB"),
        (R(8_000, 4 * 1024 * 1024, 24_999), "bandwidth capacity below 25000 kbit/s"),
    ],
)
def test_one_unit_below_the_floor_is_named(short: v.Resources, detail: str) -> None:
    assert v.management_shortfalls(_host(short), v.ManagementRequirements()) == (detail,)
    assert not v.qualifies_for_management(_host(short), v.ManagementRequirements())


def test_the_unit_conversions_are_the_documented_ones() -> None:
    """D-virt-1: 1000 millicores a core, 1024 MiB a GiB, 1024 GiB a TiB, 1000 kbit/s a Mbit/s."""
    assert (v.MILLICORES_PER_CORE, v.MIB_PER_GIB, v.KBITS_PER_MBIT) == (1000, 1024, 1000)
    assert v.MIB_PER_TIB == 1024 * 1024
    assert v.RESOURCE_UNITS == {"compute": "millicores", "storage": "MiB", "bandwidth": "kbit/s"}


def _two_systems() -> tuple[v.Substrate, v.Placement]:
    """System a (4 managers, 2 executors) on p0..p5; system b (1 and 1) on p0 and p1."""
    hosts = tuple(
        v.PhysicalNode(f"p{i}", "d", "r", R(9, 9, 9), dedicated_address=True, always_on=True)
        for i in range(6)
    )
    substrate = v.Substrate(hosts, (), SMALL_MANAGEMENT)
    a_nodes = [f"m{i}" for i in range(4)] + ["e0", "e1"]
    systems, assignments = [], []
    for name, ids in (("a", a_nodes), ("b", ["m0", "e0"])):
        nodes = tuple(v.VirtualNode(i, MC if i[0] == "m" else EX, R(1, 1, 1)) for i in ids)
        systems.append(v.VirtualSystem(name, "s", (ServiceClass.LOW_COST,), nodes))
        assignments += [v.HostAssignment(name, i, f"p{k}") for k, i in enumerate(ids)]
    placement = v.Placement(tuple(systems), tuple(assignments))
    assert v.validate(substrate, placement) == ()
    return substrate, placement


def test_several_failed_hosts_cost_each_system_and_group_its_own_replicas() -> None:
    """p1 and p4 hold a/m1, a/e0 and b/e0: a loses one of each group, b its one executor."""
    substrate, placement = _two_systems()
    rows = [
        (i.system, i.role, i.size, i.lost, i.quorum, i.keeps_quorum)
        for i in v.fault_impact(substrate, placement, ["p1", "p4"])
    ]
    assert rows == [
        ("a", MC, 4, 1, 3, True),
        ("a", EX, 2, 1, 2, False),
        ("b", MC, 1, 0, 1, True),
        ("b", EX, 1, 1, 1, False),
    ]
    rows = [(i.lost, i.keeps_quorum) for i in v.fault_impact(substrate, placement, ["p2", "p3"])]
    assert rows == [(2, False), (0, True), (0, True), (0, True)]
    assert [i.lost for i in v.fault_impact(substrate, placement, [])] == [0, 0, 0, 0]


def test_the_worst_single_failure_of_a_placed_system_is_one_replica() -> None:
    """Anti-affinity (D-virt-3): one failed host costs a system at most one replica, and a
    host that holds one of its nodes costs it exactly one."""
    substrate, placement = _two_systems()
    assert v.worst_single_failure(substrate, placement) == 1
    assert v.worst_single_failure(substrate, v.EMPTY_PLACEMENT) == 0


def test_a_physical_node_declares_no_dedicated_address_and_no_24_7_unless_told() -> None:
    """D-virt-5: both §IV-B declarations default to absent, so such a host cannot manage."""
    node = v.PhysicalNode("p", "d", "r", FLOOR)
    assert (node.dedicated_address, node.always_on) == (False, False)
    shortfalls = v.management_shortfalls(node, v.ManagementRequirements())
    assert shortfalls == ("no dedicated address", "not running 24/7")


def test_hosts_of_names_the_nodes_of_one_system_only() -> None:
    _, placement = _two_systems()
    assert placement.hosts_of("b") == {"m0": "p0", "e0": "p1"}
    assert placement.hosts_of("a") == {
        "m0": "p0",
        "m1": "p1",
        "m2": "p2",
        "m3": "p3",
        "e0": "p4",
        "e1": "p5",
    }
    assert placement.hosts_of("c") == {}


def test_the_dominant_share_orders_nodes_and_skips_a_kind_nobody_offers() -> None:
    """D-virt-8: larger dominant share first, whatever the ids; a kind of total capacity 0
    (here bandwidth) takes no part in the share."""
    hosts = tuple(
        v.PhysicalNode(f"p{i}", "d", "r", R(10, 10, 0), dedicated_address=True, always_on=True)
        for i in range(3)
    )
    substrate = v.Substrate(hosts, (), SMALL_MANAGEMENT)
    nodes = (
        v.VirtualNode("m", MC, R(1, 1, 0)),
        v.VirtualNode("a", EX, R(3, 1, 0)),
        v.VirtualNode("z", EX, R(1, 5, 0)),
    )
    s = v.VirtualSystem("s", "x", (ServiceClass.LOW_COST,), nodes)
    assert [n.id for n in v.placement_order(substrate, s)] == ["m", "z", "a"]


def test_a_demand_equal_to_the_most_free_is_not_the_blocking_kind() -> None:
    """Each kind fits on some host (exactly), but no host has all of it at once (D-virt-9)."""
    hosts = (
        v.PhysicalNode("p0", "d", "r", R(4, 4, 4), dedicated_address=True, always_on=True),
        v.PhysicalNode("p1", "d", "r", R(5, 1, 5)),
        v.PhysicalNode("p2", "d", "r", R(1, 5, 5)),
    )
    substrate = v.Substrate(hosts, (), v.ManagementRequirements(minimum=R(4, 4, 4)))
    nodes = (v.VirtualNode("m", MC, R(1, 1, 1)), v.VirtualNode("e", EX, R(5, 5, 1)))
    s = v.VirtualSystem("s", "x", (ServiceClass.LOW_COST,), nodes)
    with pytest.raises(SpecError) as info:
        v.admit(substrate, v.EMPTY_PLACEMENT, s)
    assert info.value.reason is Reason.INSUFFICIENT_RESOURCES
    assert info.value.detail.endswith("no allowed host has all of it free at once")
    assert "compute=5 millicores, storage=5 MiB, bandwidth=1 kbit/s" in info.value.detail


# Instances on which the first-fit look-ahead takes its full re-matching path with several
# maximum matchings to choose from (found by search over the generator below).
LOOK_AHEAD_SEEDS = (1616, 1745, 2247, 2705, 2824, 3527, 3853, 4307, 4449, 4894, 5598, 5860)


def _instance(seed: int) -> tuple[v.Substrate, v.VirtualSystem]:
    rng = random.Random(seed)

    def amount() -> v.Resources:
        return R(rng.randint(1, 4), rng.randint(1, 4), rng.randint(1, 4))

    count = rng.randint(3, 6)
    hosts = tuple(
        v.PhysicalNode(f"p{i}", "d", "r", amount(), dedicated_address=True, always_on=True)
        for i in range(count)
    )
    substrate = v.Substrate(hosts, (), v.ManagementRequirements(minimum=R(1, 1, 1)))
    size = rng.randint(3, count)
    nodes = [v.VirtualNode("m0", MC, amount())]
    nodes += [v.VirtualNode(f"e{i}", EX, amount()) for i in range(size - 1)]
    return substrate, v.VirtualSystem("s", "a", (ServiceClass.LOW_COST,), tuple(nodes))


def test_the_look_ahead_keeps_the_first_feasible_host_whatever_matching_it_starts_from() -> None:
    """D-virt-8: each node takes the first host after which the rest still fits; the result is
    the backtracking definition's, whichever maximum matching the look-ahead finds first."""
    for seed in LOOK_AHEAD_SEEDS:
        substrate, system = _instance(seed)
        expected = v.embedding_by_search(substrate, v.EMPTY_PLACEMENT, system)
        assert expected is not None
        placement = v.admit(substrate, v.EMPTY_PLACEMENT, system)
        assert placement.hosts_of("s") == expected, seed


@pytest.mark.parametrize(
    ("bad", "finding"),
    [
        (
            v.HostAssignment("z", "m0", "p0"),
            ("UNKNOWN_VIRTUAL_SYSTEM", "z/m0", "system not admitted"),
        ),
        (v.HostAssignment("a", "q", "p0"), ("UNKNOWN_VIRTUAL_NODE", "a/q", "no such node")),
        (
            v.HostAssignment("b", "m0", "p9"),
            ("UNKNOWN_PHYSICAL_NODE", "b/m0", "no physical node 'p9'"),
        ),
        (
            v.HostAssignment("a", "m0", "p5"),
            ("DUPLICATE_ASSIGNMENT", "a/m0", "placed on p0 and on p5"),
        ),
    ],
)
def test_a_bad_assignment_early_on_leaves_the_others_checked(
    bad: v.HostAssignment, finding: tuple[str, str, str]
) -> None:
    """The validator reports the bad assignment and still checks every one after it."""
    substrate, placement = _two_systems()
    first, *others = placement.assignments
    broken = v.Placement(placement.systems, (first, bad, *others))
    found = [(x.kind.value, x.subject, x.detail) for x in v.validate(substrate, broken)]
    assert found == [finding]
