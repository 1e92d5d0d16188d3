"""Aggregate MuSig2 keys as BIP327 specifies: constants, contexts, errors, KeyAgg (§IV-D).

Key aggregation with per-key coefficients (which defeats rogue keys, see
:mod:`vdlt_spec.crypto.rogue_key`) and the tweaks of BIP327; the types and failures shared by
the whole of :mod:`vdlt_spec.crypto.musig2`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from vdlt_spec.crypto.bip340 import tagged_hash
from vdlt_spec.crypto.group import READABLE, Group
from vdlt_spec.crypto.secp256k1 import (
    COMPRESSED_BYTES,
    SCALAR_BYTES,
    G,
    N,
    Point,
    cbytes,
    has_even_y,
    int_from_bytes,
    xbytes,
)
from vdlt_spec.errors import Reason, SpecError

TAG_KEYAGG_LIST = b"KeyAgg list"
TAG_KEYAGG_COEFFICIENT = b"KeyAgg coefficient"
TAG_AUX = b"MuSig/aux"
TAG_NONCE = b"MuSig/nonce"
TAG_NONCE_COEFFICIENT = b"MuSig/noncecoef"
TAG_DETERMINISTIC_NONCE = b"MuSig/deterministic/nonce"
TAG_CHALLENGE = b"BIP0340/challenge"

PLAIN_PK_BYTES = COMPRESSED_BYTES
PUBNONCE_BYTES = 2 * COMPRESSED_BYTES
AGGNONCE_BYTES = 2 * COMPRESSED_BYTES
SECNONCE_BYTES = 2 * SCALAR_BYTES + PLAIN_PK_BYTES
PARTIAL_SIG_BYTES = SCALAR_BYTES
TWEAK_BYTES = SCALAR_BYTES
RAND_BYTES = 32
NO_SECOND_KEY = bytes(PLAIN_PK_BYTES)
SESSION_CACHE_ENTRIES = 256

CONTRIBUTION_REASONS = {
    "pubkey": Reason.INVALID_PUBKEY,
    "pubnonce": Reason.INVALID_PUBNONCE,
    "aggnonce": Reason.INVALID_AGGNONCE,
    "aggothernonce": Reason.INVALID_AGGNONCE,
    "psig": Reason.INVALID_PARTIAL_SIG,
}


class InvalidContributionError(SpecError):
    """Blame a signer (index, or ``None`` if unknown) for an invalid contribution (BIP327)."""

    def __init__(self, signer: int | None, contrib: str, detail: str = "") -> None:
        if contrib not in CONTRIBUTION_REASONS:
            raise ValueError(f"unknown contribution kind {contrib!r}")
        who = "unknown signer" if signer is None else f"signer {signer}"
        message = f"{who}: invalid {contrib}"
        if detail:
            message = f"{message}: {detail}"
        super().__init__(CONTRIBUTION_REASONS[contrib], message)
        self.signer = signer
        self.contrib = contrib


@dataclass(frozen=True)
class KeyAggContext:
    """Hold the aggregate point Q, the accumulated sign gacc and tweak tacc (BIP327)."""

    q: tuple[int, int]
    gacc: int
    tacc: int


@dataclass(frozen=True)
class SessionContext:
    """Hold what every signer of one session agrees on (BIP327 session context)."""

    aggnonce: bytes
    pubkeys: tuple[bytes, ...]
    tweaks: tuple[bytes, ...]
    is_xonly: tuple[bool, ...]
    msg: bytes

    def __post_init__(self) -> None:
        object.__setattr__(self, "pubkeys", tuple(self.pubkeys))
        object.__setattr__(self, "tweaks", tuple(self.tweaks))
        object.__setattr__(self, "is_xonly", tuple(bool(x) for x in self.is_xonly))
        if len(self.tweaks) != len(self.is_xonly):
            raise SpecError(
                Reason.COUNT_MISMATCH,
                f"{len(self.tweaks)} tweaks but {len(self.is_xonly)} is_xonly flags",
            )


@dataclass(frozen=True)
class SessionValues:
    """Hold the values derived from a session context: Q, gacc, tacc, b, R, e (BIP327)."""

    q: tuple[int, int]
    gacc: int
    tacc: int
    b: int
    r: tuple[int, int]
    e: int


@dataclass(frozen=True)
class NoncePair:
    """Hold a signer's secret nonce (zeroed by :func:`sign` after use) and public nonce."""

    secnonce: bytearray = field(repr=False)
    pubnonce: bytes


def _require_length(name: str, data: bytes, length: int) -> None:
    if len(data) != length:
        raise SpecError(Reason.BAD_LENGTH, f"{name} must be {length} bytes, got {len(data)}")


def _xor(a: bytes, b: bytes) -> bytes:
    return bytes(x ^ y for x, y in zip(a, b, strict=True))


def _secret_scalar(sk: bytes) -> int:
    _require_length("secret key", sk, SCALAR_BYTES)
    d = int_from_bytes(sk)
    if not 0 < d < N:
        raise SpecError(Reason.BAD_SECRET_KEY, "secret key must be an integer in [1, n-1]")
    return d


