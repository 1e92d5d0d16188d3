"""Sign with MuSig2 as BIP327 specifies: nonces, session, partial signatures (§IV-D).

Two nonces per signer (NonceGen, NonceAgg), the session values, Sign and DeterministicSign,
partial signatures that are checked one by one so that a bad signer is blamed
(PartialSigVerify), and their sum, an ordinary BIP340 signature (PartialSigAgg).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from functools import lru_cache

from vdlt_spec.crypto.bip340 import tagged_hash
from vdlt_spec.crypto.group import READABLE, Group
from vdlt_spec.crypto.musig2.keyagg import (
    AGGNONCE_BYTES,
    PARTIAL_SIG_BYTES,
    PLAIN_PK_BYTES,
    PUBNONCE_BYTES,
    RAND_BYTES,
    SECNONCE_BYTES,
    SESSION_CACHE_ENTRIES,
    TAG_AUX,
    TAG_CHALLENGE,
    TAG_DETERMINISTIC_NONCE,
    TAG_NONCE,
    TAG_NONCE_COEFFICIENT,
    InvalidContributionError,
    NoncePair,
    SessionContext,
    SessionValues,
    _require_length,
    _secret_scalar,
    _tweaked_context,
    _xor,
    get_xonly_pk,
    individual_pk,
    key_agg_coeff,
)
from vdlt_spec.crypto.secp256k1 import (
    COMPRESSED_BYTES,
    INFINITY_ENCODING,
    SCALAR_BYTES,
    XONLY_BYTES,
    G,
    N,
    Point,
    bytes_from_int,
    cbytes,
    cbytes_ext,
    has_even_y,
    int_from_bytes,
    point_negate,
    xbytes,
)
from vdlt_spec.errors import Reason, SpecError


def _nonce_hash(
    rand: bytes, pk: bytes, aggpk: bytes, i: int, msg_prefixed: bytes, extra_in: bytes
) -> int:
    data = (
        rand
        + len(pk).to_bytes(1, "big")
        + pk
        + len(aggpk).to_bytes(1, "big")
        + aggpk
        + msg_prefixed
        + len(extra_in).to_bytes(4, "big")
        + extra_in
        + i.to_bytes(1, "big")
    )
    return int_from_bytes(tagged_hash(TAG_NONCE, data))


def nonce_gen_internal(
    rand_: bytes,
    sk: bytes | None,
    pk: bytes,
    aggpk: bytes | None,
    msg: bytes | None,
    extra_in: bytes | None,
    *,
    group: Group = READABLE,
) -> NoncePair:
    """Derive (secnonce, pubnonce) from explicit randomness (BIP327 NonceGen) (§IV-D).

    ``rand_`` is the 32 random bytes the BIP draws inside NonceGen; passing it makes the
    function deterministic (the published vectors fix it). It must never repeat for a key.
    """
    _require_length("rand_", rand_, RAND_BYTES)
    _require_length("pk", pk, PLAIN_PK_BYTES)
    if sk is not None:
        _require_length("sk", sk, SCALAR_BYTES)
        rand = _xor(sk, tagged_hash(TAG_AUX, rand_))
    else:
        rand = rand_
    if aggpk is not None:
        _require_length("aggpk", aggpk, XONLY_BYTES)
    msg_prefixed = b"\x00" if msg is None else b"\x01" + len(msg).to_bytes(8, "big") + msg
    k1 = _nonce_hash(rand, pk, aggpk or b"", 0, msg_prefixed, extra_in or b"") % N
    k2 = _nonce_hash(rand, pk, aggpk or b"", 1, msg_prefixed, extra_in or b"") % N
    if k1 == 0 or k2 == 0:
        raise SpecError(Reason.NONCE_ZERO, "derived nonce is zero (negligible probability)")
    pubnonce = cbytes(group.mul_base(k1)) + cbytes(group.mul_base(k2))
    secnonce = bytearray(bytes_from_int(k1) + bytes_from_int(k2) + pk)
    return NoncePair(secnonce, pubnonce)


def nonce_gen(
    sk: bytes | None,
    pk: bytes,
    aggpk: bytes | None,
    msg: bytes | None,
    extra_in: bytes | None,
    rng: random.Random,
    *,
    group: Group = READABLE,
) -> NoncePair:
    """Generate a signer's nonce pair, drawing rand_ from ``rng`` (BIP327 NonceGen) (§IV-D).

    The spec takes randomness as an explicit ``random.Random`` (a simulation, D-crypto-5); a
    deployment must draw rand_ from a cryptographically secure source instead.
    """
    return nonce_gen_internal(rng.randbytes(RAND_BYTES), sk, pk, aggpk, msg, extra_in, group=group)


def _cpoint_ext(group: Group, data: bytes) -> Point:
    return None if data == INFINITY_ENCODING else group.cpoint(data)


def nonce_agg(pubnonces: Sequence[bytes], *, group: Group = READABLE) -> bytes:
    """Sum the signers' public nonces into the 66-byte aggregate nonce (BIP327 NonceAgg) (§IV-D).

    Raises :class:`InvalidContributionError` (``"pubnonce"``) naming the first bad nonce.
    """
    halves = []
    for j in (0, 1):
        terms: list[tuple[Point, int]] = []
        for i, pubnonce in enumerate(pubnonces):
            if len(pubnonce) != PUBNONCE_BYTES:
                raise InvalidContributionError(i, "pubnonce", f"length {len(pubnonce)}")
            part = pubnonce[j * COMPRESSED_BYTES : (j + 1) * COMPRESSED_BYTES]
            try:
                terms.append((group.cpoint(part), 1))
            except SpecError as exc:
                raise InvalidContributionError(i, "pubnonce", exc.detail) from None
        halves.append(cbytes_ext(group.lincomb(terms)))
    return halves[0] + halves[1]


# --- session -----------------------------------------------------------------------------------


@lru_cache(maxsize=SESSION_CACHE_ENTRIES)
def _session_values(session_ctx: SessionContext, group: Group) -> SessionValues:
    keygen = _tweaked_context(session_ctx.pubkeys, session_ctx.tweaks, session_ctx.is_xonly, group)
    aggnonce = session_ctx.aggnonce
    if len(aggnonce) != AGGNONCE_BYTES:
        raise InvalidContributionError(None, "aggnonce", f"length {len(aggnonce)}")
    b = (
        int_from_bytes(
            tagged_hash(TAG_NONCE_COEFFICIENT, aggnonce + xbytes(keygen.q) + session_ctx.msg)
        )
        % N
    )
    try:
        r1 = _cpoint_ext(group, aggnonce[:COMPRESSED_BYTES])
        r2 = _cpoint_ext(group, aggnonce[COMPRESSED_BYTES:])
    except SpecError as exc:
        raise InvalidContributionError(None, "aggnonce", exc.detail) from None
    r_sum = group.lincomb([(r1, 1), (r2, b)])
    r = G if r_sum is None else r_sum
    e = (
        int_from_bytes(tagged_hash(TAG_CHALLENGE, xbytes(r) + xbytes(keygen.q) + session_ctx.msg))
        % N
    )
    return SessionValues(keygen.q, keygen.gacc, keygen.tacc, b, r, e)


def get_session_values(session_ctx: SessionContext, *, group: Group = READABLE) -> SessionValues:
    """Derive Q, gacc, tacc, b, R and e of a session (BIP327 GetSessionValues) (§IV-D).

    The result is memoised per (session, engine): every signer of a local simulation shares
    one computation, which does not change any result.
    """
    return _session_values(session_ctx, group)


def get_session_key_agg_coeff(session_ctx: SessionContext, point: Point) -> int:
    """Return the key coefficient of a signer's point in the session (BIP327) (§IV-D)."""
    pk = cbytes(point)
    if pk not in session_ctx.pubkeys:
        raise SpecError(
            Reason.PUBKEY_NOT_IN_SESSION, "the signer's pubkey must be in the list of pubkeys"
        )
    return key_agg_coeff(session_ctx.pubkeys, pk)


