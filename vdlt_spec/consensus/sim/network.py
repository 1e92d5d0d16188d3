"""Simulate a deterministic asynchronous network: delays, loss, duplication, partitions, crashes.

Everything random comes from one seeded ``random.Random``: the same seed gives the same
schedule, event for event. Time is an integer tick count. Reordering is a consequence of
independent random delays. A partition separates groups of replicas between two times (it
heals at its end); a crash stops a replica between two times (its state survives, its timers
do not). Messages are dropped at delivery if the endpoints are partitioned or the target is
down. Loopback (a replica to itself) is immediate, lossless and not counted.
"""

from __future__ import annotations

import heapq
import random
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction

from vdlt_spec.consensus.config import DEFAULT_TICK_DELAY
from vdlt_spec.consensus.messages import Message, wire_size
from vdlt_spec.consensus.replica.state import Timer
from vdlt_spec.errors import Reason, SpecError

DEFAULT_MIN_DELAY = 1
DEFAULT_MAX_DELAY = DEFAULT_TICK_DELAY


@dataclass(frozen=True)
class NetworkParams:
    """Fix the delay range and the loss and duplication probabilities of links (§III-D).

    ``loss_until`` ends message loss at that time (None: links lose messages for the whole
    run). With probability ``tail`` a message is held up to ``tail_delay`` ticks more (a slow
    path: messages delayed across views). PBFT is live only after the network delivers again
    (its global stabilisation time), so liveness is judged in runs whose loss ends (D-cons-13);
    under sustained loss only retransmission keeps deciding.
    """

    min_delay: int = DEFAULT_MIN_DELAY
    max_delay: int = DEFAULT_MAX_DELAY
    loss: Fraction = Fraction(0)
    duplication: Fraction = Fraction(0)
    loss_until: int | None = None
    tail: Fraction = Fraction(0)
    tail_delay: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.min_delay <= self.max_delay:
            raise SpecError(
                Reason.BAD_CONSENSUS_PARAMETER,
                f"need 0 <= min_delay <= max_delay: {self.min_delay}, {self.max_delay}",
            )
        if self.tail_delay < 0:
            raise SpecError(
                Reason.BAD_CONSENSUS_PARAMETER, f"tail_delay must be >= 0: {self.tail_delay}"
            )
        for name, p in (
            ("loss", self.loss),
            ("duplication", self.duplication),
            ("tail", self.tail),
        ):
            if not 0 <= p < 1:
                raise SpecError(Reason.BAD_CONSENSUS_PARAMETER, f"{name} must be in [0, 1): {p}")
        if self.loss_until is not None and self.loss_until < 0:
            raise SpecError(
                Reason.BAD_CONSENSUS_PARAMETER, f"loss_until must be >= 0: {self.loss_until}"
            )


@dataclass(frozen=True)
class Partition:
    """Separate ``groups`` (replicas in no group form one more group) from start to end (§III-D)."""

    start: int
    end: int
    groups: tuple[tuple[int, ...], ...]

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise SpecError(
                Reason.BAD_CONSENSUS_PARAMETER,
                "a partition must start at a time >= 0 and end no earlier: "
                f"{self.start}..{self.end}",
            )


@dataclass(frozen=True)
class Crash:
    """Stop ``replica`` from start until end (never recovers if end is None) (§III-D)."""

    replica: int
    start: int
    end: int | None

    def __post_init__(self) -> None:
        if self.start < 0 or (self.end is not None and self.end <= self.start):
            raise SpecError(
                Reason.BAD_CONSENSUS_PARAMETER,
                f"a crash must start at a time >= 0 and recover after it (or never): "
                f"{self.start}..{self.end}",
            )


@dataclass(frozen=True)
class ClockSkew:
    """Run ``replica``'s timers at ``rate`` times their nominal delay (a skewed clock) (§III-D)."""

    replica: int
    rate: Fraction


@dataclass(frozen=True)
class FaultPlan:
    """List the partitions, crashes and skewed clocks of a run (§III-D)."""

    partitions: tuple[Partition, ...] = ()
    crashes: tuple[Crash, ...] = ()
    skews: tuple[ClockSkew, ...] = ()

    def heal_time(self) -> int:
        """Return the time after which no partition or (recovering) crash is active (§III-D)."""
        ends = [p.end for p in self.partitions] + [c.end for c in self.crashes if c.end is not None]
        return max(ends, default=0)


@dataclass(frozen=True, order=True)
class Delivery:
    """Deliver a message to ``target`` (§III-D)."""

    target: int
    source: int
    message: Message = field(compare=False)


@dataclass(frozen=True, order=True)
class TimerEvent:
    """Fire a timer of ``replica`` set during its ``incarnation`` (§III-D)."""

    replica: int
    incarnation: int
    timer: Timer = field(compare=False)


@dataclass(frozen=True, order=True)
class RecoverEvent:
    """Restart a crashed replica (§III-D)."""

    replica: int


@dataclass(frozen=True, order=True)
class CrashEvent:
    """Stop a replica (§III-D)."""

    replica: int


