"""Conformance operations of quadratic voting with token locks, and the governance suite (§IV-C).

``voting.lock_votes`` fixes the votes and lock periods of a token lock; ``voting.quadratic`` fixes
the plain quadratic price of votes and what a budget buys; ``voting.ballot`` the rules of casting
votes and ``voting.tally_audit`` the consistency of a tally. The governance suite also holds the
elections (:mod:`.election`) and the amendment process (:mod:`.amendment`).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from vdlt_spec import ledger as ledger_ops
from vdlt_spec import serial
from vdlt_spec.conformance.operations import operation
from vdlt_spec.conformance.ops.amendment import amendment_inputs, audit_inputs
from vdlt_spec.conformance.ops.election import election_inputs
from vdlt_spec.conformance.ops.holdings import attempt, decoded, ledger_of, params_of
from vdlt_spec.conformance.suite import VectorInput, inputs
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.governance import voting
from vdlt_spec.governance.parameters import Parameters
from vdlt_spec.ledger import Ledger


@operation(
    "voting.lock_votes",
    "§IV-C",
    input_schema='{"tokens": int, "k": int}',
    output_schema='{"votes": N·k, "periods": k²}',
)
def lock_votes(payload: Any) -> Any:
    """Return the votes and the lock periods of N tokens locked with multiplier k (§IV-C)."""
    tokens = serial.decode(int, payload.get("tokens"), "$.tokens")
    k = serial.decode(int, payload.get("k"), "$.k")
    return {"votes": voting.lock_votes(tokens, k), "periods": voting.lock_periods(k)}


@operation(
    "voting.quadratic",
    "§IV-C",
    input_schema='{"votes": int, "budget": int}',
    output_schema=(
        '{"cost": v², "marginal": 2v−1, "affordable": isqrt(budget), "most_affordable":'
        " v² ≤ budget < (v+1)²}"
    ),
)
def quadratic(payload: Any) -> Any:
    """Return the price of v votes, the price of the v-th vote, and votes a budget buys (§IV-C).

    ``most_affordable`` tells whether v is exactly the most votes the budget buys.
    """
    votes = serial.decode(int, payload.get("votes"), "$.votes")
    budget = serial.decode(int, payload.get("budget"), "$.budget")
    return {
        "cost": voting.quadratic_cost(votes),
        "marginal": voting.marginal_cost(votes) if votes >= 1 else 0,
        "affordable": voting.max_quadratic_votes(budget),
        "most_affordable": all(voting.max_votes_bounds(votes, budget)),
    }


@inputs("governance")
def _governance_inputs() -> Iterator[VectorInput]:
    for tokens, k in ((1, 1), (100, 2), (10**9, 4), (0, 3), (5, 0), (-1, 1)):
        yield VectorInput(
            f"voting-lock-{tokens}-{k}", "voting.lock_votes", {"tokens": tokens, "k": k}
        )
    quadratic_cases = (
        *((1, 1), (2, 4), (3, 8), (4, 16), (10, 99), (0, 0), (-1, 5)),
        *((2, 8), (2, 9), (3, 9), (3, 15), (3, 16), (4, 15), (0, 1), (1, 0)),
    )
    for votes, budget in quadratic_cases:
        yield VectorInput(
            f"voting-quadratic-{votes}-{budget}",
            "voting.quadratic",
            {"votes": votes, "budget": budget},
        )
    yield from _ballot_inputs()
    yield from _tally_inputs()
    yield from election_inputs()
    yield from amendment_inputs()
    yield from audit_inputs()
    yield from _edge_inputs()


# --- ballots: the rules of casting votes -------------------------------------------------------


def _ballot_view(ballot: voting.Ballot) -> dict[str, Any]:
    return {
        "votes": ballot.votes,
        "tokens": ballot.tokens,
        "turnout": ballot.turnout,
        "eligible_stake": ballot.eligible_stake,
        "choices": ballot.choices,
    }


def _ballot_step(
    action: Any, ballots: dict[str, voting.Ballot], ledger: Ledger, params: Parameters
) -> tuple[dict[str, voting.Ballot], Ledger]:
    """Apply one ballot action; return the ballots and the ledger after it (§IV-C)."""
    kind = decoded(action, "action", str)
    if kind == "advance":
        return ballots, ledger_ops.advance(ledger, decoded(action, "epoch", int))
    name = decoded(action, "ballot_id", str)
    if name not in ballots:
        raise SpecError(Reason.UNKNOWN_BALLOT, f"no ballot {name!r}")
    ballot = ballots[name]
    rules = {"max_k": params.max_lock_multiplier, "lock_period_epochs": params.lock_period_epochs}
    if kind == "lock":
        owner = decoded(action, "owner", str)
        tokens, k = decoded(action, "tokens", int), decoded(action, "k", int)
        ledger, _ = voting.lock_for_ballot(ledger, ballot, owner, tokens, k, **rules)
        return ballots, ledger
    voter = decoded(action, "voter", str)
    option = decoded(action, "option", str)
    if kind == "cast":
        lock_id = decoded(action, "lock_id", int)
        ballot = voting.cast_locked_vote(ballot, ledger, voter, lock_id, option)
    elif kind == "vote-with-lock":
        tokens, k = decoded(action, "tokens", int), decoded(action, "k", int)
        ballot, ledger = voting.vote_with_lock(ballot, ledger, voter, tokens, k, option, **rules)
    elif kind == "quadratic":
        votes = decoded(action, "votes", int)
        ballot, ledger = voting.cast_quadratic_vote(ballot, ledger, voter, votes, option)
    else:
        raise SpecError(Reason.SCHEMA_VIOLATION, f"unknown ballot action {kind!r}")
    return {**ballots, name: ballot}, ledger


@operation(
    "voting.ballot",
    "§IV-C",
    input_schema=(
        '{"params"?: Parameters, "accounts": {name: {balance, staked?}}, "ballots":'
        ' [{ballot_id, options, mode, opens_at, closes_at}], "actions": [{"action": "advance"'
        ' | "lock" | "cast" | "vote-with-lock" | "quadratic", ...}]}'
    ),
    output_schema=(
        '{"results": ["ok" or REASON], "ballots": {id: {votes, tokens, turnout,'
        ' eligible_stake, choices}}, "locks": {id: Lock}, "accounts": {name: Account},'
        ' "violations": [str]}'
    ),
)
def ballot(payload: Any) -> Any:
    """Open ballots, apply lock and vote actions in order; answer each, then the tallies (§IV-C).

    ``violations`` lists the inconsistencies of the final tallies, ballot by ballot.
    """
    params = params_of(payload)
    ledger = ledger_of(payload)
    stake = sum(a.staked for a in ledger.accounts.values())
    ballots: dict[str, voting.Ballot] = {}
    for i, item in enumerate(decoded(payload, "ballots", tuple[dict[str, Any], ...])):
        opened = voting.open_ballot(
            serial.decode(str, item.get("ballot_id"), f"$.ballots[{i}].ballot_id"),
            serial.decode(tuple[str, ...], item.get("options"), f"$.ballots[{i}].options"),
            serial.decode(voting.VotingMode, item.get("mode"), f"$.ballots[{i}].mode"),
            serial.decode(int, item.get("opens_at"), f"$.ballots[{i}].opens_at"),
            serial.decode(int, item.get("closes_at"), f"$.ballots[{i}].closes_at"),
            stake,
        )
        ballots[opened.ballot_id] = opened
    results: list[str] = []
    for action in decoded(payload, "actions", tuple[dict[str, Any], ...]):
        step = attempt(partial(_ballot_step, action, ballots, ledger, params), results)
        if step is not None:
            ballots, ledger = step
    return {
        "results": results,
        "ballots": {name: _ballot_view(b) for name, b in ballots.items()},
        "locks": serial.encode(ledger.locks),
        "accounts": serial.encode(ledger.accounts),
        "violations": [p for b in ballots.values() for p in voting.tally_violations(b)],
    }


@operation(
    "voting.tally_audit",
    "§IV-C",
    input_schema=(
        '{"ballot_id", "options", "mode", "opens_at", "closes_at", "eligible_stake", "turnout"?,'
        ' "votes"?: {option: int}, "tokens"?: {option: int}, "choices"?: {voter: option},'
        ' "locks_used"?: [int]}'
    ),
    output_schema='{"violations": [str]}',
)
def tally_audit(payload: Any) -> Any:
    """List the inconsistencies of a ballot's tally; empty when it is sound (§IV-C).

    The tally is sound when its vote and token counts name exactly the options, none is
    negative, every voter chose an option, and an option with votes or tokens has a voter.
    """
    return {"violations": list(voting.tally_violations(serial.decode(voting.Ballot, payload)))}


# --- vector inputs ----------------------------------------------------------------------------

BALLOT_ACCOUNTS = {
    "alice": {"balance": 1000, "staked": 300},
    "bob": {"balance": 1000, "staked": 100},
    "carol": {"balance": 50},
}
BALLOTS = [
    {
        "ballot_id": "b1",
        "options": ["yes", "no"],
        "mode": "token-lock",
        "opens_at": 0,
        "closes_at": 2,
    },
    {"ballot_id": "b2", "options": ["x", "y"], "mode": "token-lock", "opens_at": 0, "closes_at": 5},
    {
        "ballot_id": "q1",
        "options": ["yes", "no"],
        "mode": "quadratic",
        "opens_at": 0,
        "closes_at": 2,
    },
]
SMALL_LOCKS = {"max_lock_multiplier": 4, "lock_period_epochs": 1}


def _act(action: str, **fields: Any) -> dict[str, Any]:
    return {"action": action, **fields}


def _ballot_inputs() -> Iterator[VectorInput]:
    """Yield ballot vectors: counted votes and every rule that refuses one (§IV-C)."""
    lock = partial(_act, "lock")
    cast = partial(_act, "cast")
    scenarios: dict[str, tuple[list[dict[str, Any]], str]] = {
        "counted": (
            [
                _act(
                    "vote-with-lock", voter="alice", ballot_id="b1", tokens=100, k=3, option="yes"
                ),
                lock(owner="bob", ballot_id="b1", tokens=40, k=2),
                cast(voter="bob", ballot_id="b1", lock_id=1, option="no"),
                _act("quadratic", voter="carol", ballot_id="q1", votes=7, option="yes"),
            ],
            "N·k votes for a lock, v² tokens burnt for quadratic votes",
        ),
        "lock-of-another-owner": (
            [
                lock(owner="alice", ballot_id="b1", tokens=100, k=1),
                cast(voter="bob", ballot_id="b1", lock_id=0, option="yes"),
            ],
            "a lock is used by a voter who does not own it",
        ),
        "lock-bound-to-another-ballot": (
            [
                lock(owner="alice", ballot_id="b2", tokens=100, k=1),
                cast(voter="alice", ballot_id="b1", lock_id=0, option="yes"),
            ],
            "a lock made for b2 backs a vote on b1",
        ),
        "vote-after-close": (
            [
                _act("advance", epoch=2),
                _act("vote-with-lock", voter="alice", ballot_id="b1", tokens=10, k=1, option="yes"),
                _act("vote-with-lock", voter="alice", ballot_id="b2", tokens=10, k=1, option="x"),
            ],
            "b1 accepts votes in [0, 2): closed at epoch 2; b2 still open",
        ),
        "one-quadratic-vote": (
            [_act("quadratic", voter="carol", ballot_id="q1", votes=1, option="no")],
            "one vote costs one token",
        ),
        "vote-long-after-close": (
            [
                _act("advance", epoch=3),
                _act("vote-with-lock", voter="alice", ballot_id="b1", tokens=10, k=1, option="yes"),
                _act("quadratic", voter="carol", ballot_id="q1", votes=1, option="no"),
            ],
            "b1 and q1 closed at epoch 2: still closed at 3",
        ),
        "lock-counted-twice": (
            [
                lock(owner="alice", ballot_id="b1", tokens=100, k=2),
                cast(voter="alice", ballot_id="b1", lock_id=0, option="yes"),
                cast(voter="alice", ballot_id="b1", lock_id=0, option="no"),
            ],
            "one voter, one vote",
        ),
        "stale-and-expired-locks": (
            [
                lock(owner="alice", ballot_id="b2", tokens=100, k=1),
                lock(owner="bob", ballot_id="b2", tokens=50, k=2),
                _act("advance", epoch=1),
                cast(voter="alice", ballot_id="b2", lock_id=0, option="x"),
                cast(voter="bob", ballot_id="b2", lock_id=1, option="x"),
                cast(voter="bob", ballot_id="b2", lock_id=7, option="x"),
            ],
            "a lock of k = 1 expires after one period; a live lock from an earlier epoch is stale",
        ),
        "expired-lock-ids": (
            [
                lock(owner="alice", ballot_id="b2", tokens=100, k=2),
                lock(owner="bob", ballot_id="b2", tokens=50, k=1),
                _act("advance", epoch=1),
                cast(voter="bob", ballot_id="b2", lock_id=1, option="x"),
                cast(voter="bob", ballot_id="b2", lock_id=2, option="x"),
                cast(voter="bob", ballot_id="b2", lock_id=-1, option="x"),
                cast(voter="alice", ballot_id="b2", lock_id=0, option="x"),
            ],
            "lock 1 (k = 1) has expired; id 2 = the next lock id and id -1 were never issued;"
            " lock 0 (k = 2) is live but made in an earlier epoch",
        ),
        "refused-inputs": (
            [
                _act("vote-with-lock", voter="alice", ballot_id="b1", tokens=10, k=5, option="yes"),
                _act("vote-with-lock", voter="alice", ballot_id="b1", tokens=10, k=0, option="yes"),
                _act(
                    "vote-with-lock", voter="alice", ballot_id="b1", tokens=10, k=1, option="maybe"
                ),
                _act("vote-with-lock", voter="carol", ballot_id="b1", tokens=51, k=1, option="yes"),
                _act("vote-with-lock", voter="alice", ballot_id="q1", tokens=10, k=1, option="yes"),
                _act("quadratic", voter="alice", ballot_id="b1", votes=1, option="yes"),
                _act("quadratic", voter="carol", ballot_id="q1", votes=8, option="yes"),
                _act("quadratic", voter="carol", ballot_id="q1", votes=0, option="yes"),
                _act("vote-with-lock", voter="alice", ballot_id="zz", tokens=1, k=1, option="yes"),
                _act("teleport", voter="alice", ballot_id="b1", option="yes"),
            ],
            "k above the cap, k = 0, unknown option, too few tokens, wrong mode, too poor for v²,"
            " zero votes, unknown ballot, unknown action",
        ),
    }
    for name, (actions, comment) in scenarios.items():
        yield VectorInput(
            f"voting-ballot-{name}",
            "voting.ballot",
            {
                "params": SMALL_LOCKS,
                "accounts": BALLOT_ACCOUNTS,
                "ballots": BALLOTS,
                "actions": actions,
            },
            comment,
        )
    for name, bad in {
        "duplicate-options": {**BALLOTS[0], "options": ["yes", "yes"]},
        "closes-before-opening": {**BALLOTS[0], "closes_at": 0},
    }.items():
        yield VectorInput(
            f"voting-ballot-{name}",
            "voting.ballot",
            {"accounts": BALLOT_ACCOUNTS, "ballots": [bad], "actions": []},
            "rejected ballot",
        )


def _tally_inputs() -> Iterator[VectorInput]:
    """Yield ballots to audit: a sound tally and one per inconsistency (§IV-C)."""
    sound = {
        "ballot_id": "b1",
        "options": ["yes", "no"],
        "mode": "token-lock",
        "opens_at": 0,
        "closes_at": 2,
        "eligible_stake": 400,
        "turnout": 400,
        "votes": {"yes": 300, "no": 80},
        "tokens": {"yes": 100, "no": 40},
        "choices": {"alice": "yes", "bob": "no"},
        "locks_used": [1],
    }
    tallies: dict[str, tuple[dict[str, Any], str]] = {
        "sound": ({}, "the tally of voting-ballot-counted's b1"),
        "no-votes-yet": (
            {
                "turnout": 0,
                "votes": {"yes": 0, "no": 0},
                "tokens": {"yes": 0, "no": 0},
                "choices": {},
            },
            "options without votes need no voter",
        ),
        "votes-miss-an-option": ({"votes": {"yes": 300}}, "votes name fewer keys than options"),
        "votes-name-another": (
            {"votes": {"yes": 300, "no": 80, "maybe": 0}},
            "votes name more keys than options",
        ),
        "tokens-miss-an-option": ({"tokens": {"yes": 100}}, "tokens name fewer keys"),
        "tokens-name-another": (
            {"tokens": {"yes": 100, "no": 40, "maybe": 0}},
            "tokens name more keys",
        ),
        "negative-votes": ({"votes": {"yes": 300, "no": -1}}, "a negative vote count"),
        "negative-tokens": ({"tokens": {"yes": -1, "no": 40}}, "a negative token count"),
        "unknown-choice": ({"choices": {"alice": "yes", "bob": "maybe"}}, "bob chose no option"),
        "votes-without-voter": (
            {"choices": {"alice": "yes"}},
            "no has 80 votes and 40 tokens but nobody chose it",
        ),
        "tokens-without-voter": (
            {"votes": {"yes": 300, "no": 0}, "choices": {"alice": "yes"}},
            "no has 40 tokens but nobody chose it",
        ),
    }
    for name, (change, comment) in tallies.items():
        yield VectorInput(f"voting-tally-{name}", "voting.tally_audit", sound | change, comment)


def _edge_inputs() -> Iterator[VectorInput]:
    """Yield inputs one step from a rule's edge: account names, parameter sums, collateral."""
    counted = next(v for v in _ballot_inputs() if v.id == "voting-ballot-counted")
    for label, name in (("leading-space", " dave"), ("trailing-space", "dave "), ("empty", "")):
        payload = {**counted.input, "accounts": {**counted.input["accounts"], name: {"balance": 1}}}
        yield VectorInput(
            f"voting-ballot-bad-account-{label}",
            "voting.ballot",
            payload,
            "rejected input: an account name is a non-empty string without surrounding spaces",
        )
    params = counted.input["params"]
    for label, change, note in (
        ("shares-under-link", {"share_scavenger": "1/200"}, "class shares may leave link unused"),
        ("bad-poll-weights", {"poll_weight_norms": "1/10"}, "rejected: poll weights sum to 9/10"),
        ("poll-threshold-1", {"poll_threshold": "1"}, "rejected: a poll threshold lies in [0, 1)"),
        ("poll-threshold-below-1", {"poll_threshold": "99/100"}, "the largest thresholds pass"),
        ("poll-threshold-0", {"poll_threshold": "0"}, "the smallest threshold passes"),
        ("poll-threshold-negative", {"poll_threshold": "-1/100"}, "rejected: below [0, 1)"),
        ("share-zero", {"share_scavenger": "0"}, "rejected: every class share is positive"),
        ("inactive-weight-2", {"inactive_voter_weight": "2"}, "rejected: non-voters earn less"),
        ("inactive-weight-1", {"inactive_voter_weight": "1"}, "rejected: weight 1 is not below 1"),
    ):
        yield VectorInput(
            f"voting-ballot-params-{label}",
            "voting.ballot",
            {**counted.input, "params": {**params, **change}},
            note,
        )
    top_k = next(v for v in election_inputs() if v.id == "election-top-k")
    accounts = {
        name: {**holding, "collateral": 150} if name.startswith("c") else holding
        for name, holding in top_k.input["accounts"].items()
    }
    yield VectorInput(
        "election-collateral-above-minimum",
        "governance.election",
        {**top_k.input, "accounts": accounts},
        "candidates bonded above min_collateral 100 are eligible",
    )