def sign(
    secnonce: bytearray,
    sk: bytes,
    session_ctx: SessionContext,
    *,
    group: Group = READABLE,
    verify_own: bool = True,
) -> bytes:
    """Return this signer's 32-byte partial signature (BIP327 Sign) (§IV-D).

    Zeroes the first 64 bytes of ``secnonce`` as the BIP does, so a second use of the same
    nonce fails with ``SECNONCE_OUT_OF_RANGE`` instead of leaking the secret key.
    ``verify_own`` runs the BIP's optional self-check of the partial signature.
    """
    if not isinstance(secnonce, bytearray):
        raise SpecError(Reason.BAD_USAGE, "secnonce must be a bytearray, so that sign can erase it")
    values = get_session_values(session_ctx, group=group)
    _require_length("secnonce", bytes(secnonce), SECNONCE_BYTES)
    k1_ = int_from_bytes(bytes(secnonce[0:32]))
    k2_ = int_from_bytes(bytes(secnonce[32:64]))
    secnonce[0:64] = bytes(64)
    if not 0 < k1_ < N:
        raise SpecError(Reason.SECNONCE_OUT_OF_RANGE, "first secnonce value is out of range")
    if not 0 < k2_ < N:
        raise SpecError(Reason.SECNONCE_OUT_OF_RANGE, "second secnonce value is out of range")
    k1 = k1_ if has_even_y(values.r) else N - k1_
    k2 = k2_ if has_even_y(values.r) else N - k2_
    d_ = _secret_scalar(sk)
    point = group.mul_base(d_)
    if bytes(secnonce[64:97]) != cbytes(point):
        raise SpecError(
            Reason.SECNONCE_KEY_MISMATCH, "public key does not match the nonce_gen argument"
        )
    a = get_session_key_agg_coeff(session_ctx, point)
    g = 1 if has_even_y(values.q) else N - 1
    d = g * values.gacc * d_ % N
    psig = bytes_from_int((k1 + values.b * k2 + values.e * a * d) % N)
    if verify_own:
        pubnonce = cbytes(group.mul_base(k1_)) + cbytes(group.mul_base(k2_))
        if not partial_sig_verify_internal(psig, pubnonce, cbytes(point), session_ctx, group=group):
            raise SpecError(Reason.BAD_SIGNATURE, "own partial signature does not verify")
    return psig


