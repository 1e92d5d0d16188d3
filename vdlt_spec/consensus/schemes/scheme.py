"""Sign, multisign and verify consensus statements behind one interface (§IV-D).

Two implementations give the same decisions on the same seed (tested):

* ``IdealScheme`` (:mod:`.ideal`) — a symbolic model: every signature is an HMAC under a
  secret only the scheme holds, so it is unforgeable by construction and costs one hash. Byte
  sizes equal the real ones (64-byte signatures, 66-byte public nonces, 32-byte partial
  signatures), so message and byte counts do not depend on the model. Use it for very large
  simulations.
* ``RealScheme`` (:mod:`.real`) — BIP340 signatures and BIP327 MuSig2.

Both count every signature verification they perform in :attr:`Meter.verified`: this is
instrumentation of the simulator, not protocol state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from vdlt_spec.crypto import Certificate, encode_bitmap

SIGNATURE_BYTES = 64
PUBNONCE_BYTES = 66
PARTIAL_SIGNATURE_BYTES = 32
PUBKEY_BYTES = 33


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
        """Return whether a quorum certificate on ``message`` verifies (§IV-D).

        The certificate's shape and quorum are decided by :func:`vdlt_spec.crypto.check_quorum`
        only; a scheme then checks the aggregate signature and counts that one verification.
        """
        ...


def certify(
    scheme: SignatureScheme, signers: tuple[int, ...], message: bytes, session: bytes
) -> Certificate:
    """Run a whole collector session of ``signers`` on ``message`` in one place (§IV-D).

    Each signer draws its nonce from ``session`` and its index, the nonces are aggregated, each
    signer signs its part and the parts are aggregated into a bitmap certificate. No quorum is
    required, so that callers can build certificates that verification must refuse.
    """
    nonces = [scheme.nonce_gen(i, session + bytes([i])) for i in signers]
    pubnonces = [pub for _, pub in nonces]
    aggnonce = scheme.nonce_agg(pubnonces)
    psigs = [
        scheme.partial_sign(i, sec, aggnonce, signers, message)
        for i, (sec, _) in zip(signers, nonces, strict=True)
    ]
    signature = scheme.aggregate(psigs, pubnonces, aggnonce, signers, message)
    return Certificate(encode_bitmap(signers, len(scheme.roster)), signature)
