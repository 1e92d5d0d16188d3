"""Penalties (§IV-J): real BIP340 evidence, slash once, reward 1/11, stale evidence rejected."""

from __future__ import annotations

import dataclasses
import hashlib
import random
from fractions import Fraction

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from vdlt_spec import ledger as L
from vdlt_spec.consensus import SigningDomain, VoteKind
from vdlt_spec.crypto.certificate import certificate_is_valid, make_certificate
from vdlt_spec.economics import penalties as P
from vdlt_spec.economics import settlement
from vdlt_spec.economics.penalties import DoubleSignEvidence, PenaltyState
from vdlt_spec.economics.signing import (
    compressed_public_key,
    double_sign_evidence,
    forged_certificate_evidence,
    sign_vote,
    simulation_secret_key,
)
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.governance.dpos import DposState, RosterEntry
from vdlt_spec.governance.parameters import DENOUNCER_REWARD, Parameters

PARAMS = Parameters()
SK = {name: simulation_secret_key(7, name) for name in ("m1", "m2", "m3")}
KEY = {name: compressed_public_key(sk) for name, sk in SK.items()}
KEYS = tuple(KEY[name] for name in ("m1", "m2", "m3"))
DOMAIN = SigningDomain.of(KEYS, epoch=5)
"""The signing domain of epoch 5, whose roster is m1, m2, m3."""
COLLATERAL = 11_000


def world(now: int = 5) -> tuple[L.Ledger, DposState]:
    ledger = L.genesis({"m1": 20_000, "m2": 20_000, "m3": 20_000, "rep": 1}, 60_001)
    for name in ("m1", "m2", "m3"):
        ledger = L.bond(ledger, name, COLLATERAL)
    ledger = L.advance(ledger, now)
    roster = tuple(RosterEntry(n, KEY[n], 1) for n in ("m1", "m2", "m3"))
    registry = DposState(delegates=("m1", "m2", "m3"), rosters={now - 1: roster, now: roster})
    return ledger, registry


def submit(
    evidence: P.SlashingEvidence, reporter: str = "rep", now: int = 5
) -> tuple[PenaltyState, L.Ledger, DposState, P.SlashRecord]:
    ledger, registry = world(now)
    return P.submit_evidence(PenaltyState(), ledger, registry, PARAMS, reporter, evidence)


def test_double_signing_is_slashed_and_the_reporter_gets_one_eleventh() -> None:
    assert DENOUNCER_REWARD == Parameters().denouncer_reward == Fraction(1, 11)
    evidence = double_sign_evidence(SK["m1"], epoch=5, view=3, seq=9, roster=KEYS)
    state, ledger, registry, record = submit(evidence)
    assert record.offender == "m1" and record.slashed == COLLATERAL
    assert record.reward == COLLATERAL // 11 == 1_000 and record.burned == 10_000
    assert ledger.account("m1").collateral == 0
    assert ledger.account("rep").balance == 1 + 1_000
    assert ledger.burned == 10_000
    assert "m1" not in registry.delegates
    assert L.invariant_violations(ledger) == () and P.slash_violations(state) == ()


def test_duplicate_evidence_slashes_once() -> None:
    evidence = double_sign_evidence(SK["m2"], epoch=5, view=3, seq=9, roster=KEYS)
    state, ledger, registry, _ = submit(evidence)
    swapped = dataclasses.replace(evidence, first=evidence.second, second=evidence.first)
    for again in (evidence, swapped):
        with pytest.raises(SpecError) as err:
            P.submit_evidence(state, ledger, registry, PARAMS, "rep", again)
        assert err.value.reason == Reason.DUPLICATE_EVIDENCE


def test_self_reporting_never_pays() -> None:
    evidence = double_sign_evidence(SK["m3"], epoch=5, view=1, seq=1, roster=KEYS)
    ledger, _ = world()
    before = ledger.account("m3").balance
    _, after, _, record = submit(evidence, reporter="m3")
    assert record.reward < record.slashed
    assert after.account("m3").balance == before - record.slashed + record.reward < before


