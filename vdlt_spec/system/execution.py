"""Execute the ordered transactions epoch by epoch in the allocated groups (§IV-E, §IV-G).

Once per epoch the management group decides the allocation from the demand it ordered in the
previous epoch (every stream's drawn demand for the first), certifies it, and each chosen group
executes its stream's transactions of the epoch: a block takes what is ready when the group is
free (up to ``max_block``), runs at the rate a quorum of the group reserved, and confirms when
its commit certificate forms, the group's calibrated consensus time later. A stream the
allocation did not admit, or a block whose group has no live quorum, carries its transactions
to the next epoch; what is left after the grace epochs is pending.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from fractions import Fraction

from vdlt_spec.allocation.generate import DEFAULT_SETTINGS, generate
from vdlt_spec.allocation.quantities import transfer_ms
from vdlt_spec.roles import NodeRole
from vdlt_spec.system import pipeline as p
from vdlt_spec.system.records import (
    AllocationRecord,
    GroupChoice,
    OrderBlock,
    TierFigures,
    TxRecord,
    TxStatus,
    UserBlock,
)
from vdlt_spec.system.substrate import chain_of
from vdlt_spec.system.tiers import (
    Calibration,
    certify_block,
    digest_of,
    domain_of,
    group_scheme,
    group_seed,
    tx_block,
)

MS_PER_S = 1000


@dataclass(frozen=True)
class ExecutionOutcome:
    """Hold what execution produced: records, decisions, user blocks, tier figures."""

    records: dict[int, TxRecord]
    allocations: list[AllocationRecord]
    user_blocks: list[UserBlock]
    tier: TierFigures
    layer: dict[int, str]
    notes: tuple[str, ...]


def execute_epochs(
    run: p.PipelineState,
    blocks: list[OrderBlock],
    records: dict[int, TxRecord],
    management: Calibration,
) -> ExecutionOutcome:
    """Allocate, execute and confirm every ordered transaction (§IV-E, §IV-G)."""
    config = run.config
    sub = run.substrate
    settings = dataclasses.replace(DEFAULT_SETTINGS, control_nodes=config.management)
    base = generate(0, config.execution, run.seed, settings=settings)
    node_of = {n.id: n for n in sub.nodes}
    roles = {n.id: n.role for n in sub.nodes}
    mscheme = group_scheme(config.signatures, config.management, run.seed)
    mdomain = domain_of(mscheme, p.ALLOCATION_CHAIN, sub.epoch)
    honest_managers = tuple(i for i in range(config.management) if i not in management.byzantine)
    by_epoch: dict[int, list[tuple[int, Fraction]]] = {}
    for block in blocks:
        if block.committed is None:
            continue
        epoch = int(block.committed // config.epoch_ms)
        by_epoch.setdefault(epoch, []).extend((t, block.committed) for t in block.txs)
    last = max(by_epoch, default=-1)
    carried: list[tuple[int, Fraction]] = []
    reasons: dict[int, str] = {}
    allocations: list[AllocationRecord] = []
    user_blocks: list[UserBlock] = []
    heights: dict[int, int] = {}
    layer: dict[int, str] = {}
    messages = 0
    traffic = 0
    load = {n: 0 for n in sub.execution}
    demand = {
        s: max(1, int(st.throughput_tps * config.epoch_ms // MS_PER_S))
        for s, st in sub.streams.items()
    }
    epoch = 0
    while epoch <= last + p.GRACE_EPOCHS:
        current = carried + by_epoch.get(epoch, [])
        carried = []
        if not current and epoch > last:
            break
        run.tick("execute", epoch, last + 1)
        groups = p.allocate_epoch(run, epoch, demand, base)
        decided = Fraction(epoch * config.epoch_ms)
        digest = p.allocation_digest(epoch, groups)
        certificate = (
            certify_block(mscheme, mdomain, epoch + 1, digest, honest_managers)
            if management.live
            else None
        )
        certified = decided + management.latency_ms if certificate is not None else None
        allocations.append(
            AllocationRecord(epoch, decided, certified, tuple(groups), digest, certificate)
        )
        chosen = {g.stream: g for g in groups}
        queues: dict[str, list[tuple[int, Fraction]]] = {}
        for tx_id, ready in current:
            stream = records[tx_id].stream
            if certified is None or stream not in chosen:
                carried.append((tx_id, ready))
                reasons[tx_id] = p.NOT_ADMITTED
                continue
            queues.setdefault(stream, []).append((tx_id, max(ready, certified)))
        next_demand: dict[str, int] = {}
        for tx_id, _ in by_epoch.get(epoch, []):
            s = records[tx_id].stream
            next_demand[s] = next_demand.get(s, 0) + 1
        for stream_name in sorted(queues):
            choice: GroupChoice = chosen[stream_name]
            contract = sub.streams[stream_name]
            members = choice.members
            chain = chain_of(stream_name)
            gseed = group_seed(run.seed, chain, members)
            scheme = group_scheme(
                "ideal" if config.signatures == "ideal" else config.signatures, len(members), gseed
            )
            domain = domain_of(scheme, chain, sub.epoch)
            rate = p.quorum_rate(choice.rates)
            pending = sorted(queues[stream_name], key=lambda item: (item[1], item[0]))
            free = Fraction(0)
            i = 0
            while i < len(pending):
                start = max(pending[i][1], free)
                j = i
                while j < len(pending) and pending[j][1] <= start and j - i < config.max_block:
                    j += 1
                ids = [t for t, _ in pending[i:j]]
                i = j
                down = frozenset(
                    m
                    for m in members
                    if m in run.crashed_nodes and start > config.faults.crash_at_ms
                )
                producer = p.producer_of(members, roles, down)
                cal = run.group_calibration(members, start)
                hop = transfer_ms(base, contract, node_of[producer]) if producer else Fraction(0)
                free = start + hop + len(ids) * contract.compute_mcycles / rate
                signers = tuple(
                    k
                    for k, m in enumerate(members)
                    if m not in down and m not in run.byzantine_nodes
                )
                run.suspected.update(
                    m
                    for k, m in enumerate(members)
                    if k not in signers and roles[m] == NodeRole.EXECUTION
                )
                height = heights.get(gseed, 0) + 1
                user = tx_block(ids, [bytes([records[t].effective << 5]) for t in ids])
                bdigest = digest_of(user)
                cert = (
                    certify_block(scheme, domain, height, bdigest, signers)
                    if cal.live and producer
                    else None
                )
                if cert is None or producer is None:
                    carried.extend((t, free) for t in ids)
                    for t in ids:
                        reasons[t] = p.NO_QUORUM
                    continue
                heights[gseed] = height
                confirmed = free + cal.latency_ms
                index = len(user_blocks)
                user_blocks.append(
                    UserBlock(
                        index,
                        chain,
                        epoch,
                        stream_name,
                        members,
                        gseed,
                        producer,
                        height,
                        tuple(ids),
                        start,
                        confirmed,
                        bdigest,
                        cert,
                    )
                )
                live = [m for m in members if m not in down]
                messages += int(cal.messages) + len(live) * len(ids)
                traffic += (
                    int(cal.bytes)
                    + len(live) * sum(records[t].size for t in ids) * p.SIZE_UNIT_BYTES
                )
                price = sum((node_of[m].compute_price for m in members), Fraction(0))
                cost = (
                    price * contract.compute_mcycles / MS_PER_S
                    + base.control_price * contract.ordering_mcycles / MS_PER_S
                )
                for m in live:
                    if roles[m] == NodeRole.EXECUTION:
                        load[m] += len(ids)
                for t in ids:
                    layer[t] = choice.layer
                    records[t] = dataclasses.replace(
                        records[t],
                        status=TxStatus.CONFIRMED,
                        reason="",
                        epoch=epoch,
                        block=index,
                        confirmed=confirmed,
                        cost=cost,
                    )
        for tx_id, _ in carried:
            s = records[tx_id].stream
            next_demand[s] = next_demand.get(s, 0) + 1
        demand = next_demand
        epoch += 1
    for tx_id, _ in carried:
        records[tx_id] = dataclasses.replace(
            records[tx_id], reason=reasons.get(tx_id, p.NOT_ADMITTED)
        )
    tier = TierFigures(len(user_blocks), messages, traffic, load)
    return ExecutionOutcome(records, allocations, user_blocks, tier, layer, ())
