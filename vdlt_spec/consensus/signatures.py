"""Sign, multisign and verify consensus statements behind one interface (§IV-D).

Two implementations give the same decisions on the same seed (tested):

* :class:`IdealScheme` — a symbolic model: every signature is an HMAC under a secret only the
  scheme holds, so it is unforgeable by construction and costs one hash. Byte sizes equal the
  real ones (64-byte signatures, 66-byte public nonces, 32-byte partial signatures), so message
  and byte counts do not depend on the model. Use it for very large simulations.
* ``RealScheme`` (``vdlt_spec.consensus.real``) — BIP340 signatures and BIP327 MuSig2.

Both count every verification they perform in :attr:`Meter.verified`: this is instrumentation
of the simulator, not protocol state.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from vdlt_spec.consensus.messages import tagged_hash
from vdlt_spec.consensus.quorum import Certificate, decode_bitmap, encode_bitmap, is_quorum
from vdlt_spec.errors import Reason, SpecError

SIGNATURE_BYTES = 64
PUBNONCE_BYTES = 66
PARTIAL_SIGNATURE_BYTES = 32
PUBKEY_BYTES = 33
IDEAL_SEED_TAG = b"vDLT/ideal-key"


@dataclass
class Meter:
    """Count the signature operations a scheme performed (instrumentation only) (§IV-D)."""

    signed: int = 0
    verified: int = 0
    partial_signed: int = 0
    partial_verified: int = 0
    aggregated: int = 0


class SignatureScheme(Protocol):
    """Offer BIP340-style single signatures and MuSig2-style certificates over a roster (§IV-D)."""

    name: str
    roster: tuple[bytes, ...]
    meter: Meter

    def sign(self, signer: int, message: bytes) -> bytes:
        """Return ``signer``'s 64-byte signature on a 32-byte message (§IV-D)."""
        ...

    def verify(self, signer: int, message: bytes, signature: bytes) -> bool:
        """Return whether ``signature`` is ``signer``'s signature on ``message`` (§IV-D)."""
        ...

    def nonce_gen(self, signer: int, session: bytes) -> tuple[bytes, bytes]:
        """Return (secnonce, pubnonce) for ``signer`` from a unique session id (§IV-D)."""
        ...

    def nonce_agg(self, pubnonces: Sequence[bytes]) -> bytes:
        """Return the aggregate of the signers' public nonces (roster order) (§IV-D)."""
        ...

    def partial_sign(
        self,
        signer: int,
        secnonce: bytes,
        aggnonce: bytes,
        signers: tuple[int, ...],
        message: bytes,
    ) -> bytes:
        """Return ``signer``'s partial signature in the session (§IV-D)."""
        ...

    def partial_verify(
        self,
        signer: int,
        psig: bytes,
        pubnonce: bytes,
        aggnonce: bytes,
        signers: tuple[int, ...],
        message: bytes,
    ) -> bool:
        """Return whether ``psig`` is ``signer``'s valid partial signature (§IV-D)."""
        ...

    def aggregate(
        self,
        psigs: Sequence[bytes],
        pubnonces: Sequence[bytes],
        aggnonce: bytes,
        signers: tuple[int, ...],
        message: bytes,
    ) -> bytes:
        """Return the 64-byte aggregate of the partial signatures, signer order (§IV-D)."""
        ...

    def verify_certificate(self, message: bytes, certificate: Certificate) -> bool:
        """Return whether a certificate verifies under its signers' aggregate key (§IV-D).

        Does not decide quorum size; :func:`vdlt_spec.consensus.quorum.verify_proof` does.
        """
        ...


def _hmac(key: bytes, *parts: bytes) -> bytes:
    return hmac.new(key, b"".join(parts), hashlib.sha512).digest()


