"""The libsecp256k1 fast path equals the readable path, operation by operation.

Readable scalar multiplications cost milliseconds, so example counts are deliberate.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vdlt_spec.crypto import bip340, fast, musig2, secp256k1
from vdlt_spec.crypto.fast import FAST
from vdlt_spec.crypto.group import READABLE, Group
from vdlt_spec.crypto.musig2 import SessionContext
from vdlt_spec.crypto.secp256k1 import G, N
from vdlt_spec.errors import SpecError
from vdlt_spec.strategies import compressed_encodings, scalars, secret_keys, signed_messages

FEW = settings(max_examples=40, deadline=None)
SOME = settings(max_examples=100, deadline=None)


def outcome(call: object) -> object:
    """Return a call's result, or its SpecError reason, so both paths can be compared."""
    assert callable(call)
    try:
        return ("ok", call())
    except SpecError as exc:
        return ("error", exc.reason, getattr(exc, "signer", None), getattr(exc, "contrib", None))


@SOME
@given(scalars | st.just(0) | st.just(N))
def test_mul_base(k: int) -> None:
    assert FAST.mul_base(k) == READABLE.mul_base(k)


@FEW
@given(st.lists(st.tuples(scalars, st.integers(min_value=0, max_value=2 * N)), max_size=4))
def test_lincomb(terms: list[tuple[int, int]]) -> None:
    points = [(secp256k1.mul_base(p), k) for p, k in terms]
    assert FAST.lincomb(points) == READABLE.lincomb(points)


@FEW
@given(scalars, scalars)
def test_lincomb_cancels_to_infinity(p: int, k: int) -> None:
    point = secp256k1.mul_base(p)
    terms = [(point, k), (point, N - k)]
    assert FAST.lincomb(terms) is None
    assert READABLE.lincomb(terms) is None
    assert fast.point_sum([point, secp256k1.point_negate(point)]) is None


@SOME
@given(compressed_encodings | st.binary(max_size=34))
def test_cpoint_accepts_and_rejects_alike(data: bytes) -> None:
    assert outcome(lambda: FAST.cpoint(data)) == outcome(lambda: READABLE.cpoint(data))


@FEW
@given(secret_keys, signed_messages, st.binary(min_size=32, max_size=32))
def test_sign_and_verify(seckey: bytes, msg: bytes, aux: bytes) -> None:
    sig = bip340.schnorr_sign(msg, seckey, aux)
    assert fast.schnorr_sign(msg, seckey, aux) == sig
    pubkey = bip340.pubkey_gen(seckey)
    assert fast.pubkey_gen(seckey) == pubkey
    assert fast.schnorr_verify(msg, pubkey, sig)


