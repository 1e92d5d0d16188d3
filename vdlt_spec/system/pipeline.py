"""Run the vDLT pipeline of Fig. 3 end to end, composed from the components (§III-B).

A transaction with a CoS byte arrives at a management/control node, which reclassifies it by
what it knows of the sender (§III-A, :func:`vdlt_spec.cos.reclassify_from`); the control layer
queues it by CBWFQ configured from the governance parameters in force (§IV-A, Fig. 7,
:func:`vdlt_spec.governance.queuing_config`, :func:`vdlt_spec.queuing.run_fast`); the
DPoS-elected management group orders the departures in blocks with iPBFT (§III-D, §IV-C); once
per epoch it decides the allocation of the contract streams to execution groups with a
pluggable allocator (§IV-E, §IV-G) and certifies the decision; each group executes its stream's
transactions and produces the user blocks, which confirm when they carry a commit certificate of
that group (§IV-G). Management nodes never produce user blocks (:data:`PRODUCES_USER_BLOCKS`).
The tiers' consensus is :mod:`vdlt_spec.system.tiers`'s (calibrated replica groups and real
certificates). Pure and deterministic: one seed, no clock, no I/O.
"""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Callable, Sequence
from fractions import Fraction

from vdlt_spec import serial
from vdlt_spec.allocation.baselines import Allocator
from vdlt_spec.allocation.decision import Allocation, Replica, canonical
from vdlt_spec.allocation.instance import Instance, Node, TransactionStream
from vdlt_spec.consensus import DEFAULT_CHAIN_ID
from vdlt_spec.cos import Sender, ServiceClass, Transaction
from vdlt_spec.crypto import quorum_size, tagged_hash
from vdlt_spec.hierarchy import GLOBAL_CLASSES, ExecutionNode, Hierarchy, build
from vdlt_spec.queuing import WorkloadSpec, mixed_workload, workload_senders
from vdlt_spec.roles import PRODUCES_USER_BLOCKS, NodeRole
from vdlt_spec.system.config import SystemConfig
from vdlt_spec.system.records import (
    GroupChoice,
    OrderBlock,
)
from vdlt_spec.system.substrate import SystemSubstrate, build_substrate, stream_id
from vdlt_spec.system.tiers import (
    Calibration,
    calibrate,
    certify_block,
    digest_of,
    domain_of,
    group_scheme,
    tx_block,
)

ProgressHook = Callable[[str, int, int], None]
UNTRUSTED = Sender(Fraction(1, 4))
"""What the receiving node knows of an untrusted sender: low trust, no registered role."""
SIZE_UNIT_BYTES = 256
"""Bytes of one size unit of a transaction (the scheduler's unit) on the wire."""
ALLOCATION_TAG = b"vDLT/system-allocation"
ALLOCATION_CHAIN = "vdlt-allocation"
GRACE_EPOCHS = 3
"""Epochs the run goes on after the last ordering to place carried-over transactions."""
MS_PER_S = 1000
NOT_ADMITTED = "not admitted by any allocation"
NO_QUORUM = "execution group without a live quorum"
NOT_ORDERED = "management group not live"


