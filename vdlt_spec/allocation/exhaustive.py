"""Find the optimum of a small instance by exhaustive enumeration through the evaluator (§IV-E).

The readable oracle beside the MILP: every allocation is enumerated (each
transaction: not admitted, or any control level, any group of distinct nodes, any rate level
per replica) and scored by :func:`vdlt_spec.allocation.evaluator.evaluate`. Two prunings keep
it exact: a placement whose own per-transaction constraints fail can be in no feasible
allocation (the evaluator reports them unchanged inside a full allocation), and a partial
allocation that already exceeds a node's or the control tier's capacity stays infeasible as
transactions are added (usage only grows). C1 is not monotone, so it is judged on full
allocations only. Exponential: meant for a handful of transactions and nodes.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction

from vdlt_spec.allocation import quantities as q
from vdlt_spec.allocation.decision import Allocation, Assignment, Replica
from vdlt_spec.allocation.evaluator import (
    PLACEMENT_CONSTRAINTS,
    Constraint,
    Evaluation,
    evaluate,
    transaction_reports,
)
from vdlt_spec.allocation.instance import Instance, TransactionStream
from vdlt_spec.errors import Reason, SpecError

#: Refuse instances whose enumeration would not finish in reasonable time.
MAX_PLACEMENTS = 200_000
#: Constraints judged on a transaction's placement alone.
LOCAL = PLACEMENT_CONSTRAINTS | {Constraint.RATE_LEVEL, Constraint.CONTROL_LEVEL}


@dataclass(frozen=True)
class Optimum:
    """Hold the exhaustive result: best feasible allocation (or None), count scored (§IV-E)."""

    allocation: Allocation | None
    evaluation: Evaluation | None
    allocations_scored: int


def placements(instance: Instance, tx: TransactionStream) -> Iterator[Assignment]:
    """Yield every placement of a transaction: control level, group, rate per replica (§IV-E)."""
    ids = [n.id for n in instance.nodes]
    for control in instance.control_levels_ghz:
        for k in range(1, len(ids) + 1):
            for group in itertools.combinations(ids, k):
                for rates in itertools.product(instance.rate_levels_ghz, repeat=k):
                    yield Assignment(
                        tx.id,
                        control,
                        tuple(Replica(n, r) for n, r in zip(group, rates, strict=True)),
                    )


def locally_feasible(instance: Instance, tx: TransactionStream) -> list[Assignment]:
    """Return the placements of ``tx`` whose per-transaction constraints all hold (§IV-E)."""
    out = []
    for count, a in enumerate(placements(instance, tx)):
        if count > MAX_PLACEMENTS:
            raise SpecError(
                Reason.PARAMETER_OUT_OF_RANGE,
                f"instance too large to enumerate (> {MAX_PLACEMENTS} placements of {tx.id})",
            )
        reports = transaction_reports(instance, tx, a)
        if all(r.satisfied for r in reports if r.constraint in LOCAL):
            out.append(a)
    return out


def _fits(instance: Instance, chosen: list[Assignment]) -> bool:
    cpu: dict[str, Fraction] = {}
    disk: dict[str, Fraction] = {}
    link: dict[str, Fraction] = {}
    control = Fraction(0)
    for a in chosen:
        tx = instance.transaction(a.transaction)
        control += a.control_ghz
        for r in a.replicas:
            cpu[r.node] = cpu.get(r.node, Fraction(0)) + r.rate_ghz
            disk[r.node] = disk.get(r.node, Fraction(0)) + tx.storage_gb
            link[r.node] = link.get(r.node, Fraction(0)) + q.link_demand_mbps(tx)
    if control > instance.control_capacity_ghz:
        return False
    return all(
        cpu.get(n.id, 0) <= n.cpu_ghz
        and disk.get(n.id, 0) <= n.storage_gb
        and link.get(n.id, 0) <= n.bandwidth_mbps
        for n in instance.nodes
    )


def exhaustive_optimum(instance: Instance) -> Optimum:
    """Return the best feasible allocation by enumerating all of them (§IV-E; ties: first)."""
    options: list[list[Assignment | None]] = []
    for tx in instance.transactions:
        local: list[Assignment | None] = list(locally_feasible(instance, tx))
        options.append(local if tx.mandatory else [None, *local])
    best: tuple[Allocation, Evaluation] | None = None
    scored = 0

    def walk(index: int, chosen: list[Assignment]) -> None:
        nonlocal best, scored
        if not _fits(instance, chosen):
            return
        if index == len(options):
            allocation = Allocation(tuple(chosen))
            ev = evaluate(instance, allocation)
            scored += 1
            if ev.feasible and (best is None or ev.objective > best[1].objective):
                best = (allocation, ev)
            return
        for option in options[index]:
            walk(index + 1, chosen if option is None else [*chosen, option])

    walk(0, [])
    if best is None:
        return Optimum(None, None, scored)
    return Optimum(best[0], best[1], scored)
