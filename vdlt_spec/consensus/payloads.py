"""Define the canonical bytes that consensus participants sign: vote payloads (§III-D, §IV-D).

Every signed consensus statement is a BIP340 tagged hash of a fixed-width encoding, so that
a signature can be checked out of context (evidence for penalties, §IV-J) and by other
implementations. The layout is part of the conformance surface: never change it in place.
The tagged hash is BIP340's (:func:`vdlt_spec.crypto.tagged_hash`), re-exported here.
"""

from __future__ import annotations

from enum import IntEnum

from vdlt_spec.crypto import tagged_hash
from vdlt_spec.errors import Reason, SpecError

__all__ = [
    "CHECKPOINT_VIEW",
    "DIGEST_BYTES",
    "U64_MAX",
    "VOTE_TAG",
    "VoteKind",
    "tagged_hash",
    "vote_payload",
]

VOTE_TAG = b"vDLT/vote"
CHECKPOINT_VIEW = 0
"""The view every checkpoint vote signs: a checkpoint belongs to no view (§III-D)."""
DIGEST_BYTES = 32
U64_MAX = 2**64 - 1


class VoteKind(IntEnum):
    """Name the signed statements of iPBFT; the value is the kind byte of the payload (§IV-D)."""

    PRE_PREPARE = 1
    PREPARE = 2
    COMMIT = 3
    CHECKPOINT = 4
    VIEW_CHANGE = 5
    NEW_VIEW = 6


def vote_payload(kind: VoteKind, view: int, seq: int, digest: bytes) -> bytes:
    """Return the 32-byte message a replica signs for (kind, view, seq, digest) (§IV-D).

    Layout hashed under the tag ``vDLT/vote``: kind (1 byte) || view (8 bytes, big-endian)
    || seq (8 bytes, big-endian) || digest (32 bytes). A checkpoint vote signs
    :data:`CHECKPOINT_VIEW` whatever ``view`` is given, so that checkpoints of different views
    agree.
    """
    if kind == VoteKind.CHECKPOINT:
        view = CHECKPOINT_VIEW
    if not 0 <= view <= U64_MAX or not 0 <= seq <= U64_MAX:
        raise SpecError(Reason.SCHEMA_VIOLATION, f"view and seq must fit in 64 bits: {view}, {seq}")
    if len(digest) != DIGEST_BYTES:
        raise SpecError(Reason.SCHEMA_VIOLATION, f"digest must be 32 bytes, got {len(digest)}")
    body = bytes([VoteKind(kind)]) + view.to_bytes(8, "big") + seq.to_bytes(8, "big") + digest
    return tagged_hash(VOTE_TAG, body)
