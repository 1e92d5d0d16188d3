"""Tie the bitmap and multisignature models to the crypto spec (§IV-D).

* the model's reading of bitmap bytes (LSB first, padding 0, threshold) is the spec's
  ``encode_bitmap`` / ``decode_bitmap`` / ``is_quorum``, and the Z3 acceptance formula agrees
  with both on concrete bytes;
* the rogue key the solver finds against plain key sums is a real attack on secp256k1 with the
  spec's own group code, and BIP327 key aggregation (the spec's) rejects it.
"""

from __future__ import annotations

import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from vdlt_spec.crypto import bip340, decode_bitmap, encode_bitmap, is_quorum, musig2, rogue_key
from vdlt_spec.crypto.group import READABLE
from vdlt_spec.crypto.secp256k1 import N, bytes_from_int, cbytes, xbytes
from vdlt_spec.crypto.testkeys import keypair_from_seed
from vdlt_spec.errors import SpecError
from vdlt_spec.models import bitmap, multisig
from vdlt_spec.models.query import solver_for


@st.composite
def rosters_and_signers(draw: st.DrawFn) -> tuple[int, list[int]]:
    n = draw(st.integers(1, 300))
    signers = draw(st.lists(st.integers(0, n - 1), unique=True, max_size=n))
    return n, sorted(signers)


@settings(max_examples=200, deadline=None)
@given(rosters_and_signers())
def test_model_bytes_are_the_spec_bytes(case: tuple[int, list[int]]) -> None:
    n, signers = case
    raw = encode_bitmap(signers, n)
    assert raw == bitmap.model_bitmap(signers, n)
    assert list(decode_bitmap(raw, n)) == bitmap.model_signers(raw, n) == signers
    assert is_quorum(len(signers), n) == bitmap.model_accepts(raw, n)
    for i in signers:
        k, j = bitmap.bit_position(i)
        assert raw[k] >> j & 1


def _spec_accepts(raw: bytes, n: int) -> bool:
    try:
        signers = decode_bitmap(raw, n)
    except SpecError:
        return False
    return is_quorum(len(signers), n)


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 64), raw=st.binary(max_size=9))
def test_model_rejects_exactly_what_the_spec_rejects(n: int, raw: bytes) -> None:
    try:
        decode_bitmap(raw, n)
        spec_well_formed = True
    except SpecError:
        spec_well_formed = False
    assert spec_well_formed == bitmap.model_well_formed(raw, n)
    assert _spec_accepts(raw, n) == bitmap.model_accepts(raw, n)


@settings(max_examples=60, deadline=None)
@given(rosters_and_signers(), st.data())
def test_z3_acceptance_formula_agrees_with_the_spec(
    case: tuple[int, list[int]], data: st.DataObject
) -> None:
    n, signers = case
    raw = bytearray(encode_bitmap(signers, n))
    if data.draw(st.booleans(), label="set a padding bit") and n % 8:
        raw[-1] |= 1 << 7  # the highest bit of the last byte is padding when 8 does not divide n
    octets, facts = bitmap.acceptance_facts(n)
    solver = z3.SolverFor("QF_LIA")
    solver.add(*facts, *[o == value for o, value in zip(octets, raw, strict=True)])
    assert (solver.check() == z3.sat) == _spec_accepts(bytes(raw), n)


def test_solver_rogue_key_is_a_real_attack_that_musig2_rejects() -> None:
    query = multisig.naive_rogue_key_queries()[0]
    solver = solver_for(query, 10_000)
    assert solver.check() == z3.sat
    model = solver.model()
    cs = [model.eval(z3.Int(f"c_{i}"), True).as_long() for i in range(1, multisig.HONEST_KEYS + 1)]
    a = model.eval(z3.Int("a"), True).as_long()
    assert all(c == N - 1 for c in cs) and 0 < a < N
    honest = [keypair_from_seed(7, i)[1] for i in range(multisig.HONEST_KEYS)]
    # the rogue key is the solver's combination: a·G + sum c_i·X_i
    terms = [(READABLE.mul_base(a), 1)] + [
        (READABLE.cpoint(pk), c) for pk, c in zip(honest, cs, strict=True)
    ]
    rogue = READABLE.lincomb(terms)
    assert rogue is not None
    roster = [*honest, cbytes(rogue)]
    assert rogue_key.naive_aggregate_key(roster) == xbytes(READABLE.mul_base(a))
    message = b"\x42" * 32
    signature = bip340.schnorr_sign(message, bytes_from_int(a), bytes(32))
    forged = rogue_key.RogueKeyForgery(tuple(roster), message, signature)
    assert rogue_key.naive_accepts(forged)
    assert not rogue_key.musig2_accepts(forged)
    assert musig2.get_xonly_pk(musig2.key_agg(roster)) != xbytes(READABLE.mul_base(a))