QueueItem = Delivery | TimerEvent | RecoverEvent | CrashEvent


@dataclass
class Traffic:
    """Count what replicas sent: messages and bytes in total and per message type (§III-D)."""

    messages: int = 0
    bytes: int = 0
    by_type: Counter[str] = field(default_factory=Counter)
    bytes_by_type: Counter[str] = field(default_factory=Counter)
    delivered: int = 0
    dropped: int = 0


class Network:
    """Order events by (time, insertion) and apply the link and fault model (seeded) (§III-D)."""

    def __init__(self, n: int, params: NetworkParams, plan: FaultPlan, rng: random.Random) -> None:
        """Create an idle network of n replicas; schedule the crashes and recoveries of ``plan``."""
        self.n = n
        self.params = params
        self.plan = plan
        self.rng = rng
        self.now = 0
        self.traffic = Traffic()
        self._queue: list[tuple[int, int, QueueItem]] = []
        self._counter = 0
        self.down: set[int] = set()
        self.incarnation = [0] * n
        for crash in plan.crashes:
            if not 0 <= crash.replica < n:
                raise SpecError(Reason.BAD_CONSENSUS_PARAMETER, f"crash of unknown {crash.replica}")
            self._push(crash.start, CrashEvent(crash.replica))
            if crash.end is not None:
                self._push(crash.end, RecoverEvent(crash.replica))
        self.rates = [Fraction(1)] * n
        for skew in plan.skews:
            if not 0 <= skew.replica < n or skew.rate <= 0:
                raise SpecError(
                    Reason.BAD_CONSENSUS_PARAMETER, f"bad clock skew {skew.replica}: {skew.rate}"
                )
            self.rates[skew.replica] = Fraction(skew.rate)

    def _push(self, time: int, item: QueueItem) -> None:
        heapq.heappush(self._queue, (time, self._counter, item))
        self._counter += 1

    def _chance(self, p: Fraction) -> bool:
        return p > 0 and self.rng.randrange(p.denominator) < p.numerator

    def connected(self, a: int, b: int, time: int) -> bool:
        """Return whether no active partition separates a and b at ``time`` (§III-D)."""
        for partition in self.plan.partitions:
            if partition.start <= time < partition.end:
                ga = next((i for i, g in enumerate(partition.groups) if a in g), -1)
                gb = next((i for i, g in enumerate(partition.groups) if b in g), -1)
                if ga != gb:
                    return False
        return True

    def transmit(self, source: int, target: int, message: Message) -> None:
        """Count a message, then schedule zero, one or two deliveries (§III-D)."""
        if source == target:
            self._push(self.now, Delivery(target, source, message))
            return
        size = wire_size(message)
        kind = type(message).__name__
        self.traffic.messages += 1
        self.traffic.bytes += size
        self.traffic.by_type[kind] += 1
        self.traffic.bytes_by_type[kind] += size
        until = self.params.loss_until
        if (until is None or self.now < until) and self._chance(self.params.loss):
            self.traffic.dropped += 1
            return
        copies = 2 if self._chance(self.params.duplication) else 1
        for _ in range(copies):
            delay = self.rng.randint(self.params.min_delay, self.params.max_delay)
            if self._chance(self.params.tail):
                delay += self.rng.randint(0, self.params.tail_delay)
            self._push(self.now + delay, Delivery(target, source, message))

    def inject(self, time: int, target: int, source: int, message: Message) -> None:
        """Schedule a delivery from outside the replica group (a client) (§III-D)."""
        self._push(time, Delivery(target, source, message))

    def set_timer(self, replica: int, timer: Timer, delay: int) -> None:
        """Schedule a timer of ``replica`` after ``delay`` ticks; a crash cancels it (§III-D).

        A skewed clock stretches or shrinks the delay (rounded up).
        """
        rate = self.rates[replica]
        if rate != 1:
            delay = -((-delay * rate.numerator) // rate.denominator)
        self._push(self.now + delay, TimerEvent(replica, self.incarnation[replica], timer))

    def pop(self) -> QueueItem | None:
        """Advance the clock to the next live event and return it (None when idle) (§III-D)."""
        while self._queue:
            time, _, item = heapq.heappop(self._queue)
            self.now = time
            if isinstance(item, CrashEvent):
                self.down.add(item.replica)
                self.incarnation[item.replica] += 1
                return item
            if isinstance(item, RecoverEvent):
                self.down.discard(item.replica)
                return item
            if isinstance(item, TimerEvent):
                if item.replica in self.down or item.incarnation != self.incarnation[item.replica]:
                    continue
                return item
            if item.target in self.down or (
                0 <= item.source < self.n and not self.connected(item.source, item.target, time)
            ):
                if item.source != item.target:
                    self.traffic.dropped += 1
                continue
            if item.source != item.target:
                self.traffic.delivered += 1
            return item
        return None

    def pending(self) -> int:
        """Return the number of queued events (§III-D)."""
        return len(self._queue)
