"""Sign and verify EC-Schnorr signatures as BIP340 specifies them (§IV-D).

The whitepaper's consensus signs with EC-Schnorr (§IV-D, refs. [28], [29]); we fix the
concrete scheme to BIP340 (docs/decisions.md, D-crypto-1): x-only 32-byte public keys, 64-byte
signatures (R.x, s), tagged hashes, arbitrary-length messages. Every function follows the
algorithm text of the BIP step by step; ``group`` selects the engine that does the point
arithmetic (readable by default, :data:`vdlt_spec.crypto.fast.FAST` for speed).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from vdlt_spec.crypto.group import READABLE, Group
from vdlt_spec.crypto.secp256k1 import (
    SCALAR_BYTES,
    XONLY_BYTES,
    G,
    N,
    P,
    bytes_from_int,
    has_even_y,
    int_from_bytes,
    lift_x,
    point_negate,
    x_of,
    xbytes,
)
from vdlt_spec.errors import Reason, SpecError

SIGNATURE_BYTES = 64
AUX_RAND_BYTES = 32
TAG_AUX = b"BIP0340/aux"
TAG_NONCE = b"BIP0340/nonce"
TAG_CHALLENGE = b"BIP0340/challenge"


@lru_cache(maxsize=64)
def _tag_prefix(tag: bytes) -> bytes:
    tag_hash = hashlib.sha256(tag).digest()
    return tag_hash + tag_hash


def tagged_hash(tag: bytes, data: bytes) -> bytes:
    """Return SHA256(SHA256(tag) || SHA256(tag) || data), the BIP340 tagged hash (§IV-D)."""
    return hashlib.sha256(_tag_prefix(tag) + data).digest()


def _secret_scalar(seckey: bytes) -> int:
    if len(seckey) != SCALAR_BYTES:
        raise SpecError(Reason.BAD_LENGTH, f"secret key must be 32 bytes, got {len(seckey)}")
    d0 = int_from_bytes(seckey)
    if not 1 <= d0 <= N - 1:
        raise SpecError(Reason.BAD_SECRET_KEY, "secret key must be an integer in [1, n-1]")
    return d0


def _xor(a: bytes, b: bytes) -> bytes:
    return bytes(x ^ y for x, y in zip(a, b, strict=True))


def pubkey_gen(seckey: bytes, *, group: Group = READABLE) -> bytes:
    """Return the 32-byte x-only public key of a 32-byte secret key (BIP340 PubKey) (§IV-D)."""
    return xbytes(group.mul_base(_secret_scalar(seckey)))


def schnorr_sign(msg: bytes, seckey: bytes, aux_rand: bytes, *, group: Group = READABLE) -> bytes:
    """Return the 64-byte BIP340 signature of ``msg`` under ``seckey`` (§IV-D).

    ``aux_rand`` is the 32 bytes of auxiliary randomness the BIP mixes into the nonce; the
    signature is a deterministic function of (msg, seckey, aux_rand). The result is verified
    before it is returned, as the BIP recommends.
    """
    d0 = _secret_scalar(seckey)
    if len(aux_rand) != AUX_RAND_BYTES:
        raise SpecError(Reason.BAD_LENGTH, f"aux_rand must be 32 bytes, got {len(aux_rand)}")
    public = group.mul_base(d0)
    d = d0 if has_even_y(public) else N - d0
    t = _xor(bytes_from_int(d), tagged_hash(TAG_AUX, aux_rand))
    k0 = int_from_bytes(tagged_hash(TAG_NONCE, t + xbytes(public) + msg)) % N
    if k0 == 0:
        raise SpecError(Reason.NONCE_ZERO, "derived nonce is zero (negligible probability)")
    nonce_point = group.mul_base(k0)
    k = k0 if has_even_y(nonce_point) else N - k0
    e = _challenge(xbytes(nonce_point), xbytes(public), msg)
    sig = xbytes(nonce_point) + bytes_from_int((k + e * d) % N)
    if not schnorr_verify(msg, xbytes(public), sig, group=group):
        raise SpecError(Reason.BAD_SIGNATURE, "freshly made signature does not verify")
    return sig


def _challenge(r: bytes, pubkey: bytes, msg: bytes) -> int:
    return int_from_bytes(tagged_hash(TAG_CHALLENGE, r + pubkey + msg)) % N


def schnorr_verify(msg: bytes, pubkey: bytes, sig: bytes, *, group: Group = READABLE) -> bool:
    """Tell whether ``sig`` is a valid BIP340 signature of ``msg`` under ``pubkey`` (§IV-D).

    Wrong input lengths are usage errors (``BAD_LENGTH``); every cryptographic failure
    (key not on the curve, r >= p, s >= n, R infinite or with odd y, wrong R) is ``False``.
    """
    if len(pubkey) != XONLY_BYTES:
        raise SpecError(Reason.BAD_LENGTH, f"public key must be 32 bytes, got {len(pubkey)}")
    if len(sig) != SIGNATURE_BYTES:
        raise SpecError(Reason.BAD_LENGTH, f"signature must be 64 bytes, got {len(sig)}")
    public = lift_x(int_from_bytes(pubkey))
    if public is None:
        return False
    r = int_from_bytes(sig[:32])
    s = int_from_bytes(sig[32:])
    if r >= P or s >= N:
        return False
    e = _challenge(sig[:32], pubkey, msg)
    nonce_point = group.lincomb([(G, s), (point_negate(public), e)])  # R = s·G - e·P
    if nonce_point is None or not has_even_y(nonce_point):
        return False
    return x_of(nonce_point) == r
