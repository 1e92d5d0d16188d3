"""Describe a decision of Eq. (1): which transactions run where, at which rates (§IV-E).

An :class:`Allocation` lists the admitted transactions; one absent is not admitted. For each
admitted transaction it names the control-tier rate rho_n that orders it and its replicas: the
execution nodes chosen by delta, each with the rate level it reserves (s, derived from delta).
Any allocator, exact or learned, produces this plain data and the evaluator scores it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from vdlt_spec.allocation.instance import meta


@dataclass(frozen=True)
class Replica:
    """Name one execution replica: the node and the rate level it reserves (§IV-E, s)."""

    node: str = field(metadata=meta("-", "node id"))
    rate_ghz: Fraction = field(metadata=meta("GHz", "reserved execution rate, one of the levels"))


@dataclass(frozen=True)
class Assignment:
    """Place one admitted transaction: its ordering rate rho_n and its replicas (§IV-E)."""

    transaction: str = field(metadata=meta("-", "transaction id"))
    control_ghz: Fraction = field(
        metadata=meta("GHz", "control-tier ordering rate rho_n, one of the control levels")
    )
    replicas: tuple[Replica, ...] = field(metadata=meta("-", "execution group chosen by delta"))


@dataclass(frozen=True)
class Allocation:
    """List the admitted transactions and their placement; absent means not admitted (§IV-E)."""

    assignments: tuple[Assignment, ...] = field(metadata=meta("-", "one entry per admitted tx"))


def canonical(allocation: Allocation) -> Allocation:
    """Return the allocation sorted by transaction, replicas by node (§IV-E)."""
    return Allocation(
        tuple(
            Assignment(
                a.transaction,
                a.control_ghz,
                tuple(sorted(a.replicas, key=lambda r: r.node)),
            )
            for a in sorted(allocation.assignments, key=lambda a: a.transaction)
        )
    )
