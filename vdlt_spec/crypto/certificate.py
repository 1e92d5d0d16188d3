"""Prove a quorum with one signature: signer-bitmap multisignature certificates (§IV-D).

"In iPBFT, only over 2n/3 nodes are needed to sign the message. Therefore, a bitmap is used
to indicate the nodes who participate in the signing process" (§IV-D). A certificate over a
roster of n keys is

    bitmap (ceil(n/8) bytes) || signature (64 bytes)

The bitmap is :mod:`vdlt_spec.crypto.bitmap`'s. The signature is a BIP340
signature under the BIP327 MuSig2 aggregate of the roster keys the bitmap selects, taken in
roster order without sorting (D-crypto-3). A certificate proves a quorum iff its signers are a
quorum by :func:`vdlt_spec.crypto.quorum.is_quorum` (3·popcount > 2n).

Verification costs one key aggregation per distinct (roster, bitmap) and one BIP340
verification per certificate; :class:`vdlt_spec.crypto.aggregate.AggregateKeyCache` keeps the
aggregate keys, so a repeated signer set costs one verification only.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from vdlt_spec.crypto import bip340, musig2
from vdlt_spec.crypto import fast as fastpath
from vdlt_spec.crypto.aggregate import (
    AggregateKeyCache,
    Roster,
    cached_aggregate_key,
    engine,
    validate_roster,
)
from vdlt_spec.crypto.bitmap import bitmap_bits, bitmap_length, decode_bitmap, encode_bitmap
from vdlt_spec.crypto.musig2 import SessionContext
from vdlt_spec.crypto.quorum import is_quorum, quorum_size
from vdlt_spec.crypto.testkeys import deterministic_roster, keypair_from_seed
from vdlt_spec.errors import Reason, SpecError

__all__ = [
    "SIGNATURE_BYTES",
    "Certificate",
    "aggregate_nonces",
    "assemble_certificate",
    "certificate_is_valid",
    "certificate_length",
    "certificate_session",
    "check_quorum",
    "deterministic_roster",
    "keypair_from_seed",
    "make_certificate",
    "partial_signature_is_valid",
    "quorum_signature_is_valid",
    "verify_certificate",
]

SIGNATURE_BYTES = bip340.SIGNATURE_BYTES


def certificate_length(n: int) -> int:
    """Return the encoded certificate size for ``n`` members: ceil(n/8) + 64 bytes (§IV-D)."""
    return bitmap_length(n) + SIGNATURE_BYTES


# --- certificate -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Certificate:
    """Hold a quorum certificate: signer bitmap and one 64-byte BIP340 signature (§IV-D)."""

    bitmap: bytes
    signature: bytes

    def encode(self) -> bytes:
        """Return bitmap || signature, the certificate's wire form (§IV-D)."""
        return self.bitmap + self.signature

    @classmethod
    def decode(cls, data: bytes, n: int) -> Certificate:
        """Parse bitmap || signature for a roster of ``n``; check length and padding (§IV-D)."""
        expected = certificate_length(n)
        if len(data) != expected:
            raise SpecError(
                Reason.CERTIFICATE_BAD_LENGTH,
                f"certificate for n = {n} must be {expected} bytes, got {len(data)}",
            )
        split = bitmap_length(n)
        certificate = cls(bytes(data[:split]), bytes(data[split:]))
        bitmap_bits(certificate.bitmap, n)
        return certificate

    def signers(self, n: int) -> tuple[int, ...]:
        """Return the signer indices this certificate claims (§IV-D)."""
        return decode_bitmap(self.bitmap, n)


def check_quorum(cert: Certificate, n: int) -> int:
    """Return a certificate's signer bits after checking its shape and quorum, or raise (§IV-D).

    This is where a certificate's quorum is decided, for every signature scheme. Checks, in
    order: bitmap length (``BITMAP_BAD_LENGTH``), padding bits (``BITMAP_PADDING_NONZERO``),
    signature length (``CERTIFICATE_BAD_LENGTH``) and quorum 3·popcount > 2n
    (``QUORUM_TOO_SMALL``).
    """
    bits = bitmap_bits(cert.bitmap, n)
    if len(cert.signature) != SIGNATURE_BYTES:
        raise SpecError(
            Reason.CERTIFICATE_BAD_LENGTH,
            f"signature must be {SIGNATURE_BYTES} bytes, got {len(cert.signature)}",
        )
    count = bits.bit_count()
    if not is_quorum(count, n):
        raise SpecError(
            Reason.QUORUM_TOO_SMALL,
            f"{count} of {n} signers; a quorum needs {quorum_size(n)} (3·count > 2n)",
        )
    return bits


