"""Define a replica's state, its inputs (messages, timers) and its outputs (§III-D, §IV-D).

A replica is a pure state machine: ``step(state, event) -> (state', outputs)``. Everything here
is a frozen dataclass that round-trips through :mod:`vdlt_spec.serial`, so a state or a trace
can be saved, replayed and audited. Maps are never mutated in place: a step builds new ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from vdlt_spec.consensus.block import GENESIS_STATE, AppState, Block, Request, state_digest
from vdlt_spec.consensus.messages import Message, NewView, PartialSig, PrePrepare, ViewChange
from vdlt_spec.consensus.payloads import VoteKind
from vdlt_spec.consensus.quorum import QuorumProof
from vdlt_spec.crypto import Certificate

CLIENT = -1
GENESIS_DIGEST = state_digest(GENESIS_STATE)


class Status(StrEnum):
    """Say whether a replica runs the normal case or is changing view (§III-D)."""

    NORMAL = "normal"
    VIEW_CHANGE = "view-change"


# --- timers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressTimer:
    """Fire when known requests made no progress for a view timeout (epoch-tagged) (§III-D)."""

    epoch: int


@dataclass(frozen=True)
class ViewChangeTimer:
    """Fire when the new view ``view`` did not start in time (§III-D).

    ``escalate`` timers start once a quorum asked for the view (PBFT) and move to the next
    view; the others only re-send this replica's view change (retransmission).
    """

    view: int
    escalate: bool = False


@dataclass(frozen=True)
class SignTimer:
    """Fire when the signers of a collector attempt did not all answer (§III-D)."""

    key: str
    attempt: int


@dataclass(frozen=True)
class RetransmitTimer:
    """Fire to re-send what view ``view`` still waits for, while ``epoch`` lasts (D-cons-27).

    ``epoch`` is the replica's progress-timer epoch: progress, a view change or a new view
    end it, and with it the retransmissions of what came before.
    """

    view: int
    epoch: int


Timer = ProgressTimer | ViewChangeTimer | SignTimer | RetransmitTimer


# --- inputs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deliver:
    """Deliver ``message`` from ``source`` (a replica index, or CLIENT) (§III-D)."""

    source: int
    message: Message


@dataclass(frozen=True)
class Fire:
    """Fire a timer the replica started earlier (§III-D)."""

    timer: Timer


@dataclass(frozen=True)
class Recover:
    """Restart after a crash: the state survived (stable storage), the timers did not (§III-D)."""


ReplicaEvent = Deliver | Fire | Recover


# --- outputs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Send:
    """Send ``message`` to ``target`` (itself: local and uncounted) (§III-D)."""

    target: int
    message: Message


@dataclass(frozen=True)
class Broadcast:
    """Send ``message`` to every replica, itself included (n - 1 network messages) (§III-D)."""

    message: Message


@dataclass(frozen=True)
class StartTimer:
    """Ask to receive ``Fire(timer)`` after ``delay`` ticks (§III-D)."""

    timer: Timer
    delay: int


@dataclass(frozen=True)
class Decide:
    """Report that the replica committed ``block`` at ``seq`` with a commit proof (§IV-D)."""

    seq: int
    view: int
    digest: bytes
    block: Block
    proof: QuorumProof


Output = Send | Broadcast | StartTimer | Decide


# --- state ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """Hold an accepted pre-prepare of the current view and how far it got (§III-D)."""

    pre_prepare: PrePrepare
    digest: bytes
    prepared: bool = False
    commit_sent: bool = False
    committed: bool = False


@dataclass(frozen=True)
class PreparedRecord:
    """Keep the highest-view prepare proof of a sequence number, with its block (§III-D)."""

    view: int
    digest: bytes
    proof: QuorumProof
    block: Block


@dataclass(frozen=True)
class CommittedRecord:
    """Keep a committed block until it is executed (§III-D)."""

    view: int
    digest: bytes
    block: Block
    proof: QuorumProof


@dataclass(frozen=True)
class StableCheckpoint:
    """Record the last stable checkpoint: seq, state digest, quorum proof (§III-D)."""

    seq: int = 0
    digest: bytes = GENESIS_DIGEST
    proof: QuorumProof | None = None


@dataclass(frozen=True)
class NonceSlot:
    """Hold a collector's view of one voter's current public nonce (§III-D)."""

    pubnonce: bytes
    used: bool = False
    issued_after: int = 0


@dataclass(frozen=True)
class Session:
    """Run one MuSig2 collection at the primary (§IV-D, D-cons-1)."""

    kind: VoteKind
    view: int
    seq: int
    digest: bytes
    voters: tuple[int, ...] = ()
    nonces: Mapping[int, NonceSlot] = field(default_factory=dict)
    excluded: frozenset[int] = frozenset()
    attempt: int = 0
    signers: tuple[int, ...] = ()
    signer_nonces: tuple[bytes, ...] = ()
    aggnonce: bytes = b""
    psigs: Mapping[int, bytes] = field(default_factory=dict)
    resent: bool = False
    done: bool = False
    certificate: Certificate | None = None


@dataclass(frozen=True)
class SignerNonce:
    """Hold a signer's secret nonce for one session and the last attempt it signed (§III-D)."""

    secnonce: bytes
    pubnonce: bytes
    counter: int = 0
    last_attempt: int = 0
    reply: PartialSig | None = None


@dataclass(frozen=True)
class ReplicaState:
    """Hold everything replica ``index`` knows (§III-D, §IV-D)."""

    index: int
    view: int = 0
    status: Status = Status.NORMAL
    slots: Mapping[int, tuple[Slot, ...]] = field(default_factory=dict)
    deferred: Mapping[int, tuple[PrePrepare, ...]] = field(default_factory=dict)
    early: Mapping[int, tuple[Message, ...]] = field(default_factory=dict)
    prepared: Mapping[int, PreparedRecord] = field(default_factory=dict)
    committed: Mapping[int, CommittedRecord] = field(default_factory=dict)
    log: Mapping[int, CommittedRecord] = field(default_factory=dict)
    app: AppState = GENESIS_STATE
    stable: StableCheckpoint = StableCheckpoint()
    checkpoint_states: Mapping[int, AppState] = field(default_factory=dict)
    pending: tuple[Request, ...] = ()
    proposed: frozenset[tuple[int, int]] = frozenset()
    next_seq: int = 1
    sessions: Mapping[str, Session] = field(default_factory=dict)
    signer: Mapping[str, SignerNonce] = field(default_factory=dict)
    votes: Mapping[str, Mapping[int, bytes]] = field(default_factory=dict)
    view_changes: Mapping[int, Mapping[int, ViewChange]] = field(default_factory=dict)
    view_change_rounds: int = 0
    new_view_sent: int = -1
    last_new_view: NewView | None = None
    escalation_armed: int = -1
    timer_epoch: int = 0
    timer_armed: bool = False
    fetched_epoch: int = -1
    nonce_counter: int = 0
    decided: int = 0

    @property
    def low_watermark(self) -> int:
        """Return the low watermark: the last stable checkpoint (§III-D)."""
        return self.stable.seq


def session_key(kind: VoteKind, view: int, seq: int, digest: bytes) -> str:
    """Return the map key of a signing session or vote tally (§III-D)."""
    return f"{int(kind)}/{view}/{seq}/{digest.hex()}"
