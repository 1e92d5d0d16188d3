"""Record what a run of the system did: transactions, blocks, decisions and tier figures (Fig. 3).

Plain frozen data, JSON-serialisable through :mod:`vdlt_spec.serial`; the trace
(:mod:`vdlt_spec.system.trace`) and the metrics (:mod:`vdlt_spec.system.metrics`) read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from vdlt_spec.cos import ServiceClass
from vdlt_spec.crypto import Certificate
from vdlt_spec.queuing import CbwfqConfig


class Architecture(StrEnum):
    """Name the two systems the simulator runs side by side (§II-D, §III-B)."""

    VDLT = "vdlt"
    COUPLED = "coupled"


class TxStatus(StrEnum):
    """Say where a submitted transaction ended (conservation: every one is one of these)."""

    CONFIRMED = "confirmed"
    DROPPED = "dropped"
    PENDING = "pending"


@dataclass(frozen=True)
class TxRecord:
    """Follow one transaction through the pipeline (§III-A .. §IV-G).

    ``declared``/``effective``: its class before and after reclassification; ``stream``: the
    contract stream it invokes; ``queued``: when the control layer's CBWFQ link finished it;
    ``ordered``: the management block that ordered it; ``epoch``: the allocation it ran under;
    ``block``: the user block that carries it; ``confirmed``: when that block's certificate
    formed; ``reason``: why it was dropped or is pending; ``cost``: tokens paid for it.
    """

    id: int
    sender: str
    declared: ServiceClass
    effective: ServiceClass
    reclassified: str
    size: int
    arrival: Fraction
    stream: str
    status: TxStatus
    reason: str = ""
    queued: Fraction | None = None
    ordered: int | None = None
    epoch: int | None = None
    block: int | None = None
    confirmed: Fraction | None = None
    cost: Fraction = Fraction(0)

    @property
    def latency(self) -> Fraction | None:
        """Return confirmation latency in ms: confirmed minus arrival (None if unconfirmed)."""
        return None if self.confirmed is None else self.confirmed - self.arrival


@dataclass(frozen=True)
class OrderBlock:
    """Record one block of the ordering group: its transactions and commit certificate (§IV-D)."""

    seq: int
    closed: Fraction
    committed: Fraction | None
    txs: tuple[int, ...]
    digest: bytes
    certificate: Certificate | None


@dataclass(frozen=True)
class GroupChoice:
    """Name the execution group an allocation gives a stream (§IV-E, §IV-G)."""

    stream: str
    members: tuple[str, ...]
    rates: tuple[Fraction, ...]
    layer: str = "top"


@dataclass(frozen=True)
class AllocationRecord:
    """Record one certified allocation decision: its epoch, groups and certificate (§IV-E)."""

    epoch: int
    decided: Fraction
    certified: Fraction | None
    groups: tuple[GroupChoice, ...]
    digest: bytes
    certificate: Certificate | None


@dataclass(frozen=True)
class UserBlock:
    """Record one user transaction block: producer, group, transactions, certificate (§IV-G)."""

    index: int
    chain: str
    epoch: int
    stream: str
    group: tuple[str, ...]
    group_seed: int
    producer: str
    height: int
    txs: tuple[int, ...]
    started: Fraction
    confirmed: Fraction | None
    digest: bytes
    certificate: Certificate | None


@dataclass(frozen=True)
class TierFigures:
    """Count one tier's traffic and work: decisions, messages, bytes, per-node load (§II-D)."""

    decisions: int
    messages: int
    bytes: int
    load: dict[str, int]


@dataclass(frozen=True)
class Penalty:
    """Record one slash the run's evidence led to (§IV-J)."""

    offender: str
    reporter: str
    offence: str
    slashed: int
    reward: int


@dataclass(frozen=True)
class SystemRun:
    """Hold everything one run produced, in the order it happened (§III-B, Fig. 3)."""

    architecture: Architecture
    seed: int
    signatures: str
    epoch: int
    management: tuple[str, ...]
    execution: tuple[str, ...]
    roles: dict[str, str]
    txs: tuple[TxRecord, ...]
    order_blocks: tuple[OrderBlock, ...]
    allocations: tuple[AllocationRecord, ...]
    user_blocks: tuple[UserBlock, ...]
    management_tier: TierFigures
    execution_tier: TierFigures
    top_decisions: int
    local_decisions: int
    penalties: tuple[Penalty, ...]
    queue_config: CbwfqConfig | None
    notes: tuple[str, ...] = ()
