"""Represent and check quorum proofs: aggregate certificates and classic signature sets (§IV-D).

iPBFT proves that a quorum signed a statement with one crypto ``Certificate`` (signer bitmap plus
one 64-byte signature); classic PBFT proves it with a :class:`VoteSet` of individual signatures.
Both check against the same canonical bytes, :func:`vdlt_spec.consensus.payloads.vote_payload`.
A proof is a quorum iff its signers are one by :func:`vdlt_spec.crypto.is_quorum` (3k > 2n).
"""

from __future__ import annotations

from dataclasses import dataclass

from vdlt_spec.consensus.payloads import SigningDomain, VoteKind, vote_payload
from vdlt_spec.consensus.schemes import SignatureScheme
from vdlt_spec.crypto import Certificate, decode_bitmap, is_quorum
from vdlt_spec.errors import Reason, SpecError

__all__ = [
    "QuorumProof",
    "SignedVote",
    "VoteSet",
    "check_proof",
    "proof_signers",
    "verify_proof",
]


@dataclass(frozen=True)
class SignedVote:
    """Hold one replica's own signature on (kind, view, seq, digest) (§IV-D)."""

    signer: int
    kind: VoteKind
    signature: bytes


@dataclass(frozen=True)
class VoteSet:
    """Prove a quorum with individual signatures, as classic PBFT does (O(n) size) (§IV-D)."""

    votes: tuple[SignedVote, ...]


QuorumProof = Certificate | VoteSet


def proof_signers(proof: QuorumProof, n: int) -> tuple[int, ...]:
    """Return the replicas a proof claims as signers, unchecked (§IV-D)."""
    if isinstance(proof, Certificate):
        try:
            return decode_bitmap(proof.bitmap, n)
        except SpecError:
            return ()
    return tuple(sorted({v.signer for v in proof.votes}))


def verify_proof(
    scheme: SignatureScheme,
    domain: SigningDomain,
    kind: VoteKind,
    view: int,
    seq: int,
    digest: bytes,
    proof: QuorumProof,
    *,
    also: tuple[VoteKind, int] | None = None,
) -> bool:
    """Return whether ``proof`` shows a quorum signed (kind, view, seq, digest) in ``domain``.

    A proof made under another signing domain (chain, epoch or roster) does not verify (§IV-D).

    A certificate is the scheme's to verify: crypto decides its bitmap and quorum
    (:func:`vdlt_spec.crypto.check_quorum`), the scheme its aggregate signature. A vote set
    needs a quorum of distinct roster members, each with a valid signature; ``also`` admits one
    extra (kind, signer) pair, the classic pre-prepare that stands for the primary's prepare.
    """
    n = len(scheme.roster)
    message = vote_payload(domain, kind, view, seq, digest)
    if isinstance(proof, Certificate):
        return scheme.verify_certificate(message, proof)
    seen: set[int] = set()
    for vote in proof.votes:
        if vote.signer in seen or not 0 <= vote.signer < n:
            return False
        if vote.kind == kind:
            signed = message
        elif also is not None and (vote.kind, vote.signer) == also:
            signed = vote_payload(domain, vote.kind, view, seq, digest)
        else:
            return False
        if not scheme.verify(vote.signer, signed, vote.signature):
            return False
        seen.add(vote.signer)
    return is_quorum(len(seen), n)


def check_proof(
    scheme: SignatureScheme,
    domain: SigningDomain,
    kind: VoteKind,
    view: int,
    seq: int,
    digest: bytes,
    proof: QuorumProof,
    *,
    also: tuple[VoteKind, int] | None = None,
) -> None:
    """Accept ``proof`` as :func:`verify_proof` does, or refuse it with ``BAD_CERTIFICATE``.

    The detail names the statement and the signing domain it was checked in, so a proof
    replayed from another chain, epoch or roster is refused with the domain it failed (§IV-D).
    """
    if not verify_proof(scheme, domain, kind, view, seq, digest, proof, also=also):
        raise SpecError(
            Reason.BAD_CERTIFICATE,
            f"no quorum signed {VoteKind(kind).name} (view {view}, seq {seq}) in "
            f"{domain.describe()}",
        )
