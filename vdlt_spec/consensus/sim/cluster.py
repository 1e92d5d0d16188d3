"""Drive a replica group by hand: an external scheduler picks every delivery and timer (§III-D).

Where :mod:`vdlt_spec.consensus.sim.scenario` draws the schedule from a seeded network model,
a :class:`Cluster` lets a test (or a Hypothesis state machine) choose it: which in-flight
message is delivered, dropped or duplicated, which timer fires, who crashes and recovers, when
requests arrive. This is how the properties explore adversarial schedules; safety must hold for
every one of them. ``accepted`` lists the new views honest replicas entered, in order.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from vdlt_spec.consensus.block import Request
from vdlt_spec.consensus.config import ConsensusConfig
from vdlt_spec.consensus.messages import ClientRequest, Message, NewView, ViewChange
from vdlt_spec.consensus.payloads import VoteKind
from vdlt_spec.consensus.quorum import QuorumProof, verify_proof
from vdlt_spec.consensus.replica.state import (
    CLIENT,
    Broadcast,
    Decide,
    Deliver,
    Fire,
    Recover,
    ReplicaEvent,
    ReplicaState,
    Send,
    StartTimer,
    Status,
    Timer,
)
from vdlt_spec.consensus.replica.transition import initial_state, step
from vdlt_spec.consensus.schemes import SignatureScheme
from vdlt_spec.consensus.sim.byzantine import Adversary, Behaviour


@dataclass(frozen=True)
class InFlight:
    """Hold a message on its way from ``source`` to ``target`` (§III-D)."""

    source: int
    target: int
    message: Message


@dataclass(frozen=True)
class Decision:
    """Record that ``replica`` committed ``digest`` at ``seq`` with ``proof`` (§III-D)."""

    replica: int
    seq: int
    view: int
    digest: bytes
    proof: QuorumProof


class Cluster:
    """Hold n replicas, the messages in flight and the armed timers; step on command (§III-D)."""

    def __init__(
        self,
        config: ConsensusConfig,
        scheme: SignatureScheme,
        byzantine: Mapping[int, Behaviour] | None = None,
        seed: int = 0,
    ) -> None:
        """Start n replicas at genesis; Byzantine ones run the given behaviours."""
        self.config = config
        self.scheme = scheme
        self.byzantine = dict(byzantine or {})
        self.adversary = Adversary(
            config, scheme, self.byzantine, random.Random(f"{seed}/byzantine")
        )
        self.states: list[ReplicaState] = [initial_state(i) for i in range(config.n)]
        self.inflight: list[InFlight] = []
        self.timers: list[tuple[int, Timer]] = []
        self.down: set[int] = set()
        self.decisions: list[Decision] = []
        self.view_changes: list[ViewChange] = []
        self.new_views: list[NewView] = []
        self.accepted: list[tuple[int, NewView]] = []
        self.requests = 0

    @property
    def honest(self) -> list[int]:
        """Return the indices of the honest replicas (§III-D)."""
        return [i for i in range(self.config.n) if i not in self.byzantine]

    def _run(self, replica: int, event: ReplicaEvent) -> None:
        if replica in self.down:
            return
        before = self.states[replica]
        if replica in self.byzantine:
            state, outputs = self.adversary.step(before, event)
        else:
            state, outputs = step(self.config, self.scheme, before, event)
            entered = (state.view, state.status) != (before.view, before.status)
            normal = entered and state.status == Status.NORMAL
            if normal and isinstance(event, Deliver) and isinstance(event.message, NewView):
                self.accepted.append((replica, event.message))
        self.states[replica] = state
        local: list[InFlight] = []
        for output in outputs:
            if isinstance(output, Send | Broadcast):
                if isinstance(output.message, ViewChange):
                    self.view_changes.append(output.message)
                elif isinstance(output.message, NewView):
                    self.new_views.append(output.message)
            if isinstance(output, Send):
                item = InFlight(replica, output.target, output.message)
                (local if output.target == replica else self.inflight).append(item)
            elif isinstance(output, Broadcast):
                for target in range(self.config.n):
                    item = InFlight(replica, target, output.message)
                    (local if target == replica else self.inflight).append(item)
            elif isinstance(output, StartTimer):
                self.timers.append((replica, output.timer))
            elif isinstance(output, Decide):
                self.decisions.append(
                    Decision(replica, output.seq, output.view, output.digest, output.proof)
                )
        for item in local:  # loopback is immediate and reliable
            self._run(item.target, Deliver(item.source, item.message))

    def submit(self, targets: Iterable[int] | None = None) -> None:
        """Have a client send a new request to ``targets`` (all: delivered at once) (§III-D)."""
        request = Request(0, self.requests, self.requests.to_bytes(8, "big"))
        self.requests += 1
        for i in range(self.config.n) if targets is None else sorted(set(targets)):
            self._run(i, Deliver(CLIENT, ClientRequest(request)))

    def deliver(self, k: int) -> None:
        """Deliver in-flight message number k (mod the number in flight) (§III-D)."""
        if self.inflight:
            item = self.inflight.pop(k % len(self.inflight))
            self._run(item.target, Deliver(item.source, item.message))

    def drop(self, k: int) -> None:
        """Lose in-flight message number k (§III-D)."""
        if self.inflight:
            self.inflight.pop(k % len(self.inflight))

    def duplicate(self, k: int) -> None:
        """Duplicate in-flight message number k (§III-D)."""
        if self.inflight:
            self.inflight.append(self.inflight[k % len(self.inflight)])

    def fire(self, k: int) -> None:
        """Fire armed timer number k (§III-D)."""
        if self.timers:
            replica, timer = self.timers.pop(k % len(self.timers))
            self._run(replica, Fire(timer))

    def crash(self, replica: int) -> None:
        """Stop a replica: it loses its timers and the messages sent to it meanwhile (§III-D)."""
        self.down.add(replica)
        self.timers = [(r, t) for r, t in self.timers if r != replica]

    def recover(self, replica: int) -> None:
        """Restart a crashed replica with its state (stable storage) (§III-D)."""
        if replica in self.down:
            self.down.discard(replica)
            self._run(replica, Recover())

    def run_until_quiet(self, rng: random.Random, max_steps: int) -> int:
        """Deliver random messages, fire timers when none is in flight; return steps (§III-D)."""
        steps = 0
        while steps < max_steps and (self.inflight or self.timers):
            if self.inflight:
                self.deliver(rng.randrange(len(self.inflight)))
            else:
                self.fire(rng.randrange(len(self.timers)))
            steps += 1
        return steps

    def conflicts(self) -> list[tuple[Decision, Decision]]:
        """Return pairs of honest decisions at one seq with different digests (§III-D)."""
        honest = set(self.honest)
        first: dict[int, Decision] = {}
        found = []
        for d in self.decisions:
            if d.replica not in honest:
                continue
            seen = first.setdefault(d.seq, d)
            if seen.digest != d.digest:
                found.append((seen, d))
        return found

    def unproven(self) -> list[Decision]:
        """Return honest decisions whose commit proof does not verify (§III-D)."""
        honest = set(self.honest)
        return [
            d
            for d in self.decisions
            if d.replica in honest
            and not verify_proof(
                self.scheme,
                self.config.signing_domain(self.scheme.roster),
                VoteKind.COMMIT,
                d.view,
                d.seq,
                d.digest,
                d.proof,
            )
        ]
