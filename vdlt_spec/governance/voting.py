"""Count quadratic votes: token-lock voting and the plain quadratic price (§III-D, §IV-C).

Token-lock voting (Buterin's coin-lock voting, the mode vDLT uses): N tokens locked for k²
periods give N·k votes. The lock is bound to one ballot; its tokens cannot move or back another
lock until it expires, exactly k² periods after the vote. Plain quadratic voting (Lalley and
Weyl), kept as an option because the paper presents both: v votes cost v² tokens (1, 4, 9,
16), paid by burning them (D-gov-5).

The rule functions at the top (``lock_votes_rule``, ``lock_periods_rule``,
``quadratic_cost_rule``, ``marginal_cost_rule``, ``max_votes_bounds``) are written once with
products, sums and comparisons only, so they evaluate on ints and on solver terms: the proofs in
``vdlt_spec.models`` state their claims with these very functions, and the checked functions
below them (``lock_votes``, ``quadratic_cost``, ...) validate their inputs and call them. Tallies
are integers, so every count is exact.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from vdlt_spec import ledger as ledger_ops
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.ledger import Ledger

MIN_LOCK_MULTIPLIER = 1
"""Smallest k of a token lock: one period, one vote per token (§IV-C)."""


def _non_negative(value: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SpecError(Reason.NEGATIVE_AMOUNT, f"{what} must be a non-negative integer: {value!r}")
    return value


def _multiplier(k: int) -> int:
    if isinstance(k, bool) or not isinstance(k, int) or k < MIN_LOCK_MULTIPLIER:
        raise SpecError(Reason.BAD_LOCK_MULTIPLIER, f"lock multiplier k must be >= 1, got {k!r}")
    return k


# --- rules on ints and solver terms (the proofs state their claims with these) -----------------


def lock_votes_rule(tokens: Any, k: Any) -> Any:
    """Return the votes of ``tokens`` locked with multiplier ``k``, unchecked: tokens·k (§IV-C)."""
    return tokens * k


def lock_periods_rule(k: Any) -> Any:
    """Return the periods a lock with multiplier ``k`` lasts, unchecked: k·k (§IV-C)."""
    return k * k


def quadratic_cost_rule(votes: Any) -> Any:
    """Return the plain quadratic price of ``votes`` votes, unchecked: votes·votes (§IV-C)."""
    return votes * votes


def marginal_cost_rule(k: Any) -> Any:
    """Return the price of the k-th plain quadratic vote, unchecked: 2k - 1 (§IV-C)."""
    return 2 * k - 1


def max_votes_bounds(votes: Any, budget: Any) -> tuple[Any, Any, Any]:
    """Return the constraints that make ``votes`` the most a budget buys, for a solver (§IV-C).

    votes >= 0, quadratic_cost_rule(votes) <= budget < quadratic_cost_rule(votes + 1).
    """
    return (
        votes >= 0,
        quadratic_cost_rule(votes) <= budget,
        budget < quadratic_cost_rule(votes + 1),
    )


# --- the checked rules -------------------------------------------------------------------------


def lock_votes(tokens: int, k: int) -> int:
    """Return the votes of ``tokens`` locked with multiplier ``k``: tokens·k (§IV-C)."""
    return int(lock_votes_rule(_non_negative(tokens, "tokens"), _multiplier(k)))


def lock_periods(k: int) -> int:
    """Return how many periods a lock with multiplier ``k`` lasts: k² (§IV-C)."""
    return int(lock_periods_rule(_multiplier(k)))


def quadratic_cost(votes: int) -> int:
    """Return the tokens that ``votes`` votes cost under plain quadratic voting: votes² (§IV-C)."""
    return int(quadratic_cost_rule(_non_negative(votes, "votes")))


def marginal_cost(k: int) -> int:
    """Return the cost of the k-th plain quadratic vote: k² - (k-1)² = 2k - 1 (§IV-C)."""
    return int(marginal_cost_rule(_multiplier(k)))


def max_quadratic_votes(budget: int) -> int:
    """Return the most votes a budget buys under plain quadratic voting: isqrt(budget) (§IV-C)."""
    return math.isqrt(_non_negative(budget, "budget"))


# --- ballots -------------------------------------------------------------------------------------


class VotingMode(StrEnum):
    """Name how a ballot turns tokens into votes (§IV-C)."""

    TOKEN_LOCK = "token-lock"
    QUADRATIC = "quadratic"


@dataclass(frozen=True)
class Ballot:
    """Hold one ballot: its options, when it is open, and its exact tally (§IV-C).

    ``votes`` maps each option to its votes; ``tokens`` to the tokens behind them (locked, or
    paid for plain quadratic votes); ``choices`` maps each voter to the option chosen (one vote
    per voter); ``locks_used`` lists the locks already counted. Participation is measured like
    Tezos' turnout, on the registered electorate: ``eligible_stake`` is the total stake when the
    ballot opened and ``turnout`` the stake of the voters who voted (D-gov-8). The ballot
    accepts votes while ``opens_at <= now < closes_at``.
    """

    ballot_id: str
    options: tuple[str, ...]
    mode: VotingMode
    opens_at: int
    closes_at: int
    eligible_stake: int
    turnout: int = 0
    votes: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, int] = field(default_factory=dict)
    choices: dict[str, str] = field(default_factory=dict)
    locks_used: frozenset[int] = frozenset()

    @property
    def total_votes(self) -> int:
        """Return the votes cast for all options together (§IV-C)."""
        return sum(self.votes.values())

    @property
    def total_tokens(self) -> int:
        """Return the tokens behind all votes together (§IV-C)."""
        return sum(self.tokens.values())


def open_ballot(
    ballot_id: str,
    options: Sequence[str],
    mode: VotingMode,
    opens_at: int,
    closes_at: int,
    eligible_stake: int,
) -> Ballot:
    """Open a ballot on distinct options, accepting votes in [opens_at, closes_at) (§IV-C)."""
    if not ballot_id:
        raise SpecError(Reason.UNKNOWN_BALLOT, "a ballot needs a non-empty identifier")
    if len(set(options)) != len(options):
        raise SpecError(Reason.UNKNOWN_OPTION, f"ballot options must be distinct: {options}")
    if closes_at <= opens_at:
        raise SpecError(Reason.BALLOT_CLOSED, f"ballot closes at {closes_at} <= opens {opens_at}")
    _non_negative(eligible_stake, "eligible stake")
    return Ballot(
        ballot_id=ballot_id,
        options=tuple(options),
        mode=VotingMode(mode),
        opens_at=opens_at,
        closes_at=closes_at,
        eligible_stake=eligible_stake,
        votes={o: 0 for o in options},
        tokens={o: 0 for o in options},
    )


def is_open(ballot: Ballot, now: int) -> bool:
    """Tell whether the ballot accepts votes at epoch ``now`` (§IV-C)."""
    return ballot.opens_at <= now < ballot.closes_at


def _admit(ballot: Ballot, now: int, voter: str, option: str, mode: VotingMode) -> None:
    if ballot.mode != mode:
        raise SpecError(
            Reason.WRONG_VOTING_MODE, f"ballot {ballot.ballot_id} takes {ballot.mode} votes"
        )
    if not is_open(ballot, now):
        raise SpecError(
            Reason.BALLOT_CLOSED,
            f"ballot {ballot.ballot_id} is open in [{ballot.opens_at}, {ballot.closes_at}),"
            f" not at {now}",
        )
    if option not in ballot.options:
        raise SpecError(Reason.UNKNOWN_OPTION, f"{option!r} is not an option of {ballot.ballot_id}")
    if voter in ballot.choices:
        raise SpecError(Reason.DOUBLE_VOTE, f"{voter} already voted on {ballot.ballot_id}")


def _record(ballot: Ballot, voter: str, option: str, votes: int, tokens: int, stake: int) -> Ballot:
    return dataclasses.replace(
        ballot,
        turnout=ballot.turnout + stake,
        votes={**ballot.votes, option: ballot.votes[option] + votes},
        tokens={**ballot.tokens, option: ballot.tokens[option] + tokens},
        choices={**ballot.choices, voter: option},
    )


def cast_locked_vote(
    ballot: Ballot, ledger: Ledger, voter: str, lock_id: int, option: str
) -> Ballot:
    """Count the votes of an existing lock: N·k for the lock's N tokens and k (§IV-C).

    The lock must belong to the voter, be bound to this ballot, be live, be made in the
    current epoch (so it expires exactly k² periods after the vote) and not be counted yet.
    """
    _admit(ballot, ledger.now, voter, option, VotingMode.TOKEN_LOCK)
    item = ledger.locks.get(lock_id)
    if item is None:
        if isinstance(lock_id, int) and 0 <= lock_id < ledger.next_lock_id:
            raise SpecError(Reason.LOCK_EXPIRED, f"lock {lock_id} has expired")
        raise SpecError(Reason.UNKNOWN_LOCK, f"no lock {lock_id!r}")
    if item.owner != voter:
        raise SpecError(Reason.FOREIGN_LOCK, f"lock {lock_id} belongs to {item.owner}, not {voter}")
    if item.ballot_id != ballot.ballot_id:
        raise SpecError(
            Reason.FOREIGN_LOCK, f"lock {lock_id} is bound to {item.ballot_id}, not this ballot"
        )
    if lock_id in ballot.locks_used:
        raise SpecError(Reason.DOUBLE_VOTE, f"lock {lock_id} was already counted")
    if item.locked_at != ledger.now:
        raise SpecError(
            Reason.LOCK_NOT_FRESH,
            f"lock {lock_id} was made at epoch {item.locked_at}; vote in the epoch of the lock",
        )
    votes = lock_votes(item.amount, item.k)
    stake = ledger.account(voter).staked
    counted = _record(ballot, voter, option, votes, item.amount, stake)
    return dataclasses.replace(counted, locks_used=ballot.locks_used | {lock_id})


def lock_for_ballot(
    ledger: Ledger,
    ballot: Ballot,
    owner: str,
    tokens: int,
    k: int,
    *,
    max_k: int,
    lock_period_epochs: int,
) -> tuple[Ledger, int]:
    """Lock free tokens for k² periods, bound to an open ballot; return the lock id (§IV-C)."""
    if ballot.mode != VotingMode.TOKEN_LOCK:
        raise SpecError(Reason.WRONG_VOTING_MODE, f"ballot {ballot.ballot_id} takes no locks")
    if not is_open(ballot, ledger.now):
        raise SpecError(Reason.BALLOT_CLOSED, f"ballot {ballot.ballot_id} is not open")
    if _multiplier(k) > max_k:
        raise SpecError(Reason.BAD_LOCK_MULTIPLIER, f"lock multiplier k = {k} exceeds {max_k}")
    periods = lock_periods(k) * lock_period_epochs
    updated, made = ledger_ops.lock(ledger, owner, ballot.ballot_id, tokens, k, periods)
    return updated, made.lock_id


def vote_with_lock(
    ballot: Ballot,
    ledger: Ledger,
    voter: str,
    tokens: int,
    k: int,
    option: str,
    *,
    max_k: int,
    lock_period_epochs: int,
) -> tuple[Ballot, Ledger]:
    """Lock ``tokens`` for k² periods and cast their N·k votes, both or neither (§IV-C)."""
    _admit(ballot, ledger.now, voter, option, VotingMode.TOKEN_LOCK)
    locked, lock_id = lock_for_ballot(
        ledger, ballot, voter, tokens, k, max_k=max_k, lock_period_epochs=lock_period_epochs
    )
    return cast_locked_vote(ballot, locked, voter, lock_id, option), locked


def cast_quadratic_vote(
    ballot: Ballot, ledger: Ledger, voter: str, votes: int, option: str
) -> tuple[Ballot, Ledger]:
    """Buy ``votes`` votes for votes² tokens, burnt from the voter's free balance (§IV-C)."""
    _admit(ballot, ledger.now, voter, option, VotingMode.QUADRATIC)
    if _non_negative(votes, "votes") == 0:
        raise SpecError(Reason.NON_POSITIVE_AMOUNT, "a quadratic vote buys at least one vote")
    cost = quadratic_cost(votes)
    paid = ledger_ops.burn(ledger, voter, cost)
    return _record(ballot, voter, option, votes, cost, paid.account(voter).staked), paid


