"""Generate seeded, realistic allocation instances of Eq. (1) (§IV-A, §IV-E, §IV-G; D-alloc-8).

Node ranges follow the anchor paper of the same group, Liu, Yu et al., "Performance
Optimization for Blockchain-Enabled IIoT Systems: A DRL Approach", IEEE TII 2019: CPUs of
10-30 GHz, links of 10-100 Mbps, PBFT time linear in the group size K and its fault bound f.
Transaction profiles per class of service (Table II) are our choice, documented in
docs/allocation.md and D-alloc-8; they are set so that a meaningful share of the
transactions fits in the optimum (the measured share is in docs/benchmarks.md).

Every number is drawn on a grid (integers, trust in hundredths, control levels in halves) so
that the MILP's floating-point tolerances never decide a constraint that exact arithmetic
would decide differently (D-alloc-10). Pure: randomness is an explicit ``random.Random(seed)``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from fractions import Fraction

from vdlt_spec.allocation import quantities as q
from vdlt_spec.allocation.instance import (
    MAX_REPLICAS,
    MIN_REPLICAS,
    Instance,
    Node,
    TransactionStream,
    Utility,
    validate_instance,
)
from vdlt_spec.cos import CLASS_RANKING, ServiceClass
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.roles import NodeRole

PERCENT = 100
#: Transactions drawn between two calls of :func:`generate`'s ``on_progress``.
PROGRESS_STEP = 10_000
#: Replicas of a high-security transaction: f = 2 tolerated faults (§IV-G).
HIGH_SECURITY_REPLICAS = 7


@dataclass(frozen=True)
class Span:
    """Draw integers uniformly from lo..hi and divide them by ``scale`` (D-alloc-8)."""

    lo: int
    hi: int
    scale: int = 1

    def draw(self, rng: random.Random) -> Fraction:
        """Return one value drawn from the span."""
        return Fraction(rng.randint(self.lo, self.hi), self.scale)


@dataclass(frozen=True)
class ClassProfile:
    """State the demands typical of one class of service (§IV-A, Table II; D-alloc-8)."""

    weight: int
    compute_mcycles: Span
    size_kb: Span
    ordering_mcycles: Span
    latency_ms: Span
    throughput_tps: Span
    storage_gb: Span
    budget_percent: Span
    value_percent: Span
    private: bool = False
    high_security: bool = False
    min_replicas: int = MIN_REPLICAS
    mandatory: bool = False


_BASE = ClassProfile(
    weight=0,
    compute_mcycles=Span(20, 200),
    size_kb=Span(1, 20),
    ordering_mcycles=Span(2, 10),
    latency_ms=Span(400, 1500),
    throughput_tps=Span(1, 20),
    storage_gb=Span(0, 0),
    budget_percent=Span(150, 400),
    value_percent=Span(100, 200),
)

#: Class mix (weights in percent) and per-class demands; the tuning is recorded in D-alloc-8.
PROFILES: dict[ServiceClass, ClassProfile] = {
    ServiceClass.FAST_CONFIRMATION: replace(
        _BASE,
        weight=15,
        compute_mcycles=Span(5, 50),
        size_kb=Span(1, 5),
        latency_ms=Span(130, 260),
        value_percent=Span(150, 300),
    ),
    ServiceClass.COMPUTATION_INTENSIVE: replace(
        _BASE,
        weight=15,
        compute_mcycles=Span(500, 2000),
        latency_ms=Span(900, 3000),
        throughput_tps=Span(1, 4),
    ),
    ServiceClass.STORAGE_INTENSIVE: replace(
        _BASE,
        weight=10,
        size_kb=Span(100, 500),
        storage_gb=Span(1, 10),
        latency_ms=Span(800, 3000),
        throughput_tps=Span(1, 5),
    ),
    ServiceClass.LOW_COST: replace(_BASE, weight=15, budget_percent=Span(90, 130)),
    ServiceClass.MANAGEMENT_CONTROL: replace(
        _BASE,
        weight=5,
        compute_mcycles=Span(10, 60),
        latency_ms=Span(500, 1000),
        throughput_tps=Span(1, 5),
        high_security=True,
        min_replicas=HIGH_SECURITY_REPLICAS,
        mandatory=True,
        value_percent=Span(100, 100),
    ),
    ServiceClass.PRIVATE: replace(_BASE, weight=10, private=True),
    ServiceClass.BEST_EFFORT: replace(_BASE, weight=20, value_percent=Span(60, 120)),
    ServiceClass.SCAVENGER: replace(_BASE, weight=10, value_percent=Span(0, 0)),
}


@dataclass(frozen=True)
class GeneratorSettings:
    """Hold every range and constant the generator uses; override any (§IV-E, D-alloc-8)."""

    cpu_ghz: Span = Span(10, 30)  # Liu et al. 2019
    bandwidth_mbps: Span = Span(10, 100)  # Liu et al. 2019
    trust: Span = Span(70, 99, PERCENT)
    compute_price: Span = Span(1, 5)
    storage_price: Span = Span(1, 3)
    storage_gb: Span = Span(20, 200)
    private_percent: int = 30
    regions: tuple[str, ...] = ("eu", "na", "asia")
    control_nodes: int = 4
    control_cpu_ghz: Fraction = Fraction(30)
    control_trust: Fraction = Fraction(99, PERCENT)
    control_compute_price: Fraction = Fraction(8)
    control_storage_gb: Fraction = Fraction(500)
    control_bandwidth_mbps: Fraction = Fraction(100)
    rate_levels_ghz: tuple[Fraction, ...] = (Fraction(1), Fraction(2), Fraction(4), Fraction(8))
    control_levels_ghz: tuple[Fraction, ...] = (Fraction(1, 2), Fraction(1), Fraction(2))
    control_capacity_per_tx_ghz: Fraction = Fraction(3, 5)
    control_price: Fraction = Fraction(2)
    consensus_base_ms: Fraction = Fraction(20)
    consensus_per_replica_ms: Fraction = Fraction(4)
    consensus_per_fault_ms: Fraction = Fraction(12)
    inter_region_ms: Fraction = Fraction(40)
    max_replicas: int = MAX_REPLICAS
    decentralization_share: Fraction = Fraction(1, 2)
    nodes_per_decentralization_node: int = 5
    profiles: dict[ServiceClass, ClassProfile] = field(default_factory=lambda: dict(PROFILES))


DEFAULT_SETTINGS = GeneratorSettings()


def _nodes(count: int, p: GeneratorSettings, rng: random.Random) -> list[Node]:
    width = len(str(max(count - 1, 0)))
    nodes = [
        Node(
            id=f"e{i:0{width}d}",
            role=NodeRole.EXECUTION,
            cpu_ghz=p.cpu_ghz.draw(rng),
            trust=p.trust.draw(rng),
            compute_price=p.compute_price.draw(rng),
            storage_price=p.storage_price.draw(rng),
            storage_gb=p.storage_gb.draw(rng),
            bandwidth_mbps=p.bandwidth_mbps.draw(rng),
            private=rng.randrange(PERCENT) < p.private_percent,
            region=rng.choice(p.regions),
        )
        for i in range(count)
    ]
    nodes += [
        Node(
            id=f"m{i}",
            role=NodeRole.MANAGEMENT_CONTROL,
            cpu_ghz=p.control_cpu_ghz,
            trust=p.control_trust,
            compute_price=p.control_compute_price,
            storage_price=p.storage_price.draw(rng),
            storage_gb=p.control_storage_gb,
            bandwidth_mbps=p.control_bandwidth_mbps,
            private=True,
            region=p.regions[i % len(p.regions)],
        )
        for i in range(p.control_nodes)
    ]
    return nodes


def _lowest_at_least(levels: tuple[Fraction, ...], need: Fraction) -> Fraction:
    return next((level for level in levels if level >= need), levels[-1])


def _transaction(
    index: int, width: int, p: GeneratorSettings, rng: random.Random
) -> TransactionStream:
    classes = [c for c in CLASS_RANKING if c in p.profiles]
    cls = rng.choices(classes, weights=[p.profiles[c].weight for c in classes])[0]
    prof = p.profiles[cls]
    compute = prof.compute_mcycles.draw(rng)
    ordering = prof.ordering_mcycles.draw(rng)
    # Keep the stream servable by one replica at the top rate level (C3 can be met).
    cap_tps = math.floor(p.rate_levels_ghz[-1] * q.KILO / compute)
    tps = min(prof.throughput_tps.draw(rng), Fraction(max(cap_tps, 1)))
    draft = TransactionStream(
        id=f"t{index:0{width}d}",
        service_class=cls,
        compute_mcycles=compute,
        size_kb=prof.size_kb.draw(rng),
        ordering_mcycles=ordering,
        latency_ms=prof.latency_ms.draw(rng),
        throughput_tps=tps,
        budget=Fraction(0),
        value=Fraction(0),
        origin=rng.choice(p.regions),
        storage_gb=prof.storage_gb.draw(rng),
        private=prof.private,
        high_security=prof.high_security,
        min_replicas=prof.min_replicas,
        mandatory=prof.mandatory,
    )
    # Budget: a reference cost (K_min replicas at the mean price and the rate the demand
    # needs, plus ordering) times the class's budget factor; value: budget times its factor.
    rate = _lowest_at_least(p.rate_levels_ghz, q.execution_demand_ghz(draft))
    control = _lowest_at_least(p.control_levels_ghz, q.ordering_demand_ghz(draft))
    mean_compute = Fraction(p.compute_price.lo + p.compute_price.hi, 2)
    mean_storage = Fraction(p.storage_price.lo + p.storage_price.hi, 2)
    reference = (
        draft.min_replicas * (mean_compute * rate + mean_storage * draft.storage_gb)
        + p.control_price * control
    )
    budget = Fraction(math.ceil(reference * prof.budget_percent.draw(rng) / PERCENT))
    value = Fraction(math.ceil(budget * prof.value_percent.draw(rng) / PERCENT))
    return replace(draft, budget=budget, value=value)


def generate(
    transactions: int,
    nodes: int,
    seed: int,
    utility: Utility = Utility.THROUGHPUT,
    settings: GeneratorSettings = DEFAULT_SETTINGS,
    on_progress: Callable[[int, int], None] | None = None,
) -> Instance:
    """Return a seeded instance with ``nodes`` execution nodes and ``transactions`` (§IV-E).

    ``on_progress(done, total)`` is told the transactions drawn so far, every
    :data:`PROGRESS_STEP` of them and at the end.
    """
    if transactions < 0 or nodes < 1:
        raise SpecError(
            Reason.PARAMETER_OUT_OF_RANGE,
            f"need transactions >= 0 and nodes >= 1, got {transactions} and {nodes}",
        )
    p = settings
    rng = random.Random(seed)
    node_list = _nodes(nodes, p, rng)
    width = len(str(max(transactions - 1, 0)))
    drawn: list[TransactionStream] = []
    for i in range(transactions):
        drawn.append(_transaction(i, width, p, rng))
        if on_progress is not None and (i + 1) % PROGRESS_STEP == 0:
            on_progress(i + 1, transactions)
    if on_progress is not None:
        on_progress(transactions, transactions)
    txs = tuple(drawn)
    capacity = Fraction(math.ceil(p.control_capacity_per_tx_ghz * max(transactions, 1)))
    return validate_instance(
        Instance(
            name=f"gen-{transactions}x{nodes}-s{seed}-{utility.value}",
            utility=utility,
            rate_levels_ghz=p.rate_levels_ghz,
            control_levels_ghz=p.control_levels_ghz,
            control_capacity_ghz=capacity,
            control_price=p.control_price,
            consensus_base_ms=p.consensus_base_ms,
            consensus_per_replica_ms=p.consensus_per_replica_ms,
            consensus_per_fault_ms=p.consensus_per_fault_ms,
            inter_region_ms=p.inter_region_ms,
            max_replicas=p.max_replicas,
            decentralization_nodes=max(1, math.ceil(nodes / p.nodes_per_decentralization_node)),
            decentralization_share=p.decentralization_share,
            nodes=tuple(node_list),
            transactions=txs,
        )
    )
