"""Write the small instances bundled with vdlt-spec (package data) for `vdlt verify`.

Run from the repository root: `python benchmarks/make_bundled_instances.py`. The files are
committed; this script documents how they were made and regenerates them byte for byte.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from pathlib import Path

from vdlt_spec import serial
from vdlt_spec.allocation.generate import generate
from vdlt_spec.allocation.instance import Instance, Node, TransactionStream, Utility
from vdlt_spec.cos import ServiceClass
from vdlt_spec.roles import NodeRole

OUT = Path("vdlt_spec/allocation/instances")


#: The tiny instance's nodes: CPU (GHz), trust, compute price, privacy-capable, region.
TINY_NODES: list[tuple[int, int | str, int, bool, str]] = [
    (3, 1, 1, True, "a"),
    (2, 1, 2, False, "a"),
    (4, "9/10", 1, True, "b"),
    (2, 1, 3, False, "b"),
]


def tiny() -> Instance:
    """Return a 3-transaction, 4-node instance small enough for exhaustive enumeration."""
    nodes = tuple(
        Node(
            id=f"n{j}",
            role=NodeRole.EXECUTION,
            cpu_ghz=Fraction(cpu),
            trust=Fraction(trust),
            compute_price=Fraction(price),
            storage_price=Fraction(1),
            storage_gb=Fraction(10),
            bandwidth_mbps=Fraction(50),
            private=private,
            region=region,
        )
        for j, (cpu, trust, price, private, region) in enumerate(TINY_NODES)
    )
    base = TransactionStream(
        id="t0",
        service_class=ServiceClass.BEST_EFFORT,
        compute_mcycles=Fraction(40),
        size_kb=Fraction(10),
        ordering_mcycles=Fraction(5),
        latency_ms=Fraction(120),
        throughput_tps=Fraction(10),
        budget=Fraction(20),
        value=Fraction(30),
        origin="a",
        min_replicas=2,
    )
    txs = (
        base,
        replace(
            base,
            id="t1",
            service_class=ServiceClass.PRIVATE,
            private=True,
            throughput_tps=Fraction(25),
            value=Fraction(40),
        ),
        replace(
            base,
            id="t2",
            service_class=ServiceClass.FAST_CONFIRMATION,
            latency_ms=Fraction(60),
            throughput_tps=Fraction(15),
            origin="b",
            min_replicas=1,
        ),
    )
    return Instance(
        name="tiny-exhaustive",
        utility=Utility.THROUGHPUT,
        rate_levels_ghz=(Fraction(1), Fraction(2)),
        control_levels_ghz=(Fraction(1, 2), Fraction(1)),
        control_capacity_ghz=Fraction(2),
        control_price=Fraction(1),
        consensus_base_ms=Fraction(10),
        consensus_per_replica_ms=Fraction(5),
        consensus_per_fault_ms=Fraction(10),
        inter_region_ms=Fraction(20),
        max_replicas=3,
        decentralization_nodes=2,
        decentralization_share=Fraction(2, 3),
        nodes=nodes,
        transactions=txs,
    )


def infeasible() -> Instance:
    """Return a small instance made infeasible by one mandatory, too-tight transaction."""
    inst = generate(12, 5, 3, Utility.THROUGHPUT)
    t0 = replace(inst.transactions[0], mandatory=True, latency_ms=Fraction(30))
    return replace(inst, name="infeasible-latency", transactions=(t0, *inst.transactions[1:]))


def main() -> None:
    """Write every bundled instance as indented, key-sorted JSON."""
    instances = {
        "small-throughput": replace(
            generate(20, 6, 1, Utility.THROUGHPUT), name="small-throughput"
        ),
        "small-welfare": replace(generate(20, 6, 2, Utility.WELFARE), name="small-welfare"),
        "tiny-exhaustive": tiny(),
        "infeasible-latency": infeasible(),
    }
    for name, inst in instances.items():
        (OUT / f"{name}.json").write_text(serial.dumps(inst, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {OUT / name}.json")


if __name__ == "__main__":
    main()