def verify_certificate(
    roster: Sequence[bytes],
    message: bytes,
    cert: Certificate,
    *,
    cache: AggregateKeyCache | None = None,
    fast: bool = True,
) -> None:
    """Accept a certificate on ``message`` by ``roster`` or raise ``SpecError`` saying why (§IV-D).

    Checks, in order: shape and quorum (:func:`check_quorum`), roster validity (``ROSTER_*``),
    and the BIP340 signature under the aggregate key of the selected signers
    (``BAD_SIGNATURE``).
    ``fast`` picks libsecp256k1 or the readable arithmetic; both decide alike.
    """
    keys = roster if isinstance(roster, tuple) else tuple(roster)
    bits = check_quorum(cert, len(keys))
    _check_signature(keys, message, cert, bits, cache, fast)


def _check_signature(
    keys: Roster,
    message: bytes,
    cert: Certificate,
    bits: int,
    cache: AggregateKeyCache | None,
    fast: bool,
) -> None:
    entry = cached_aggregate_key(keys, cert.bitmap, bits, cache, fast)
    if fast:
        valid = fastpath.verify_with(entry.verifier, message, cert.signature)
    else:
        valid = bip340.schnorr_verify(message, entry.xonly, cert.signature)
    if not valid:
        raise SpecError(
            Reason.BAD_SIGNATURE,
            f"signature does not verify under the aggregate of {bits.bit_count()} keys",
        )


def quorum_signature_is_valid(
    roster: Roster,
    message: bytes,
    cert: Certificate,
    bits: int,
    *,
    cache: AggregateKeyCache | None = None,
) -> bool:
    """Tell whether a certificate's signature verifies, its quorum ``bits`` checked (§IV-D).

    ``bits`` is what :func:`check_quorum` returned for ``cert``: this is the second half of
    :func:`verify_certificate`, for a verifier that counts signature checks separately.
    """
    try:
        _check_signature(roster, message, cert, bits, cache, True)
    except SpecError:
        return False
    return True


def certificate_is_valid(
    roster: Sequence[bytes],
    message: bytes,
    cert: Certificate,
    *,
    cache: AggregateKeyCache | None = None,
    fast: bool = True,
) -> bool:
    """Tell whether :func:`verify_certificate` accepts the certificate (§IV-D)."""
    try:
        verify_certificate(roster, message, cert, cache=cache, fast=fast)
    except SpecError:
        return False
    return True


# --- making certificates (a complete local MuSig2 session) -----------------------------------


def _chosen(roster: Sequence[bytes], signers: Iterable[int]) -> tuple[int, ...]:
    return decode_bitmap(encode_bitmap(signers, len(roster)), len(roster))


def _blame_roster_index(exc: musig2.InvalidContributionError, chosen: Sequence[int]) -> SpecError:
    signer = None if exc.signer is None else chosen[exc.signer]
    return musig2.InvalidContributionError(signer, exc.contrib, exc.detail)


def certificate_session(
    roster: Sequence[bytes], signers: Iterable[int], aggnonce: bytes, message: bytes
) -> SessionContext:
    """Return the MuSig2 session context of a certificate: signer keys in roster order (§IV-D)."""
    keys = tuple(roster)
    return SessionContext(aggnonce, tuple(keys[i] for i in _chosen(keys, signers)), (), (), message)


def aggregate_nonces(
    roster: Sequence[bytes],
    signers: Iterable[int],
    pubnonces: Sequence[bytes],
    *,
    fast: bool = True,
) -> bytes:
    """Aggregate the signers' public nonces, given in roster order (NonceAgg) (§IV-D).

    An invalid nonce raises ``InvalidContributionError`` whose ``signer`` is the roster index.
    """
    chosen = _chosen(roster, signers)
    if len(pubnonces) != len(chosen):
        raise SpecError(Reason.COUNT_MISMATCH, f"{len(pubnonces)} nonces for {len(chosen)} signers")
    try:
        return musig2.nonce_agg(pubnonces, group=engine(fast))
    except musig2.InvalidContributionError as exc:
        raise _blame_roster_index(exc, chosen) from None


