"""Model signatures symbolically: HMACs under secrets held by the scheme (§IV-D, D-cons-3).

The ideal :class:`~vdlt_spec.consensus.schemes.scheme.SignatureScheme`: unforgeable by
construction, one hash per operation, with the byte sizes of the real scheme.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

from vdlt_spec.consensus.payloads import tagged_hash
from vdlt_spec.consensus.schemes.scheme import (
    PUBNONCE_BYTES,
    Meter,
    SignatureScheme,
    SigningSession,
)
from vdlt_spec.crypto import Certificate, encode_bitmap
from vdlt_spec.errors import Reason, SpecError

IDEAL_SEED_TAG = b"vDLT/ideal-key"


def _hmac(key: bytes, *parts: bytes) -> bytes:
    return hmac.new(key, b"".join(parts), hashlib.sha512).digest()


class IdealScheme(SignatureScheme):
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

    def sign(self, signer: int, message: bytes) -> bytes:
        """Return the symbolic signature of ``signer`` on ``message`` (§IV-D)."""
        self.meter.signed += 1
        return _hmac(self._secrets[signer], b"sig", message)

    def _signature_is_valid(self, signer: int, message: bytes, signature: bytes) -> bool:
        """Compare with the symbolic signature (§IV-D)."""
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

    def _partial(self, signer: int, pubnonce: bytes, session: SigningSession) -> bytes:
        bitmap = encode_bitmap(session.signers, len(self.roster))
        parts = (pubnonce, session.aggnonce, bitmap, session.message)
        return _hmac(self._secrets[signer], b"partial", *parts)[:32]

    def _partial_signature(self, signer: int, secnonce: bytes, session: SigningSession) -> bytes:
        """Return the symbolic partial signature (bound to the signer's public nonce) (§IV-D)."""
        return self._partial(signer, self._pubnonce(signer, secnonce), session)

    def _partial_is_valid(
        self, signer: int, psig: bytes, pubnonce: bytes, session: SigningSession
    ) -> bool:
        """Compare with the symbolic partial signature (§IV-D)."""
        return hmac.compare_digest(self._partial(signer, pubnonce, session), psig)

    def _aggregate(
        self, psigs: Sequence[bytes], pubnonces: Sequence[bytes], session: SigningSession
    ) -> bytes:
        """Return the symbolic aggregate: valid only if every partial signature is (§IV-D)."""
        signers = session.signers
        bitmap = encode_bitmap(signers, len(self.roster))
        valid = (
            len(psigs) == len(signers) == len(pubnonces)
            and all(0 <= s < self.n for s in signers)
            and all(
                hmac.compare_digest(self._partial(s, pn, session), ps)
                for s, ps, pn in zip(signers, psigs, pubnonces, strict=True)
            )
        )
        if not valid:
            return hashlib.sha512(b"invalid" + b"".join(psigs)).digest()
        return _hmac(self._master, b"cert", bitmap, session.message)

    def _certificate_signature_is_valid(
        self, message: bytes, certificate: Certificate, bits: int
    ) -> bool:
        """Compare with the symbolic certificate value (§IV-D)."""
        expected = _hmac(self._master, b"cert", certificate.bitmap, message)
        return hmac.compare_digest(expected, certificate.signature)
