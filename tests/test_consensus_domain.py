"""Signing domains (§III-C, §IV-C, §IV-D): a vote or certificate verifies in its own domain only."""

from __future__ import annotations

import dataclasses
import json

import pytest

from vdlt_spec import ledger as L
from vdlt_spec.audit.auditor import audit
from vdlt_spec.audit.rules.consensus import run_trace
from vdlt_spec.audit.trace import parse
from vdlt_spec.consensus import (
    DEFAULT_CHAIN_ID,
    ConsensusConfig,
    IdealScheme,
    RealScheme,
    RosterVerifier,
    Scenario,
    Signatures,
    SignatureScheme,
    SignedVote,
    SigningDomain,
    VoteKind,
    VoteSet,
    certify,
    check_proof,
    roster_commitment,
    simulate,
    verify_proof,
    vote_payload,
)
from vdlt_spec.consensus.accountability import Statement, double_votes
from vdlt_spec.consensus.payloads import DOMAIN_TAG, ROSTER_TAG, VOTE_TAG
from vdlt_spec.crypto import quorum_size, tagged_hash
from vdlt_spec.economics.penalties import PenaltyState, submit_evidence
from vdlt_spec.economics.signing import (
    compressed_public_key,
    double_sign_evidence,
    simulation_secret_key,
)
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.governance.dpos import DposState, RosterEntry
from vdlt_spec.governance.parameters import Parameters
from vdlt_spec.verdict import Verdict

N = 4
DIGEST = bytes(range(32))


@pytest.fixture(params=["ideal", "real"])
def scheme(request: pytest.FixtureRequest) -> SignatureScheme:
    return IdealScheme(N, 3) if request.param == "ideal" else RealScheme(N, 3)


def others(domain: SigningDomain, roster: tuple[bytes, ...]) -> dict[str, SigningDomain]:
    """Return the domains one field away from ``domain``: chain, epoch, roster, roster order."""
    return {
        "another chain": dataclasses.replace(domain, chain_id="vs-7"),
        "another epoch": dataclasses.replace(domain, epoch=domain.epoch + 1),
        "another roster": SigningDomain.of(RealScheme(N, 99).roster, domain.chain_id, domain.epoch),
        "a reordered roster": SigningDomain.of(roster[::-1], domain.chain_id, domain.epoch),
    }


def test_the_payload_layout_is_the_documented_one() -> None:
    keys = (bytes([2]) * 33, bytes([3]) * 33)
    roster = roster_commitment(keys)
    assert roster == tagged_hash(
        ROSTER_TAG, (2).to_bytes(4, "big") + b"".join(bytes([33]) + k for k in keys)
    )
    domain = SigningDomain("vs-1", 9, roster)
    root = tagged_hash(DOMAIN_TAG, bytes([4]) + b"vs-1" + (9).to_bytes(8, "big") + roster)
    assert domain.root == root
    body = root + bytes([VoteKind.COMMIT]) + (2).to_bytes(8, "big") + (5).to_bytes(8, "big")
    assert vote_payload(domain, VoteKind.COMMIT, 2, 5, DIGEST) == tagged_hash(
        VOTE_TAG, body + DIGEST
    )
    assert SigningDomain.of(keys) == SigningDomain(DEFAULT_CHAIN_ID, 0, roster)


def test_every_domain_field_changes_the_payload() -> None:
    keys = RealScheme(N, 3).roster
    domain = SigningDomain.of(keys, "vs-1", 3)
    payload = vote_payload(domain, VoteKind.PREPARE, 1, 2, DIGEST)
    for name, other in others(domain, keys).items():
        assert vote_payload(other, VoteKind.PREPARE, 1, 2, DIGEST) != payload, name


def test_a_certificate_verifies_in_its_own_domain_only(scheme: SignatureScheme) -> None:
    domain = SigningDomain.of(scheme.roster, "vs-1", 3)
    message = vote_payload(domain, VoteKind.COMMIT, 2, 5, DIGEST)
    cert = certify(scheme, tuple(range(quorum_size(N))), message, b"test-session")
    assert verify_proof(scheme, domain, VoteKind.COMMIT, 2, 5, DIGEST, cert)
    check_proof(scheme, domain, VoteKind.COMMIT, 2, 5, DIGEST, cert)
    for name, other in others(domain, scheme.roster).items():
        assert not verify_proof(scheme, other, VoteKind.COMMIT, 2, 5, DIGEST, cert), name
        with pytest.raises(SpecError) as err:
            check_proof(scheme, other, VoteKind.COMMIT, 2, 5, DIGEST, cert)
        assert err.value.reason == Reason.BAD_CERTIFICATE
        assert f"chain {other.chain_id!r}, epoch {other.epoch}" in err.value.detail, name


def test_a_vote_verifies_in_its_own_domain_only(scheme: SignatureScheme) -> None:
    domain = SigningDomain.of(scheme.roster, "vs-1", 3)
    payload = vote_payload(domain, VoteKind.COMMIT, 0, 1, DIGEST)
    votes = VoteSet(
        tuple(
            SignedVote(i, VoteKind.COMMIT, scheme.sign(i, payload)) for i in range(quorum_size(N))
        )
    )
    assert scheme.verify(0, payload, votes.votes[0].signature)
    assert verify_proof(scheme, domain, VoteKind.COMMIT, 0, 1, DIGEST, votes)
    for name, other in others(domain, scheme.roster).items():
        replayed = vote_payload(other, VoteKind.COMMIT, 0, 1, DIGEST)
        assert not scheme.verify(0, replayed, votes.votes[0].signature), name
        assert not verify_proof(scheme, other, VoteKind.COMMIT, 0, 1, DIGEST, votes), name


