"""Audit a CBWFQ schedule against the properties every correct scheduler has (§IV-A).

Each function takes a configuration, the offered transactions and a schedule (from this
reference or from any other implementation) and returns the violations it found as short
sentences; an empty tuple means the property holds. The tests and ``vdlt verify`` use them on
the reference; an implementer can use them on their own scheduler's output.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from fractions import Fraction

from vdlt_spec.cos import Transaction
from vdlt_spec.queuing.config import CbwfqConfig, QueueKey
from vdlt_spec.queuing.gps import cbwfq_gps_finish_times
from vdlt_spec.queuing.scheduler import Schedule, prepare_arrivals


def conservation(arrivals: Iterable[Transaction], schedule: Schedule) -> tuple[str, ...]:
    """Check that every offered transaction departs or is dropped, exactly once (§IV-A)."""
    offered = {tx.id for tx in arrivals}
    outcomes = [d.id for d in schedule.departures] + [d.id for d in schedule.drops]
    problems = []
    seen: set[int] = set()
    for tid in outcomes:
        if tid in seen:
            problems.append(f"transaction {tid} leaves twice")
        elif tid not in offered:
            problems.append(f"transaction {tid} was never offered")
        seen.add(tid)
    problems.extend(f"transaction {tid} neither departs nor is dropped" for tid in offered - seen)
    return tuple(problems)


def single_server(
    config: CbwfqConfig, arrivals: Iterable[Transaction], schedule: Schedule
) -> tuple[str, ...]:
    """Check one transmission at a time, ``size / rate`` long, never before arrival (§IV-A)."""
    by_id = {tx.id: tx for tx in arrivals}
    problems = []
    previous_finish: Fraction | None = None
    for d in schedule.departures:
        tx = by_id.get(d.id)
        if tx is None:
            continue
        if d.start < tx.arrival:
            problems.append(f"transaction {d.id} starts at {d.start} before it arrives")
        if d.finish != d.start + tx.size / config.rate:
            problems.append(f"transaction {d.id} is served for {d.finish - d.start}")
        if d.service_class is not tx.service_class:
            problems.append(f"transaction {d.id} departs as {d.service_class.name}")
        if previous_finish is not None and d.start < previous_finish:
            problems.append(f"transaction {d.id} starts at {d.start} while the link is busy")
        previous_finish = d.finish
    return tuple(problems)


def work_conserving(arrivals: Iterable[Transaction], schedule: Schedule) -> tuple[str, ...]:
    """Check the link is never idle while an admitted transaction waits (§IV-A).

    Each service starts at the later of the previous finish and the earliest arrival among
    the transactions not yet served.
    """
    arrival = {tx.id: tx.arrival for tx in arrivals}
    served = [d for d in schedule.departures if d.id in arrival]
    earliest_remaining: list[Fraction] = []
    running: Fraction | None = None
    for d in reversed(served):
        a = arrival[d.id]
        running = a if running is None else min(running, a)
        earliest_remaining.append(running)
    earliest_remaining.reverse()
    problems = []
    previous_finish: Fraction | None = None
    for d, earliest in zip(served, earliest_remaining, strict=True):
        expected = earliest if previous_finish is None else max(previous_finish, earliest)
        if d.start != expected:
            problems.append(f"transaction {d.id} starts at {d.start}, link free at {expected}")
        previous_finish = d.finish
    return tuple(problems)


def fifo_per_queue(
    config: CbwfqConfig, arrivals: Iterable[Transaction], schedule: Schedule
) -> tuple[str, ...]:
    """Check that each queue serves its transactions in the order they were admitted (§IV-A)."""
    dropped = {d.id for d in schedule.drops}
    admitted: dict[QueueKey, list[int]] = defaultdict(list)
    for tx in prepare_arrivals(arrivals):
        if tx.id not in dropped:
            admitted[config.queue_of(tx.service_class)].append(tx.id)
    queue_of_id = {tid: key for key, ids in admitted.items() for tid in ids}
    served: dict[QueueKey, list[int]] = defaultdict(list)
    for d in schedule.departures:
        if d.id in queue_of_id:
            served[queue_of_id[d.id]].append(d.id)
    return tuple(
        f"queue {getattr(key, 'name', key)} serves {served[key]} but admitted {ids}"
        for key, ids in admitted.items()
        if served[key] != ids
    )


def tail_drops(
    config: CbwfqConfig, arrivals: Iterable[Transaction], schedule: Schedule
) -> tuple[str, ...]:
    """Check a transaction is dropped iff its own queue held ``limit`` waiting ones (§IV-A).

    Waiting at an arrival: admitted earlier to the same queue and not yet started (a service
    that starts at the same instant has started: completions come before arrivals).
    """
    start = {d.id: d.start for d in schedule.departures}
    dropped = {d.id for d in schedule.drops}
    admitted: dict[QueueKey, list[int]] = defaultdict(list)
    problems = []
    for tx in prepare_arrivals(arrivals):
        key = config.queue_of(tx.service_class)
        waiting = sum(1 for tid in admitted[key] if start.get(tid, tx.arrival) > tx.arrival)
        full = waiting >= config.limits[key]
        if full != (tx.id in dropped):
            verb = "dropped" if tx.id in dropped else "admitted"
            problems.append(
                f"transaction {tx.id} {verb} with {waiting} waiting of limit {config.limits[key]}"
            )
        if tx.id not in dropped:
            admitted[key].append(tx.id)
    return tuple(problems)


def gps_lateness(
    config: CbwfqConfig, arrivals: Iterable[Transaction], schedule: Schedule
) -> tuple[Fraction, Fraction]:
    """Return (max of departure - GPS finish, its bound L_max / rate) over admitted ones (§IV-A).

    Parekh and Gallager: a WFQ departure is at most ``L_max / rate`` after the GPS finish.
    """
    items = tuple(arrivals)
    gps = cbwfq_gps_finish_times(config, items, schedule)
    size = {tx.id: tx.size for tx in items}
    admitted_sizes = [size[d.id] for d in schedule.departures]
    if not admitted_sizes:
        return Fraction(0), Fraction(0)
    worst = max(d.finish - gps[d.id] for d in schedule.departures)
    return worst, max(admitted_sizes) / config.rate


def gps_bound(
    config: CbwfqConfig, arrivals: Iterable[Transaction], schedule: Schedule
) -> tuple[str, ...]:
    """Check every departure is at most ``L_max / rate`` after its GPS finish time (§IV-A)."""
    worst, bound = gps_lateness(config, arrivals, schedule)
    if worst > bound:
        return (f"a departure is {worst} after its GPS finish, more than L_max/r = {bound}",)
    return ()


def all_violations(
    config: CbwfqConfig, arrivals: Iterable[Transaction], schedule: Schedule
) -> tuple[str, ...]:
    """Run every audit of this module and return all violations found (§IV-A)."""
    items = tuple(arrivals)
    return (
        conservation(items, schedule)
        + single_server(config, items, schedule)
        + work_conserving(items, schedule)
        + fifo_per_queue(config, items, schedule)
        + tail_drops(config, items, schedule)
        + gps_bound(config, items, schedule)
    )
