"""Script the ``economy.run`` vectors of paid epochs, ledger bounds and amendments under test.

Paid epochs spend the management pool, cap execution pay by its pool, weigh staking pay by
participation, roll years over and issue at, above and below the inflation cap; the ledger
scripts put fees and transfers at their bounds, unstake, unbond and lock; amendments run their
test epoch through the test system on the amended parameters (§IV-B, §IV-C, §IV-I, §IV-K).
Slashing evidence is scripted in :mod:`vdlt_spec.conformance.ops.economy_evidence`.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

from vdlt_spec.conformance.ops.economy_evidence import evidence_inputs
from vdlt_spec.conformance.ops.economy_script import (
    NEXT,
    Script,
    key,
    running,
)
from vdlt_spec.conformance.suite import VectorInput
from vdlt_spec.economics.operations import (
    Bond,
    CastLockedVote,
    LockTokens,
    ManagementDecision,
    ProduceUserBlock,
    RecordPoll,
    Register,
    ReportTestFailure,
    SubmitAmendment,
    Transfer,
    Unbond,
    Unstake,
    VoteWithLock,
)
from vdlt_spec.economics.simulation import QUALIFIED_SPEC
from vdlt_spec.governance.amendment import Amendment, Poll, PollGroup, Stage, ballot_id
from vdlt_spec.governance.dpos import election_id
from vdlt_spec.governance.parameters import ParameterChange
from vdlt_spec.roles import NodeRole

# --- paid epochs ---------------------------------------------------------------------------


def _paid_inputs() -> Iterator[VectorInput]:
    """Yield epochs that pay management, execution and stakers, and roll years over (§IV-I)."""
    script = running()
    script.do(*(ManagementDecision() for _ in range(4)))
    script.do(ProduceUserBlock("x0"), ProduceUserBlock("x0"), ProduceUserBlock("m0"))
    yield script.elect("h0", "x0").vector(
        "paid-epoch",
        "four decisions spend the management pool (median pay, then the rest, then nothing);"
        " x0's two blocks, a delegate's refused; stakers paid by participation (h1 staked, did"
        " not vote)",
    )
    script = running({"execution_share": "1/20000", "management_share": "1/50000"})
    script.do(Bond("x1", 100), Register("x1", NodeRole.EXECUTION, key("x1"), 3, QUALIFIED_SPEC))
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
    script.do(VoteWithLock("h1", "a", 100, 1, "yea"), VoteWithLock("h1", "z", 100, 1, "yea"))
    script.do(VoteWithLock("h1", exploration, 100, 1, "yea"))
    return script.elect("h0")


def _amendment_inputs() -> Iterator[VectorInput]:
    """Yield amendments through their test epoch: the test system runs on their parameters."""
    cases = {
        "lower-rate": ("inflation_rate", Fraction(1, 100), {}, ("h0", "x0")),
        "zero-rate": ("inflation_rate", Fraction(0), {}, ("h0", "x0")),
        "no-management-pay": ("management_share", Fraction(0), {}, ()),
        "long-year": ("inflation_rate", Fraction(1, 100), {"epochs_per_year": 10**8}, ("h0",)),
    }
    for name, (field, value, params, voters) in cases.items():
        script = running(params)
        amendment = Amendment(name, "h0", (ParameterChange(field, value),))
        _to_testing(script, amendment)
        script.do(ProduceUserBlock("x0"), ManagementDecision())
        script.elect(*voters)
        script.do(SubmitAmendment(Amendment(f"{name}-next", "h1", NEXT)))
        confirmation = ballot_id(name, Stage.CONFIRMATION)
        script.do(VoteWithLock("h0", confirmation, 1_000_000, 1, "yea"))
        script.do(VoteWithLock("h1", confirmation, 1_000_000, 1, "yea"))
        script.elect("h0", "x0")
        script.elect("h0", "x0")
        who = " and ".join(voters) or "no staker"
        yield script.vector(
            f"amendment-{name}",
            f"{field} := {value}: polls, exploration (votes on ballots that are not open refused),"
            f" a test epoch with live locks, a block and {who} voting, confirmation, then an"
            " epoch under the new parameters",
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
    "evidence-self-report",
    "evidence-forged-certificate",
    "evidence-consensus",
    "unstake-unbond",
    "locks",
    "amendment-zero-rate",
    "amendment-test-failure",
)
"""The scripts whose final economy ``economy.audit`` vectors check as well."""


def run_inputs() -> Iterator[VectorInput]:
    """Yield every scripted ``economy.run`` input, then the audits of some (§IV-B..§IV-K)."""
    scripted = [*_paid_inputs(), *evidence_inputs(), *_ledger_inputs(), *_amendment_inputs()]
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
