"""Hypothesis strategies for vDLT data, importable by users' own property tests.

Each component adds its strategies in its own section below.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st

from vdlt_spec.cos import (
    RESERVED_MASK,
    ReclassificationPolicy,
    RestrictedClass,
    ServiceClass,
    Transaction,
    cos_byte,
)
from vdlt_spec.queuing import CbwfqConfig, ClassPolicy, DefaultPolicy
from vdlt_spec.roles import NodeRole

# --- class of service and queuing -------------------------------------------------------------

cos_bytes = st.integers(min_value=0, max_value=0xFF)
service_classes = st.sampled_from(ServiceClass)
reserved_values = st.integers(min_value=0, max_value=RESERVED_MASK)
roles = st.sampled_from(NodeRole)
role_sets = st.frozensets(roles)
banned_flags = st.booleans()
"""A sender's standing: banned by the penalty mechanism (§IV-J) or not."""
trusts = st.fractions(min_value=0, max_value=1, max_denominator=100)
"""Sender trust: an exact probability of being honest in [0, 1]."""


def exact_times(max_value: int = 50, max_denominator: int = 4) -> st.SearchStrategy[Fraction]:
    """Draw exact non-negative times with small denominators (ties are likely)."""
    return st.fractions(min_value=0, max_value=max_value, max_denominator=max_denominator)


@st.composite
def reclassification_policies(draw: st.DrawFn) -> ReclassificationPolicy:
    """Draw a valid reclassification policy (§III-A)."""
    restricted = draw(st.lists(service_classes, unique=True, max_size=3))
    return ReclassificationPolicy(
        min_trust=draw(trusts),
        low_trust_class=draw(service_classes),
        banned_class=draw(service_classes),
        unauthorised_class=draw(service_classes),
        restricted=tuple(RestrictedClass(c, draw(roles)) for c in restricted),
        demotion_floor=tuple(draw(st.lists(service_classes, unique=True, max_size=3))),
    )


@st.composite
def transactions(
    draw: st.DrawFn,
    tx_id: int | None = None,
    classes: st.SearchStrategy[ServiceClass] = service_classes,
    max_size: int = 5,
    times: st.SearchStrategy[Fraction] | None = None,
) -> Transaction:
    """Draw one valid transaction (§III-A): any reserved bits, exact arrival time."""
    return Transaction(
        id=draw(st.integers(min_value=0, max_value=10**6)) if tx_id is None else tx_id,
        sender=draw(st.sampled_from(("alice", "bob", "carol", "mallory"))),
        cos=cos_byte(draw(classes), draw(reserved_values)),
        size=draw(st.integers(min_value=1, max_value=max_size)),
        arrival=draw(times if times is not None else exact_times()),
    )


@st.composite
def workloads(
    draw: st.DrawFn,
    max_count: int = 30,
    classes: st.SearchStrategy[ServiceClass] = service_classes,
    max_size: int = 5,
    times: st.SearchStrategy[Fraction] | None = None,
) -> tuple[Transaction, ...]:
    """Draw a workload: transactions with unique ids 0..n-1, in no particular order (§IV-A)."""
    count = draw(st.integers(min_value=0, max_value=max_count))
    return tuple(
        draw(transactions(tx_id=i, classes=classes, max_size=max_size, times=times))
        for i in range(count)
    )


@st.composite
def cbwfq_configs(draw: st.DrawFn, max_limit: int = 6, min_classes: int = 0) -> CbwfqConfig:
    """Draw a valid CBWFQ configuration: some classes listed, shares that fit (§IV-A)."""
    listed = draw(st.lists(service_classes, unique=True, min_size=min_classes, max_size=8))
    weights = [draw(st.integers(min_value=1, max_value=20)) for _ in listed]
    default_weight = draw(st.integers(min_value=1, max_value=20))
    spare = draw(st.integers(min_value=0, max_value=20))
    total = sum(weights) + default_weight + spare
    limits = st.integers(min_value=1, max_value=max_limit)
    return CbwfqConfig(
        rate=draw(st.fractions(min_value=Fraction(1, 3), max_value=4, max_denominator=3)),
        classes=tuple(
            ClassPolicy(c, Fraction(w, total), draw(limits))
            for c, w in zip(listed, weights, strict=True)
        ),
        class_default=DefaultPolicy(
            share=draw(st.none() | st.just(Fraction(default_weight, total))),
            limit=draw(limits),
        ),
    )


# --- crypto and consensus ---------------------------------------------------------------------

from vdlt_spec.crypto.secp256k1 import N as _GROUP_ORDER  # noqa: E402  (section-local import)

