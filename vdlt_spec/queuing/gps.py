"""Compute exact finish times under generalized processor sharing, GPS (§IV-A, reference).

GPS is the fluid ideal that weighted fair queuing approximates (Parekh and Gallager, 1993):
every backlogged flow is served at the same time, at ``rate * weight / (sum of backlogged
weights)``, each flow's packets one after another. This module simulates that fluid directly in
real time, with exact fractions and without any virtual clock, so it is an independent
reference for :mod:`vdlt_spec.queuing.scheduler`: a WFQ departure is never later than the
packet's GPS finish time plus ``L_max / rate``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import TypeVar

from vdlt_spec.cos import Transaction
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.queuing.config import CbwfqConfig
from vdlt_spec.queuing.scheduler import Schedule

Flow = TypeVar("Flow", bound=Hashable)


@dataclass
class _Backlog:
    """The fluid work left of one packet (internal, mutated as the fluid drains)."""

    id: int
    work: Fraction


def gps_finish_times(
    rate: Fraction,
    weights: Mapping[Flow, Fraction],
    packets: Iterable[tuple[int, Flow, int, Fraction]],
) -> dict[int, Fraction]:
    """Return the GPS finish time of every packet ``(id, flow, size, arrival)`` (§IV-A).

    Packets of one flow are served in arrival order (ties in the order given).
    """
    pending = sorted(packets, key=lambda p: p[3])
    for pid, flow, size, _ in pending:
        if flow not in weights:
            raise SpecError(Reason.UNKNOWN_CLASS, f"packet {pid}: flow {flow!r} has no weight")
        if size <= 0:
            raise SpecError(Reason.NON_POSITIVE_SIZE, f"packet {pid}: size {size}")
    remaining: dict[Flow, deque[_Backlog]] = {f: deque() for f in weights}
    finish: dict[int, Fraction] = {}
    now = Fraction(0)
    next_arrival = 0
    while next_arrival < len(pending) or any(remaining.values()):
        backlogged = [f for f, q in remaining.items() if q]
        if not backlogged:
            now = max(now, pending[next_arrival][3])
        else:
            total = sum(weights[f] for f in backlogged)
            speed = {f: rate * weights[f] / total for f in backlogged}
            step = min(remaining[f][0].work / speed[f] for f in backlogged)
            if next_arrival < len(pending):
                step = min(step, pending[next_arrival][3] - now)
            now += step
            for f in backlogged:
                head = remaining[f][0]
                head.work -= speed[f] * step
                if head.work == 0:
                    remaining[f].popleft()
                    finish[head.id] = now
        while next_arrival < len(pending) and pending[next_arrival][3] <= now:
            pid, flow, size, _ = pending[next_arrival]
            remaining[flow].append(_Backlog(pid, Fraction(size)))
            next_arrival += 1
    return finish


def cbwfq_gps_finish_times(
    config: CbwfqConfig, arrivals: Iterable[Transaction], schedule: Schedule
) -> dict[int, Fraction]:
    """Return the GPS finish time of every transaction ``schedule`` admitted (§IV-A).

    The fluid system gets the same admitted transactions on the same queues with the same
    shares; dropped transactions never enter it.
    """
    dropped = {d.id for d in schedule.drops}
    packets = [
        (tx.id, config.queue_of(tx.service_class), tx.size, tx.arrival)
        for tx in arrivals
        if tx.id not in dropped
    ]
    return gps_finish_times(config.rate, config.shares, packets)
