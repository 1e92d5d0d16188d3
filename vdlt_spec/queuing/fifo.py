"""Serve transactions from one FIFO queue with tail drop: the baseline without classes (§I).

This is what a system that only raises throughput does with congestion: every transaction
waits behind every earlier one, whatever its class. The departures follow
``d_n = max(a_n, d_(n-1)) + L_n / rate``; with a limit, a transaction is dropped iff the queue
already holds ``limit`` waiting transactions (the one in service not counted), the same
convention as :mod:`vdlt_spec.queuing.scheduler`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from fractions import Fraction

from vdlt_spec.cos import Transaction
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.exact import as_fraction, as_int
from vdlt_spec.queuing.scheduler import Departure, Drop, Schedule, prepare_arrivals


def fifo_run(rate: Fraction, arrivals: Iterable[Transaction], limit: int | None = None) -> Schedule:
    """Schedule a workload through one FIFO queue of ``limit`` places, unbounded if None (§I)."""
    rate = as_fraction(rate, "rate")
    if rate <= 0:
        raise SpecError(Reason.NON_POSITIVE_RATE, f"rate must be > 0, got {rate}")
    if limit is not None and as_int(limit, "limit") <= 0:
        raise SpecError(Reason.NON_POSITIVE_LIMIT, f"limit must be >= 1, got {limit}")
    departures: list[Departure] = []
    drops: list[Drop] = []
    not_started: deque[Fraction] = deque()  # start times of admitted, not yet started
    last_finish = Fraction(0)
    for tx in prepare_arrivals(arrivals):
        while not_started and not_started[0] <= tx.arrival:
            not_started.popleft()
        if limit is not None and len(not_started) >= limit:
            drops.append(Drop(tx.id, tx.service_class, tx.arrival))
            continue
        start = max(tx.arrival, last_finish)
        last_finish = start + tx.size / rate
        departures.append(Departure(tx.id, tx.service_class, start, last_finish))
        if start > tx.arrival:
            not_started.append(start)
    return Schedule(tuple(departures), tuple(drops))