def test_a_self_report_pays_nothing_and_the_offender_loses_the_full_slash() -> None:
    evidence = double_sign_evidence(SK["m3"], epoch=5, view=1, seq=1, roster=KEYS)
    ledger, _ = world()
    before = ledger.account("m3").balance
    _, by_self, _, own = submit(evidence, reporter="m3")
    _, by_other, _, other = submit(evidence, reporter="m1")
    assert own.reward == 0 and own.burned == own.slashed == other.slashed == COLLATERAL
    assert by_self.account("m3").balance == by_other.account("m3").balance == before - COLLATERAL
    assert by_self.burned == COLLATERAL and by_other.burned == COLLATERAL - other.reward


NAMES = ("m1", "m2", "m3")


@settings(max_examples=30, deadline=None)
@given(
    collaterals=st.tuples(*(st.integers(min_value=0, max_value=20_000) for _ in NAMES)),
    offender=st.sampled_from(NAMES),
    reporter=st.sampled_from((*NAMES, "rep")),
    slash_fraction=st.fractions(min_value=0, max_value=1, max_denominator=100),
    denouncer_reward=st.fractions(min_value=0, max_value=Fraction(99, 100), max_denominator=100),
)
@example((11_000, 0, 5), "m1", "m1", Fraction(1), Fraction(1, 11))
@example((11_000, 7, 0), "m1", "m2", Fraction(1, 2), Fraction(1, 3))
def test_the_offender_loses_the_full_slash_whoever_reports(
    collaterals: tuple[int, ...],
    offender: str,
    reporter: str,
    slash_fraction: Fraction,
    denouncer_reward: Fraction,
) -> None:
    params = dataclasses.replace(
        PARAMS, slash_fraction=slash_fraction, denouncer_reward=denouncer_reward
    )
    ledger = L.genesis({"m1": 20_000, "m2": 20_000, "m3": 20_000, "rep": 1}, 60_001)
    for name, amount in zip(NAMES, collaterals, strict=True):
        if amount:
            ledger = L.bond(ledger, name, amount)
    ledger = L.advance(ledger, 5)
    roster = tuple(RosterEntry(n, KEY[n], 1) for n in NAMES)
    registry = DposState(delegates=NAMES, rosters={5: roster})
    evidence = double_sign_evidence(SK[offender], epoch=5, view=2, seq=4, roster=KEYS)
    slashed, due = P.slash_amounts(ledger.account(offender).slashable, params)
    if slashed == 0:
        with pytest.raises(SpecError) as err:
            P.submit_evidence(PenaltyState(), ledger, registry, params, reporter, evidence)
        assert err.value.reason == Reason.NOTHING_TO_SLASH
        return
    state, after, _, record = P.submit_evidence(
        PenaltyState(), ledger, registry, params, reporter, evidence
    )
    loss = {n: ledger.account(n).balance - after.account(n).balance for n in (*NAMES, "rep")}
    # the offender's own account falls by the whole slash, whoever reports
    assert loss[offender] == record.slashed == slashed
    # the reward is carved out of the slash: another reporter gets it, a self-report nothing
    credit = 0 if reporter == offender else due
    assert (
        record.reward
        == credit
        == settlement.settle(slashed, due, reporter == offender).reporter_credit
    )
    if reporter != offender:
        assert loss[reporter] == -due
    assert after.burned - ledger.burned == slashed - credit == record.burned
    # a sybil reporter recovers at most the reward: the offender's side still loses
    assert loss[offender] + (loss[reporter] if reporter != offender else 0) >= slashed - due > 0
    assert all(loss[n] == 0 for n in (*NAMES, "rep") if n not in {offender, reporter})
    assert L.invariant_violations(after) == () and P.slash_violations(state) == ()


