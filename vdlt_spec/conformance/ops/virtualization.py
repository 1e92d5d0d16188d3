"""Conformance operations of virtualization: placement, leases and fault impact (§III-C, §III-D)."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterator
from typing import Any

from vdlt_spec import serial
from vdlt_spec import virtualization as virt
from vdlt_spec.conformance.operations import field, operation
from vdlt_spec.conformance.suite import VectorInput, inputs
from vdlt_spec.cos import ServiceClass
from vdlt_spec.errors import SpecError
from vdlt_spec.roles import NodeRole


def _substrate_and_placement(payload: Any) -> tuple[virt.Substrate, virt.Placement]:
    substrate = field(payload, "substrate", virt.Substrate)
    placement = field(payload, "placement", virt.Placement, virt.EMPTY_PLACEMENT)
    return substrate, placement


@operation(
    "virtualization.admit",
    "§III-C",
    input_schema='{"substrate", "placement"?, "system"}',
    output_schema='{"hosts": {node: host}}',
)
def admit(payload: Any) -> Any:
    """Admit a virtual system beside a placement: where each node goes (§III-C)."""
    substrate, placement = _substrate_and_placement(payload)
    system = field(payload, "system", virt.VirtualSystem)
    after = virt.admit(substrate, placement, system)
    return {"hosts": after.hosts_of(system.id)}


@operation(
    "virtualization.embedding",
    "§III-C",
    input_schema='{"substrate", "placement"?, "system"}',
    output_schema='{"hosts": {node: host} or null}',
)
def embedding(payload: Any) -> Any:
    """Return the embedding admission must choose, by the readable backtracking search (§III-C).

    The first embedding trying the linked parts of the substrate in order, the nodes in
    placement order and each node's hosts in host order with its demand free; null when
    there is none. Where it is not null, ``virtualization.admit`` of a new system answers
    these very hosts.
    """
    substrate, placement = _substrate_and_placement(payload)
    system = field(payload, "system", virt.VirtualSystem)
    return {"hosts": virt.embedding_by_search(substrate, placement, system)}


@operation(
    "virtualization.release",
    "§III-C",
    input_schema='{"substrate", "placement", "system": id}',
    output_schema='{"placement": Placement}',
)
def release(payload: Any) -> Any:
    """Release one admitted system; every other one keeps its place (§III-C)."""
    substrate, placement = _substrate_and_placement(payload)
    system_id = field(payload, "system", str)
    return {"placement": serial.encode(virt.release(substrate, placement, system_id))}


@operation(
    "virtualization.validate",
    "§III-C",
    input_schema='{"substrate", "placement"}',
    output_schema='{"violations": [{"kind", "subject"}]}',
)
def validate(payload: Any) -> Any:
    """List the violations of a placement (kind and subject), in order (§III-C)."""
    substrate, placement = _substrate_and_placement(payload)
    found = virt.validate(substrate, placement)
    return {"violations": [{"kind": x.kind.value, "subject": x.subject} for x in found]}


@operation(
    "virtualization.leases",
    "§III-C",
    input_schema='{"substrate", "placement"}',
    output_schema='{"leases": [...]}',
)
def leases(payload: Any) -> Any:
    """Return the lease of every (vDSP, DInP) pair of a placement (Fig. 5)."""
    substrate, placement = _substrate_and_placement(payload)
    return {"leases": virt.leases(substrate, placement)}


@operation(
    "virtualization.faults",
    "§III-D",
    input_schema='{"substrate", "placement", "failed": [host]}',
    output_schema=(
        '{"groups": [{system, role, size, lost, quorum, keeps_quorum}],'
        ' "worst_single_failure": int}'
    ),
)
def faults(payload: Any) -> Any:
    """Return the replicas each group loses to failed hosts, and if it keeps quorum (§III-D).

    ``worst_single_failure`` is the most replicas one system loses when any one physical
    node fails, both groups together (at most 1 under anti-affinity, D-virt-3).
    """
    substrate, placement = _substrate_and_placement(payload)
    failed = field(payload, "failed", tuple[str, ...])
    return {
        "groups": virt.fault_impact(substrate, placement, failed),
        "worst_single_failure": virt.worst_single_failure(substrate, placement),
    }


# --- vector inputs ----------------------------------------------------------------------------

R = virt.Resources
MC, EX = NodeRole.MANAGEMENT_CONTROL, NodeRole.EXECUTION
REQUIREMENTS = virt.ManagementRequirements(minimum=R(4000, 100 * 1024, 10_000))


def _host(i: int) -> virt.PhysicalNode:
    big = i % 2 == 0
    capacity = R(8000, 200 * 1024, 20_000) if big else R(4000, 50 * 1024, 5000)
    region = "eu" if i < 4 else "us"
    return virt.PhysicalNode(f"p{i}", f"dinp{(i // 2) % 2}", region, capacity, big, big)


SUBSTRATE = virt.Substrate(tuple(_host(i) for i in range(8)), (), REQUIREMENTS)


def _system(name: str, managers: int, executors: int, demand: virt.Resources) -> Any:
    nodes = [virt.VirtualNode(f"m{i}", MC, demand) for i in range(managers)]
    nodes += [virt.VirtualNode(f"e{i}", EX, demand) for i in range(executors)]
    classes = (ServiceClass.FAST_CONFIRMATION, ServiceClass.LOW_COST)
    return virt.VirtualSystem(name, f"vdsp-{name}", classes, tuple(nodes))


SMALL = R(1000, 10 * 1024, 1000)
FIRST = _system("a", 4, 3, SMALL)
SECOND = _system("b", 2, 3, R(2000, 20 * 1024, 2000))


def _encode(**parts: Any) -> dict[str, Any]:
    encoded: dict[str, Any] = serial.encode(parts)
    return encoded


def _random_system(rng: random.Random, name: str) -> virt.VirtualSystem:
    def demand() -> virt.Resources:
        return R(
            rng.randrange(0, 4001, 250),
            rng.randrange(0, 60 * 1024, 1024),
            rng.randrange(0, 6001, 500),
        )

    nodes = [virt.VirtualNode(f"m{i}", MC, demand()) for i in range(rng.randint(1, 2))]
    nodes += [virt.VirtualNode(f"e{i}", EX, demand()) for i in range(rng.randint(1, 3))]
    classes = tuple(sorted(rng.sample(list(ServiceClass), rng.randint(1, 3))))
    return virt.VirtualSystem(name, f"vdsp{rng.randrange(3)}", classes, tuple(nodes))


@inputs("virtualization")
def _virtualization_inputs() -> Iterator[VectorInput]:
    yield from _placement_inputs()
    yield from _embedding_inputs()


def _placement_inputs() -> Iterator[VectorInput]:
    op = "virtualization.admit"
    yield VectorInput("admit-first", op, _encode(substrate=SUBSTRATE, system=FIRST))
    one = virt.admit(SUBSTRATE, virt.EMPTY_PLACEMENT, FIRST)
    yield VectorInput(
        "admit-beside", op, _encode(substrate=SUBSTRATE, placement=one, system=SECOND)
    )
    rejected = {
        "insufficient": _system("c", 1, 1, R(9000, 1, 1)),
        "no-management-host": _system("c", 5, 1, SMALL),
        "anti-affinity": _system("c", 2, 7, SMALL),
        "duplicate": FIRST,
    }
    for name, system in rejected.items():
        yield VectorInput(
            f"admit-reject-{name}",
            op,
            _encode(substrate=SUBSTRATE, placement=one, system=system),
            "rejected input",
        )
    split = dataclasses.replace(
        SUBSTRATE,
        links=tuple(virt.Link(f"p{i}", f"p{i + 1}") for i in (0, 1, 2, 4, 5, 6)),
    )
    yield VectorInput(
        "admit-reject-disconnected",
        op,
        _encode(substrate=split, system=_system("c", 1, 4, SMALL)),
        "rejected input",
    )
    yield VectorInput(
        "admit-in-a-linked-part", op, _encode(substrate=split, system=_system("c", 1, 3, SMALL))
    )
    broken = dataclasses.replace(one, assignments=one.assignments[1:])
    yield VectorInput(
        "admit-reject-invalid-placement",
        op,
        _encode(substrate=SUBSTRATE, placement=broken, system=SECOND),
        "rejected input",
    )
    bad_system = serial.encode(FIRST)
    bad_system["nodes"][0]["demand"]["compute"] = -1
    yield VectorInput(
        "admit-reject-negative",
        op,
        {"substrate": serial.encode(SUBSTRATE), "system": bad_system},
        "rejected input",
    )
    no_execution = serial.encode(FIRST)
    no_execution["nodes"] = no_execution["nodes"][:3]
    yield VectorInput(
        "admit-reject-empty-group",
        op,
        {"substrate": serial.encode(SUBSTRATE), "system": no_execution},
        "rejected input",
    )
    yield VectorInput(
        "admit-reject-missing-system", op, {"substrate": serial.encode(SUBSTRATE)}, "rejected"
    )
    rng = random.Random(20240501)
    placement = virt.EMPTY_PLACEMENT
    for index in range(12):
        system = _random_system(rng, f"r{index}")
        yield VectorInput(
            f"admit-random-{index:02d}",
            op,
            _encode(substrate=SUBSTRATE, placement=placement, system=system),
            "seeded campaign",
        )
        try:
            placement = virt.admit(SUBSTRATE, placement, system)
        except SpecError:  # a rejected system is just not added
            continue

    two = virt.admit(SUBSTRATE, one, SECOND)
    op = "virtualization.validate"
    yield VectorInput("validate-valid", op, _encode(substrate=SUBSTRATE, placement=two))
    a_hosts = two.hosts_of("a")
    spare = next(n.id for n in SUBSTRATE.nodes if n.id not in a_hosts.values())

    def moved(node: str, to: str) -> virt.Placement:
        return dataclasses.replace(
            two,
            assignments=tuple(
                dataclasses.replace(x, host=to) if (x.system, x.node) == ("a", node) else x
                for x in two.assignments
            ),
        )

    heavy = dataclasses.replace(
        SECOND, nodes=tuple(dataclasses.replace(n, demand=R(8000, 1, 1)) for n in SECOND.nodes)
    )
    injected = {
        "anti-affinity": moved("e0", a_hosts["e1"]),
        "management-host": moved("m0", spare),
        "unknown-host": moved("e0", "p99"),
        "unplaced": dataclasses.replace(two, assignments=two.assignments[2:]),
        "duplicate": dataclasses.replace(two, assignments=(*two.assignments, two.assignments[0])),
        "capacity": dataclasses.replace(two, systems=(FIRST, heavy)),
    }
    for name, bad in injected.items():
        yield VectorInput(f"validate-{name}", op, _encode(substrate=SUBSTRATE, placement=bad))
    yield VectorInput(
        "validate-disconnected",
        "virtualization.validate",
        _encode(substrate=split, placement=two),
    )

    yield VectorInput(
        "leases", "virtualization.leases", _encode(substrate=SUBSTRATE, placement=two)
    )
    op = "virtualization.faults"
    for name, failed in {
        "one": [a_hosts["m0"]],
        "three": [a_hosts["m0"], a_hosts["m1"], a_hosts["e0"]],
        "none": [],
    }.items():
        yield VectorInput(
            f"faults-{name}", op, _encode(substrate=SUBSTRATE, placement=two, failed=failed)
        )
    lone = virt.admit(SUBSTRATE, one, _system("c", 1, 1, SMALL))
    yield VectorInput(
        "faults-groups-of-one",
        op,
        _encode(substrate=SUBSTRATE, placement=lone, failed=[lone.hosts_of("c")["m0"]]),
        "a group of one member has quorum 1 and loses it with its host",
    )
    yield VectorInput(
        "faults-empty-placement",
        op,
        _encode(substrate=SUBSTRATE, placement=virt.EMPTY_PLACEMENT, failed=["p0"]),
        "nothing admitted: no group, and no single failure costs a replica",
    )
    op = "virtualization.release"
    for name, system_id in (("first", "a"), ("last", "b")):
        yield VectorInput(
            f"release-{name}",
            op,
            _encode(substrate=SUBSTRATE, placement=two, system=system_id),
            "the other system and its nodes stay where they are",
        )
    yield VectorInput(
        "release-only",
        op,
        _encode(substrate=SUBSTRATE, placement=one, system="a"),
        "releasing the only system leaves the substrate empty",
    )
    yield VectorInput(
        "release-unknown",
        op,
        _encode(substrate=SUBSTRATE, placement=two, system="z"),
        "rejected input: no admitted system z",
    )
    yield VectorInput(
        "release-invalid-placement",
        op,
        _encode(substrate=SUBSTRATE, placement=injected["anti-affinity"], system="b"),
        "rejected input: the placement breaks anti-affinity",
    )
    op = "virtualization.faults"
    yield VectorInput(
        "faults-unknown",
        op,
        _encode(substrate=SUBSTRATE, placement=two, failed=["p99"]),
        "rejected input",
    )
    yield from _boundary_inputs()


def _embedding_inputs() -> Iterator[VectorInput]:
    """Yield the readable search's answer for each admission of a new system (§III-C)."""
    for vector in _placement_inputs():
        if vector.op == "virtualization.admit" and vector.id != "admit-reject-duplicate":
            yield VectorInput(
                vector.id.replace("admit-", "embedding-", 1),
                "virtualization.embedding",
                vector.input,
                vector.comment,
            )


