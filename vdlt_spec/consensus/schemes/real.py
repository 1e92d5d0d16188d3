"""Sign consensus statements with BIP340 and certify quorums with BIP327 MuSig2 (§IV-D).

The real counterpart of :class:`vdlt_spec.consensus.schemes.IdealScheme`, built on
:mod:`vdlt_spec.crypto` with the libsecp256k1 engine (``FAST``, property-tested equal to the
readable arithmetic by the crypto component). Keys come from
:func:`vdlt_spec.crypto.testkeys.deterministic_roster`: simulation keys, public by design.
Nonces are BIP327 NonceGen with its 32 random bytes derived from a per-replica secret seed and
a session identifier that never repeats (D-cons-3), so runs are reproducible.
"""

from __future__ import annotations

from collections.abc import Sequence

from vdlt_spec.consensus.payloads import tagged_hash
from vdlt_spec.consensus.schemes.scheme import (
    SIGNATURE_BYTES,
    Meter,
    SignatureScheme,
    SigningSession,
)
from vdlt_spec.crypto import (
    AggregateKeyCache,
    Certificate,
    certificate_is_valid,
    certificate_session,
    musig2,
    quorum_signature_is_valid,
)
from vdlt_spec.crypto.fast import FAST, schnorr_sign, verify_with, xonly_verifier
from vdlt_spec.crypto.testkeys import deterministic_roster
from vdlt_spec.errors import SpecError

NONCE_SEED_TAG = b"vDLT/nonce-seed"
AUX_TAG = b"vDLT/aux"


class RealScheme(SignatureScheme):
    """Sign with BIP340, multisign with MuSig2 over the bitmap's keys in roster order (§IV-D)."""

    name = "real"

    def __init__(self, n: int, seed: int = 0) -> None:
        """Derive a deterministic roster of n keys from ``seed``."""
        roster, seckeys = deterministic_roster(n, seed)
        self.roster = roster
        self._seckeys = tuple(seckeys[i] for i in range(n))
        self._nonce_seeds = tuple(tagged_hash(NONCE_SEED_TAG, sk) for sk in self._seckeys)
        verifiers = [xonly_verifier(pk[1:]) for pk in roster]
        self._verifiers = tuple(v for v in verifiers if v is not None)
        self.cache = AggregateKeyCache()
        self.meter = Meter()

    def sign(self, signer: int, message: bytes) -> bytes:
        """Return signer's BIP340 signature, aux bytes from key and message (§IV-D)."""
        self.meter.signed += 1
        seckey = self._seckeys[signer]
        return schnorr_sign(message, seckey, tagged_hash(AUX_TAG, seckey + message))

    def _signature_is_valid(self, signer: int, message: bytes, signature: bytes) -> bool:
        """Verify a BIP340 signature with libsecp256k1 (§IV-D)."""
        return verify_with(self._verifiers[signer], message, signature)

    def nonce_gen(self, signer: int, session: bytes) -> tuple[bytes, bytes]:
        """Run BIP327 NonceGen, rand_ from the nonce seed and ``session`` (§IV-D, D-cons-3)."""
        rand = tagged_hash(NONCE_SEED_TAG, self._nonce_seeds[signer] + session)
        pair = musig2.nonce_gen_internal(
            rand, self._seckeys[signer], self.roster[signer], None, None, None, group=FAST
        )
        return bytes(pair.secnonce), pair.pubnonce

    def nonce_agg(self, pubnonces: Sequence[bytes]) -> bytes:
        """Run BIP327 NonceAgg (§IV-D)."""
        return musig2.nonce_agg(pubnonces, group=FAST)

    def _context(self, session: SigningSession) -> musig2.SessionContext:
        return certificate_session(self.roster, session.signers, session.aggnonce, session.message)

    def _partial_signature(self, signer: int, secnonce: bytes, session: SigningSession) -> bytes:
        """Run BIP327 Sign over the signers' keys in roster order (§IV-D)."""
        return musig2.sign(
            bytearray(secnonce),
            self._seckeys[signer],
            self._context(session),
            group=FAST,
            verify_own=False,
        )

    def _partial_is_valid(
        self, signer: int, psig: bytes, pubnonce: bytes, session: SigningSession
    ) -> bool:
        """Run BIP327 PartialSigVerifyInternal (§IV-D)."""
        return musig2.partial_sig_verify_internal(
            psig, pubnonce, self.roster[signer], self._context(session), group=FAST
        )

    def _aggregate(
        self, psigs: Sequence[bytes], pubnonces: Sequence[bytes], session: SigningSession
    ) -> bytes:
        """Run BIP327 PartialSigAgg; a malformed one yields an invalid value (§IV-D)."""
        try:
            return musig2.partial_sig_agg(psigs, self._context(session), group=FAST)
        except SpecError:
            return bytes(SIGNATURE_BYTES)

    def _certificate_signature_is_valid(
        self, message: bytes, certificate: Certificate, bits: int
    ) -> bool:
        """Verify the certificate's MuSig2 signature under the bitmap's keys (§IV-D)."""
        return quorum_signature_is_valid(self.roster, message, certificate, bits, cache=self.cache)


class RosterVerifier:
    """Verify consensus signatures and certificates of any roster, holding no secret (§IV-J).

    What a third party (the penalty mechanism, an auditor) needs to check evidence from
    :mod:`vdlt_spec.consensus.accountability`: BIP340 under each member's x-only key, and
    certificates under the MuSig2 aggregate of the bitmap's keys.
    """

    def __init__(self, roster: tuple[bytes, ...]) -> None:
        """Parse the roster's 33-byte keys once."""
        self.roster = roster
        self._verifiers = tuple(xonly_verifier(pk[1:]) for pk in roster)
        self.cache = AggregateKeyCache()

    def verify(self, signer: int, message: bytes, signature: bytes) -> bool:
        """Return whether ``signature`` is roster member ``signer``'s BIP340 signature (§IV-D)."""
        if not 0 <= signer < len(self.roster) or len(signature) != SIGNATURE_BYTES:
            return False
        verifier = self._verifiers[signer]
        return verifier is not None and verify_with(verifier, message, signature)

    def verify_certificate(self, message: bytes, certificate: Certificate) -> bool:
        """Return whether a quorum certificate verifies under the roster (§IV-D)."""
        return certificate_is_valid(self.roster, message, certificate, cache=self.cache)
