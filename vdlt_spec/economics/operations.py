"""Name the operations of the economy state machine, one frozen dataclass each (§IV-B..§IV-K).

Each operation is plain data with an ``op`` tag, so a sequence of them serialises to JSON and
a conformance vector can replay it; :func:`vdlt_spec.economics.economy.apply` gives their
meaning.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from vdlt_spec.economics.penalties import SlashingEvidence
from vdlt_spec.governance.amendment import Amendment, Poll
from vdlt_spec.governance.dpos import NodeSpec
from vdlt_spec.roles import NodeRole


@dataclass(frozen=True)
class Transfer:
    """Move free tokens, paying a fee that may be zero (§IV-I: free transactions)."""

    src: str
    dst: str
    amount: int
    fee: int = 0
    op: Literal["transfer"] = "transfer"


@dataclass(frozen=True)
class Stake:
    """Stake free tokens: register them to vote and earn staking rewards (§IV-I)."""

    account: str
    amount: int
    op: Literal["stake"] = "stake"


@dataclass(frozen=True)
class Unstake:
    """Return staked tokens to the free balance (§IV-I)."""

    account: str
    amount: int
    op: Literal["unstake"] = "unstake"


@dataclass(frozen=True)
class Bond:
    """Post collateral for a node role (§IV-J)."""

    account: str
    amount: int
    op: Literal["bond"] = "bond"


@dataclass(frozen=True)
class Unbond:
    """Release collateral; it stays slashable through the evidence window (§IV-J)."""

    account: str
    amount: int
    op: Literal["unbond"] = "unbond"


@dataclass(frozen=True)
class Register:
    """Register a node for a role with its key, declared pay and spec (§IV-B)."""

    account: str
    role: NodeRole
    key: bytes
    declared_pay: int
    spec: NodeSpec
    op: Literal["register"] = "register"


@dataclass(frozen=True)
class Deregister:
    """Withdraw a node's registration (§IV-B)."""

    account: str
    op: Literal["deregister"] = "deregister"


@dataclass(frozen=True)
class LockTokens:
    """Lock free tokens for k² periods, bound to one open ballot (§IV-C)."""

    owner: str
    ballot_id: str
    amount: int
    k: int
    op: Literal["lock"] = "lock"


@dataclass(frozen=True)
class CastLockedVote:
    """Vote on a ballot with a lock made for it in this epoch (§IV-C)."""

    voter: str
    ballot_id: str
    lock_id: int
    option: str
    op: Literal["cast-locked-vote"] = "cast-locked-vote"


@dataclass(frozen=True)
class VoteWithLock:
    """Lock tokens and vote with them at once (§IV-C)."""

    voter: str
    ballot_id: str
    amount: int
    k: int
    option: str
    op: Literal["vote-with-lock"] = "vote-with-lock"


@dataclass(frozen=True)
class QuadraticVote:
    """Buy votes at the plain quadratic price on a quadratic ballot (§IV-C)."""

    voter: str
    ballot_id: str
    votes: int
    option: str
    op: Literal["quadratic-vote"] = "quadratic-vote"


@dataclass(frozen=True)
class SubmitAmendment:
    """Submit an amendment to the governance process (§IV-K)."""

    amendment: Amendment
    op: Literal["submit-amendment"] = "submit-amendment"


@dataclass(frozen=True)
class RecordPoll:
    """Record one group's poll on the amendment being polled (§IV-K)."""

    poll: Poll
    op: Literal["record-poll"] = "record-poll"


@dataclass(frozen=True)
class ReportTestFailure:
    """Report, as a sitting delegate, that the test system failed under the amendment (§IV-K)."""

    reporter: str
    detail: str
    op: Literal["report-test-failure"] = "report-test-failure"


@dataclass(frozen=True)
class ManagementDecision:
    """Record one management/control decision; its pay goes to one delegate, in turn (§IV-B)."""

    op: Literal["management-decision"] = "management-decision"


@dataclass(frozen=True)
class ProduceUserBlock:
    """Record a user transaction block by an execution node (§III-B, §IV-G)."""

    producer: str
    op: Literal["produce-user-block"] = "produce-user-block"


@dataclass(frozen=True)
class SubmitEvidence:
    """Submit cryptographic evidence of misbehaviour (§IV-J)."""

    reporter: str
    evidence: SlashingEvidence
    op: Literal["submit-evidence"] = "submit-evidence"


@dataclass(frozen=True)
class EndEpoch:
    """Close the epoch: pay, elect, test, advance governance and the clock (§IV-C, §IV-I, §IV-K)."""

    op: Literal["end-epoch"] = "end-epoch"


Operation = (
    Transfer
    | Stake
    | Unstake
    | Bond
    | Unbond
    | Register
    | Deregister
    | LockTokens
    | CastLockedVote
    | VoteWithLock
    | QuadraticVote
    | SubmitAmendment
    | RecordPoll
    | ReportTestFailure
    | ManagementDecision
    | ProduceUserBlock
    | SubmitEvidence
    | EndEpoch
)


__all__ = [
    "Bond",
    "CastLockedVote",
    "Deregister",
    "EndEpoch",
    "LockTokens",
    "ManagementDecision",
    "Operation",
    "ProduceUserBlock",
    "QuadraticVote",
    "RecordPoll",
    "Register",
    "ReportTestFailure",
    "Stake",
    "SubmitAmendment",
    "SubmitEvidence",
    "Transfer",
    "Unbond",
    "Unstake",
    "VoteWithLock",
]
