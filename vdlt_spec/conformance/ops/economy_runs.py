"""Script the ``economy.run`` vectors that go past genesis: nodes, pay, evidence, amendments.

A script replays its operations on the reference economy while it is written, so that signed
evidence can name the roster an election really seated and the keys of the nodes it seated.
The vector holds only the genesis allocations, the parameters and the operations (plain JSON);
its expectation is computed by ``economy.run`` like that of every other vector. The scripts run
on a small experimental chain (ten million base units, four epochs a year, one-epoch governance
stages) so that a few operations reach every transition: paid epochs with the management pool
spent, execution pay capped by its pool, staking pay weighted by participation, years rolling
over, issuance at and around the inflation cap, slashing evidence accepted and refused for
every reason, unbonding collateral, fees and transfers at their bounds, and amendments whose
test epochs run the test system (§IV-B..§IV-K).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import random
from collections.abc import Iterator, Mapping
from fractions import Fraction
from typing import Any

from vdlt_spec import serial
from vdlt_spec.conformance.suite import VectorInput
from vdlt_spec.consensus import SigningDomain, VoteKind
from vdlt_spec.crypto import make_certificate
from vdlt_spec.economics import economy
from vdlt_spec.economics.operations import (
    Bond,
    CastLockedVote,
    EndEpoch,
    LockTokens,
    ManagementDecision,
    Operation,
    ProduceUserBlock,
    RecordPoll,
    Register,
    ReportTestFailure,
    Stake,
    SubmitAmendment,
    SubmitEvidence,
    Transfer,
    Unbond,
    Unstake,
    VoteWithLock,
)
from vdlt_spec.economics.penalties import (
    DoubleSignEvidence,
    ForgedCertificateEvidence,
    SlashingEvidence,
    certificate_claim_digest,
)
from vdlt_spec.economics.signing import (
    compressed_public_key,
    double_sign_evidence,
    forged_certificate_evidence,
    sign_vote,
    simulation_secret_key,
)
from vdlt_spec.economics.simulation import QUALIFIED_SPEC as SPEC
from vdlt_spec.errors import SpecError
from vdlt_spec.governance.amendment import Amendment, Poll, PollGroup, Stage, ballot_id
from vdlt_spec.governance.dpos import election_id
from vdlt_spec.governance.parameters import ParameterChange, Parameters
from vdlt_spec.roles import NodeRole

OP = "economy.run"
KEY_SEED = 7
"""Seed of the simulation keys the scripts' nodes register and sign with."""
MANAGERS = ("m0", "m1", "m2", "m3", "m4")
"""Management/control candidates; four of them are seated (``delegate_count`` 4)."""
DECLARED = {"m0": 9_000, "m1": 10_000, "m2": 11_000, "m3": 12_000, "m4": 13_000, "x0": 7}
"""Declared pay per decision or block; the seated delegates' median spends the pool in 3."""
ALLOCATIONS = {"h0": 4_000_000, "h1": 4_500_000, "x0": 500_000, "x1": 500_000} | dict.fromkeys(
    MANAGERS, 100_000
)
"""Genesis: two holders, two execution nodes, five managers; ten million base units in all."""
PARAMS: dict[str, Any] = {
    "conforming": False,
    "genesis_supply": 10_000_000,
    "epochs_per_year": 4,
    "inflation_rate": "1/25",
    "min_collateral": 100,
    "delegate_count": 4,
    "poll_period_epochs": 1,
    "vote_period_epochs": 1,
    "test_period_epochs": 1,
}
"""The experimental chain of the scripts: issuance 100,000 base units an epoch at 4 %."""
NEXT = (ParameterChange("inflation_rate", Fraction(1, 50)),)
"""The change of an amendment submitted only to probe the stage (accepted in PROPOSAL only)."""


def secret(name: str) -> bytes:
    """Return the simulation secret key of node ``name``."""
    return simulation_secret_key(KEY_SEED, name)


def key(name: str) -> bytes:
    """Return the compressed public key node ``name`` registers."""
    return compressed_public_key(secret(name))