def partial_signature_is_valid(
    roster: Sequence[bytes],
    session: SessionContext,
    signer: int,
    pubnonce: bytes,
    psig: bytes,
    *,
    fast: bool = True,
) -> bool:
    """Tell whether roster member ``signer``'s partial signature is valid (§IV-D).

    The collector runs this before :func:`assemble_certificate`, so that a wrong partial
    signature is pinned on its signer instead of spoiling the certificate. A malformed nonce
    or key raises ``InvalidContributionError`` naming the roster index.
    """
    keys = tuple(roster)
    if not 0 <= signer < len(keys):
        raise SpecError(Reason.SIGNER_OUTSIDE_ROSTER, f"signer {signer} is not in [0, {len(keys)})")
    try:
        return musig2.partial_sig_verify_internal(
            psig, pubnonce, keys[signer], session, group=engine(fast)
        )
    except musig2.InvalidContributionError as exc:
        raise musig2.InvalidContributionError(signer, exc.contrib, exc.detail) from None


def assemble_certificate(
    roster: Sequence[bytes],
    signers: Iterable[int],
    session: SessionContext,
    psigs: Sequence[bytes],
    *,
    fast: bool = True,
) -> Certificate:
    """Aggregate the signers' partial signatures into a certificate (PartialSigAgg) (§IV-D).

    ``psigs`` are in roster order of the signers; a malformed one raises
    ``InvalidContributionError`` whose ``signer`` is the roster index. Partial signatures are
    not checked here (as in BIP327): use :func:`partial_signature_is_valid` first.
    """
    keys = tuple(roster)
    chosen = _chosen(keys, signers)
    if len(psigs) != len(chosen):
        raise SpecError(
            Reason.COUNT_MISMATCH, f"{len(psigs)} partial signatures for {len(chosen)} signers"
        )
    try:
        signature = musig2.partial_sig_agg(psigs, session, group=engine(fast))
    except musig2.InvalidContributionError as exc:
        raise _blame_roster_index(exc, chosen) from None
    return Certificate(encode_bitmap(chosen, len(keys)), signature)


def make_certificate(
    roster: Sequence[bytes],
    seckeys: Mapping[int, bytes],
    message: bytes,
    rng: random.Random,
    *,
    fast: bool = True,
) -> Certificate:
    """Run a whole local MuSig2 session for the signers in ``seckeys`` and certify (§IV-D).

    ``seckeys`` maps roster index to secret key. Each signer draws its nonce randomness from
    ``rng`` (NonceGen), the nonces are aggregated (NonceAgg), each signer signs (Sign) and the
    partial signatures are summed (PartialSigAgg). No quorum is required here, so tests can
    build certificates that verification must refuse.
    """
    keys = validate_roster(roster, fast=fast)
    if not seckeys:
        raise SpecError(Reason.NO_SIGNERS, "a certificate needs at least one signer")
    group = engine(fast)
    signers = sorted(seckeys)
    encode_bitmap(signers, len(keys))  # rejects indices outside the roster
    for i in signers:
        if musig2.individual_pk(seckeys[i], group=group) != keys[i]:
            raise SpecError(Reason.ROSTER_KEY_MISMATCH, f"secret key {i} is not roster key {i}")
    pubkeys = [keys[i] for i in signers]
    aggpk = musig2.get_xonly_pk(musig2.key_agg(pubkeys, group=group))
    nonces = [
        musig2.nonce_gen(seckeys[i], keys[i], aggpk, message, None, rng, group=group)
        for i in signers
    ]
    aggnonce = aggregate_nonces(keys, signers, [pair.pubnonce for pair in nonces], fast=fast)
    session = certificate_session(keys, signers, aggnonce, message)
    psigs = [
        musig2.sign(pair.secnonce, seckeys[i], session, group=group, verify_own=False)
        for pair, i in zip(nonces, signers, strict=True)
    ]
    return assemble_certificate(keys, signers, session, psigs, fast=fast)