def _chain_workloads(config: SystemConfig) -> list[tuple[str, WorkloadSpec]]:
    if not config.chains:
        spec = WorkloadSpec(config.transactions, config.load, config.mix, senders=config.senders)
        return [("", spec)]
    total = sum(c.weight for c in config.chains)
    shares = [config.transactions * c.weight // total for c in config.chains]
    shares[0] += config.transactions - sum(shares)
    return [
        (
            chain.name,
            WorkloadSpec(
                share, config.load * chain.weight / total, chain.mix, senders=config.senders
            ),
        )
        for chain, share in zip(config.chains, shares, strict=True)
    ]


def workload(config: SystemConfig, seed: int) -> tuple[Transaction, ...]:
    """Return the seeded mixed workload of a run (§III-A; queuing's generator).

    With virtual systems (§III-C), each draws its share of the transactions and of the load
    from its own mix and senders (``<chain>/node-i``); the workloads merge by arrival.
    """
    merged: list[Transaction] = []
    for name, spec in _chain_workloads(config):
        drawn = mixed_workload(spec, random.Random(f"{seed}/workload/{name}"))
        offset = len(merged)
        merged.extend(
            dataclasses.replace(
                tx, id=offset + tx.id, sender=f"{name}/{tx.sender}" if name else tx.sender
            )
            for tx in drawn
        )
    if config.chains:
        merged.sort(key=lambda tx: (tx.arrival, tx.id))
    return tuple(merged)


def sender_directory(config: SystemConfig) -> dict[str, Sender]:
    """Return what the receiving node knows of each sender: the first few untrusted (§III-A)."""
    directory: dict[str, Sender] = {}
    for name, spec in _chain_workloads(config):
        for sender, known in workload_senders(spec).items():
            directory[f"{name}/{sender}" if name else sender] = known
    for sender in list(directory)[: config.untrusted_senders]:
        directory[sender] = UNTRUSTED
    return directory


def tx_stream(tx: Transaction, service_class: ServiceClass, contracts: int) -> str:
    """Return the stream a transaction invokes: its chain, its class, its sender's contract."""
    chain = tx.sender.split("/", 1)[0] if "/" in tx.sender else ""
    return stream_id(service_class, contract_of(tx.sender, contracts), chain)


def contract_of(sender: str, contracts: int) -> int:
    """Return the contract a sender's transactions invoke: its index mod ``contracts``."""
    digits = "".join(ch for ch in sender if ch.isdigit())
    return int(digits or "0") % contracts


def order_blocks(
    config: SystemConfig,
    finish: dict[int, Fraction],
    order: list[int],
    management: Calibration,
    scheme_seed: int,
    epoch: int,
    cos: dict[int, int],
    chain: str,
) -> list[OrderBlock]:
    """Close an ordering block every ``order_interval_ms`` of departures; certify each (§IV-D)."""
    scheme = group_scheme(config.signatures, config.management, scheme_seed)
    domain = domain_of(scheme, chain, epoch)
    honest = tuple(i for i in range(config.management) if i not in management.byzantine)
    windows: dict[int, list[int]] = {}
    for tx in order:
        windows.setdefault(int(finish[tx] // config.order_interval_ms), []).append(tx)
    blocks = []
    for seq, window in enumerate(sorted(windows), start=1):
        ids = windows[window]
        block = tx_block(ids, [bytes([cos[i]]) for i in ids])
        digest = digest_of(block)
        closed = Fraction((window + 1) * config.order_interval_ms)
        certificate = (
            certify_block(scheme, domain, seq, digest, honest) if management.live else None
        )
        committed = closed + management.latency_ms if certificate is not None else None
        blocks.append(OrderBlock(seq, closed, committed, tuple(ids), digest, certificate))
    return blocks


def _instance(
    base: Instance, nodes: Sequence[Node], streams: Sequence[TransactionStream]
) -> Instance:
    capacity = Fraction(math.ceil(Fraction(3, 5) * max(len(streams), 1)))
    return dataclasses.replace(
        base,
        name=f"{base.name}-epoch",
        nodes=tuple(nodes),
        transactions=tuple(streams),
        control_capacity_ghz=capacity,
        decentralization_nodes=max(
            1, math.ceil(sum(1 for n in nodes if n.role == NodeRole.EXECUTION) / 5)
        ),
    )


def allocation_digest(epoch: int, groups: Sequence[GroupChoice]) -> bytes:
    """Return the digest the management group certifies for an epoch's decision (§IV-E)."""
    body = serial.dumps({"epoch": epoch, "groups": [serial.encode(g) for g in groups]})
    return tagged_hash(ALLOCATION_TAG, body.encode())


def demand_tps(count: int, epoch_ms: int) -> Fraction:
    """Return the rate a stream is allocated for: its count per second, up to a power of two.

    Rounding up to a power of two keeps a steady workload's instance the same from epoch to
    epoch, so the management group re-decides only when the demand really changes (§IV-E).
    """
    rate = max(1, math.ceil(Fraction(count * MS_PER_S, epoch_ms)))
    return Fraction(1 << (rate - 1).bit_length())


def _demand(
    stream: TransactionStream, count: int, epoch_ms: int, top_level: Fraction
) -> TransactionStream:
    cap = Fraction(max(1, math.floor(top_level * MS_PER_S / stream.compute_mcycles)))
    return dataclasses.replace(stream, throughput_tps=min(demand_tps(count, epoch_ms), cap))


class PipelineState:
    """Carry the state of one vDLT run between its stages: nodes, faults, decisions (§III-B)."""

    def __init__(
        self,
        config: SystemConfig,
        seed: int,
        allocator: Allocator,
        progress: ProgressHook | None,
        chain: str = DEFAULT_CHAIN_ID,
    ) -> None:
        self.config = config
        self.seed = seed
        self.allocator = allocator
        self.progress = progress
        self.chain = chain
        self.substrate: SystemSubstrate = build_substrate(config, seed)
        self.rng = random.Random(f"{seed}/faults")
        faults = config.faults
        execution = list(self.substrate.execution)
        chosen = self.rng.sample(execution, faults.byzantine_execution + faults.crashed_execution)
        self.byzantine_nodes = frozenset(chosen[: faults.byzantine_execution])
        self.crashed_nodes = frozenset(chosen[faults.byzantine_execution :])
        self.decisions: dict[Instance, Allocation] = {}
        self.suspected: set[str] = set()
        """Execution nodes seen not signing a block: left out of later allocations (§IV-G)."""
        self.hierarchy: Hierarchy | None = None
        if config.hierarchy:
            self.hierarchy = build(
                [
                    ExecutionNode(n.id, n.region)
                    for n in self.substrate.nodes
                    if n.role == NodeRole.EXECUTION
                ],
                max(config.local_group_size, 2),
            )

    def decide(self, instance: Instance) -> Allocation:
        """Return the allocator's decision on ``instance``, solving each instance once."""
        known = self.decisions.get(instance)
        if known is None:
            known = self.allocator(instance)
            self.decisions[instance] = known
        return known

    def tick(self, stage: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(stage, done, total)

    def management_calibration(self) -> Calibration:
        faults = self.config.faults
        byz = tuple(range(faults.byzantine_management))
        return calibrate(
            self.config.management,
            byz,
            faults.behaviour,
            faults.loss,
            faults.partition_ms,
            self.config.signatures if not byz else "real",
            self.seed,
            self.substrate.epoch,
        )

    def group_calibration(self, members: tuple[str, ...], start: Fraction) -> Calibration:
        faults = self.config.faults
        down = tuple(
            i
            for i, m in enumerate(members)
            if m in self.byzantine_nodes
            or (m in self.crashed_nodes and start >= faults.crash_at_ms)
        )
        behaviour = (
            faults.behaviour
            if not any(members[i] in self.crashed_nodes for i in down)
            else "silent"
        )
        return calibrate(
            len(members), down, behaviour, faults.loss, faults.partition_ms, "ideal", self.seed
        )

    def nodes_at(self, time: Fraction) -> list[Node]:
        crash = self.config.faults.crash_at_ms
        return [
            n
            for n in self.substrate.nodes
            if not (n.id in self.crashed_nodes and time > crash) and n.id not in self.suspected
        ]


def allocate_epoch(
    run: PipelineState, epoch: int, demand: dict[str, int], base: Instance
) -> list[GroupChoice]:
    config = run.config
    decided = Fraction(epoch * config.epoch_ms)
    nodes = run.nodes_at(decided)
    streams = [
        _demand(run.substrate.streams[s], count, config.epoch_ms, base.rate_levels_ghz[-1])
        for s, count in sorted(demand.items())
        if count > 0
    ]
    choices: list[GroupChoice] = []
    remaining = streams
    if run.hierarchy is not None:
        remaining = []
        for group in run.hierarchy.groups:
            local_ids = {m.id for m in group.members}
            local_nodes = [n for n in nodes if n.id in local_ids]
            local_streams = [
                s
                for s in streams
                if s.origin == group.region
                and s.service_class not in GLOBAL_CLASSES
                and not any(c.stream == s.id for c in choices)
                and not s.private
            ]
            if not local_nodes or not local_streams:
                continue
            decision = run.decide(_instance(base, local_nodes, local_streams))
            for a in canonical(decision).assignments:
                choices.append(_choice(a.transaction, a.replicas, "local"))
        placed = {c.stream for c in choices}
        remaining = [s for s in streams if s.id not in placed]
    if remaining:
        decision = run.decide(_instance(base, nodes, remaining))
        for a in canonical(decision).assignments:
            choices.append(_choice(a.transaction, a.replicas, "top"))
    refused = [c for c in choices if not _may_run(c, run.substrate.streams[c.stream], run)]
    if refused:
        executors = [n for n in nodes if n.role == NodeRole.EXECUTION]
        again = [run.substrate.streams[c.stream] for c in refused]
        choices = [c for c in choices if c not in refused]
        decision = run.decide(_instance(base, executors, again))
        for a in canonical(decision).assignments:
            choices.append(_choice(a.transaction, a.replicas, "top"))
    return sorted(choices, key=lambda c: c.stream)


def _may_run(choice: GroupChoice, stream: TransactionStream, run: PipelineState) -> bool:
    """Tell whether a group may run a stream: a producer in it, management only if high security.

    §IV-B: only execution nodes produce user blocks, so a group needs one; §IV-G: management
    nodes join the execution group of high-security transactions only.
    """
    roles = [run.substrate.node(m).role for m in choice.members]
    if not any(PRODUCES_USER_BLOCKS[role] for role in roles):
        return False
    return stream.high_security or all(role == NodeRole.EXECUTION for role in roles)


def _choice(stream: str, replicas: Sequence[Replica], layer: str) -> GroupChoice:
    members = tuple(r.node for r in replicas)
    rates = tuple(r.rate_ghz for r in replicas)
    return GroupChoice(stream, members, rates, layer)


def producer_of(
    members: Sequence[str], roles: dict[str, NodeRole], down: frozenset[str]
) -> str | None:
    """Return the group member that produces its user blocks: the first live execution node."""
    for member in members:
        if PRODUCES_USER_BLOCKS[roles[member]] and member not in down:
            return member
    return None


def quorum_rate(rates: Sequence[Fraction]) -> Fraction:
    """Return the rate at which a quorum of a group has executed a block: the q-th fastest."""
    ordered = sorted(rates, reverse=True)
    return ordered[quorum_size(len(ordered)) - 1]
