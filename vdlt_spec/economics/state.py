"""Hold the state of the economy: ledger, registry, governance, penalties and pay (§IV-B..§IV-K).

:mod:`vdlt_spec.economics.economy` moves it from one value to the next.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypedDict

from vdlt_spec.economics.incentives import Pools
from vdlt_spec.economics.penalties import PenaltyState
from vdlt_spec.governance.amendment import GovernanceState
from vdlt_spec.governance.dpos import DposState
from vdlt_spec.governance.parameters import Parameters
from vdlt_spec.governance.voting import VotingMode
from vdlt_spec.ledger import Ledger


class LockRules(TypedDict):
    """Hold the keyword limits every token lock obeys: largest k, epochs per period (§IV-C)."""

    max_k: int
    lock_period_epochs: int


@dataclass(frozen=True)
class EpochActivity:
    """Count what happened in the current epoch, and what is left of its pools (§IV-I).

    ``declared`` maps each block producer to the pay it declared when it contributed.
    """

    pools: Pools = field(default_factory=lambda: Pools(0, 0, 0))
    minted: int = 0
    management_left: int = 0
    decisions: int = 0
    blocks: dict[str, int] = field(default_factory=dict)
    declared: dict[str, int] = field(default_factory=dict)
    voters: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Payout:
    """Record one payment of new tokens: to whom, why, how much, in which epoch (§IV-I)."""

    epoch: int
    account: str
    reason: str
    amount: int


@dataclass(frozen=True)
class EpochMint:
    """Record the pools an epoch could mint (its issuance) and what it minted (§IV-I)."""

    epoch: int
    pools: Pools
    minted: int


@dataclass(frozen=True)
class Economy:
    """Hold the whole economy: ledger, nodes and elections, governance, penalties, pay (§IV)."""

    genesis_params: Parameters
    election_mode: VotingMode
    ledger: Ledger
    registry: DposState
    governance: GovernanceState
    penalties: PenaltyState
    activity: EpochActivity
    year_start_supply: int
    minted_this_year: int
    paid_out: int = 0
    payouts: tuple[Payout, ...] = ()
    mints: tuple[EpochMint, ...] = ()
    elections_failed: int = 0

    @property
    def params(self) -> Parameters:
        """Return the live protocol parameters (§IV-K)."""
        return self.governance.params

    @property
    def epoch(self) -> int:
        """Return the current epoch (§IV-C)."""
        return self.ledger.now


__all__ = ["Economy", "EpochActivity", "EpochMint", "LockRules", "Payout"]
