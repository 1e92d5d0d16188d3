"""Sign, multisign and verify consensus statements: the scheme seam and its two schemes (§IV-D).

:class:`SignatureScheme` is the interface the replicas use; :class:`IdealScheme` models it
symbolically, :class:`RealScheme` implements it with BIP340 and MuSig2; :class:`RosterVerifier`
checks evidence against a public roster without any secret.
"""

from __future__ import annotations

from vdlt_spec.consensus.schemes.ideal import IDEAL_SEED_TAG, IdealScheme
from vdlt_spec.consensus.schemes.real import RealScheme, RosterVerifier
from vdlt_spec.consensus.schemes.scheme import (
    PARTIAL_SIGNATURE_BYTES,
    PUBKEY_BYTES,
    PUBNONCE_BYTES,
    SIGNATURE_BYTES,
    Meter,
    SignatureScheme,
    certify,
)

__all__ = [
    "IDEAL_SEED_TAG",
    "PARTIAL_SIGNATURE_BYTES",
    "PUBKEY_BYTES",
    "PUBNONCE_BYTES",
    "SIGNATURE_BYTES",
    "IdealScheme",
    "Meter",
    "RealScheme",
    "RosterVerifier",
    "SignatureScheme",
    "certify",
]
