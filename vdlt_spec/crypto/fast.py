"""Run the hot signature operations on libsecp256k1 through coincurve (§IV-D).

The readable arithmetic of :mod:`vdlt_spec.crypto.secp256k1` costs milliseconds per scalar
multiplication; libsecp256k1 costs tens of microseconds. :data:`FAST` implements the
:class:`~vdlt_spec.crypto.group.Group` operations with coincurve, so BIP340 and BIP327 run
unchanged on it (``group=FAST``); :func:`schnorr_verify` calls libsecp256k1's own BIP340
verification. Property tests (tests/test_crypto_fast.py) hold every function here equal to the
readable path, on valid and invalid inputs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from coincurve import GLOBAL_CONTEXT, PublicKey, PublicKeyXOnly

from vdlt_spec.crypto import bip340, musig2
from vdlt_spec.crypto.group import Group
from vdlt_spec.crypto.secp256k1 import (
    COMPRESSED_BYTES,
    EVEN_PREFIX,
    ODD_PREFIX,
    XONLY_BYTES,
    G,
    N,
    Point,
    bytes_from_int,
)
from vdlt_spec.errors import Reason, SpecError

try:  # libsecp256k1's own BIP327 module, exposed by coincurve >= 21 through its cffi binding
    from coincurve._libsecp256k1 import ffi as _ffi
    from coincurve._libsecp256k1 import lib as _lib

    HAS_NATIVE_MUSIG = hasattr(_lib, "secp256k1_musig_pubkey_agg")
except ImportError:  # pragma: no cover - older coincurve
    HAS_NATIVE_MUSIG = False

SIGNATURE_BYTES = bip340.SIGNATURE_BYTES
UNCOMPRESSED_PREFIX = b"\x04"


def _to_point(key: PublicKey) -> Point:
    x, y = key.point()
    return (int(x), int(y))


def _to_key(point: tuple[int, int]) -> PublicKey:
    x, y = point
    return PublicKey(UNCOMPRESSED_PREFIX + bytes_from_int(x) + bytes_from_int(y))


class FastGroup:
    """Run the group operations on libsecp256k1 (§IV-D)."""

    name = "fast"

    def mul_base(self, scalar: int) -> Point:
        """Return scalar·G with libsecp256k1's generator multiplication (§IV-D)."""
        k = scalar % N
        if k == 0:
            return None
        return _to_point(PublicKey.from_valid_secret(bytes_from_int(k)))

    def lincomb(self, terms: Sequence[tuple[Point, int]]) -> Point:
        """Return the sum of k·P over ``terms`` with libsecp256k1 (§IV-D)."""
        keys = []
        for point, scalar in terms:
            k = scalar % N
            if point is None or k == 0:
                continue
            if point == G:
                key = PublicKey.from_valid_secret(bytes_from_int(k))
            else:
                key = _to_key(point)
                if k != 1:
                    key = key.multiply(bytes_from_int(k))
            keys.append(key)
        if not keys:
            return None
        try:
            total = PublicKey.combine_keys(keys)
        except ValueError:  # libsecp256k1 refuses to return the point at infinity
            return None
        return _to_point(total)

    def cpoint(self, data: bytes) -> Point:
        """Decode a 33-byte compressed point with libsecp256k1's parser (§IV-D)."""
        return _to_point(_parse_key(data))


FAST: Group = FastGroup()


def xonly_verifier(pubkey: bytes) -> PublicKeyXOnly | None:
    """Parse a 32-byte x-only key for repeated verification; ``None`` if invalid (§IV-D)."""
    if len(pubkey) != XONLY_BYTES:
        raise SpecError(Reason.BAD_LENGTH, f"public key must be 32 bytes, got {len(pubkey)}")
    try:
        return PublicKeyXOnly(bytes(pubkey))
    except ValueError:
        return None


def verify_with(verifier: PublicKeyXOnly, msg: bytes, sig: bytes) -> bool:
    """Verify a BIP340 signature with a parsed key (libsecp256k1 schnorrsig_verify) (§IV-D)."""
    if len(sig) != SIGNATURE_BYTES:
        raise SpecError(Reason.BAD_LENGTH, f"signature must be 64 bytes, got {len(sig)}")
    return bool(verifier.verify(bytes(sig), bytes(msg)))