scalars = st.integers(min_value=1, max_value=_GROUP_ORDER - 1) | st.sampled_from(
    [1, 2, _GROUP_ORDER - 1, _GROUP_ORDER - 2]
)
"""Nonzero scalars of secp256k1 (valid secret keys), with the edges over-represented."""

secret_keys = scalars.map(lambda k: k.to_bytes(32, "big"))
"""32-byte BIP340/BIP327 secret keys."""

signed_messages = st.binary(max_size=80)
"""Messages of any length, as BIP340 allows (the empty message included)."""

compressed_encodings = st.builds(
    lambda prefix, x: bytes([prefix]) + x,
    st.sampled_from([0x02, 0x03]),
    st.binary(min_size=32, max_size=32),
)
"""33-byte strings shaped like compressed points; about half are not on the curve."""


@st.composite
def signer_sets(draw: st.DrawFn, max_n: int = 64) -> tuple[int, tuple[int, ...]]:
    """Draw a roster size n and a non-empty set of signer indices in [0, n), ascending."""
    n = draw(st.integers(min_value=1, max_value=max_n))
    chosen = draw(st.sets(st.integers(min_value=0, max_value=n - 1), min_size=1))
    return n, tuple(sorted(chosen))


# consensus (§III-D, §IV-D): groups, faults and scenarios for the simulator

from vdlt_spec import consensus as _consensus  # noqa: E402  (section-local import)
from vdlt_spec.crypto import max_faulty  # noqa: E402


@st.composite
def consensus_scenarios(
    draw: st.DrawFn,
    *,
    sizes: tuple[int, ...] = (4, 5, 7),
    extra_byzantine: int = 0,
    requests: int = 8,
    behaviours: tuple[_consensus.Behaviour, ...] = tuple(_consensus.Behaviour),
) -> _consensus.Scenario:
    """Draw a simulator scenario: group, mode, seed, network, healing faults, Byzantine set.

    At most f = max_faulty(n) replicas are Byzantine, or exactly f + ``extra_byzantine`` if
    that is positive (use 1 to search beyond the fault bound), each with one of
    ``behaviours``. Partitions, crashes and message loss always heal, so liveness can be judged
    at the end.
    """
    n = draw(st.sampled_from(sizes))
    f = max_faulty(n)
    mode = draw(st.sampled_from(list(_consensus.Mode)))
    count = f + extra_byzantine if extra_byzantine else draw(st.integers(0, f))
    members = draw(st.permutations(range(n)))
    chosen = draw(st.lists(st.sampled_from(behaviours), min_size=count, max_size=count))
    byzantine = dict(zip(members[:count], chosen, strict=True))
    heal = draw(st.integers(0, 1500))
    partitions: tuple[_consensus.Partition, ...] = ()
    if draw(st.booleans()):
        cut = draw(st.integers(1, n - 1))
        start = draw(st.integers(0, heal))
        partitions = (_consensus.Partition(start, heal, (tuple(members[-cut:]),)),)
    crashes: tuple[_consensus.Crash, ...] = ()
    if draw(st.booleans()):
        victim = draw(st.integers(0, n - 1))
        start = draw(st.integers(0, 800))
        crashes = (_consensus.Crash(victim, start, max(heal, start + 1)),)
    network = _consensus.NetworkParams(
        1,
        draw(st.sampled_from([5, 10, 30])),
        Fraction(draw(st.integers(0, 2)), 20),
        Fraction(draw(st.integers(0, 1)), 10),
        loss_until=heal,  # loss heals with the partitions: liveness is judged after (D-cons-13)
    )
    return _consensus.Scenario(
        _consensus.ConsensusConfig(n, mode=mode),
        seed=draw(st.integers(0, 2**32)),
        network=network,
        faults=_consensus.FaultPlan(partitions, crashes),
        byzantine=byzantine,
        requests=requests,
        request_interval=20,
        max_time=60_000,
    )


# --- governance and economics -----------------------------------------------------------------

from fractions import Fraction as _Fraction  # noqa: E402  (section-local imports)

from vdlt_spec.governance.amendment import Poll as _Poll  # noqa: E402
from vdlt_spec.governance.amendment import PollGroup as _PollGroup  # noqa: E402
from vdlt_spec.governance.dpos import NodeSpec as _NodeSpec  # noqa: E402
from vdlt_spec.governance.parameters import Parameters as _Parameters  # noqa: E402

token_amounts = st.integers(min_value=0, max_value=10**15)
"""Token amounts in base units (0 to the genesis supply, 10^15 base units)."""

lock_multipliers = st.integers(min_value=1, max_value=8)
"""Valid lock multipliers k (k² periods, §IV-C) up to the default cap of 8."""

declared_pays = st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=25)
"""Non-empty lists of pays declared by contributors, in base units (§IV-I)."""