def test_a_group_signs_in_the_domain_its_config_names() -> None:
    scheme = RealScheme(N, 3)
    config = ConsensusConfig(N, chain_id="vs-2", epoch=7)
    assert config.signing_domain(scheme.roster) == SigningDomain.of(scheme.roster, "vs-2", 7)
    result = simulate(Scenario(config, seed=2, requests=2, signatures=Signatures.REAL), scheme)
    assert result.verdict == Verdict.VALID and result.commits
    mine = config.signing_domain(scheme.roster)
    for commit in result.commits:
        proof = (commit.view, commit.seq, commit.digest, commit.proof)
        assert verify_proof(scheme, mine, VoteKind.COMMIT, *proof)
        for name, other in others(mine, scheme.roster).items():
            assert not verify_proof(scheme, other, VoteKind.COMMIT, *proof), name


def test_bad_domains_and_configs_are_refused() -> None:
    roster = roster_commitment((bytes([2]) * 33,))
    for chain_id, epoch, commitment in (
        ("", 0, roster),
        ("x" * 256, 0, roster),
        ("vs", -1, roster),
        ("vs", 2**64, roster),
        ("vs", True, roster),
        ("vs", 0, bytes(31)),
    ):
        with pytest.raises(SpecError) as err:
            SigningDomain(chain_id, epoch, commitment)
        assert err.value.reason == Reason.SCHEMA_VIOLATION
    for bad in ({"chain_id": ""}, {"epoch": -1}):
        with pytest.raises(SpecError) as err:
            ConsensusConfig(N, **bad)  # type: ignore[arg-type]
        assert err.value.reason == Reason.BAD_CONSENSUS_PARAMETER
    with pytest.raises(SpecError):
        roster_commitment((b"",))


def test_evidence_from_another_domain_convicts_nobody() -> None:
    scheme = IdealScheme(N)
    domain = SigningDomain.of(scheme.roster, "vs-1", 3)
    a, b = bytes([1]) * 32, bytes([2]) * 32
    statements = []
    for digest in (a, b):
        message = vote_payload(domain, VoteKind.COMMIT, 3, 9, digest)
        cert = certify(scheme, (0, 1, 2), message, b"test-session")
        statements.append(Statement(VoteKind.COMMIT, 3, 9, digest, cert))
    assert [e.culprit for e in double_votes(scheme, domain, *statements)] == [0, 1, 2]
    other = dataclasses.replace(domain, epoch=4)
    with pytest.raises(SpecError) as err:
        double_votes(scheme, other, *statements)
    assert err.value.reason == Reason.BAD_EVIDENCE
    assert "epoch 4" in err.value.detail


def test_the_audit_refuses_a_trace_replayed_into_another_domain() -> None:
    scheme = RealScheme(N, 3)
    config = ConsensusConfig(N, chain_id="vs-2", epoch=7)
    result = simulate(Scenario(config, seed=2, requests=1, signatures=Signatures.REAL), scheme)
    text = run_trace(scheme.roster, result.commits)
    header, *events = text.splitlines()

    def audited(**fields: object) -> tuple[Verdict, list[str]]:
        trace = "\n".join([json.dumps(json.loads(header) | fields), *events])
        report = audit(parse(trace.splitlines()))
        return report.verdict, [f.message for f in report.findings]

    assert audited(chain_id="vs-2", epoch=7)[0] == Verdict.VALID
    recorded = run_trace(scheme.roster, result.commits, "vs-2", 7)
    assert audit(parse(recorded.splitlines())).verdict == Verdict.VALID
    for fields in ({}, {"chain_id": "vs-3", "epoch": 7}, {"chain_id": "vs-2", "epoch": 8}):
        verdict, details = audited(**fields)
        assert verdict == Verdict.INVALID and details, fields
        assert all("not proven" in d and "epoch" in d for d in details), fields
    with pytest.raises(SpecError) as err:
        audited(chain_id="vs-2", epoch=-1)
    assert err.value.reason == Reason.BAD_TRACE
    assert RosterVerifier(scheme.roster).roster == scheme.roster


def test_penalty_evidence_signed_in_another_epoch_is_refused() -> None:
    sk = {name: simulation_secret_key(7, name) for name in ("m1", "m2", "m3")}
    keys = tuple(compressed_public_key(sk[name]) for name in ("m1", "m2", "m3"))
    ledger = L.genesis({"m1": 20_000, "m2": 20_000, "m3": 20_000, "rep": 1}, 60_001)
    for name in ("m1", "m2", "m3"):
        ledger = L.bond(ledger, name, 11_000)
    ledger = L.advance(ledger, 5)
    roster = tuple(RosterEntry(n, k, 1) for n, k in zip(("m1", "m2", "m3"), keys, strict=True))
    registry = DposState(delegates=("m1", "m2", "m3"), rosters={4: roster, 5: roster})
    old = double_sign_evidence(sk["m1"], 4, view=3, seq=9, roster=keys)
    replayed = dataclasses.replace(old, epoch=5)
    with pytest.raises(SpecError) as err:
        submit_evidence(PenaltyState(), ledger, registry, Parameters(), "rep", replayed)
    assert err.value.reason == Reason.BAD_SIGNATURE
    record = submit_evidence(PenaltyState(), ledger, registry, Parameters(), "rep", old)[3]
    assert record.offender == "m1"
