"""Signer-bitmap certificates: encoding, the exact quorum threshold, rejections and the cache."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from vdlt_spec import serial
from vdlt_spec.conformance.adapter import ReferenceAdapter
from vdlt_spec.crypto import (
    AggregateKeyCache,
    Certificate,
    aggregate_key,
    aggregate_nonces,
    assemble_certificate,
    bitmap_length,
    certificate_is_valid,
    certificate_length,
    certificate_session,
    check_quorum,
    decode_bitmap,
    deterministic_roster,
    encode_bitmap,
    is_quorum,
    keypair_from_seed,
    make_certificate,
    max_faulty,
    max_faulty_bounds,
    musig2,
    partial_signature_is_valid,
    quorum_signature_is_valid,
    quorum_size,
    quorum_size_bounds,
    signer_count,
    validate_roster,
    verify_certificate,
    within_fault_bound,
)
from vdlt_spec.crypto.fast import FAST
from vdlt_spec.crypto.musig2 import InvalidContributionError
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.strategies import signer_sets

MAX_N = 40
ROSTERS = {n: deterministic_roster(n, seed=n) for n in range(1, MAX_N + 1)}


def reason_of(call: object) -> Reason | None:
    assert callable(call)
    try:
        call()
    except SpecError as exc:
        return exc.reason
    return None


@st.composite
def roster_and_signers(draw: st.DrawFn, max_n: int = MAX_N) -> tuple[int, list[int]]:
    n = draw(st.integers(min_value=1, max_value=max_n))
    signers = draw(st.lists(st.integers(0, n - 1), unique=True, min_size=1, max_size=n))
    return n, signers


def certify(n: int, signers: list[int], message: bytes = b"m", seed: int = 0) -> Certificate:
    roster, seckeys = ROSTERS[n]
    return make_certificate(roster, {i: seckeys[i] for i in signers}, message, random.Random(seed))


# --- bitmap and encoding -------------------------------------------------------------------------


def test_bitmap_layout_is_lsb_first() -> None:
    assert encode_bitmap([0], 9) == b"\x01\x00"
    assert encode_bitmap([7], 9) == b"\x80\x00"
    assert encode_bitmap([8], 9) == b"\x00\x01"
    assert encode_bitmap([0, 1, 2, 3], 4) == b"\x0f"
    assert encode_bitmap([], 16) == b"\x00\x00"
    assert [bitmap_length(n) for n in (1, 8, 9, 16, 17, 100)] == [1, 1, 2, 2, 3, 13]
    assert certificate_length(100) == 13 + 64


@given(signer_sets(max_n=300))
def test_bitmap_round_trip(case: tuple[int, tuple[int, ...]]) -> None:
    n, signers = case
    bitmap = encode_bitmap(signers, n)
    assert len(bitmap) == (n + 7) // 8
    assert decode_bitmap(bitmap, n) == tuple(sorted(signers))
    assert signer_count(bitmap, n) == len(signers)
    assert int.from_bytes(bitmap, "little") >> n == 0  # padding bits are zero


@given(st.integers(min_value=1, max_value=300).filter(lambda n: n % 8), st.data())
def test_nonzero_padding_is_rejected(n: int, data: st.DataObject) -> None:
    pad_bit = data.draw(st.integers(min_value=n, max_value=bitmap_length(n) * 8 - 1))
    bitmap = (1 << pad_bit).to_bytes(bitmap_length(n), "little")
    assert reason_of(lambda: decode_bitmap(bitmap, n)) is Reason.BITMAP_PADDING_NONZERO


@given(st.integers(min_value=1, max_value=300), st.integers(min_value=0, max_value=40))
def test_wrong_bitmap_length_is_rejected(n: int, length: int) -> None:
    if length != bitmap_length(n):
        assert reason_of(lambda: decode_bitmap(bytes(length), n)) is Reason.BITMAP_BAD_LENGTH


def test_encode_bitmap_rejects_bad_signers() -> None:
    assert reason_of(lambda: encode_bitmap([4], 4)) is Reason.SIGNER_OUTSIDE_ROSTER
    assert reason_of(lambda: encode_bitmap([-1], 4)) is Reason.SIGNER_OUTSIDE_ROSTER
    assert reason_of(lambda: encode_bitmap([1, 1], 4)) is Reason.DUPLICATE_SIGNER
    assert reason_of(lambda: bitmap_length(0)) is Reason.ROSTER_EMPTY


def test_certificate_round_trip_and_serial() -> None:
    cert = certify(10, list(range(7)))
    data = cert.encode()
    assert len(data) == certificate_length(10) == 2 + 64
    assert Certificate.decode(data, 10) == cert
    assert serial.loads(Certificate, serial.dumps(cert)) == cert
    assert reason_of(lambda: Certificate.decode(data[:-1], 10)) is Reason.CERTIFICATE_BAD_LENGTH
    assert reason_of(lambda: Certificate.decode(data + b"\0", 10)) is Reason.CERTIFICATE_BAD_LENGTH
    padded = bytes([data[0], data[1] | 0x80]) + data[2:]
    assert reason_of(lambda: Certificate.decode(padded, 10)) is Reason.BITMAP_PADDING_NONZERO


# --- quorum rule -------------------------------------------------------------------------------


def test_quorum_size_is_the_least_count_above_two_thirds() -> None:
    for n in range(1, 1001):
        q = quorum_size(n)
        assert q == 2 * n // 3 + 1
        assert is_quorum(q, n) and not is_quorum(q - 1, n)
        assert all(is_quorum(c, n) == (Fraction(c, n) > Fraction(2, 3)) for c in (q - 1, q, n))
        f = max_faulty(n)
        assert 3 * f + 1 <= n < 3 * f + 4
        assert 2 * q - n >= f + 1  # any two quorums share an honest member


@pytest.mark.parametrize("n", [0, -1, -5, -(10**30)])
def test_quorum_sizes_reject_a_roster_without_members(n: int) -> None:
    assert reason_of(lambda: quorum_size(n)) is Reason.ROSTER_EMPTY
    assert reason_of(lambda: max_faulty(n)) is Reason.ROSTER_EMPTY
    answer = ReferenceAdapter().call("crypto.quorum_size", {"n": n})
    assert answer.output is None and answer.error == Reason.ROSTER_EMPTY.value


@settings(max_examples=100, deadline=None)
@given(roster_and_signers())
def test_certificate_verifies_iff_quorum(case: tuple[int, list[int]]) -> None:
    n, signers = case
    roster, _ = ROSTERS[n]
    cert = certify(n, signers)
    expected = None if 3 * len(signers) > 2 * n else Reason.QUORUM_TOO_SMALL
    assert reason_of(lambda: verify_certificate(roster, b"m", cert)) is expected
    assert certificate_is_valid(roster, b"m", cert) is (expected is None)


def test_threshold_is_exact_for_small_rosters() -> None:
    for n in range(1, 11):
        roster, _ = ROSTERS[n]
        for count in range(1, n + 1):
            cert = certify(n, list(range(count)))
            assert certificate_is_valid(roster, b"m", cert) is (3 * count > 2 * n), (n, count)


# --- rejections --------------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(roster_and_signers(), st.data())
def test_forged_bitmap_is_rejected(case: tuple[int, list[int]], data: st.DataObject) -> None:
    n, signers = case
    roster, _ = ROSTERS[n]
    cert = certify(n, signers)
    flip = data.draw(st.integers(min_value=0, max_value=n - 1))
    forged_signers = set(signers) ^ {flip}
    forged = Certificate(encode_bitmap(forged_signers, n), cert.signature)
    reason = reason_of(lambda: verify_certificate(roster, b"m", forged))
    if is_quorum(len(forged_signers), n):
        assert reason is Reason.BAD_SIGNATURE
    else:
        assert reason is Reason.QUORUM_TOO_SMALL


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=1, max_value=MAX_N - 1), st.data())
def test_signer_outside_roster_is_rejected(n: int, data: st.DataObject) -> None:
    # A certificate made over a larger roster (an outsider at index n signed) is presented
    # against the real roster of n: either the bitmap is too long or a padding bit is set.
    big_roster, big_keys = deterministic_roster(n + 1, seed=n)
    roster = big_roster[:n]
    insiders = data.draw(st.lists(st.integers(0, n - 1), unique=True, max_size=n))
    cert = make_certificate(
        big_roster, {i: big_keys[i] for i in [*insiders, n]}, b"m", random.Random(0)
    )
    reason = reason_of(lambda: verify_certificate(roster, b"m", cert))
    if bitmap_length(n + 1) == bitmap_length(n):
        assert reason is Reason.BITMAP_PADDING_NONZERO
    else:
        assert reason is Reason.BITMAP_BAD_LENGTH


def test_impostor_key_is_rejected() -> None:
    roster, seckeys = ROSTERS[4]
    impostor_sk, impostor_pk = keypair_from_seed(999)
    fake_roster = (impostor_pk, *roster[1:])
    keys = {0: impostor_sk, 1: seckeys[1], 2: seckeys[2]}
    cert = make_certificate(fake_roster, keys, b"m", random.Random(0))
    assert certificate_is_valid(fake_roster, b"m", cert)
    assert reason_of(lambda: verify_certificate(roster, b"m", cert)) is Reason.BAD_SIGNATURE


def test_other_message_order_or_signature_is_rejected() -> None:
    roster, _ = ROSTERS[7]
    cert = certify(7, [0, 1, 2, 3, 4])
    assert reason_of(lambda: verify_certificate(roster, b"m2", cert)) is Reason.BAD_SIGNATURE
    shuffled = roster[1:] + roster[:1]
    assert reason_of(lambda: verify_certificate(shuffled, b"m", cert)) is Reason.BAD_SIGNATURE
    short = Certificate(cert.bitmap, cert.signature[:63])
    assert (
        reason_of(lambda: verify_certificate(roster, b"m", short)) is Reason.CERTIFICATE_BAD_LENGTH
    )
    flipped = Certificate(cert.bitmap, cert.signature[:63] + bytes([cert.signature[63] ^ 1]))
    assert reason_of(lambda: verify_certificate(roster, b"m", flipped)) is Reason.BAD_SIGNATURE


def test_roster_validation() -> None:
    roster, _ = ROSTERS[4]
    assert validate_roster(list(roster)) == roster
    assert reason_of(lambda: validate_roster(())) is Reason.ROSTER_EMPTY
    assert reason_of(lambda: validate_roster((*roster, roster[0]))) is Reason.ROSTER_DUPLICATE_KEY
    bad = b"\x02" + bytes(31) + b"\x07"  # x = 7 is not on the curve
    assert reason_of(lambda: validate_roster((*roster, bad))) is Reason.ROSTER_BAD_KEY
    assert reason_of(lambda: validate_roster((*roster, roster[0][:32]))) is Reason.ROSTER_BAD_KEY
    cert = certify(4, [0, 1, 2])
    bad_roster = (*roster[:3], bad)
    assert reason_of(lambda: verify_certificate(bad_roster, b"m", cert)) is Reason.ROSTER_BAD_KEY
    assert reason_of(lambda: verify_certificate((), b"m", cert)) is Reason.ROSTER_EMPTY


def test_make_certificate_rejects_bad_signers() -> None:
    roster, seckeys = ROSTERS[4]
    rng = random.Random(0)
    assert reason_of(lambda: make_certificate(roster, {}, b"m", rng)) is Reason.NO_SIGNERS
    outside = {5: seckeys[0]}
    assert reason_of(lambda: make_certificate(roster, outside, b"m", rng)) is (
        Reason.SIGNER_OUTSIDE_ROSTER
    )
    swapped = {0: seckeys[1]}
    assert reason_of(lambda: make_certificate(roster, swapped, b"m", rng)) is (
        Reason.ROSTER_KEY_MISMATCH
    )


def test_aggregate_key_uses_roster_order_without_sorting() -> None:
    roster, _ = ROSTERS[5]
    signers = [0, 1, 2, 3]
    chosen = [roster[i] for i in signers]
    assert chosen != musig2.key_sort(chosen)  # this roster is not sorted
    key = aggregate_key(roster, signers)
    assert key == musig2.get_xonly_pk(musig2.key_agg(chosen))
    assert key != musig2.get_xonly_pk(musig2.key_agg(musig2.key_sort(chosen)))
    assert reason_of(lambda: aggregate_key(roster, [])) is Reason.NO_SIGNERS


def test_readable_and_fast_verification_agree() -> None:
    roster, seckeys = ROSTERS[4]
    good = make_certificate(
        roster, {i: seckeys[i] for i in (0, 1, 3)}, b"m", random.Random(3), fast=False
    )
    assert good == make_certificate(
        roster, {i: seckeys[i] for i in (0, 1, 3)}, b"m", random.Random(3), fast=True
    )
    forged = Certificate(encode_bitmap([0, 1, 2], 4), good.signature)
    for cert, expected in ((good, None), (forged, Reason.BAD_SIGNATURE)):
        for use_fast in (False, True):
            got = reason_of(lambda c=cert, f=use_fast: verify_certificate(roster, b"m", c, fast=f))
            assert got is expected


# --- cache -------------------------------------------------------------------------------------


def test_cache_turns_repeats_into_hits() -> None:
    roster, _ = ROSTERS[10]
    cache = AggregateKeyCache()
    a = certify(10, list(range(7)), b"a")
    b = certify(10, list(range(7)), b"b")  # same signer set, other message
    c = certify(10, list(range(1, 9)), b"c")
    verify_certificate(roster, b"a", a, cache=cache)
    assert (cache.hits, cache.misses, len(cache)) == (0, 1, 1)
    verify_certificate(roster, b"b", b, cache=cache)
    assert (cache.hits, cache.misses, len(cache)) == (1, 1, 1)
    verify_certificate(roster, b"c", c, cache=cache)
    assert (cache.hits, cache.misses, len(cache)) == (1, 2, 2)
    # A cached key never lets a bad signature through.
    assert reason_of(lambda: verify_certificate(roster, b"x", a, cache=cache)) is (
        Reason.BAD_SIGNATURE
    )
    assert cache.hits == 2


def test_cache_is_bounded_and_keyed_by_roster() -> None:
    cache = AggregateKeyCache(max_entries=2)
    for n in (4, 5, 6):
        roster, _ = ROSTERS[n]
        verify_certificate(roster, b"m", certify(n, list(range(n))), cache=cache)
    assert len(cache) == 2
    # Same bitmap (all of 4) over a different roster must not hit the other roster's key.
    other, other_keys = deterministic_roster(4, seed=1234)
    cert = make_certificate(other, dict(other_keys), b"m", random.Random(0))
    assert cert.bitmap == encode_bitmap(range(4), 4)
    assert certificate_is_valid(other, b"m", cert, cache=cache)
    assert not certificate_is_valid(ROSTERS[4][0], b"m", cert, cache=cache)
    with pytest.raises(SpecError):
        AggregateKeyCache(max_entries=0)


N_MACHINE = 7
MACHINE_ROSTER, MACHINE_KEYS = ROSTERS[N_MACHINE]
MACHINE_SETS = [[0, 1, 2, 3, 4], [2, 3, 4, 5, 6], [0, 1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5], [0, 1]]
MACHINE_CERTS = {
    (tuple(s), msg): certify(N_MACHINE, s, msg) for s in MACHINE_SETS for msg in (b"x", b"y")
}


class CacheMachine(RuleBasedStateMachine):
    """Interleave verifications with one shared bounded cache; it must never change a verdict."""

    def __init__(self) -> None:
        super().__init__()
        self.cache = AggregateKeyCache(max_entries=3)
        self.lookups = 0

    @rule(
        key=st.sampled_from(sorted(MACHINE_CERTS)),
        message=st.sampled_from([b"x", b"y"]),
        forge_bitmap=st.sampled_from([None, *[tuple(s) for s in MACHINE_SETS]]),
    )
    def verify(
        self,
        key: tuple[tuple[int, ...], bytes],
        message: bytes,
        forge_bitmap: tuple[int, ...] | None,
    ) -> None:
        cert = MACHINE_CERTS[key]
        if forge_bitmap is not None:
            cert = Certificate(encode_bitmap(forge_bitmap, N_MACHINE), cert.signature)
        uncached = reason_of(lambda: verify_certificate(MACHINE_ROSTER, message, cert))
        cached = reason_of(
            lambda: verify_certificate(MACHINE_ROSTER, message, cert, cache=self.cache)
        )
        assert cached is uncached
        signers = cert.signers(N_MACHINE)
        honest = tuple(signers) == key[0] and message == key[1]
        assert (uncached is None) is (honest and is_quorum(len(signers), N_MACHINE))
        if is_quorum(len(signers), N_MACHINE):
            self.lookups += 1

    @invariant()
    def bounded_and_counted(self) -> None:
        assert len(self.cache) <= self.cache.max_entries
        assert self.cache.hits + self.cache.misses == self.lookups


TestCacheMachine = CacheMachine.TestCase
TestCacheMachine.settings = settings(max_examples=60, stateful_step_count=20, deadline=None)


# --- distributed session (collector) ----------------------------------------------------------


def test_distributed_session_blames_roster_indices() -> None:
    n = 7
    roster, seckeys = ROSTERS[n]
    signers = [1, 2, 4, 5, 6]
    message = b"block"
    rng = random.Random(5)
    aggpk = aggregate_key(roster, signers)
    pairs = {
        i: musig2.nonce_gen(seckeys[i], roster[i], aggpk, message, None, rng, group=FAST)
        for i in signers
    }
    pubnonces = [pairs[i].pubnonce for i in signers]
    aggnonce = aggregate_nonces(roster, signers, pubnonces)
    session = certificate_session(roster, signers, aggnonce, message)
    psigs = {i: musig2.sign(pairs[i].secnonce, seckeys[i], session, group=FAST) for i in signers}
    for i in signers:
        assert partial_signature_is_valid(roster, session, i, pairs[i].pubnonce, psigs[i])
    cert = assemble_certificate(roster, signers, session, [psigs[i] for i in signers])
    verify_certificate(roster, message, cert)
    # Replica 4 returns a wrong partial signature: the check pins it, nobody else.
    wrong = (int.from_bytes(psigs[4], "big") + 1).to_bytes(32, "big")
    verdicts = {
        i: partial_signature_is_valid(
            roster, session, i, pairs[i].pubnonce, wrong if i == 4 else psigs[i]
        )
        for i in signers
    }
    assert [i for i, ok in verdicts.items() if not ok] == [4]
    spoiled = assemble_certificate(
        roster, signers, session, [wrong if i == 4 else psigs[i] for i in signers]
    )
    assert reason_of(lambda: verify_certificate(roster, message, spoiled)) is Reason.BAD_SIGNATURE
    # Malformed contributions are blamed by roster index, not by position in the list.
    bad_nonces = [*pubnonces[:3], b"\x04" + pubnonces[3][1:], pubnonces[4]]
    with pytest.raises(InvalidContributionError) as blamed:
        aggregate_nonces(roster, signers, bad_nonces)
    assert (blamed.value.signer, blamed.value.contrib) == (5, "pubnonce")
    bad_psigs = [psigs[i] for i in signers[:-1]] + [b"\xff" * 32]
    with pytest.raises(InvalidContributionError) as blamed:
        assemble_certificate(roster, signers, session, bad_psigs)
    assert (blamed.value.signer, blamed.value.contrib) == (6, "psig")
    assert reason_of(lambda: assemble_certificate(roster, signers, session, [])) is (
        Reason.COUNT_MISMATCH
    )
    with pytest.raises(SpecError) as info:
        musig2.sign(bytes(97), seckeys[1], session)  # type: ignore[arg-type]
    assert info.value.reason is Reason.BAD_USAGE


def test_check_quorum_decides_the_quorum_and_the_signature_is_checked_apart() -> None:
    n = 7
    roster, _ = ROSTERS[n]
    for count in range(1, n + 1):
        cert = certify(n, list(range(count)))
        if is_quorum(count, n):
            bits = check_quorum(cert, n)
            assert bits == (1 << count) - 1
            assert quorum_signature_is_valid(roster, b"m", cert, bits)
            assert not quorum_signature_is_valid(roster, b"other", cert, bits)
        else:
            with pytest.raises(SpecError) as info:
                check_quorum(cert, n)
            assert info.value.reason is Reason.QUORUM_TOO_SMALL


def test_the_quorum_rule_evaluates_on_solver_terms() -> None:
    import z3

    k, n = z3.Ints("k n")
    assert z3.is_bool(is_quorum(k, n)) and z3.is_bool(within_fault_bound(k, n))
    solver = z3.Solver()
    solver.add(n >= 1, *quorum_size_bounds(k, n), k != 2 * n / 3 + 1)  # Int division
    assert solver.check() == z3.unsat
    solver = z3.Solver()
    solver.add(n >= 1, *max_faulty_bounds(k, n), k != (n - 1) / 3)
    assert solver.check() == z3.unsat
