"""Generate seeded, mixed-class transaction workloads for the scheduler (§III-A, §IV-A).

Randomness is an explicit ``random.Random``; the same spec and seed give the same workload.
Arrival times are multiples of ``1 / granularity`` (integers by default), so the workload is
exact and the integer fast path runs at full speed on it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction

from vdlt_spec.cos import (
    RESERVED_MASK,
    Sender,
    ServiceClass,
    Transaction,
    as_service_class,
    cos_byte,
)
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.exact import as_fraction, as_int
from vdlt_spec.roles import NodeRole

DEFAULT_MIX: tuple[tuple[ServiceClass, int], ...] = (
    (ServiceClass.FAST_CONFIRMATION, 20),
    (ServiceClass.COMPUTATION_INTENSIVE, 10),
    (ServiceClass.STORAGE_INTENSIVE, 10),
    (ServiceClass.LOW_COST, 15),
    (ServiceClass.MANAGEMENT_CONTROL, 5),
    (ServiceClass.PRIVATE, 5),
    (ServiceClass.BEST_EFFORT, 30),
    (ServiceClass.SCAVENGER, 5),
)
"""Relative frequency of each class in a mixed workload (all 8 classes present), Table II order."""

DEFAULT_LOAD = Fraction(9, 10)
DEFAULT_MAX_SIZE = 4
DEFAULT_SENDERS = 16
SUBTICKS = 1000
"""Resolution of the inter-arrival draw: gaps are uniform in sub-ticks, arrivals on ticks."""


@dataclass(frozen=True)
class WorkloadSpec:
    """Describe a mixed workload: how many, offered load, class mix, sizes, time grid."""

    count: int
    load: Fraction = DEFAULT_LOAD
    mix: tuple[tuple[ServiceClass, int], ...] = DEFAULT_MIX
    max_size: int = DEFAULT_MAX_SIZE
    granularity: int = 1
    senders: int = DEFAULT_SENDERS

    def __post_init__(self) -> None:
        if as_int(self.count, "count") < 0:
            raise SpecError(Reason.BAD_USAGE, f"count must be >= 0, got {self.count}")
        load = as_fraction(self.load, "load")
        if load <= 0:
            raise SpecError(Reason.BAD_USAGE, f"load must be > 0, got {load}")
        object.__setattr__(self, "load", load)
        mix = tuple((as_service_class(c), as_int(w, "mix weight")) for c, w in self.mix)
        if not mix or any(w < 0 for _, w in mix) or sum(w for _, w in mix) == 0:
            raise SpecError(Reason.BAD_USAGE, "mix needs non-negative weights, not all zero")
        object.__setattr__(self, "mix", mix)
        for name in ("max_size", "granularity", "senders"):
            if as_int(getattr(self, name), name) <= 0:
                raise SpecError(Reason.BAD_USAGE, f"{name} must be >= 1")


def sender_name(index: int) -> str:
    """Return the name of the ``index``-th sender of a mixed workload."""
    return f"node-{index}"


def workload_senders(spec: WorkloadSpec) -> dict[str, Sender]:
    """Return what the receiving node knows of a mixed workload's senders (§III-A).

    They are the honest nodes of one deployment (trust 1, not banned) registered in both node
    roles, so the default reclassification policy keeps every class they declare; a scenario
    with untrusted or banned senders passes its own directory to ``admission.admit``.
    """
    honest = Sender(Fraction(1), frozenset(NodeRole))
    return {sender_name(i): honest for i in range(spec.senders)}


def mixed_workload(
    spec: WorkloadSpec, rng: random.Random, rate: Fraction = Fraction(1)
) -> tuple[Transaction, ...]:
    """Return ``spec.count`` transactions offering about ``spec.load`` of a link (§IV-A).

    Sizes are uniform in 1..max_size; gaps between arrivals are uniform with the mean that
    gives the load, accumulated in sub-ticks and floored onto the time grid (so the load is
    met without rounding drift); classes follow the mix; reserved bits are random (§IV-A).
    """
    rate = as_fraction(rate, "rate")
    mean_size = Fraction(1 + spec.max_size, 2)
    mean_gap = mean_size * spec.granularity / (spec.load * rate)  # in ticks, exact
    max_gap = round(2 * mean_gap * SUBTICKS)  # gaps drawn in sub-ticks, times floored to ticks
    classes = [c for c, _ in spec.mix]
    weights = [w for _, w in spec.mix]
    drawn = rng.choices(classes, weights, k=spec.count)
    clock = 0
    result = []
    for i, service_class in enumerate(drawn):
        clock += rng.randint(0, max_gap)
        result.append(
            Transaction(
                id=i,
                sender=sender_name(rng.randrange(spec.senders)),
                cos=cos_byte(service_class, rng.randint(0, RESERVED_MASK)),
                size=rng.randint(1, spec.max_size),
                arrival=Fraction(clock // SUBTICKS, spec.granularity),
            )
        )
    return tuple(result)


def offered_load(arrivals: tuple[Transaction, ...], rate: Fraction) -> Fraction | None:
    """Return the work offered per unit of link capacity over the arrival span (§IV-A).

    ``None`` when the span is empty (fewer than two distinct arrival times).
    """
    if not arrivals:
        return None
    span = max(t.arrival for t in arrivals) - min(t.arrival for t in arrivals)
    if span == 0:
        return None
    return sum((t.size for t in arrivals), Fraction(0)) / (span * rate)


OVERLOAD_FAST_SIZE = 2
OVERLOAD_FAST_PERIOD = 10
OVERLOAD_FLOOD_SIZE = 3
OVERLOAD_FLOOD_PERIOD = 2
OVERLOAD_FLOOD_FIRST_ID = 10**6


def overload_workload(horizon: int) -> tuple[Transaction, ...]:
    """Return the overload scenario of §I: a best-effort flood beside steady fast confirmation.

    Best effort offers size 3 every 2 time units (1.5 times a rate-1 link); fast confirmation
    offers size 2 every 10 (a fifth of the link). At equal times the flood is offered first.
    """
    horizon = as_int(horizon, "horizon")
    flood = [
        Transaction(
            OVERLOAD_FLOOD_FIRST_ID + i,
            "flooder",
            cos_byte(ServiceClass.BEST_EFFORT),
            OVERLOAD_FLOOD_SIZE,
            Fraction(OVERLOAD_FLOOD_PERIOD * i),
        )
        for i in range(horizon // OVERLOAD_FLOOD_PERIOD)
    ]
    fast = [
        Transaction(
            i,
            "merchant",
            cos_byte(ServiceClass.FAST_CONFIRMATION),
            OVERLOAD_FAST_SIZE,
            Fraction(OVERLOAD_FAST_PERIOD * i),
        )
        for i in range(horizon // OVERLOAD_FAST_PERIOD)
    ]
    return (*flood, *fast)
