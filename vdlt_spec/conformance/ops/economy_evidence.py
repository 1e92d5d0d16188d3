"""Script the ``economy.run`` vectors of slashing evidence, accepted and refused (§IV-J).

Double signing, forged certificates and consensus accountability evidence (double votes and
amnesia), signed with the keys the scripts' nodes registered over the roster the election
seated, are settled into slashes and reporter rewards, or refused for each reason: no
conflict, another position, a bad signature, another signer, the domain of another epoch or
chain, a key or replica that did not serve, future, stale, duplicate, nothing left to slash.
"""

from __future__ import annotations

import dataclasses
import hashlib
import random
from collections.abc import Iterator

from vdlt_spec.conformance.ops.economy_script import (
    MANAGERS,
    Script,
    double_sign,
    key,
    running,
    secret,
)
from vdlt_spec.conformance.suite import VectorInput
from vdlt_spec.consensus import SignedVote, SigningDomain, VoteKind, VoteSet
from vdlt_spec.consensus.accountability import Evidence, Rule, Statement
from vdlt_spec.consensus.messages import ViewChange, view_change_digest
from vdlt_spec.consensus.replica.state import GENESIS_DIGEST
from vdlt_spec.crypto import make_certificate
from vdlt_spec.economics.operations import Unbond
from vdlt_spec.economics.penalties import (
    ConsensusEvidence,
    DoubleSignEvidence,
    ForgedCertificateEvidence,
    SlashingEvidence,
    certificate_claim_digest,
)
from vdlt_spec.economics.signing import (
    double_sign_evidence,
    forged_certificate_evidence,
    sign_vote,
)

# --- slashing evidence ---------------------------------------------------------------------


def _tampered(evidence: DoubleSignEvidence) -> DoubleSignEvidence:
    signature = bytearray(evidence.second.signature)
    signature[5] ^= 1
    second = dataclasses.replace(evidence.second, signature=bytes(signature))
    return dataclasses.replace(evidence, second=second)


def _evidence_cases(script: Script) -> dict[str, tuple[str, SlashingEvidence, str]]:
    """Return refused evidence about epoch 1, each with its reporter and what is wrong."""
    offender = script.seated(1)[0]
    good = double_sign(script, offender, 1)
    roster = script.roster(1)
    other_chain = SigningDomain.of(roster, "another-chain", 1)
    signed = [
        sign_vote(secret(offender), other_chain, VoteKind.PREPARE, 0, 1, bytes([n]) * 32)
        for n in (1, 2)
    ]
    unseated = next(m for m in MANAGERS if m not in script.seated(1))
    elsewhere = double_sign_evidence(secret(offender), 0, 0, 1, roster=roster)
    future = double_sign_evidence(secret(offender), 2, 0, 1, roster=roster)
    return {
        "no-conflict": ("h1", dataclasses.replace(good, second=good.first), "same digest twice"),
        "other-position": (
            "h1",
            dataclasses.replace(good, second=double_sign(script, offender, 1, seq=2).second),
            "statements for different sequence numbers",
        ),
        "bad-signature": ("h1", _tampered(good), "a signature bit flipped"),
        "other-signer": (
            "h1",
            dataclasses.replace(good, signer=key(script.seated(1)[1])),
            "signed by one delegate, blamed on another",
        ),
        "other-epoch-domain": (
            "h1",
            dataclasses.replace(elsewhere, epoch=1),
            "signed in the domain of epoch 0, presented as epoch 1",
        ),
        "other-chain": (
            "h1",
            dataclasses.replace(good, first=signed[0], second=signed[1]),
            "signed in the domain of another chain",
        ),
        "not-in-roster": ("h1", double_sign(script, unseated, 1), "the key did not serve"),
        "future": ("h1", future, "about epoch 2, submitted in epoch 1"),
        "unknown-reporter": ("nobody", good, "the reporter has no account"),
    }


def evidence_inputs() -> Iterator[VectorInput]:
    """Yield signed evidence settled into slashes and rewards, and refused evidence (§IV-J)."""
    script = running()
    offender = script.seated(1)[0]
    good = double_sign(script, offender, 1)
    for case, (reporter, evidence, why) in _evidence_cases(script).items():
        probe = running()
        yield (
            probe.evidence(reporter, evidence)
            .evidence("h1", good)
            .vector(f"evidence-{case}", f"refused: {why}; the valid evidence after it is slashed")
        )
    script.evidence("h1", good).evidence("h0", good)
    script.evidence("h1", double_sign(script, offender, 1, seq=2))
    yield script.elect("h0").vector(
        "evidence-double-sign",
        "a delegate double-signs: all its collateral is slashed, the reporter gets 1/11, the"
        " rest burnt; the same offence again is a duplicate; another offence finds nothing left",
    )
    script = running()
    offender = script.seated(1)[1]
    script.evidence(offender, double_sign(script, offender, 1))
    yield script.elect("h0").vector("evidence-self-report", "a self-report: its reward is burnt")
    script = running({"slash_fraction": "1/2", "denouncer_reward": "1/3"})
    offender = script.seated(1)[2]
    script.do(Unbond(offender, 30), Unbond(offender, 20))
    script.evidence("x0", double_sign(script, offender, 1))
    script.evidence("x0", double_sign(script, offender, 1, seq=3))
    script.evidence("x0", double_sign(script, offender, 1, seq=4))
    yield script.elect("h0").vector(
        "evidence-unbonding",
        "half of bonded plus unbonding collateral is slashed, bonded first then the latest"
        " unbonding; a third of it rewarded; repeated offences take half of what is left",
    )
    script = running({"slash_fraction": "1/1000"})
    yield script.evidence("h0", double_sign(script, script.seated(1)[0], 1)).vector(
        "evidence-nothing-to-slash", "a thousandth of 100 base units rounds down to nothing"
    )
    yield from _window_inputs()
    yield from _certificate_inputs()
    yield from _consensus_inputs()


