"""Compute the quantities Eq. (1) constrains, exactly, from an instance and a decision (§IV-E).

One function per quantity, in exact ``Fraction`` arithmetic; the evaluator, the heuristics and
the MILP's coefficients all read them from here, so the three agree by construction. Units are
those of :mod:`vdlt_spec.allocation.instance`; the unit algebra is

* execution time: w [Mcycles] / r [GHz] = w/r ms;
* transfer time: a [kB] * 8 / b [Mbps] = 8a/b ms;
* rate demand: lambda [tx/s] * w [Mcycles] / 1000 = GHz;
* link demand: lambda [tx/s] * a [kB] * 8 / 1000 = Mbps.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction

from vdlt_spec.allocation.instance import Instance, Node, TransactionStream
from vdlt_spec.crypto import max_faulty

BITS_PER_BYTE = 8
#: Mcycles/s per GHz, kbit/s per Mbps, ms per s: all 1000.
KILO = 1000


def fault_bound(replicas: int) -> int:
    """Return f = floor((K - 1) / 3), the faults a K-replica PBFT group tolerates (§IV-D)."""
    return max_faulty(max(replicas, 1))


def consensus_ms(instance: Instance, replicas: int) -> Fraction:
    """Return the consensus time of K replicas, linear in K and f (§IV-G; Liu et al. 2019)."""
    return (
        instance.consensus_base_ms
        + instance.consensus_per_replica_ms * replicas
        + instance.consensus_per_fault_ms * fault_bound(replicas)
    )


def ordering_ms(tx: TransactionStream, control_ghz: Fraction) -> Fraction:
    """Return the control-tier ordering time o_n / rho_n in ms (§IV-B, §IV-E)."""
    return tx.ordering_mcycles / control_ghz


def transfer_ms(instance: Instance, tx: TransactionStream, node: Node) -> Fraction:
    """Return the time to ship one invocation to a replica: 8a/b ms plus any region hop (§IV-G)."""
    hop = instance.inter_region_ms if node.region != tx.origin else Fraction(0)
    return Fraction(BITS_PER_BYTE) * tx.size_kb / node.bandwidth_mbps + hop


def execution_ms(tx: TransactionStream, rate_ghz: Fraction) -> Fraction:
    """Return the execution time w_n / r of one invocation at rate r, in ms (§IV-E)."""
    return tx.compute_mcycles / rate_ghz


def replica_latency_ms(
    instance: Instance,
    tx: TransactionStream,
    node: Node,
    rate_ghz: Fraction,
    control_ghz: Fraction,
    replicas: int,
) -> Fraction:
    """Return a replica's latency: ordering + transfer + execution + consensus (§IV-E, C2)."""
    return (
        ordering_ms(tx, control_ghz)
        + transfer_ms(instance, tx, node)
        + execution_ms(tx, rate_ghz)
        + consensus_ms(instance, replicas)
    )


def execution_demand_ghz(tx: TransactionStream) -> Fraction:
    """Return the rate a replica needs to keep up: lambda*w/1000 GHz (§IV-E, C3)."""
    return tx.throughput_tps * tx.compute_mcycles / KILO


def ordering_demand_ghz(tx: TransactionStream) -> Fraction:
    """Return the control-tier rate needed to order the stream: lambda*o/1000 GHz (§IV-B, C3)."""
    return tx.throughput_tps * tx.ordering_mcycles / KILO


def link_demand_mbps(tx: TransactionStream) -> Fraction:
    """Return the link rate a replica needs for the stream: 8*lambda*a/1000 Mbps (§IV-G)."""
    return BITS_PER_BYTE * tx.throughput_tps * tx.size_kb / KILO


def replica_cost(tx: TransactionStream, node: Node, rate_ghz: Fraction) -> Fraction:
    """Return a replica's cost per epoch: reserved rate and state at the node's prices (C4)."""
    return node.compute_price * rate_ghz + node.storage_price * tx.storage_gb


def control_cost(instance: Instance, control_ghz: Fraction) -> Fraction:
    """Return the cost per epoch of the control-tier rate rho_n of a transaction (§IV-B, C4)."""
    return instance.control_price * control_ghz


def expected_faulty(nodes: Iterable[Node]) -> Fraction:
    """Return the expected number of faulty replicas, the sum of (1 - trust) (§IV-G)."""
    return sum((1 - n.trust for n in nodes), Fraction(0))


def top_sum(loads: Sequence[Fraction], count: int) -> Fraction:
    """Return the sum of the ``count`` largest loads, 0 when ``count`` <= 0 (§IV-E, C1)."""
    if count <= 0:
        return Fraction(0)
    return sum(sorted(loads, reverse=True)[:count], Fraction(0))


def nakamoto_coefficient(loads: Sequence[Fraction], share: Fraction) -> int:
    """Return the fewest nodes whose loads exceed ``share`` of the total; 0 if none (C1)."""
    total = sum(loads, Fraction(0))
    if total == 0:
        return 0
    running = Fraction(0)
    for count, load in enumerate(sorted(loads, reverse=True), start=1):
        running += load
        if running > share * total:
            return count
    return len(loads)  # pragma: no cover - unreachable: share < 1 and total > 0
