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

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

from vdlt_spec.crypto import Certificate, check_quorum, encode_bitmap
from vdlt_spec.errors import SpecError

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


@dataclass(frozen=True)
class SigningSession:
    """Name one collector session: the aggregate nonce, the signers and the message (§IV-D)."""

    aggnonce: bytes
    signers: tuple[int, ...]
    message: bytes


class SignatureScheme(ABC):
    """Offer BIP340-style single signatures and MuSig2-style certificates over a roster (§IV-D).

    The flow every scheme shares lives here once: counting each operation in :attr:`meter`,
    refusing signers outside the roster or the session, turning a malformed contribution
    (``SpecError``) into "invalid", and deciding a certificate's shape and quorum with
    :func:`vdlt_spec.crypto.check_quorum` only. A scheme supplies the signature arithmetic.
    """

    name: str
    roster: tuple[bytes, ...]
    meter: Meter

    @property
    def n(self) -> int:
        """Return the roster size (§IV-D)."""
        return len(self.roster)

    @abstractmethod
    def sign(self, signer: int, message: bytes) -> bytes:
        """Return ``signer``'s 64-byte signature on a 32-byte message (§IV-D)."""

    def verify(self, signer: int, message: bytes, signature: bytes) -> bool:
        """Return whether ``signature`` is ``signer``'s signature on ``message`` (§IV-D).

        Counts one verification.
        """
        self.meter.verified += 1
        if not 0 <= signer < self.n or len(signature) != SIGNATURE_BYTES:
            return False
        return self._signature_is_valid(signer, message, signature)

    @abstractmethod
    def nonce_gen(self, signer: int, session: bytes) -> tuple[bytes, bytes]:
        """Return (secnonce, pubnonce) for ``signer`` from a unique session id (§IV-D)."""

    @abstractmethod
    def nonce_agg(self, pubnonces: Sequence[bytes]) -> bytes:
        """Return the aggregate of the signers' public nonces (roster order) (§IV-D)."""

    def partial_sign(
        self,
        signer: int,
        secnonce: bytes,
        aggnonce: bytes,
        signers: tuple[int, ...],
        message: bytes,
    ) -> bytes:
        """Return ``signer``'s partial signature in the session (§IV-D)."""
        self.meter.partial_signed += 1
        return self._partial_signature(signer, secnonce, SigningSession(aggnonce, signers, message))

    def partial_verify(
        self,
        signer: int,
        psig: bytes,
        pubnonce: bytes,
        aggnonce: bytes,
        signers: tuple[int, ...],
        message: bytes,
    ) -> bool:
        """Return whether ``psig`` is ``signer``'s valid partial signature (§IV-D).

        Counts one verification; a malformed contribution is invalid.
        """
        self.meter.partial_verified += 1
        if not 0 <= signer < self.n or signer not in signers:
            return False
        try:
            return self._partial_is_valid(
                signer, psig, pubnonce, SigningSession(aggnonce, signers, message)
            )
        except SpecError:
            return False

    def aggregate(
        self,
        psigs: Sequence[bytes],
        pubnonces: Sequence[bytes],
        aggnonce: bytes,
        signers: tuple[int, ...],
        message: bytes,
    ) -> bytes:
        """Return the 64-byte aggregate of the partial signatures, signer order (§IV-D)."""
        self.meter.aggregated += 1
        return self._aggregate(psigs, pubnonces, SigningSession(aggnonce, signers, message))

    def verify_certificate(self, message: bytes, certificate: Certificate) -> bool:
        """Return whether a quorum certificate on ``message`` verifies (§IV-D).

        The certificate's shape and quorum are decided by :func:`vdlt_spec.crypto.check_quorum`
        only; the scheme then checks the aggregate signature and counts that one verification.
        """
        try:
            bits = check_quorum(certificate, self.n)
        except SpecError:
            return False
        self.meter.verified += 1
        return self._certificate_signature_is_valid(message, certificate, bits)

    @abstractmethod
    def _signature_is_valid(self, signer: int, message: bytes, signature: bytes) -> bool:
        """Check a 64-byte signature of a roster member (§IV-D)."""

    @abstractmethod
    def _partial_signature(self, signer: int, secnonce: bytes, session: SigningSession) -> bytes:
        """Return a session member's partial signature (§IV-D)."""

    @abstractmethod
    def _partial_is_valid(
        self, signer: int, psig: bytes, pubnonce: bytes, session: SigningSession
    ) -> bool:
        """Check a session member's partial signature; may raise ``SpecError`` (§IV-D)."""

    @abstractmethod
    def _aggregate(
        self, psigs: Sequence[bytes], pubnonces: Sequence[bytes], session: SigningSession
    ) -> bytes:
        """Aggregate the partial signatures of a session (§IV-D)."""

    @abstractmethod
    def _certificate_signature_is_valid(
        self, message: bytes, certificate: Certificate, bits: int
    ) -> bool:
        """Check the aggregate signature of a certificate whose quorum ``bits`` hold (§IV-D)."""


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