def _default_requirement_inputs() -> Iterator[VectorInput]:
    """Yield admissions at the edges of the default management/control requirements (§IV-B)."""
    floor = virt.MANAGEMENT_MINIMUM
    f = (floor.compute, floor.storage, floor.bandwidth)
    cases: dict[str, tuple[virt.Resources, bool, bool, str]] = {
        "reject-default-requirements": (
            R(f[0], f[1] - 1, f[2]),
            True,
            True,
            "rejected input: one MiB short of the default management storage (4 TiB)",
        ),
        "default-requirements-exact": (
            R(*f),
            True,
            True,
            "a host with exactly 8 cores, 4 TiB and 25 Mbit/s, a dedicated address, always on",
        ),
        "reject-default-compute": (
            R(f[0] - 1, f[1], f[2]),
            True,
            True,
            "rejected input: one millicore short of the default 8 cores",
        ),
        "reject-default-bandwidth": (
            R(f[0], f[1], f[2] - 1),
            True,
            True,
            "rejected input: one kbit/s short of the default 25 Mbit/s",
        ),
        "reject-default-address": (
            R(*f),
            False,
            True,
            "rejected input: by default a management host needs a dedicated address",
        ),
        "reject-default-always-on": (
            R(*f),
            True,
            False,
            "rejected input: by default a management host runs 24/7",
        ),
    }
    for name, (capacity, dedicated, always_on, comment) in cases.items():
        hosts = (
            virt.PhysicalNode("q0", "dinp0", "eu", capacity, dedicated, always_on),
            virt.PhysicalNode("q1", "dinp0", "eu", R(8000, 200 * 1024, 20_000), False, False),
        )
        defaults = serial.encode(virt.Substrate(hosts, ()))
        del defaults["management"]
        yield VectorInput(
            f"admit-{name}",
            "virtualization.admit",
            {"substrate": defaults, "system": serial.encode(_system("c", 1, 1, SMALL))},
            comment,
        )


