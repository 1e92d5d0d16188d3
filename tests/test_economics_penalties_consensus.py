"""Penalties (§IV-J) take the evidence consensus accountability produces: double vote, amnesia."""

from __future__ import annotations

import dataclasses

import pytest

from vdlt_spec import ledger as L
from vdlt_spec.consensus import (
    Behaviour,
    ConsensusConfig,
    RealScheme,
    RosterVerifier,
    Scenario,
    Signatures,
    SignedVote,
    SigningDomain,
    VoteKind,
    VoteSet,
    culprits,
    make_scheme,
    simulate,
    vote_payload,
)
from vdlt_spec.consensus.accountability import Evidence, Rule, Statement
from vdlt_spec.consensus.messages import ViewChange, view_change_digest
from vdlt_spec.consensus.replica.state import GENESIS_DIGEST
from vdlt_spec.economics import penalties as P
from vdlt_spec.economics.penalties import (
    ConsensusEvidence,
    DoubleSignEvidence,
    PenaltyState,
    SignedStatement,
)
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.governance.dpos import DposState, RosterEntry
from vdlt_spec.governance.parameters import Parameters

PARAMS = Parameters()
N = 4
NAMES = tuple(f"r{i}" for i in range(N))
COLLATERAL = 11_000
EPOCH = 5


def world(roster_keys: tuple[bytes, ...]) -> tuple[L.Ledger, DposState]:
    ledger = L.genesis({**dict.fromkeys(NAMES, 20_000), "rep": 1}, 20_000 * N + 1)
    for name in NAMES:
        ledger = L.bond(ledger, name, COLLATERAL)
    ledger = L.advance(ledger, EPOCH)
    roster = tuple(RosterEntry(n, k, 1) for n, k in zip(NAMES, roster_keys, strict=True))
    return ledger, DposState(delegates=NAMES, rosters={EPOCH: roster})


def submit_all(
    scheme_roster: tuple[bytes, ...], items: tuple[P.SlashingEvidence, ...]
) -> tuple[PenaltyState, L.Ledger, DposState, list[P.SlashRecord]]:
    ledger, registry = world(scheme_roster)
    state, records = PenaltyState(), []
    for item in items:
        state, ledger, registry, record = P.submit_evidence(
            state, ledger, registry, PARAMS, "rep", item
        )
        records.append(record)
    return state, ledger, registry, records


