"""Conformance operation of DPoS elections of management/control delegates (§III-D, §IV-C).

``governance.election`` registers candidates, counts one election's votes (token locks or plain
quadratic votes), seats the top K and answers the roster, the rosters kept, who leads each
decision, who may make user blocks and the role invariants.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from functools import partial
from typing import Any

from vdlt_spec import ledger as ledger_ops
from vdlt_spec import serial
from vdlt_spec.conformance.operations import operation
from vdlt_spec.conformance.ops.holdings import attempt, decoded, ledger_of, params_of
from vdlt_spec.conformance.suite import VectorInput
from vdlt_spec.crypto import deterministic_roster
from vdlt_spec.governance import dpos, voting
from vdlt_spec.governance.parameters import Parameters
from vdlt_spec.ledger import Ledger
from vdlt_spec.roles import NodeRole


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
        ' hex33, declared_pay, spec: NodeSpec, role?}], "sitting"?: [account], "expelled"?:'
        ' [account], "rosters"?: {epoch: [RosterEntry]}, "votes": [{voter, candidate, tokens, k}'
        ' or {voter, candidate, votes}], "blocks"?: [producer]}'
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
    ``expelled`` accounts (slashed, §IV-J) leave the registry and the sitting delegates
    before the election opens. ``rosters`` are the rosters of earlier epochs held before the
    election; ``rosters_kept`` lists the epochs whose rosters stay after the election, those
    inside the evidence window (§IV-J); ``violations`` lists the broken role invariants of the
    registry after it (§IV-B).
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
    state = dataclasses.replace(state, delegates=sitting)
    for account in decoded(payload, "expelled", tuple[str, ...], ()):
        state = dpos.expel(state, account)
    state = dpos.open_election(state, ledger, mode)
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


def election_inputs() -> Iterator[VectorInput]:
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
        "expelled-delegate": (
            {"sitting": ["c3", "c4"], "expelled": ["c4"], "votes": [_ev(0, 0, 100, 1)]},
            "c4 is slashed: the election fails and only c3 serves on",
        ),
        "expelled-candidate": (
            {"expelled": ["c0"], "votes": [_ev(0, 0, 100, 1), _ev(1, 1, 50, 3), _ev(2, 2, 60, 2)]},
            "an expelled candidate leaves the ballot: a vote for c0 is refused",
        ),
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
