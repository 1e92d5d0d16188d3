"""Define the canonical bytes that consensus participants sign: vote payloads (§III-D, §IV-D).

Every signed consensus statement is a BIP340 tagged hash of a fixed-width encoding, so that
a signature can be checked out of context (evidence for penalties, §IV-J) and by other
implementations. The layout is part of the conformance surface: never change it in place.
The tagged hash is BIP340's (:func:`vdlt_spec.crypto.tagged_hash`), re-exported here.

Every payload is bound to a :class:`SigningDomain`: the chain (virtual DLT system) it belongs
to (§III-C), the epoch of the management group (§IV-C) and a commitment to the ordered roster
that signs. A vote or certificate made under one domain verifies under no other, so it cannot be
replayed in another virtual system, epoch or roster that shares keys (as Ethereum's signing
domains and BIP340's tagged hashes separate their signing contexts).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

from vdlt_spec.crypto import tagged_hash
from vdlt_spec.errors import Reason, SpecError

__all__ = [
    "CHECKPOINT_VIEW",
    "DEFAULT_CHAIN_ID",
    "DIGEST_BYTES",
    "DOMAIN_TAG",
    "MAX_CHAIN_ID_BYTES",
    "ROSTER_TAG",
    "U64_MAX",
    "VOTE_TAG",
    "SigningDomain",
    "VoteKind",
    "roster_commitment",
    "tagged_hash",
    "vote_payload",
]

VOTE_TAG = b"vDLT/vote"
DOMAIN_TAG = b"vDLT/domain"
ROSTER_TAG = b"vDLT/roster"
DEFAULT_CHAIN_ID = "vdlt"
"""The chain id of the default signing domain: tests, simulations and the management chain."""
MAX_CHAIN_ID_BYTES = 255
MAX_ROSTER_KEY_BYTES = 255
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


def roster_commitment(roster: Sequence[bytes]) -> bytes:
    """Return the 32-byte commitment to an ordered roster of public keys (§IV-C, §IV-D).

    Hashed under the tag ``vDLT/roster``: the number of keys (4 bytes, big-endian), then each
    key in roster order as its length (1 byte) || its bytes. Replica i is the i-th key, so a
    reordered roster is another roster.
    """
    if len(roster) >= 2**32:
        raise SpecError(Reason.SCHEMA_VIOLATION, f"roster too large: {len(roster)} keys")
    body = bytearray(len(roster).to_bytes(4, "big"))
    for key in roster:
        if not 1 <= len(key) <= MAX_ROSTER_KEY_BYTES:
            raise SpecError(
                Reason.SCHEMA_VIOLATION, f"a roster key must be 1 to 255 bytes, got {len(key)}"
            )
        body += bytes([len(key)]) + key
    return tagged_hash(ROSTER_TAG, bytes(body))


@dataclass(frozen=True)
class SigningDomain:
    """Name the context a consensus signature is valid in: chain, epoch, roster (§III-C, §IV-C).

    ``chain_id`` names the virtual DLT system (or the management chain), ``epoch`` the
    management group's term, ``roster`` the :func:`roster_commitment` of the keys that sign.
    """

    chain_id: str
    epoch: int
    roster: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.chain_id, str) or not self.chain_id:
            raise SpecError(
                Reason.SCHEMA_VIOLATION, f"chain id must be a non-empty string: {self.chain_id!r}"
            )
        if len(self.chain_id.encode()) > MAX_CHAIN_ID_BYTES:
            raise SpecError(Reason.SCHEMA_VIOLATION, "chain id must be at most 255 UTF-8 bytes")
        if isinstance(self.epoch, bool) or not isinstance(self.epoch, int):
            raise SpecError(Reason.SCHEMA_VIOLATION, f"epoch must be an integer: {self.epoch!r}")
        if not 0 <= self.epoch <= U64_MAX:
            raise SpecError(Reason.SCHEMA_VIOLATION, f"epoch must fit in 64 bits: {self.epoch}")
        if not isinstance(self.roster, bytes) or len(self.roster) != DIGEST_BYTES:
            raise SpecError(Reason.SCHEMA_VIOLATION, "roster commitment must be 32 bytes")

    @classmethod
    def of(
        cls, roster: Sequence[bytes], chain_id: str = DEFAULT_CHAIN_ID, epoch: int = 0
    ) -> SigningDomain:
        """Return the domain of ``roster`` signing for ``chain_id`` in ``epoch`` (§IV-C)."""
        return cls(chain_id, epoch, roster_commitment(roster))

    @functools.cached_property
    def root(self) -> bytes:
        """Return the 32-byte domain root every payload of this domain starts with (§IV-D).

        Hashed under the tag ``vDLT/domain``: chain id length (1 byte) || chain id (UTF-8)
        || epoch (8 bytes, big-endian) || roster commitment (32 bytes).
        """
        chain = self.chain_id.encode()
        body = bytes([len(chain)]) + chain + self.epoch.to_bytes(8, "big") + self.roster
        return tagged_hash(DOMAIN_TAG, body)

    def describe(self) -> str:
        """Return the domain in words, for error details and findings."""
        return f"chain {self.chain_id!r}, epoch {self.epoch}, roster {self.roster.hex()[:16]}"


def vote_payload(
    domain: SigningDomain, kind: VoteKind, view: int, seq: int, digest: bytes
) -> bytes:
    """Return the 32-byte message a replica signs for (kind, view, seq, digest) in ``domain``.

    Layout hashed under the tag ``vDLT/vote``: domain root (32 bytes, :attr:`SigningDomain.root`)
    || kind (1 byte) || view (8 bytes, big-endian) || seq (8 bytes, big-endian) || digest
    (32 bytes) (§IV-D). A checkpoint vote signs :data:`CHECKPOINT_VIEW` whatever ``view`` is
    given, so that checkpoints of different views agree.
    """
    if kind == VoteKind.CHECKPOINT:
        view = CHECKPOINT_VIEW
    if not 0 <= view <= U64_MAX or not 0 <= seq <= U64_MAX:
        raise SpecError(Reason.SCHEMA_VIOLATION, f"view and seq must fit in 64 bits: {view}, {seq}")
    if len(digest) != DIGEST_BYTES:
        raise SpecError(Reason.SCHEMA_VIOLATION, f"digest must be 32 bytes, got {len(digest)}")
    if not isinstance(domain, SigningDomain):
        raise SpecError(Reason.SCHEMA_VIOLATION, f"not a signing domain: {domain!r}")
    body = (
        domain.root
        + bytes([VoteKind(kind)])
        + view.to_bytes(8, "big")
        + seq.to_bytes(8, "big")
        + digest
    )
    return tagged_hash(VOTE_TAG, body)
