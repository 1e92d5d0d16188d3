"""Schedule transactions with class-based weighted fair queuing, CBWFQ (§IV-A, Fig. 7).

A transaction that finds its queue full is dropped (tail drop). The link serves one
transaction at a time at ``rate`` size units per unit of time; when it is free it takes the
waiting transaction with the smallest virtual finish tag, ties broken by admission order
(D-queue-5). Tags follow the virtual clock of the generalized processor sharing (GPS) fluid
system, so every departure is at most ``L_max / rate`` after the transaction's GPS finish time
(Parekh and Gallager, 1993).

All arithmetic is exact (``Fraction``). The scheduler is a pure function of (state, input):
:func:`offer`, :func:`advance` and :func:`drain` return a :class:`SchedulerTransition` (the new
state and the departures it caused); :func:`run` folds them over a whole workload.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from fractions import Fraction

from vdlt_spec.cos import ServiceClass, Transaction
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.exact import as_fraction
from vdlt_spec.queuing.config import CbwfqConfig, QueueKey

# --- what the scheduler produces --------------------------------------------------------------


@dataclass(frozen=True)
class Departure:
    """Record one transmitted transaction: its class and when its service started and ended."""

    id: int
    service_class: ServiceClass
    start: Fraction
    finish: Fraction


@dataclass(frozen=True)
class Drop:
    """Record one transaction refused by tail drop because its queue was full (§IV-A)."""

    id: int
    service_class: ServiceClass
    time: Fraction


@dataclass(frozen=True)
class Schedule:
    """Hold the outcome of a run: departures in order of service, drops in order of arrival."""

    departures: tuple[Departure, ...]
    drops: tuple[Drop, ...]


# --- scheduler state --------------------------------------------------------------------------


@dataclass(frozen=True)
class Waiting:
    """Hold an admitted transaction with its virtual finish tag and admission number."""

    tx: Transaction
    tag: Fraction
    seq: int


@dataclass(frozen=True)
class SchedulerState:
    """Hold everything the scheduler knows at time ``now`` (all values exact).

    ``vtime`` is the GPS virtual time at ``now``; ``last_tag`` the finish tag of the last
    transaction admitted to each queue; ``waiting`` each queue's FIFO (the transaction in
    service is no longer in its queue); ``admitted`` counts admissions and numbers them.
    """

    now: Fraction
    vtime: Fraction
    last_tag: Mapping[QueueKey, Fraction]
    waiting: Mapping[QueueKey, tuple[Waiting, ...]]
    in_service: Departure | None
    admitted: int

    def queue_length(self, key: QueueKey) -> int:
        """Return how many transactions wait in queue ``key``, not the one in service (§IV-A)."""
        return len(self.waiting[key])

    @property
    def backlog(self) -> int:
        """Return how many admitted transactions have not departed yet (§IV-A)."""
        waiting = sum(len(q) for q in self.waiting.values())
        return waiting + (self.in_service is not None)


@dataclass(frozen=True)
class SchedulerTransition:
    """Hold the new state and what one scheduler call produced."""

    state: SchedulerState
    departures: tuple[Departure, ...]
    drop: Drop | None = None


def initial_state(config: CbwfqConfig) -> SchedulerState:
    """Return the state of an idle link at time 0 with empty queues (§IV-A)."""
    zero = Fraction(0)
    return SchedulerState(
        now=zero,
        vtime=zero,
        last_tag={k: zero for k in config.queue_keys},
        waiting={k: () for k in config.queue_keys},
        in_service=None,
        admitted=0,
    )


# --- the GPS virtual clock --------------------------------------------------------------------


def gps_vtime(
    config: CbwfqConfig,
    last_tag: Mapping[QueueKey, Fraction],
    vtime: Fraction,
    elapsed: Fraction,
) -> Fraction:
    """Return the GPS virtual time ``elapsed`` after a moment when it was ``vtime`` (§IV-A).

    A queue is backlogged in the fluid system while its last tag is above the virtual time;
    the virtual time grows at ``rate / (sum of backlogged shares)`` and stands still when no
    queue is backlogged. Computed by work: in ``elapsed`` the fluid link does
    ``elapsed * rate`` units of work, split among backlogged queues in proportion to shares.
    """
    work = elapsed * config.rate
    while work > 0:
        backlogged = [k for k in config.queue_keys if last_tag[k] > vtime]
        if not backlogged:
            break
        weight = sum(config.shares[k] for k in backlogged)
        next_empty = min(last_tag[k] for k in backlogged)
        work_until_empty = (next_empty - vtime) * weight
        if work < work_until_empty:
            return vtime + work / weight
        work -= work_until_empty
        vtime = next_empty
    return vtime


# --- the scheduler ----------------------------------------------------------------------------


def _start_next(
    config: CbwfqConfig, waiting: dict[QueueKey, tuple[Waiting, ...]], at: Fraction
) -> Departure | None:
    """Take the head with the smallest (tag, admission number) and start serving it at ``at``."""
    heads = [(q[0].tag, q[0].seq, key) for key, q in waiting.items() if q]
    if not heads:
        return None
    _, _, key = min(heads)
    chosen = waiting[key][0]
    waiting[key] = waiting[key][1:]
    finish = at + chosen.tx.size / config.rate
    return Departure(chosen.tx.id, chosen.tx.service_class, at, finish)


def advance(config: CbwfqConfig, state: SchedulerState, time: Fraction) -> SchedulerTransition:
    """Serve the link up to ``time``: complete every service that ends by then (§IV-A).

    A service that ends exactly at ``time`` completes, and the next one starts, before any
    arrival at ``time`` is offered.
    """
    time = as_fraction(time, "time")
    if time < state.now:
        raise SpecError(Reason.TIME_NOT_MONOTONE, f"cannot go back from time {state.now} to {time}")
    waiting = dict(state.waiting)
    in_service = state.in_service
    departures: list[Departure] = []
    while in_service is not None and in_service.finish <= time:
        departures.append(in_service)
        in_service = _start_next(config, waiting, in_service.finish)
    vtime = gps_vtime(config, state.last_tag, state.vtime, time - state.now)
    new_state = replace(state, now=time, vtime=vtime, waiting=waiting, in_service=in_service)
    return SchedulerTransition(new_state, tuple(departures))


def offer(config: CbwfqConfig, state: SchedulerState, tx: Transaction) -> SchedulerTransition:
    """Bring one transaction to the link at its arrival time: admit it or tail-drop it (§IV-A).

    The link first serves up to the arrival. The transaction is dropped iff its queue already
    holds ``limit`` waiting transactions; otherwise it gets the tag
    ``max(last tag of its queue, V(arrival)) + size / share`` and joins the tail of its queue;
    an idle link starts serving at once.
    """
    if not isinstance(tx, Transaction):
        raise SpecError(Reason.SCHEMA_VIOLATION, f"not a Transaction: {tx!r}")
    step = advance(config, state, tx.arrival)
    current = step.state
    key = config.queue_of(tx.service_class)
    if current.queue_length(key) >= config.limits[key]:
        return SchedulerTransition(
            current, step.departures, Drop(tx.id, tx.service_class, tx.arrival)
        )
    tag = max(current.last_tag[key], current.vtime) + tx.size / config.shares[key]
    waiting = dict(current.waiting)
    waiting[key] = (*waiting[key], Waiting(tx, tag, current.admitted))
    in_service = current.in_service
    if in_service is None:
        in_service = _start_next(config, waiting, current.now)
    new_state = replace(
        current,
        last_tag={**current.last_tag, key: tag},
        waiting=waiting,
        in_service=in_service,
        admitted=current.admitted + 1,
    )
    return SchedulerTransition(new_state, step.departures)


def drain(config: CbwfqConfig, state: SchedulerState) -> SchedulerTransition:
    """Serve the link until every admitted transaction has departed (§IV-A)."""
    departures: list[Departure] = []
    while state.in_service is not None:
        step = advance(config, state, state.in_service.finish)
        state = step.state
        departures.extend(step.departures)
    return SchedulerTransition(state, tuple(departures))


def check_arrivals(arrivals: Iterable[Transaction]) -> tuple[Transaction, ...]:
    """Check a workload: transactions only, each id once; keep the order given (§IV-A)."""
    items = tuple(arrivals)
    seen: set[int] = set()
    for tx in items:
        if not isinstance(tx, Transaction):
            raise SpecError(Reason.SCHEMA_VIOLATION, f"not a Transaction: {tx!r}")
        if tx.id in seen:
            raise SpecError(Reason.DUPLICATE_TRANSACTION, f"transaction id {tx.id} appears twice")
        seen.add(tx.id)
    return items


def prepare_arrivals(arrivals: Iterable[Transaction]) -> tuple[Transaction, ...]:
    """Check a workload (transactions, unique ids) and order it by arrival, stably (§IV-A).

    Transactions that arrive at the same time are offered in the order given.
    """
    return tuple(sorted(check_arrivals(arrivals), key=lambda tx: tx.arrival))


def run(config: CbwfqConfig, arrivals: Iterable[Transaction]) -> Schedule:
    """Schedule a whole workload with CBWFQ and return every departure and drop (§IV-A, Fig. 7)."""
    state = initial_state(config)
    departures: list[Departure] = []
    drops: list[Drop] = []
    for tx in prepare_arrivals(arrivals):
        step = offer(config, state, tx)
        state = step.state
        departures.extend(step.departures)
        if step.drop is not None:
            drops.append(step.drop)
    departures.extend(drain(config, state).departures)
    return Schedule(tuple(departures), tuple(drops))
