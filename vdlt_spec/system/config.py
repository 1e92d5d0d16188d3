"""Configure one run of the vDLT system of Fig. 3: workload, tiers, allocator, faults (§III-B).

A :class:`SystemConfig` is plain data (a JSON object on the command line, ``--config FILE``):
every field has a default, so ``{}`` is a valid configuration. Times are milliseconds of the
simulated clock; one tick of the consensus simulator is one millisecond.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from vdlt_spec.consensus import BEHAVIOUR_CHOICES, Signatures
from vdlt_spec.cos import ServiceClass
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.exact import as_fraction, as_int
from vdlt_spec.queuing.workload import DEFAULT_MIX

DEFAULT_TRANSACTIONS = 2_000
DEFAULT_MANAGEMENT = 7
DEFAULT_EXECUTION = 40
DEFAULT_LOAD = Fraction(1, 2)
DEFAULT_ORDER_INTERVAL_MS = 20
"""The management group closes an ordering block every this many ms of departures (§III-D)."""
DEFAULT_EPOCH_MS = 5_000
"""One allocation decision per this many ms (§IV-E: per epoch)."""
DEFAULT_CONTRACTS = 4
"""Contracts per class: a transaction belongs to the stream (its class, sender mod this)."""
DEFAULT_MAX_BLOCK = 256
DEFAULT_ALLOCATOR = "per-class-greedy"
DEFAULT_SENDERS = 16
MIN_MANAGEMENT = 4
"""The smallest management group that tolerates one Byzantine delegate (3f < n)."""


@dataclass(frozen=True)
class Faults:
    """Name the faults of a run: Byzantine replicas per tier, crashes, loss, partitions (§III-D).

    ``byzantine_management`` delegates behave as ``behaviour`` in the management group;
    ``byzantine_execution`` execution nodes do in every execution group they join;
    ``crashed_execution`` execution nodes stop at ``crash_at_ms``; ``loss`` is the message
    loss probability of both tiers' networks; ``partition_ms`` cuts one replica of every group
    off for that long at the start of each calibrated run.
    """

    byzantine_management: int = 0
    byzantine_execution: int = 0
    behaviour: str = "silent"
    crashed_execution: int = 0
    crash_at_ms: int = 0
    loss: Fraction = Fraction(0)
    partition_ms: int = 0

    def __post_init__(self) -> None:
        for name in (
            "byzantine_management",
            "byzantine_execution",
            "crashed_execution",
            "crash_at_ms",
            "partition_ms",
        ):
            if as_int(getattr(self, name), name) < 0:
                raise SpecError(Reason.BAD_USAGE, f"{name} must be >= 0")
        if self.behaviour not in BEHAVIOUR_CHOICES:
            raise SpecError(
                Reason.BAD_USAGE,
                f"behaviour must be one of {', '.join(BEHAVIOUR_CHOICES)}, got {self.behaviour!r}",
            )
        loss = as_fraction(self.loss, "loss")
        if not 0 <= loss < 1:
            raise SpecError(Reason.BAD_USAGE, f"loss must be in [0, 1), got {loss}")
        object.__setattr__(self, "loss", loss)


@dataclass(frozen=True)
class ChainMix:
    """Name one virtual DLT system on the shared substrate: its chain, class mix, weight (§III-C).

    Its transactions are ``weight`` parts of the workload, from its own senders, with classes
    drawn from ``mix``; its contract streams, execution groups and signing domain are its own.
    """

    name: str
    mix: tuple[tuple[ServiceClass, int], ...] = DEFAULT_MIX
    weight: int = 1

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name or "/" in self.name:
            raise SpecError(
                Reason.BAD_USAGE, f"a chain name is non-empty, without '/': {self.name!r}"
            )
        if as_int(self.weight, "weight") < 1:
            raise SpecError(Reason.BAD_USAGE, f"chain {self.name}: weight must be >= 1")


@dataclass(frozen=True)
class SystemConfig:
    """Hold every figure of a run; any field may be left out (§III-B, Fig. 3)."""

    transactions: int = DEFAULT_TRANSACTIONS
    load: Fraction = DEFAULT_LOAD
    mix: tuple[tuple[ServiceClass, int], ...] = DEFAULT_MIX
    senders: int = DEFAULT_SENDERS
    untrusted_senders: int = 0
    management: int = DEFAULT_MANAGEMENT
    execution: int = DEFAULT_EXECUTION
    signatures: str = Signatures.IDEAL.value
    allocator: str = DEFAULT_ALLOCATOR
    order_interval_ms: int = DEFAULT_ORDER_INTERVAL_MS
    epoch_ms: int = DEFAULT_EPOCH_MS
    contracts: int = DEFAULT_CONTRACTS
    max_block: int = DEFAULT_MAX_BLOCK
    hierarchy: bool = False
    local_group_size: int = 8
    faults: Faults = field(default_factory=Faults)
    chains: tuple[ChainMix, ...] = ()

    def __post_init__(self) -> None:
        if as_int(self.transactions, "transactions") < 0:
            raise SpecError(Reason.BAD_USAGE, "transactions must be >= 0")
        load = as_fraction(self.load, "load")
        if load <= 0:
            raise SpecError(Reason.BAD_USAGE, f"load must be > 0, got {load}")
        object.__setattr__(self, "load", load)
        if as_int(self.management, "management") < MIN_MANAGEMENT:
            raise SpecError(Reason.BAD_USAGE, f"management must be >= {MIN_MANAGEMENT}")
        for name in (
            "execution",
            "senders",
            "order_interval_ms",
            "epoch_ms",
            "contracts",
            "max_block",
            "local_group_size",
        ):
            if as_int(getattr(self, name), name) < 1:
                raise SpecError(Reason.BAD_USAGE, f"{name} must be >= 1")
        if not 0 <= as_int(self.untrusted_senders, "untrusted_senders") <= self.senders:
            raise SpecError(Reason.BAD_USAGE, "untrusted_senders must be in 0..senders")
        Signatures.parse(self.signatures)
        if self.faults.byzantine_management * 3 >= self.management:
            raise SpecError(
                Reason.BAD_USAGE,
                f"byzantine_management must satisfy 3f < {self.management}"
                f" (got {self.faults.byzantine_management})",
            )
        if self.faults.byzantine_execution + self.faults.crashed_execution > self.execution:
            raise SpecError(Reason.BAD_USAGE, "more faulty execution nodes than execution nodes")
        names = [c.name for c in self.chains]
        if len(set(names)) != len(names):
            raise SpecError(Reason.BAD_USAGE, "virtual systems need distinct names")