def test_stale_and_future_evidence_are_rejected() -> None:
    window = PARAMS.evidence_window_epochs
    stale = double_sign_evidence(SK["m1"], epoch=5 - window - 1, view=1, seq=1, roster=KEYS)
    with pytest.raises(SpecError) as err:
        submit(stale)
    assert err.value.reason == Reason.STALE_EVIDENCE
    future = double_sign_evidence(SK["m1"], epoch=6, view=1, seq=1, roster=KEYS)
    with pytest.raises(SpecError) as err:
        submit(future)
    assert err.value.reason == Reason.FUTURE_EVIDENCE
    oldest_accepted = double_sign_evidence(SK["m1"], epoch=5 - window, view=1, seq=1, roster=KEYS)
    with pytest.raises(SpecError) as err:
        submit(oldest_accepted)  # in the window, but no roster is kept for that epoch here
    assert err.value.reason == Reason.NOT_IN_ROSTER
    in_window = double_sign_evidence(SK["m1"], epoch=4, view=1, seq=1, roster=KEYS)
    assert submit(in_window)[3].slashed == COLLATERAL


def test_evidence_needs_real_conflicting_signatures_by_a_roster_key() -> None:
    evidence = double_sign_evidence(SK["m1"], epoch=5, view=2, seq=4, roster=KEYS)
    digest = hashlib.sha256(b"C").digest()
    cases = {
        Reason.BAD_EVIDENCE: [
            dataclasses.replace(evidence, second=evidence.first),
            dataclasses.replace(
                evidence, second=sign_vote(SK["m1"], DOMAIN, VoteKind.PREPARE, 2, 5, digest)
            ),
            dataclasses.replace(
                evidence, second=sign_vote(SK["m1"], DOMAIN, VoteKind.COMMIT, 2, 4, digest)
            ),
        ],
        Reason.BAD_SIGNATURE: [
            dataclasses.replace(
                evidence, second=sign_vote(SK["m2"], DOMAIN, VoteKind.PREPARE, 2, 4, digest)
            ),
            dataclasses.replace(
                evidence,
                second=dataclasses.replace(evidence.second, signature=bytes(64)),
            ),
            dataclasses.replace(
                evidence,
                second=dataclasses.replace(evidence.second, signature=b"\x01" * 10),
            ),
        ],
        Reason.NOT_IN_ROSTER: [
            double_sign_evidence(simulation_secret_key(7, "outsider"), 5, 2, 4, roster=KEYS),
        ],
    }
    for reason, variants in cases.items():
        for variant in variants:
            with pytest.raises(SpecError) as err:
                submit(variant)
            assert err.value.reason == reason, variant


def test_no_collateral_means_nothing_to_slash_and_nothing_changes() -> None:
    ledger, registry = world()
    ledger = L.unbond(ledger, "m1", COLLATERAL, 0)
    ledger = L.advance(ledger, 5)
    evidence = double_sign_evidence(SK["m1"], epoch=5, view=2, seq=4, roster=KEYS)
    with pytest.raises(SpecError) as err:
        P.submit_evidence(PenaltyState(), ledger, registry, PARAMS, "rep", evidence)
    assert err.value.reason == Reason.NOTHING_TO_SLASH


def test_unknown_reporter_is_rejected() -> None:
    evidence = double_sign_evidence(SK["m1"], epoch=5, view=2, seq=4, roster=KEYS)
    with pytest.raises(SpecError) as err:
        submit(evidence, reporter="ghost")
    assert err.value.reason == Reason.UNKNOWN_ACCOUNT


def test_slash_amounts_always_leave_the_reporter_below_the_slash() -> None:
    for slashable in range(0, 200):
        slashed, reward = P.slash_amounts(slashable, PARAMS)
        assert slashed == slashable
        assert reward == slashed // 11
        assert slashed == 0 or reward < slashed


def test_slash_checker_has_teeth() -> None:
    state, _, _, record = submit(
        double_sign_evidence(SK["m1"], epoch=5, view=3, seq=9, roster=KEYS)
    )
    greedy = dataclasses.replace(record, reward=record.slashed)
    assert P.slash_violations(dataclasses.replace(state, slashes=(greedy,)))
    twice = dataclasses.replace(state, slashes=(record, record))
    assert P.slash_violations(twice)