def _rematch_inputs() -> Iterator[VectorInput]:
    """Yield admissions where taking a host displaces a node that must move along a path.

    Every host qualifies; the nodes differ only in compute. The first fit of the first node is
    held by another node of the matching, which has no free host to move to: admission keeps
    that host only if the nodes after it still fit without it (D-virt-8).
    """
    anyone = virt.ManagementRequirements(R(1, 1, 1), dedicated_address=False, always_on=False)
    for name, hosts, demands in (
        ("a", (3000, 2000, 3000, 1000), (1000, 1000, 3000, 2000)),
        ("b", (4000, 3000, 4000, 3000, 1000), (3000, 2000, 1000, 4000, 1000)),
    ):
        substrate = virt.Substrate(
            tuple(
                virt.PhysicalNode(f"h{i}", "dinp0", "eu", R(c, 1024, 1000))
                for i, c in enumerate(hosts)
            ),
            (),
            anyone,
        )
        nodes = [
            virt.VirtualNode(f"n{i}", EX if i else MC, R(c, 1, 1)) for i, c in enumerate(demands)
        ]
        system = virt.VirtualSystem("s", "vdsp-s", (ServiceClass.LOW_COST,), tuple(nodes))
        yield VectorInput(
            f"admit-rematch-{name}",
            "virtualization.admit",
            _encode(substrate=substrate, system=system),
            f"hosts of compute {hosts}, nodes demanding {demands}: the first fit by rematching",
        )