inflation_rates = st.fractions(min_value=_Fraction(-1, 10), max_value=_Fraction(1, 5))
"""Voted inflation rates, including ones outside [0, 4 %] that the rules must clamp (§IV-I)."""

node_specs = st.builds(
    _NodeSpec,
    dedicated_ip=st.booleans(),
    uptime_bp=st.integers(min_value=9_000, max_value=10_000),
    bandwidth_mbps=st.integers(min_value=100, max_value=10_000),
    cpu_cores=st.integers(min_value=1, max_value=64),
    memory_gib=st.integers(min_value=4, max_value=256),
    storage_gib=st.integers(min_value=100, max_value=8_000),
)
"""Declared node specs, some meeting the §IV-B requirements and some not."""

polls = st.builds(
    _Poll,
    group=st.sampled_from(_PollGroup),
    yes=st.integers(min_value=0, max_value=1_000),
    no=st.integers(min_value=0, max_value=1_000),
)
"""Poll results of one group (§IV-K multi-factorial consensus)."""

short_governance_parameters = st.builds(
    _Parameters.experimental,
    genesis_supply=st.integers(min_value=10**6, max_value=10**12),
    epochs_per_year=st.integers(min_value=4, max_value=365),
    poll_period_epochs=st.integers(min_value=1, max_value=3),
    vote_period_epochs=st.integers(min_value=1, max_value=3),
    test_period_epochs=st.integers(min_value=1, max_value=3),
    delegate_count=st.integers(min_value=4, max_value=21),
    min_collateral=st.integers(min_value=1, max_value=10**4),
    inflation_rate=inflation_rates,
)
"""Valid experimental parameters (any supply) with short amendment stages, for property tests."""


# --- allocation -------------------------------------------------------------------------------


from vdlt_spec.allocation import instance as _alloc  # noqa: E402


@st.composite
def allocation_instances(
    draw: st.DrawFn, max_transactions: int = 3, max_nodes: int = 4
) -> _alloc.Instance:
    """Draw a small, valid allocation instance of Eq. (1) (§IV-E), small enough to enumerate."""
    n_nodes = draw(st.integers(2, max_nodes))
    n_levels = draw(st.integers(1, 2))
    regions = ("a", "b")
    trusts = st.sampled_from([Fraction(1), Fraction(9, 10), Fraction(3, 4), Fraction(1, 2)])
    nodes = tuple(
        _alloc.Node(
            id=f"n{j}",
            role=draw(st.sampled_from([NodeRole.EXECUTION] * 3 + [NodeRole.MANAGEMENT_CONTROL])),
            cpu_ghz=Fraction(draw(st.integers(1, 8))),
            trust=draw(trusts),
            compute_price=Fraction(draw(st.integers(0, 3))),
            storage_price=Fraction(draw(st.integers(0, 2))),
            storage_gb=Fraction(draw(st.integers(0, 10))),
            bandwidth_mbps=Fraction(draw(st.integers(1, 50))),
            private=draw(st.booleans()),
            region=draw(st.sampled_from(regions)),
        )
        for j in range(n_nodes)
    )
    max_replicas = draw(st.integers(1, min(4, n_nodes)))
    txs = tuple(
        _alloc.TransactionStream(
            id=f"t{i}",
            service_class=draw(service_classes),
            compute_mcycles=Fraction(draw(st.integers(1, 100))),
            size_kb=Fraction(draw(st.integers(0, 50))),
            ordering_mcycles=Fraction(draw(st.integers(1, 20))),
            latency_ms=Fraction(draw(st.integers(20, 400))),
            throughput_tps=Fraction(draw(st.integers(1, 20))),
            budget=Fraction(draw(st.integers(0, 60))),
            value=Fraction(draw(st.integers(0, 60))),
            origin=draw(st.sampled_from(regions)),
            storage_gb=Fraction(draw(st.integers(0, 5))),
            private=draw(st.booleans()),
            high_security=draw(st.booleans()),
            min_replicas=draw(st.integers(1, max_replicas)),
            mandatory=draw(st.integers(0, 5)) == 0,
        )
        for i in range(draw(st.integers(1, max_transactions)))
    )
    levels = sorted(draw(st.sets(st.sampled_from([1, 2, 4]), min_size=n_levels, max_size=n_levels)))
    controls = sorted(
        draw(
            st.sets(
                st.sampled_from([Fraction(1, 2), Fraction(1), Fraction(2)]), min_size=1, max_size=2
            )
        )
    )
    return _alloc.validate_instance(
        _alloc.Instance(
            name="hypothesis",
            utility=draw(st.sampled_from(_alloc.Utility)),
            rate_levels_ghz=tuple(Fraction(v) for v in levels),
            control_levels_ghz=tuple(controls),
            control_capacity_ghz=Fraction(draw(st.integers(1, 6))),
            control_price=Fraction(draw(st.integers(0, 2))),
            consensus_base_ms=Fraction(draw(st.integers(0, 20))),
            consensus_per_replica_ms=Fraction(draw(st.integers(0, 10))),
            consensus_per_fault_ms=Fraction(draw(st.integers(0, 20))),
            inter_region_ms=Fraction(draw(st.integers(0, 30))),
            max_replicas=max_replicas,
            decentralization_nodes=draw(st.integers(1, 3)),
            decentralization_share=draw(
                st.sampled_from([Fraction(1, 3), Fraction(1, 2), Fraction(2, 3)])
            ),
            nodes=nodes,
            transactions=txs,
        )
    )


