"""Hypothesis strategies for vDLT data, importable by users' own property tests.

Each component adds its strategies in its own section below.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st

from vdlt_spec.allocation.instance import (
    Instance,
    Node,
    NodeRole,
    Transaction,
    Utility,
    validate_instance,
)
from vdlt_spec.cos import ServiceClass

# --- class of service and queuing -------------------------------------------------------------

cos_bytes = st.integers(min_value=0, max_value=0xFF)
service_classes = st.sampled_from(ServiceClass)


# --- crypto and consensus ---------------------------------------------------------------------


# --- governance and economics -----------------------------------------------------------------


# --- allocation -------------------------------------------------------------------------------


@st.composite
def allocation_instances(
    draw: st.DrawFn, max_transactions: int = 3, max_nodes: int = 4
) -> Instance:
    """Draw a small, valid allocation instance of Eq. (1) (§IV-E), small enough to enumerate."""
    n_nodes = draw(st.integers(2, max_nodes))
    n_levels = draw(st.integers(1, 2))
    regions = ("a", "b")
    trusts = st.sampled_from([Fraction(1), Fraction(9, 10), Fraction(3, 4), Fraction(1, 2)])
    nodes = tuple(
        Node(
            id=f"n{j}",
            role=draw(st.sampled_from([NodeRole.EXECUTION] * 3 + [NodeRole.CONTROL])),
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
        Transaction(
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
    return validate_instance(
        Instance(
            name="hypothesis",
            utility=draw(st.sampled_from(Utility)),
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