class Script:
    """Write one ``economy.run`` input while replaying it on the reference economy."""

    def __init__(self, params: Mapping[str, Any] | None = None) -> None:
        self.params = {**PARAMS, **(params or {})}
        live = serial.decode(Parameters, self.params, "$.params")
        self.econ = economy.start(ALLOCATIONS, live)
        self.ops: list[Operation] = []

    def do(self, *ops: Operation) -> Script:
        """Append operations; apply each to the replica, keeping it when it is refused."""
        for op in ops:
            self.ops.append(op)
            with contextlib.suppress(SpecError):
                self.econ = economy.apply(self.econ, op)
        return self

    @property
    def epoch(self) -> int:
        """Return the epoch the replayed economy is in."""
        return self.econ.epoch

    def roster(self, epoch: int) -> list[bytes]:
        """Return the keys seated in ``epoch``, in election order."""
        return [entry.key for entry in self.econ.registry.rosters.get(epoch, ())]

    def seated(self, epoch: int) -> list[str]:
        """Return the accounts seated in ``epoch``, in election order."""
        return [entry.account for entry in self.econ.registry.rosters.get(epoch, ())]

    def elect(self, *voters: str, k: int = 1) -> Script:
        """Have each candidate vote for itself and ``voters`` for m0, then end the epoch."""
        ballot = election_id(self.epoch)
        votes = [VoteWithLock(m, ballot, 10, k, m) for m in MANAGERS]
        votes += [VoteWithLock(v, ballot, 1_000, k, "m0") for v in voters]
        return self.do(*votes, EndEpoch())

    def evidence(self, reporter: str, evidence: SlashingEvidence) -> Script:
        """Submit evidence (§IV-J)."""
        return self.do(SubmitEvidence(reporter, evidence))

    def vector(self, name: str, comment: str) -> VectorInput:
        """Return the vector input of the script so far."""
        payload = {
            "allocations": ALLOCATIONS,
            "params": self.params,
            "operations": serial.encode(self.ops),
        }
        return VectorInput(f"economy-{name}", OP, payload, comment)


def running(params: Mapping[str, Any] | None = None) -> Script:
    """Bond, register and elect the managers; x0 executes; h0, h1 and x0 stake (epoch 1)."""
    script = Script(params)
    for name in (*MANAGERS, "x0"):
        role = NodeRole.EXECUTION if name == "x0" else NodeRole.MANAGEMENT_CONTROL
        script.do(Bond(name, 100), Register(name, role, key(name), DECLARED[name], SPEC))
    script.do(Stake("h0", 1_000_000), Stake("h1", 1_000_000), Stake("x0", 100_000))
    return script.elect()


def double_sign(script: Script, name: str, epoch: int, seq: int = 1) -> DoubleSignEvidence:
    """Return ``name``'s two signed PREPAREs for (view 0, ``seq``) in ``epoch``'s domain."""
    return double_sign_evidence(secret(name), epoch, 0, seq, roster=script.roster(epoch))


# --- paid epochs ---------------------------------------------------------------------------


def _paid_inputs() -> Iterator[VectorInput]:
    """Yield epochs that pay management, execution and stakers, and roll years over (§IV-I)."""
    script = running()
    script.do(*(ManagementDecision() for _ in range(4)))
    script.do(ProduceUserBlock("x0"), ProduceUserBlock("x0"), ProduceUserBlock("m0"))
    yield script.elect("h0", "x0").vector(
        "paid-epoch",
        "four decisions spend the management pool (median pay, then the rest, then nothing);"
        " x0's two blocks; stakers paid by participation (h1 staked but did not vote)",
    )
    script = running({"execution_share": "1/20000", "management_share": "1/50000"})
    script.do(Bond("x1", 100), Register("x1", NodeRole.EXECUTION, key("x1"), 3, SPEC))
    script.do(ProduceUserBlock("x0"), ProduceUserBlock("x1"), ProduceUserBlock("x1"))
    script.do(ManagementDecision(), ManagementDecision())
    yield script.elect("h1").vector(
        "execution-pool-short",
        "blocks at the median pay exceed the execution pool: it is shared by largest remainders",
    )
    for name, rate in (("at-cap", "1/25"), ("above-cap", "1/10"), ("below-cap", "1/50")):
        script = running({"inflation_rate": rate, "max_inflation_rate": "1/25"})
        for _ in range(5):
            script.elect("h0", "h1")
        yield script.vector(
            f"issuance-{name}",
            f"voted rate {rate} under a cap of 1/25, over a year boundary (4 epochs a year):"
            " the stakers' pool is minted in full each epoch",
        )
    script = running({"inflation_rate": "0"})
    yield script.elect("h0").vector("issuance-zero", "no inflation: epochs mint nothing")


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