def _boundary_inputs() -> Iterator[VectorInput]:
    """Yield admissions at the edges of the rules: exact fits, lone misfits, malformed parts."""
    op = "virtualization.admit"
    yield VectorInput(
        "admit-bandwidth-exact",
        op,
        _encode(substrate=SUBSTRATE, system=_system("c", 1, 1, R(1000, 1024, 20_000))),
        "a demand equal to a host's whole bandwidth fits",
    )
    yield VectorInput(
        "admit-reject-bandwidth",
        op,
        _encode(substrate=SUBSTRATE, system=_system("c", 1, 1, R(1000, 1024, 30_000))),
        "rejected input: only the bandwidth exceeds every host",
    )
    unqualified = virt.Substrate(
        SUBSTRATE.nodes, (), virt.ManagementRequirements(minimum=R(9000, 1, 1))
    )
    yield VectorInput(
        "admit-reject-no-qualified-host",
        op,
        _encode(substrate=unqualified, system=FIRST),
        "rejected input: no physical node meets the management/control requirements",
    )
    lone = _system("c", 2, 2, SMALL)
    last = dataclasses.replace(lone.nodes[-1], demand=R(9000, 1, 1))
    yield VectorInput(
        "admit-reject-execution-too-big",
        op,
        _encode(
            substrate=SUBSTRATE, system=dataclasses.replace(lone, nodes=(*lone.nodes[:-1], last))
        ),
        "rejected input: every node fits but the last execution node",
    )
    yield from _default_requirement_inputs()
    yield from _rematch_inputs()
    self_link = serial.encode(SUBSTRATE)
    self_link["links"] = [{"a": "p0", "b": "p0"}]
    yield VectorInput(
        "admit-reject-self-link",
        op,
        {"substrate": self_link, "system": serial.encode(FIRST)},
        "rejected input",
    )
    twins = serial.encode(FIRST)
    twins["nodes"][1]["id"] = twins["nodes"][0]["id"]
    yield VectorInput(
        "admit-reject-duplicate-node",
        op,
        {"substrate": serial.encode(SUBSTRATE), "system": twins},
        "rejected input",
    )
    rng = random.Random(181)
    placement = virt.EMPTY_PLACEMENT
    for index in range(4):
        try:
            placement = virt.admit(SUBSTRATE, placement, _random_system(rng, f"r{index}"))
        except SpecError:
            continue
    yield VectorInput(
        "admit-displaced-node",
        op,
        _encode(substrate=SUBSTRATE, placement=placement, system=_random_system(rng, "r4")),
        "a host taken from the matching whose displaced node has no free host to move to",
    )