def _det_nonce_hash(sk_: bytes, aggothernonce: bytes, aggpk: bytes, msg: bytes, i: int) -> int:
    data = sk_ + aggothernonce + aggpk + len(msg).to_bytes(8, "big") + msg + i.to_bytes(1, "big")
    return int_from_bytes(tagged_hash(TAG_DETERMINISTIC_NONCE, data))


def deterministic_sign(
    sk: bytes,
    aggothernonce: bytes,
    pubkeys: Sequence[bytes],
    tweaks: Sequence[bytes],
    is_xonly: Sequence[bool],
    msg: bytes,
    rand: bytes | None,
    *,
    group: Group = READABLE,
) -> tuple[bytes, bytes]:
    """Sign last, with nonces derived from the others' nonces (BIP327 DeterministicSign) (§IV-D).

    Returns (pubnonce, psig). An invalid ``aggothernonce`` is blamed on nobody
    (``InvalidContributionError(None, "aggothernonce")``).
    """
    _require_length("secret key", sk, SCALAR_BYTES)
    if rand is not None:
        _require_length("rand", rand, RAND_BYTES)
        sk_ = _xor(sk, tagged_hash(TAG_AUX, rand))
    else:
        sk_ = sk
    aggpk = get_xonly_pk(_tweaked_context(pubkeys, tweaks, is_xonly, group))
    k1 = _det_nonce_hash(sk_, aggothernonce, aggpk, msg, 0) % N
    k2 = _det_nonce_hash(sk_, aggothernonce, aggpk, msg, 1) % N
    if k1 == 0 or k2 == 0:
        raise SpecError(Reason.NONCE_ZERO, "derived nonce is zero (negligible probability)")
    pubnonce = cbytes(group.mul_base(k1)) + cbytes(group.mul_base(k2))
    secnonce = bytearray(bytes_from_int(k1) + bytes_from_int(k2) + individual_pk(sk, group=group))
    try:
        aggnonce = nonce_agg([pubnonce, aggothernonce], group=group)
    except InvalidContributionError as exc:
        raise InvalidContributionError(None, "aggothernonce", exc.detail) from None
    session_ctx = SessionContext(aggnonce, tuple(pubkeys), tuple(tweaks), tuple(is_xonly), msg)
    return pubnonce, sign(secnonce, sk, session_ctx, group=group)