def _slash_inputs() -> Iterator[VectorInput]:
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
    script.evidence("h0", edge)
    yield script.vector(
        "evidence-window",
        "evidence about epoch 1 is taken in epoch 3 (now - window) and stale in epoch 4,"
        " where evidence about epoch 2 is taken",
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


# --- ledger bounds ---------------------------------------------------------------------------


def _ledger_inputs() -> Iterator[VectorInput]:
    """Yield fees, transfers at the free balance, unstaking, unbonding and locks (§IV-C, §IV-I)."""
    script = running({"min_transaction_fee": 5})
    script.do(
        Transfer("h1", "h0", 10, 4),
        Transfer("h1", "h0", 10, 5),
        Transfer("h1", "new", 3_499_975, 11),
        Transfer("h1", "new", 3_499_975, 10),
        Transfer("new", "h1", 1, 5),
        Transfer("h0", "h0", 1, 5),
    )
    yield script.vector(
        "fees-and-bounds",
        "a fee below the minimum; amount + fee one past the free balance, then exactly it",
    )
    script = running()
    script.do(Unstake("h0", 400_000), Unstake("h0", 600_001), Unstake("h0", 600_000))
    script.do(Unbond("x0", 40), Unbond("x0", 61), Unbond("x0", 60))
    script.do(Transfer("x0", "h0", 399_901), Transfer("x0", "h0", 399_900))
    for _ in range(4):
        script.elect()
        script.do(Transfer("x0", "h0", 1))
    yield script.vector(
        "unstake-unbond",
        "partial and whole unstaking; unbonding stays slashable and unspendable for"
        " window + 1 epochs, then returns to the free balance",
    )
    script = running()
    ballot = election_id(1)
    first = script.econ.ledger.next_lock_id
    script.do(
        LockTokens("h0", ballot, 100, 2),
        LockTokens("h0", ballot, 200, 3),
        CastLockedVote("h0", ballot, first + 1, "m1"),
        CastLockedVote("h0", ballot, first, "m2"),
        CastLockedVote("h0", ballot, first + 2, "m2"),
        LockTokens("h0", "no-such-ballot", 100, 1),
        VoteWithLock("h1", "no-such-ballot", 100, 1, "m0"),
    )
    for _ in range(9):
        script.elect()
    yield script.vector(
        "locks",
        "two locks get ids 0 and 1 and release after k² epochs; a ballot that is not open",
    )


# --- amendments under test ------------------------------------------------------------------


def _to_testing(script: Script, amendment: Amendment) -> Script:
    """Submit ``amendment``, pass its polls and its exploration vote: it is under test."""
    script.do(SubmitAmendment(amendment))
    for group in (PollGroup.ROADMAP, PollGroup.USERS, PollGroup.TOKEN_HOLDERS, PollGroup.NORMS):
        script.do(RecordPoll(Poll(group, 3, 1)))
    script.elect("h0")
    exploration = ballot_id(amendment.amendment_id, Stage.EXPLORATION)
    script.do(VoteWithLock("h0", exploration, 1_500_000, 2, "yea"))
    script.do(VoteWithLock("x0", exploration, 10_000, 2, "yea"))
    script.do(VoteWithLock("h1", exploration, 100, 1, "yea"))
    return script.elect("h0")


def _amendment_inputs() -> Iterator[VectorInput]:
    """Yield amendments through their test epoch: the test system runs on their parameters."""
    changes = {
        "lower-rate": ("inflation_rate", Fraction(1, 100)),
        "zero-rate": ("inflation_rate", Fraction(0)),
        "no-management-pay": ("management_share", Fraction(0)),
    }
    for name, (field, value) in changes.items():
        script = running()
        amendment = Amendment(name, "h0", (ParameterChange(field, value),))
        _to_testing(script, amendment)
        script.do(ProduceUserBlock("x0"), ManagementDecision())
        script.elect("h0", "x0")
        script.do(SubmitAmendment(Amendment(f"{name}-next", "h1", NEXT)))
        confirmation = ballot_id(name, Stage.CONFIRMATION)
        script.do(VoteWithLock("h0", confirmation, 1_000_000, 1, "yea"))
        script.do(VoteWithLock("h1", confirmation, 1_000_000, 1, "yea"))
        script.elect("h0", "x0")
        script.elect("h0", "x0")
        yield script.vector(
            f"amendment-{name}",
            f"{field} := {value}: polls, exploration, a test epoch with live locks, blocks and"
            " staking pay, confirmation, then an epoch under the new parameters",
        )
    script = running()
    _to_testing(script, Amendment("reported", "h0", NEXT))
    script.do(ReportTestFailure("h0", "not a delegate"))
    script.do(ReportTestFailure(script.seated(2)[0], "the test system failed"))
    script.do(SubmitAmendment(Amendment("after-report", "h1", NEXT)))
    yield script.elect("h0").vector(
        "amendment-test-failure",
        "a delegate reports a failed test: the amendment leaves the test stage at once",
    )


AUDITED = (
    "paid-epoch",
    "execution-pool-short",
    "issuance-above-cap",
    "evidence-double-sign",
    "evidence-unbonding",
    "evidence-forged-certificate",
    "unstake-unbond",
    "locks",
    "amendment-zero-rate",
    "amendment-test-failure",
)
"""The scripts whose final economy ``economy.audit`` vectors check as well."""


def run_inputs() -> Iterator[VectorInput]:
    """Yield every scripted ``economy.run`` input, then the audits of some (§IV-B..§IV-K)."""
    scripted = [*_paid_inputs(), *_slash_inputs(), *_ledger_inputs(), *_amendment_inputs()]
    yield from scripted
    for item in scripted:
        name = item.id.removeprefix("economy-")
        if name in AUDITED:
            yield VectorInput(
                f"economy-audit-{name}",
                "economy.audit",
                item.input,
                "every invariant of the whole economy holds after the run",
            )
