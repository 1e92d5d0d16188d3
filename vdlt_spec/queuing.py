"""Schedule transactions with class-based weighted fair queuing, CBWFQ (§IV-A, Fig. 7).

One FIFO queue per configured class, each with a bandwidth share and a queue limit; classes
that are not configured share one queue, *class-default* (D-queue-3). A transaction that finds
its queue full is dropped (tail drop). The link serves one transaction at a time at ``rate``
size units per unit of time; when it is free it takes the waiting transaction with the smallest
virtual finish tag, ties broken by admission order (D-queue-5). Tags follow the virtual clock
of the generalized processor sharing (GPS) fluid system, so every departure is at most
``L_max / rate`` after the transaction's GPS finish time (Parekh and Gallager, 1993).

All arithmetic is exact (``Fraction``). The scheduler is a pure function of (state, input):
:func:`offer`, :func:`advance` and :func:`drain` return a new state and the departures they
caused; :func:`run` folds them over a whole workload.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from fractions import Fraction
from functools import cached_property

from vdlt_spec.cos import ServiceClass, Transaction, as_service_class
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.exact import as_fraction, as_int

DEFAULT_QUEUE_LIMIT = 64
"""Transactions that may wait in one class queue: Cisco's default CBWFQ queue-limit (D-queue-4)."""

DEFAULT_RATE = Fraction(1)
"""Link rate in size units per unit of time; with rate 1, time is counted in size units."""

LINK_CAPACITY = Fraction(1)
"""The whole link as a share: the shares of all queues in use must fit in it."""

PERCENT = Fraction(1, 100)

VDLT_DEFAULT_SHARES: Mapping[ServiceClass, Fraction] = {
    ServiceClass.FAST_CONFIRMATION: 25 * PERCENT,
    ServiceClass.COMPUTATION_INTENSIVE: 10 * PERCENT,
    ServiceClass.STORAGE_INTENSIVE: 10 * PERCENT,
    ServiceClass.LOW_COST: 10 * PERCENT,
    ServiceClass.MANAGEMENT_CONTROL: 10 * PERCENT,
    ServiceClass.PRIVATE: 10 * PERCENT,
    ServiceClass.BEST_EFFORT: 24 * PERCENT,
    ServiceClass.SCAVENGER: 1 * PERCENT,
}
"""The vDLT default bandwidth share of each class (D-queue-2); they sum to the whole link."""


class ClassDefault(Enum):
    """Name the queue shared by every class that the configuration does not list (D-queue-3)."""

    CLASS_DEFAULT = "class-default"


CLASS_DEFAULT = ClassDefault.CLASS_DEFAULT
QueueKey = ServiceClass | ClassDefault


# --- configuration ----------------------------------------------------------------------------


def _positive_share(value: object, what: str) -> Fraction:
    share = as_fraction(value, what)
    if share <= 0:
        raise SpecError(Reason.NON_POSITIVE_WEIGHT, f"{what} must be > 0, got {share}")
    return share


def _positive_limit(value: object, what: str) -> int:
    limit = as_int(value, what)
    if limit <= 0:
        raise SpecError(Reason.NON_POSITIVE_LIMIT, f"{what} must be >= 1, got {limit}")
    return limit


@dataclass(frozen=True)
class ClassPolicy:
    """Configure one class queue: its bandwidth share of the link and its limit (§IV-A)."""

    service_class: ServiceClass
    share: Fraction
    limit: int = DEFAULT_QUEUE_LIMIT

    def __post_init__(self) -> None:
        cls = as_service_class(self.service_class)
        object.__setattr__(self, "service_class", cls)
        object.__setattr__(self, "share", _positive_share(self.share, f"share of {cls.name}"))
        object.__setattr__(self, "limit", _positive_limit(self.limit, f"limit of {cls.name}"))


@dataclass(frozen=True)
class DefaultPolicy:
    """Configure class-default; share ``None`` takes what listed classes leave (D-queue-3)."""

    share: Fraction | None = None
    limit: int = DEFAULT_QUEUE_LIMIT

    def __post_init__(self) -> None:
        if self.share is not None:
            object.__setattr__(self, "share", _positive_share(self.share, "class-default share"))
        object.__setattr__(self, "limit", _positive_limit(self.limit, "class-default limit"))


VDLT_DEFAULT_CLASSES = tuple(ClassPolicy(c, s) for c, s in VDLT_DEFAULT_SHARES.items())