def add_option(ballot: Ballot, option: str) -> Ballot:
    """Return the ballot with one more option, e.g. a candidate who registered late (§IV-C)."""
    if option in ballot.options:
        return ballot
    return dataclasses.replace(
        ballot,
        options=(*ballot.options, option),
        votes={**ballot.votes, option: 0},
        tokens={**ballot.tokens, option: 0},
    )


def tally_violations(ballot: Ballot) -> tuple[str, ...]:
    """List inconsistencies of a ballot's tally; empty when the tally is sound (§IV-C)."""
    problems = []
    if set(ballot.votes) != set(ballot.options) or set(ballot.tokens) != set(ballot.options):
        problems.append(f"{ballot.ballot_id}: tally keys differ from the options")
    if any(v < 0 for v in ballot.votes.values()) or any(t < 0 for t in ballot.tokens.values()):
        problems.append(f"{ballot.ballot_id}: negative tally")
    if any(choice not in ballot.options for choice in ballot.choices.values()):
        problems.append(f"{ballot.ballot_id}: a voter chose an unknown option")
    for option in ballot.options:
        voted = sum(1 for c in ballot.choices.values() if c == option)
        if voted == 0 and (ballot.votes.get(option) or ballot.tokens.get(option)):
            problems.append(f"{ballot.ballot_id}: {option} has votes but no voter")
    return tuple(problems)