# --- verification and aggregation ------------------------------------------------------------


def partial_sig_verify(
    psig: bytes,
    pubnonces: Sequence[bytes],
    pubkeys: Sequence[bytes],
    tweaks: Sequence[bytes],
    is_xonly: Sequence[bool],
    msg: bytes,
    i: int,
    *,
    group: Group = READABLE,
) -> bool:
    """Tell whether signer i's partial signature is valid (BIP327 PartialSigVerify) (§IV-D).

    Invalid nonces or keys raise :class:`InvalidContributionError` naming their signer; a
    well-formed but wrong partial signature is ``False``.
    """
    if len(pubnonces) != len(pubkeys):
        raise SpecError(
            Reason.COUNT_MISMATCH, f"{len(pubnonces)} pubnonces but {len(pubkeys)} pubkeys"
        )
    aggnonce = nonce_agg(pubnonces, group=group)
    session_ctx = SessionContext(aggnonce, tuple(pubkeys), tuple(tweaks), tuple(is_xonly), msg)
    return partial_sig_verify_internal(psig, pubnonces[i], pubkeys[i], session_ctx, group=group)


def partial_sig_verify_internal(
    psig: bytes,
    pubnonce: bytes,
    pk: bytes,
    session_ctx: SessionContext,
    *,
    group: Group = READABLE,
) -> bool:
    """Check s·G = Re* + e·a·g'·P for one signer (BIP327 PartialSigVerifyInternal) (§IV-D)."""
    values = get_session_values(session_ctx, group=group)
    _require_length("partial signature", psig, PARTIAL_SIG_BYTES)
    s = int_from_bytes(psig)
    if s >= N:
        return False
    if len(pubnonce) != PUBNONCE_BYTES:
        raise InvalidContributionError(None, "pubnonce", f"length {len(pubnonce)}")
    try:
        r1 = group.cpoint(pubnonce[:COMPRESSED_BYTES])
        r2 = group.cpoint(pubnonce[COMPRESSED_BYTES:])
    except SpecError as exc:
        raise InvalidContributionError(None, "pubnonce", exc.detail) from None
    re_ = group.lincomb([(r1, 1), (r2, values.b)])
    re = re_ if has_even_y(values.r) else point_negate(re_)
    g = 1 if has_even_y(values.q) else N - 1
    g_ = g * values.gacc % N
    try:
        point = group.cpoint(pk)
    except SpecError as exc:
        raise InvalidContributionError(None, "pubkey", exc.detail) from None
    a = get_session_key_agg_coeff(session_ctx, point)
    return group.mul_base(s) == group.lincomb([(re, 1), (point, values.e * a * g_ % N)])


def partial_sig_agg(
    psigs: Sequence[bytes], session_ctx: SessionContext, *, group: Group = READABLE
) -> bytes:
    """Sum partial signatures into the 64-byte BIP340 signature (BIP327 PartialSigAgg) (§IV-D).

    Raises :class:`InvalidContributionError` (``"psig"``) naming a partial signature that is
    not a scalar below n. It does not check the partial signatures themselves: an aggregator
    that must blame a wrong one runs :func:`partial_sig_verify` first.
    """
    values = get_session_values(session_ctx, group=group)
    total = 0
    for i, psig in enumerate(psigs):
        if len(psig) != PARTIAL_SIG_BYTES:
            raise InvalidContributionError(i, "psig", f"length {len(psig)}")
        s_i = int_from_bytes(psig)
        if s_i >= N:
            raise InvalidContributionError(i, "psig", "not below the group order")
        total += s_i
    g = 1 if has_even_y(values.q) else N - 1
    return xbytes(values.r) + bytes_from_int((total + values.e * g * values.tacc) % N)