def schnorr_verify(msg: bytes, pubkey: bytes, sig: bytes) -> bool:
    """Tell whether ``sig`` is a valid BIP340 signature, with libsecp256k1 (§IV-D)."""
    verifier = xonly_verifier(pubkey)
    if len(sig) != SIGNATURE_BYTES:
        raise SpecError(Reason.BAD_LENGTH, f"signature must be 64 bytes, got {len(sig)}")
    return verifier is not None and verify_with(verifier, msg, sig)


def schnorr_sign(msg: bytes, seckey: bytes, aux_rand: bytes) -> bytes:
    """Return the BIP340 signature of ``msg`` (any length), with libsecp256k1 arithmetic (§IV-D)."""
    return bip340.schnorr_sign(msg, seckey, aux_rand, group=FAST)


def pubkey_gen(seckey: bytes) -> bytes:
    """Return the x-only public key of ``seckey``, with libsecp256k1 arithmetic (§IV-D)."""
    return bip340.pubkey_gen(seckey, group=FAST)


def key_agg(pubkeys: Sequence[bytes]) -> musig2.KeyAggContext:
    """Aggregate plain keys as BIP327 KeyAgg, with libsecp256k1 arithmetic (§IV-D)."""
    return musig2.key_agg(pubkeys, group=FAST)


def _parse_key(data: bytes) -> PublicKey:
    if len(data) != COMPRESSED_BYTES:
        raise SpecError(Reason.BAD_LENGTH, f"compressed point must be 33 bytes, got {len(data)}")
    if data[0] not in (EVEN_PREFIX, ODD_PREFIX):
        raise SpecError(Reason.INVALID_POINT, f"compressed point prefix {data[0]:#04x} is not 2/3")
    try:
        return PublicKey(bytes(data))
    except ValueError:
        raise SpecError(
            Reason.INVALID_POINT, f"{data.hex()} is not a compressed curve point"
        ) from None


def _parse_keys(pubkeys: Sequence[bytes]) -> list[PublicKey]:
    keys = []
    for i, pk in enumerate(pubkeys):
        try:
            keys.append(_parse_key(pk))
        except SpecError as exc:
            raise musig2.InvalidContributionError(i, "pubkey", exc.detail) from None
    return keys


def native_key_agg_xonly(pubkeys: Sequence[bytes]) -> bytes:
    """Return the BIP327 x-only aggregate key from libsecp256k1's MuSig module (§IV-D).

    An independent implementation of KeyAgg (the C library's), about twice as fast as running
    :func:`musig2.key_agg` on :data:`FAST`; tests hold the two equal. Raises ``BAD_USAGE`` if
    the installed coincurve lacks the module (use :func:`key_agg_xonly`, which falls back).
    """
    if not HAS_NATIVE_MUSIG:
        raise SpecError(Reason.BAD_USAGE, "this coincurve has no libsecp256k1 MuSig module")
    if not pubkeys:
        raise SpecError(Reason.AGGREGATE_KEY_INFINITE, "no keys to aggregate")
    keys = _parse_keys(pubkeys)
    aggregate = _ffi.new("secp256k1_xonly_pubkey *")
    cache = _ffi.new("secp256k1_musig_keyagg_cache *")
    pointers = _ffi.new("secp256k1_pubkey *[]", [key.public_key for key in keys])
    if not _lib.secp256k1_musig_pubkey_agg(
        GLOBAL_CONTEXT.ctx, aggregate, cache, pointers, len(keys)
    ):
        raise SpecError(Reason.AGGREGATE_KEY_INFINITE, "libsecp256k1 refused the aggregation")
    out = _ffi.new("unsigned char[32]")
    _lib.secp256k1_xonly_pubkey_serialize(GLOBAL_CONTEXT.ctx, out, aggregate)
    return bytes(_ffi.buffer(out, XONLY_BYTES))


def key_agg_xonly(pubkeys: Sequence[bytes]) -> bytes:
    """Return the BIP327 x-only aggregate key the fastest available way (§IV-D)."""
    if HAS_NATIVE_MUSIG:
        return native_key_agg_xonly(pubkeys)
    return musig2.get_xonly_pk(key_agg(pubkeys))  # pragma: no cover - older coincurve


def point_sum(points: Iterable[Point]) -> Point:
    """Return the sum of ``points`` with libsecp256k1 (§IV-D)."""
    return FAST.lincomb([(point, 1) for point in points])