# --- key generation and aggregation ----------------------------------------------------------


def individual_pk(seckey: bytes, *, group: Group = READABLE) -> bytes:
    """Return the 33-byte plain public key of a secret key (BIP327 IndividualPubkey) (§IV-D)."""
    return cbytes(group.mul_base(_secret_scalar(seckey)))


def key_sort(pubkeys: Sequence[bytes]) -> list[bytes]:
    """Sort public keys lexicographically (BIP327 KeySort) (§IV-D)."""
    return sorted(pubkeys)


def hash_keys(pubkeys: Sequence[bytes]) -> bytes:
    """Return L = hash_{KeyAgg list}(pk_1 || ... || pk_u) (BIP327 HashKeys) (§IV-D)."""
    return tagged_hash(TAG_KEYAGG_LIST, b"".join(pubkeys))


def get_second_key(pubkeys: Sequence[bytes]) -> bytes:
    """Return the first key different from pk_1, or 33 zero bytes (BIP327 GetSecondKey) (§IV-D)."""
    for pk in pubkeys[1:]:
        if pk != pubkeys[0]:
            return pk
    return NO_SECOND_KEY


def key_agg_coeff_internal(list_hash: bytes, pk: bytes, second_key: bytes) -> int:
    """Return the coefficient of ``pk`` given L and the second key (BIP327) (§IV-D).

    The BIP passes the whole key list and hashes it inside; we pass L = HashKeys(list) so
    that aggregating u keys hashes the list once, with the same result.
    """
    if pk == second_key:
        return 1
    return int_from_bytes(tagged_hash(TAG_KEYAGG_COEFFICIENT, list_hash + pk)) % N


def key_agg_coeff(pubkeys: Sequence[bytes], pk: bytes) -> int:
    """Return the key aggregation coefficient of ``pk`` in ``pubkeys`` (BIP327) (§IV-D)."""
    return key_agg_coeff_internal(hash_keys(pubkeys), pk, get_second_key(pubkeys))


def key_agg(pubkeys: Sequence[bytes], *, group: Group = READABLE) -> KeyAggContext:
    """Aggregate plain public keys into Q = sum a_i·P_i (BIP327 KeyAgg) (§IV-D).

    Raises :class:`InvalidContributionError` (``"pubkey"``) naming the first key that is not
    a valid compressed point. Keys are used in the order given; BIP327 leaves sorting to the
    caller (certificates keep roster order, D-crypto-3).
    """
    list_hash = hash_keys(pubkeys)
    second_key = get_second_key(pubkeys)
    terms: list[tuple[Point, int]] = []
    for i, pk in enumerate(pubkeys):
        try:
            point = group.cpoint(pk)
        except SpecError as exc:
            raise InvalidContributionError(i, "pubkey", exc.detail) from None
        terms.append((point, key_agg_coeff_internal(list_hash, pk, second_key)))
    q = group.lincomb(terms)
    if q is None:
        raise SpecError(Reason.AGGREGATE_KEY_INFINITE, "aggregate key is the point at infinity")
    return KeyAggContext(q, 1, 0)


def get_xonly_pk(keygen_ctx: KeyAggContext) -> bytes:
    """Return the 32-byte x-only aggregate key, the BIP340 verification key (BIP327) (§IV-D)."""
    return xbytes(keygen_ctx.q)


def get_plain_pk(keygen_ctx: KeyAggContext) -> bytes:
    """Return the 33-byte compressed aggregate key (BIP327 GetPlainPubkey) (§IV-D)."""
    return cbytes(keygen_ctx.q)


def apply_tweak(
    keygen_ctx: KeyAggContext, tweak: bytes, is_xonly: bool, *, group: Group = READABLE
) -> KeyAggContext:
    """Add a plain or x-only tweak to the aggregate key (BIP327 ApplyTweak) (§IV-D)."""
    _require_length("tweak", tweak, TWEAK_BYTES)
    q, gacc, tacc = keygen_ctx.q, keygen_ctx.gacc, keygen_ctx.tacc
    g = N - 1 if is_xonly and not has_even_y(q) else 1
    t = int_from_bytes(tweak)
    if t >= N:
        raise SpecError(Reason.TWEAK_OUT_OF_RANGE, "the tweak must be less than n")
    tweaked = group.lincomb([(q, g), (G, t)])
    if tweaked is None:
        raise SpecError(Reason.TWEAK_RESULT_INFINITE, "the result of tweaking is infinity")
    return KeyAggContext(tweaked, g * gacc % N, (t + g * tacc) % N)


def _tweaked_context(
    pubkeys: Sequence[bytes], tweaks: Sequence[bytes], is_xonly: Sequence[bool], group: Group
) -> KeyAggContext:
    if len(tweaks) != len(is_xonly):
        raise SpecError(
            Reason.COUNT_MISMATCH, f"{len(tweaks)} tweaks but {len(is_xonly)} is_xonly flags"
        )
    ctx = key_agg(pubkeys, group=group)
    for tweak, xonly in zip(tweaks, is_xonly, strict=True):
        ctx = apply_tweak(ctx, tweak, xonly, group=group)
    return ctx