def _window_inputs() -> Iterator[VectorInput]:
    """Yield evidence at the edges of the evidence window (two epochs) (§IV-J)."""
    script = running()
    script.elect().elect()
    first = script.seated(1)[0]
    early = double_sign(script, first, 1)
    late = double_sign(script, next(n for n in script.seated(1) if n != first), 1)
    script.evidence("h0", early).elect()
    script.evidence("h0", late)
    edge = double_sign(script, next(n for n in script.seated(2) if n != first), 2)
    stale = double_sign(script, next(n for n in script.seated(2) if n != first), 2, seq=2)
    script.evidence("h0", edge).elect()
    script.evidence("h0", stale)
    yield script.vector(
        "evidence-window",
        "evidence about epoch 1 is taken in epoch 3 (now - window) and stale in epoch 4,"
        " where evidence about epoch 2 is taken; in epoch 5 evidence about epoch 2 is stale",
    )


def _certificate_inputs() -> Iterator[VectorInput]:
    """Yield forged-certificate evidence and a claim about a certificate that verifies (§IV-J)."""
    script = running()
    roster = tuple(script.roster(1))
    seated = script.seated(1)
    accused = secret(seated[0])
    signers = {1: secret(seated[1])}
    forged = forged_certificate_evidence(accused, roster, signers, 1, 0, 5, seed=3)
    message = hashlib.sha256(b"block quorum").digest()
    quorum = {i: secret(seated[i]) for i in range(3)}
    real = make_certificate(roster, quorum, message, random.Random(4))
    digest = certificate_claim_digest(message, real)
    domain = SigningDomain.of(roster, epoch=1)
    claim = sign_vote(accused, domain, VoteKind.PRE_PREPARE, 0, 6, digest)
    honest = ForgedCertificateEvidence(1, key(seated[0]), claim, message, real)
    mismatched = dataclasses.replace(forged, message=message)
    script.evidence("h1", honest).evidence("h1", mismatched).evidence("h1", forged)
    yield script.vector(
        "evidence-forged-certificate",
        "a claim about a certificate that verifies is no offence; a claim about another"
        " message is refused; a certificate whose bitmap lies is slashed",
    )


def _statement(
    script: Script, kind: VoteKind, view: int, seq: int, fill: int, *signers: int
) -> Statement:
    """Return a statement of epoch 1 signed as votes by the seated replicas ``signers``."""
    names, digest = script.seated(1), bytes([fill]) * 32
    domain = SigningDomain.of(script.roster(1), epoch=1)
    votes = tuple(
        SignedVote(i, kind, sign_vote(secret(names[i]), domain, kind, view, seq, digest).signature)
        for i in signers
    )
    return Statement(kind, view, seq, digest, VoteSet(votes))


def _view_change(script: Script, replica: int, new_view: int) -> ViewChange:
    """Return replica ``replica``'s signed view change of epoch 1 to ``new_view``, none prepared."""
    unsigned = ViewChange(replica, new_view, 0, GENESIS_DIGEST, None, ())
    domain = SigningDomain.of(script.roster(1), epoch=1)
    digest = view_change_digest(unsigned)
    seckey = secret(script.seated(1)[replica])
    signed = sign_vote(seckey, domain, VoteKind.VIEW_CHANGE, new_view, 0, digest)
    return dataclasses.replace(unsigned, signature=signed.signature)


def _consensus_inputs() -> Iterator[VectorInput]:
    """Yield consensus accountability evidence: double votes and amnesia (§IV-J, D-econ-12)."""
    script = running({"slash_fraction": "1/2"})
    commit = _statement(script, VoteKind.COMMIT, 0, 1, 1, 0, 1, 2)
    prepare = _statement(script, VoteKind.PREPARE, 0, 1, 2, 0, 3)
    double = Evidence(0, Rule.DOUBLE_VOTE, commit, prepare)
    committed = _statement(script, VoteKind.COMMIT, 1, 3, 3, 0, 1, 2)
    amnesia = Evidence(1, Rule.AMNESIA, committed, None, _view_change(script, 1, 2))
    framed = _statement(script, VoteKind.PREPARE, 0, 1, 2, 0, 3)
    forged = dataclasses.replace(framed, digest=bytes([4]) * 32)
    for proof in (
        dataclasses.replace(double, second=None),
        dataclasses.replace(double, culprit=1),
        dataclasses.replace(double, culprit=4),
        dataclasses.replace(double, second=forged),
        dataclasses.replace(amnesia, view_change=None),
        double,
        amnesia,
    ):
        script.evidence("h1", ConsensusEvidence(1, proof))
    script.evidence("h1", double_sign(script, script.seated(1)[0], 1))
    script.evidence("h1", double_sign(script, script.seated(1)[0], 1, seq=2))
    yield script.elect("h0").vector(
        "evidence-consensus",
        "a double vote by replica 0 (a COMMIT and a PREPARE of one slot) and an amnesia by"
        " replica 1 are slashed; refused first: no second statement, a replica that signed only"
        " one, a replica out of the roster, a statement that does not verify, no view change;"
        " the same equivocation as a double signing is a duplicate, another is slashed",
    )