def test_evidence_round_trips_through_json() -> None:
    from vdlt_spec import serial

    evidence = double_sign_evidence(SK["m1"], epoch=5, view=3, seq=9, roster=KEYS)
    assert serial.loads(DoubleSignEvidence, serial.dumps(evidence)) == evidence


# --- forged certificates ---------------------------------------------------------------------

ROSTER = tuple(KEY[n] for n in ("m1", "m2", "m3"))
ALL_SIGNERS = {0: SK["m1"], 1: SK["m2"], 2: SK["m3"]}


def test_a_forged_certificate_claim_is_slashed() -> None:
    evidence = forged_certificate_evidence(SK["m1"], ROSTER, {0: SK["m1"], 1: SK["m2"]}, 5, 2, 3)
    assert not certificate_is_valid(ROSTER, evidence.message, evidence.certificate)
    state, ledger, registry, record = submit(evidence)
    assert record.offender == "m1" and record.offence.startswith(P.FORGED_CERTIFICATE)
    assert record.reward == record.slashed // 11
    with pytest.raises(SpecError) as err:
        P.submit_evidence(state, ledger, registry, PARAMS, "rep", evidence)
    assert err.value.reason == Reason.DUPLICATE_EVIDENCE


def test_an_honest_bitmap_without_quorum_is_also_forged() -> None:
    message = hashlib.sha256(b"m").digest()
    cert = make_certificate(ROSTER, {0: SK["m1"], 2: SK["m3"]}, message, random.Random(1))
    digest = P.certificate_claim_digest(message, cert)
    claim = sign_vote(SK["m3"], DOMAIN, VoteKind.NEW_VIEW, 4, 0, digest)
    evidence = P.ForgedCertificateEvidence(5, KEY["m3"], claim, message, cert)
    assert submit(evidence)[3].offender == "m3"


def test_a_valid_certificate_is_not_evidence() -> None:
    message = hashlib.sha256(b"m").digest()
    cert = make_certificate(ROSTER, ALL_SIGNERS, message, random.Random(2))
    assert certificate_is_valid(ROSTER, message, cert)
    claim = sign_vote(
        SK["m2"], DOMAIN, VoteKind.PRE_PREPARE, 1, 1, P.certificate_claim_digest(message, cert)
    )
    with pytest.raises(SpecError) as err:
        submit(P.ForgedCertificateEvidence(5, KEY["m2"], claim, message, cert))
    assert err.value.reason == Reason.CERTIFICATE_VALID


def test_a_certificate_claim_must_be_signed_by_the_accused_over_this_certificate() -> None:
    evidence = forged_certificate_evidence(SK["m1"], ROSTER, {0: SK["m1"]}, 5, 2, 3)
    framed = dataclasses.replace(evidence, signer=KEY["m2"])
    with pytest.raises(SpecError) as err:
        submit(framed)  # an honest node is never framed by someone else's claim
    assert err.value.reason == Reason.BAD_SIGNATURE
    other = dataclasses.replace(evidence, message=hashlib.sha256(b"other").digest())
    with pytest.raises(SpecError) as err:
        submit(other)
    assert err.value.reason == Reason.BAD_EVIDENCE


@given(
    slashable=st.integers(min_value=0, max_value=10**20),
    slash_fraction=st.fractions(min_value=0, max_value=1),
    denouncer_reward=st.fractions(min_value=0, max_value=Fraction(99, 100)),
)
def test_slash_amounts_are_the_floors_the_bounds_describe(
    slashable: int, slash_fraction: Fraction, denouncer_reward: Fraction
) -> None:
    slashed, reward = settlement.slash_amounts(slashable, slash_fraction, denouncer_reward)
    a, b = slash_fraction.numerator, slash_fraction.denominator
    c, d = denouncer_reward.numerator, denouncer_reward.denominator
    assert all(settlement.slash_bounds(slashed, slashable, a, b))
    assert all(settlement.reward_bounds(reward, slashed, c, d))
    assert 0 <= reward < slashed or slashed == reward == 0
