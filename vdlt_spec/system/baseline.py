"""Run the blockchain-oriented baseline in the same simulator: coupled, one queue (§I, §II-D).

What the paper says Ethereum and EOS do: one FIFO queue without classes
(:func:`vdlt_spec.queuing.fifo_run`, tail drop at the same total queue room as the CBWFQ link),
no reclassification, and one group of every full node that orders, executes every contract and
produces every block. Blocks close every ``order_interval_ms``, execute one after the other at
the rate a quorum of full nodes reaches (the q-th fastest CPU), and confirm when the group's
commit certificate forms, its calibrated consensus time later. Same workload, seed and nodes as
the vDLT run.
"""

from __future__ import annotations

from fractions import Fraction

from vdlt_spec.consensus import DEFAULT_CHAIN_ID
from vdlt_spec.governance import queuing_config
from vdlt_spec.queuing import fifo_run
from vdlt_spec.system.config import SystemConfig
from vdlt_spec.system.pipeline import (
    MS_PER_S,
    NO_QUORUM,
    SIZE_UNIT_BYTES,
    ProgressHook,
    quorum_rate,
    tx_stream,
    workload,
)
from vdlt_spec.system.records import (
    Architecture,
    OrderBlock,
    SystemRun,
    TierFigures,
    TxRecord,
    TxStatus,
    UserBlock,
)
from vdlt_spec.system.substrate import build_substrate
from vdlt_spec.system.tiers import (
    calibrate,
    certify_block,
    digest_of,
    domain_of,
    group_scheme,
    group_seed,
    tx_block,
)


def simulate_coupled(
    config: SystemConfig, seed: int, progress: ProgressHook | None = None
) -> SystemRun:
    """Run the coupled baseline on the vDLT run's workload, seed and nodes (§I, §II-D)."""
    sub = build_substrate(config, seed)
    arrivals = workload(config, seed)
    nodes = sub.nodes
    names = tuple(n.id for n in nodes)
    queue = queuing_config(sub.economy.params)
    limit = sum(queue.limits.values())
    schedule = fifo_run(queue.rate, arrivals, limit)
    records: dict[int, TxRecord] = {}
    for tx in arrivals:
        records[tx.id] = TxRecord(
            id=tx.id,
            sender=tx.sender,
            declared=tx.service_class,
            effective=tx.service_class,
            reclassified="declared",
            size=tx.size,
            arrival=tx.arrival,
            stream=tx_stream(tx, tx.service_class, config.contracts),
            status=TxStatus.PENDING,
        )
    for drop in schedule.drops:
        old = records[drop.id]
        records[drop.id] = TxRecord(
            **{**old.__dict__, "status": TxStatus.DROPPED, "reason": "tail-drop"}
        )
    faults = config.faults
    byzantine = tuple(range(faults.byzantine_management)) + tuple(
        len(names) - 1 - i for i in range(faults.byzantine_execution + faults.crashed_execution)
    )
    cal = calibrate(
        len(names),
        tuple(sorted(byzantine)),
        faults.behaviour,
        faults.loss,
        faults.partition_ms,
        "ideal",
        seed,
    )
    gseed = group_seed(seed, DEFAULT_CHAIN_ID, names)
    scheme = group_scheme(config.signatures, len(names), gseed)
    domain = domain_of(scheme, DEFAULT_CHAIN_ID, sub.epoch)
    signers = tuple(i for i in range(len(names)) if i not in byzantine)
    rate = quorum_rate([n.cpu_ghz for n in nodes])
    price = sum((n.compute_price for n in nodes), Fraction(0))
    windows: dict[int, list[int]] = {}
    for d in schedule.departures:
        windows.setdefault(int(d.finish // config.order_interval_ms), []).append(d.id)
        records[d.id] = TxRecord(**{**records[d.id].__dict__, "queued": d.finish})
    free = Fraction(0)
    order_blocks: list[OrderBlock] = []
    user_blocks: list[UserBlock] = []
    messages = len(arrivals)
    traffic = sum(tx.size for tx in arrivals) * SIZE_UNIT_BYTES
    for seq, window in enumerate(sorted(windows), start=1):
        if progress is not None:
            progress("execute", seq, len(windows))
        ids = windows[window]
        closed = Fraction((window + 1) * config.order_interval_ms)
        start = max(closed, free)
        work = sum((sub.streams[records[t].stream].compute_mcycles for t in ids), Fraction(0))
        free = start + work / rate
        block = tx_block(ids, [bytes([records[t].effective << 5]) for t in ids])
        digest = digest_of(block)
        cert = certify_block(scheme, domain, seq, digest, signers) if cal.live else None
        confirmed = free + cal.latency_ms if cert is not None else None
        order_blocks.append(OrderBlock(seq, closed, confirmed, tuple(ids), digest, cert))
        if cert is None:
            for t in ids:
                records[t] = TxRecord(**{**records[t].__dict__, "reason": NO_QUORUM})
            continue
        producer = names[seq % len(names)]
        index = len(user_blocks)
        user_blocks.append(
            UserBlock(
                index,
                DEFAULT_CHAIN_ID,
                0,
                "all",
                names,
                gseed,
                producer,
                seq,
                tuple(ids),
                start,
                confirmed,
                digest,
                cert,
            )
        )
        messages += int(cal.messages) + len(names) * len(ids)
        traffic += int(cal.bytes) + len(names) * sum(records[t].size for t in ids) * SIZE_UNIT_BYTES
        for t in ids:
            stream = sub.streams[records[t].stream]
            cost = price * stream.compute_mcycles / MS_PER_S
            records[t] = TxRecord(
                **{
                    **records[t].__dict__,
                    "status": TxStatus.CONFIRMED,
                    "ordered": seq,
                    "block": index,
                    "confirmed": confirmed,
                    "cost": cost,
                }
            )
    executed = sum(len(b.txs) for b in user_blocks)
    tier = TierFigures(len(user_blocks), messages, traffic, {n: executed for n in names})
    return SystemRun(
        architecture=Architecture.COUPLED,
        seed=seed,
        signatures=config.signatures,
        epoch=sub.epoch,
        management=(),
        execution=names,
        roles={n.id: n.role.value for n in nodes},
        txs=tuple(records[i] for i in sorted(records)),
        order_blocks=tuple(order_blocks),
        allocations=(),
        user_blocks=tuple(user_blocks),
        management_tier=TierFigures(0, 0, 0, {}),
        execution_tier=tier,
        top_decisions=len(user_blocks),
        local_decisions=0,
        penalties=(),
        queue_config=None,
    )
