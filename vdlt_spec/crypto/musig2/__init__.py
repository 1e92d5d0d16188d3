"""Aggregate EC-Schnorr signatures with MuSig2 exactly as BIP327 specifies it (§IV-D).

The whitepaper's iPBFT needs one signature that "a single public key that aggregates the keys
of all the signers" verifies (§IV-D). We use BIP327 unchanged (docs/decisions.md, D-crypto-2):
key aggregation with per-key coefficients (which defeats rogue keys, see
:mod:`vdlt_spec.crypto.rogue_key`), two nonces per signer, partial signatures that can be
checked one by one so that a bad signer is blamed, and an aggregate that is an ordinary
BIP340 signature under the aggregate x-only key.

Function names and step order follow the BIP. Failures are :class:`SpecError` s: an
:class:`InvalidContributionError` names the signer (its index in the list, or ``None`` when
the culprit is unknown, e.g. the aggregator of nonces) and the kind of contribution; plain
invalid values (tweak >= n, bad secret key, reused secnonce) carry their own reason.
``group`` selects the arithmetic engine: readable by default, or
:data:`vdlt_spec.crypto.fast.FAST`; both give identical results (property-tested). Key
aggregation is :mod:`.keyagg`, nonces and signing :mod:`.signing`; this face exports both.
"""

from __future__ import annotations

from vdlt_spec.crypto.musig2.keyagg import (
    AGGNONCE_BYTES,
    CONTRIBUTION_REASONS,
    NO_SECOND_KEY,
    PARTIAL_SIG_BYTES,
    PLAIN_PK_BYTES,
    PUBNONCE_BYTES,
    RAND_BYTES,
    SECNONCE_BYTES,
    SESSION_CACHE_ENTRIES,
    TAG_AUX,
    TAG_CHALLENGE,
    TAG_DETERMINISTIC_NONCE,
    TAG_KEYAGG_COEFFICIENT,
    TAG_KEYAGG_LIST,
    TAG_NONCE,
    TAG_NONCE_COEFFICIENT,
    TWEAK_BYTES,
    InvalidContributionError,
    KeyAggContext,
    NoncePair,
    SessionContext,
    SessionValues,
    apply_tweak,
    get_plain_pk,
    get_second_key,
    get_xonly_pk,
    hash_keys,
    individual_pk,
    key_agg,
    key_agg_coeff,
    key_agg_coeff_internal,
    key_sort,
)
from vdlt_spec.crypto.musig2.signing import (
    deterministic_sign,
    get_session_key_agg_coeff,
    get_session_values,
    nonce_agg,
    nonce_gen,
    nonce_gen_internal,
    partial_sig_agg,
    partial_sig_verify,
    partial_sig_verify_internal,
    sign,
)

__all__ = [
    "AGGNONCE_BYTES",
    "CONTRIBUTION_REASONS",
    "NO_SECOND_KEY",
    "PARTIAL_SIG_BYTES",
    "PLAIN_PK_BYTES",
    "PUBNONCE_BYTES",
    "RAND_BYTES",
    "SECNONCE_BYTES",
    "SESSION_CACHE_ENTRIES",
    "TAG_AUX",
    "TAG_CHALLENGE",
    "TAG_DETERMINISTIC_NONCE",
    "TAG_KEYAGG_COEFFICIENT",
    "TAG_KEYAGG_LIST",
    "TAG_NONCE",
    "TAG_NONCE_COEFFICIENT",
    "TWEAK_BYTES",
    "InvalidContributionError",
    "KeyAggContext",
    "NoncePair",
    "SessionContext",
    "SessionValues",
    "apply_tweak",
    "deterministic_sign",
    "get_plain_pk",
    "get_second_key",
    "get_session_key_agg_coeff",
    "get_session_values",
    "get_xonly_pk",
    "hash_keys",
    "individual_pk",
    "key_agg",
    "key_agg_coeff",
    "key_agg_coeff_internal",
    "key_sort",
    "nonce_agg",
    "nonce_gen",
    "nonce_gen_internal",
    "partial_sig_agg",
    "partial_sig_verify",
    "partial_sig_verify_internal",
    "sign",
]
