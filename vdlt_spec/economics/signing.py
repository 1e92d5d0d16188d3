"""Sign consensus statements with simulation keys and make evidence of misbehaviour (§IV-D, §IV-J).

Simulation keys are derived from a seed and a name: public by design, for the simulations and
the tests that hand evidence to :mod:`vdlt_spec.economics.penalties`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import random
from collections.abc import Sequence

import coincurve

from vdlt_spec.consensus import SigningDomain, VoteKind
from vdlt_spec.crypto import Certificate, bip340, encode_bitmap, make_certificate
from vdlt_spec.crypto.fast import FAST
from vdlt_spec.crypto.secp256k1 import N
from vdlt_spec.economics.penalties import (
    DoubleSignEvidence,
    ForgedCertificateEvidence,
    SignedStatement,
    certificate_claim_digest,
)

KEY_TAG = b"vDLT/simulation-key"


def simulation_secret_key(seed: int, name: str) -> bytes:
    """Derive a deterministic secret key for a simulated node, tests only (§IV-D)."""
    digest = hashlib.sha256(KEY_TAG + seed.to_bytes(8, "big") + name.encode()).digest()
    return ((int.from_bytes(digest, "big") % (N - 1)) + 1).to_bytes(32, "big")


def compressed_public_key(seckey: bytes) -> bytes:
    """Return the 33-byte compressed public key of a secret key (§IV-D)."""
    return bytes(coincurve.PrivateKey(seckey).public_key.format(compressed=True))


def sign_vote(
    seckey: bytes, domain: SigningDomain, kind: VoteKind, view: int, seq: int, digest: bytes
) -> SignedStatement:
    """Sign a consensus statement with BIP340 over its canonical payload in ``domain`` (§IV-D).

    Signing runs on libsecp256k1 (the crypto fast path, property-tested equal to the readable
    one); verification in :mod:`vdlt_spec.economics.penalties` uses the readable path.
    """
    unsigned = SignedStatement(kind, view, seq, digest, bytes(64))
    signature = bip340.schnorr_sign(unsigned.payload(domain), seckey, bytes(32), group=FAST)
    return dataclasses.replace(unsigned, signature=signature)


def double_sign_evidence(
    seckey: bytes, epoch: int, view: int, seq: int, *, roster: Sequence[bytes]
) -> DoubleSignEvidence:
    """Make evidence of a key signing two PREPAREs for one (view, seq) (§IV-J).

    Both are signed in the domain of ``epoch`` and its ``roster`` (the keys in election order).
    """
    domain = SigningDomain.of(roster, epoch=epoch)
    first = sign_vote(
        seckey, domain, VoteKind.PREPARE, view, seq, hashlib.sha256(b"block A").digest()
    )
    second = sign_vote(
        seckey, domain, VoteKind.PREPARE, view, seq, hashlib.sha256(b"block B").digest()
    )
    return DoubleSignEvidence(epoch, compressed_public_key(seckey), first, second)


def forged_certificate_evidence(
    accused: bytes,
    roster: tuple[bytes, ...],
    signers: dict[int, bytes],
    epoch: int,
    view: int,
    seq: int,
    seed: int = 0,
) -> ForgedCertificateEvidence:
    """Make evidence of ``accused`` vouching for a certificate signed only by ``signers``.

    The certificate is a real MuSig2 certificate of the given signers over a block digest,
    but its bitmap claims the whole roster: it cannot verify (§IV-D, §IV-J). The accused
    signs a PRE_PREPARE whose digest is the claim digest of the certificate.
    """
    message = hashlib.sha256(b"block " + seq.to_bytes(8, "big")).digest()
    real = make_certificate(roster, signers, message, random.Random(seed))
    forged = Certificate(encode_bitmap(range(len(roster)), len(roster)), real.signature)
    digest = certificate_claim_digest(message, forged)
    claim = sign_vote(
        accused, SigningDomain.of(roster, epoch=epoch), VoteKind.PRE_PREPARE, view, seq, digest
    )
    return ForgedCertificateEvidence(epoch, compressed_public_key(accused), claim, message, forged)
