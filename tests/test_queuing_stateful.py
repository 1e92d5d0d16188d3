"""Stateful test of the step-wise CBWFQ scheduler: offer, advance, drain in any order (§IV-A)."""

from __future__ import annotations

from fractions import Fraction
from itertools import pairwise

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from vdlt_spec.cos import ServiceClass, Transaction, cos_byte
from vdlt_spec.queuing import (
    CbwfqConfig,
    Departure,
    QueueKey,
    SchedulerState,
    advance,
    drain,
    initial_state,
    offer,
)
from vdlt_spec.strategies import cbwfq_configs, reserved_values, service_classes

steps = st.fractions(min_value=0, max_value=4, max_denominator=3)


class CbwfqMachine(RuleBasedStateMachine):
    """Drive the scheduler step by step; check conservation, FIFO, drops, work conservation."""

    config: CbwfqConfig
    state: SchedulerState

    @initialize(config=cbwfq_configs(max_limit=4))
    def start(self, config: CbwfqConfig) -> None:
        self.config = config
        self.state = initial_state(config)
        self.next_id = 0
        self.offered = 0
        self.departed: list[int] = []
        self.dropped: list[int] = []
        self.admitted: dict[QueueKey, list[int]] = {k: [] for k in config.queue_keys}
        self.served: dict[QueueKey, list[int]] = {k: [] for k in config.queue_keys}
        self.queue_of_id: dict[int, QueueKey] = {}
        self.size_of_id: dict[int, int] = {}
        self.last_finish = Fraction(0)

    def _record(self, departures: tuple[Departure, ...]) -> None:
        for d in departures:
            assert d.id not in self.departed, f"transaction {d.id} departs twice"
            assert d.start >= self.last_finish, "two transmissions overlap"
            assert d.finish == d.start + self.size_of_id[d.id] / self.config.rate
            self.last_finish = d.finish
            self.departed.append(d.id)
            self.served[self.queue_of_id[d.id]].append(d.id)

    @rule(cls=service_classes, reserved=reserved_values, size=st.integers(1, 4), wait=steps)
    def offer_one(self, cls: ServiceClass, reserved: int, size: int, wait: Fraction) -> None:
        arrival = self.state.now + wait
        tx = Transaction(self.next_id, "node", cos_byte(cls, reserved), size, arrival)
        self.next_id += 1
        self.offered += 1
        key = self.config.queue_of(cls)
        before = advance(self.config, self.state, arrival)
        full = before.state.queue_length(key) >= self.config.limits[key]
        step = offer(self.config, self.state, tx)
        assert step.departures == before.departures
        self._record(step.departures)
        assert (step.drop is not None) == full, "a drop happens iff the class queue is full"
        if step.drop is not None:
            assert step.drop.id == tx.id and step.drop.service_class is cls
            assert step.drop.time == arrival
            assert step.state == before.state, "a drop changes nothing, in no other class"
            self.dropped.append(tx.id)
        else:
            for other in self.config.queue_keys:
                if other != key:
                    assert step.state.waiting[other] == before.state.waiting[other]
            self.admitted[key].append(tx.id)
            self.queue_of_id[tx.id] = key
            self.size_of_id[tx.id] = size
        self.state = step.state

    @rule(wait=steps)
    def advance_time(self, wait: Fraction) -> None:
        step = advance(self.config, self.state, self.state.now + wait)
        assert step.state.vtime >= self.state.vtime
        self._record(step.departures)
        self.state = step.state

    @precondition(lambda self: self.state.backlog > 0)
    @rule()
    def drain_all(self) -> None:
        step = drain(self.config, self.state)
        self._record(step.departures)
        self.state = step.state
        assert self.state.backlog == 0

    @invariant()
    def conservation(self) -> None:
        assert self.offered == len(self.departed) + len(self.dropped) + self.state.backlog
        assert self.state.admitted == self.offered - len(self.dropped)

    @invariant()
    def fifo_within_each_queue(self) -> None:
        for key, served in self.served.items():
            assert served == self.admitted[key][: len(served)]
        for key, waiting in self.state.waiting.items():
            assert [w.seq for w in waiting] == sorted(w.seq for w in waiting)
            assert all(a.tag < b.tag for a, b in pairwise(waiting))
            assert len(waiting) <= self.config.limits[key]

    @invariant()
    def work_conserving(self) -> None:
        busy = self.state.in_service
        if busy is None:
            assert all(not q for q in self.state.waiting.values()), "idle with work waiting"
        else:
            assert busy.start <= self.state.now < busy.finish


CbwfqMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)
TestCbwfqMachine = CbwfqMachine.TestCase
