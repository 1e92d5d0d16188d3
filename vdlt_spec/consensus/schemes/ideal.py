"""Model signatures symbolically: HMACs under secrets held by the scheme (§IV-D, D-cons-3).

The ideal :class:`~vdlt_spec.consensus.schemes.scheme.SignatureScheme`: unforgeable by
construction, one hash per operation, with the byte sizes of the real scheme.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

from vdlt_spec.consensus.payloads import tagged_hash
from vdlt_spec.consensus.schemes.scheme import PUBNONCE_BYTES, Meter
from vdlt_spec.crypto import Certificate, check_quorum, encode_bitmap
from vdlt_spec.errors import Reason, SpecError

IDEAL_SEED_TAG = b"vDLT/ideal-key"


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
        """Check a quorum certificate: crypto's quorum check, then the symbolic value (§IV-D)."""
        try:
            check_quorum(certificate, self.n)
        except SpecError:
            return False
        self.meter.verified += 1
        expected = _hmac(self._master, b"cert", certificate.bitmap, message)
        return hmac.compare_digest(expected, certificate.signature)
