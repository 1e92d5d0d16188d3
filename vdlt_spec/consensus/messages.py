"""Define the messages replicas exchange, their signed digests and their wire sizes (§IV-D).

Channels are authenticated (the simulator tells a replica who sent a message), so only the
statements that must convince a third party are signed: pre-prepares, votes (aggregated into
certificates in iPBFT, individual in classic PBFT), checkpoints, view changes and new views.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import Enum
from typing import Any

from vdlt_spec import serial
from vdlt_spec.consensus.block import AppState, Block, Request
from vdlt_spec.consensus.payloads import VoteKind, tagged_hash
from vdlt_spec.consensus.quorum import QuorumProof
from vdlt_spec.crypto import Certificate

VIEW_CHANGE_TAG = b"vDLT/view-change"
NEW_VIEW_TAG = b"vDLT/new-view"
NEW_VIEW_SEQ = 0
INT_BYTES = 8
ENUM_BYTES = 1
COUNT_BYTES = 4
HEADER_BYTES = 1 + 2 + 2


@dataclass(frozen=True)
class ClientRequest:
    """Carry a client's request to every replica (clients broadcast, as in PBFT) (§IV-D)."""

    request: Request


@dataclass(frozen=True)
class PrePrepare:
    """Propose ``block`` at (view, seq), signed by the primary (§IV-D)."""

    view: int
    seq: int
    block: Block
    signature: bytes


@dataclass(frozen=True)
class Vote:
    """Tell the collector "ready to sign" with a MuSig2 public nonce (§IV-D, D-cons-1)."""

    kind: VoteKind
    view: int
    seq: int
    digest: bytes
    pubnonce: bytes


@dataclass(frozen=True)
class SignRequest:
    """Ask the chosen signers for partial signatures: signer bitmap and aggregate nonce (§IV-D)."""

    kind: VoteKind
    view: int
    seq: int
    digest: bytes
    attempt: int
    bitmap: bytes
    aggnonce: bytes


@dataclass(frozen=True)
class PartialSig:
    """Return a partial signature for an attempt, with a fresh public nonce for a retry (§IV-D)."""

    kind: VoteKind
    view: int
    seq: int
    digest: bytes
    attempt: int
    psig: bytes
    next_pubnonce: bytes


@dataclass(frozen=True)
class CertMsg:
    """Distribute a certificate; a commit one carries the block to non-voters (§IV-D)."""

    kind: VoteKind
    view: int
    seq: int
    digest: bytes
    certificate: Certificate
    block: Block | None = None


@dataclass(frozen=True)
class ClassicVote:
    """Broadcast one signed prepare, commit or checkpoint vote (classic PBFT, §IV-D)."""

    kind: VoteKind
    view: int
    seq: int
    digest: bytes
    signature: bytes


@dataclass(frozen=True)
class PreparedEntry:
    """Report a prepared block in a view change: view, digest, proof, block (§III-D)."""

    seq: int
    view: int
    digest: bytes
    proof: QuorumProof
    block: Block


@dataclass(frozen=True)
class ViewChange:
    """Ask to move to ``new_view``: stable checkpoint, prepared blocks (§III-D)."""

    replica: int
    new_view: int
    stable_seq: int
    stable_digest: bytes
    stable_proof: QuorumProof | None
    prepared: tuple[PreparedEntry, ...]
    signature: bytes = b""


@dataclass(frozen=True)
class NewView:
    """Start ``view``: the quorum of view changes and the pre-prepares derived from them (§IV-D)."""

    view: int
    view_changes: tuple[ViewChange, ...]
    pre_prepares: tuple[PrePrepare, ...]
    signature: bytes = b""


@dataclass(frozen=True)
class StateRequest:
    """Ask a peer for the state at a stable checkpoint (state transfer) (§IV-D)."""

    seq: int


@dataclass(frozen=True)
class StateReply:
    """Return the state at a checkpoint, checked against its digest (§III-D)."""

    state: AppState


@dataclass(frozen=True)
class Fetch:
    """Ask peers for what was committed from ``next_seq`` on (§III-D, D-cons-8)."""

    next_seq: int


@dataclass(frozen=True)
class CommittedEntry:
    """Carry a committed block with its commit proof, so the receiver can check it alone (§IV-D)."""

    seq: int
    view: int
    digest: bytes
    block: Block
    proof: QuorumProof


@dataclass(frozen=True)
class FetchReply:
    """Answer a fetch: stable checkpoint and proof, then logged commits (§III-D)."""

    stable_seq: int
    stable_digest: bytes
    stable_proof: QuorumProof | None
    committed: tuple[CommittedEntry, ...]


Message = (
    ClientRequest
    | PrePrepare
    | Vote
    | SignRequest
    | PartialSig
    | CertMsg
    | ClassicVote
    | ViewChange
    | NewView
    | StateRequest
    | StateReply
    | Fetch
    | FetchReply
)


def view_change_digest(vc: ViewChange) -> bytes:
    """Return the digest a view change signs: tagged hash of its JSON (§III-D)."""
    body = serial.dumps(dataclasses.replace(vc, signature=b"")).encode()
    return tagged_hash(VIEW_CHANGE_TAG, body)


def new_view_digest(nv: NewView) -> bytes:
    """Return the digest a new view signs: a tagged hash of its canonical JSON, unsigned (§IV-D)."""
    body = serial.dumps(dataclasses.replace(nv, signature=b"")).encode()
    return tagged_hash(NEW_VIEW_TAG, body)


def _size(value: Any) -> int:
    if isinstance(value, Enum):
        return ENUM_BYTES
    if isinstance(value, bool) or value is None:
        return 1
    if isinstance(value, int):
        return INT_BYTES
    if isinstance(value, bytes):
        return len(value)
    if isinstance(value, tuple):
        return COUNT_BYTES + sum(_size(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return sum(_size(getattr(value, f.name)) for f in dataclasses.fields(value))
    raise TypeError(f"no wire size for {type(value).__name__}")


def encoded_size(value: Any) -> int:
    """Return the bytes a field value (a proof, a block, ...) takes inside a message (§IV-D)."""
    return _size(value)


def wire_size(message: Message) -> int:
    """Return the bytes a message takes on the wire (§IV-D, D-cons-6).

    Integers take 8 bytes, enums 1, byte strings their length, sequences a 4-byte count plus
    their items, an absent optional 1 byte; the header holds type, sender and receiver.
    """
    return HEADER_BYTES + _size(message)