@dataclass(frozen=True)
class CbwfqConfig:
    """Configure a CBWFQ link: its rate, the listed class queues and class-default (§IV-A).

    Rejected with a reason: a non-positive rate, share or limit, an unknown or duplicate class,
    and shares of the queues in use that do not fit in the link (their sum exceeds 1).
    """

    rate: Fraction = DEFAULT_RATE
    classes: tuple[ClassPolicy, ...] = VDLT_DEFAULT_CLASSES
    class_default: DefaultPolicy = field(default_factory=DefaultPolicy)

    def __post_init__(self) -> None:
        rate = as_fraction(self.rate, "rate")
        if rate <= 0:
            raise SpecError(Reason.NON_POSITIVE_RATE, f"rate must be > 0, got {rate}")
        object.__setattr__(self, "rate", rate)
        classes = tuple(self.classes)
        for policy in classes:
            if not isinstance(policy, ClassPolicy):
                raise SpecError(Reason.UNKNOWN_CLASS, f"not a class policy: {policy!r}")
        listed = [p.service_class for p in classes]
        duplicates = sorted({c.name for c in listed if listed.count(c) > 1})
        if duplicates:
            raise SpecError(Reason.DUPLICATE_CLASS, f"configured twice: {', '.join(duplicates)}")
        object.__setattr__(self, "classes", classes)
        if not isinstance(self.class_default, DefaultPolicy):
            raise SpecError(Reason.SCHEMA_VIOLATION, "class_default must be a DefaultPolicy")
        reserved = sum((p.share for p in classes), Fraction(0))
        if reserved > LINK_CAPACITY:
            raise SpecError(
                Reason.SHARES_EXCEED_CAPACITY,
                f"class shares sum to {reserved} > {LINK_CAPACITY} of the link",
            )
        if self.unlisted_classes:
            total = reserved + self.default_share
            if self.default_share <= 0 or total > LINK_CAPACITY:
                raise SpecError(
                    Reason.SHARES_EXCEED_CAPACITY,
                    f"class-default (carrying {', '.join(c.name for c in self.unlisted_classes)})"
                    f" needs a share > 0 within the link: listed classes take {reserved},"
                    f" class-default {self.default_share}, the link is {LINK_CAPACITY}",
                )

    @cached_property
    def unlisted_classes(self) -> tuple[ServiceClass, ...]:
        """Return the classes that fall into class-default, highest bits first (§IV-A)."""
        listed = {p.service_class for p in self.classes}
        return tuple(c for c in ServiceClass if c not in listed)

    @cached_property
    def default_share(self) -> Fraction:
        """Return class-default's share: as set, else what listed classes leave (§IV-A)."""
        if self.class_default.share is not None:
            return self.class_default.share
        return LINK_CAPACITY - sum((p.share for p in self.classes), Fraction(0))

    @cached_property
    def queue_keys(self) -> tuple[QueueKey, ...]:
        """Return the queues in use: listed classes, then class-default if used (§IV-A)."""
        keys: list[QueueKey] = [p.service_class for p in self.classes]
        if self.unlisted_classes:
            keys.append(CLASS_DEFAULT)
        return tuple(keys)

    @cached_property
    def shares(self) -> Mapping[QueueKey, Fraction]:
        """Return the share of every queue in use (§IV-A)."""
        result: dict[QueueKey, Fraction] = {p.service_class: p.share for p in self.classes}
        if self.unlisted_classes:
            result[CLASS_DEFAULT] = self.default_share
        return result

    @cached_property
    def limits(self) -> Mapping[QueueKey, int]:
        """Return the queue limit of every queue in use (§IV-A)."""
        result: dict[QueueKey, int] = {p.service_class: p.limit for p in self.classes}
        if self.unlisted_classes:
            result[CLASS_DEFAULT] = self.class_default.limit
        return result

    def queue_of(self, service_class: ServiceClass) -> QueueKey:
        """Return the queue that carries a class: its own, or class-default (§IV-A, D-queue-3)."""
        return CLASS_DEFAULT if service_class in self.unlisted_classes else service_class


def default_config(rate: Fraction = DEFAULT_RATE) -> CbwfqConfig:
    """Return the vDLT default CBWFQ configuration on a link of ``rate`` (§IV-A, D-queue-2)."""
    return CbwfqConfig(rate=rate)


def fifo_config(rate: Fraction = DEFAULT_RATE, limit: int = DEFAULT_QUEUE_LIMIT) -> CbwfqConfig:
    """Return a configuration with no listed class: one FIFO queue, class-default (§I, §IV-A)."""
    return CbwfqConfig(rate=rate, classes=(), class_default=DefaultPolicy(limit=limit))


def scale_shares(config: CbwfqConfig, factor: Fraction) -> CbwfqConfig:
    """Return ``config`` with every share, class-default's included, times ``factor`` (§IV-A)."""
    factor = as_fraction(factor, "factor")
    default = config.class_default
    return replace(
        config,
        classes=tuple(replace(p, share=p.share * factor) for p in config.classes),
        class_default=replace(default, share=config.default_share * factor)
        if config.unlisted_classes
        else default,
    )


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
class Step:
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


def advance(config: CbwfqConfig, state: SchedulerState, time: Fraction) -> Step:
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
    return Step(new_state, tuple(departures))


def offer(config: CbwfqConfig, state: SchedulerState, tx: Transaction) -> Step:
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
        return Step(current, step.departures, Drop(tx.id, tx.service_class, tx.arrival))
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
    return Step(new_state, step.departures)


def drain(config: CbwfqConfig, state: SchedulerState) -> Step:
    """Serve the link until every admitted transaction has departed (§IV-A)."""
    departures: list[Departure] = []
    while state.in_service is not None:
        step = advance(config, state, state.in_service.finish)
        state = step.state
        departures.extend(step.departures)
    return Step(state, tuple(departures))


def prepare_arrivals(arrivals: Iterable[Transaction]) -> tuple[Transaction, ...]:
    """Check a workload (transactions, unique ids) and order it by arrival, stably (§IV-A).

    Transactions that arrive at the same time are offered in the order given.
    """
    items = tuple(arrivals)
    seen: set[int] = set()
    for tx in items:
        if not isinstance(tx, Transaction):
            raise SpecError(Reason.SCHEMA_VIOLATION, f"not a Transaction: {tx!r}")
        if tx.id in seen:
            raise SpecError(Reason.DUPLICATE_TRANSACTION, f"transaction id {tx.id} appears twice")
        seen.add(tx.id)
    return tuple(sorted(items, key=lambda tx: tx.arrival))


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
