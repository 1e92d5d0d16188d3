"""Represent and check quorum proofs: aggregate certificates and classic signature sets (§IV-D).

iPBFT proves that a quorum signed a statement with one :class:`Certificate` (signer bitmap plus
one 64-byte signature); classic PBFT proves it with a :class:`VoteSet` of individual signatures.
Both check against the same canonical bytes, :func:`vdlt_spec.consensus.messages.vote_payload`.
A proof is a quorum iff 3 * signers > 2n (§IV-D: "over 2n/3 nodes").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vdlt_spec.consensus.config import quorum
from vdlt_spec.consensus.messages import VoteKind, vote_payload

if TYPE_CHECKING:
    from vdlt_spec.consensus.signatures import SignatureScheme

BITS_PER_BYTE = 8


@dataclass(frozen=True)
class Certificate:
    """Prove a quorum with a signer bitmap and one aggregate BIP340 signature (§IV-D)."""

    bitmap: bytes
    signature: bytes


def bitmap_bytes(n: int) -> int:
    """Return ceil(n / 8), the length of the signer bitmap of a roster of n (§IV-D)."""
    return (n + BITS_PER_BYTE - 1) // BITS_PER_BYTE


def encode_bitmap(signers: Iterable[int], n: int) -> bytes:
    """Encode signer indices as a bitmap: least-significant bit first, 1 = signed (§IV-D)."""
    value = 0
    for index in signers:
        if not 0 <= index < n:
            raise ValueError(f"signer {index} outside roster of {n}")
        value |= 1 << index
    return value.to_bytes(bitmap_bytes(n), "little")


def decode_bitmap(bitmap: bytes, n: int) -> tuple[int, ...]:
    """Decode a bitmap into sorted signer indices; reject a wrong length or set padding bits."""
    if len(bitmap) != bitmap_bytes(n):
        raise ValueError(f"bitmap of {len(bitmap)} bytes for a roster of {n}")
    value = int.from_bytes(bitmap, "little")
    if value >> n:
        raise ValueError("padding bits of the bitmap must be 0")
    return tuple(i for i in range(n) if value >> i & 1)


def is_quorum(count: int, n: int) -> bool:
    """Return whether ``count`` signers of ``n`` are a quorum: 3 * count > 2n (§IV-D)."""
    return count >= quorum(n)


@dataclass(frozen=True)
class SignedVote:
    """Hold one replica's individual signature on (kind, view, seq, digest) (classic PBFT)."""

    signer: int
    kind: VoteKind
    signature: bytes


@dataclass(frozen=True)
class VoteSet:
    """Prove a quorum with individual signatures, as classic PBFT does (O(n) size)."""

    votes: tuple[SignedVote, ...]


QuorumProof = Certificate | VoteSet


def proof_signers(proof: QuorumProof, n: int) -> tuple[int, ...]:
    """Return the sorted replicas a proof claims as signers (without checking signatures)."""
    if isinstance(proof, Certificate):
        try:
            return decode_bitmap(proof.bitmap, n)
        except ValueError:
            return ()
    return tuple(sorted({v.signer for v in proof.votes}))


def verify_proof(
    scheme: SignatureScheme,
    kind: VoteKind,
    view: int,
    seq: int,
    digest: bytes,
    proof: QuorumProof,
    *,
    also: tuple[VoteKind, int] | None = None,
) -> bool:
    """Return whether ``proof`` shows a quorum signed (kind, view, seq, digest) (§IV-D).

    A certificate needs a well-formed bitmap of a quorum and a valid aggregate signature. A vote
    set needs a quorum of distinct roster members, each with a valid signature; ``also`` admits
    one extra (kind, signer) pair, the classic pre-prepare that stands for the primary's prepare.
    """
    n = len(scheme.roster)
    message = vote_payload(kind, view, seq, digest)
    if isinstance(proof, Certificate):
        try:
            signers = decode_bitmap(proof.bitmap, n)
        except ValueError:
            return False
        return is_quorum(len(signers), n) and scheme.verify_certificate(message, proof)
    seen: set[int] = set()
    for vote in proof.votes:
        if vote.signer in seen or not 0 <= vote.signer < n:
            return False
        if vote.kind == kind:
            signed = message
        elif also is not None and (vote.kind, vote.signer) == also:
            signed = vote_payload(vote.kind, view, seq, digest)
        else:
            return False
        if not scheme.verify(vote.signer, signed, vote.signature):
            return False
        seen.add(vote.signer)
    return is_quorum(len(seen), n)
