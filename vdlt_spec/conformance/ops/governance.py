"""Conformance operations of quadratic voting with token locks (§IV-C).

``voting.lock_votes`` fixes the votes and lock periods of a token lock; ``voting.quadratic`` fixes
the plain quadratic price of votes and what a budget buys.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from functools import partial
from typing import Any

from vdlt_spec import ledger as ledger_ops
from vdlt_spec import serial
from vdlt_spec.conformance.operations import operation
from vdlt_spec.conformance.ops.amendment import amendment_inputs, audit_inputs
from vdlt_spec.conformance.ops.holdings import attempt, decoded, ledger_of, params_of
from vdlt_spec.conformance.suite import VectorInput, inputs
from vdlt_spec.crypto import deterministic_roster
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.governance import dpos, voting
from vdlt_spec.governance.parameters import Parameters
from vdlt_spec.ledger import Ledger
from vdlt_spec.roles import NodeRole


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
    yield from _election_inputs()
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
        ' eligible_stake, choices}}, "locks": {id: Lock}, "accounts": {name: Account}}'
    ),
)
def ballot(payload: Any) -> Any:
    """Open ballots, apply lock and vote actions in order; answer each, then the tallies (§IV-C)."""
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
    }


# --- DPoS elections ----------------------------------------------------------------------------


def _registered_node(item: Any, where: str, epoch: int) -> dpos.RegisteredNode:
    """Decode one registration; the role is management/control unless it says execution."""
    return dpos.RegisteredNode(
        account=serial.decode(str, item.get("account"), f"{where}.account"),
        role=serial.decode(NodeRole, item.get("role", NodeRole.MANAGEMENT_CONTROL.value), where),
        key=serial.decode(bytes, item.get("key"), f"{where}.key"),
        declared_pay=serial.decode(int, item.get("declared_pay"), f"{where}.declared_pay"),
        spec=serial.decode(dpos.NodeSpec, item.get("spec"), f"{where}.spec"),
        registered_at=epoch,
    )


def _cast(
    ballot: voting.Ballot, ledger: Ledger, params: Parameters, mode: voting.VotingMode, item: Any
) -> tuple[voting.Ballot, Ledger]:
    """Cast one election vote: a token lock (N·k votes) or bought quadratic votes (§IV-C)."""
    voter, option = decoded(item, "voter", str), decoded(item, "candidate", str)
    if mode is voting.VotingMode.QUADRATIC:
        count = decoded(item, "votes", int)
        return voting.cast_quadratic_vote(ballot, ledger, voter, count, option)
    tokens, k = decoded(item, "tokens", int), decoded(item, "k", int)
    return voting.vote_with_lock(
        ballot,
        ledger,
        voter,
        tokens,
        k,
        option,
        max_k=params.max_lock_multiplier,
        lock_period_epochs=params.lock_period_epochs,
    )


@operation(
    "governance.election",
    "§III-D, §IV-C",
    input_schema=(
        '{"params"?: Parameters, "epoch": int, "mode"?: "token-lock" | "quadratic",'
        ' "accounts": {name: {balance, staked?, collateral?}}, "candidates": [{account, key:'
        ' hex33, declared_pay, spec: NodeSpec, role?}], "sitting"?: [account], "rosters"?:'
        ' {epoch: [RosterEntry]}, "votes": [{voter, candidate, tokens, k} or {voter, candidate,'
        ' votes}], "blocks"?: [producer]}'
    ),
    output_schema=(
        '{"registrations": ["ok" or REASON], "votes": ["ok" or REASON], "tally": {candidate:'
        ' int}, "ranked": [[candidate, votes]], "elected": [account], "succeeded": bool,'
        ' "roster": [{account, key, declared_pay}], "rosters_kept": [epoch], "leaders":'
        ' [account], "blocks": ["ok" or REASON], "violations": [str]}'
    ),
)
def election(payload: Any) -> Any:
    """Register nodes, count one election's votes, seat the top K, check the roles (§IV-B, §IV-C).

    ``leaders`` names the delegate paid for each of the first 2K decisions, in turn; ``blocks``
    answers whether each producer may make a user transaction block (execution nodes only).
    ``rosters`` are the rosters of earlier epochs held before the election; ``rosters_kept``
    lists the epochs whose rosters stay after the election, those inside the evidence window
    (§IV-J); ``violations`` lists the broken role invariants of the registry after it (§IV-B).
    """
    params = params_of(payload)
    epoch = decoded(payload, "epoch", int)
    mode = decoded(payload, "mode", voting.VotingMode, voting.VotingMode.TOKEN_LOCK)
    ledger = ledger_ops.advance(ledger_of(payload), epoch)
    held = decoded(payload, "rosters", dict[int, tuple[dpos.RosterEntry, ...]], {})
    state = dpos.DposState(rosters=held)
    registrations: list[str] = []
    for i, item in enumerate(decoded(payload, "candidates", tuple[dict[str, Any], ...])):
        node = _registered_node(item, f"$.candidates[{i}]", epoch)
        registered = attempt(partial(dpos.register, state, ledger, params, node), registrations)
        state = registered or state
    sitting = decoded(payload, "sitting", tuple[str, ...], ())
    state = dpos.open_election(dataclasses.replace(state, delegates=sitting), ledger, mode)
    vote_results: list[str] = []
    for item in decoded(payload, "votes", tuple[dict[str, Any], ...]):
        assert state.election is not None
        cast = attempt(partial(_cast, state.election, ledger, params, mode, item), vote_results)
        if cast is not None:
            state = dataclasses.replace(state, election=cast[0])
            ledger = cast[1]
    assert state.election is not None
    tally = dict(state.election.votes)
    ranked = dpos.rank_candidates(state, ledger, params, state.election, epoch + 1)
    seated, succeeded = dpos.close_election(state, ledger, params, epoch + 1)
    blocks: list[str] = []
    for producer in decoded(payload, "blocks", tuple[str, ...], ()):
        attempt(partial(dpos.authorize_user_block, seated, producer), blocks)
    seats = len(seated.delegates)
    kept = dpos.prune_rosters(seated, epoch + 1 - params.evidence_window_epochs)
    return {
        "registrations": registrations,
        "votes": vote_results,
        "tally": tally,
        "ranked": [[account, votes] for account, votes in ranked],
        "elected": list(seated.delegates),
        "succeeded": succeeded,
        "roster": serial.encode(seated.rosters[epoch + 1]),
        "rosters_kept": sorted(kept.rosters),
        "leaders": [dpos.decision_leader(seated, i) for i in range(2 * seats)],
        "blocks": blocks,
        "violations": list(dpos.role_violations(seated, params)),
    }


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


ELECTION_PARAMS = {
    "delegate_count": 3,
    "min_delegates": 2,
    "min_collateral": 100,
    "max_lock_multiplier": 4,
}
QUALIFIED = {
    "dedicated_ip": True,
    "uptime_bp": 9990,
    "bandwidth_mbps": 1000,
    "cpu_cores": 8,
    "memory_gib": 32,
    "storage_gib": 1000,
}


def _candidates(count: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Return accounts and registrations of ``count`` bonded, qualified candidates."""
    roster, _ = deterministic_roster(count + 1, seed=20240521)
    accounts: dict[str, Any] = {f"c{i}": {"balance": 500, "collateral": 100} for i in range(count)}
    accounts["x0"] = {"balance": 500, "collateral": 100}
    accounts |= {f"v{i}": {"balance": 1000, "staked": 100 * (i + 1)} for i in range(4)}
    candidates = [
        {"account": f"c{i}", "key": roster[i].hex(), "declared_pay": 10 + i, "spec": QUALIFIED}
        for i in range(count)
    ]
    executor = {
        "account": "x0",
        "key": roster[count].hex(),
        "declared_pay": 5,
        "spec": {**QUALIFIED, "dedicated_ip": False, "cpu_cores": 2},
        "role": "execution",
    }
    return accounts, [*candidates, executor]