@SOME
@given(
    secret_keys,
    signed_messages,
    st.integers(min_value=0, max_value=64 * 8 - 1),
    st.sampled_from(["sig", "msg", "key"]),
)
def test_verify_rejects_alike(seckey: bytes, msg: bytes, bit: int, where: str) -> None:
    sig = fast.schnorr_sign(msg, seckey, bytes(32))
    pubkey = fast.pubkey_gen(seckey)
    if where == "sig":
        flipped = bytearray(sig)
        flipped[bit // 8] ^= 1 << (bit % 8)
        sig = bytes(flipped)
    elif where == "msg":
        msg = msg + bytes([bit % 256])
    else:
        flipped = bytearray(pubkey)
        flipped[(bit // 8) % 32] ^= 1 << (bit % 8)
        pubkey = bytes(flipped)
    readable = bip340.schnorr_verify(msg, pubkey, sig)
    assert fast.schnorr_verify(msg, pubkey, sig) is readable
    assert not readable


@SOME
@given(st.binary(min_size=32, max_size=32), st.binary(min_size=64, max_size=64), signed_messages)
def test_verify_garbage_alike(pubkey: bytes, sig: bytes, msg: bytes) -> None:
    assert fast.schnorr_verify(msg, pubkey, sig) is bip340.schnorr_verify(msg, pubkey, sig)


@st.composite
def public_keys(draw: st.DrawFn, max_repeats: int) -> list[bytes]:
    """Draw 1 to 4 public keys, then up to ``max_repeats`` of them again (BIP327 allows it)."""
    seckeys = draw(st.lists(secret_keys, min_size=1, max_size=4))
    repeats = draw(st.lists(st.integers(min_value=0, max_value=3), max_size=max_repeats))
    pubkeys = [musig2.individual_pk(sk, group=FAST) for sk in seckeys]
    return pubkeys + [pubkeys[i % len(pubkeys)] for i in repeats]


@FEW
@given(public_keys(max_repeats=2))
def test_key_agg(pubkeys: list[bytes]) -> None:
    assert fast.key_agg(pubkeys) == musig2.key_agg(pubkeys)


@SOME
@given(st.lists(compressed_encodings, min_size=1, max_size=3))
def test_key_agg_blames_alike(pubkeys: list[bytes]) -> None:
    assert outcome(lambda: fast.key_agg(pubkeys)) == outcome(lambda: musig2.key_agg(pubkeys))


@FEW
@given(st.lists(st.tuples(scalars, scalars), min_size=1, max_size=3))
def test_nonce_agg(nonces: list[tuple[int, int]]) -> None:
    pubnonces = [
        secp256k1.cbytes(secp256k1.mul_base(a)) + secp256k1.cbytes(secp256k1.mul_base(b))
        for a, b in nonces
    ]
    assert musig2.nonce_agg(pubnonces, group=FAST) == musig2.nonce_agg(pubnonces)


def run_session(group: Group, seckeys: list[bytes], msg: bytes, tweak: bytes, seed: int) -> bytes:
    rng = random.Random(seed)
    pubkeys = tuple(musig2.individual_pk(sk, group=group) for sk in seckeys)
    pairs = [
        musig2.nonce_gen(sk, pk, None, msg, None, rng, group=group)
        for sk, pk in zip(seckeys, pubkeys, strict=True)
    ]
    aggnonce = musig2.nonce_agg([p.pubnonce for p in pairs], group=group)
    session = SessionContext(aggnonce, pubkeys, (tweak,), (True,), msg)
    psigs = [
        musig2.sign(p.secnonce, sk, session, group=group)
        for p, sk in zip(pairs, seckeys, strict=True)
    ]
    for i, psig in enumerate(psigs):
        pubnonces = [p.pubnonce for p in pairs]
        assert musig2.partial_sig_verify(
            psig, pubnonces, pubkeys, [tweak], [True], msg, i, group=group
        )
    return musig2.partial_sig_agg(psigs, session, group=group)


@settings(max_examples=15, deadline=None)
@given(
    st.lists(secret_keys, min_size=1, max_size=3),
    signed_messages,
    scalars.map(lambda k: k.to_bytes(32, "big")),
    st.integers(min_value=0, max_value=2**32),
)
def test_whole_session(seckeys: list[bytes], msg: bytes, tweak: bytes, seed: int) -> None:
    sig = run_session(FAST, seckeys, msg, tweak, seed)
    assert run_session(READABLE, seckeys, msg, tweak, seed) == sig
    ctx = fast.key_agg([musig2.individual_pk(sk, group=FAST) for sk in seckeys])
    ctx = musig2.apply_tweak(ctx, tweak, True, group=FAST)
    assert fast.schnorr_verify(msg, musig2.get_xonly_pk(ctx), sig)


def test_generator_is_special_cased_correctly() -> None:
    assert FAST.lincomb([(G, 5), (G, N - 5)]) is None
    assert FAST.lincomb([(G, 1)]) == G


@pytest.mark.skipif(not fast.HAS_NATIVE_MUSIG, reason="coincurve without the MuSig module")
@FEW
@given(public_keys(max_repeats=3))
def test_native_key_agg_equals_readable(pubkeys: list[bytes]) -> None:
    assert fast.native_key_agg_xonly(pubkeys) == musig2.get_xonly_pk(musig2.key_agg(pubkeys))
    assert fast.key_agg_xonly(pubkeys) == musig2.get_xonly_pk(musig2.key_agg(pubkeys))


@pytest.mark.skipif(not fast.HAS_NATIVE_MUSIG, reason="coincurve without the MuSig module")
@SOME
@given(st.lists(compressed_encodings, min_size=1, max_size=3))
def test_native_key_agg_blames_alike(pubkeys: list[bytes]) -> None:
    native = outcome(lambda: fast.native_key_agg_xonly(pubkeys))
    readable = outcome(lambda: musig2.get_xonly_pk(musig2.key_agg(pubkeys)))
    assert native == readable
