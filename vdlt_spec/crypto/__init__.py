"""EC-Schnorr (BIP340), MuSig2 (BIP327) and signer-bitmap quorum certificates (§IV-D).

The face of the crypto component: the quorum rule (:mod:`.quorum`), the signer bitmap
(:mod:`.bitmap`), rosters and aggregate keys (:mod:`.aggregate`), certificates
(:mod:`.certificate`) and the BIP340 tagged hash. The BIP340 and MuSig2 algorithms themselves
are the modules :mod:`.bip340` and :mod:`.musig2`.
"""

from __future__ import annotations

from vdlt_spec.crypto.aggregate import (
    DEFAULT_CACHE_ENTRIES,
    ROSTER_KEY_BYTES,
    AggregateKey,
    AggregateKeyCache,
    Roster,
    aggregate_key,
    cached_aggregate_key,
    engine,
    validate_roster,
)
from vdlt_spec.crypto.bip340 import tagged_hash
from vdlt_spec.crypto.bitmap import (
    BITS_PER_BYTE,
    bitmap_bits,
    bitmap_length,
    bits_form_quorum,
    decode_bitmap,
    encode_bitmap,
    require_members,
    signer_count,
)
from vdlt_spec.crypto.certificate import (
    SIGNATURE_BYTES,
    Certificate,
    aggregate_nonces,
    assemble_certificate,
    certificate_is_valid,
    certificate_length,
    certificate_session,
    check_quorum,
    deterministic_roster,
    keypair_from_seed,
    make_certificate,
    partial_signature_is_valid,
    quorum_signature_is_valid,
    verify_certificate,
)
from vdlt_spec.crypto.quorum import (
    FAULT_DENOMINATOR,
    QUORUM_DENOMINATOR,
    QUORUM_NUMERATOR,
    Term,
    is_quorum,
    max_faulty,
    max_faulty_bounds,
    quorum_size,
    quorum_size_bounds,
    within_fault_bound,
)

__all__ = [
    "BITS_PER_BYTE",
    "DEFAULT_CACHE_ENTRIES",
    "FAULT_DENOMINATOR",
    "QUORUM_DENOMINATOR",
    "QUORUM_NUMERATOR",
    "ROSTER_KEY_BYTES",
    "SIGNATURE_BYTES",
    "AggregateKey",
    "AggregateKeyCache",
    "Certificate",
    "Roster",
    "Term",
    "aggregate_key",
    "aggregate_nonces",
    "assemble_certificate",
    "bitmap_bits",
    "bitmap_length",
    "bits_form_quorum",
    "cached_aggregate_key",
    "certificate_is_valid",
    "certificate_length",
    "certificate_session",
    "check_quorum",
    "decode_bitmap",
    "deterministic_roster",
    "encode_bitmap",
    "engine",
    "is_quorum",
    "keypair_from_seed",
    "make_certificate",
    "max_faulty",
    "max_faulty_bounds",
    "partial_signature_is_valid",
    "quorum_signature_is_valid",
    "quorum_size",
    "quorum_size_bounds",
    "require_members",
    "signer_count",
    "tagged_hash",
    "validate_roster",
    "verify_certificate",
    "within_fault_bound",
]
