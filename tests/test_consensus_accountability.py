"""Accountability: conflicting commits name f + 1 culprits from signed evidence (§III-D, §IV-J)."""

from __future__ import annotations

import dataclasses

import pytest

from vdlt_spec.consensus.accountability import Rule, Statement, amnesia, double_votes, find_culprits
from vdlt_spec.consensus.block import Block, Request, block_digest
from vdlt_spec.consensus.config import ConsensusConfig, Mode
from vdlt_spec.consensus.messages import PreparedEntry, ViewChange, view_change_digest
from vdlt_spec.consensus.payloads import SigningDomain, VoteKind, vote_payload
from vdlt_spec.consensus.replica.state import GENESIS_DIGEST
from vdlt_spec.consensus.schemes import IdealScheme, RealScheme, RosterVerifier, certify
from vdlt_spec.consensus.sim.byzantine import Behaviour
from vdlt_spec.consensus.sim.scenario import Scenario, Signatures, culprits, make_scheme, simulate
from vdlt_spec.crypto import Certificate, max_faulty
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.verdict import Verdict

MODES = list(Mode)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("n", [4, 7])
def test_f_plus_one_colluders_break_safety_and_are_all_named(mode: Mode, n: int) -> None:
    f = max_faulty(n)
    byzantine = {0: Behaviour.EQUIVOCATE} | {i: Behaviour.DOUBLE_VOTE for i in range(1, f + 1)}
    scenario = Scenario(ConsensusConfig(n, mode=mode), seed=0, byzantine=byzantine, requests=4)
    scheme = make_scheme(scenario.signatures, n, scenario.seed)
    result = simulate(scenario, scheme)
    assert result.verdict == Verdict.INVALID and result.conflicts
    named = {e.culprit for e in culprits(result, scheme)}
    assert named == set(byzantine)


def test_double_vote_rule() -> None:
    scheme = IdealScheme(4)
    a, b = bytes(32), bytes([1]) * 32
    cert_a = certify(
        scheme,
        (0, 1, 2),
        vote_payload(SigningDomain.of(scheme.roster), VoteKind.COMMIT, 3, 9, a),
        b"test-session",
    )
    cert_b = certify(
        scheme,
        (0, 1, 3),
        vote_payload(SigningDomain.of(scheme.roster), VoteKind.PREPARE, 3, 9, b),
        b"test-session",
    )
    first = Statement(VoteKind.COMMIT, 3, 9, a, cert_a)
    second = Statement(VoteKind.PREPARE, 3, 9, b, cert_b)
    evidence = double_votes(scheme, SigningDomain.of(scheme.roster), first, second)
    assert [e.culprit for e in evidence] == [0, 1]
    assert all(e.rule == Rule.DOUBLE_VOTE for e in evidence)
    with pytest.raises(SpecError) as no_conflict:
        double_votes(
            scheme, SigningDomain.of(scheme.roster), first, dataclasses.replace(second, view=4)
        )
    assert no_conflict.value.reason == Reason.NO_CONFLICT
    forged = dataclasses.replace(second, proof=Certificate(cert_b.bitmap, cert_a.signature))
    with pytest.raises(SpecError) as bad:
        double_votes(scheme, SigningDomain.of(scheme.roster), first, forged)
    assert bad.value.reason == Reason.BAD_EVIDENCE
    assert (
        find_culprits(scheme, SigningDomain.of(scheme.roster), [first, forged]) == ()
    )  # forged evidence frames nobody


def _view_change(
    scheme: IdealScheme, replica: int, new_view: int, prepared: tuple[PreparedEntry, ...]
) -> ViewChange:
    unsigned = ViewChange(replica, new_view, 0, GENESIS_DIGEST, None, prepared)
    payload = vote_payload(
        SigningDomain.of(scheme.roster),
        VoteKind.VIEW_CHANGE,
        new_view,
        0,
        view_change_digest(unsigned),
    )
    return dataclasses.replace(unsigned, signature=scheme.sign(replica, payload))


def test_amnesia_rule() -> None:
    scheme = IdealScheme(4)
    block = Block((Request(0, 0, b"a"),))
    digest = block_digest(block)
    commit = Statement(
        VoteKind.COMMIT,
        1,
        3,
        digest,
        certify(
            scheme,
            (0, 1, 2),
            vote_payload(SigningDomain.of(scheme.roster), VoteKind.COMMIT, 1, 3, digest),
            b"test-session",
        ),
    )
    liar = _view_change(scheme, 1, 2, ())
    (evidence,) = amnesia(scheme, SigningDomain.of(scheme.roster), commit, liar)
    assert evidence.culprit == 1 and evidence.rule == Rule.AMNESIA
    prepare_cert = certify(
        scheme,
        (0, 1, 2),
        vote_payload(SigningDomain.of(scheme.roster), VoteKind.PREPARE, 1, 3, digest),
        b"test-session",
    )
    truthful = _view_change(scheme, 2, 2, (PreparedEntry(3, 1, digest, prepare_cert, block),))
    with pytest.raises(SpecError):
        amnesia(scheme, SigningDomain.of(scheme.roster), commit, truthful)
    outsider = _view_change(scheme, 3, 2, ())
    with pytest.raises(SpecError):
        amnesia(
            scheme, SigningDomain.of(scheme.roster), commit, outsider
        )  # 3 never signed the commit
    assert [
        e.culprit
        for e in find_culprits(
            scheme, SigningDomain.of(scheme.roster), [commit], [liar, truthful, outsider]
        )
    ] == [1]


def test_roster_verifier_checks_evidence_without_secrets() -> None:
    n = 4
    byzantine = {0: Behaviour.EQUIVOCATE, 1: Behaviour.DOUBLE_VOTE}
    scenario = Scenario(
        ConsensusConfig(n), seed=4, byzantine=byzantine, requests=2, signatures=Signatures.REAL
    )
    scheme = make_scheme(scenario.signatures, n, scenario.seed)
    result = simulate(scenario, scheme)
    outsider = RosterVerifier(scheme.roster)
    assert {e.culprit for e in culprits(result, outsider)} == {0, 1}
    other_roster = RosterVerifier(RealScheme(n, 99).roster)
    assert culprits(result, other_roster) == ()  # evidence does not verify under other keys
