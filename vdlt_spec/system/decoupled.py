"""Run the decoupled vDLT system of Fig. 3: the stages of :mod:`.pipeline` and :mod:`.execution`.

The stages in order (§III-B): reclassification at the receiving node (§III-A), CBWFQ from the
governance parameters in force (§IV-A), ordering by the elected management group (§IV-C,
§IV-D), certified allocation and execution per epoch (§IV-E, §IV-G), penalties (§IV-J).
"""

from __future__ import annotations

import dataclasses

from vdlt_spec.allocation.baselines import Allocator
from vdlt_spec.consensus import DEFAULT_CHAIN_ID
from vdlt_spec.cos import Transaction, reclassify_from
from vdlt_spec.governance import queuing_config
from vdlt_spec.queuing import run_fast
from vdlt_spec.system.config import SystemConfig
from vdlt_spec.system.economy import settle_penalties
from vdlt_spec.system.execution import execute_epochs
from vdlt_spec.system.pipeline import (
    NOT_ORDERED,
    SIZE_UNIT_BYTES,
    PipelineState,
    ProgressHook,
    order_blocks,
    sender_directory,
    tx_stream,
    workload,
)
from vdlt_spec.system.records import Architecture, SystemRun, TierFigures, TxRecord, TxStatus


def simulate_vdlt(
    config: SystemConfig,
    seed: int,
    allocator: Allocator,
    progress: ProgressHook | None = None,
) -> SystemRun:
    """Run the decoupled vDLT system of Fig. 3 on a seeded workload (§III-B)."""
    run = PipelineState(config, seed, allocator, progress)
    sub = run.substrate
    arrivals = workload(config, seed)
    directory = sender_directory(config)
    admitted: list[Transaction] = []
    records: dict[int, TxRecord] = {}
    for tx in arrivals:
        effective_tx, classification = reclassify_from(tx, directory[tx.sender])
        admitted.append(effective_tx)
        records[tx.id] = TxRecord(
            id=tx.id,
            sender=tx.sender,
            declared=classification.declared,
            effective=classification.effective,
            reclassified=classification.reason.value,
            size=tx.size,
            arrival=tx.arrival,
            stream=tx_stream(tx, classification.effective, config.contracts),
            status=TxStatus.PENDING,
        )
    run.tick("queue", 0, len(admitted))
    queue = queuing_config(sub.economy.params)
    schedule = run_fast(queue, admitted)
    for drop in schedule.drops:
        records[drop.id] = dataclasses.replace(
            records[drop.id], status=TxStatus.DROPPED, reason="tail-drop"
        )
    finish = {d.id: d.finish for d in schedule.departures}
    order = [d.id for d in schedule.departures]
    for d in schedule.departures:
        records[d.id] = dataclasses.replace(records[d.id], queued=d.finish)
    run.tick("order", 0, len(order))
    management = run.management_calibration()
    cos = {tx.id: int(tx.service_class) << 5 for tx in admitted}
    blocks = order_blocks(config, finish, order, management, seed, sub.epoch, cos, DEFAULT_CHAIN_ID)
    for block in blocks:
        for tx_id in block.txs:
            if block.committed is None:
                records[tx_id] = dataclasses.replace(records[tx_id], reason=NOT_ORDERED)
            else:
                records[tx_id] = dataclasses.replace(records[tx_id], ordered=block.seq)
    outcome = execute_epochs(run, blocks, records, management)
    penalties = settle_penalties(sub, management, seed)
    roles = {n.id: n.role.value for n in sub.nodes}
    mgmt_decisions = len([b for b in blocks if b.committed is not None]) + len(outcome.allocations)
    per_message = management.messages
    management_tier = TierFigures(
        decisions=mgmt_decisions,
        messages=int(per_message * mgmt_decisions) + len(arrivals),
        bytes=int(management.bytes * mgmt_decisions)
        + sum(tx.size for tx in arrivals) * SIZE_UNIT_BYTES,
        load={m: len(order) for m in sub.management},
    )
    top = sum(
        1
        for r in outcome.records.values()
        if r.status == TxStatus.CONFIRMED and outcome.layer.get(r.id) != "local"
    )
    local = sum(1 for r in outcome.records.values() if outcome.layer.get(r.id) == "local")
    return SystemRun(
        architecture=Architecture.VDLT,
        seed=seed,
        signatures=config.signatures,
        epoch=sub.epoch,
        management=sub.management,
        execution=sub.execution,
        roles=roles,
        txs=tuple(outcome.records[i] for i in sorted(outcome.records)),
        order_blocks=tuple(blocks),
        allocations=tuple(outcome.allocations),
        user_blocks=tuple(outcome.user_blocks),
        management_tier=management_tier,
        execution_tier=outcome.tier,
        top_decisions=top,
        local_decisions=local,
        penalties=penalties,
        queue_config=queue,
        notes=outcome.notes,
    )
