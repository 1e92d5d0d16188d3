"""Pin what the crypto component's surviving mutants showed no test pinned (§IV-D).

The readable secp256k1 group law at its special cases (doubling, P + (-P), infinity on either
side), the Jacobian ladder on triples whose Z is not 1, scalars reduced mod n, the range
checks of the curve test, and the fast engine's linear combinations that skip a term (a zero
scalar or the point at infinity) anywhere in the list. Every expected point is computed
independently by libsecp256k1 through coincurve.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from api_shape import positional_only, public_functions
from coincurve import PublicKey

from vdlt_spec.crypto import bip340, musig2
from vdlt_spec.crypto import secp256k1 as ec
from vdlt_spec.crypto.fast import FAST
from vdlt_spec.crypto.group import READABLE, Group
from vdlt_spec.crypto.musig2 import signing as musig_signing
from vdlt_spec.crypto.testkeys import keypair_from_seed
from vdlt_spec.errors import Reason, SpecError


def _libsecp(k: int) -> tuple[int, int]:
    """Return k·G computed by libsecp256k1 (k in [1, n-1])."""
    x, y = PublicKey.from_valid_secret(k.to_bytes(32, "big")).point()
    return (x, y)


def _scaled(point: ec.JacobianPoint, z: int) -> ec.JacobianPoint:
    """Return the Jacobian triple of the same affine point with Z multiplied by ``z``."""
    x, y, z0 = point
    return (x * z * z % ec.P, y * z * z * z % ec.P, z0 * z % ec.P)


# The affine group law at its special cases: doubling, inverses, infinity on either side.


@pytest.mark.parametrize("k", [1, 2, 3, 7, ec.N - 2])
def test_doubling_a_point_matches_libsecp256k1(k: int) -> None:
    assert ec.point_double(_libsecp(k)) == _libsecp(2 * k % ec.N)
    assert ec.point_add(_libsecp(k), _libsecp(k)) == _libsecp(2 * k % ec.N)


@pytest.mark.parametrize(("a", "b"), [(1, 2), (2, 1), (3, 5), (ec.N - 1, 2)])
def test_adding_distinct_points_matches_libsecp256k1(a: int, b: int) -> None:
    assert ec.point_add(_libsecp(a), _libsecp(b)) == _libsecp((a + b) % ec.N)


@pytest.mark.parametrize("k", [1, 5, ec.N - 1])
def test_a_point_plus_its_negation_is_infinity(k: int) -> None:
    point = _libsecp(k)
    assert ec.point_negate(point) == _libsecp(ec.N - k)
    assert ec.point_negate(point) == (point[0], ec.P - point[1])
    assert ec.point_add(point, ec.point_negate(point)) is None
    assert ec.point_add(ec.point_negate(point), point) is None


def test_infinity_is_the_identity_on_either_side() -> None:
    two = _libsecp(2)
    assert ec.point_add(None, two) == two
    assert ec.point_add(two, None) == two
    assert ec.point_add(None, None) is None
    assert ec.point_double(None) is None
    assert ec.point_negate(None) is None
    assert ec.point_sum([]) is None
    assert ec.point_sum([None, ec.G, None]) == ec.G


# The Jacobian ladder: doubling and addition on triples with Z != 1, infinity as Z = 0 mod p.


@pytest.mark.parametrize("z", [2, 3, ec.P - 1])
def test_jacobian_doubling_with_any_z_matches_libsecp256k1(z: int) -> None:
    triple = _scaled(ec.to_jacobian(_libsecp(3)), z)
    assert ec.from_jacobian(triple) == _libsecp(3)
    assert ec.from_jacobian(ec.jacobian_double(triple)) == _libsecp(6)


@pytest.mark.parametrize(("z1", "z2"), [(2, 3), (5, 1), (1, ec.P - 2)])
def test_jacobian_addition_with_any_z_matches_libsecp256k1(z1: int, z2: int) -> None:
    p1 = _scaled(ec.to_jacobian(_libsecp(4)), z1)
    p2 = _scaled(ec.to_jacobian(_libsecp(9)), z2)
    assert ec.from_jacobian(ec.jacobian_add(p1, p2)) == _libsecp(13)
    same = _scaled(ec.to_jacobian(_libsecp(4)), z2)
    assert ec.from_jacobian(ec.jacobian_add(p1, same)) == _libsecp(8)
    opposite = _scaled(ec.to_jacobian(_libsecp(ec.N - 4)), z2)
    assert ec.jacobian_add(p1, opposite) == ec.JACOBIAN_INFINITY


def test_jacobian_infinity_is_z_zero_mod_p() -> None:
    assert ec.from_jacobian(ec.JACOBIAN_INFINITY) is None
    assert ec.from_jacobian((5, 7, ec.P)) is None
    assert ec.to_jacobian(None) == ec.JACOBIAN_INFINITY
    assert ec.jacobian_double(ec.JACOBIAN_INFINITY) == ec.JACOBIAN_INFINITY
    three = ec.to_jacobian(_libsecp(3))
    assert ec.jacobian_add(ec.JACOBIAN_INFINITY, three) == three
    assert ec.jacobian_add(three, ec.JACOBIAN_INFINITY) == three


# Scalars are taken mod n: 0 and n give infinity, n + k and k - n give k·G.


@pytest.mark.parametrize(
    ("scalar", "k"), [(ec.N + 2, 2), (-1, ec.N - 1), (2 * ec.N + 5, 5), (2**256 - 1, None)]
)
def test_scalar_multiplication_reduces_mod_n(scalar: int, k: int | None) -> None:
    expected = _libsecp(scalar % ec.N if k is None else k)
    assert ec.mul_base(scalar) == expected
    assert ec.point_mul(ec.G, scalar) == expected


def test_multiplying_infinity_or_by_zero_gives_infinity() -> None:
    assert ec.mul_base(0) is None
    assert ec.mul_base(ec.N) is None
    assert ec.point_mul(None, 5) is None
    assert ec.lincomb([]) is None
    assert ec.lincomb([(ec.G, 0), (_libsecp(2), 3)]) == _libsecp(6)


# The curve test: coordinates must lie in [0, p) even when they satisfy the equation mod p.


def test_coordinates_outside_the_field_are_off_the_curve() -> None:
    x, y = ec.G
    assert ec.is_on_curve((x, y))
    assert ec.is_on_curve(None)
    assert not ec.is_on_curve((x, y + ec.P))
    assert not ec.is_on_curve((x + ec.P, y))
    assert not ec.is_on_curve((x, y - ec.P))
    assert not ec.is_on_curve((x - ec.P, y))
    assert not ec.is_on_curve((x, y + 1))


# Compressed encodings: prefix 02 for even y, 03 for odd y; 03 decodes to the negation.


def test_compressed_prefix_follows_the_parity_of_y() -> None:
    assert ec.G[1] % 2 == 0
    assert ec.cbytes(ec.G) == b"\x02" + ec.xbytes(ec.G)
    minus_g = (ec.G[0], ec.P - ec.G[1])
    assert ec.point_negate(ec.G) == minus_g
    assert ec.cbytes(minus_g) == b"\x03" + ec.xbytes(ec.G)
    assert ec.cpoint(b"\x03" + ec.xbytes(ec.G)) == minus_g
    assert ec.cbytes(minus_g) == PublicKey.from_point(*minus_g).format(compressed=True)


# The fast engine's linear combination skips zero scalars and infinity wherever they stand.


@pytest.mark.parametrize("group", [FAST, READABLE], ids=lambda g: g.name)
def test_a_skipped_term_does_not_drop_the_terms_after_it(group: Group) -> None:
    two = _libsecp(2)
    assert group.lincomb([(ec.G, 0), (ec.G, 1)]) == ec.G
    assert group.lincomb([(None, 3), (two, 1)]) == two
    assert group.lincomb([(ec.G, ec.N), (two, 2), (None, 1), (ec.G, 1)]) == _libsecp(5)
    assert group.lincomb([(ec.G, 0), (None, 1)]) is None


# Secret keys are the integers [1, n-1]: both ends sign, 0 and n do not (BIP340, BIP327).


@pytest.mark.parametrize(("k", "prefix"), [(1, b"\x02"), (ec.N - 1, b"\x03")])
def test_the_extreme_secret_keys_give_g_and_its_negation(k: int, prefix: bytes) -> None:
    seckey = ec.bytes_from_int(k)
    assert bip340.pubkey_gen(seckey) == ec.xbytes(ec.G)
    assert musig2.individual_pk(seckey) == prefix + ec.xbytes(ec.G)
    signature = bip340.schnorr_sign(b"m", seckey, bytes(32))
    assert bip340.schnorr_verify(b"m", ec.xbytes(ec.G), signature)


@pytest.mark.parametrize("k", [0, ec.N])
def test_secret_keys_outside_one_to_n_minus_one_are_refused(k: int) -> None:
    for call in (bip340.pubkey_gen, musig2.individual_pk):
        with pytest.raises(SpecError) as info:
            call(ec.bytes_from_int(k))
        assert info.value.reason is Reason.BAD_SECRET_KEY


# A derived nonce of zero fails signing (BIP340 Sign, BIP327 NonceGen and DeterministicSign),
# whichever of the two MuSig2 nonces it is. A nonce hash of n is the only way to reach it.


def _zero_hash_for(tag: bytes, last_byte: int | None) -> Callable[[bytes, bytes], bytes]:
    """Return a tagged hash that gives n (0 mod n) for ``tag`` when the data ends so."""
    real = bip340.tagged_hash

    def fake(t: bytes, data: bytes) -> bytes:
        if t == tag and (last_byte is None or data[-1] == last_byte):
            return ec.bytes_from_int(ec.N)
        return real(t, data)

    return fake


def test_a_zero_bip340_nonce_fails_signing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bip340, "tagged_hash", _zero_hash_for(bip340.TAG_NONCE, None))
    with pytest.raises(SpecError) as info:
        bip340.schnorr_sign(b"m", ec.bytes_from_int(3), bytes(32))
    assert info.value.reason is Reason.NONCE_ZERO


@pytest.mark.parametrize("which", [0, 1])
def test_a_zero_musig2_nonce_fails_nonce_generation(
    monkeypatch: pytest.MonkeyPatch, which: int
) -> None:
    sk, pk = keypair_from_seed(5, 0)
    fake = _zero_hash_for(musig2.TAG_NONCE, which)
    monkeypatch.setattr(musig_signing, "tagged_hash", fake)
    with pytest.raises(SpecError) as info:
        musig2.nonce_gen_internal(bytes(32), sk, pk, None, b"m", None)
    assert info.value.reason is Reason.NONCE_ZERO


@pytest.mark.parametrize("which", [0, 1])
def test_a_zero_musig2_nonce_fails_deterministic_signing(
    monkeypatch: pytest.MonkeyPatch, which: int
) -> None:
    (sk, pk), (_, other) = keypair_from_seed(5, 0), keypair_from_seed(5, 1)
    theirs = musig2.nonce_gen_internal(bytes(32), None, other, None, None, None).pubnonce
    fake = _zero_hash_for(musig2.TAG_DETERMINISTIC_NONCE, which)
    monkeypatch.setattr(musig_signing, "tagged_hash", fake)
    with pytest.raises(SpecError) as info:
        musig2.deterministic_sign(sk, theirs, [pk, other], [], [], b"m", None)
    assert info.value.reason is Reason.NONCE_ZERO


# Partial signatures and secret nonces are scalars below n: n - 1 is one, n is not.


def _session() -> tuple[musig2.SessionContext, list[bytes], list[musig2.NoncePair]]:
    """Return a two-signer session over FAST keys, its secret keys and nonce pairs."""
    pairs = [keypair_from_seed(9, i) for i in range(2)]
    pubkeys = tuple(pk for _, pk in pairs)
    nonces = [
        musig2.nonce_gen_internal(bytes([i + 1]) * 32, sk, pk, None, b"msg", None, group=FAST)
        for i, (sk, pk) in enumerate(pairs)
    ]
    aggnonce = musig2.nonce_agg([p.pubnonce for p in nonces], group=FAST)
    return musig2.SessionContext(aggnonce, pubkeys, (), (), b"msg"), [s for s, _ in pairs], nonces


def test_a_partial_signature_equal_to_n_is_blamed_on_its_signer() -> None:
    session, _, _ = _session()
    below = musig2.partial_sig_agg([ec.bytes_from_int(1), ec.bytes_from_int(ec.N - 1)], session)
    assert len(below) == 64
    with pytest.raises(musig2.InvalidContributionError) as info:
        musig2.partial_sig_agg([ec.bytes_from_int(1), ec.bytes_from_int(ec.N)], session)
    assert (info.value.signer, info.value.contrib) == (1, "psig")
    assert info.value.reason is Reason.INVALID_PARTIAL_SIG


def test_a_partial_signature_equal_to_n_does_not_verify() -> None:
    session, _, nonces = _session()
    pk = session.pubkeys[0]
    psig = ec.bytes_from_int(ec.N)
    assert not musig2.partial_sig_verify_internal(psig, nonces[0].pubnonce, pk, session)


@pytest.mark.parametrize(
    ("k1", "k2", "ok"),
    [(ec.N - 1, 1, True), (1, ec.N - 1, True), (ec.N, 1, False), (1, ec.N, False), (0, 1, False)],
)
def test_secret_nonces_must_lie_in_one_to_n_minus_one(k1: int, k2: int, ok: bool) -> None:
    session, seckeys, _ = _session()
    secnonce = bytearray(ec.bytes_from_int(k1) + ec.bytes_from_int(k2) + session.pubkeys[0])
    if ok:
        psig = musig2.sign(secnonce, seckeys[0], session, group=FAST)
        pubnonce = ec.cbytes(ec.mul_base(k1)) + ec.cbytes(ec.mul_base(k2))
        assert musig2.partial_sig_verify_internal(psig, pubnonce, session.pubkeys[0], session)
        return
    with pytest.raises(SpecError) as info:
        musig2.sign(secnonce, seckeys[0], session, group=FAST)
    assert info.value.reason is Reason.SECNONCE_OUT_OF_RANGE


# The session values b and e are tagged hashes reduced mod n (BIP327 GetSessionValues).


def test_session_coefficients_are_the_hashes_reduced_mod_n() -> None:
    session, _, _ = _session()
    values = musig2.get_session_values(session)
    q = ec.xbytes(values.q)
    b = bip340.tagged_hash(musig2.TAG_NONCE_COEFFICIENT, session.aggnonce + q + session.msg)
    assert values.b == ec.int_from_bytes(b) % ec.N
    e = bip340.tagged_hash(musig2.TAG_CHALLENGE, ec.xbytes(values.r) + q + session.msg)
    assert values.e == ec.int_from_bytes(e) % ec.N
    assert values == musig2.get_session_values(session, group=FAST)


# The public functions of the crypto component take every argument by name (none is
# positional-only), as the BIPs name them.

CRYPTO_MODULES = (
    "vdlt_spec.crypto.aggregate",
    "vdlt_spec.crypto.bip340",
    "vdlt_spec.crypto.bitmap",
    "vdlt_spec.crypto.certificate",
    "vdlt_spec.crypto.fast",
    "vdlt_spec.crypto.quorum",
    "vdlt_spec.crypto.rogue_key",
    "vdlt_spec.crypto.secp256k1",
    "vdlt_spec.crypto.testkeys",
    "vdlt_spec.crypto.musig2.keyagg",
    "vdlt_spec.crypto.musig2.signing",
)


@pytest.mark.parametrize("name", CRYPTO_MODULES)
def test_public_crypto_functions_take_arguments_by_name(name: str) -> None:
    assert public_functions(name)
    assert positional_only(name) == []
