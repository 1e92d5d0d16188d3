"""Accumulate one replica step: the evolving state and the outputs it emits (§III-D).

A :class:`ReplicaStep` is created per input event and discarded afterwards; handlers replace its
frozen state and append outputs. The step is pure from the outside: the input state is never
mutated, and everything the step produced is returned.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Protocol

from vdlt_spec.consensus.block import Block
from vdlt_spec.consensus.config import ConsensusConfig, primary_of
from vdlt_spec.consensus.messages import Message
from vdlt_spec.consensus.payloads import SigningDomain
from vdlt_spec.consensus.quorum import QuorumProof
from vdlt_spec.consensus.replica.state import (
    Broadcast,
    Decide,
    Output,
    ReplicaState,
    Send,
    StartTimer,
    Timer,
)
from vdlt_spec.consensus.schemes import SignatureScheme


@dataclass(frozen=True)
class Policy:
    """Name the safety guards a replica applies; honest replicas apply all of them (§III-D).

    The Byzantine behaviours of :mod:`vdlt_spec.consensus.sim.byzantine` drop guards here instead
    of re-implementing the protocol: ``accept_conflicting`` accepts (and votes for) every
    pre-prepare of a (view, seq), not only the first.
    """

    accept_conflicting: bool = False


HONEST = Policy()


class VotingRules(Protocol):
    """Hook the vote flow of a mode (collector or all-to-all) into the core (§IV-D)."""

    def on_pre_prepare(self, ctx: ReplicaStep, seq: int, digest: bytes) -> None:
        """React to an accepted pre-prepare (send or count the prepare vote) (§III-D)."""
        ...

    def on_checkpoint(self, ctx: ReplicaStep, seq: int, digest: bytes) -> None:
        """Vote for the checkpoint just taken at ``seq`` (§III-D)."""
        ...

    def on_new_view(self, ctx: ReplicaStep) -> None:
        """Redo what a new view needs (re-send pending checkpoint votes) (§III-D)."""
        ...

    def on_retransmit(self, ctx: ReplicaStep) -> None:
        """Re-send this replica's part of every unfinished slot (lost messages) (§III-D)."""
        ...


class ReplicaStep:
    """Hold the state being built by one step and the outputs emitted so far (§III-D)."""

    def __init__(
        self,
        config: ConsensusConfig,
        scheme: SignatureScheme,
        state: ReplicaState,
        rules: VotingRules,
        policy: Policy = HONEST,
    ) -> None:
        """Start a step of replica ``state.index`` from ``state``."""
        self.config = config
        self.scheme = scheme
        self.state = state
        self.rules = rules
        self.policy = policy
        self.out: list[Output] = []

    @property
    def domain(self) -> SigningDomain:
        """Return the signing domain of this group: chain, epoch, roster (§IV-C, §IV-D)."""
        return self.config.signing_domain(self.scheme.roster)

    @property
    def me(self) -> int:
        """Return this replica's index (§III-D)."""
        return self.state.index

    @property
    def n(self) -> int:
        """Return the group size (§III-D)."""
        return self.config.n

    @property
    def primary(self) -> int:
        """Return the primary of the current view (§III-D)."""
        return primary_of(self.state.view, self.config.n)

    @property
    def is_primary(self) -> bool:
        """Return whether this replica is the primary of its current view (§III-D)."""
        return self.primary == self.me

    def update(self, **changes: Any) -> None:
        """Replace fields of the state (§III-D)."""
        self.state = dataclasses.replace(self.state, **changes)

    def send(self, target: int, message: Message) -> None:
        """Emit a message to one replica (§III-D)."""
        self.out.append(Send(target, message))

    def broadcast(self, message: Message) -> None:
        """Emit a message to every replica, this one included (§III-D)."""
        self.out.append(Broadcast(message))

    def start_timer(self, timer: Timer, delay: int) -> None:
        """Ask for a timer event after ``delay`` ticks (§III-D)."""
        self.out.append(StartTimer(timer, delay))

    def decide(self, seq: int, view: int, digest: bytes, block: Block, proof: QuorumProof) -> None:
        """Report a commit (§III-D)."""
        self.out.append(Decide(seq, view, digest, block, proof))