def _ev(voter: int, candidate: int, tokens: int, k: int) -> dict[str, Any]:
    return {"voter": f"v{voter}", "candidate": f"c{candidate}", "tokens": tokens, "k": k}


def _election_inputs() -> Iterator[VectorInput]:
    """Yield DPoS election vectors: tallies, ties, the cap K, failed elections (§IV-C)."""
    accounts, registrations = _candidates(5)
    candidates, executor = registrations[:5], registrations[5]
    unqualified = {**candidates[4], "spec": {**QUALIFIED, "cpu_cores": 7}}
    scenarios: dict[str, tuple[dict[str, Any], str]] = {
        "top-k": (
            {"votes": [_ev(0, 0, 100, 1), _ev(1, 1, 50, 3), _ev(2, 2, 60, 2), _ev(3, 3, 10, 4)]},
            "token-lock weights N·k: 100, 150, 120, 40; K = 3 seats",
        ),
        "ties": (
            {"votes": [_ev(0, 0, 100, 2), _ev(1, 1, 200, 1), _ev(2, 2, 50, 4), _ev(3, 3, 100, 1)]},
            "three candidates tie at 200 votes: hash of epoch and key orders them",
        ),
        "ties-next-epoch": (
            {
                "epoch": 8,
                "votes": [
                    _ev(0, 0, 100, 2),
                    _ev(1, 1, 200, 1),
                    _ev(2, 2, 50, 4),
                    _ev(3, 3, 100, 1),
                ],
            },
            "the same tie in another epoch may order differently",
        ),
        "failed": (
            {"sitting": ["c3", "c4"], "votes": [_ev(0, 0, 100, 1)]},
            "one elected < min_delegates 2: the sitting delegates serve on",
        ),
        "registration-refused": (
            {
                "candidates": [
                    *candidates[:4],
                    unqualified,
                    {**candidates[0], "account": "v0"},
                    {**candidates[1], "account": "c1"},
                    {**candidates[2], "account": "nobody"},
                    {**candidates[3], "account": "v1", "key": "02" + "00" * 32},
                    {**candidates[0], "account": "v2", "key": executor["key"]},
                ],
                "votes": [_ev(0, 0, 100, 1), _ev(1, 1, 100, 1), _ev(2, 4, 100, 4)],
            },
            "node requirements unmet, a key taken, registered twice, unknown account, bad key,"
            " no collateral;"
            " a vote for an unregistered candidate is refused",
        ),
        "quadratic": (
            {
                "mode": "quadratic",
                "votes": [
                    {"voter": "v0", "candidate": "c0", "votes": 30},
                    {"voter": "v1", "candidate": "c1", "votes": 28},
                    {"voter": "v2", "candidate": "c2", "votes": 27},
                ],
            },
            "plain quadratic votes cost v² of the free balance: 30² = 900 is all v0 holds free,"
            " 27² = 729 is more than v2's 700",
        ),
        "no-votes": ({"votes": []}, "nobody elected: the election fails, nobody sat"),
        "bad-keys": (
            {
                "candidates": [
                    *candidates[:3],
                    {**candidates[3], "key": ""},
                    {**candidates[3], "key": "02" + "11" * 31},
                    {**candidates[3], "key": "02" + "11" * 33},
                    {**candidates[3], "key": "04" + candidates[3]["key"][2:]},
                    {**candidates[3], "key": "05" + candidates[3]["key"][2:]},
                    candidates[3],
                ],
                "votes": [_ev(0, 0, 100, 1), _ev(1, 3, 100, 1)],
            },
            "a key is 33 bytes, 02 or 03 then a point's x: empty, 32 and 34 bytes, prefixes 04"
            " and 05 are refused; the good key then registers",
        ),
        "roster-window": (
            {
                "rosters": {
                    str(e): [{"account": "c4", "key": candidates[4]["key"], "declared_pay": 14}]
                    for e in (0, 1, 2, 3)
                },
                "votes": [_ev(0, 0, 100, 1), _ev(1, 1, 50, 3)],
            },
            "electing the roster of epoch 4 with an evidence window of 2 keeps the rosters of"
            " epochs 2, 3 and 4; those of 0 and 1 are stale",
        ),
        "roles": (
            {
                "candidates": [*candidates, executor],
                "votes": [_ev(0, 0, 100, 1), _ev(1, 1, 50, 3), _ev(2, 2, 60, 2), _ev(3, 4, 10, 1)],
                "blocks": ["x0", "c1", "c3", "nobody"],
            },
            "an execution node needs no management requirements; only it makes user blocks,"
            " never a delegate (§IV-B); decisions are paid to the delegates in turn",
        ),
    }
    base = {"params": ELECTION_PARAMS, "epoch": 3, "accounts": accounts, "candidates": candidates}
    for name, (change, comment) in scenarios.items():
        yield VectorInput(f"election-{name}", "governance.election", base | change, comment)


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
    ):
        yield VectorInput(
            f"voting-ballot-params-{label}",
            "voting.ballot",
            {**counted.input, "params": {**params, **change}},
            note,
        )
    top_k = next(v for v in _election_inputs() if v.id == "election-top-k")
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