# --- virtualization and hierarchy -------------------------------------------------------------
# Small amounts keep examples readable; ``SMALL_MANAGEMENT`` makes some hosts qualify.

from vdlt_spec import hierarchy as _hierarchy  # noqa: E402
from vdlt_spec import virtualization as _virt  # noqa: E402
from vdlt_spec.roles import NodeRole as _NodeRole  # noqa: E402

SMALL_MANAGEMENT = _virt.ManagementRequirements(minimum=_virt.Resources(4, 4, 4))


def resources(max_amount: int = 10) -> st.SearchStrategy[_virt.Resources]:
    """Draw amounts of compute, storage and bandwidth in 0..max_amount (§III-C)."""
    amount = st.integers(min_value=0, max_value=max_amount)
    return st.builds(_virt.Resources, amount, amount, amount)


@st.composite
def substrates(
    draw: st.DrawFn,
    min_nodes: int = 1,
    max_nodes: int = 8,
    max_amount: int = 10,
    with_links: bool = False,
) -> _virt.Substrate:
    """Draw a substrate: nodes of 1..3 DInPs in 1..3 regions, about half qualified (§IV-B)."""
    count = draw(st.integers(min_value=min_nodes, max_value=max_nodes))
    floor = SMALL_MANAGEMENT.minimum
    nodes = []
    for i in range(count):
        qualified = draw(st.booleans())
        if qualified:
            capacity = _virt.Resources(
                *(
                    draw(st.integers(min_value=floor.amount(k), max_value=max_amount))
                    for k in _virt.RESOURCE_KINDS
                )
            )
            flags = (True, True)
        else:
            capacity = draw(resources(max_amount))
            flags = (draw(st.booleans()), draw(st.booleans()))
        nodes.append(
            _virt.PhysicalNode(
                f"p{i}",
                f"dinp{draw(st.integers(0, 2))}",
                f"r{draw(st.integers(0, 2))}",
                capacity,
                dedicated_address=flags[0],
                always_on=flags[1],
            )
        )
    links: tuple[_virt.Link, ...] = ()
    if with_links and count > 1:
        pairs = [(f"p{i}", f"p{j}") for i in range(count) for j in range(i + 1, count)]
        links = tuple(
            _virt.Link(a, b) for a, b in draw(st.lists(st.sampled_from(pairs), unique=True))
        )
    return _virt.Substrate(tuple(nodes), links, SMALL_MANAGEMENT)


@st.composite
def virtual_systems(
    draw: st.DrawFn, system_id: str = "s", max_group: int = 3, max_demand: int = 5
) -> _virt.VirtualSystem:
    """Draw a virtual system with 1..max_group nodes in each role (§III-C, Fig. 8)."""
    nodes = []
    for role, prefix in ((_NodeRole.MANAGEMENT_CONTROL, "m"), (_NodeRole.EXECUTION, "e")):
        for i in range(draw(st.integers(min_value=1, max_value=max_group))):
            nodes.append(_virt.VirtualNode(f"{prefix}{i}", role, draw(resources(max_demand))))
    classes = draw(st.lists(service_classes, min_size=1, max_size=3, unique=True))
    vdsp = f"vdsp{draw(st.integers(0, 2))}"
    return _virt.VirtualSystem(system_id, vdsp, tuple(classes), tuple(nodes))


@st.composite
def hierarchies(draw: st.DrawFn, max_nodes: int = 30, max_regions: int = 4) -> _hierarchy.Hierarchy:
    """Draw a two-layer hierarchy built from execution nodes in a few regions (§IV-H)."""
    count = draw(st.integers(min_value=1, max_value=max_nodes))
    regions = draw(st.integers(min_value=1, max_value=max_regions))
    nodes = [
        _hierarchy.ExecutionNode(f"x{i}", f"r{draw(st.integers(0, regions - 1))}")
        for i in range(count)
    ]
    size = draw(st.integers(min_value=1, max_value=_hierarchy.DEFAULT_GROUP_SIZE + 2))
    return _hierarchy.build(nodes, size)