class IdealScheme:
    """Model signatures symbolically: HMACs under secrets held by the scheme (§IV-D, D-cons-3).

    An adversary that is not the signer cannot compute a valid value, which is exactly the
    unforgeability the protocol relies on. Public nonces are values bound to the secret nonce;
    a partial signature binds the signer's public nonce, the aggregate nonce, the signer set
    and the message; the aggregate is valid only if every partial signature is.
    """

    name = "ideal"

    def __init__(self, n: int, seed: int = 0) -> None:
        """Derive n secret keys and stand-in 33-byte public keys from ``seed``."""
        base = tagged_hash(IDEAL_SEED_TAG, seed.to_bytes(32, "big", signed=True))
        self._secrets = tuple(
            tagged_hash(IDEAL_SEED_TAG, base + i.to_bytes(4, "big")) for i in range(n)
        )
        self._master = tagged_hash(IDEAL_SEED_TAG, base + b"master")
        self.roster = tuple(b"\x02" + hashlib.sha256(s).digest() for s in self._secrets)
        self.meter = Meter()

    @property
    def n(self) -> int:
        """Return the roster size (§IV-D)."""
        return len(self.roster)

    def _known(self, signer: int) -> bool:
        return 0 <= signer < len(self._secrets)

    def sign(self, signer: int, message: bytes) -> bytes:
        """Return the symbolic signature of ``signer`` on ``message`` (§IV-D)."""
        self.meter.signed += 1
        return _hmac(self._secrets[signer], b"sig", message)

    def verify(self, signer: int, message: bytes, signature: bytes) -> bool:
        """Check a symbolic signature (counts one verification) (§IV-D)."""
        self.meter.verified += 1
        if not self._known(signer):
            return False
        return hmac.compare_digest(_hmac(self._secrets[signer], b"sig", message), signature)

    def nonce_gen(self, signer: int, session: bytes) -> tuple[bytes, bytes]:
        """Return a secret nonce and its public nonce, derived from the session id (§IV-D)."""
        secnonce = _hmac(self._secrets[signer], b"nonce", session)[:32]
        return secnonce, self._pubnonce(signer, secnonce)

    def _pubnonce(self, signer: int, secnonce: bytes) -> bytes:
        digest = _hmac(self._secrets[signer], b"pubnonce", secnonce)
        return (b"\x02" + digest[:32]) + (b"\x03" + digest[32:])

    def nonce_agg(self, pubnonces: Sequence[bytes]) -> bytes:
        """Return a stand-in for the sum of public nonces; reject malformed ones (§IV-D)."""
        for pubnonce in pubnonces:
            if len(pubnonce) != PUBNONCE_BYTES or pubnonce[0] not in (2, 3):
                raise SpecError(Reason.INVALID_PUBNONCE, "malformed public nonce")
        digest = hashlib.sha512(b"".join(pubnonces)).digest()
        return (b"\x02" + digest[:32]) + (b"\x03" + digest[32:])

    def _partial(
        self,
        signer: int,
        pubnonce: bytes,
        aggnonce: bytes,
        signers: tuple[int, ...],
        message: bytes,
    ) -> bytes:
        bitmap = encode_bitmap(signers, len(self.roster))
        return _hmac(self._secrets[signer], b"partial", pubnonce, aggnonce, bitmap, message)[:32]

    def partial_sign(
        self,
        signer: int,
        secnonce: bytes,
        aggnonce: bytes,
        signers: tuple[int, ...],
        message: bytes,
    ) -> bytes:
        """Return the symbolic partial signature (bound to the signer's public nonce) (§IV-D)."""
        self.meter.partial_signed += 1
        pubnonce = self._pubnonce(signer, secnonce)
        return self._partial(signer, pubnonce, aggnonce, signers, message)

    def partial_verify(
        self,
        signer: int,
        psig: bytes,
        pubnonce: bytes,
        aggnonce: bytes,
        signers: tuple[int, ...],
        message: bytes,
    ) -> bool:
        """Check a symbolic partial signature (counts one verification) (§IV-D)."""
        self.meter.partial_verified += 1
        if not self._known(signer) or signer not in signers:
            return False
        try:
            expected = self._partial(signer, pubnonce, aggnonce, signers, message)
        except SpecError:
            return False
        return hmac.compare_digest(expected, psig)

    def aggregate(
        self,
        psigs: Sequence[bytes],
        pubnonces: Sequence[bytes],
        aggnonce: bytes,
        signers: tuple[int, ...],
        message: bytes,
    ) -> bytes:
        """Return the symbolic aggregate: valid only if every partial signature is (§IV-D)."""
        self.meter.aggregated += 1
        bitmap = encode_bitmap(signers, len(self.roster))
        valid = (
            len(psigs) == len(signers) == len(pubnonces)
            and all(self._known(s) for s in signers)
            and all(
                hmac.compare_digest(self._partial(s, pn, aggnonce, signers, message), ps)
                for s, ps, pn in zip(signers, psigs, pubnonces, strict=True)
            )
        )
        if not valid:
            return hashlib.sha512(b"invalid" + b"".join(psigs)).digest()
        return _hmac(self._master, b"cert", bitmap, message)

    def verify_certificate(self, message: bytes, certificate: Certificate) -> bool:
        """Check a symbolic certificate signature (counts one verification) (§IV-D)."""
        self.meter.verified += 1
        try:
            signers = decode_bitmap(certificate.bitmap, len(self.roster))
        except SpecError:
            return False
        if len(certificate.signature) != SIGNATURE_BYTES or not is_quorum(len(signers), self.n):
            return False
        expected = _hmac(self._master, b"cert", certificate.bitmap, message)
        return hmac.compare_digest(expected, certificate.signature)