def test_byzantine_replicas_of_a_consensus_run_are_slashed_and_expelled() -> None:
    byzantine = {0: Behaviour.EQUIVOCATE, 1: Behaviour.DOUBLE_VOTE}
    scenario = Scenario(
        ConsensusConfig(N, epoch=EPOCH),
        seed=4,
        byzantine=byzantine,
        requests=2,
        signatures=Signatures.REAL,
    )
    scheme = make_scheme(scenario.signatures, N, scenario.seed)
    result = simulate(scenario, scheme)
    domain = scenario.config.signing_domain(scheme.roster)
    found = culprits(result, RosterVerifier(scheme.roster), domain)
    assert {e.culprit for e in found} == {0, 1}
    items = tuple(ConsensusEvidence(EPOCH, e) for e in found)
    state, ledger, registry, records = submit_all(scheme.roster, items)
    assert {r.offender for r in records} == {"r0", "r1"}
    for record in records:
        assert record.slashed == COLLATERAL and record.reward == COLLATERAL // 11
    assert set(registry.delegates) == {"r2", "r3"}
    assert ledger.account("rep").balance == 1 + 2 * (COLLATERAL // 11)
    assert L.invariant_violations(ledger) == () and P.slash_violations(state) == ()
    with pytest.raises(SpecError) as again:
        P.submit_evidence(state, ledger, registry, PARAMS, "rep", items[0])
    assert again.value.reason == Reason.DUPLICATE_EVIDENCE
    other = RealScheme(N, 99).roster
    ledger, registry = world(other)
    with pytest.raises(SpecError) as framed:
        P.submit_evidence(PenaltyState(), ledger, registry, PARAMS, "rep", items[0])
    assert framed.value.reason == Reason.BAD_EVIDENCE  # does not verify under other keys


def domain(scheme: RealScheme) -> SigningDomain:
    return SigningDomain.of(scheme.roster, epoch=EPOCH)


def votes(scheme: RealScheme, kind: VoteKind, view: int, seq: int, digest: bytes) -> VoteSet:
    payload = vote_payload(domain(scheme), kind, view, seq, digest)
    return VoteSet(tuple(SignedVote(i, kind, scheme.sign(i, payload)) for i in range(3)))


def amnesia_evidence(scheme: RealScheme, culprit: int = 1) -> Evidence:
    digest = bytes([7]) * 32
    commit = Statement(VoteKind.COMMIT, 1, 3, digest, votes(scheme, VoteKind.COMMIT, 1, 3, digest))
    unsigned = ViewChange(culprit, 2, 0, GENESIS_DIGEST, None, ())
    payload = vote_payload(domain(scheme), VoteKind.VIEW_CHANGE, 2, 0, view_change_digest(unsigned))
    vc = dataclasses.replace(unsigned, signature=scheme.sign(culprit, payload))
    return Evidence(culprit, Rule.AMNESIA, commit, None, vc)


def test_amnesia_is_slashed_like_any_other_offence() -> None:
    scheme = RealScheme(N, 3)
    item = ConsensusEvidence(EPOCH, amnesia_evidence(scheme))
    state, ledger, registry, (record,) = submit_all(scheme.roster, (item,))
    assert record.offender == "r1" and record.offence.startswith("amnesia:")
    assert record.slashed == COLLATERAL and record.reward == COLLATERAL // 11
    assert "r1" not in registry.delegates
    assert P.slash_violations(state) == ()
    outsider = ConsensusEvidence(EPOCH, amnesia_evidence(scheme, culprit=3))
    ledger, registry = world(scheme.roster)
    with pytest.raises(SpecError) as err:
        P.submit_evidence(PenaltyState(), ledger, registry, PARAMS, "rep", outsider)
    assert err.value.reason == Reason.NO_CONFLICT  # replica 3 never signed the commit


def test_consensus_evidence_names_a_roster_member_and_shows_the_rule() -> None:
    scheme = RealScheme(N, 3)
    proof = amnesia_evidence(scheme)
    ledger, registry = world(scheme.roster)
    cases = [
        (dataclasses.replace(proof, culprit=N), Reason.NOT_IN_ROSTER),
        (dataclasses.replace(proof, culprit=2), Reason.NO_CONFLICT),
        (dataclasses.replace(proof, view_change=None), Reason.BAD_EVIDENCE),
        (dataclasses.replace(proof, rule=Rule.DOUBLE_VOTE), Reason.BAD_EVIDENCE),
    ]
    for bad, reason in cases:
        with pytest.raises(SpecError) as err:
            P.submit_evidence(
                PenaltyState(), ledger, registry, PARAMS, "rep", ConsensusEvidence(EPOCH, bad)
            )
        assert err.value.reason == reason, bad
    for epoch, reason in ((EPOCH + 1, Reason.FUTURE_EVIDENCE), (-100, Reason.STALE_EVIDENCE)):
        with pytest.raises(SpecError) as err:
            P.submit_evidence(
                PenaltyState(), ledger, registry, PARAMS, "rep", ConsensusEvidence(epoch, proof)
            )
        assert err.value.reason == reason


def test_one_equivocation_is_slashed_once_whichever_form_reports_it() -> None:
    scheme = RealScheme(N, 3)
    a, b = bytes([1]) * 32, bytes([2]) * 32
    first = Statement(VoteKind.COMMIT, 2, 8, a, votes(scheme, VoteKind.COMMIT, 2, 8, a))
    second = Statement(VoteKind.COMMIT, 2, 8, b, votes(scheme, VoteKind.COMMIT, 2, 8, b))
    consensus_form = ConsensusEvidence(EPOCH, Evidence(0, Rule.DOUBLE_VOTE, second, first))
    assert isinstance(first.proof, VoteSet) and isinstance(second.proof, VoteSet)
    key_form = DoubleSignEvidence(
        EPOCH,
        scheme.roster[0],
        SignedStatement(VoteKind.COMMIT, 2, 8, a, first.proof.votes[0].signature),
        SignedStatement(VoteKind.COMMIT, 2, 8, b, second.proof.votes[0].signature),
    )
    for one, other in ((consensus_form, key_form), (key_form, consensus_form)):
        state, ledger, registry, (record,) = submit_all(scheme.roster, (one,))
        assert record.offender == "r0"
        with pytest.raises(SpecError) as err:
            P.submit_evidence(state, ledger, registry, PARAMS, "rep", other)
        assert err.value.reason == Reason.DUPLICATE_EVIDENCE
